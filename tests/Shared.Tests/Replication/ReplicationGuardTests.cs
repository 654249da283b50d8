using Npgsql;
using StackExchange.Redis;
using SystemDesign.Replication;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Replication;

/// <summary>
/// Every argument guard of the Replication area's public entries: the exception type and the parameter it names
/// (the caller's expression, or the option's name for <see cref="ReplicationOptions"/>), one step outside each
/// bound, and the bound itself accepted where it is computed from another argument. The PostgreSQL entries get
/// a connection that was never opened: an input the guards accept ends in Npgsql's
/// <see cref="InvalidOperationException"/> (connection not open).
/// </summary>
public sealed class ReplicationGuardTests
{
    // One second at 10 writes/s: about ten records, so every run here takes microseconds.
    private static readonly ReplicationOptions Small = new() { WriteRate = 10, Duration = 1 };

    private static readonly FollowerGraph Graph = new([[1, 2], [0], []]);

    private static void ReachesTheServer(Action act) => Assert.Throws<InvalidOperationException>(act);

    private static ReplicationTrace Run(ReplicationOptions o) => ReplicationSimulator.Run(o);

    [Fact]
    public void Follower_graphs_refuse_missing_repeated_or_unknown_followers_and_users_outside_the_graph()
    {
        Null("followers", () => new FollowerGraph(null!));
        Invalid("followers", () => new FollowerGraph([]), "a graph needs at least one user.");
        Null("followers[a]", () => new FollowerGraph([[1], null!]));
        OutOfRange("follower", () => new FollowerGraph([[-1], []]));
        OutOfRange("follower", () => new FollowerGraph([[2], []]));
        Invalid("followers", () => new FollowerGraph([[0], []]), "user 0's followers must be distinct and exclude 0.");
        Invalid("followers", () => new FollowerGraph([[], [0, 0]]),
            "user 1's followers must be distinct and exclude 1.");
        Assert.Equal(1, new FollowerGraph([[1], []]).Edges);
        OutOfRange("author", () => Graph.Followers(-1));
        OutOfRange("author", () => Graph.Followers(3));
        Assert.Empty(Graph.Followers(2));
        OutOfRange("user", () => Graph.Followees(-1));
        OutOfRange("user", () => Graph.Followees(3));
        Assert.Equal(new[] { 0 }, Graph.Followees(2));
        OutOfRange("author", () => Graph.FollowerCount(-1));
        OutOfRange("author", () => Graph.FollowerCount(3));
        Assert.Equal(0, Graph.FollowerCount(2));
        OutOfRange("users", () => FollowerGraph.PowerLaw(1, 1, 0, 1));
        OutOfRange("users", () => FollowerGraph.PowerLaw(1_000_001, 1, 0, 1));
        OutOfRange("alpha", () => FollowerGraph.PowerLaw(3, 0.49, 0, 1));
        OutOfRange("alpha", () => FollowerGraph.PowerLaw(3, 5.01, 0, 1));
        OutOfRange("minFollowers", () => FollowerGraph.PowerLaw(3, 1, -1, 1));
        OutOfRange("minFollowers", () => FollowerGraph.PowerLaw(3, 1, 3, 1));
        Assert.Equal(6, FollowerGraph.PowerLaw(3, 1, 2, 1).Edges);           // users − 1 followers each: complete
    }

