using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using SystemDesign.RealSystems;

namespace SystemDesign.Locking;

/// <summary>How a step takes its row lock.</summary>
public enum RowLockKind
{
    /// <summary><c>SELECT … FOR UPDATE</c>: an exclusive row lock without changing the row.</summary>
    ForUpdate,

    /// <summary><c>SELECT … FOR SHARE</c>: a shared row lock; two sessions can both hold it.</summary>
    ForShare,

    /// <summary><c>UPDATE</c>: writes the row, which needs the exclusive lock.</summary>
    Update,
}

/// <summary>One step of a session: lock one row of <see cref="PostgresDeadlock.Table"/>.</summary>
public readonly record struct RowStep(int Row, RowLockKind Kind = RowLockKind.ForUpdate)
{
    public override string ToString() => Kind switch
    {
        RowLockKind.ForShare => $"SELECT … WHERE id = {Row} FOR SHARE",
        RowLockKind.Update => $"UPDATE … WHERE id = {Row}",
        _ => $"SELECT … WHERE id = {Row} FOR UPDATE",
    };
}

/// <summary>How one session of a <see cref="PostgresDeadlock.Run"/> ended.</summary>
/// <param name="Name">"A" (first) or "B" (second).</param>
/// <param name="ProcessId">the backend's PID, as PostgreSQL's error detail names it.</param>
/// <param name="HeldRows">rows the session had locked before its steps (its "work done").</param>
/// <param name="Committed">true when every step succeeded and the session committed.</param>
/// <param name="SqlState">the error's SQLSTATE (40P01 deadlock, 55P03 lock timeout), or null.</param>
/// <param name="WaitStartedMs">when its first lock wait was seen (ms after the run started), or null if it never waited.</param>
/// <param name="EndedMs">when its last statement returned or failed (ms after the run started).</param>
/// <param name="FailedStepMs">for a failed session: time from sending the failing statement to the error.</param>
public sealed record SessionOutcome(string Name, int ProcessId, int HeldRows, bool Committed, string? SqlState, string? Message,
    double? WaitStartedMs, double EndedMs, double? FailedStepMs);

/// <summary>The result of a two-session schedule.</summary>
public sealed record TwoSessionRun(SessionOutcome A, SessionOutcome B, double DeadlockTimeoutMs, string? Detail)
{
    /// <summary>The session that received SQLSTATE 40P01, or null when there was no deadlock error.</summary>
    public SessionOutcome? Victim => A.SqlState == DeadlockDetected ? A : B.SqlState == DeadlockDetected ? B : null;

    /// <summary>How many sessions received 40P01 (PostgreSQL aborts exactly one per cycle).</summary>
    public int DeadlockErrors => (A.SqlState == DeadlockDetected ? 1 : 0) + (B.SqlState == DeadlockDetected ? 1 : 0);

    /// <summary>
    /// Which session a model of the detector predicts as the victim, from the observed wait starts. Each backend
    /// runs the check deadlock_timeout after it began waiting — once (<paramref name="periodic"/> false, what
    /// PostgreSQL does), or again every deadlock_timeout (true, what "checked every deadlock_timeout" suggests);
    /// the first check that runs while the cycle exists (both waiting) finds it and aborts its own backend.
    /// Null when one of the sessions never waited.
    /// </summary>
    public string? PredictVictim(bool periodic)
    {
        if (A.WaitStartedMs is not { } a || B.WaitStartedMs is not { } b) return null;
        double cycle = Math.Max(a, b), t = DeadlockTimeoutMs;
        double FirstCheckAfter(double start)
        {
            double first = start + t;
            if (first > cycle || !periodic) return first > cycle ? first : double.PositiveInfinity;
            return start + t * (Math.Floor((cycle - start) / t) + 1);
        }
        double ca = FirstCheckAfter(a), cb = FirstCheckAfter(b);
        return double.IsPositiveInfinity(Math.Min(ca, cb)) ? null : ca <= cb ? A.Name : B.Name;
    }

    /// <summary>Timeline bars: each session's lock wait, on lanes named "<paramref name="label"/>: A" and "…: B".</summary>
    public IReadOnlyList<TimelineBar> Bars(string label)
    {
        Guard.NotEmpty(label);
        return new[] { A, B }.Where(s => s.WaitStartedMs is not null)
            .Select(s => new TimelineBar($"{label}: {s.Name}", s.WaitStartedMs!.Value, s.EndedMs, "waiting for a row lock")).ToList();
    }

