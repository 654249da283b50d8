using SystemDesign.Locking;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Locking;

/// <summary>Real PostgreSQL. The tests share the nb06_ tables, so they run one at a time and each resets and drops what it uses.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLockingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    [SkippableFact]
    public void Opposite_order_gives_exactly_one_40P01_and_ascending_order_none()
    {
        using var pg = RealSystem.RequirePostgres();
        var d = new PostgresDeadlock(pg);
        d.Reset();
        try
        {
            var r = d.Run([new(5), new(7)], [new(7), new(5)], Timeout, TimeSpan.FromMilliseconds(50));
            Assert.Equal(1, r.DeadlockErrors);
            Assert.NotNull(r.Victim);
            Assert.True(r.A.Committed ^ r.B.Committed);
            Assert.Equal(200, r.DeadlockTimeoutMs);
            Assert.Contains("waits for", r.Detail);
            Assert.Contains(r.Victim!.ProcessId.ToString(), r.Detail);
            Assert.True(r.Victim.FailedStepMs >= 200);

            var ordered = d.Run([new(5), new(7)], [new(5), new(7)], Timeout, TimeSpan.FromMilliseconds(50));
            Assert.Equal(0, ordered.DeadlockErrors);
            Assert.True(ordered.A.Committed && ordered.B.Committed);
            Assert.NotNull(ordered.B.WaitStartedMs); // B did wait, on row 5, behind A

            var timeout = d.Run([new(5), new(7)], [new(7), new(5)], Timeout, lockTimeout: TimeSpan.FromMilliseconds(50));
            Assert.Equal(0, timeout.DeadlockErrors);
            Assert.Equal(TwoSessionRun.LockNotAvailable, timeout.A.SqlState);

            Assert.Equal(1000, d.DefaultDeadlockTimeoutMs());
            Assert.Throws<ArgumentException>(() => d.Show("x; DROP TABLE y"));
            Assert.Throws<ArgumentOutOfRangeException>(() => d.Run([new(5)], [new(5)], TimeSpan.Zero));
        }
        finally
        {
            d.Drop();
        }
    }

    [SkippableFact]
    public void Foreign_key_checks_do_not_conflict_with_non_key_updates()
    {
        using var pg = RealSystem.RequirePostgres();
        var d = new PostgresDeadlock(pg);
        d.Reset();
        try
        {
            RowStep[] nonKey = [new(5, RowLockKind.InsertChild), new(5, RowLockKind.Update)];
            var r = d.Run(nonKey, nonKey, Timeout, TimeSpan.FromMilliseconds(50));
            Assert.Equal(0, r.DeadlockErrors);
            Assert.True(r.A.Committed && r.B.Committed);
            RowStep[] key = [new(6, RowLockKind.InsertChild), new(6, RowLockKind.UpdateKey)];
            Assert.Equal(1, d.Run(key, key, Timeout, TimeSpan.FromMilliseconds(50)).DeadlockErrors);
            RowStep[] delete = [new(7, RowLockKind.InsertChild), new(7, RowLockKind.Delete)];
            Assert.Equal(1, d.Run(delete, delete, Timeout, TimeSpan.FromMilliseconds(50)).DeadlockErrors);
            var single = d.Run([new(8, RowLockKind.InsertChild)], [new(8, RowLockKind.Update)], Timeout);
            Assert.Null(single.B.WaitStartedMs);
        }
        finally
        {
            d.Drop();
        }
    }

    [SkippableFact]
    public void Idle_in_transaction_timeout_releases_a_silent_holders_lock()
    {
        using var pg = RealSystem.RequirePostgres();
        var d = new PostgresDeadlock(pg);
        d.Reset();
        try
        {
            var freed = d.IdleHolder(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(3));
            Assert.True(freed.WaiterGotLock);
            Assert.InRange(freed.WaiterWaitedMs, 150, 3_000);
            Assert.Equal("25P03", freed.HolderNextStatement);
            var held = d.IdleHolder(6, null, TimeSpan.FromMilliseconds(300));
            Assert.Equal((false, "55P03", "still open"), (held.WaiterGotLock, held.WaiterSqlState, held.HolderNextStatement));
            Assert.Throws<ArgumentOutOfRangeException>(() => d.IdleHolder(0, null, Timeout));
        }
        finally
        {
            d.Drop();
        }
    }

    [SkippableFact]
    public void Advisory_lock_scopes()
    {
        using var pg = RealSystem.RequirePostgres();
        var s = new PostgresDeadlock(pg).AdvisoryLockScopes(6_000_101, 6_000_102);
        Assert.Equal(new AdvisoryScopes(true, true, false, true), s);
    }

    [SkippableFact]
    public void Skip_locked_workers_complete_every_job_once()
    {
        using var schema = new PgSchema(); // nb06_jobs of this test only: notebook 06 uses the same table
        var q = new JobQueue(schema.Connection, schema.ConnectionString);
        try
        {
            q.Reset(60);
            var skip = q.Drain(3, skipLocked: true, TimeSpan.FromMilliseconds(1));
            Assert.Equal((60, 60, 0), (skip.Completions, skip.DistinctJobs, skip.PendingLeft));
            q.Reset(30);
            var plain = q.Drain(3, skipLocked: false, TimeSpan.FromMilliseconds(1));
            Assert.Equal((30, 30), (plain.Completions, plain.DistinctJobs));
            Assert.Equal(1, plain.MaxConcurrent); // without SKIP LOCKED the workers take turns
        }
        finally
        {
            q.Drop();
        }
    }

    [SkippableFact]
    public void Leases_and_the_reaper_deliver_every_job_and_fence_late_completions()
    {
        using var schema = new PgSchema(); // nb06_jobs of this test only: notebook 06 uses the same table
        var q = new JobQueue(schema.Connection, schema.ConnectionString);
        try
        {
            q.Reset(80);
            var r = q.RunWithCrashes(3, 0.2, TimeSpan.FromMilliseconds(80), seed: 4);
            Assert.Equal((80, 80, 0), (r.Completions, r.DistinctCompleted, r.JobsNotDone));
            Assert.True(r.Crashes > 0);
            Assert.True(r.Reaped >= r.Crashes);
            Assert.Equal(0, r.LateCompletionsAccepted);
            Assert.Equal(r.Crashes, r.LateCompletionsTried);

            q.Reset(1);
            using var worker = schema.Open();
            var claim = q.TryClaim(worker, 1, TimeSpan.FromMinutes(1))!.Value;
            Assert.Null(q.TryClaim(worker, 2, TimeSpan.FromMinutes(1)));
            Assert.Empty(q.Reap(worker));
            Assert.True(q.Heartbeat(worker, claim, TimeSpan.FromMinutes(1)));
            Assert.False(q.Heartbeat(worker, claim with { Attempt = 9 }, TimeSpan.FromMinutes(1)));
            Assert.True(q.Complete(worker, claim, 1));
            Assert.False(q.Complete(worker, claim, 1));
            Assert.Equal("42703", q.GuideReaperSqlState());
        }
        finally
        {
            q.Drop();
        }
    }

    [SkippableFact]
    public void A_worker_that_dies_inside_its_transaction_frees_its_job()
    {
        using var schema = new PgSchema(); // nb06_jobs of this test only: notebook 06 uses the same table
        var q = new JobQueue(schema.Connection, schema.ConnectionString);
        try
        {
            q.Reset(3);
            var (crashed, next) = q.ClaimThenDisconnect();
            Assert.Equal(1, crashed);
            Assert.Equal(crashed, next);
        }
        finally
        {
            q.Drop();
        }
    }

    [Fact]
    public void Victim_models_and_timeline()
    {
        SessionOutcome S(string name, double? wait, double end, string? state) => new(name, 1, 0, state is null, state, null, wait, end, null);
        // A waits at 0, B at 150; timeout 400: A's single check (400) sees the cycle.
        var soon = new TwoSessionRun(S("A", 0, 400, "40P01"), S("B", 150, 410, null), 400, null);
        Assert.Equal(("A", "A"), (soon.PredictVictim(false), soon.PredictVictim(true)));
        // B waits at 600: A's single check (400) ran before the cycle; B's (1000) finds it. Periodic A would re-check at 800.
        var late = new TwoSessionRun(S("A", 0, 1010, null), S("B", 600, 1000, "40P01"), 400, null);
        Assert.Equal(("B", "A"), (late.PredictVictim(false), late.PredictVictim(true)));
        Assert.Null(new TwoSessionRun(S("A", null, 1, null), S("B", 0, 2, null), 400, null).PredictVictim(false));
        Assert.Equal(2, late.Bars("x").Count);
        Assert.Contains(late.Marks("x"), m => m.Text == "40P01" && m.Lane == "x: B");
        Assert.Contains(late.Marks("x"), m => m.Text == "check" && m.Lane == "x: A" && m.At == 400);
        Assert.DoesNotContain(late.Marks("x"), m => m.Text == "check" && m.Lane == "x: B");
        Assert.Equal("B", late.Victim!.Name);
    }

    [Fact]
    public void In_progress_steps_up_and_down()
    {
        var (t, n) = JobQueue.InProgress([new(1, 0, 0, 2), new(2, 1, 1, 3)]);
        Assert.Equal(2, n.Max());
        Assert.Equal(0, n[^1]);
        Assert.Equal(t.Order(), t);
    }

    [Fact]
    public void Max_overlap_counts_concurrent_intervals()
    {
        Assert.Equal(1, JobQueue.MaxOverlap([new(1, 0, 0, 1), new(2, 0, 1, 2)]));
        Assert.Equal(2, JobQueue.MaxOverlap([new(1, 0, 0, 2), new(2, 1, 1, 3), new(3, 0, 2.5, 4)]));
        Assert.Equal(0, JobQueue.MaxOverlap([]));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection
{
    public const string Name = "nb06 PostgreSQL tables, one test at a time";
}
