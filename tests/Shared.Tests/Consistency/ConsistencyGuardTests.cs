using System.Runtime.CompilerServices;
using Npgsql;
using StackExchange.Redis;
using SystemDesign.Consistency;
using SystemDesign.Fencing;
using SystemDesign.RealSystems;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Consistency;

/// <summary>
/// Every argument guard of the Consistency area's public entries: the exception type and the parameter it names
/// (the caller's expression, e.g. <c>Replicas</c> for <c>nameof(o.Replicas)</c>), one step outside each bound, and
/// the bound itself accepted where it is computed from another argument. Entries that need etcd, Redis or
/// PostgreSQL are given clients that were never connected: their guards run before the first call.
/// </summary>
public sealed class ConsistencyGuardTests
{
    private static readonly Random Rng = new(1);

    [Fact]
    public void Delays_refuse_non_positive_scales_a_negative_minimum_and_probabilities_outside_their_range()
    {
        OutOfRange("median", () => Delay.LogNormal(0, 1));
        OutOfRange("sigma", () => Delay.LogNormal(1, 0));
        OutOfRange("mean", () => Delay.Exponential(0));
        OutOfRange("min", () => Delay.Uniform(-0.01, 1));
        Invalid("max", () => Delay.Uniform(2, 1.5), "max must be at least min = 2; got 1.5.");
        Assert.Equal(0, Delay.Uniform(0, 0).Quantile(0.5));             // min = 0 and max = min are allowed
        Assert.Equal(2, Delay.Uniform(2, 2).Quantile(0.5));
        OutOfRange("p", () => Delay.NormalQuantile(0));
        OutOfRange("p", () => Delay.NormalQuantile(1));
        OutOfRange("p", () => Delay.LogNormal(1, 1).Quantile(1));
        OutOfRange("p", () => Delay.Exponential(1).Quantile(0));
        OutOfRange("p", () => Delay.Exponential(1).Quantile(1));
        OutOfRange("p", () => Delay.Uniform(1, 3).Quantile(-0.01));
        OutOfRange("p", () => Delay.Uniform(1, 3).Quantile(1.01));
        Assert.Equal(1, Delay.Uniform(1, 3).Quantile(0));
        Assert.Equal(3, Delay.Uniform(1, 3).Quantile(1));
        Invalid("x", () => Delay.NormalCdf(double.NaN), "x must be a number");
    }

    [Fact]
    public void The_quorum_register_refuses_replica_counts_and_indices_outside_the_replicas()
    {
        OutOfRange("replicas", () => new QuorumRegister(0));
        OutOfRange("replicas", () => new QuorumRegister(1001));
        var reg = new QuorumRegister(3, initial: 7);
        OutOfRange("replica", () => _ = reg[-1]);
        OutOfRange("replica", () => _ = reg[3]);
        Assert.Equal(7, reg[2].Value);
        Null("replicas", () => reg.Write(1, 1, 0, null!));
        OutOfRange("replicas", () => reg.Write(1, 1, 0, [-1]));
        OutOfRange("replicas", () => reg.Write(1, 1, 0, [3]));
        Assert.Equal(1, reg.Write(1, 1, 0, [2]));
        Null("replicas", () => reg.Read(null!));
        Invalid("replicas", () => reg.Read([]), "a read must ask at least one replica");
        OutOfRange("replicas", () => reg.Read([-1]));
        OutOfRange("replicas", () => reg.Read([3]));
        OutOfRange("replicas", () => reg.Read([0, -1]));
        OutOfRange("replicas", () => reg.Read([0, 3]));
        Assert.Equal(1, reg.Read([0, 2]).Value);
        Assert.Equal(1, reg.Read(new List<int> { 2 }).Value);           // any sequence, not only an array
        OutOfRange("n", () => QuorumRegister.RandomSubset(0, 0, Rng));
        OutOfRange("n", () => QuorumRegister.RandomSubset(1001, 0, Rng));
        OutOfRange("k", () => QuorumRegister.RandomSubset(3, -1, Rng));
        OutOfRange("k", () => QuorumRegister.RandomSubset(3, 4, Rng));
        Null("rng", () => QuorumRegister.RandomSubset(3, 1, null!));
        Assert.Equal(new[] { 0, 1, 2 }, QuorumRegister.RandomSubset(3, 3, Rng).Order());
    }

    [Fact]
    public void Quorum_arithmetic_refuses_n_w_r_and_levels_outside_their_ranges()
    {
        OutOfRange("n", () => Quorums.Majority(0));
        OutOfRange("n", () => Quorums.Majority(1001));
        Assert.Equal(501, Quorums.Majority(1000));
        OutOfRange("n", () => Quorums.Replicas(ConsistencyLevel.One, 0));
        OutOfRange("n", () => Quorums.Replicas(ConsistencyLevel.One, 1001));
        OutOfRange("level", () => Quorums.Replicas((ConsistencyLevel)3, 3));
        OutOfRange("n", () => Quorums.Binomial(-1, 0));
        OutOfRange("n", () => Quorums.Binomial(1001, 0));
        Assert.Equal(1, Quorums.Binomial(0, 0));
        OutOfRange("n", () => Quorums.StaleReadProbability(0, 1, 1));
        OutOfRange("n", () => Quorums.StaleReadProbability(1001, 1, 1));
        OutOfRange("w", () => Quorums.StaleReadProbability(3, 0, 1));
        OutOfRange("w", () => Quorums.StaleReadProbability(3, 4, 1));
        OutOfRange("r", () => Quorums.StaleReadProbability(3, 1, 0));
        OutOfRange("r", () => Quorums.StaleReadProbability(3, 1, 4));
        Assert.Equal(0, Quorums.StaleReadProbability(3, 3, 3));          // w = r = n is allowed
        OutOfRange("n", () => Quorums.AlwaysOverlap(0, 1, 1));
        OutOfRange("n", () => Quorums.AlwaysOverlap(13, 1, 1));
        OutOfRange("w", () => Quorums.AlwaysOverlap(3, 4, 1));
        Assert.True(Quorums.AlwaysOverlap(12, 12, 1));
    }

