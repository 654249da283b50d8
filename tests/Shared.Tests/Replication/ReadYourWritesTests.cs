using SystemDesign.Replication;

namespace SystemDesign.Tests.Replication;

public sealed class ReadYourWritesTests
{
    private static readonly ReplicationTrace Trace = ReplicationSimulator.Run(new ReplicationOptions { Duration = 20, Bursts = [new Burst(5, 1.5, 1600)], Seed = 2 });
    private static readonly IReadOnlyList<SessionRead> Sessions = ReadYourWrites.Sessions(Trace, 3000, 0.1, 1);

    [Fact]
    public void Waiting_for_the_lsn_and_remote_apply_never_read_stale()
    {
        Assert.DoesNotContain(ReadYourWrites.Evaluate(Trace, Sessions, ReadPolicy.WaitForLsn), o => o.Stale);
        Assert.DoesNotContain(ReadYourWrites.Evaluate(Trace, Sessions, ReadPolicy.SyncRemoteApply), o => o.Stale);
    }

    [Fact]
    public void An_immediate_replica_read_is_always_stale_when_the_network_takes_time()
    {
        var now = Sessions.Select(s => s with { ThinkTime = 0 }).ToArray();
        Assert.All(ReadYourWrites.Evaluate(Trace, now, ReadPolicy.Replica), o => Assert.True(o.Stale));
    }

    [Fact]
    public void The_window_strategy_is_stale_exactly_when_the_lag_exceeds_the_think_time_past_the_window()
    {
        foreach (double window in new[] { 0.0, 0.05, 0.2, 1 })
        {
            var outcomes = ReadYourWrites.Evaluate(Trace, Sessions, ReadPolicy.PrimaryWindow, window);
            for (int k = 0; k < outcomes.Count; k++)
            {
                var s = Sessions[k];
                bool expected = s.ThinkTime >= window && Trace.VisibilityLag(s.Record) > s.ThinkTime;
                Assert.Equal(expected, outcomes[k].Stale);
                Assert.Equal(s.ThinkTime < window, outcomes[k].FromPrimary);
            }
        }
    }

    [Fact]
    public void Flush_wait_costs_a_round_trip_and_still_reads_stale_while_replay_lags()
    {
        var on = ReadYourWrites.Evaluate(Trace, Sessions, ReadPolicy.SyncOn);
        var write = ReadYourWrites.Evaluate(Trace, Sessions, ReadPolicy.SyncRemoteWrite);
        Assert.All(write, o => Assert.True(o.AddedWriteLatency >= 2 * Trace.Options.NetworkDelay - 1e-12));
        Assert.All(on.Zip(write), p => Assert.True(p.First.AddedWriteLatency >= p.Second.AddedWriteLatency));
        var stale = on.Where(o => o.Stale).ToArray();
        Assert.NotEmpty(stale);
        Assert.All(stale, o => Assert.True(Trace.Flushed[o.Record] <= o.ServedAt && o.ServedAt < Trace.Replayed[o.Record]));
    }

    [Fact]
    public void The_window_stale_rate_matches_its_expectation_over_exponential_think_times()
    {
        foreach (double window in new[] { 0.0, 0.05, 0.2 })
        {
            double measured = ReadYourWrites.Evaluate(Trace, Sessions, ReadPolicy.PrimaryWindow, window).Count(o => o.Stale) / 3000.0;
            var (mean, se) = ReadYourWrites.ExpectedWindowStaleRate(Trace, Sessions, 0.1, window);
            Assert.InRange(measured - mean, -4 * se - 1e-9, 4 * se + 1e-9);
        }
        Assert.Equal("meanThinkTime", Assert.Throws<ArgumentOutOfRangeException>(() => ReadYourWrites.ExpectedWindowStaleRate(Trace, Sessions, 0, 0.1)).ParamName);
    }

