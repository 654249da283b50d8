using SystemDesign.Replication;

namespace SystemDesign.Tests.Replication;

/// <summary>
/// Exact values of the derived figures of the Replication area's options and result records, on inputs small
/// enough to work out by hand: both sides of each window's edges, zero denominators, the queue model's formulas.
/// </summary>
public sealed class ReplicationResultTests
{
    [Fact]
    public void Feed_counts_divide_by_posts_and_reads_and_are_zero_without_them()
    {
        var c = new FeedCounts(Posts: 4, Reads: 5, TimelineWrites: 10, Fetches: 15, ItemsRead: 0);
        Assert.Equal(2.5, c.WritesPerPost);
        Assert.Equal(3, c.FetchesPerRead);
        Assert.Equal(2 * 10 + 3 * 15, c.Cost(2, 3));
        Assert.Equal(0, new FeedCounts(0, 0, 10, 15, 0).WritesPerPost);
        Assert.Equal(0, new FeedCounts(0, 0, 10, 15, 0).FetchesPerRead);
    }

    [Fact]
    public void The_feed_simulator_exposes_its_settings_and_candidate_thresholds()
    {
        var graph = new FollowerGraph([[1, 2], [0], []]);                      // follower counts 2, 1, 0
        var sim = new FeedSimulator(graph, 0, 3, 7);
        Assert.True(sim.PureFanoutOnRead);
        Assert.False(new FeedSimulator(graph, 1).PureFanoutOnRead);
        Assert.Equal((3, 7), (sim.FeedSize, sim.TimelineCap));
        Assert.Equal(FeedSimulator.Hash(new long[] { 1, 2 }), FeedSimulator.Hash(new long[] { 1, 2 }));
        Assert.NotEqual(FeedSimulator.Hash(new long[] { 1, 2 }), FeedSimulator.Hash(new long[] { 2, 1 }));
        var model = new FanoutCostModel(graph, []);
        Assert.Equal(new[] { 0, 1, 2, 3, int.MaxValue }, model.CandidateThresholds());
    }

    [Fact]
    public void Bursts_and_spikes_apply_from_their_start_up_to_but_not_at_their_end()
    {
        var o = new ReplicationOptions
        {
            WriteRate = 100,
            Bursts = [new Burst(1, 2, 50)],
            DelaySpikes = [new DelaySpike(4, 1, 0.5)],
        };
        Assert.Equal(3, o.Bursts[0].End);
        Assert.Equal(100, o.RateAt(0.999));
        Assert.Equal(50, o.RateAt(1));
        Assert.Equal(50, o.RateAt(2.999));
        Assert.Equal(100, o.RateAt(3));
        Assert.Equal(5, o.DelaySpikes[0].End);
        Assert.Equal(0, o.SpikeAt(3.999));
        Assert.Equal(0.5, o.SpikeAt(4));
        Assert.Equal(0.5, o.SpikeAt(4.999));
        Assert.Equal(0, o.SpikeAt(5));
    }

    [Fact]
    public void The_link_carries_a_tcp_window_per_round_trip_capped_by_its_rate()
    {
        var o = new ReplicationOptions { NetworkDelay = 0.05, Jitter = 0.05, WalBytesPerRecord = 100, LinkRate = 1e6 };
        Assert.Equal(1e6, o.LinkCapacityAt(0));                                 // no window: the link rate
        var w = o with { TcpWindowBytes = 20_000 };
        // rtt = 2 × (0.05 + 0.05) = 0.2 s: 20,000 B / (0.2 s × 100 B) = 1000 records/s.
        Assert.Equal(1000, w.LinkCapacityAt(0), 9);
        var spiked = w with { DelaySpikes = [new DelaySpike(1, 1, 0.1)] };
        Assert.Equal(500, spiked.LinkCapacityAt(1), 9);                         // rtt 0.4 s during the spike
        Assert.Equal(400, (w with { LinkRate = 400 }).LinkCapacityAt(0));
        var instant = new ReplicationOptions { NetworkDelay = 0, TcpWindowBytes = 1, LinkRate = 7 };
        Assert.Equal(7, instant.LinkCapacityAt(0));                             // zero round trip: no window cap
    }

    [Fact]
    public void Trace_positions_count_the_records_that_reached_each_stage()
    {
        var t = ReplicationSimulator.Run(new ReplicationOptions { WriteRate = 10, Duration = 1 });
        double received = t.Received[0], flushed = t.Flushed[0];
        Assert.Equal(0, t.WriteLsn(Math.BitDecrement(received)));
        Assert.True(t.WriteLsn(received) >= 1);
        Assert.Equal(0, t.FlushLsn(Math.BitDecrement(flushed)));
        Assert.True(t.FlushLsn(flushed) >= 1);
        Assert.Equal(t.Count, t.FlushLsn(double.MaxValue));
        Assert.Equal(t.Count, t.WriteLsn(double.MaxValue));
        Assert.Equal(0.75, new MonotonicReadsOutcome(ReplicaRouting.Random, 4, 3, 0).BackwardsRate);
    }