    [Fact]
    public void Feed_simulation_refuses_negative_costs_bad_sizes_and_users_outside_the_graph()
    {
        var counts = new FeedCounts(1, 1, 1, 1, 1);
        OutOfRange("writeCost", () => counts.Cost(-1));
        OutOfRange("fetchCost", () => counts.Cost(1, -1));
        Assert.Equal(0, counts.Cost(0, 0));

        Null("graph", () => new FeedSimulator(null!, 1));
        OutOfRange("celebrityThreshold", () => new FeedSimulator(Graph, -1));
        OutOfRange("feedSize", () => new FeedSimulator(Graph, 1, 0));
        OutOfRange("feedSize", () => new FeedSimulator(Graph, 1, 10_001, 1_000_000));
        OutOfRange("timelineCap", () => new FeedSimulator(Graph, 1, 5, 4));
        OutOfRange("timelineCap", () => new FeedSimulator(Graph, 1, 5, 1_000_001));
        var sim = new FeedSimulator(Graph, 1, 5, 5);                          // the cap may equal the feed size
        OutOfRange("author", () => sim.Post(-1));
        OutOfRange("author", () => sim.Post(3));
        Assert.Equal(0, sim.Post(2));
        Assert.Equal(1, sim.Post(0));                                         // 0 has two followers: a celebrity
        OutOfRange("user", () => sim.Read(-1));
        OutOfRange("user", () => sim.Read(3));
        Assert.Equal(new long[] { 1 }, sim.Read(2));
        OutOfRange("user", () => sim.TimelineLength(-1));
        OutOfRange("user", () => sim.TimelineLength(3));
        Assert.Equal(0, sim.TimelineLength(2));
        Null("events", () => FeedSimulator.Run(Graph, null!, 1));
        Null("graph", () => FeedSimulator.Run(null!, Array.Empty<FeedEvent>(), 1));

        Null("graph", () => new FanoutCostModel(null!, Array.Empty<FeedEvent>()));
        Null("events", () => new FanoutCostModel(Graph, null!));
        OutOfRange("event.User", () => new FanoutCostModel(Graph, [new FeedEvent(0, FeedEventKind.Post, -1)]));
        OutOfRange("event.User", () => new FanoutCostModel(Graph, [new FeedEvent(0, FeedEventKind.Read, 3)]));
        var model = new FanoutCostModel(Graph, [new FeedEvent(0, FeedEventKind.Post, 2)]);
        Assert.Equal(1, model.Posts);
        OutOfRange("threshold", () => model.Predict(-1));
    }

    [Fact]
    public void Feed_workloads_refuse_costs_rates_and_sizes_outside_their_ranges()
    {
        var w = new FeedWorkload();
        OutOfRange("followers", () => w.PostRate(-1));
        OutOfRange("writeCost", () => w.BreakEvenFollowers(0));
        OutOfRange("fetchCost", () => w.BreakEvenFollowers(1, 0));
        Invalid("PostRateExponent", () => (w with { PostRateExponent = 0 }).BreakEvenFollowers(),
            "with PostRateExponent = 0 the post rate does not depend on followers, "
            + "so no follower count is a break-even.");
        Null("graph", () => w.ExpectedCost(null!, 0));
        OutOfRange("threshold", () => w.ExpectedCost(Graph, -1));
        OutOfRange("writeCost", () => w.ExpectedCost(Graph, 0, -1));
        OutOfRange("fetchCost", () => w.ExpectedCost(Graph, 0, 1, -1));
        Null("graph", () => w.Generate(null!));
        OutOfRange("Days", () => (w with { Days = 0 }).Generate(Graph));
        OutOfRange("Days", () => (w with { Days = 3650.1 }).Generate(Graph));
        OutOfRange("ReadsPerUserPerDay", () => (w with { ReadsPerUserPerDay = -0.1 }).Generate(Graph));
        OutOfRange("ReadsPerUserPerDay", () => (w with { ReadsPerUserPerDay = 100_001 }).Generate(Graph));
        OutOfRange("PostsPerDay", () => (w with { PostsPerDay = -0.1 }).Generate(Graph));
        OutOfRange("PostsPerDay", () => (w with { PostsPerDay = 100_001 }).Generate(Graph));
        OutOfRange("PostRateExponent", () => (w with { PostRateExponent = -0.1 }).Generate(Graph));
        OutOfRange("PostRateExponent", () => (w with { PostRateExponent = 2.1 }).Generate(Graph));
        // 3 users × 100,000 reads a day × 20 days = 6,000,000 events.
        Invalid("Days", () => (w with { Days = 20, ReadsPerUserPerDay = 100_000 }).Generate(Graph));
        Assert.Empty((w with { ReadsPerUserPerDay = 0, PostsPerDay = 0 }).Generate(Graph));
    }

