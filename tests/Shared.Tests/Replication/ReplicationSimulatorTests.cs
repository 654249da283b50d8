using FsCheck;
using FsCheck.Fluent;
using SystemDesign.Replication;

namespace SystemDesign.Tests.Replication;

public sealed class ReplicationSimulatorTests
{
    private static readonly ReplicationOptions Burst = new() { Duration = 20, Bursts = [new Burst(2, 3, 1500)], Seed = 3 };

    [Fact]
    public void Every_record_passes_the_stages_in_order_and_is_replayed_after_its_flush()
    {
        var o = Burst;
        var t = ReplicationSimulator.Run(o);
        Assert.InRange(t.Count, 17_000, 21_000); // 800/s × 17 s + 1500/s × 3 s ≈ 18,100
        for (int i = 0; i < t.Count; i++)
        {
            Assert.True(t.Committed[i] <= t.Sent[i]);
            Assert.Equal(o.NetworkDelay, t.Received[i] - t.Sent[i], 9);
            Assert.True(t.Received[i] + o.FsyncTime <= t.Flushed[i] + 1e-12);
            double ready = Math.Max(t.Flushed[i], i == 0 ? 0 : t.Replayed[i - 1]);
            Assert.Equal(ready + 1 / o.ReplayRate, t.Replayed[i], 9); // no conflicts: replay starts as soon as it can
            Assert.True(t.WriteLag(i) <= t.FlushLag(i) && t.FlushLag(i) <= t.ReplayLag(i));
        }
        Assert.Equal(t.Count, t.ReplayLsn(double.MaxValue));
    }

    [Fact]
    public void The_same_seed_gives_the_same_trace_and_another_seed_another()
    {
        var a = ReplicationSimulator.Run(Burst);
        var b = ReplicationSimulator.Run(Burst);
        var c = ReplicationSimulator.Run(Burst with { Seed = 4 });
        Assert.Equal(a.Replayed, b.Replayed);
        Assert.NotEqual(a.Count, c.Count);
    }

    [Fact]
    public void Under_a_burst_the_backlog_grows_at_lambda_minus_mu_and_drains_in_backlog_over_mu_minus_lambda()
    {
        var t = ReplicationSimulator.Run(Burst);
        double from = 2.5, to = 5;
        Assert.True(t.IdleAfter(from) > to, "the replica must stay busy for the slope to be λ − μ");
        double slope = (t.LagRecords(to) - t.LagRecords(from)) / (to - from);
        Assert.InRange(slope - 500, -4 * LagTheory.BacklogSlopeStdErr(1500, to - from), 4 * LagTheory.BacklogSlopeStdErr(1500, to - from));
        double staleSlope = (t.Staleness(to) - t.Staleness(from)) / (to - from);
        Assert.InRange(staleSlope - 1.0 / 3, -4 * LagTheory.StalenessSlopeStdErr(1500, 1000, 2.5), 4 * LagTheory.StalenessSlopeStdErr(1500, 1000, 2.5));
        int backlog = t.LagRecords(5);
        double drain = t.IdleAfter(5) - 5;
        Assert.InRange(drain - LagTheory.DrainTime(backlog, 800, 1000), -4 * LagTheory.DrainTimeStdDev(backlog, 800, 1000), 4 * LagTheory.DrainTimeStdDev(backlog, 800, 1000));
    }

