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

    /// <summary><c>UPDATE … SET balance</c>: writes a non-key column, which takes <c>FOR NO KEY UPDATE</c> (PostgreSQL ≥ 9.3).</summary>
    Update,

    /// <summary>
    /// <c>INSERT</c> into the child table <see cref="PostgresDeadlock.ChildTable"/> with a foreign key to the row:
    /// the FK check takes <c>FOR KEY SHARE</c> on the parent row.
    /// </summary>
    InsertChild,

    /// <summary><c>UPDATE … SET code</c>: changes a column with a unique index (a key column), which takes <c>FOR UPDATE</c>.</summary>
    UpdateKey,

    /// <summary><c>DELETE</c> of the row (its children cascade): takes <c>FOR UPDATE</c>.</summary>
    Delete,
}

/// <summary>One step of a session: lock one row of <see cref="PostgresDeadlock.Table"/>.</summary>
public readonly record struct RowStep(int Row, RowLockKind Kind = RowLockKind.ForUpdate)
{
    public override string ToString() => Kind switch
    {
        RowLockKind.ForShare => $"SELECT … WHERE id = {Row} FOR SHARE",
        RowLockKind.Update => $"UPDATE … SET balance … WHERE id = {Row}",
        RowLockKind.InsertChild => $"INSERT child referencing {Row}",
        RowLockKind.UpdateKey => $"UPDATE … SET code … WHERE id = {Row}",
        RowLockKind.Delete => $"DELETE … WHERE id = {Row}",
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

/// <summary>The outcome of <see cref="PostgresDeadlock.IdleHolder"/>.</summary>
/// <param name="IdleTimeoutMs">the holder's idle_in_transaction_session_timeout (0: off, the default).</param>
/// <param name="WaiterWaitedMs">how long the second session's lock request took, from the holder going idle.</param>
/// <param name="WaiterSqlState">55P03 when the waiter's lock_timeout fired first, else null.</param>
/// <param name="HolderNextStatement">what the holder's next statement got: 25P03 (its session was ended), or "still open".</param>
/// <param name="KeepalivesIdle">SHOW tcp_keepalives_idle: 0 means the operating system's default.</param>
public sealed record IdleHolderRun(double IdleTimeoutMs, double WaiterWaitedMs, bool WaiterGotLock, string? WaiterSqlState,
    string HolderNextStatement, string KeepalivesIdle);

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

    /// <summary>A child table whose <c>account_id</c> references <see cref="Table"/> (ON DELETE CASCADE).</summary>
    public const string ChildTable = "nb06_transfers";
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
        Exec(_admin, $"DROP TABLE IF EXISTS {ChildTable}; DROP TABLE IF EXISTS {Table};"
                     + $"CREATE TABLE {Table} (id int PRIMARY KEY, balance int NOT NULL, code text UNIQUE);"
                     + $"CREATE TABLE {ChildTable} (id serial PRIMARY KEY,"
                     + $" account_id int NOT NULL REFERENCES {Table} (id) ON DELETE CASCADE);"
                     + $"INSERT INTO {Table} SELECT g, 100, 'c' || g FROM generate_series(1, {rows}) g;"
                     + $"INSERT INTO {Table} SELECT g, 100, 'c' || g FROM generate_series({ExtraRowsBase}, {ExtraRowsBase + 99}) g;");
    }

    public void Drop() => Exec(_admin, $"DROP TABLE IF EXISTS {ChildTable}; DROP TABLE IF EXISTS {Table}");

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

    /// <summary>
    /// A holder locks row <paramref name="row"/> in a transaction and then goes silent without closing its
    /// connection, as a client whose host died or whose network was cut looks to the server. A second session
    /// asks for the same row with <c>lock_timeout</c> = <paramref name="waiterLockTimeout"/>. With
    /// <paramref name="idleTimeout"/> set (<c>idle_in_transaction_session_timeout</c>, in the holder's session)
    /// the server ends the holder's session and the waiter gets the row; with null the lock stays.
    /// Call <see cref="Reset"/> first.
    /// </summary>
    public IdleHolderRun IdleHolder(int row, TimeSpan? idleTimeout, TimeSpan waiterLockTimeout)
    {
        Guard.InRange(row, 1, 999);
        if (idleTimeout is { } it) Guard.InRange(it.TotalMilliseconds, 1, 10_000, nameof(idleTimeout));
        Guard.InRange(waiterLockTimeout.TotalMilliseconds, 1, 10_000, nameof(waiterLockTimeout));
        using var holder = Open();
        using var waiter = Open();
        int ms = idleTimeout is { } t ? (int)t.TotalMilliseconds : 0;
        Exec(holder, $"SET idle_in_transaction_session_timeout = {ms}");
        Exec(holder, "BEGIN");
        Exec(holder, $"SELECT balance FROM {Table} WHERE id = {row} FOR UPDATE");
        var clock = Stopwatch.StartNew(); // the holder is idle in its transaction from here on
        Exec(waiter, $"SET lock_timeout = {(int)waiterLockTimeout.TotalMilliseconds}");
        string? waiterError = null;
        try
        {
            Exec(waiter, $"SELECT balance FROM {Table} WHERE id = {row} FOR UPDATE");
        }
        catch (PostgresException e)
        {
            waiterError = e.SqlState;
        }
        double waited = clock.Elapsed.TotalMilliseconds;
        string holderNext;
        try
        {
            Exec(holder, "SELECT 1");
            holderNext = "still open";
            Exec(holder, "ROLLBACK");
        }
        catch (PostgresException e)
        {
            holderNext = e.SqlState;
        }
        catch (NpgsqlException)
        {
            holderNext = "connection closed";
        }
        return new IdleHolderRun(ms, waited, waiterError is null, waiterError, holderNext, Show("tcp_keepalives_idle"));
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
            // WaitAny, not Wait: a statement that already failed (a lock timeout that fired before we saw the
            // wait, on a loaded machine) must count as finished, not throw here; Collect takes its error.
            if (Task.WaitAny([s.Pending!], TimeSpan.FromMilliseconds(2)) == 0) return false;
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
                    RowLockKind.InsertChild => $"INSERT INTO {ChildTable} (account_id) VALUES ({step.Row})",
                    RowLockKind.UpdateKey => $"UPDATE {table} SET code = code || '+' WHERE id = {step.Row}",
                    RowLockKind.Delete => $"DELETE FROM {table} WHERE id = {step.Row}",
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