    /// <summary>Timeline marks: when a surviving backend's deadlock check ran (deadlock_timeout after it began to wait) and how each session ended.</summary>
    public IReadOnlyList<TimelineMark> Marks(string label)
    {
        Guard.NotEmpty(label);
        var marks = new List<TimelineMark>();
        foreach (var s in new[] { A, B })
        {
            string lane = $"{label}: {s.Name}";
            // The victim's check is the one that found the cycle: its 40P01 marks it. Others found nothing.
            if (s.WaitStartedMs is { } w && s.SqlState is null && w + DeadlockTimeoutMs < s.EndedMs)
                marks.Add(new TimelineMark(lane, w + DeadlockTimeoutMs, "check", "deadlock check ran, no cycle yet", true, "diamond-open", "dimgray"));
            marks.Add(s.SqlState is { } state
                ? new TimelineMark(lane, s.EndedMs, state, "aborted itself", false)
                : new TimelineMark(lane, s.EndedMs, "commit", "got the lock, committed", true));
        }
        return marks;
    }

    public const string DeadlockDetected = "40P01";
    public const string LockNotAvailable = "55P03";
}

/// <summary>Which advisory locks were free, at each point of <see cref="PostgresDeadlock.AdvisoryLockScopes"/>.</summary>
/// <param name="XactLockBlocksOthersInside">another session could not take the transaction-level lock while the holder's transaction ran.</param>
/// <param name="XactLockFreeAfterCommit">another session could take it right after the holder committed.</param>
/// <param name="SessionLockFreeAfterCommit">another session could take a session-level lock right after the holder committed (false: it outlives the transaction).</param>
/// <param name="SessionLockFreeAfterUnlock">… and after the holder called pg_advisory_unlock.</param>
public sealed record AdvisoryScopes(bool XactLockBlocksOthersInside, bool XactLockFreeAfterCommit, bool SessionLockFreeAfterCommit, bool SessionLockFreeAfterUnlock);

/// <summary>
/// Real PostgreSQL deadlocks between two sessions, with a scripted interleaving. Each session is its own
/// connection and backend. Steps alternate (A's first, B's first, A's second, …); a step that blocks is left
/// waiting — seen in <c>pg_stat_activity</c> — and, after an optional pause, the other session moves on. When
/// both wait on each other, PostgreSQL itself breaks the cycle: a backend that has waited
/// <c>deadlock_timeout</c> runs the deadlock check once, and if it finds a cycle it aborts its own transaction
/// with 40P01. Which session that is depends on when each began to wait, not on its age or on how much work it
/// did; <see cref="Run"/> lets a notebook show exactly that.
/// </summary>
public sealed class PostgresDeadlock
{
    public const string Table = "nb06_accounts";
    private const int ExtraRowsBase = 1000;

    private readonly NpgsqlConnection _admin;
    private readonly string _connectionString;