    [Fact]
    public void Quorum_experiments_refuse_counts_times_and_missing_inputs()
    {
        var exp = Delay.Exponential(1);
        OutOfRange("n", () => Quorums.Sweep(0, 1, Rng));
        OutOfRange("n", () => Quorums.Sweep(13, 1, Rng));
        OutOfRange("trials", () => Quorums.Sweep(3, 0, Rng));
        OutOfRange("trials", () => Quorums.Sweep(3, 10_000_001, Rng));
        Null("rng", () => Quorums.Sweep(3, 1, null!));
        OutOfRange("w", () => Quorums.MeasureStaleReads(3, 4, 1, 1, Rng));
        OutOfRange("trials", () => Quorums.MeasureStaleReads(3, 1, 1, 0, Rng));
        OutOfRange("trials", () => Quorums.MeasureStaleReads(3, 1, 1, 10_000_001, Rng));
        Null("rng", () => Quorums.MeasureStaleReads(3, 1, 1, 1, null!));
        OutOfRange("r", () => Quorums.StaleProbabilityAfter(3, 1, 4, 0, exp, 1, Rng));
        OutOfRange("sinceCommit", () => Quorums.StaleProbabilityAfter(3, 1, 1, -0.01, exp, 1, Rng));
        Null("replication", () => Quorums.StaleProbabilityAfter(3, 1, 1, 0, null!, 1, Rng));
        OutOfRange("trials", () => Quorums.StaleProbabilityAfter(3, 1, 1, 0, exp, 0, Rng));
        OutOfRange("trials", () => Quorums.StaleProbabilityAfter(3, 1, 1, 0, exp, 10_000_001, Rng));
        Null("rng", () => Quorums.StaleProbabilityAfter(3, 1, 1, 0, exp, 1, null!));
        OutOfRange("n", () => Quorums.ExponentialStaleProbability(0, 1, 1, 0, 1));
        OutOfRange("sinceCommit", () => Quorums.ExponentialStaleProbability(3, 1, 1, -0.01, 1));
        OutOfRange("mean", () => Quorums.ExponentialStaleProbability(3, 1, 1, 0, 0));
        Assert.Equal(0, Quorums.ExponentialStaleProbability(3, 3, 1, 0, 1));
        OutOfRange("w", () => Quorums.ExponentialStalenessCurve(3, 0, 1, [0], 1, 1, Rng));
        Null("times", () => Quorums.ExponentialStalenessCurve(3, 1, 1, null!, 1, 1, Rng));
        OutOfRange("meanMs", () => Quorums.ExponentialStalenessCurve(3, 1, 1, [0], 0, 1, Rng));
        OutOfRange("trials", () => Quorums.ExponentialStalenessCurve(3, 1, 1, [0], 1, 0, Rng));
        OutOfRange("trials", () => Quorums.ExponentialStalenessCurve(3, 1, 1, [0], 1, 10_000_001, Rng));
        Null("rng", () => Quorums.ExponentialStalenessCurve(3, 1, 1, [0], 1, 1, null!));
    }