    [Fact]
    public void A_standby_burst_run_models_its_backlog_and_drain_from_the_calibrated_replay_rate()
    {
        // μ = 1000 B in 0.5 s = 2000 B/s; λ = 1000 B/s; a 4000 B backlog built over 100 ms.
        var run = new StandbyBurstRun(100, 4000, 0, 1000, [new Calibration(1000, 500)], 5, 0,
            [new BacklogSample(50, 1000, 250, true), new BacklogSample(150, 2000, 0, false)]);
        Assert.Equal(2000, run.ReplayRate);
        Assert.Equal(0.5, run.Utilisation);
        Assert.Equal(4000, run.PredictedDrainMs, 9);                            // B / (μ − λ)
        Assert.Equal(2000, run.DrainWithoutWritesMs, 9);                        // B / μ
        Assert.Equal(0, run.ModelBacklogBytes(-10));
        Assert.Equal(2000, run.ModelBacklogBytes(50), 9);
        Assert.Equal(4000, run.ModelBacklogBytes(100), 9);
        Assert.Equal(3000, run.ModelBacklogBytes(1100), 9);                     // falling at μ − λ = 1000 B/s
        Assert.Equal(0, run.ModelBacklogBytes(100_000));
        Assert.Equal(0.75, run.ReceivedShareAtResume, 12);
        Assert.Equal(0, (run with { Samples = [new BacklogSample(50, 0, 0, true)] }).ReceivedShareAtResume);
        Assert.Equal(double.PositiveInfinity, (run with { WriteRate = 2000 }).PredictedDrainMs);

        // μ from 1000 B/s to 4000 B/s, widened by two polls of 5 ms each side.
        var band = (run with { Calibrations = [new Calibration(1000, 1000), new Calibration(4000, 1000)] })
            .PredictedDrainBandMs;
        Assert.Equal(4000.0 / 3000 * 1000 - 10, band.Low, 9);
        Assert.Equal(double.PositiveInfinity, band.High);                       // λ = μ at the slowest
    }

    [Fact]
    public void Standby_read_your_writes_summarises_its_waits_and_is_zero_without_any()
    {
        var r = new ReadYourWritesOnStandby(2, 1, 0, [TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(6)], 0);
        Assert.Equal(4, r.MeanWaitMs, 9);
        Assert.Equal(6, r.MaxWaitMs, 9);
        Assert.Equal(0, (r with { Waits = [] }).MeanWaitMs);
        Assert.Equal(0, (r with { Waits = [] }).MaxWaitMs);
    }
    [Fact]
    public void Lag_theory_gives_the_window_sync_relaxation_and_batch_means_values()
    {
        Assert.Equal(Math.Sqrt(1000 * 2.0) / (1500 * 2), LagTheory.StalenessSlopeStdErr(1500, 1000, 2), 12);
        Assert.Equal(3200, LagTheory.WindowCapRecords(65_536, 0.04, 512), 9);   // 64 KiB per 40 ms of 512 B
        Assert.Equal(800, LagTheory.WindowBacklogSlope(4000, 65_536, 0.04, 512), 9);
        Assert.Equal(0, LagTheory.WindowBacklogSlope(3000, 65_536, 0.04, 512));  // under the cap: no growth
        Assert.Equal(250, LagTheory.SyncCommitSessionRate(0.004), 9);
        Assert.Equal(0.004, LagTheory.RelaxationTime(250, 1000), 12);           // 1 / (1000 × (1 − √0.25)²)
        // Two batches of 10: means 4.5 and 14.5, sample variance 50, standard error √(50 / 2) = 5; a 21st
        // value falls outside both batches.
        var values = Enumerable.Range(0, 21).Select(i => i == 20 ? 1000.0 : i).ToArray();
        Assert.Equal(5, LagTheory.BatchMeansStdErr(values, 2), 12);
    }