    [Fact]
    public void Lag_theory_refuses_non_positive_rates_and_unstable_or_growing_queues()
    {
        OutOfRange("writeRate", () => LagTheory.Utilisation(-1, 1));
        OutOfRange("replayRate", () => LagTheory.Utilisation(1, 0));
        Invalid("writeRate", () => LagTheory.BacklogSlope(2, 2),
            "the backlog grows only while writeRate > replayRate; got 2 ≤ 2.");
        OutOfRange("writeRate", () => LagTheory.BacklogSlopeStdErr(0, 1));
        OutOfRange("interval", () => LagTheory.BacklogSlopeStdErr(1, 0));
        OutOfRange("replayRate", () => LagTheory.StalenessSlope(1, 0));
        OutOfRange("writeRate", () => LagTheory.StalenessSlope(0, 1));
        OutOfRange("replayRate", () => LagTheory.StalenessSlopeStdErr(1, 0, 1));
        OutOfRange("interval", () => LagTheory.StalenessSlopeStdErr(1, 1, 0));
        OutOfRange("writeRate", () => LagTheory.StalenessSlopeStdErr(0, 1, 1));
        OutOfRange("backlog", () => LagTheory.DrainTime(-1, 1, 2));
        Invalid("writeRate", () => LagTheory.DrainTime(1, 2, 2),
            "a backlog drains only while writeRate < replayRate; got 2 ≥ 2.");
        OutOfRange("backlog", () => LagTheory.DrainTimeStdDev(-1, 1, 2));
        Invalid("writeRate", () => LagTheory.DrainTimeStdDev(1, 2, 2),
            "a backlog drains only while writeRate < replayRate; got 2 ≥ 2.");
        Invalid("writeRate", () => LagTheory.MD1MeanWait(2, 2),
            "the queue is stable only while writeRate < replayRate; got ρ = 1.");
        OutOfRange("networkDelay", () => LagTheory.MeanVisibilityLag(1, 2, -1));
        Null("values", () => LagTheory.BatchMeansStdErr(null!));
        OutOfRange("batches", () => LagTheory.BatchMeansStdErr(new double[100], 1));
        OutOfRange("batches", () => LagTheory.BatchMeansStdErr(new double[100], 1001));
        Invalid("values", () => LagTheory.BatchMeansStdErr(new double[19], 2),
            "batch means needs at least 10 values per batch: 19 values for 2 batches.");
        Assert.Equal(0, LagTheory.BatchMeansStdErr(new double[20], 2));
        OutOfRange("windowBytes", () => LagTheory.WindowCapRecords(0, 1, 1));
        OutOfRange("roundTrip", () => LagTheory.WindowCapRecords(1, 0, 1));
        OutOfRange("bytesPerRecord", () => LagTheory.WindowCapRecords(1, 1, 0));
        OutOfRange("writeRate", () => LagTheory.WindowBacklogSlope(-1, 1, 1, 1));
        OutOfRange("roundTrip", () => LagTheory.SyncCommitSessionRate(0));
        Invalid("writeRate", () => LagTheory.RelaxationTime(2, 2),
            "a queue relaxes only while writeRate < replayRate; got ρ = 1.");
        OutOfRange("sendRate", () => LagTheory.InOrderJitterMean(0, 1));
        OutOfRange("jitterMean", () => LagTheory.InOrderJitterMean(1, 0));
    }