    [Fact]
    public void Latency_entries_refuse_k_outside_1_to_n_and_quantiles_outside_the_open_unit()
    {
        var exp = Delay.Exponential(1);
        OutOfRange("n", () => Quorums.SampleLatency(0, 1, exp, 1, Rng));
        OutOfRange("n", () => Quorums.SampleLatency(1001, 1, exp, 1, Rng));
        OutOfRange("k", () => Quorums.SampleLatency(3, 0, exp, 1, Rng));
        OutOfRange("k", () => Quorums.SampleLatency(3, 4, exp, 1, Rng));
        Null("replica", () => Quorums.SampleLatency(3, 1, null!, 1, Rng));
        OutOfRange("count", () => Quorums.SampleLatency(3, 1, exp, 0, Rng));
        OutOfRange("count", () => Quorums.SampleLatency(3, 1, exp, 10_000_001, Rng));
        Null("rng", () => Quorums.SampleLatency(3, 1, exp, 1, null!));
        Assert.Single(Quorums.SampleLatency(3, 3, exp, 1, Rng));
        OutOfRange("n", () => Quorums.OrderStatisticCdf(0, 1, 0.5));
        OutOfRange("n", () => Quorums.OrderStatisticCdf(1001, 1, 0.5));
        OutOfRange("k", () => Quorums.OrderStatisticCdf(3, 0, 0.5));
        OutOfRange("k", () => Quorums.OrderStatisticCdf(3, 4, 0.5));
        OutOfRange("u", () => Quorums.OrderStatisticCdf(3, 1, -0.01));
        OutOfRange("u", () => Quorums.OrderStatisticCdf(3, 1, 1.01));
        Assert.Equal(1, Quorums.OrderStatisticCdf(3, 3, 1));
        Assert.Equal(0, Quorums.OrderStatisticCdf(3, 1, 0));
        OutOfRange("n", () => Quorums.LatencyQuantile(0, 1, 0.5, exp));
        OutOfRange("n", () => Quorums.LatencyQuantile(1001, 1, 0.5, exp));
        OutOfRange("k", () => Quorums.LatencyQuantile(3, 0, 0.5, exp));
        OutOfRange("k", () => Quorums.LatencyQuantile(3, 4, 0.5, exp));
        OutOfRange("q", () => Quorums.LatencyQuantile(3, 1, 0, exp));
        OutOfRange("q", () => Quorums.LatencyQuantile(3, 1, 1, exp));
        Null("replica", () => Quorums.LatencyQuantile(3, 1, 0.5, null!));
        Null("operation", () => Quorums.LatencyByLevel(null!, exp, [3], 10, Rng));
        Invalid("operation", () => Quorums.LatencyByLevel("", exp, [3], 10, Rng), "operation must not be empty.");
        Null("replica", () => Quorums.LatencyByLevel("get", null!, [3], 10, Rng));
        Null("ns", () => Quorums.LatencyByLevel("get", exp, null!, 10, Rng));
        OutOfRange("samples", () => Quorums.LatencyByLevel("get", exp, [3], 9, Rng));
        OutOfRange("samples", () => Quorums.LatencyByLevel("get", exp, [3], 10_000_001, Rng));
        Null("rng", () => Quorums.LatencyByLevel("get", exp, [3], 10, null!));
        Assert.Equal(3, Quorums.LatencyByLevel("get", exp, [3], 10, Rng).Count);
    }

    [Fact]
    public void Quorum_anomalies_refuse_skews_and_gaps_outside_0_to_a_million_ms()
    {
        OutOfRange("skewMs", () => QuorumAnomalies.SkewedClocks(-0.01, 0));
        OutOfRange("skewMs", () => QuorumAnomalies.SkewedClocks(1e6 + 1, 0));
        OutOfRange("gapMs", () => QuorumAnomalies.SkewedClocks(0, -0.01));
        OutOfRange("gapMs", () => QuorumAnomalies.SkewedClocks(0, 1e6 + 1));
        Assert.Equal(2, QuorumAnomalies.SkewedClocks(0, 1e6).LastRead);
    }

    [Fact]
    public void The_consistency_checker_refuses_a_missing_or_malformed_history_and_a_zero_budget()
    {
        Null("history", () => ConsistencyChecker.Linearizable(null!));
        Null("history", () => ConsistencyChecker.SequentiallyConsistent(null!));
        OutOfRange("maxStates", () => ConsistencyChecker.Linearizable([], maxStates: 0));
        OutOfRange("maxStates", () => ConsistencyChecker.SequentiallyConsistent([], maxStates: 0));
        Invalid("history", () => ConsistencyChecker.Linearizable([RegisterOp.Read(0, 0, double.NaN, 1)]),
            "history[0].Invoke must be finite; got NaN.");
        Invalid("history", () => ConsistencyChecker.Linearizable(
            [RegisterOp.Read(0, 0, 0, 1), RegisterOp.Read(0, 0, 5, 4)]),
            "history[1] responds at 4 before its invocation at 5.");
        Invalid("history", () => ConsistencyChecker.Linearizable([RegisterOp.Read(-1, 0, 0, 1)]),
            "history[0].Client must be 0 or more; got -1.");
        // A response at the invocation instant is allowed.
        Assert.True(ConsistencyChecker.Linearizable([RegisterOp.Read(0, 0, 5, 5)]).Holds);
    }

    private static readonly PartitionOptions Tiny =
        new() { Duration = 1000, PartitionStart = 200, PartitionEnd = 600, Window = 100 };

    private static void Refused(string param, PartitionOptions o)
        => OutOfRange(param, () => PartitionSimulation.Run(ReplicationMode.Ap, o));

