using Npgsql;
using StackExchange.Redis;
using SystemDesign.Locking;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Locking;

/// <summary>
/// Every argument guard of the Locking area's public entries: the exception type and the parameter it names,
/// one step outside each bound, and the bound itself accepted. The real-system labs get a connection that was
/// never opened (PostgreSQL), a port nobody listens on (etcd, PostgreSQL sessions) or <see cref="Refusing"/>:
/// an accepted input gets as far as the server and fails there, so no test needs one.
/// </summary>
public sealed class LockingGuardTests
{
    private const string Nowhere = "http://127.0.0.1:1";
    private const string NoPostgres = "Host=127.0.0.1;Port=1;Username=sdn;Database=sdn;Timeout=2";
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private static void ReachesTheServer<TException>(Action act) where TException : Exception =>
        Assert.ThrowsAny<TException>(act);

    [Fact]
    public void The_deadlock_model_refuses_sizes_outside_their_ranges_and_rows_beyond_the_table()
    {
        OutOfRange("concurrency", () => DeadlockModel.WaitProbability(0, 1, 10));
        OutOfRange("concurrency", () => DeadlockModel.WaitProbabilityExact(1001, 1, 10));
        Assert.Equal(999 / 20.0, DeadlockModel.WaitProbability(1000, 1, 10), 12);
        OutOfRange("tableRows", () => DeadlockModel.DeadlockProbability(2, 1, 0));
        OutOfRange("tableRows", () => DeadlockModel.RefinedDeadlockProbability(2, 1, 10_000_001));
        Assert.Equal(5e-8, DeadlockModel.WaitProbability(2, 1, 10_000_000), 15);
        OutOfRange("rowsTouched", () => DeadlockModel.WaitProbability(2, 0, 10));
        OutOfRange("rowsTouched", () => DeadlockModel.WaitProbability(2, 11, 10));
        Assert.Equal(5, DeadlockModel.WaitProbability(2, 10, 10), 12);       // rowsTouched = tableRows is allowed
        Null("rowsTouched", () => DeadlockModel.Compare(2, null!, 10, 5, 1));
        Invalid("rowsTouched", () => DeadlockModel.Compare(2, [], 10, 5, 1),
            "rowsTouched must contain at least one element.");
        OutOfRange("transactions", () => DeadlockModel.Compare(2, [3], 10, 0, 1));
        OutOfRange("transactions", () => DeadlockModel.Compare(2, [3], 10, 1_000_001, 1));
        OutOfRange("rowsTouched", () => DeadlockModel.Compare(2, [3, 11], 10, 5, 1));
        Assert.Equal(10, Assert.Single(DeadlockModel.Compare(2, [10], 10, 1, 1)).RowsTouched);
    }

