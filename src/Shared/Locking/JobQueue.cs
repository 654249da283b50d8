using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using SystemDesign.RealSystems;

namespace SystemDesign.Locking;

/// <summary>A job a worker holds under a lease: the attempt number doubles as a fencing token for completion.</summary>
public readonly record struct JobClaim(long JobId, int Attempt);

/// <summary>One job's processing interval, on the server's clock, in ms from the first start.</summary>
public sealed record JobRun(long JobId, int Worker, double StartMs, double EndMs);

/// <summary>The result of <see cref="JobQueue.Drain"/>.</summary>
/// <param name="Completions">result rows written: one per completed job if no job ran twice.</param>
/// <param name="DistinctJobs">distinct jobs among those rows.</param>
/// <param name="MaxConcurrent">the most jobs whose processing intervals overlapped: 1 means the workers ran one at a time.</param>
public sealed record DrainResult(int Jobs, int Workers, bool SkipLocked, double WorkMs, double ElapsedMs, int Completions, int DistinctJobs,
    int PendingLeft, IReadOnlyList<int> PerWorker, int MaxConcurrent, IReadOnlyList<JobRun> Runs)
{
    public double JobsPerSecond => Completions / (ElapsedMs / 1000);
}

/// <summary>The result of <see cref="JobQueue.RunWithCrashes"/>.</summary>
/// <param name="Claims">jobs handed out, re-deliveries included.</param>
/// <param name="Crashes">claims whose worker died without completing.</param>
/// <param name="Reaped">jobs the reaper put back after their lease expired.</param>
/// <param name="Completions">result rows written.</param>
/// <param name="DistinctCompleted">distinct jobs among them.</param>
/// <param name="LateCompletionsAccepted">completions retried, after everything was done, by the workers that had "crashed" (a zombie waking up): the attempt check must refuse every one.</param>
/// <param name="MaxAttempts">the most deliveries any job needed.</param>
public sealed record CrashRunResult(int Jobs, int Workers, double CrashProbability, int Claims, int Crashes, int Reaped, int Completions,
    int DistinctCompleted, int JobsNotDone, int LateCompletionsAccepted, int LateCompletionsTried, int MaxAttempts, double ElapsedMs);

/// <summary>
/// A PostgreSQL job queue built on <c>SELECT … FOR UPDATE SKIP LOCKED</c>, in the two shapes people use:
/// <list type="bullet">
/// <item><see cref="Drain"/>: claim, work and mark done in one transaction. The row lock is the claim; a crash
/// rolls everything back and the job is simply pending again; the effect and the "done" mark commit together,
/// so each job's effect happens exactly once. Without SKIP LOCKED every worker queues on the same first row.</item>
/// <item>Leases (<see cref="TryClaim"/>, <see cref="Heartbeat"/>, <see cref="Complete"/>, <see cref="Reap"/>): the
/// claim commits at once (status running, a lease deadline), work happens outside any transaction, a reaper
/// re-queues jobs whose lease expired. Delivery is at least once; completion checks the attempt number, so a
/// worker that was presumed dead cannot complete a job that has been handed to someone else.</item>
/// </list>
/// </summary>
public sealed class JobQueue
{
    public const string Jobs = "nb06_jobs";
    public const string Results = "nb06_job_results";
    private const string GuideJobs = "nb06_guide_jobs";

    private readonly NpgsqlConnection _admin;
    private readonly string _connectionString;

    /// <param name="admin">an open connection for setup and verification.</param>
    /// <param name="connectionString">for the workers' own connections; defaults to <see cref="Servers.PostgresConnectionString"/>.</param>
    public JobQueue(NpgsqlConnection admin, string? connectionString = null)
    {
        _admin = Guard.NotNull(admin);
        _connectionString = connectionString ?? Servers.PostgresConnectionString;
    }

    /// <summary>(Re)creates the queue with <paramref name="jobs"/> pending jobs and an empty results table.</summary>
    public void Reset(int jobs)
    {
        Guard.InRange(jobs, 1, 100_000);
        PostgresDeadlock.Exec(_admin, $"""
            DROP TABLE IF EXISTS {Results}; DROP TABLE IF EXISTS {Jobs};
            CREATE TABLE {Jobs} (id bigint PRIMARY KEY, status text NOT NULL DEFAULT 'pending', attempts int NOT NULL DEFAULT 0,
                                 worker int, lease_until timestamptz);
            CREATE INDEX ON {Jobs} (id) WHERE status = 'pending';
            CREATE TABLE {Results} (job_id bigint NOT NULL, worker int NOT NULL, attempt int NOT NULL,
                                    started_at timestamptz, finished_at timestamptz);
            INSERT INTO {Jobs} (id) SELECT g FROM generate_series(1, {jobs}) g;
            ANALYZE {Jobs};
            """);
    }