    [Fact]
    public void The_partition_simulation_refuses_each_option_outside_its_range()
    {
        Null("options", () => PartitionSimulation.Run(ReplicationMode.Ap, null!));
        Refused("Replicas", Tiny with { Replicas = 0 });
        Refused("Replicas", Tiny with { Replicas = 16 });
        Null("SideB", () => PartitionSimulation.Run(ReplicationMode.Ap, Tiny with { SideB = null! }));
        Refused("SideB", Tiny with { SideB = [-1] });
        Refused("SideB", Tiny with { SideB = [5] });
        Invalid("SideB", () => PartitionSimulation.Run(ReplicationMode.Ap, Tiny with { SideB = [1, 1] }),
            "SideB must not list a replica twice");
        Assert.True(PartitionSimulation.Run(ReplicationMode.Ap, Tiny with { SideB = [4] }).Ops.Count > 0);
        Refused("Duration", Tiny with { Duration = 0 });
        Refused("Duration", Tiny with { Duration = 600_001 });
        Refused("PartitionStart", Tiny with { PartitionStart = -1 });
        Refused("PartitionStart", Tiny with { PartitionStart = 1001, PartitionEnd = 1001 });
        Refused("PartitionEnd", Tiny with { PartitionEnd = 199 });
        Refused("PartitionEnd", Tiny with { PartitionEnd = 1001 });
        // The partition may start at the end, and last no time.
        Assert.NotNull(PartitionSimulation.Run(ReplicationMode.Ap,
            Tiny with { PartitionStart = 1000, PartitionEnd = 1000 }));
        Assert.NotNull(PartitionSimulation.Run(ReplicationMode.Ap, Tiny with { PartitionEnd = 200 }));
        Refused("ClientsPerSide", Tiny with { ClientsPerSide = 0 });
        Refused("ClientsPerSide", Tiny with { ClientsPerSide = 51 });
        Refused("OpsPerSecond", Tiny with { OpsPerSecond = 0.0099 });
        Refused("OpsPerSecond", Tiny with { OpsPerSecond = 1000.01 });
        Refused("ReadFraction", Tiny with { ReadFraction = -0.01 });
        Refused("ReadFraction", Tiny with { ReadFraction = 1.01 });
        Null("RequestDelay", () => PartitionSimulation.Run(ReplicationMode.Ap, Tiny with { RequestDelay = null! }));
        Refused("ReplicationDelayMean", Tiny with { ReplicationDelayMean = -0.01 });
        Refused("ReplicationDelayMean", Tiny with { ReplicationDelayMean = 60_001 });
        Refused("MaxClockSkew", Tiny with { MaxClockSkew = -0.01 });
        Refused("MaxClockSkew", Tiny with { MaxClockSkew = 60_001 });
        Refused("Window", Tiny with { Window = 0.99 });
        Refused("Window", Tiny with { Window = 1000.01 });
        var whole = PartitionSimulation.Run(ReplicationMode.Ap, Tiny with { Window = 1000 });
        Assert.Single(whole.Windows(), w => w.Side == 0);
        OutOfRange("mode", () => PartitionSimulation.Run((ReplicationMode)9, Tiny));
    }

    [Fact]
    public void A_partition_run_refuses_negative_margins_unknown_sides_and_reversed_ranges()
    {
        var run = PartitionSimulation.Run(ReplicationMode.CpMajority, Tiny);
        OutOfRange("margin", () => run.Summary(-0.01));
        Assert.Equal(6, run.Summary(0).Count);
        OutOfRange("side", () => run.Availability(-1, 0, 1));
        OutOfRange("side", () => run.Availability(2, 0, 1));
        Invalid("to", () => run.Availability(0, 5, 4.99), "need from ≤ to; got [5, 4.99).");
        Invalid("to", () => run.Availability(0, double.NaN, 1));
        Invalid("to", () => run.Availability(0, 0, double.NaN));
        Assert.Equal(1, run.Availability(1, 5, 5));                         // an empty range is allowed
        OutOfRange("side", () => run.StaleRate(2, 0, 1));
        Invalid("to", () => run.StaleRate(0, 5, 1));
        Assert.Equal(0, run.StaleRate(1, 5, 5));
        OutOfRange("side", () => run.StaleShare(-1, 0, 1));
        Invalid("to", () => run.StaleShare(0, 5, 1));
        Assert.Equal((0.0, 0), run.StaleShare(1, 5, 5));
        Invalid("to", () => run.RegisterHistory(double.NaN));
        Invalid("to", () => run.RegisterHistory(5, 1));
        Assert.Empty(run.RegisterHistory(5, 5));
    }

    [Fact]
    public void Partition_charts_refuse_a_missing_run_an_empty_title_and_more_than_ten_runs()
    {
        var run = PartitionSimulation.Run(ReplicationMode.Ap, Tiny);
        Null("run", () => PartitionCharts.SidePanel(null!));
        Null("title", () => PartitionCharts.Panels(null!, [run]));
        Invalid("title", () => PartitionCharts.Panels("", [run]), "title must not be empty.");
        Null("runs", () => PartitionCharts.Panels("t", null!));
        OutOfRange("runs", () => PartitionCharts.Panels("t", []));
        OutOfRange("runs", () => PartitionCharts.Panels("t", Enumerable.Repeat(run, 11).ToList()));
    }

    private static void RaftRefused(string param, RaftOptions o) => OutOfRange(param, () => new RaftCluster(o, 1));

