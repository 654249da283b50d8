using Npgsql;
using SystemDesign.Locking;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Locking;

/// <summary>Every field of the PostgreSQL labs' results, and the paths the notebook runs do not take.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLabTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(50);

    private static object? Scalar(NpgsqlConnection c, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c);
        return cmd.ExecuteScalar();
    }

    [SkippableFact]
    public void A_deadlock_run_reports_both_sessions_and_the_extra_rows_a_held()
    {
        using var pg = RealSystem.RequirePostgres();
        var d = new PostgresDeadlock(pg);
        d.Reset(10);
        try
        {
            var r = d.Run([new(5), new(7)], [new(7), new(5)], Timeout, Gap, aExtraRows: 3);
            var (victim, survivor) = r.A.SqlState is null ? (r.B, r.A) : (r.A, r.B);
            Assert.Equal(("A", "B"), (r.A.Name, r.B.Name));
            Assert.Equal((3, 0), (r.A.HeldRows, r.B.HeldRows));
            Assert.NotEqual(r.A.ProcessId, r.B.ProcessId);
            Assert.True(r.A.ProcessId > 0 && r.B.ProcessId > 0);
            Assert.Equal((false, TwoSessionRun.DeadlockDetected), (victim.Committed, victim.SqlState));
            Assert.Equal("deadlock detected", victim.Message);
            Assert.Equal((true, (string?)null, (string?)null, (double?)null),
                (survivor.Committed, survivor.SqlState, survivor.Message, survivor.FailedStepMs));
            Assert.True(victim.WaitStartedMs < victim.EndedMs && survivor.WaitStartedMs < survivor.EndedMs);
            Assert.True(survivor.EndedMs >= victim.EndedMs); // it got the row from the victim's rollback
            // The failing statement was sent before the victim was seen waiting, and failed at its end.
            Assert.InRange(victim.EndedMs - victim.FailedStepMs!.Value, 0, victim.WaitStartedMs!.Value);
            // The extra rows 1000..1002 were A's work: they commit only if A does.
            long bumped = r.A.Committed ? 3 : 0;
            Assert.Equal(bumped, Scalar(pg, $"SELECT count(*) FROM {PostgresDeadlock.Table} WHERE balance = 101"));
            const string table = PostgresDeadlock.Table;
            Assert.Equal(bumped == 3, (bool)Scalar(pg, $"SELECT balance = 101 FROM {table} WHERE id = 1002")!);
            Assert.Equal(100, Scalar(pg, $"SELECT balance FROM {table} WHERE id = 1003"));
            Assert.Equal(11L, Scalar(pg, $"SELECT count(*) FROM {table} WHERE id <= 11 OR id >= 1099"));

            // Two FOR SHARE locks do not conflict: nobody waits, both commit, no error detail.
            var shared = d.Run([new(3, RowLockKind.ForShare), new(4)], [new(3, RowLockKind.ForShare)], Timeout, Gap);
            Assert.Equal(((double?)null, (double?)null, true, true, (string?)null),
                (shared.A.WaitStartedMs, shared.B.WaitStartedMs, shared.A.Committed, shared.B.Committed,
                    shared.Detail));
            Assert.Equal((0, 200.0), (shared.DeadlockErrors, shared.DeadlockTimeoutMs));
        }
        finally
        {
            d.Drop();
        }
    }

    [SkippableFact]
    public void A_session_that_may_not_set_deadlock_timeout_runs_at_the_servers_value()
    {
        using var pg = RealSystem.RequirePostgres();
        string role = "nb06_plain_" + Guid.NewGuid().ToString("N")[..8];
        var plain = new NpgsqlConnectionStringBuilder(Servers.PostgresConnectionString) { Username = role };
        var d = new PostgresDeadlock(pg, plain.ConnectionString);
        d.Reset();
        try
        {
            PostgresDeadlock.Exec(pg,
                $"CREATE ROLE {role} LOGIN; GRANT SELECT, UPDATE ON {PostgresDeadlock.Table} TO {role}");
            var r = d.Run([new(5)], [new(6)], Timeout);
            Assert.True(r.A.Committed && r.B.Committed);
            Assert.Equal(Scalar(pg, "SELECT setting::float8 FROM pg_settings WHERE name = 'deadlock_timeout'"),
                r.DeadlockTimeoutMs);
            Assert.NotEqual(200, r.DeadlockTimeoutMs);
        }
        finally
        {
            d.Drop();
            PostgresDeadlock.Exec(pg, $"DROP ROLE IF EXISTS {role}"); // the grant went with the table
        }
    }

    [SkippableFact]
    public void The_idle_holder_reports_its_timeout_and_the_servers_keepalive_setting()
    {
        using var pg = RealSystem.RequirePostgres();
        var d = new PostgresDeadlock(pg);
        d.Reset();
        try
        {
            var freed = d.IdleHolder(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(3));
            Assert.Equal((200.0, true, (string?)null),
                (freed.IdleTimeoutMs, freed.WaiterGotLock, freed.WaiterSqlState));
            Assert.Equal(d.Show("tcp_keepalives_idle"), freed.KeepalivesIdle);
            var held = d.IdleHolder(6, null, TimeSpan.FromMilliseconds(300));
            Assert.Equal(0, held.IdleTimeoutMs);
            Assert.True(held.WaiterWaitedMs >= 300, $"{held.WaiterWaitedMs} ms");
        }
        finally
        {
            d.Drop();
        }
    }

    [SkippableFact]
    public void Advisory_scopes_refuse_a_key_someone_else_already_holds()
    {
        using var pg = RealSystem.RequirePostgres();
        using var squatter = RealSystem.RequirePostgres();
        var d = new PostgresDeadlock(pg);
        PostgresDeadlock.Exec(squatter, "SELECT pg_advisory_lock(6000201)");
        Invalid("xactKey", () => d.AdvisoryLockScopes(6_000_201, 6_000_202),
            "advisory key 6000201 is already held by someone else");
        PostgresDeadlock.Exec(squatter, "SELECT pg_advisory_unlock(6000201); SELECT pg_advisory_lock(6000202)");
        Invalid("sessionKey", () => d.AdvisoryLockScopes(6_000_201, 6_000_202),
            "advisory key 6000202 is already held by someone else");
        PostgresDeadlock.Exec(squatter, "SELECT pg_advisory_unlock(6000202)");
        Assert.Equal(new AdvisoryScopes(true, true, false, true), d.AdvisoryLockScopes(6_000_201, 6_000_202));
    }

    [SkippableFact]
    public void A_drain_reports_every_job_worker_and_interval()
    {
        using var schema = new PgSchema(); // nb06_jobs of this test only: notebook 06 uses the same table
        var q = new JobQueue(schema.Connection, schema.ConnectionString);
        try
        {
            q.Reset(6);
            var work = TimeSpan.FromMilliseconds(20);
            var skip = q.Drain(3, skipLocked: true, work);
            Assert.Equal((6, 3, true, 20.0, 6, 6, 0),
                (skip.Jobs, skip.Workers, skip.SkipLocked, skip.WorkMs, skip.Completions, skip.DistinctJobs,
                    skip.PendingLeft));
            Assert.Equal(3, skip.PerWorker.Count);
            Assert.Equal(6, skip.PerWorker.Sum());
            Assert.Equal(6, skip.Runs.Count);
            Assert.Equal(0, skip.Runs[0].StartMs);
            Assert.Equal(skip.Runs.Select(x => x.StartMs).Order(), skip.Runs.Select(x => x.StartMs));
            Assert.All(skip.Runs, x => Assert.True(x.EndMs - x.StartMs >= 19.99, $"{x}"));
            Assert.Equal([1, 2, 3, 4, 5, 6], skip.Runs.Select(x => x.JobId).Order());
            Assert.Equal(skip.PerWorker, Enumerable.Range(0, 3).Select(w => skip.Runs.Count(x => x.Worker == w)));
            Assert.Equal(JobQueue.MaxOverlap(skip.Runs), skip.MaxConcurrent);
            Assert.True(skip.ElapsedMs >= 40, $"{skip.ElapsedMs} ms"); // 120 ms of work on 3 workers
            Assert.Equal(6 / (skip.ElapsedMs / 1000), skip.JobsPerSecond, 9);
            Assert.Equal("6 done", schema.Scalar(
                $"SELECT count(*) || ' ' || min(status) FROM {JobQueue.Jobs} WHERE status = 'done' AND attempts = 1"));

            q.Reset(4);
            var plain = q.Drain(2, skipLocked: false, work);
            Assert.Equal((4, 2, false, 4, 0, 1),
                (plain.Jobs, plain.Workers, plain.SkipLocked, plain.Completions, plain.PendingLeft,
                    plain.MaxConcurrent));
            Assert.True(plain.ElapsedMs >= 80, $"{plain.ElapsedMs} ms"); // one at a time: 4 × 20 ms
        }
        finally
        {
            q.Drop();
        }
    }

    [SkippableFact]
    public void Leases_without_crashes_deliver_each_job_once_and_claims_carry_their_lease()
    {
        using var schema = new PgSchema(); // nb06_jobs of this test only: notebook 06 uses the same table
        var q = new JobQueue(schema.Connection, schema.ConnectionString);
        try
        {
            q.Reset(20);
            var r = q.RunWithCrashes(2, 0, TimeSpan.FromSeconds(10), seed: 1);
            Assert.Equal((20, 2, 0.0, 20, 0, 0, 20, 20, 0, 0, 0, 1),
                (r.Jobs, r.Workers, r.CrashProbability, r.Claims, r.Crashes, r.Reaped, r.Completions,
                    r.DistinctCompleted, r.JobsNotDone, r.LateCompletionsAccepted, r.LateCompletionsTried,
                    r.MaxAttempts));
            Assert.True(r.ElapsedMs > 0);

            q.Reset(80);
            var crashes = q.RunWithCrashes(3, 0.2, TimeSpan.FromMilliseconds(80), seed: 4);
            Assert.Equal((80, 3, 0.2), (crashes.Jobs, crashes.Workers, crashes.CrashProbability));
            Assert.True(crashes.MaxAttempts >= 2);
            Assert.True(crashes.Claims >= crashes.Completions + crashes.Crashes, $"{crashes}");

            q.Reset(2);
            using var worker = schema.Open();
            var claim = q.TryClaim(worker, 7, TimeSpan.FromMinutes(1))!.Value;
            Assert.Equal(new JobClaim(1, 1), claim);
            const string jobs = JobQueue.Jobs;
            string lease = $"SELECT lease_until > clock_timestamp() + interval '50 seconds' FROM {jobs} WHERE id = 1";
            Assert.Equal("running 7", schema.Scalar($"SELECT status || ' ' || worker FROM {jobs} WHERE id = 1"));
            Assert.Equal(true, schema.Scalar(lease));
            Assert.True(q.Heartbeat(worker, claim, TimeSpan.FromMilliseconds(10)));
            Assert.Equal(false, schema.Scalar(lease));
            Assert.True(q.Heartbeat(worker, claim, TimeSpan.FromMinutes(2)));
            Assert.Equal(true, schema.Scalar(lease));
            Assert.False(q.Heartbeat(worker, claim with { JobId = 2 }, TimeSpan.FromMinutes(1))); // job 2 is pending
            Assert.False(q.Complete(worker, claim with { JobId = 2 }, 7));
            Assert.True(q.Complete(worker, claim, 7));
            Assert.Equal("1 7 1",
                schema.Scalar($"SELECT job_id || ' ' || worker || ' ' || attempt FROM {JobQueue.Results}"));
            Assert.Equal(new JobClaim(2, 1), q.TryClaim(worker, 0, TimeSpan.FromMinutes(1)));
        }
        finally
        {
            q.Drop();
        }
    }

    [SkippableFact]
    public void Workers_that_fail_are_reported_together_after_every_one_has_stopped()
    {
        using var schema = new PgSchema();
        // The workers' search path names a schema without the queue: every claim fails.
        var elsewhere = new NpgsqlConnectionStringBuilder(schema.ConnectionString) { SearchPath = "nb06_nowhere" };
        var q = new JobQueue(schema.Connection, elsewhere.ConnectionString);
        try
        {
            q.Reset(3);
            var e = Assert.Throws<AggregateException>(() => q.Drain(2, skipLocked: true, TimeSpan.Zero));
            Assert.StartsWith("a worker failed", e.Message);
            Assert.Equal(2, e.InnerExceptions.Count);
            Assert.All(e.InnerExceptions, x => Assert.Equal("42P01", Assert.IsType<PostgresException>(x).SqlState));
            Assert.Equal(3L, schema.Scalar($"SELECT count(*) FROM {JobQueue.Jobs} WHERE status = 'pending'"));
        }
        finally
        {
            q.Drop();
        }
    }

    [Fact]
    public void In_progress_steps_down_before_up_when_a_job_ends_as_the_next_starts()
    {
        var (t, n) = JobQueue.InProgress([new(1, 0, 0, 2), new(2, 1, 1, 3)]);
        Assert.Equal([0, 0, 0, 1, 1, 2, 2, 3, 3], t);
        Assert.Equal([0, 0, 1, 1, 2, 2, 1, 1, 0], n);
        var (t2, n2) = JobQueue.InProgress([new(2, 0, 2, 3), new(1, 0, 0, 2)]);
        Assert.Equal([0, 0, 0, 2, 2, 2, 2, 3, 3], t2);
        Assert.Equal([0, 0, 1, 1, 0, 0, 1, 1, 0], n2);
        var (t0, n0) = JobQueue.InProgress([]);
        Assert.Equal([0], t0);
        Assert.Equal([0], n0);
        Assert.Equal(3, JobQueue.MaxOverlap([new(1, 0, 0, 5), new(2, 0, 1, 6), new(3, 0, 2, 7), new(4, 0, 5, 8)]));
    }

    [Fact]
    public void Jobs_per_second_divides_completions_by_elapsed_seconds()
    {
        var r = new DrainResult(10, 2, true, 1, 250, 10, 10, 0, [5, 5], 2, []);
        Assert.Equal(40, r.JobsPerSecond);
    }
}