    [Fact]
    public void The_etcd_lock_refuses_empty_names_bad_ttls_tokens_and_timeouts()
    {
        Null("endpoint", () => new EtcdLeaseLock(null!, "k"));
        Invalid("endpoint", () => new EtcdLeaseLock("", "k"), "endpoint must not be empty.");
        Null("key", () => new EtcdLeaseLock(Nowhere, null!));
        Invalid("key", () => new EtcdLeaseLock(Nowhere, ""));
        const string requestTimeout = "requestTimeout must be in (0, 1 min]";
        Invalid("requestTimeout", () => new EtcdLeaseLock(Nowhere, "k", TimeSpan.Zero), requestTimeout);
        var minute = TimeSpan.FromMinutes(1);
        Invalid("requestTimeout", () => new EtcdLeaseLock(Nowhere, "k", minute + Tick), requestTimeout);
        new EtcdLeaseLock(Nowhere, "k", Tick).Dispose();
        using (var longest = new EtcdLeaseLock(Nowhere + "/", "k", TimeSpan.FromMinutes(1)))
            Assert.Equal((Nowhere, "k"), (longest.Endpoint, longest.Key));

        using var lk = new EtcdLeaseLock(Nowhere, "k");
        Null("holder", () => lk.TryAcquire(null!, 1));
        Invalid("holder", () => lk.TryAcquire("", 1));
        OutOfRange("ttlSeconds", () => lk.TryAcquire("A", 0));
        OutOfRange("ttlSeconds", () => lk.TryAcquire("A", 3601));
        ReachesTheServer<HttpRequestException>(() => lk.TryAcquire("A", 3600));
        ReachesTheServer<HttpRequestException>(() => lk.TryAcquire("A", 1));
        Null("grant", () => lk.KeepAlive(null!));
        Null("grant", () => lk.Release(null!));
        Null("dataKey", () => lk.WriteIfHolder(null!, "v", 1));
        Invalid("dataKey", () => lk.WriteIfHolder("", "v", 1));
        Null("value", () => lk.WriteIfHolder("d", null!, 1));
        OutOfRange("token", () => lk.WriteIfHolder("d", "v", 0));
        ReachesTheServer<HttpRequestException>(() => lk.WriteIfHolder("d", "", 1));
        Null("key", () => lk.Read(null!));
        Invalid("key", () => lk.Read(""));
        // Every key is checked before the first delete (the lock's own key is deleted first).
        Null("keys", () => lk.Clear(null!));
        Invalid("keys", () => lk.Clear("d", ""), "keys[1] is null or empty");
        Invalid("keys", () => lk.Clear([null!]), "keys[0] is null or empty");
        ReachesTheServer<HttpRequestException>(() => lk.Clear("d"));
        ReachesTheServer<HttpRequestException>(() => lk.Clear());
    }

    [Fact]
    public void The_etcd_paused_holder_refuses_polls_outside_5_ms_to_1_s_and_timeouts_outside_a_minute()
    {
        using var lk = new EtcdLeaseLock(Nowhere, "k");
        var poll = TimeSpan.FromMilliseconds(50);
        var second = TimeSpan.FromSeconds(1);
        Null("dataKey", () => lk.PausedHolder(null!, 1, poll, second));
        Invalid("dataKey", () => lk.PausedHolder("", 1, poll, second));
        const string pollRange = "poll must be in [5 ms, 1 s]", timeoutRange = "timeout must be in (0, 1 min]";
        Invalid("poll", () => lk.PausedHolder("d", 1, TimeSpan.FromMilliseconds(5) - Tick, second), pollRange);
        Invalid("poll", () => lk.PausedHolder("d", 1, second + Tick, second), pollRange);
        Invalid("timeout", () => lk.PausedHolder("d", 1, poll, TimeSpan.Zero), timeoutRange);
        Invalid("timeout", () => lk.PausedHolder("d", 1, poll, TimeSpan.FromMinutes(1) + Tick), timeoutRange);
        var minute = TimeSpan.FromMinutes(1);
        ReachesTheServer<HttpRequestException>(() => lk.PausedHolder("d", 1, TimeSpan.FromMilliseconds(5), minute));
        ReachesTheServer<HttpRequestException>(() => lk.PausedHolder("d", 1, second, Tick));
    }

    [Fact]
    public void The_etcd_fault_experiment_refuses_a_missing_cluster_an_empty_key_and_ttls_outside_1_to_60_s()
    {
        using var etcd = new EtcdCluster([Nowhere]);
        Null("etcd", () => EtcdLockFaults.WithFollowerPaused(null!, "k", 1));
        Null("key", () => EtcdLockFaults.WithFollowerPaused(etcd, null!, 1));
        Invalid("key", () => EtcdLockFaults.WithFollowerPaused(etcd, "", 1));
        OutOfRange("ttlSeconds", () => EtcdLockFaults.WithFollowerPaused(etcd, "k", 0));
        OutOfRange("ttlSeconds", () => EtcdLockFaults.WithFollowerPaused(etcd, "k", 61));
        Null("etcd", () => EtcdLockFaults.Healthy(null!, TimeSpan.FromSeconds(1)));
        const string timeoutRange = "timeout must be in (0, 2 min]";
        Invalid("timeout", () => EtcdLockFaults.Healthy(etcd, TimeSpan.Zero), timeoutRange);
        Invalid("timeout", () => EtcdLockFaults.Healthy(etcd, TimeSpan.FromMinutes(2) + Tick), timeoutRange);
        Assert.False(EtcdLockFaults.Healthy(etcd, Tick));                 // nobody answers: not healthy, at once
    }