    [Fact]
    public void Lag_sources_summarise_a_run_and_a_window_limited_sweep_grows_only_past_the_cap()
    {
        var row = LagSources.Summarize("link", new ReplicationOptions { LinkRate = 700, Duration = 5 });
        Assert.True(row.MaxUnsent > 10 * row.MaxSentMinusReplay);
        var sweep = LagSources.RttSweep(new ReplicationOptions { TcpWindowBytes = 65_536, WalBytesPerRecord = 500, Duration = 5 }, [20, 150]);
        Assert.True(sweep[0].UnsentAtEnd < 20 && sweep[1].UnsentAtEnd > 1000);
        Assert.Equal("oneWayMs", Assert.Throws<ArgumentOutOfRangeException>(() => LagSources.RttSweep(new ReplicationOptions(), [-1])).ParamName);
    }

    [Fact]
    public void Summaries_count_stale_reads_and_latencies()
    {
        var s = ReadYourWrites.Summarize("wait", ReadYourWrites.Evaluate(Trace, Sessions, ReadPolicy.WaitForLsn));
        Assert.Equal(3000, s.Reads);
        Assert.Equal(0, s.StaleRate);
        Assert.True(s.MeanAddedReadMs > 0 && s.P99AddedReadMs >= s.MeanAddedReadMs);
        Assert.Equal(0, s.MeanAddedWriteMs);
        Assert.Contains("remote_apply", ReadYourWrites.Describe(ReadPolicy.SyncRemoteApply));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ReadYourWrites.Sessions(Trace, 0, 0.1, 1)).ParamName);
        Assert.Equal("meanThinkTime", Assert.Throws<ArgumentOutOfRangeException>(() => ReadYourWrites.Sessions(Trace, 10, -1, 1)).ParamName);
        Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => ReadYourWrites.Evaluate(Trace, Sessions, ReadPolicy.PrimaryWindow, -1)).ParamName);
        Assert.Equal("policy", Assert.Throws<ArgumentException>(() => ReadYourWrites.Evaluate(Trace, Sessions, (ReadPolicy)99)).ParamName);
        Assert.Equal("session.Record", Assert.Throws<ArgumentOutOfRangeException>(() => ReadYourWrites.Evaluate(Trace, [new SessionRead(-1, 0)], ReadPolicy.Replica)).ParamName);
        Assert.Equal("outcomes", Assert.Throws<ArgumentException>(() => ReadYourWrites.Summarize("x", [])).ParamName);
    }
}

public sealed class SessionGuaranteesTests
{
    private static readonly ReplicationOptions Load = new() { Duration = 10, Bursts = [new Burst(3, 2, 1500)], Seed = 4 };

    [Fact]
    public void Random_routing_goes_backwards_while_pinning_and_an_lsn_floor_never_do()
    {
        var fast = ReplicationSimulator.Run(Load);
        var slow = ReplicationSimulator.Run(Load with { ReplayRate = 850 });
        var random = SessionGuarantees.MonotonicReads(fast, slow, ReplicaRouting.Random, 4000, 0.05, 1);
        Assert.True(random.Backwards > 0);
        Assert.Equal(0, random.MeanWaitMs);
        Assert.Equal(0, SessionGuarantees.MonotonicReads(fast, slow, ReplicaRouting.Pinned, 4000, 0.05, 1).Backwards);
        var floor = SessionGuarantees.MonotonicReads(fast, slow, ReplicaRouting.RandomWithLsnFloor, 4000, 0.05, 1);
        Assert.Equal(0, floor.Backwards);
        Assert.True(floor.MeanWaitMs > 0);
        // Two identical replicas never disagree, whatever the routing.
        Assert.Equal(0, SessionGuarantees.MonotonicReads(fast, fast, ReplicaRouting.Random, 2000, 0.05, 2).Backwards);
    }

    [Fact]
    public void Replicas_of_different_primaries_are_rejected()
    {
        var a = ReplicationSimulator.Run(Load);
        var b = ReplicationSimulator.Run(Load with { Seed = 5 });
        Assert.Equal("replicaB", Assert.Throws<ArgumentException>(() => SessionGuarantees.MonotonicReads(a, b, ReplicaRouting.Random, 10, 0.1, 1)).ParamName);
        Assert.Equal("gap", Assert.Throws<ArgumentOutOfRangeException>(() => SessionGuarantees.MonotonicReads(a, a, ReplicaRouting.Random, 10, -1, 1)).ParamName);
    }
}