/// <summary>The Redis lock's race table row by row, its expiry and counter, on the real server.</summary>
public sealed class RedisLockLabTests
{
    [SkippableFact]
    public void Each_release_race_row_says_who_deleted_what_and_extend_and_expiry_are_exact()
    {
        using var redis = RealSystem.RequireRedis();
        var l = new RedisLock(redis.GetDatabase(), "nb06:test:races2");
        const string expired = "(a) A's lock expired, B acquired, A releases";
        const string retried = "(b) A released, B acquired, A retries its release";
        Assert.Equal(
        [
            new ReleaseRace(expired, "Lua compare-and-delete", false, true),
            new ReleaseRace(retried, "Lua compare-and-delete", false, true),
            new ReleaseRace(expired, "plain DEL", true, false),
            new ReleaseRace(retried, "plain DEL", true, false),
        ], l.ReleaseRaces(TimeSpan.FromMilliseconds(5), new Random(3)));
        Assert.Null(l.Holder());
        Assert.Null(l.TimeToLive());
        ExtendSetsTheNewTtlAndAHeldLockIsNotFreeInTime(new RedisLock(redis.GetDatabase(), "nb06:test:lock2"));
    }

    // Part of the test above: one connection, as each connect under load risks the short connect timeout.
    private static void ExtendSetsTheNewTtlAndAHeldLockIsNotFreeInTime(RedisLock l)
    {
        l.Clear();
        try
        {
            Assert.True(l.TryAcquire("a", TimeSpan.FromSeconds(30)));
            Assert.True(l.Extend("a", TimeSpan.FromSeconds(60)));
            Assert.InRange(l.TimeToLive()!.Value.TotalMilliseconds, 30_001, 60_000);
            var e = Assert.Throws<TimeoutException>(() => l.WaitUntilFree(TimeSpan.Zero));
            Assert.Equal("nb06:test:lock2 was still held after 0 ms", e.Message);
            Assert.True(l.Release("a"));
            l.WaitUntilFree(TimeSpan.Zero); // free: returns at once
            Assert.Equal((1L, 2L), (l.NextFencingToken(), l.NextFencingToken()));
            l.Clear(); // the counter goes too
            Assert.Equal(1, l.NextFencingToken());
        }
        finally
        {
            l.Clear();
        }
    }
}