    [Fact]
    public void The_etcd_fault_experiment_refuses_a_cluster_without_two_followers()
    {
        const string members = """
            {"members":[{"ID":"1","name":"etcd1","clientURLs":["http://m1"]},
                        {"ID":"2","name":"etcd2","clientURLs":["http://m2"]}]}
            """;
        (int, string)? List(string path, System.Text.Json.Nodes.JsonObject _) =>
            path == "/v3/cluster/member/list" ? (200, members) : null;
        // Two healthy members that agree on leader 1: one follower only.
        using var leader = FakeEtcdMember.WithStatus(1, 1, List);
        using var follower = FakeEtcdMember.WithStatus(2, 1, List);
        using var etcd = new EtcdCluster([leader.Url, follower.Url], TimeSpan.FromSeconds(30));
        Invalid("etcd", () => EtcdLockFaults.WithFollowerPaused(etcd, "k", 1), "expected a 3-member etcd");
    }

    [Fact]
    public void The_job_queue_refuses_a_missing_connection_and_counts_leases_and_probabilities_outside_their_ranges()
    {
        Null("admin", () => new JobQueue(null!));
        using var closed = new NpgsqlConnection();   // never opened: an accepted input fails at the first command
        var q = new JobQueue(closed, NoPostgres);
        OutOfRange("jobs", () => q.Reset(0));
        OutOfRange("jobs", () => q.Reset(100_001));
        ReachesTheServer<InvalidOperationException>(() => q.Reset(100_000));
        OutOfRange("workers", () => q.Drain(0, true, Ms));
        OutOfRange("workers", () => q.Drain(33, true, Ms));
        OutOfRange("work", () => q.Drain(1, true, -Tick));
        OutOfRange("work", () => q.Drain(1, true, TimeSpan.FromSeconds(1) + Tick));
        ReachesTheServer<InvalidOperationException>(() => q.Drain(32, true, TimeSpan.FromSeconds(1)));
        ReachesTheServer<InvalidOperationException>(() => q.Drain(1, false, TimeSpan.Zero));

        var hour = TimeSpan.FromHours(1);
        Null("connection", () => q.TryClaim(null!, 0, Ms));
        OutOfRange("worker", () => q.TryClaim(closed, -1, Ms));
        OutOfRange("lease", () => q.TryClaim(closed, 0, Ms - Tick));
        OutOfRange("lease", () => q.TryClaim(closed, 0, hour + Tick));
        ReachesTheServer<InvalidOperationException>(() => q.TryClaim(closed, 0, Ms));
        ReachesTheServer<InvalidOperationException>(() => q.TryClaim(closed, 0, hour));
        var claim = new JobClaim(1, 1);
        Null("connection", () => q.Heartbeat(null!, claim, Ms));
        OutOfRange("lease", () => q.Heartbeat(closed, claim, Ms - Tick));
        OutOfRange("lease", () => q.Heartbeat(closed, claim, hour + Tick));
        ReachesTheServer<InvalidOperationException>(() => q.Heartbeat(closed, claim, Ms));
        ReachesTheServer<InvalidOperationException>(() => q.Heartbeat(closed, claim, hour));
        Null("connection", () => q.Complete(null!, claim, 0));
        OutOfRange("worker", () => q.Complete(closed, claim, -1));
        ReachesTheServer<InvalidOperationException>(() => q.Complete(closed, claim, 0));
        Null("connection", () => q.Reap(null!));
        ReachesTheServer<InvalidOperationException>(() => q.Reap(closed));

        var lease = TimeSpan.FromMilliseconds(10);
        OutOfRange("workers", () => q.RunWithCrashes(0, 0, lease, 1));
        OutOfRange("workers", () => q.RunWithCrashes(33, 0, lease, 1));
        OutOfRange("crashProbability", () => q.RunWithCrashes(1, -0.01, lease, 1));
        OutOfRange("crashProbability", () => q.RunWithCrashes(1, 0.91, lease, 1));
        OutOfRange("lease", () => q.RunWithCrashes(1, 0, lease - Tick, 1));
        OutOfRange("lease", () => q.RunWithCrashes(1, 0, TimeSpan.FromSeconds(10) + Tick, 1));
        ReachesTheServer<InvalidOperationException>(() => q.RunWithCrashes(32, 0.9, TimeSpan.FromSeconds(10), 1));
        ReachesTheServer<InvalidOperationException>(() => q.RunWithCrashes(1, 0, lease, 1));
        Null("runs", () => JobQueue.InProgress(null!));
        Null("runs", () => JobQueue.MaxOverlap(null!));
    }

