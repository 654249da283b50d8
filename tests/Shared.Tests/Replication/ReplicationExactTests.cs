using SystemDesign.Replication;

namespace SystemDesign.Tests.Replication;

/// <summary>
/// Exact checks of the simulator and its summaries against independent recomputations: a reference model of
/// the link, the receiver's fsync batches and the replay process; every field of the lag-source rows from the
/// trace they summarise; monotonic reads on hand-made traces whose outcome follows from the seed's draws.
/// </summary>
public sealed class ReplicationExactTests
{
    private const double Eps = 1e-9;

    /// <summary>
    /// The stages of a run without conflicts, recomputed record by record: the link serialises records at its
    /// capacity, TCP delivers in order (a record never arrives before its predecessor), the receiver fsyncs
    /// the records that arrived before a flush starts (a new flush starts at an arrival when idle, or when the
    /// previous flush ends if records wait), and replay takes 1/μ per record once flushed.
    /// </summary>
    private static (double[] Sent, double[] Received, double[] Flushed, double[] Replayed) Reference(
        ReplicationOptions o, IReadOnlyList<double> committed)
    {
        int n = committed.Count;
        var sent = new double[n];
        var received = new double[n];
        var flushed = new double[n];
        var replayed = new double[n];
        var jitter = new Random(unchecked(o.Seed * 31 + 7));
        double linkFree = 0, lastArrival = 0;
        for (int i = 0; i < n; i++)
        {
            double start = Math.Max(committed[i], linkFree), cap = o.LinkCapacityAt(start);
            linkFree = start + (double.IsPositiveInfinity(cap) ? 0 : 1 / cap);
            sent[i] = linkFree;
            double x = o.Jitter > 0 ? -Math.Log(1 - jitter.NextDouble()) / (1 / o.Jitter) : 0;
            lastArrival = Math.Max(lastArrival, sent[i] + o.NetworkDelay + o.SpikeAt(sent[i]) + x);
            received[i] = lastArrival;
        }
        double end = double.NegativeInfinity;
        for (int k = 0; k < n;)
        {
            double s = received[k] < end ? end : received[k];
            end = s + o.FsyncTime;
            int m = k + 1;
            while (m < n && received[m] < s) m++;
            for (int j = k; j < m; j++) flushed[j] = end;
            k = m;
        }
        for (int i = 0; i < n; i++)
            replayed[i] = Math.Max(flushed[i], i == 0 ? 0 : replayed[i - 1]) + 1 / o.ReplayRate;
        return (sent, received, flushed, replayed);
    }

    /// <summary>Poisson commits drawn segment by segment between the run's start, end and burst edges.</summary>
    private static List<double> Commits(ReplicationOptions o)
    {
        var rng = new Random(o.Seed);
        var cuts = o.Bursts.SelectMany(b => new[] { b.Start, b.End }).Append(0).Append(o.Duration).Distinct().Order()
            .ToArray();
        var times = new List<double>();
        for (int s = 0; s + 1 < cuts.Length; s++)
        {
            double rate = o.RateAt(cuts[s]);
            if (rate == 0) continue;                                            // no draw for a silent period
            for (double t = cuts[s] - Math.Log(1 - rng.NextDouble()) / rate; t < cuts[s + 1];
                 t += -Math.Log(1 - rng.NextDouble()) / rate)
                times.Add(t);
        }
        return times;
    }

    public static TheoryData<string> Scenarios => new() { "base", "link", "jitter", "window", "burst", "slowfsync" };