    [Fact]
    public void A_raft_cluster_refuses_each_option_outside_its_range_and_writes_without_a_store()
    {
        var o = new RaftOptions();
        Null("options", () => new RaftCluster(null!, 1));
        RaftRefused("Nodes", o with { Nodes = 0 });
        RaftRefused("Nodes", o with { Nodes = 102 });
        RaftRefused("ElectionTimeoutMin", o with { ElectionTimeoutMin = 0.99 });
        RaftRefused("ElectionTimeoutMin", o with { ElectionTimeoutMin = 1e6 + 1 });
        RaftRefused("ElectionTimeoutWidth", o with { ElectionTimeoutWidth = -0.01 });
        RaftRefused("ElectionTimeoutWidth", o with { ElectionTimeoutWidth = 1e6 + 1 });
        RaftRefused("HeartbeatInterval", o with { HeartbeatInterval = 0.09 });
        RaftRefused("HeartbeatInterval", o with { HeartbeatInterval = 150.01 });
        Assert.NotNull(new RaftCluster(o with { HeartbeatInterval = 150 }, 1));
        RaftRefused("MessageDelayMin", o with { MessageDelayMin = -0.01 });
        RaftRefused("MessageDelayMin", o with { MessageDelayMin = 1e5 + 1 });
        RaftRefused("MessageDelayMax", o with { MessageDelayMin = 5, MessageDelayMax = 4.99 });
        RaftRefused("MessageDelayMax", o with { MessageDelayMax = 1e5 + 1 });
        Assert.NotNull(new RaftCluster(o with { MessageDelayMin = 5, MessageDelayMax = 5 }, 1));
        RaftRefused("Quorum", o with { Quorum = -1 });
        RaftRefused("Quorum", o with { Quorum = 6 });
        Assert.Equal(5, new RaftCluster(o with { Quorum = 5 }, 1).Quorum);
        RaftRefused("ClientWriteInterval", o with { ClientWriteInterval = -0.01 });
        RaftRefused("ClientWriteInterval", o with { ClientWriteInterval = 1e6 + 1 });
        RaftRefused("AppendInterval", o with { AppendInterval = -0.01 });
        RaftRefused("AppendInterval", o with { AppendInterval = 1e6 + 1 });
        Invalid("store", () => new RaftCluster(o with { ClientWriteInterval = 10 }, 1),
            "leaders can only write when a store is attached");
        Assert.NotNull(new RaftCluster(o with { ClientWriteInterval = 10 }, 1, new FencedStore<string>()));
    }

    [Fact]
    public void A_raft_cluster_refuses_nodes_outside_the_cluster_times_in_the_past_and_null_groups()
    {
        var c = new RaftCluster(new RaftOptions { Nodes = 3 }, 1);
        foreach (int bad in new[] { -1, 3 })
        {
            OutOfRange("node", () => c.LogLength(bad));
            OutOfRange("node", () => c.Role(bad));
            OutOfRange("node", () => c.Term(bad));
            OutOfRange("node", () => c.IsCrashed(bad));
            OutOfRange("node", () => c.Campaign(bad));
            OutOfRange("node", () => c.Crash(bad));
            OutOfRange("node", () => c.Pause(bad, 1));
            OutOfRange("groups", () => c.Partition(new[] { bad }));
        }
        Assert.Equal(0, c.LogLength(2));
        Assert.Equal(RaftRole.Follower, c.Role(2));
        Assert.Equal(0, c.Term(2));
        Assert.False(c.IsCrashed(2));
        OutOfRange("duration", () => c.Pause(0, -0.01));
        OutOfRange("duration", () => c.Pause(0, 1e7 + 1));
        Null("groups", () => c.Partition((int[][])null!));
        Null("groups", () => c.Partition(new[] { 0 }, null!));
        c.Partition([0], [1, 2]);
        OutOfRange("until", () => c.RunUntil(-0.01));
        c.RunUntil(10);
        OutOfRange("until", () => c.RunUntil(9.99));
        OutOfRange("deadline", () => c.RunUntilLeader(0, 9.99));
        c.RunUntil(10);                                                     // now is allowed
        Assert.Null(c.RunUntilLeader(0, 10));
        Assert.Equal(10, c.Now);
    }

    [Fact]
    public void Raft_experiments_refuse_missing_options_and_times_outside_their_ranges()
    {
        var o = new RaftOptions { Nodes = 3 };
        Null("options", () => RaftExperiments.Failover(null!, 1));
        OutOfRange("capMs", () => RaftExperiments.Failover(o, 1, 0.99));
        OutOfRange("capMs", () => RaftExperiments.Failover(o, 1, 1e7 + 1));
        Null("options", () => RaftExperiments.RandomFaults(null!, 1));
        OutOfRange("durationMs", () => RaftExperiments.RandomFaults(o, 1, 0.99));
        OutOfRange("durationMs", () => RaftExperiments.RandomFaults(o, 1, 1e7 + 1));
        OutOfRange("meanFaultInterval", () => RaftExperiments.RandomFaults(o, 1, 10, 0.99));
        OutOfRange("meanFaultInterval", () => RaftExperiments.RandomFaults(o, 1, 10, 1e7 + 1));
        Null("options", () => RaftExperiments.ZombieLeader(null!, true, 1));
        Invalid("options", () => RaftExperiments.ZombieLeader(o, true, 1),
            "the zombie-leader run needs leaders that write: set ClientWriteInterval");
        var writing = o with { ClientWriteInterval = 20 };
        OutOfRange("pauseMs", () => RaftExperiments.ZombieLeader(writing, true, 1, -0.01));
        OutOfRange("pauseMs", () => RaftExperiments.ZombieLeader(writing, true, 1, 1e6 + 1));
        Null("options", () => RaftExperiments.PartitionedLeader(null!, 1));
        OutOfRange("Nodes", () => RaftExperiments.PartitionedLeader(o with { Nodes = 2 }, 1));
        OutOfRange("Nodes", () => RaftExperiments.PartitionedLeader(o with { Nodes = 102 }, 1));
        OutOfRange("partitionMs", () => RaftExperiments.PartitionedLeader(o, 1, 0.99));
        OutOfRange("partitionMs", () => RaftExperiments.PartitionedLeader(o, 1, 1e7 + 1));
        Null("options", () => RaftExperiments.ElectionTiming(null!, [0], 1));
        Null("widths", () => RaftExperiments.ElectionTiming(o, null!, 1));
        OutOfRange("failovers", () => RaftExperiments.ElectionTiming(o, [0], 0));
        OutOfRange("failovers", () => RaftExperiments.ElectionTiming(o, [0], 100_001));
        OutOfRange("capMs", () => RaftExperiments.ElectionTiming(o, [0], 1, 0.99));
        OutOfRange("capMs", () => RaftExperiments.ElectionTiming(o, [0], 1, 1e7 + 1));
        OutOfRange("widths", () => RaftExperiments.ElectionTiming(o, [0, -0.01], 1));
        OutOfRange("widths", () => RaftExperiments.ElectionTiming(o, [1e6 + 1], 1));
    }