    [Fact]
    public void Lock_charts_refuse_no_transactions_no_bars_and_edges_to_unlisted_transactions()
    {
        int[] two = [1, 2];
        WaitEdge[] edge = [new(1, 2, 5)];
        Null("transactions", () => LockCharts.WaitForGraph("t", null!, edge));
        Invalid("transactions", () => LockCharts.WaitForGraph("t", [], []));
        Null("edges", () => LockCharts.WaitForGraph("t", two, null!));
        const string join = "every edge must join two of the listed transactions";
        Invalid("edges", () => LockCharts.WaitForGraph("t", two, [new(1, 3, 5)]), join);
        Invalid("edges", () => LockCharts.WaitForGraph("t", two, [new(3, 1, 5)]), join);
        Assert.NotNull(LockCharts.WaitForGraph("t", two, edge));
        Null("bars", () => LockCharts.Timeline("t", "ms", null!));
        Invalid("bars", () => LockCharts.Timeline("t", "ms", []), "bars must contain at least one element.");
        Assert.NotNull(LockCharts.Timeline("t", "ms", [new TimelineBar("A", 0, 1, "holds")]));
    }

    [Fact]
    public void The_simulation_names_the_workload_field_that_is_out_of_range()
    {
        SimulationResult Run(LockWorkload w) => LockSimulation.Run(w, DeadlockPolicy.Detect, 1);
        var w = new LockWorkload(1, 1, 3, 3);
        Null("workload", () => LockSimulation.Run(null!, DeadlockPolicy.Detect, 1));
        OutOfRange("Transactions", () => Run(w with { Transactions = 0 }));
        OutOfRange("Transactions", () => Run(w with { Transactions = 1_000_001 }));
        OutOfRange("Concurrency", () => Run(w with { Concurrency = 1001 }));
        OutOfRange("TableRows", () => Run(w with { TableRows = 0, RowsTouched = 0 }));
        OutOfRange("TableRows", () => Run(w with { TableRows = 10_000_001 }));
        OutOfRange("RowsTouched", () => Run(w with { RowsTouched = 0 }));
        OutOfRange("RowsTouched", () => Run(w with { RowsTouched = 4 }));
        OutOfRange("SharedFraction", () => Run(w with { SharedFraction = -0.01 }));
        OutOfRange("SharedFraction", () => Run(w with { SharedFraction = 1.01 }));
        Assert.Equal(1, Run(w with { SharedFraction = 1 }).Committed);   // every row touched, all shared
    }