    public void Drop() => PostgresDeadlock.Exec(_admin, $"DROP TABLE IF EXISTS {Results}; DROP TABLE IF EXISTS {Jobs}; DROP TABLE IF EXISTS {GuideJobs}");

    /// <summary>
    /// Real worker threads, each on its own connection, drain the queue: claim one job (FOR UPDATE, with or
    /// without SKIP LOCKED), hold it for <paramref name="work"/> (pg_sleep inside the transaction, standing in for
    /// the job's work), write its result and mark it done, commit. Call <see cref="Reset"/> first.
    /// </summary>
    public DrainResult Drain(int workers, bool skipLocked, TimeSpan work)
    {
        Guard.InRange(workers, 1, 32);
        Guard.InRange(work.TotalMilliseconds, 0, 1000, nameof(work));
        int jobs = Count($"SELECT count(*) FROM {Jobs}");
        string claim = $"SELECT id FROM {Jobs} WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : "");
        string process = $"""
            INSERT INTO {Results} (job_id, worker, attempt, started_at) VALUES (@id, @w, 1, clock_timestamp());
            SELECT pg_sleep(@s);
            UPDATE {Results} SET finished_at = clock_timestamp() WHERE job_id = @id AND worker = @w AND finished_at IS NULL;
            UPDATE {Jobs} SET status = 'done', attempts = attempts + 1, worker = @w WHERE id = @id;
            """;
        double elapsed = RunWorkers(workers, (w, c) =>
        {
            while (true)
            {
                using var tx = c.BeginTransaction();
                object? id;
                using (var cmd = new NpgsqlCommand(claim, c, tx)) id = cmd.ExecuteScalar();
                if (id is not long jobId)
                {
                    tx.Commit();
                    return;
                }
                using (var cmd = new NpgsqlCommand(process, c, tx))
                {
                    cmd.Parameters.AddWithValue("id", jobId);
                    cmd.Parameters.AddWithValue("w", w);
                    cmd.Parameters.AddWithValue("s", work.TotalSeconds);
                    cmd.ExecuteNonQuery();
                }
                tx.Commit();
            }
        });

        var runs = new List<JobRun>();
        using (var cmd = new NpgsqlCommand($"""
            SELECT job_id, worker,
                   extract(epoch FROM started_at - min(started_at) OVER ()) * 1000,
                   extract(epoch FROM finished_at - min(started_at) OVER ()) * 1000
            FROM {Results} ORDER BY started_at
            """, _admin))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                runs.Add(new JobRun(r.GetInt64(0), r.GetInt32(1), (double)r.GetDecimal(2), (double)r.GetDecimal(3)));
        var perWorker = Enumerable.Range(0, workers).Select(w => runs.Count(x => x.Worker == w)).ToList();
        return new DrainResult(jobs, workers, skipLocked, work.TotalMilliseconds, elapsed, runs.Count, runs.Select(x => x.JobId).Distinct().Count(),
            Count($"SELECT count(*) FROM {Jobs} WHERE status <> 'done'"), perWorker, MaxOverlap(runs), runs);
    }

    /// <summary>Claims the oldest pending job under a lease, or returns null when none is pending (or all are locked by other claimers).</summary>
    public JobClaim? TryClaim(NpgsqlConnection connection, int worker, TimeSpan lease)
    {
        Guard.NotNull(connection);
        Guard.NonNegative(worker);
        Guard.InRange(lease.TotalMilliseconds, 1, 3_600_000, nameof(lease));
        using var cmd = new NpgsqlCommand($"""
            UPDATE {Jobs} SET status = 'running', attempts = attempts + 1, worker = @w,
                              lease_until = clock_timestamp() + @lease * interval '1 millisecond'
            WHERE id = (SELECT id FROM {Jobs} WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, attempts
            """, connection);
        cmd.Parameters.AddWithValue("w", worker);
        cmd.Parameters.AddWithValue("lease", lease.TotalMilliseconds);
        using var r = cmd.ExecuteReader();
        return r.Read() ? new JobClaim(r.GetInt64(0), r.GetInt32(1)) : null;
    }