    /// <param name="admin">an open connection for setup and for watching the sessions.</param>
    /// <param name="connectionString">for the two sessions; defaults to <see cref="Servers.PostgresConnectionString"/>.</param>
    public PostgresDeadlock(NpgsqlConnection admin, string? connectionString = null)
    {
        _admin = Guard.NotNull(admin);
        // Npgsql hides an error's DETAIL unless asked: the deadlock detail names the processes.
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString ?? Servers.PostgresConnectionString) { IncludeErrorDetail = true }.ConnectionString;
    }

    /// <summary>(Re)creates the table: rows 1..<paramref name="rows"/> plus 100 rows from 1000 up for "extra work".</summary>
    public void Reset(int rows = 100)
    {
        Guard.InRange(rows, 2, 999);
        Exec(_admin, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (id int PRIMARY KEY, balance int NOT NULL);"
                     + $"INSERT INTO {Table} SELECT g, 100 FROM generate_series(1, {rows}) g;"
                     + $"INSERT INTO {Table} SELECT g, 100 FROM generate_series({ExtraRowsBase}, {ExtraRowsBase + 99}) g;");
    }

    public void Drop() => Exec(_admin, $"DROP TABLE IF EXISTS {Table}");

    /// <summary>The value the server starts with (pg_settings.boot_val), in milliseconds: 1000 unless the server was built otherwise.</summary>
    public double DefaultDeadlockTimeoutMs()
    {
        using var cmd = new NpgsqlCommand("SELECT boot_val, unit FROM pg_settings WHERE name = 'deadlock_timeout'", _admin);
        using var r = cmd.ExecuteReader();
        r.Read();
        Guard.That(r.GetString(1) == "ms", "deadlock_timeout is expected in ms", "unit");
        return double.Parse(r.GetString(0), CultureInfo.InvariantCulture);
    }

    /// <summary>SHOW <paramref name="setting"/> on the admin connection.</summary>
    public string Show(string setting)
    {
        Guard.NotEmpty(setting);
        Guard.That(Regex.IsMatch(setting, "^[a-z_]+$"), "setting must be a parameter name (lower-case letters and _)", nameof(setting));
        using var cmd = new NpgsqlCommand($"SHOW {setting}", _admin);
        return (string)cmd.ExecuteScalar()!;
    }

    /// <summary>
    /// Runs two sessions: A first locks <paramref name="aExtraRows"/> other rows (work done), then the steps
    /// alternate A, B, A, B…; a step that waits is given <paramref name="gap"/> before the other session moves.
    /// Each session commits after its last step, or rolls back when a statement fails.
    /// </summary>
    /// <param name="deadlockTimeout">set in both sessions (superuser only; otherwise the server's value is used and reported).</param>
    /// <param name="lockTimeout">when set, a statement that waits longer fails with 55P03.</param>
    public TwoSessionRun Run(IReadOnlyList<RowStep> a, IReadOnlyList<RowStep> b, TimeSpan deadlockTimeout, TimeSpan gap = default,
        int aExtraRows = 0, TimeSpan? lockTimeout = null)
    {
        Guard.NotEmpty(a);
        Guard.NotEmpty(b);
        Guard.InRange(deadlockTimeout.TotalMilliseconds, 1, 10_000, nameof(deadlockTimeout));
        Guard.InRange(gap.TotalMilliseconds, 0, 10_000, nameof(gap));
        Guard.InRange(aExtraRows, 0, 100);
        if (lockTimeout is { } lt) Guard.InRange(lt.TotalMilliseconds, 1, 10_000, nameof(lockTimeout));

        var clock = Stopwatch.StartNew();
        using var sa = new Session("A", a, Open(), clock);
        using var sb = new Session("B", b, Open(), clock);
        double timeoutMs = 0;
        foreach (var s in new[] { sa, sb })
        {
            timeoutMs = Configure(s.Connection, deadlockTimeout, lockTimeout);
            Exec(s.Connection, "BEGIN");
        }
        if (aExtraRows > 0)
            Exec(sa.Connection, $"UPDATE {Table} SET balance = balance + 1 WHERE id BETWEEN {ExtraRowsBase} AND {ExtraRowsBase + aExtraRows - 1}");
        sa.HeldRows = aExtraRows;

        clock.Restart();
        var order = new[] { sa, sb };
        int turn = 0;
        while (!sa.Finished || !sb.Finished)
        {
            // Prefer alternation; skip a session that is blocked or finished.
            var next = order.Select((_, i) => order[(turn + i) % 2]).FirstOrDefault(s => !s.Finished && s.Pending is null);
            if (next is null)
            {
                // Both wait: only PostgreSQL can end this (deadlock check or lock timeout).
                Task.WaitAny(order.Where(s => s.Pending is not null).Select(s => s.Pending!).ToArray(), TimeSpan.FromSeconds(30));
                foreach (var s in order) s.Collect();
                continue;
            }
            turn = Array.IndexOf(order, next) + 1;
            next.Issue(Table);
            var other = order[turn % 2];
            // The pause matters only when the other session is about to move while this one waits.
            if (Settle(next) && !other.Finished && other.Pending is null) Thread.Sleep(gap);
            foreach (var s in order) s.Collect();
        }
        string? detail = new[] { sa, sb }.Select(s => s.Error?.Detail).FirstOrDefault(d => d is not null);
        return new TwoSessionRun(sa.Outcome(), sb.Outcome(), timeoutMs, detail);
    }

    /// <summary>
    /// Takes advisory locks on two keys from two sessions to show their scopes: pg_try_advisory_xact_lock is
    /// released at the end of the holder's transaction, pg_try_advisory_lock only by unlock (or disconnect).
    /// </summary>
    public AdvisoryScopes AdvisoryLockScopes(long xactKey, long sessionKey)
    {
        Guard.That(xactKey != sessionKey, "the two keys must differ", nameof(sessionKey));
        using var holder = Open();
        using var other = Open();
        Exec(holder, "BEGIN");
        Guard.That(Try(holder, "pg_try_advisory_xact_lock", xactKey), $"advisory key {xactKey} is already held by someone else", nameof(xactKey));
        bool blocked = !Try(other, "pg_try_advisory_xact_lock", xactKey);
        Exec(holder, "COMMIT");
        bool freeAfterCommit = Try(other, "pg_try_advisory_xact_lock", xactKey); // autocommit: released again at once

        Exec(holder, "BEGIN");
        Guard.That(Try(holder, "pg_try_advisory_lock", sessionKey), $"advisory key {sessionKey} is already held by someone else", nameof(sessionKey));
        Exec(holder, "COMMIT");
        bool sessionFreeAfterCommit = Try(other, "pg_try_advisory_lock", sessionKey);
        if (sessionFreeAfterCommit) Unlock(other, sessionKey);
        Unlock(holder, sessionKey);
        bool sessionFreeAfterUnlock = Try(other, "pg_try_advisory_lock", sessionKey);
        if (sessionFreeAfterUnlock) Unlock(other, sessionKey);
        return new AdvisoryScopes(blocked, freeAfterCommit, sessionFreeAfterCommit, sessionFreeAfterUnlock);
    }

    private NpgsqlConnection Open()
    {
        var c = new NpgsqlConnection(_connectionString);
        c.Open();
        return c;
    }

    private double Configure(NpgsqlConnection c, TimeSpan deadlockTimeout, TimeSpan? lockTimeout)
    {
        Exec(c, "SET application_name = 'nb06-deadlock'");
        try
        {
            Exec(c, $"SET deadlock_timeout = '{(int)deadlockTimeout.TotalMilliseconds}ms'");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // Only superusers may change it; the run still works, at the server's value.
        }
        if (lockTimeout is { } lt) Exec(c, $"SET lock_timeout = '{(int)lt.TotalMilliseconds}ms'");
        using var cmd = new NpgsqlCommand("SELECT setting::float8 FROM pg_settings WHERE name = 'deadlock_timeout'", c);
        return (double)cmd.ExecuteScalar()!;
    }

    /// <summary>Waits until the step finished, failed, or is seen waiting for a lock. True when it waits.</summary>
    private bool Settle(Session s)
    {
        using var cmd = new NpgsqlCommand("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = @pid", _admin);
        cmd.Parameters.AddWithValue("pid", s.Connection.ProcessID);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (s.Pending!.Wait(TimeSpan.FromMilliseconds(2))) return false;
            if (cmd.ExecuteScalar() is true)
            {
                s.MarkWaiting();
                return true;
            }
        }
        throw new TimeoutException($"session {s.Name}'s step neither finished nor waited within 30 s");
    }

    private static bool Try(NpgsqlConnection c, string function, long key)
    {
        using var cmd = new NpgsqlCommand($"SELECT {function}(@k)", c);
        cmd.Parameters.AddWithValue("k", key);
        return (bool)cmd.ExecuteScalar()!;
    }

    private static void Unlock(NpgsqlConnection c, long key)
    {
        using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", c);
        cmd.Parameters.AddWithValue("k", key);
        cmd.ExecuteScalar();
    }

    internal static void Exec(NpgsqlConnection c, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    /// <summary>One connection working through its steps, one statement in flight at a time.</summary>
    private sealed class Session(string name, IReadOnlyList<RowStep> steps, NpgsqlConnection connection, Stopwatch clock) : IDisposable
    {
        private int _next;
        private bool _committing;
        private double _issuedAt;

        public string Name { get; } = name;
        public NpgsqlConnection Connection { get; } = connection;
        public int HeldRows { get; set; }
        public Task? Pending { get; private set; }
        public PostgresException? Error { get; private set; }
        public bool Finished { get; private set; }
        private bool _committed;
        private double? _waitStarted, _failedStep;
        private double _ended;
        private double _completedAt;

        public void Issue(string table)
        {
            string sql;
            if (_next < steps.Count)
            {
                var step = steps[_next++];
                sql = step.Kind switch
                {
                    RowLockKind.ForShare => $"SELECT balance FROM {table} WHERE id = {step.Row} FOR SHARE",
                    RowLockKind.Update => $"UPDATE {table} SET balance = balance - 1 WHERE id = {step.Row}",
                    _ => $"SELECT balance FROM {table} WHERE id = {step.Row} FOR UPDATE",
                };
            }
            else
            {
                sql = "COMMIT";
                _committing = true;
            }
            _issuedAt = clock.Elapsed.TotalMilliseconds;
            Pending = Task.Run(() =>
            {
                try
                {
                    Exec(Connection, sql);
                }
                finally
                {
                    _completedAt = clock.Elapsed.TotalMilliseconds; // when PostgreSQL answered, not when we looked
                }
            });
        }

        public void MarkWaiting() => _waitStarted ??= clock.Elapsed.TotalMilliseconds;

        /// <summary>Takes the result of a statement that has completed.</summary>
        public void Collect()
        {
            if (Pending is not { IsCompleted: true } done) return;
            Pending = null;
            _ended = _completedAt;
            if (done.Exception?.InnerException is PostgresException e)
            {
                Error = e;
                _failedStep = _ended - _issuedAt;
                Exec(Connection, "ROLLBACK");
                Finished = true;
            }
            else if (done.Exception is { } other)
            {
                throw other.InnerException ?? other;
            }
            else if (_committing)
            {
                _committed = true;
                Finished = true;
            }
        }

        public SessionOutcome Outcome() => new(Name, Connection.ProcessID, HeldRows, _committed, Error?.SqlState, Error?.MessageText,
            _waitStarted, _ended, _failedStep);

        public void Dispose() => Connection.Dispose();
    }
}