    [Fact]
    public void Scripts_refuse_missing_or_repeated_transactions_and_turns_of_unplanned_ones()
    {
        var plans = LockSimulation.Ring(2);
        Null("plans", () => LockSimulation.Script(null!, [1]));
        Invalid("plans", () => LockSimulation.Script([], []));
        Null("turns", () => LockSimulation.Script(plans, null!));
        Invalid("plans", () => LockSimulation.Script([plans[0], plans[0]], [1]), "transaction ids must be distinct");
        Invalid("turns", () => LockSimulation.Script(plans, [1, 3]), "every turn must name a planned transaction");
        Assert.Equal([1, 2], LockSimulation.Script(plans, [2, 1]).Transactions);
        OutOfRange("transactions", () => LockSimulation.Ring(27));
        Assert.Equal(26, LockSimulation.Ring(26).Count);
        OutOfRange("transactions", () => LockSimulation.RingTurns(1));
        OutOfRange("transactions", () => LockSimulation.RingTurns(27));
        Assert.Equal(52, LockSimulation.RingTurns(26).Count);
    }

    [Fact]
    public void The_virtual_lock_service_and_the_paused_holder_refuse_empty_keys_and_times_outside_their_ranges()
    {
        var s = new VirtualLockService();
        Null("key", () => s.TryAcquire(null!, "t", 1, 0));
        Invalid("key", () => s.TryAcquire("", "t", 1, 0));
        Null("token", () => s.TryAcquire("k", null!, 1, 0));
        Invalid("token", () => s.TryAcquire("k", "", 1, 0));
        OutOfRange("ttlMs", () => s.TryAcquire("k", "t", 0, 0));
        Null("key", () => s.Release(null!, "t", 0));
        Invalid("key", () => s.Release("", "t", 0));
        Assert.True(s.TryAcquire("k", "t", double.Epsilon, 0));

        PausedHolderRun Run(double ttlMs = 100, double pauseMs = 0, double work = 1, double retryMs = 1,
            double bHoldMs = 5) =>
            PausedHolder.Run(ttlMs, pauseMs, true, workBeforePauseMs: work, retryMs: retryMs, bHoldMs: bHoldMs);
        OutOfRange("ttlMs", () => Run(ttlMs: 0.99));
        OutOfRange("ttlMs", () => Run(ttlMs: 1e9 + 1));
        OutOfRange("pauseMs", () => Run(pauseMs: -0.01));
        OutOfRange("pauseMs", () => Run(pauseMs: 1e9 + 1));
        OutOfRange("workBeforePauseMs", () => Run(work: -0.01));
        OutOfRange("workBeforePauseMs", () => Run(work: 1e9 + 1));
        OutOfRange("retryMs", () => Run(retryMs: 0.0009));
        OutOfRange("retryMs", () => Run(retryMs: 1e9 + 1));
        OutOfRange("bHoldMs", () => Run(bHoldMs: 0.99));
        OutOfRange("bHoldMs", () => Run(bHoldMs: 1e9 + 1));
        // Each bound accepted: the lower ones (B retries every µs until A's 1 ms lease ends), then the upper ones.
        Assert.InRange(Run(ttlMs: 1, work: 0, retryMs: 0.001, bHoldMs: 1).BAcquiredAtMs, 1, 1.002);
        Assert.Equal(1e9, Run(ttlMs: 1e9, pauseMs: 1e9, work: 1e9, retryMs: 1e9, bHoldMs: 1e9).BAcquiredAtMs);
    }