    [Fact]
    public void Replication_options_name_the_setting_that_is_out_of_range()
    {
        Null("options", () => Run(null!));
        OutOfRange("WriteRate", () => Run(Small with { WriteRate = -1 }));
        OutOfRange("WriteRate", () => Run(Small with { WriteRate = 1e6 + 1 }));
        OutOfRange("ReplayRate", () => Run(Small with { ReplayRate = 0.9e-3 }));
        OutOfRange("ReplayRate", () => Run(Small with { ReplayRate = 1e7 + 1 }));
        OutOfRange("NetworkDelay", () => Run(Small with { NetworkDelay = -0.1 }));
        OutOfRange("NetworkDelay", () => Run(Small with { NetworkDelay = 3600.1 }));
        Invalid("LinkRate", () => Run(Small with { LinkRate = 0 }));
        Invalid("LinkRate", () => Run(Small with { LinkRate = double.NaN }));
        OutOfRange("FsyncTime", () => Run(Small with { FsyncTime = -0.1 }));
        OutOfRange("FsyncTime", () => Run(Small with { FsyncTime = 10.1 }));
        OutOfRange("WalBytesPerRecord", () => Run(Small with { WalBytesPerRecord = 0.9 }));
        OutOfRange("WalBytesPerRecord", () => Run(Small with { WalBytesPerRecord = 1e9 + 1 }));
        Invalid("TcpWindowBytes", () => Run(Small with { TcpWindowBytes = 0.9 }));
        Invalid("TcpWindowBytes", () => Run(Small with { TcpWindowBytes = double.NaN }));
        OutOfRange("Jitter", () => Run(Small with { Jitter = -0.1 }));
        OutOfRange("Jitter", () => Run(Small with { Jitter = 3600.1 }));
        Null("DelaySpikes", () => Run(Small with { DelaySpikes = null! }));
        OutOfRange("DelaySpike.Start", () => Run(Small with { DelaySpikes = [new(-0.1, 1, 1)] }));
        OutOfRange("DelaySpike.Start", () => Run(Small with { DelaySpikes = [new(86_400.1, 1, 1)] }));
        OutOfRange("DelaySpike.Duration", () => Run(Small with { DelaySpikes = [new(0, 0, 1)] }));
        OutOfRange("DelaySpike.Duration", () => Run(Small with { DelaySpikes = [new(0, 86_400.1, 1)] }));
        OutOfRange("DelaySpike.ExtraDelay", () => Run(Small with { DelaySpikes = [new(0, 1, -0.1)] }));
        OutOfRange("DelaySpike.ExtraDelay", () => Run(Small with { DelaySpikes = [new(0, 1, 3600.1)] }));
        Invalid("DelaySpikes", () => Run(Small with { DelaySpikes = [new(0.5, 1, 0), new(0, 0.6, 0)] }),
            "delay spikes must not overlap.");
        Assert.NotEmpty(Run(Small with { DelaySpikes = [new(0.5, 1, 0), new(0, 0.5, 0)] }).Committed);
        OutOfRange("Duration", () => Run(Small with { Duration = 0.9e-3 }));
        OutOfRange("Duration", () => Run(Small with { Duration = 86_400.1 }));
        Invalid("MaxStandbyStreamingDelay", () => Run(Small with { MaxStandbyStreamingDelay = -0.1 }));
        Null("Bursts", () => Run(Small with { Bursts = null! }));
        Null("Conflicts", () => Run(Small with { Conflicts = null! }));
        OutOfRange("Burst.Start", () => Run(Small with { Bursts = [new(-0.1, 0.5, 1)] }));
        OutOfRange("Burst.Start", () => Run(Small with { Bursts = [new(1.1, 0.5, 1)] }));
        OutOfRange("Burst.Duration", () => Run(Small with { Bursts = [new(0.5, 0, 1)] }));
        OutOfRange("Burst.Duration", () => Run(Small with { Bursts = [new(0.5, 0.51, 1)] }));   // beyond the run
        Assert.NotEmpty(Run(Small with { Bursts = [new(0.5, 0.5, 10)] }).Committed);
        OutOfRange("Burst.Rate", () => Run(Small with { Bursts = [new(0, 0.5, -1)] }));
        OutOfRange("Burst.Rate", () => Run(Small with { Bursts = [new(0, 0.5, 1e6 + 1)] }));
        Invalid("Bursts", () => Run(Small with { Bursts = [new(0.5, 0.2, 1), new(0, 0.6, 1)] }),
            "bursts must not overlap: one ends at 0.6 s, the next starts at 0.5 s.");
        OutOfRange("ReplayConflict.Start", () => Run(Small with { Conflicts = [new(-0.1, 1)] }));
        OutOfRange("ReplayConflict.Start", () => Run(Small with { Conflicts = [new(1.1, 1)] }));
        OutOfRange("ReplayConflict.QueryDuration", () => Run(Small with { Conflicts = [new(0.5, -0.1)] }));
        OutOfRange("ReplayConflict.QueryDuration", () => Run(Small with { Conflicts = [new(0.5, 86_400.1)] }));
        Invalid("WriteRate", () => Run(Small with { WriteRate = 1e6, Duration = 5.1 }));
    }

    [Fact]
    public void Traces_refuse_negative_times_reversed_ranges_too_many_samples_and_unknown_records()
    {
        var t = Run(Small);
        OutOfRange("t", () => t.IdleAfter(-0.1));
        OutOfRange("from", () => t.Samples(-0.1, 1, 1));
        Invalid("to", () => t.Samples(1, 0.9, 1), "to (0.9) must be at least from (1).");
        Assert.Single(t.Samples(1, 1, 1));
        OutOfRange("step", () => t.Samples(0, 1, 0));
        Invalid("step", () => t.Samples(0, 1, 1.0 / 100_001));
        Assert.Equal(2, t.Samples(0, 1, 1).Count);
        OutOfRange("record", () => t.VisibilityLag(-1));
        OutOfRange("record", () => t.VisibilityLag(t.Count));
        Assert.True(t.VisibilityLag(t.Count - 1) > 0);
        OutOfRange("record", () => t.ReplicaSees(t.Count, 1));
        OutOfRange("record", () => t.WriteLag(t.Count));
        OutOfRange("record", () => t.FlushLag(t.Count));
        OutOfRange("record", () => t.ReplayLag(t.Count));
    }