    [Fact]
    public void Steady_state_visibility_lag_matches_the_md1_queue()
    {
        var t = ReplicationSimulator.Run(new ReplicationOptions { WriteRate = 800, FsyncTime = 0, Duration = 30, Seed = 5 });
        int first = t.FirstRecordAfter(3);
        var lags = Enumerable.Range(first, t.Count - first).Select(t.VisibilityLag).ToArray();
        double expected = LagTheory.MeanVisibilityLag(800, 1000, 0.020);
        Assert.InRange(lags.Average() - expected, -4 * LagTheory.BatchMeansStdErr(lags), 4 * LagTheory.BatchMeansStdErr(lags));
        Assert.True(lags.Min() >= 0.020 + 0.001 - 1e-12, "nothing is visible before one network delay plus one replay");
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 20.0, false)] // −1: replay waits for the whole query
    [InlineData(30.0, 20.0, false)]                    // the query ends before the 30 s grace
    [InlineData(5.0, 5.0, true)]                       // grace over: the query is cancelled
    [InlineData(0.0, 0.0, true)]                       // 0: cancelled at once
    public void A_conflicting_replica_query_blocks_replay_up_to_max_standby_streaming_delay(double maxDelay, double blocked, bool cancelled)
    {
        var t = ReplicationSimulator.Run(new ReplicationOptions { Duration = 30, Conflicts = [new ReplayConflict(5, 20)], MaxStandbyStreamingDelay = maxDelay });
        var c = Assert.Single(t.Conflicts);
        Assert.Equal(cancelled, c.Cancelled);
        Assert.InRange(c.Blocked, blocked - 0.01, blocked + 0.01); // the conflicting record arrives within milliseconds of 5 s
        Assert.InRange(t.Staleness(5 + blocked - 0.01), blocked - 0.05, blocked + 0.05);
    }

    [Fact]
    public void A_saturated_link_holds_wal_back_before_it_is_sent()
    {
        var t = ReplicationSimulator.Run(new ReplicationOptions { WriteRate = 800, LinkRate = 600, Duration = 10 });
        var s = t.Sample(10);
        Assert.InRange(s.Primary - s.Sent, 1400, 2600);   // (800 − 600)·10 ± Poisson noise
        Assert.InRange(s.Sent - s.Replay, 0, 60);         // in flight plus one batch: small
    }

    [Fact]
    public void Positions_staleness_and_idle_time_follow_the_records()
    {
        var t = ReplicationSimulator.Run(new ReplicationOptions { WriteRate = 10, Duration = 2, Seed = 9 });
        int i = 5;
        Assert.Equal(i, t.PrimaryLsn(Math.BitDecrement(t.Committed[i])));
        Assert.Equal(ReplicationTrace.Lsn(i), t.PrimaryLsn(t.Committed[i]));
        Assert.False(t.ReplicaSees(i, t.Committed[i]));
        Assert.True(t.ReplicaSees(i, t.Replayed[i]));
        Assert.Equal(0, t.Staleness(100));
        Assert.True(t.Staleness(t.Committed[i] + 0.0001) >= 0.0001 - 1e-12);
        Assert.Equal(t.Replayed[i], t.IdleAfter(t.Flushed[i]), 9); // at 10 writes/s each record is replayed alone
        Assert.Equal(100, t.IdleAfter(100)); // everything replayed: idle at once
        Assert.Equal(i, t.FirstRecordAfter(t.Committed[i]));
        Assert.Equal(11, t.Samples(0, 1, 0.1).Count);
    }

    [Fact]
    public void Sampling_to_the_last_replay_ends_exactly_there_and_sees_every_record_replayed()
    {
        // end/300·300 is not always end in floating point: the last sample must still be taken at `to`.
        for (int seed = 1; seed <= 20; seed++)
        {
            var t = ReplicationSimulator.Run(new ReplicationOptions { Duration = 3, Seed = seed });
            double end = t.Replayed[^1];
            var last = t.Samples(0, end, end / 300)[^1];
            Assert.Equal(end, last.Time);
            Assert.Equal(0, last.LagRecords);
        }
    }

    [Fact]
    public void Bad_options_are_rejected_with_the_parameter_named()
    {
        Assert.Equal("WriteRate", Assert.Throws<ArgumentOutOfRangeException>(() => ReplicationSimulator.Run(new ReplicationOptions { WriteRate = -1 })).ParamName);
        Assert.Equal("ReplayRate", Assert.Throws<ArgumentOutOfRangeException>(() => ReplicationSimulator.Run(new ReplicationOptions { ReplayRate = 0 })).ParamName);
        Assert.Equal("NetworkDelay", Assert.Throws<ArgumentOutOfRangeException>(() => ReplicationSimulator.Run(new ReplicationOptions { NetworkDelay = double.NaN })).ParamName);
        Assert.Equal("LinkRate", Assert.Throws<ArgumentException>(() => ReplicationSimulator.Run(new ReplicationOptions { LinkRate = 0 })).ParamName);
        Assert.Equal("MaxStandbyStreamingDelay", Assert.Throws<ArgumentException>(() => ReplicationSimulator.Run(new ReplicationOptions { MaxStandbyStreamingDelay = -1 })).ParamName);
        Assert.Equal("Bursts", Assert.Throws<ArgumentException>(() => ReplicationSimulator.Run(new ReplicationOptions { Bursts = [new Burst(1, 2, 5), new Burst(2, 2, 5)] })).ParamName);
        Assert.Equal("Burst.Duration", Assert.Throws<ArgumentOutOfRangeException>(() => ReplicationSimulator.Run(new ReplicationOptions { Duration = 5, Bursts = [new Burst(4, 2, 5)] })).ParamName);
        Assert.Equal("WriteRate", Assert.Throws<ArgumentException>(() => ReplicationSimulator.Run(new ReplicationOptions { WriteRate = 1e6, Duration = 100 })).ParamName);
        Assert.Throws<ArgumentNullException>(() => ReplicationSimulator.Run(null!));
        var t = ReplicationSimulator.Run(new ReplicationOptions { Duration = 1 });
        Assert.Equal("record", Assert.Throws<ArgumentOutOfRangeException>(() => t.WriteLag(t.Count)).ParamName);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => t.Samples(0, 1, 0)).ParamName);
        Assert.Equal("to", Assert.Throws<ArgumentException>(() => t.Samples(2, 1, 0.1)).ParamName);
    }

    [Fact]
    public void Stages_stay_ordered_for_any_rates_delays_and_conflicts()
    {
        var gen = from write in Gen.Choose(1, 400)
                  from replay in Gen.Choose(1, 400)
                  from delayMs in Gen.Choose(0, 200)
                  from fsyncMs in Gen.Choose(0, 20)
                  from link in Gen.Choose(0, 400)
                  from conflictAt in Gen.Choose(0, 3)
                  from graceS in Gen.Choose(0, 3)
                  from seed in Gen.Choose(1, 1000)
                  select new ReplicationOptions
                  {
                      WriteRate = write, ReplayRate = replay, NetworkDelay = delayMs / 1000.0, FsyncTime = fsyncMs / 1000.0,
                      LinkRate = link == 0 ? double.PositiveInfinity : link, Duration = 3, Seed = seed,
                      Conflicts = [new ReplayConflict(conflictAt, 1)], MaxStandbyStreamingDelay = graceS,
                  };
        Prop.ForAll(gen.ToArbitrary(), o =>
        {
            var t = ReplicationSimulator.Run(o);
            for (int i = 0; i < t.Count; i++)
            {
                if (!(t.Committed[i] <= t.Sent[i] && t.Sent[i] <= t.Received[i] && t.Received[i] <= t.Flushed[i] && t.Flushed[i] < t.Replayed[i])) return false;
                if (i > 0 && t.Replayed[i] < t.Replayed[i - 1] + 1 / o.ReplayRate - 1e-9) return false;
            }
            return t.Conflicts.All(c => c.Blocked <= Math.Max(0, o.MaxStandbyStreamingDelay) + 1e-9);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(0.050)] // RTT 100 ms: cap 1,311 records/s > 800, the stream keeps up
    [InlineData(0.120)] // RTT 240 ms: cap 546 records/s < 800, unsent WAL grows
    public void A_window_limited_stream_carries_one_window_per_round_trip(double oneWay)
    {
        var o = new ReplicationOptions { WriteRate = 800, NetworkDelay = oneWay, TcpWindowBytes = 65_536, WalBytesPerRecord = 500, Duration = 10, Seed = 7 };
        var t = ReplicationSimulator.Run(o);
        double slope = LagTheory.WindowBacklogSlope(800, 65_536, 2 * oneWay, 500);
        int unsent = t.PrimaryLsn(10) - t.SentLsn(10);
        double sigma = Math.Sqrt(800 * 10.0); // Poisson arrivals over 10 s
        if (slope == 0)
            Assert.InRange(unsent, 0, 30);    // below the cap only the records of the current send are queued
        else
            Assert.InRange(unsent - slope * 10, -4 * sigma, 4 * sigma);
        // Consecutive sends are never closer than one record's share of the window per round trip.
        double gap = 1 / LagTheory.WindowCapRecords(65_536, 2 * oneWay, 500);
        for (int i = 1; i < t.Count; i++) Assert.True(t.Sent[i] - t.Sent[i - 1] >= gap - 1e-12);
    }

    [Fact]
    public void Without_a_window_cap_a_longer_delay_only_shifts_every_arrival()
    {
        var near = ReplicationSimulator.Run(new ReplicationOptions { Duration = 5, Seed = 8 });
        var far = ReplicationSimulator.Run(new ReplicationOptions { Duration = 5, Seed = 8, NetworkDelay = 0.1 });
        Assert.Equal(near.Count, far.Count);
        for (int i = 0; i < near.Count; i++) Assert.Equal(near.Replayed[i] + 0.08, far.Replayed[i], 9);
    }

    [Fact]
    public void A_delay_spike_delays_the_records_sent_during_it_and_those_queued_behind_them()
    {
        var o = new ReplicationOptions { Duration = 10, Seed = 9, DelaySpikes = [new DelaySpike(5, 0.5, 0.2)] };
        var t = ReplicationSimulator.Run(o);
        for (int i = 1; i < t.Count; i++) Assert.True(t.Received[i] >= t.Received[i - 1]); // in order
        int inSpike = t.FirstRecordAfter(5.1), after = t.FirstRecordAfter(5.5);
        Assert.Equal(o.NetworkDelay + 0.2, t.Received[inSpike] - t.Sent[inSpike], 9);
        // The first record after the spike cannot overtake the last delayed one (head-of-line blocking).
        Assert.True(t.Received[after] - t.Sent[after] > o.NetworkDelay + 0.15);
        int late = t.FirstRecordAfter(7);
        Assert.Equal(o.NetworkDelay, t.Received[late] - t.Sent[late], 9);
    }

    [Fact]
    public void A_spike_on_a_window_limited_stream_leaves_a_backlog_behind_it()
    {
        var spike = new DelaySpike(5, 1, 0.2);
        var o = new ReplicationOptions { Duration = 10, Seed = 10, TcpWindowBytes = 65_536, WalBytesPerRecord = 500, DelaySpikes = [spike] };
        var t = ReplicationSimulator.Run(o);
        double cap = o.LinkCapacityAt(5.5);
        Assert.Equal(65_536 / (2 * 0.22 * 500), cap, 9);
        int unsent = t.PrimaryLsn(6) - t.SentLsn(6);
        Assert.InRange(unsent - (800 - cap) * 1, -4 * Math.Sqrt(800), 4 * Math.Sqrt(800));
    }

    [Fact]
    public void Jitter_adds_its_mean_at_least_and_keeps_delivery_in_order()
    {
        var plain = ReplicationSimulator.Run(new ReplicationOptions { Duration = 5, Seed = 11 });
        var jittery = ReplicationSimulator.Run(new ReplicationOptions { Duration = 5, Seed = 11, Jitter = 0.01 });
        Assert.Equal(plain.Committed, jittery.Committed); // jitter has its own random stream
        double extra = Enumerable.Range(0, plain.Count).Average(i => (jittery.Received[i] - jittery.Sent[i]) - (plain.Received[i] - plain.Sent[i]));
        Assert.True(extra >= 0.01 * 0.9, $"in-order delivery makes the mean extra delay at least the jitter mean; got {extra}");
        for (int i = 1; i < jittery.Count; i++) Assert.True(jittery.Received[i] >= jittery.Received[i - 1]);
    }

    [Fact]
    public void Bad_network_options_are_rejected_with_the_parameter_named()
    {
        Assert.Equal("TcpWindowBytes", Assert.Throws<ArgumentException>(() => ReplicationSimulator.Run(new ReplicationOptions { TcpWindowBytes = 0 })).ParamName);
        Assert.Equal("WalBytesPerRecord", Assert.Throws<ArgumentOutOfRangeException>(() => ReplicationSimulator.Run(new ReplicationOptions { WalBytesPerRecord = 0 })).ParamName);
        Assert.Equal("Jitter", Assert.Throws<ArgumentOutOfRangeException>(() => ReplicationSimulator.Run(new ReplicationOptions { Jitter = -1 })).ParamName);
        Assert.Equal("DelaySpikes", Assert.Throws<ArgumentException>(() => ReplicationSimulator.Run(new ReplicationOptions { DelaySpikes = [new DelaySpike(1, 2, 0.1), new DelaySpike(2, 1, 0.1)] })).ParamName);
        Assert.Equal("roundTrip", Assert.Throws<ArgumentOutOfRangeException>(() => LagTheory.SyncCommitSessionRate(0)).ParamName);
        Assert.Equal("writeRate", Assert.Throws<ArgumentException>(() => LagTheory.RelaxationTime(1000, 1000)).ParamName);
    }

    [Fact]
    public void In_order_delivery_turns_jitter_into_its_tail_as_the_formula_says()
    {
        Assert.Equal(0.005 * (1 + 0.0), LagTheory.InOrderJitterMean(1e-9, 0.005), 6); // alone: the mean
        var t = ReplicationSimulator.Run(new ReplicationOptions { Duration = 20, Seed = 12, Jitter = 0.01 });
        var extra = Enumerable.Range(t.FirstRecordAfter(1), t.Count - t.FirstRecordAfter(1))
            .Select(i => t.Received[i] - t.Sent[i] - t.Options.NetworkDelay).ToArray();
        double expected = LagTheory.InOrderJitterMean(800, 0.01);
        Assert.InRange(expected, 0.01 * (Math.Log(8) + 0.4), 0.01 * (Math.Log(8) + 0.8));
        Assert.InRange(extra.Average() - expected, -4 * LagTheory.BatchMeansStdErr(extra), 4 * LagTheory.BatchMeansStdErr(extra));
    }
}