    [Fact]
    public void Postgres_deadlocks_refuse_a_missing_connection_bad_settings_steps_and_timeouts()
    {
        Null("admin", () => new PostgresDeadlock(null!));
        using var closed = new NpgsqlConnection();
        var pd = new PostgresDeadlock(closed, NoPostgres);
        OutOfRange("rows", () => pd.Reset(1));
        OutOfRange("rows", () => pd.Reset(1000));
        ReachesTheServer<InvalidOperationException>(() => pd.Reset(2));
        ReachesTheServer<InvalidOperationException>(() => pd.Reset(999));
        Null("setting", () => pd.Show(null!));
        Invalid("setting", () => pd.Show(""));
        const string name = "setting must be a parameter name (lower-case letters and _)";
        foreach (var bad in new[] { "Deadlock_timeout", "a;b", "lock timeout", "x1" })
            Invalid("setting", () => pd.Show(bad), name);
        ReachesTheServer<InvalidOperationException>(() => pd.Show("deadlock_timeout"));

        RowStep[] steps = [new(1), new(2)];
        var second = TimeSpan.FromSeconds(1);
        var tenSeconds = TimeSpan.FromSeconds(10);
        Null("a", () => pd.Run(null!, steps, second));
        Invalid("a", () => pd.Run([], steps, second));
        Null("b", () => pd.Run(steps, null!, second));
        Invalid("b", () => pd.Run(steps, [], second));
        OutOfRange("deadlockTimeout", () => pd.Run(steps, steps, Ms - Tick));
        OutOfRange("deadlockTimeout", () => pd.Run(steps, steps, tenSeconds + Tick));
        OutOfRange("gap", () => pd.Run(steps, steps, second, -Tick));
        OutOfRange("gap", () => pd.Run(steps, steps, second, tenSeconds + Tick));
        OutOfRange("aExtraRows", () => pd.Run(steps, steps, second, aExtraRows: -1));
        OutOfRange("aExtraRows", () => pd.Run(steps, steps, second, aExtraRows: 101));
        OutOfRange("lockTimeout", () => pd.Run(steps, steps, second, lockTimeout: Ms - Tick));
        OutOfRange("lockTimeout", () => pd.Run(steps, steps, second, lockTimeout: tenSeconds + Tick));
        ReachesTheServer<NpgsqlException>(() => pd.Run(steps, steps, tenSeconds, tenSeconds, 100, tenSeconds));
        ReachesTheServer<NpgsqlException>(() => pd.Run(steps, steps, Ms, TimeSpan.Zero, 0, Ms));

        Invalid("sessionKey", () => pd.AdvisoryLockScopes(7, 7), "the two keys must differ");
        ReachesTheServer<NpgsqlException>(() => pd.AdvisoryLockScopes(7, 8));
        OutOfRange("row", () => pd.IdleHolder(0, null, second));
        OutOfRange("row", () => pd.IdleHolder(1000, null, second));
        OutOfRange("idleTimeout", () => pd.IdleHolder(1, Ms - Tick, second));
        OutOfRange("idleTimeout", () => pd.IdleHolder(1, tenSeconds + Tick, second));
        OutOfRange("waiterLockTimeout", () => pd.IdleHolder(1, null, Ms - Tick));
        OutOfRange("waiterLockTimeout", () => pd.IdleHolder(1, null, tenSeconds + Tick));
        ReachesTheServer<NpgsqlException>(() => pd.IdleHolder(999, tenSeconds, tenSeconds));
        ReachesTheServer<NpgsqlException>(() => pd.IdleHolder(1, Ms, Ms));
    }

    [Fact]
    public void A_two_session_runs_bars_and_marks_refuse_an_empty_label()
    {
        var a = new SessionOutcome("A", 1, 0, true, null, null, 10, 20, null);
        var run = new TwoSessionRun(a, a with { Name = "B" }, 1000, null);
        Null("label", () => run.Bars(null!));
        Invalid("label", () => run.Bars(""));
        Null("label", () => run.Marks(null!));
        Invalid("label", () => run.Marks(""));
        Assert.Equal(["x: A", "x: B"], run.Bars("x").Select(b => b.Lane));
    }