    [Fact]
    public void Lag_sources_refuse_missing_runs_and_sweeps_outside_their_ranges()
    {
        Null("scenario", () => LagSources.Summarize(null!, Small));
        Invalid("scenario", () => LagSources.Summarize("", Small), "scenario must not be empty.");
        Null("options", () => LagSources.Summarize("s", null!));
        Invalid("options", () => LagSources.Summarize("s", Small with { WriteRate = 0 }),
            "the run committed no writes.");
        Null("options", () => LagSources.RttSweep(null!, [1.0]));
        Null("oneWayMs", () => LagSources.RttSweep(Small, null!));
        OutOfRange("oneWayMs", () => LagSources.RttSweep(Small, []));
        OutOfRange("oneWayMs", () => LagSources.RttSweep(Small, new double[201]));
        OutOfRange("oneWayMs", () => LagSources.RttSweep(Small, [-0.1]));
        OutOfRange("oneWayMs", () => LagSources.RttSweep(Small, [60_000.1]));
        Assert.Equal(200, LagSources.RttSweep(Small, new double[200]).Count);
        OutOfRange("rho", () => LagSources.SteadyState(0.009, 100, 0, 1));
        OutOfRange("rho", () => LagSources.SteadyState(1, 100, 0, 1));
        OutOfRange("replayRate", () => LagSources.SteadyState(0.5, 0, 0, 1));
        OutOfRange("warmUp", () => LagSources.SteadyState(0.5, 100, 0, 1, warmUp: -1));
        OutOfRange("warmUp", () => LagSources.SteadyState(0.5, 100, 0, 1, warmUp: 3601));
        OutOfRange("batches", () => LagSources.SteadyState(0.5, 100, 0, 1, batches: 1));
        OutOfRange("batches", () => LagSources.SteadyState(0.5, 100, 0, 1, batches: 1001));
        OutOfRange("batchSeconds", () => LagSources.SteadyState(0.5, 100, 0, 1, batchSeconds: 0.009));
        OutOfRange("batchSeconds", () => LagSources.SteadyState(0.5, 100, 0, 1, batchSeconds: 3601));
    }

    [Fact]
    public void Read_your_writes_refuses_empty_traces_unknown_policies_and_sessions_outside_the_trace()
    {
        var t = Run(Small);
        var empty = Run(Small with { WriteRate = 0 });
        Null("trace", () => ReadYourWrites.Sessions(null!, 1, 0, 1));
        Invalid("trace", () => ReadYourWrites.Sessions(empty, 1, 0, 1), "the trace has no records to read back.");
        OutOfRange("count", () => ReadYourWrites.Sessions(t, 0, 0, 1));
        OutOfRange("count", () => ReadYourWrites.Sessions(t, 1_000_001, 0, 1));
        OutOfRange("meanThinkTime", () => ReadYourWrites.Sessions(t, 1, -0.1, 1));
        OutOfRange("meanThinkTime", () => ReadYourWrites.Sessions(t, 1, 3600.1, 1));

        SessionRead[] last = [new(t.Count - 1, 0)];
        Null("trace", () => ReadYourWrites.Evaluate(null!, last, ReadPolicy.Replica));
        Null("sessions", () => ReadYourWrites.Evaluate(t, null!, ReadPolicy.Replica));
        Invalid("policy", () => ReadYourWrites.Evaluate(t, last, (ReadPolicy)6), "unknown policy 6.");
        Invalid("policy", () => ReadYourWrites.Evaluate(t, last, (ReadPolicy)(-1)), "unknown policy -1.");
        OutOfRange("window", () => ReadYourWrites.Evaluate(t, last, ReadPolicy.Replica, -0.1));
        OutOfRange("window", () => ReadYourWrites.Evaluate(t, last, ReadPolicy.Replica, 86_400.1));
        OutOfRange("session.Record", () => ReadYourWrites.Evaluate(t, [new(-1, 0)], ReadPolicy.Replica));
        OutOfRange("session.Record", () => ReadYourWrites.Evaluate(t, [new(t.Count, 0)], ReadPolicy.Replica));
        Invalid("session.ThinkTime", () => ReadYourWrites.Evaluate(t, [new(0, -0.1)], ReadPolicy.Replica),
            "think time must be 0 or more; got -0.1.");
        var outcomes = ReadYourWrites.Evaluate(t, last, ReadPolicy.SyncRemoteApply);
        Assert.False(Assert.Single(outcomes).Stale);

        Null("trace", () => ReadYourWrites.ExpectedWindowStaleRate(null!, last, 1, 1));
        Null("sessions", () => ReadYourWrites.ExpectedWindowStaleRate(t, null!, 1, 1));
        Invalid("sessions", () => ReadYourWrites.ExpectedWindowStaleRate(t, [], 1, 1), "no sessions.");
        OutOfRange("meanThinkTime", () => ReadYourWrites.ExpectedWindowStaleRate(t, last, 0, 1));
        OutOfRange("window", () => ReadYourWrites.ExpectedWindowStaleRate(t, last, 1, -0.1));
        OutOfRange("window", () => ReadYourWrites.ExpectedWindowStaleRate(t, last, 1, 86_400.1));

        Null("policy", () => ReadYourWrites.Summarize(null!, outcomes));
        Invalid("policy", () => ReadYourWrites.Summarize("", outcomes), "policy must not be empty.");
        Null("outcomes", () => ReadYourWrites.Summarize("p", null!));
        Invalid("outcomes", () => ReadYourWrites.Summarize("p", []), "no reads to summarise.");
        OutOfRange("policy", () => ReadYourWrites.Describe((ReadPolicy)6));
    }