    /// <summary>Extends the lease; false when the job is no longer this attempt's (reaped and re-delivered, or done).</summary>
    public bool Heartbeat(NpgsqlConnection connection, JobClaim claim, TimeSpan lease)
    {
        Guard.NotNull(connection);
        Guard.InRange(lease.TotalMilliseconds, 1, 3_600_000, nameof(lease));
        using var cmd = new NpgsqlCommand($"""
            UPDATE {Jobs} SET lease_until = clock_timestamp() + @lease * interval '1 millisecond'
            WHERE id = @id AND attempts = @a AND status = 'running'
            """, connection);
        cmd.Parameters.AddWithValue("id", claim.JobId);
        cmd.Parameters.AddWithValue("a", claim.Attempt);
        cmd.Parameters.AddWithValue("lease", lease.TotalMilliseconds);
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// Marks the job done and writes its result in one statement, only if this attempt still owns it: a worker
    /// whose lease was reaped (and the job re-delivered) gets false, and its result is not written.
    /// </summary>
    public bool Complete(NpgsqlConnection connection, JobClaim claim, int worker)
    {
        Guard.NotNull(connection);
        Guard.NonNegative(worker);
        using var cmd = new NpgsqlCommand($"""
            WITH done AS (UPDATE {Jobs} SET status = 'done', lease_until = NULL
                          WHERE id = @id AND attempts = @a AND status = 'running' RETURNING id, attempts)
            INSERT INTO {Results} (job_id, worker, attempt, finished_at) SELECT id, @w, attempts, clock_timestamp() FROM done
            """, connection);
        cmd.Parameters.AddWithValue("id", claim.JobId);
        cmd.Parameters.AddWithValue("a", claim.Attempt);
        cmd.Parameters.AddWithValue("w", worker);
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <summary>Puts back every running job whose lease has expired; returns their ids.</summary>
    public IReadOnlyList<long> Reap(NpgsqlConnection connection)
    {
        Guard.NotNull(connection);
        using var cmd = new NpgsqlCommand($"""
            UPDATE {Jobs} SET status = 'pending', worker = NULL, lease_until = NULL
            WHERE status = 'running' AND lease_until < clock_timestamp() RETURNING id
            """, connection);
        var ids = new List<long>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    }

    /// <summary>
    /// Lease-based workers on real threads; each claim "crashes" (is abandoned without completing or
    /// heart-beating) with <paramref name="crashProbability"/>, decided by a seeded generator per worker. A
    /// reaper thread re-queues expired leases every lease/4. Runs until every job is done, then lets each crashed
    /// claim try to complete late, as a paused worker would on waking. Call <see cref="Reset"/> first.
    /// </summary>
    public CrashRunResult RunWithCrashes(int workers, double crashProbability, TimeSpan lease, int seed)
    {
        Guard.InRange(workers, 1, 32);
        Guard.InRange(crashProbability, 0, 0.9);
        Guard.InRange(lease.TotalMilliseconds, 10, 10_000, nameof(lease));
        int jobs = Count($"SELECT count(*) FROM {Jobs}");
        var crashed = new ConcurrentBag<(JobClaim Claim, int Worker)>();
        int claims = 0, reaped = 0;
        using var stop = new CancellationTokenSource();
        var reaper = new Thread(() =>
        {
            using var c = OpenConnection();
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Add(ref reaped, Reap(c).Count);
                stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(lease.TotalMilliseconds / 4));
            }
        }) { IsBackground = true };
        reaper.Start();
        double elapsed;
        try
        {
            elapsed = RunWorkers(workers, (w, c) =>
            {
                var rng = new Random(unchecked(seed * 7919 + w));
                var deadline = Stopwatch.StartNew();
                while (deadline.Elapsed < TimeSpan.FromSeconds(60))
                {
                    if (TryClaim(c, w, lease) is not { } claim)
                    {
                        if (CountOn(c, $"SELECT count(*) FROM {Jobs} WHERE status <> 'done'") == 0) return;
                        Thread.Sleep(5); // jobs are running elsewhere or waiting for the reaper
                        continue;
                    }
                    Interlocked.Increment(ref claims);
                    if (rng.NextDouble() < crashProbability)
                    {
                        crashed.Add((claim, w)); // the process dies here; a fresh one takes its place
                        continue;
                    }
                    Complete(c, claim, w);
                }
                throw new TimeoutException("the queue was not drained within 60 s");
            });
        }
        finally
        {
            stop.Cancel();
            reaper.Join();
        }

        int late = 0;
        using (var c = OpenConnection())
            foreach (var (claim, w) in crashed)
                if (Complete(c, claim, w)) late++;
        return new CrashRunResult(jobs, workers, crashProbability, claims, crashed.Count, reaped,
            Count($"SELECT count(*) FROM {Results}"), Count($"SELECT count(DISTINCT job_id) FROM {Results}"),
            Count($"SELECT count(*) FROM {Jobs} WHERE status <> 'done'"), late, crashed.Count,
            Count($"SELECT coalesce(max(attempts), 0) FROM {Jobs}"), elapsed);
    }