    [Fact]
    public void The_redis_lock_refuses_a_missing_database_empty_keys_and_tokens_and_ttls_outside_a_day()
    {
        var db = Refusing.Create<IDatabase>();
        Null("database", () => new RedisLock(null!, "k"));
        Null("key", () => new RedisLock(db, null!));
        Invalid("key", () => new RedisLock(db, ""));
        var lk = new RedisLock(db, "k");
        var day = TimeSpan.FromDays(1);
        Null("token", () => lk.TryAcquire(null!, Ms));
        Invalid("token", () => lk.TryAcquire("", Ms));
        OutOfRange("ttl", () => lk.TryAcquire("t", Ms - Tick));
        OutOfRange("ttl", () => lk.TryAcquire("t", day + Tick));
        ReachesTheServer<NotSupportedException>(() => lk.TryAcquire("t", Ms));
        ReachesTheServer<NotSupportedException>(() => lk.TryAcquire("t", day));
        Null("token", () => lk.Release(null!));
        Invalid("token", () => lk.Release(""));
        ReachesTheServer<NotSupportedException>(() => lk.Release("t"));
        Null("token", () => lk.Extend(null!, Ms));
        Invalid("token", () => lk.Extend("", Ms));
        OutOfRange("ttl", () => lk.Extend("t", Ms - Tick));
        OutOfRange("ttl", () => lk.Extend("t", day + Tick));
        ReachesTheServer<NotSupportedException>(() => lk.Extend("t", Ms));
        ReachesTheServer<NotSupportedException>(() => lk.Extend("t", day));
        OutOfRange("shortTtl", () => lk.ReleaseRaces(Ms - Tick, new Random(1)));
        OutOfRange("shortTtl", () => lk.ReleaseRaces(TimeSpan.FromSeconds(1) + Tick, new Random(1)));
        Null("random", () => lk.ReleaseRaces(Ms, null!));
        ReachesTheServer<NotSupportedException>(() => lk.ReleaseRaces(Ms, new Random(1)));
        ReachesTheServer<NotSupportedException>(() => lk.ReleaseRaces(TimeSpan.FromSeconds(1), new Random(1)));
    }

    [Fact]
    public void Redlock_arithmetic_refuses_non_positive_ttls_negative_elapsed_time_and_drift_outside_0_to_1()
    {
        OutOfRange("nodes", () => Redlock.Quorum(0));
        Assert.Equal(1, Redlock.Quorum(1));
        OutOfRange("ttlMs", () => Redlock.DriftMs(0));
        OutOfRange("driftFactor", () => Redlock.DriftMs(100, -0.01));
        OutOfRange("driftFactor", () => Redlock.DriftMs(100, 1.01));
        Assert.Equal(102, Redlock.DriftMs(100, 1));
        Assert.Equal(2, Redlock.DriftMs(100, 0));
        OutOfRange("elapsedMs", () => Redlock.ValidityMs(100, -0.01));
        OutOfRange("ttlMs", () => Redlock.ValidityMs(0, 0));
        Assert.Equal(100 - 3, Redlock.ValidityMs(100, 0));
    }

    [Fact]
    public void Redlock_instances_refuse_node_numbers_outside_the_set_and_settings_outside_their_ranges()
    {
        OutOfRange("nodes", () => new Redlock(0));
        OutOfRange("nodes", () => new Redlock(100));
        Assert.Equal(99, new Redlock(99).Count);
        OutOfRange("driftFactor", () => new Redlock(3, -0.01));
        OutOfRange("driftFactor", () => new Redlock(3, 1.01));
        OutOfRange("requestTimeoutMs", () => new Redlock(3, 0.01, 0));
        var r = new Redlock(3);
        foreach (int bad in new[] { -1, 3 })
        {
            OutOfRange("node", () => r.SetLatency(bad, 1));
            OutOfRange("node", () => r.SetClockRate(bad, 1));
            OutOfRange("node", () => r.ExpiresAtMs(bad, "res"));
            OutOfRange("node", () => r.SetDown(bad, true));
            OutOfRange("node", () => r.Partition("c", 0, bad));
            OutOfRange("node", () => r.JumpClock(bad, 0, 1));
            OutOfRange("node", () => r.Restart(bad, 0));
            OutOfRange("node", () => r.Holder(bad, "res", 0));
        }
        OutOfRange("ms", () => r.SetLatency(2, -0.01));
        OutOfRange("ms", () => r.SetLatency(2, 1e9 + 1));
        r.SetLatency(2, 1e9);
        OutOfRange("rate", () => r.SetClockRate(2, 0.49));
        OutOfRange("rate", () => r.SetClockRate(2, 2.01));
        r.SetClockRate(2, 2);
        r.SetClockRate(0, 0.5);
        Null("resource", () => r.ExpiresAtMs(0, null!));
        Invalid("resource", () => r.ExpiresAtMs(0, ""));
        Assert.Null(r.ExpiresAtMs(2, "res"));
        Null("client", () => r.Partition(null!, 0));
        Invalid("client", () => r.Partition("", 0));
        OutOfRange("atMs", () => r.JumpClock(0, -0.01, 1));
        OutOfRange("jumpMs", () => r.JumpClock(0, 0, 0));
        OutOfRange("atMs", () => r.Restart(0, -0.01));
        OutOfRange("unavailableMs", () => r.Restart(0, 0, -0.01));
        Null("client", () => r.TryAcquire(null!, "res", "t", 10, 0));
        Invalid("client", () => r.TryAcquire("", "res", "t", 10, 0));
        Invalid("resource", () => r.TryAcquire("c", "", "t", 10, 0));
        Invalid("token", () => r.TryAcquire("c", "res", "", 10, 0));
        OutOfRange("ttlMs", () => r.TryAcquire("c", "res", "t", 0, 0));
        OutOfRange("startMs", () => r.TryAcquire("c", "res", "t", 10, -0.01));
        Null("resource", () => r.Release(null!, "t", 0));
        Invalid("resource", () => r.Release("", "t", 0));
        Assert.Null(r.Holder(2, "res", 0));
    }