    [Fact]
    public void Monotonic_reads_refuse_replicas_of_different_runs_unknown_routings_and_bad_sizes()
    {
        var a = Run(Small);
        var b = Run(Small);
        Null("replicaA", () => SessionGuarantees.MonotonicReads(null!, b, ReplicaRouting.Random, 1, 0, 1));
        Null("replicaB", () => SessionGuarantees.MonotonicReads(a, null!, ReplicaRouting.Random, 1, 0, 1));
        const string same = "both replicas must replay the same commits (same write rate, bursts, duration and seed).";
        foreach (var other in new[] { Run(Small with { Seed = 2 }), Run(Small with { WriteRate = 0 }) })
            Invalid("replicaB", () => SessionGuarantees.MonotonicReads(a, other, ReplicaRouting.Random, 1, 0, 1), same);
        var none = Run(Small with { WriteRate = 0 });
        Assert.Equal(0, SessionGuarantees.MonotonicReads(none, none, ReplicaRouting.Random, 1, 0, 1).Backwards);
        Invalid("routing", () => SessionGuarantees.MonotonicReads(a, b, (ReplicaRouting)3, 1, 0, 1),
            "unknown routing 3.");
        OutOfRange("sessions", () => SessionGuarantees.MonotonicReads(a, b, ReplicaRouting.Pinned, 0, 0, 1));
        OutOfRange("sessions", () => SessionGuarantees.MonotonicReads(a, b, ReplicaRouting.Pinned, 1_000_001, 0, 1));
        OutOfRange("gap", () => SessionGuarantees.MonotonicReads(a, b, ReplicaRouting.Pinned, 1, -0.1, 1));
        OutOfRange("gap", () => SessionGuarantees.MonotonicReads(a, b, ReplicaRouting.Pinned, 1, 3600.1, 1));
    }