    [Fact]
    public void The_fanout_cost_model_predicts_writes_and_fetches_per_threshold()
    {
        var graph = new FollowerGraph([[1, 2], [0], []]);                      // follower counts 2, 1, 0
        FeedEvent E(FeedEventKind k, int user) => new(0, k, user);
        var events = new[]
        {
            E(FeedEventKind.Post, 0), E(FeedEventKind.Post, 1), E(FeedEventKind.Post, 1),
            E(FeedEventKind.Read, 0), E(FeedEventKind.Read, 1), E(FeedEventKind.Read, 1), E(FeedEventKind.Read, 1),
            E(FeedEventKind.Read, 2), E(FeedEventKind.Read, 2),
        };
        var model = new FanoutCostModel(graph, events);
        Assert.Equal((3, 6), (model.Posts, model.Reads));
        // Reads of each author's followers: 0 ← 1 and 2 (3 + 2), 1 ← 0 (1), 2 ← nobody.
        Assert.Equal(new FeedCounts(3, 6, 0, 6, 0), model.Predict(0));
        Assert.Equal(new FeedCounts(3, 6, 0, 12, 0), model.Predict(1));
        Assert.Equal(new FeedCounts(3, 6, 2, 11, 0), model.Predict(2));
        Assert.Equal(new FeedCounts(3, 6, 4, 6, 0), model.Predict(3));
        Assert.Equal(13.5, model.Cost(2, writeCost: 1.25, fetchCost: 1), 12);
        Assert.Equal((0, 6.0), model.Best());
        Assert.Equal((0, 18.0), model.Best(writeCost: 2, fetchCost: 3));         // pulling 6 × 3 beats any push
        // Reads × fetch + per author the cheaper of pushing (posts × followers) and pulling (follower reads).
        Assert.Equal(6 + 2 + 1 + 0, model.PerAuthorOptimum(), 12);
        Assert.Equal(18 + 4 + 3 + 0, model.PerAuthorOptimum(2, 3), 12);
    }

    [Fact]
    public void A_feed_workload_gives_post_rates_break_even_and_expected_costs_in_closed_form()
    {
        var w = new FeedWorkload();                                             // 2 reads, 0.1 posts a day, √
        Assert.Equal(0.2, w.PostRate(3), 12);
        Assert.Equal(399, w.BreakEvenFollowers(), 9);                           // (2 / 0.1)² − 1
        Assert.Equal(99, w.BreakEvenFollowers(writeCost: 2), 9);
        Assert.Equal(99, w.BreakEvenFollowers(fetchCost: 0.5), 9);
        var graph = new FollowerGraph([[1, 2], [0], []]);
        // Threshold 0: every read pulls each followee: 2 reads × 1 followee for each of the 3 users.
        var (mean0, sd0) = w.ExpectedCost(graph, 0);
        Assert.Equal(6, mean0, 12);
        Assert.Equal(Math.Sqrt(6), sd0, 12);
        // Threshold 2: author 1 pushes 0.1·√2 posts to 1 follower; reads fetch the home timeline plus
        // celebrity 0 for users 1 and 2: 2 × (1 + 2 + 2) fetches, variance 2 × (1 + 4 + 4).
        var (mean2, sd2) = w.ExpectedCost(graph, 2);
        Assert.Equal(0.1 * Math.Sqrt(2) + 10, mean2, 12);
        Assert.Equal(Math.Sqrt(0.1 * Math.Sqrt(2) + 18), sd2, 12);
        var (mean2c, _) = w.ExpectedCost(graph, 2, writeCost: 3, fetchCost: 2);
        Assert.Equal(3 * 0.1 * Math.Sqrt(2) + 20, mean2c, 12);
    }
    // Two records a second apart: received after 0.2 s, flushed after 0.3 s, replayed after 0.5 s; 0.1 s links.
    private static ReplicationTrace TwoRecords() => new(new ReplicationOptions { NetworkDelay = 0.1 },
        [1.0, 2.0], [1.0, 2.0], [1.2, 2.2], [1.3, 2.3], [1.5, 2.5], []);

    [Fact]
    public void A_trace_gives_lags_positions_staleness_and_idle_instants_per_record()
    {
        var t = TwoRecords();
        Assert.Equal(0.3, t.WriteLag(0), 12);                                  // 1.2 + 0.1 − 1.0
        Assert.Equal(0.4, t.FlushLag(0), 12);
        Assert.Equal(0.6, t.ReplayLag(0), 12);
        Assert.Equal(0.5, t.VisibilityLag(1), 12);
        Assert.False(t.ReplicaSees(0, Math.BitDecrement(1.5)));
        Assert.True(t.ReplicaSees(0, 1.5));
        Assert.Equal(0, t.LagRecords(1.6));
        Assert.Equal(1, t.LagRecords(2.0));
        Assert.Equal(0, t.Staleness(1.6));
        Assert.Equal(0.1, t.Staleness(2.1), 12);                               // record 1 waits since 2.0
        Assert.Equal(0.5, t.IdleAfter(0.5));                                    // nothing flushed yet: idle now
        Assert.Equal(1.5, t.IdleAfter(1.4));                                    // idle once record 0 is replayed
        Assert.Equal(2.5, t.IdleAfter(2.4));
        Assert.Equal(3, t.IdleAfter(3));
        Assert.Equal((0, 1, 2), (t.FirstRecordAfter(1.0), t.FirstRecordAfter(1.5), t.FirstRecordAfter(2.5)));
        Assert.Equal(new LsnSample(2.1, 2, 2, 1, 1, 1, t.Staleness(2.1)), t.Sample(2.1));
        Assert.Equal(2, t.WriteLsn(2.2));
        Assert.Equal(1, t.FlushLsn(2.2));
        var samples = t.Samples(1, 2, 0.5);
        Assert.Equal(new[] { 1.0, 1.5, 2.0 }, samples.Select(x => x.Time));
        Assert.Equal(new[] { 0, 1, 1 }, samples.Select(x => x.Replay));
    }