    [Fact]
    public void Redlock_experiments_refuse_counts_drifts_and_ttls_outside_their_ranges()
    {
        OutOfRange("instances", () => Redlock.SplitBrain(0, RedlockFault.None));
        OutOfRange("instances", () => Redlock.SplitBrain(100, RedlockFault.None));
        OutOfRange("ttlMs", () => Redlock.SplitBrain(3, RedlockFault.None, 299));
        OutOfRange("ttlMs", () => Redlock.SplitBrain(3, RedlockFault.None, 1e9 + 1));
        Assert.False(Redlock.SplitBrain(99, RedlockFault.None, 300).TwoHolders);
        Assert.True(Redlock.SplitBrain(1, RedlockFault.ClockJump, 1e9).TwoHolders);
        OutOfRange("runs", () => Redlock.DriftTrial(0, 0));
        OutOfRange("runs", () => Redlock.DriftTrial(1_000_001, 0));
        OutOfRange("actualDrift", () => Redlock.DriftTrial(1, -0.01));
        OutOfRange("actualDrift", () => Redlock.DriftTrial(1, 0.51));
        OutOfRange("assumedDrift", () => Redlock.DriftTrial(1, 0, -0.01));
        OutOfRange("assumedDrift", () => Redlock.DriftTrial(1, 0, 0.51));
        OutOfRange("ttlMs", () => Redlock.DriftTrial(1, 0, ttlMs: 0));
        OutOfRange("instances", () => Redlock.DriftTrial(1, 0, instances: 0));
        OutOfRange("instances", () => Redlock.DriftTrial(1, 0, instances: 100));
        OutOfRange("requestTimeoutMs", () => Redlock.DriftTrial(1, 0, requestTimeoutMs: 0));
        Assert.Equal(1, Redlock.DriftTrial(1, 0.5, 0.5, instances: 99).Runs);
    }

    [Fact]
    public void Wait_for_graph_searches_refuse_missing_edges_nodes_and_neighbour_functions()
    {
        Null("edges", () => WaitForGraph.CycleThrough((IReadOnlyList<WaitEdge>)null!, 1));
        Null("next", () => WaitForGraph.CycleThrough((Func<int, IReadOnlyList<int>>)null!, 1));
        Null("edges", () => WaitForGraph.AnyCycle(null!));
        Null("nodes", () => WaitForGraph.AnyCycle(null!, _ => []));
        Null("next", () => WaitForGraph.AnyCycle([1], null!));
        Null("edges", () => WaitForGraph.IsCycle(null!, [1, 1]));
        Null("waitsFor", () => WaitForGraph.FromMap(null!));
        Assert.Null(WaitForGraph.AnyCycle([1], _ => []));
    }
}