    [Fact]
    public void Postgres_replication_refuses_malformed_lsns_missing_connections_and_bad_sizes()
    {
        Null("lsn", () => PostgresReplication.ParseLsn(null!));
        Invalid("lsn", () => PostgresReplication.ParseLsn(""), "lsn must not be empty.");
        foreach (var bad in new[] { "16", "16/B3/1", "G/1", "1/G", "1/100000000" })
            Invalid("lsn", () => PostgresReplication.ParseLsn(bad),
                $"an LSN looks like 16/B374D848 (two hexadecimal 32-bit halves); got '{bad}'.");
        Assert.Equal(0x16_B374D848UL, PostgresReplication.ParseLsn("16/B374D848"));

        using var c = new NpgsqlConnection();
        Null("connection", () => PostgresReplication.CurrentLsn(null!));
        Null("connection", () => PostgresReplication.WalAcrossCommits(null!, 1));
        OutOfRange("rows", () => PostgresReplication.WalAcrossCommits(c, 0));
        OutOfRange("rows", () => PostgresReplication.WalAcrossCommits(c, 10_001));
        ReachesTheServer(() => PostgresReplication.WalAcrossCommits(c, 10_000));
        Null("connection", () => PostgresReplication.InsertWal(null!, 1));
        OutOfRange("rows", () => PostgresReplication.InsertWal(c, 0));
        OutOfRange("rows", () => PostgresReplication.InsertWal(c, 1_000_001));
        ReachesTheServer(() => PostgresReplication.InsertWal(c, 1_000_000));
        Null("connection", () => PostgresReplication.Settings(null!));
        Null("connection", () => PostgresReplication.StatReplicationColumns(null!));
        Null("connection", () => PostgresReplication.Drop(null!));
        Null("connection", () => PostgresReplication.StreamWal(null!, "cs"));
        Null("connectionString", () => PostgresReplication.StreamWal(c, null!));
        Invalid("connectionString", () => PostgresReplication.StreamWal(c, ""), "connectionString must not be empty.");
        OutOfRange("rows", () => PostgresReplication.StreamWal(c, "cs", 0));
        OutOfRange("rows", () => PostgresReplication.StreamWal(c, "cs", 200_001));
        OutOfRange("liveCommits", () => PostgresReplication.StreamWal(c, "cs", 1, -1));
        OutOfRange("liveCommits", () => PostgresReplication.StreamWal(c, "cs", 1, 101));
        OutOfRange("timeoutSeconds", () => PostgresReplication.StreamWal(c, "cs", 1, 0, 0.49));
        OutOfRange("timeoutSeconds", () => PostgresReplication.StreamWal(c, "cs", 1, 0, 120.1));
        ReachesTheServer(() => PostgresReplication.StreamWal(c, "cs", 200_000, 100, 120));
    }

    [Fact]
    public void Standby_experiments_refuse_missing_connections_and_pauses_holds_or_sizes_outside_their_ranges()
    {
        using var c = new NpgsqlConnection();
        Func<double, TimeSpan> ms = TimeSpan.FromMilliseconds;
        Null("primary", () => StandbyBurst.Run(null!, c, ms(100), ms(10)));
        Null("standby", () => StandbyBurst.Run(c, null!, ms(100), ms(10)));
        Invalid("pause", () => StandbyBurst.Run(c, c, ms(49.9), ms(10)), "pause must be in [50 ms, 5 s]");
        Invalid("pause", () => StandbyBurst.Run(c, c, ms(5000.1), ms(10)), "pause must be in [50 ms, 5 s]");
        Invalid("sampleEvery", () => StandbyBurst.Run(c, c, ms(100), ms(4.9)), "sampleEvery must be in [5 ms, pause]");
        Invalid("sampleEvery", () => StandbyBurst.Run(c, c, ms(100), ms(100.1)),
            "sampleEvery must be in [5 ms, pause]");
        const string rate = "statementsPerSecond must be in [0, 10 000] (0: as fast as the server takes them)";
        Invalid("statementsPerSecond", () => StandbyBurst.Run(c, c, ms(100), ms(10), -0.1), rate);
        Invalid("statementsPerSecond", () => StandbyBurst.Run(c, c, ms(100), ms(10), 10_000.1), rate);
        // Accepted: the run opens a second connection from the primary's string, and nothing listens on port 9.
        using var refused = new NpgsqlConnection("Host=127.0.0.1;Port=9;Timeout=1");
        Assert.ThrowsAny<NpgsqlException>(() => StandbyBurst.Run(refused, c, ms(5000), ms(5000), 10_000));
        Assert.ThrowsAny<NpgsqlException>(() => StandbyBurst.Run(refused, c, ms(50), ms(5), 0));

        Null("primary", () => StandbyExperiments.StaleReadWhilePaused(null!, c));
        Null("standby", () => StandbyExperiments.StaleReadWhilePaused(c, null!));
        Null("primary", () => StandbyExperiments.SynchronousCommitsWhilePaused(null!, c, ms(100)));
        Null("standby", () => StandbyExperiments.SynchronousCommitsWhilePaused(c, null!, ms(100)));
        Invalid("hold", () => StandbyExperiments.SynchronousCommitsWhilePaused(c, c, ms(49.9)),
            "hold must be in [50 ms, 5 s]");
        Invalid("hold", () => StandbyExperiments.SynchronousCommitsWhilePaused(c, c, ms(5000.1)),
            "hold must be in [50 ms, 5 s]");
        ReachesTheServer(() => StandbyExperiments.SynchronousCommitsWhilePaused(c, c, ms(50)));
        ReachesTheServer(() => StandbyExperiments.SynchronousCommitsWhilePaused(c, c, ms(5000)));
        Null("primary", () => StandbyExperiments.ReadYourWrites(null!, c, 1));
        Null("standby", () => StandbyExperiments.ReadYourWrites(c, null!, 1));
        OutOfRange("writes", () => StandbyExperiments.ReadYourWrites(c, c, 0));
        OutOfRange("writes", () => StandbyExperiments.ReadYourWrites(c, c, 10_001));
        OutOfRange("waitTimeoutSeconds", () => StandbyExperiments.ReadYourWrites(c, c, 1, 0.009));
        OutOfRange("waitTimeoutSeconds", () => StandbyExperiments.ReadYourWrites(c, c, 1, 60.1));
        ReachesTheServer(() => StandbyExperiments.ReadYourWrites(c, c, 10_000, 60));
        Null("primary", () => StandbyExperiments.SlotRetentionWhileStopped(null!, c, 100));
        Null("standby", () => StandbyExperiments.SlotRetentionWhileStopped(c, null!, 100));
        OutOfRange("rows", () => StandbyExperiments.SlotRetentionWhileStopped(c, c, 99));
        OutOfRange("rows", () => StandbyExperiments.SlotRetentionWhileStopped(c, c, 1_000_001));
        ReachesTheServer(() => StandbyExperiments.SlotRetentionWhileStopped(c, c, 1_000_000));
    }