    [Fact]
    public void The_etcd_model_refuses_timers_runs_and_delays_outside_their_ranges()
    {
        OutOfRange("electionTimeoutMs", () => EtcdExperiments.ModelTimesToElect(9.99, 5, 1));
        OutOfRange("electionTimeoutMs", () => EtcdExperiments.ModelTimesToElect(60_001, 5, 1));
        OutOfRange("heartbeatMs", () => EtcdExperiments.ModelTimesToElect(100, 0.99, 1));
        OutOfRange("heartbeatMs", () => EtcdExperiments.ModelTimesToElect(100, 100.01, 1));
        OutOfRange("runs", () => EtcdExperiments.ModelTimesToElect(100, 10, 0));
        OutOfRange("runs", () => EtcdExperiments.ModelTimesToElect(100, 10, 10_001));
        OutOfRange("messageDelayMinMs", () => EtcdExperiments.ModelTimesToElect(100, 10, 1, -0.01));
        OutOfRange("messageDelayMinMs", () => EtcdExperiments.ModelTimesToElect(100, 10, 1, 1000.01));
        OutOfRange("messageDelayMaxMs", () => EtcdExperiments.ModelTimesToElect(100, 10, 1, 2, 1.99));
        OutOfRange("messageDelayMaxMs", () => EtcdExperiments.ModelTimesToElect(100, 10, 1, 2, 1000.01));
        // A heartbeat as long as the timeout, and a fixed message delay, are allowed.
        Assert.Single(EtcdExperiments.ModelTimesToElect(100, 100, 1, 2, 2));
    }