    /// <summary>
    /// The guide's own schema and reaper, verbatim (in table <c>nb06_guide_jobs</c>): the reaper filters on
    /// <c>updated_at</c>, a column the schema never defines. Returns the SQLSTATE PostgreSQL answers, or null if it ran.
    /// </summary>
    public string? GuideReaperSqlState()
    {
        PostgresDeadlock.Exec(_admin, $"""
            DROP TABLE IF EXISTS {GuideJobs};
            CREATE TABLE {GuideJobs} (id BIGSERIAL PRIMARY KEY, status TEXT DEFAULT 'pending', payload JSONB, attempts INT DEFAULT 0, run_at TIMESTAMPTZ DEFAULT NOW(), created_at TIMESTAMPTZ DEFAULT NOW());
            CREATE INDEX ON {GuideJobs}(status, run_at) WHERE status IN ('pending','failed');
            """);
        try
        {
            PostgresDeadlock.Exec(_admin, $"UPDATE {GuideJobs} SET status='pending', run_at=NOW()+interval'5m' WHERE status='running' AND updated_at < NOW()-interval'10m'");
            return null;
        }
        catch (PostgresException e)
        {
            return e.SqlState;
        }
        finally
        {
            PostgresDeadlock.Exec(_admin, $"DROP TABLE IF EXISTS {GuideJobs}");
        }
    }

    /// <summary>Jobs in progress over time, as a step function: (time, count) after each start or end.</summary>
    public static (double[] TimeMs, double[] InProgress) InProgress(IReadOnlyList<JobRun> runs)
    {
        Guard.NotNull(runs);
        var events = runs.SelectMany(r => new[] { (T: r.StartMs, D: +1), (T: r.EndMs, D: -1) }).OrderBy(e => e.T).ThenBy(e => e.D).ToList();
        var t = new List<double> { 0 };
        var n = new List<double> { 0 };
        int now = 0;
        foreach (var e in events)
        {
            t.Add(e.T);
            n.Add(now);
            now += e.D;
            t.Add(e.T);
            n.Add(now);
        }
        return (t.ToArray(), n.ToArray());
    }

    /// <summary>
    /// The transactional pattern needs no reaper: a worker claims a job inside a transaction and its process
    /// dies (the connection closes without COMMIT); PostgreSQL rolls back and drops the row lock, and the next
    /// worker claims the same job at once. Returns (job the crashed worker held, job the next worker got).
    /// Call <see cref="Reset"/> first.
    /// </summary>
    public (long Crashed, long? NextClaim) ClaimThenDisconnect()
    {
        string claim = $"SELECT id FROM {Jobs} WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
        long crashed;
        using (var dying = OpenConnection())
        {
            var tx = dying.BeginTransaction();
            using var cmd = new NpgsqlCommand(claim, dying, tx);
            crashed = (long)cmd.ExecuteScalar()!;
            using var next = OpenConnection();
            using var peek = new NpgsqlCommand(claim, next);
            Guard.That(peek.ExecuteScalar() is not long id || id != crashed, "a claimed row must be skipped while its claimer lives", nameof(claim));
        } // Dispose closes the connection mid-transaction: what a killed process does
        using var survivor = OpenConnection();
        using var again = new NpgsqlCommand(claim, survivor);
        return (crashed, again.ExecuteScalar() as long?);
    }

    /// <summary>The most intervals that overlap at any instant (an end at the same instant as a start does not overlap).</summary>
    public static int MaxOverlap(IReadOnlyList<JobRun> runs)
    {
        Guard.NotNull(runs);
        var events = runs.SelectMany(r => new[] { (T: r.StartMs, D: +1), (T: r.EndMs, D: -1) }).OrderBy(e => e.T).ThenBy(e => e.D);
        int now = 0, max = 0;
        foreach (var e in events) max = Math.Max(max, now += e.D);
        return max;
    }

    private NpgsqlConnection OpenConnection()
    {
        var c = new NpgsqlConnection(_connectionString);
        c.Open();
        return c;
    }

    /// <summary>Starts the workers together (connections opened first) and returns the ms until the last one finished.</summary>
    private double RunWorkers(int workers, Action<int, NpgsqlConnection> body)
    {
        var connections = Enumerable.Range(0, workers).Select(_ => OpenConnection()).ToList();
        try
        {
            using var start = new Barrier(workers + 1);
            var errors = new ConcurrentBag<Exception>();
            var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    body(w, connections[w]);
                }
                catch (Exception e)
                {
                    errors.Add(e);
                }
            }) { IsBackground = true }).ToList();
            threads.ForEach(t => t.Start());
            start.SignalAndWait();
            var clock = Stopwatch.StartNew();
            threads.ForEach(t => t.Join());
            clock.Stop();
            if (!errors.IsEmpty) throw new AggregateException("a worker failed", errors);
            return clock.Elapsed.TotalMilliseconds;
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    private int Count(string sql) => CountOn(_admin, sql);

    private static int CountOn(NpgsqlConnection c, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c);
        return Convert.ToInt32(cmd.ExecuteScalar());
    }
}