    [Fact]
    public void Redis_timelines_refuse_missing_arguments_bad_sizes_and_events_of_unknown_users()
    {
        var db = Refusing.Create<IDatabase>(m => // deletes nothing: RunPush clears the timelines first
            m.Name == "KeyDelete" ? 0L : Refusing.Refuse(m));
        FeedEvent[] post = [new(0, FeedEventKind.Post, 2)];
        Null("db", () => RedisTimelines.RunPush(null!, "p", Graph, post));
        Null("prefix", () => RedisTimelines.RunPush(db, null!, Graph, post));
        Invalid("prefix", () => RedisTimelines.RunPush(db, "", Graph, post), "prefix must not be empty.");
        Null("graph", () => RedisTimelines.RunPush(db, "p", null!, post));
        Null("events", () => RedisTimelines.RunPush(db, "p", Graph, null!));
        OutOfRange("feedSize", () => RedisTimelines.RunPush(db, "p", Graph, post, 0));
        OutOfRange("feedSize", () => RedisTimelines.RunPush(db, "p", Graph, post, 10_001, 1_000_000));
        OutOfRange("timelineCap", () => RedisTimelines.RunPush(db, "p", Graph, post, 5, 4));
        OutOfRange("timelineCap", () => RedisTimelines.RunPush(db, "p", Graph, post, 5, 1_000_001));
        Invalid("events", () => RedisTimelines.RunPush(db, "p", Graph, new FeedEvent[200_001]),
            "keep a Redis run to at most 200,000 events; got 200001.");
        OutOfRange("event.User", () => RedisTimelines.RunPush(db, "p", Graph, [new(0, FeedEventKind.Post, -1)]));
        OutOfRange("event.User", () => RedisTimelines.RunPush(db, "p", Graph, [new(0, FeedEventKind.Read, 3)]));
        Assert.Throws<NotSupportedException>(() => RedisTimelines.RunPush(db, "p", Graph, post, 5, 5));

        Null("db", () => RedisTimelines.Delete(null!, "p", 1));
        Null("prefix", () => RedisTimelines.Delete(db, null!, 1));
        Invalid("prefix", () => RedisTimelines.Delete(db, "", 1), "prefix must not be empty.");
        OutOfRange("users", () => RedisTimelines.Delete(db, "p", -1));
        OutOfRange("users", () => RedisTimelines.Delete(db, "p", 10_000_001));
        RedisTimelines.Delete(db, "p", 0);
    }
}