    [Fact]
    public void Etcd_experiments_refuse_their_inputs_before_they_touch_the_cluster()
    {
        using var etcd = new EtcdCluster(["http://127.0.0.1:9"]);           // never contacted
        Null("etcd", () => EtcdExperiments.IsHealthy(null!));
        Null("etcd", () => EtcdExperiments.PauseLeader(null!, TimeSpan.FromSeconds(1)));
        Invalid("timeout", () => EtcdExperiments.PauseLeader(etcd, TimeSpan.Zero), "timeout must be in (0, 30 s]");
        Invalid("timeout", () => EtcdExperiments.PauseLeader(etcd, TimeSpan.FromSeconds(30) + TimeSpan.FromTicks(1)));
        var ms400 = TimeSpan.FromMilliseconds(400);
        Null("etcd", () => EtcdExperiments.IsolatedFollowerReads(null!, "k", "a", "b", ms400));
        Null("key", () => EtcdExperiments.IsolatedFollowerReads(etcd, null!, "a", "b", ms400));
        Invalid("key", () => EtcdExperiments.IsolatedFollowerReads(etcd, "", "a", "b", ms400));
        Null("oldValue", () => EtcdExperiments.IsolatedFollowerReads(etcd, "k", null!, "b", ms400));
        Invalid("oldValue", () => EtcdExperiments.IsolatedFollowerReads(etcd, "k", "", "b", ms400));
        Null("newValue", () => EtcdExperiments.IsolatedFollowerReads(etcd, "k", "a", null!, ms400));
        Invalid("newValue", () => EtcdExperiments.IsolatedFollowerReads(etcd, "k", "a", "", ms400));
        Invalid("newValue", () => EtcdExperiments.IsolatedFollowerReads(etcd, "k", "a", "a", ms400),
            "the two values must differ");
        Invalid("linearizableTimeout", () => EtcdExperiments.IsolatedFollowerReads(etcd, "k", "a", "b",
            TimeSpan.FromMilliseconds(50) - TimeSpan.FromTicks(1)), "linearizableTimeout must be in [50 ms, 10 s]");
        Invalid("linearizableTimeout", () => EtcdExperiments.IsolatedFollowerReads(etcd, "k", "a", "b",
            TimeSpan.FromSeconds(10) + TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void Sentinel_write_loss_refuses_its_inputs_before_it_touches_the_set()
    {
        var set = new RedisSentinelSet(["127.0.0.1:9"], ["127.0.0.1:9"], "m");   // never contacted
        var g = SentinelWriteGuard.None;
        Null("set", () => SentinelWriteLoss.Run(null!, "k", g));
        Null("key", () => SentinelWriteLoss.Run(set, null!, g));
        Invalid("key", () => SentinelWriteLoss.Run(set, "", g));
        OutOfRange("waitTimeoutMs", () => SentinelWriteLoss.Run(set, "k", g, waitTimeoutMs: 0));
        OutOfRange("waitTimeoutMs", () => SentinelWriteLoss.Run(set, "k", g, waitTimeoutMs: 5001));
        OutOfRange("maxLagSeconds", () => SentinelWriteLoss.Run(set, "k", g, maxLagSeconds: 0));
        OutOfRange("maxLagSeconds", () => SentinelWriteLoss.Run(set, "k", g, maxLagSeconds: 61));
        Invalid("warmup", () => SentinelWriteLoss.Run(set, "k", g, TimeSpan.Zero), "warmup must be in (0, 10 s]");
        Invalid("warmup", () => SentinelWriteLoss.Run(set, "k", g, TimeSpan.FromSeconds(10) + TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void Real_registers_refuse_missing_clients_bad_table_names_loads_and_negative_tokens()
    {
        (string, long)[] one = [("a", 1)];
        using var pg = new NpgsqlConnection();                               // never opened
        Null("connection", () => RealRegisters.FencedWritesOnPostgres(null!, "t", one));
        Null("table", () => RealRegisters.FencedWritesOnPostgres(pg, null!, one));
        Invalid("table", () => RealRegisters.FencedWritesOnPostgres(pg, "", one));
        Invalid("table", () => RealRegisters.FencedWritesOnPostgres(pg, "Bad", one),
            "table must be a lower-case SQL identifier (letters, digits, _); got 'Bad'.");
        Invalid("table", () => RealRegisters.FencedWritesOnPostgres(pg, "1ab", one));
        Invalid("table", () => RealRegisters.FencedWritesOnPostgres(pg, "_ab", one));
        Invalid("table", () => RealRegisters.FencedWritesOnPostgres(pg, "a-b", one));
        Null("writes", () => RealRegisters.FencedWritesOnPostgres(pg, "t", null!));
        // A good name reaches the connection, which was never opened.
        Assert.Throws<InvalidOperationException>(() => RealRegisters.FencedWritesOnPostgres(pg, "a_1z", one));

        var db = Refusing.Create<IDatabase>(m => // deletes nothing: the lab deletes the key before its loop
            m.Name == nameof(IDatabase.KeyDelete) && m.ReturnType == typeof(bool) ? false : Refusing.Refuse(m));
        Null("db", () => RealRegisters.FencedWritesOnRedis(null!, "k", one));
        Null("key", () => RealRegisters.FencedWritesOnRedis(db, null!, one));
        Invalid("key", () => RealRegisters.FencedWritesOnRedis(db, "", one));
        Null("writes", () => RealRegisters.FencedWritesOnRedis(db, "k", null!));
        OutOfRange("writes", () => RealRegisters.FencedWritesOnRedis(db, "k", [("a", -1)]));
        Assert.Throws<NotSupportedException>(() => RealRegisters.FencedWritesOnRedis(db, "k", [("a", 0)]));

        Null("connectionString", () => RealRegisters.PostgresHistory(null!, "t", 1, 1, 1));
        Invalid("connectionString", () => RealRegisters.PostgresHistory("", "t", 1, 1, 1));
        Invalid("table", () => RealRegisters.PostgresHistory("Host=x", "T", 1, 1, 1));
        OutOfRange("clients", () => RealRegisters.PostgresHistory("Host=x", "t", 0, 1, 1));
        OutOfRange("clients", () => RealRegisters.PostgresHistory("Host=x", "t", 33, 1, 1));
        OutOfRange("opsPerClient", () => RealRegisters.PostgresHistory("Host=x", "t", 1, 0, 1));
        OutOfRange("opsPerClient", () => RealRegisters.PostgresHistory("Host=x", "t", 1, 10_001, 1));

        // A multiplexer that never connected: the guards run before it is used.
        var redis = (ConnectionMultiplexer)RuntimeHelpers.GetUninitializedObject(typeof(ConnectionMultiplexer));
        GC.SuppressFinalize(redis);
        Null("redis", () => RealRegisters.RedisHistory(null!, "k", 1, 1, 1));
        Null("key", () => RealRegisters.RedisHistory(redis, null!, 1, 1, 1));
        Invalid("key", () => RealRegisters.RedisHistory(redis, "", 1, 1, 1));
        OutOfRange("clients", () => RealRegisters.RedisHistory(redis, "k", 0, 1, 1));
        OutOfRange("opsPerClient", () => RealRegisters.RedisHistory(redis, "k", 1, 10_001, 1));
    }

    [Fact]
    public void True_time_refuses_pairs_uncertainties_and_gaps_outside_their_ranges()
    {
        OutOfRange("pairs", () => TrueTime.Run(0, 1, 2, 0, 1, true, Rng));
        OutOfRange("pairs", () => TrueTime.Run(10_000_001, 1, 2, 0, 1, true, Rng));
        OutOfRange("epsilonMinMs", () => TrueTime.Run(1, -0.01, 2, 0, 1, true, Rng));
        OutOfRange("epsilonMinMs", () => TrueTime.Run(1, 1000.01, 2000, 0, 1, true, Rng));
        OutOfRange("epsilonMaxMs", () => TrueTime.Run(1, 1, 0.99, 0, 1, true, Rng));
        OutOfRange("epsilonMaxMs", () => TrueTime.Run(1, 1, 1000.01, 0, 1, true, Rng));
        OutOfRange("maxGapMs", () => TrueTime.Run(1, 1, 2, 0, -0.01, true, Rng));
        OutOfRange("maxGapMs", () => TrueTime.Run(1, 1, 2, 0, 1e6 + 1, true, Rng));
        OutOfRange("minGapMs", () => TrueTime.Run(1, 1, 2, -0.01, 1, true, Rng));
        OutOfRange("minGapMs", () => TrueTime.Run(1, 1, 2, 1.01, 1, true, Rng));
        Null("rng", () => TrueTime.Run(1, 1, 2, 0, 1, true, null!));
        OutOfRange("maxGapMs", () => TrueTime.Run(1, 1, 2, -0.01, true, Rng));
        Assert.Equal(1, TrueTime.Run(1, 2, 2, 3, 3, true, Rng).Pairs);     // equal bounds are allowed
        OutOfRange("epsilonMinMs", () => TrueTime.ViolationProbability(0, 2, 1));
        OutOfRange("epsilonMinMs", () => TrueTime.ViolationProbability(1000.01, 2000, 1));
        OutOfRange("epsilonMaxMs", () => TrueTime.ViolationProbability(1, 0.99, 1));
        OutOfRange("epsilonMaxMs", () => TrueTime.ViolationProbability(1, 1000.01, 1));
        OutOfRange("maxGapMs", () => TrueTime.ViolationProbability(1, 2, -0.01));
        OutOfRange("maxGapMs", () => TrueTime.ViolationProbability(1, 2, 1e6 + 1));
        OutOfRange("steps", () => TrueTime.ViolationProbability(1, 2, 1, 1));
        OutOfRange("steps", () => TrueTime.ViolationProbability(1, 2, 1, 2001));
        Assert.InRange(TrueTime.ViolationProbability(1, 1, 1, 2), 0, 1);
    }

    [Fact]
    public void Vector_clocks_refuse_processes_outside_the_clock_and_clocks_of_another_size()
    {
        OutOfRange("processes", () => new VectorClock(0));
        OutOfRange("processes", () => new VectorClock(1_000_001));
        var c = new VectorClock(2);
        OutOfRange("process", () => _ = c[-1]);
        OutOfRange("process", () => _ = c[2]);
        OutOfRange("process", () => c.Tick(-1));
        OutOfRange("process", () => c.Tick(2));
        Assert.Equal(1, c.Tick(1)[1]);
        Null("other", () => c.Merge(null!));
        Invalid("other", () => c.Merge(new VectorClock(3)), "both clocks must have 2 entries; got 3.");
        Null("other", () => c.Compare(null!));
        Invalid("other", () => c.Compare(new VectorClock(1)), "both clocks must have 2 entries; got 1.");
        OutOfRange("processes", () => CausalTrace.Generate(1, 1, 0.5, Rng));
        OutOfRange("processes", () => CausalTrace.Generate(65, 1, 0.5, Rng));
        OutOfRange("events", () => CausalTrace.Generate(2, 0, 0.5, Rng));
        OutOfRange("events", () => CausalTrace.Generate(2, 5001, 0.5, Rng));
        OutOfRange("sendProbability", () => CausalTrace.Generate(2, 1, -0.01, Rng));
        OutOfRange("sendProbability", () => CausalTrace.Generate(2, 1, 1.01, Rng));
        Null("rng", () => CausalTrace.Generate(2, 1, 0.5, null!));
        var trace = CausalTrace.Generate(2, 5, 0.5, new Random(1));
        int last = trace.Events.Count - 1;
        OutOfRange("a", () => trace.HappenedBefore(-1, 0));
        OutOfRange("a", () => trace.HappenedBefore(last + 1, 0));
        OutOfRange("b", () => trace.HappenedBefore(0, -1));
        OutOfRange("b", () => trace.HappenedBefore(0, last + 1));
        _ = trace.HappenedBefore(last, last);
    }

    /// <summary>
    /// With an empty list of times, sizes or widths nothing runs after the guards, so each must refuse its own
    /// argument: for a non-empty list the first inner call would meet the same guard under the same name.
    /// </summary>
    [Fact]
    public void Sweeps_over_an_empty_list_still_refuse_their_other_arguments()
    {
        var exp = Delay.Exponential(1);
        OutOfRange("w", () => Quorums.ExponentialStalenessCurve(3, 0, 1, [], 1, 1, Rng));
        OutOfRange("trials", () => Quorums.ExponentialStalenessCurve(3, 1, 1, [], 1, 0, Rng));
        Null("rng", () => Quorums.ExponentialStalenessCurve(3, 1, 1, [], 1, 1, null!));
        Null("replica", () => Quorums.LatencyByLevel("get", null!, [], 10, Rng));
        Null("rng", () => Quorums.LatencyByLevel("get", exp, [], 10, null!));
        OutOfRange("capMs", () => RaftExperiments.ElectionTiming(new RaftOptions(), [], 1, 0.99));
        Assert.Empty(Quorums.LatencyByLevel("get", exp, [], 10, Rng));             // the valid call: no rows
        Assert.Empty(RaftExperiments.ElectionTiming(new RaftOptions(), [], 1));
    }

    [Fact]
    public void The_zookeeper_election_refuses_contender_counts_strategies_and_a_missing_rng()
    {
        OutOfRange("contenders", () => ZooKeeperElection.Run(0, WatchStrategy.Predecessor, Rng));
        OutOfRange("contenders", () => ZooKeeperElection.Run(100_001, WatchStrategy.Predecessor, Rng));
        Null("rng", () => ZooKeeperElection.Run(3, WatchStrategy.Predecessor, null!));
        OutOfRange("strategy", () => ZooKeeperElection.Run(3, (WatchStrategy)5, Rng));
    }
}