    [Theory]
    [InlineData(ReadPolicy.Replica, 0.2, 1.0, 1.2, true)]                      // replayed at 1.5
    [InlineData(ReadPolicy.Replica, 0.5, 1.0, 1.5, false)]
    [InlineData(ReadPolicy.PrimaryWindow, 0.2, 1.0, 1.2, false)]               // inside the 0.3 s window
    [InlineData(ReadPolicy.PrimaryWindow, 0.3, 1.0, 1.3, true)]                // at its edge: the replica
    [InlineData(ReadPolicy.WaitForLsn, 0, 1.0, 1.5, false)]
    [InlineData(ReadPolicy.SyncRemoteWrite, 0, 1.3, 1.3, true)]                // received 1.2 + 0.1
    [InlineData(ReadPolicy.SyncOn, 0, 1.4, 1.4, true)]                         // flushed 1.3 + 0.1
    [InlineData(ReadPolicy.SyncRemoteApply, 0, 1.6, 1.6, false)]               // replayed 1.5 + 0.1
    public void Each_read_policy_acknowledges_and_serves_at_its_own_instant(ReadPolicy policy, double think,
        double ack, double served, bool stale)
    {
        var o = Assert.Single(ReadYourWrites.Evaluate(TwoRecords(), [new SessionRead(0, think)], policy, window: 0.3));
        Assert.Equal(ack, o.Acknowledged, 12);
        Assert.Equal(ack + think, o.IssuedAt, 12);
        Assert.Equal(served, o.ServedAt, 12);
        Assert.Equal(stale, o.Stale);
        Assert.Equal(policy == ReadPolicy.PrimaryWindow && !stale, o.FromPrimary);
        Assert.Equal(ack - 1.0, o.AddedWriteLatency, 12);
        Assert.Equal(served - o.IssuedAt, o.AddedReadLatency, 12);
    }

    [Fact]
    public void Read_policies_are_summarised_in_milliseconds_and_described_in_postgresql_terms()
    {
        var outcomes = new[]
        {
            new ReadOutcome(0, 1, 1, 1.5, false, false, 0, 0.5),
            new ReadOutcome(1, 2, 2, 2, true, true, 0.6, 0),
        };
        var s = ReadYourWrites.Summarize("p", outcomes);
        Assert.Equal(("p", 2, 1, 0.5, 0.5), (s.Policy, s.Reads, s.StaleReads, s.StaleRate, s.PrimaryShare));
        Assert.Equal(300, s.MeanAddedWriteMs, 9);
        Assert.Equal(250, s.MeanAddedReadMs, 9);
        Assert.Equal(600 * 0.99, s.P99AddedWriteMs, 9);                        // interpolated between 0 and 600
        Assert.Equal(500 * 0.99, s.P99AddedReadMs, 9);

        Assert.Equal("async, read replica", ReadYourWrites.Describe(ReadPolicy.Replica));
        Assert.Equal("primary for 250 ms after a write", ReadYourWrites.Describe(ReadPolicy.PrimaryWindow, 0.25));
        Assert.Equal("replica waits for session LSN", ReadYourWrites.Describe(ReadPolicy.WaitForLsn));
        Assert.Equal("synchronous_commit = remote_write", ReadYourWrites.Describe(ReadPolicy.SyncRemoteWrite));
        Assert.Equal("synchronous_commit = on (flush)", ReadYourWrites.Describe(ReadPolicy.SyncOn));
        Assert.Equal("synchronous_commit = remote_apply", ReadYourWrites.Describe(ReadPolicy.SyncRemoteApply));

        // Lag 0.5 s, think times of mean 0.1 s: stale when the think time falls between the window and the lag.
        var t = TwoRecords();
        SessionRead[] one = [new(0, 0)];
        double p = Math.Exp(-0.2 / 0.1) - Math.Exp(-0.5 / 0.1);
        var (mean, se) = ReadYourWrites.ExpectedWindowStaleRate(t, one, 0.1, 0.2);
        Assert.Equal(p, mean, 12);
        Assert.Equal(Math.Sqrt(p * (1 - p)), se, 12);
        Assert.Equal((0.0, 0.0), ReadYourWrites.ExpectedWindowStaleRate(t, one, 0.1, 0.5));  // window covers the lag
    }
}