    private static ReplicationOptions Scenario(string name) => name switch
    {
        "base" => new() { WriteRate = 300, Duration = 2, Seed = 3 },
        "link" => new() { WriteRate = 300, LinkRate = 250, Duration = 2, Seed = 4 },
        "jitter" => new() { WriteRate = 300, Jitter = 0.01, Duration = 2, Seed = 5 },
        "window" => new()
        {
            WriteRate = 300, TcpWindowBytes = 20_000, WalBytesPerRecord = 500, NetworkDelay = 0.03,
            DelaySpikes = [new DelaySpike(1, 0.5, 0.05)], Duration = 2, Seed = 6,
        },
        "burst" => new() { WriteRate = 200, Bursts = [new Burst(0.5, 0.5, 1500)], Duration = 2, Seed = 7 },
        _ => new() { WriteRate = 300, FsyncTime = 0.02, ReplayRate = 400, Duration = 2, Seed = 8 },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_stage_of_every_record_matches_the_reference_model(string name)
    {
        var o = Scenario(name);
        var t = ReplicationSimulator.Run(o);
        Assert.InRange(t.Count, 300, 2000);
        Assert.All(t.Committed.Zip(t.Committed.Skip(1)), p => Assert.True(p.First < p.Second));
        Assert.Equal(Commits(o), t.Committed);
        var (sent, received, flushed, replayed) = Reference(o, t.Committed);
        for (int i = 0; i < t.Count; i++)
        {
            Assert.Equal(sent[i], t.Sent[i], Eps);
            Assert.Equal(received[i], t.Received[i], Eps);
            Assert.Equal(flushed[i], t.Flushed[i], Eps);
            Assert.Equal(replayed[i], t.Replayed[i], Eps);
        }
        Assert.Empty(t.Conflicts);
        Assert.Same(o, t.Options);
    }

    [Fact]
    public void Commits_follow_the_rate_of_each_period_and_none_happen_in_a_zero_rate_burst()
    {
        var o = new ReplicationOptions
        {
            WriteRate = 1000, Duration = 3, Bursts = [new Burst(1, 1, 0)], Seed = 2,
        };
        var t = ReplicationSimulator.Run(o);
        Assert.DoesNotContain(t.Committed, c => c >= 1 && c < 2);
        Assert.Equal(Commits(o), t.Committed);
        Assert.InRange(t.PrimaryLsn(1), 900, 1100);
        Assert.InRange(t.PrimaryLsn(3) - t.PrimaryLsn(2), 900, 1100);
        // A quiet base rate with a busy burst: commits only inside the burst, at its rate.
        var quiet = ReplicationSimulator.Run(new ReplicationOptions
        {
            WriteRate = 0, Duration = 3, Bursts = [new Burst(1, 1, 1000)], Seed = 2,
        });
        Assert.All(quiet.Committed, c => Assert.InRange(c, 1, 2));
        Assert.Equal(Commits(quiet.Options), quiet.Committed);
        Assert.InRange(quiet.Count, 900, 1100);
        // The first commit comes one exponential gap after 0, drawn from the seed's first number.
        var one = ReplicationSimulator.Run(new ReplicationOptions { WriteRate = 10, Duration = 5, Seed = 9 });
        Assert.Equal(-Math.Log(1 - new Random(9).NextDouble()) / 10, one.Committed[0], 12);
    }

    [Fact]
    public void A_conflict_blocks_the_first_record_replay_reaches_after_it_started()
    {
        var o = new ReplicationOptions { WriteRate = 50, Duration = 4, Seed = 3 };
        foreach (var (maxDelay, query) in new[] { (double.PositiveInfinity, 1.0), (0.3, 1.0), (5, 0.5) })
        {
            var t = ReplicationSimulator.Run(o with
            {
                MaxStandbyStreamingDelay = maxDelay, Conflicts = [new ReplayConflict(2, query)],
            });
            var c = Assert.Single(t.Conflicts);
            int r = c.Record;
            Assert.Equal(new ReplayConflict(2, query), c.Conflict);
            // Replay reached record r after the query started, and record r − 1 before it.
            double from = Math.Max(t.Flushed[r], t.Replayed[r - 1]);
            Assert.Equal(from, c.BlockedFrom, Eps);
            Assert.True(from >= 2 && t.Replayed[r - 1] - 1 / o.ReplayRate < 2);
            double deadline = t.Received[r] + maxDelay;
            double until = Math.Max(from, Math.Min(2 + query, deadline));
            Assert.Equal(until, c.BlockedUntil, Eps);
            Assert.Equal(until - from, c.Blocked, Eps);
            Assert.Equal(deadline < 2 + query, c.Cancelled);
            Assert.Equal(until + 1 / o.ReplayRate, t.Replayed[r], Eps);
        }
    }

    [Fact]
    public void Conflicts_are_taken_in_start_order_and_one_over_before_replay_reaches_it_blocks_nothing()
    {
        var o = new ReplicationOptions
        {
            WriteRate = 50, Duration = 4, Seed = 3,
            Conflicts = [new ReplayConflict(3, 0.5), new ReplayConflict(1, 0)],
        };
        var t = ReplicationSimulator.Run(o);
        Assert.Equal(2, t.Conflicts.Count);
        var (early, late) = (t.Conflicts[0], t.Conflicts[1]);
        Assert.Equal(1, early.Conflict.Start);
        Assert.Equal(3, late.Conflict.Start);
        Assert.True(early.Record < late.Record);
        // A zero-length query has ended when replay reaches it: no wait, nothing cancelled.
        Assert.Equal(0, early.Blocked);
        Assert.False(early.Cancelled);
        Assert.Equal(early.BlockedFrom + 1 / o.ReplayRate, t.Replayed[early.Record], Eps);
        Assert.Equal(3.5, late.BlockedUntil, Eps);
        Assert.False(late.Cancelled);
        Assert.Equal(3.5 + 1 / o.ReplayRate, t.Replayed[late.Record], Eps);
        // A replica already further behind than the grace cancels at once and replays on.
        var behind = ReplicationSimulator.Run(o with
        {
            ReplayRate = 40, MaxStandbyStreamingDelay = 0.001, Conflicts = [new ReplayConflict(3.9, 10)],
        });
        var c = Assert.Single(behind.Conflicts);
        Assert.True(c.Cancelled);
        Assert.Equal(0, c.Blocked);
        Assert.Equal(c.BlockedFrom + 1.0 / 40, behind.Replayed[c.Record], Eps);
    }

    [Fact]
    public void A_lag_source_row_is_the_trace_summarised_every_10_ms()
    {
        var o = new ReplicationOptions
        {
            WriteRate = 200, LinkRate = 150, Duration = 2, Seed = 4, Conflicts = [new ReplayConflict(1, 0.4)],
            MaxStandbyStreamingDelay = 0.25,
        };
        var row = LagSources.Summarize("mixed", o);
        var t = ReplicationSimulator.Run(o);
        var ss = t.Samples(0, t.Replayed[^1], 0.01);
        Assert.Equal("mixed", row.Scenario);
        Assert.Equal(Enumerable.Range(0, t.Count).Average(t.VisibilityLag) * 1000, row.MeanVisibleMs, Eps);
        Assert.Equal(ss.Max(s => s.Staleness), row.MaxStalenessS);
        Assert.Equal(ss.Max(s => s.LagRecords), row.MaxBacklog);
        Assert.Equal(ss.Max(s => s.Primary - s.Sent), row.MaxUnsent);
        Assert.Equal(ss.Max(s => s.Sent - s.Replay), row.MaxSentMinusReplay);
        Assert.True(row.MaxUnsent > row.MaxSentMinusReplay && row.MaxSentMinusReplay > 0);
        var c = Assert.Single(t.Conflicts);
        Assert.Equal(c.Blocked, row.ReplayBlockedS);
        Assert.True(c.Blocked > 0);
        Assert.Equal(c.Cancelled, row.QueryCancelled);
        Assert.True(row.QueryCancelled);

        var plain = LagSources.Summarize("plain", o with { Conflicts = [], LinkRate = double.PositiveInfinity });
        Assert.Equal((0.0, false), (plain.ReplayBlockedS, plain.QueryCancelled));
        Assert.Equal(0, plain.MaxUnsent);
        Assert.True(plain.MaxStalenessS > 0.02 && plain.MeanVisibleMs > 21);
    }

    [Fact]
    public void A_round_trip_sweep_reports_each_delay_with_its_lag_and_the_wal_unsent_at_the_end()
    {
        var o = new ReplicationOptions
        {
            WriteRate = 400, TcpWindowBytes = 20_000, WalBytesPerRecord = 500, Duration = 1, Seed = 2,
        };
        double[] delays = [10, 80];
        var sweep = LagSources.RttSweep(o, delays);
        Assert.Equal(2, sweep.Count);
        for (int k = 0; k < 2; k++)
        {
            var t = ReplicationSimulator.Run(o with { NetworkDelay = delays[k] / 1000 });
            Assert.Equal(delays[k], sweep[k].OneWayMs);
            Assert.Equal(Enumerable.Range(0, t.Count).Average(t.VisibilityLag) * 1000, sweep[k].MeanVisibleMs, Eps);
            Assert.Equal(t.PrimaryLsn(1) - t.SentLsn(1), sweep[k].UnsentAtEnd);
            Assert.Equal(t.Staleness(1), sweep[k].StalenessAtEndS, Eps);
        }
        // 20 kB per 160 ms of 500 B records is 250 records/s, under the 400 written: WAL waits to be sent.
        Assert.True(sweep[1].UnsentAtEnd > 50 && sweep[0].UnsentAtEnd < 10);
        Assert.True(sweep[1].MeanVisibleMs > sweep[0].MeanVisibleMs);
        Assert.True(sweep[1].StalenessAtEndS > sweep[0].StalenessAtEndS);
        Assert.Equal(80, LagSources.RttSweep(o, [80.0])[0].OneWayMs);
        Assert.Equal(60_000, LagSources.RttSweep(o with { WriteRate = 50 }, [60_000.0])[0].OneWayMs);
        Assert.Equal(0, LagSources.RttSweep(o, [0.0])[0].OneWayMs);
    }

    [Fact]
    public void A_steady_state_row_summarises_the_lags_after_the_warm_up()
    {
        var r = LagSources.SteadyState(0.5, 200, 0.01, seed: 3, warmUp: 1, batches: 4, batchSeconds: 2);
        var t = ReplicationSimulator.Run(new ReplicationOptions
        {
            WriteRate = 100, ReplayRate = 200, NetworkDelay = 0.01, FsyncTime = 0, Duration = 9, Seed = 3,
        });
        int first = t.FirstRecordAfter(1);
        Assert.True(t.Committed[first] >= 1 && t.Committed[first - 1] < 1);
        var lags = Enumerable.Range(first, t.Count - first).Select(t.VisibilityLag).ToArray();
        Assert.Equal(0.5, r.Rho);
        Assert.Equal(lags.Average() * 1000, r.MeanMs, Eps);
        Assert.Equal(LagTheory.BatchMeansStdErr(lags, 4) * 1000, r.StdErrMs, Eps);
        Assert.Equal((0.01 + 0.5 / (2 * 200 * 0.5) + 1.0 / 200) * 1000, r.TheoryMs, Eps);   // d + M/D/1 wait + 1/μ
        Assert.Equal(SystemDesign.Notebook.Stats.Percentile(lags, 0.99) * 1000, r.P99Ms, Eps);
        Assert.Equal(lags.Min() * 1000, r.MinMs, Eps);
        Assert.Equal(15, r.MinMs, 6);                                           // d + 1/μ: some record waits for none
        Assert.Equal(1 / (200 * Math.Pow(1 - Math.Sqrt(0.5), 2)), r.RelaxationS, Eps);
        Assert.Equal(2, r.BatchS);
        // The bounds themselves are accepted.
        Assert.Equal(0.01, LagSources.SteadyState(0.01, 1000, 0, 1, warmUp: 0, batches: 2, batchSeconds: 5).Rho);
        Assert.Equal(0.999, LagSources.SteadyState(0.999, 1000, 0, 1, warmUp: 0, batches: 2, batchSeconds: 0.5).Rho);
        // No batches is refused up front (without the guard the run would end at its warm-up, with no lags).
        GuardAssert.OutOfRange("batches", () => LagSources.SteadyState(0.5, 200, 0.01, 1, batches: 0));
    }

    [Fact]
    public void Sessions_draw_records_and_think_times_from_the_seed_and_come_sorted_by_record()
    {
        var t = ReplicationSimulator.Run(new ReplicationOptions { WriteRate = 100, Duration = 1, Seed = 2 });
        var s = ReadYourWrites.Sessions(t, 50, 0.2, 7);
        var rng = new Random(7);
        var expected = Enumerable.Range(0, 50)
            .Select(_ => new SessionRead(rng.Next(t.Count), -Math.Log(1 - rng.NextDouble()) / (1 / 0.2)))
            .OrderBy(x => x.Record).ToArray();
        Assert.Equal(50, s.Count);
        for (int k = 0; k < 50; k++)
        {
            Assert.Equal(expected[k].Record, s[k].Record);
            Assert.Equal(expected[k].ThinkTime, s[k].ThinkTime, 12);
        }
        var instant = ReadYourWrites.Sessions(t, 50, 0, 7);
        Assert.All(instant, x => Assert.Equal(0, x.ThinkTime));
        var rng0 = new Random(7);                                               // no think-time draws
        Assert.Equal(Enumerable.Range(0, 50).Select(_ => rng0.Next(t.Count)).Order(), instant.Select(x => x.Record));
        Assert.Single(ReadYourWrites.Sessions(t, 1, 3600, 1));
    }

    [Fact]
    public void The_window_stale_rate_expectation_averages_each_sessions_probability()
    {
        var t = new ReplicationTrace(new ReplicationOptions { NetworkDelay = 0.1 },
            [1.0, 2.0], [1.0, 2.0], [1.2, 2.2], [1.3, 2.3], [1.5, 2.8], []);      // lags 0.5 and 0.8
        SessionRead[] both = [new(0, 0), new(1, 0)];
        double p0 = Math.Exp(-0.2 / 0.1) - Math.Exp(-0.5 / 0.1), p1 = Math.Exp(-0.2 / 0.1) - Math.Exp(-0.8 / 0.1);
        var (mean, se) = ReadYourWrites.ExpectedWindowStaleRate(t, both, 0.1, 0.2);
        Assert.Equal((p0 + p1) / 2, mean, 12);
        Assert.Equal(Math.Sqrt(p0 * (1 - p0) + p1 * (1 - p1)) / 2, se, 12);
        // A window equal to one lag: that session can no longer read stale.
        var (atLag, _) = ReadYourWrites.ExpectedWindowStaleRate(t, both, 0.1, 0.5);
        Assert.Equal((Math.Exp(-0.5 / 0.1) - Math.Exp(-0.8 / 0.1)) / 2, atLag, 12);
    }

    // One record committed at 0; replica A replays it at once, replica B only at 10 s. Reads fall in [0, 2).
    private static (ReplicationTrace A, ReplicationTrace B) FastAndSlow()
    {
        var o = new ReplicationOptions { Duration = 2 };
        return (new ReplicationTrace(o, [0.0], [0.0], [0.0], [0.0], [0.0], []),
            new ReplicationTrace(o, [0.0], [0.0], [0.0], [0.0], [10.0], []));
    }

    [Theory]
    [InlineData(ReplicaRouting.Random)]
    [InlineData(ReplicaRouting.Pinned)]
    [InlineData(ReplicaRouting.RandomWithLsnFloor)]
    public void Monotonic_reads_go_backwards_exactly_when_a_read_of_a_then_b_is_not_held_back(ReplicaRouting routing)
    {
        var (a, b) = FastAndSlow();
        const double gap = 0.5;
        var r = SessionGuarantees.MonotonicReads(a, b, routing, 400, gap, 5);
        // The same draws as the method: read time, first replica, second replica (unless pinned).
        var rng = new Random(5);
        int aThenB = 0;
        double waited = 0;
        for (int k = 0; k < 400; k++)
        {
            double t2 = rng.NextDouble() * 2 + gap;
            int first = rng.Next(2), second = routing == ReplicaRouting.Pinned ? first : rng.Next(2);
            if (first != 0 || second != 1) continue;
            aThenB++;
            waited += 10 - t2;
        }
        Assert.InRange(aThenB, routing == ReplicaRouting.Pinned ? 0 : 60, routing == ReplicaRouting.Pinned ? 0 : 140);
        Assert.Equal(routing, r.Routing);
        Assert.Equal(400, r.Sessions);
        Assert.Equal(routing == ReplicaRouting.Random ? aThenB : 0, r.Backwards);
        Assert.Equal((double)r.Backwards / 400, r.BackwardsRate, 12);
        Assert.Equal(routing == ReplicaRouting.RandomWithLsnFloor ? waited / 400 * 1000 : 0, r.MeanWaitMs, 6);
    }

    [Fact]
    public void Monotonic_reads_accept_a_zero_gap_and_replicas_of_one_run()
    {
        var (a, b) = FastAndSlow();
        Assert.Equal(0, SessionGuarantees.MonotonicReads(a, a, ReplicaRouting.Random, 1_000, 0, 1).Backwards);
        Assert.Equal(1, SessionGuarantees.MonotonicReads(a, b, ReplicaRouting.Pinned, 1, 3600, 1).Sessions);
        // Same count, different last commit: not the same run.
        var other = new ReplicationTrace(a.Options, [0.5], [0.5], [0.5], [0.5], [0.5], []);
        Assert.Equal("replicaB", Assert.Throws<ArgumentException>(
            () => SessionGuarantees.MonotonicReads(a, other, ReplicaRouting.Random, 1, 0, 1)).ParamName);
    }

    [Fact]
    public void The_record_budget_counts_each_burst_at_its_own_rate()
    {
        // 600,000/s for 10 s is 6,000,000 records, but a silent burst of 9.99 s leaves 6,000.
        var quiet = new ReplicationOptions
        {
            WriteRate = 600_000, Duration = 10, Bursts = [new Burst(0, 9.99, 0)], ReplayRate = 1e7,
        };
        Assert.InRange(ReplicationSimulator.Run(quiet).Count, 5_500, 6_500);
        var loud = new ReplicationOptions { WriteRate = 0, Duration = 10, Bursts = [new Burst(0, 10, 600_000)] };
        Assert.Equal("WriteRate", Assert.Throws<ArgumentException>(() => ReplicationSimulator.Run(loud)).ParamName);
    }

    [Fact]
    public void Replay_goes_idle_only_when_the_next_record_was_flushed_after_the_last_replay()
    {
        // Record 1 is flushed exactly when record 0's replay ends: replay runs on without a gap.
        var t = new ReplicationTrace(new ReplicationOptions(), [1.0, 1.2], [1.0, 1.2], [1.1, 1.3], [1.3, 1.5],
            [1.5, 1.6], []);
        Assert.Equal(1.6, t.IdleAfter(1.4));
        Assert.Equal(1.6, t.IdleAfter(1.3));                                    // flushed at t: not idle yet
        Assert.Equal(1.0, t.IdleAfter(1.0));
        Assert.Equal(1.6, t.IdleAfter(1.6));
        Assert.Equal(0, t.IdleAfter(0));
        var gap = new ReplicationTrace(new ReplicationOptions(), [1.0, 1.2, 1.4], [1.0, 1.2, 1.4], [1.1, 1.3, 1.5],
            [1.3, 1.5, 1.7], [1.5, 1.6, 1.8], []);
        Assert.Equal(1.6, gap.IdleAfter(1.4));                                  // record 2 flushed after 1.6
        Assert.Equal(1.8, gap.IdleAfter(1.7));
        Assert.Equal(3, gap.Count);
        Assert.Equal(new[] { 1.1, 1.3, 1.5 }, gap.Received);
        Assert.Equal(0.2, gap.Staleness(1.2), 12);                              // record 0, committed at 1.0
        Assert.Equal(0, gap.Staleness(0.5));
    }

    [Fact]
    public void In_order_jitter_integrates_to_the_exponential_integral_closed_form()
    {
        // ∫₀¹ (1 − (1 − u)·e^(−au))/u du = Ein(a) + (1 − e^(−a))/a, Ein(a) = Σ (−1)^(k+1) a^k / (k·k!).
        foreach (var (rate, mean) in new[] { (800.0, 0.01), (100.0, 0.002), (3.0, 1.0) })
        {
            double a = rate * mean, ein = 0, term = 1;
            for (int k = 1; k < 80; k++)
            {
                term *= a / k;                                                  // a^k / k!
                ein += (k % 2 == 1 ? 1 : -1) * term / k;
            }
            Assert.Equal(mean * (ein + (1 - Math.Exp(-a)) / a), LagTheory.InOrderJitterMean(rate, mean), 10);
        }
    }

    [Fact]
    public void Samples_step_from_the_start_and_snap_only_a_last_sample_within_rounding_of_the_end()
    {
        var t = new ReplicationTrace(new ReplicationOptions(), [1.0], [1.0], [1.1], [1.2], [1.3], []);
        // 1 / 0.3 is not whole: the last sample stays at 0.9.
        Assert.Equal(new[] { 0, 0.3, 0.6, 0.9 }, t.Samples(0, 1, 0.3).Select(s => s.Time).ToArray(),
            new ToleranceComparer());
        // 0.3 / 0.1 is 2.9999999999999996 in floating point: still four samples, the last exactly at 0.3.
        var fine = t.Samples(0, 0.3, 0.1);
        Assert.Equal(4, fine.Count);
        Assert.Equal(0.3, fine[^1].Time);
        Assert.Equal(0.2, fine[2].Time, 12);
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;
        public int GetHashCode(double x) => 0;
    }
}
