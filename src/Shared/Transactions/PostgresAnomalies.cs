using Npgsql;

namespace SystemDesign.Transactions;

/// <summary>What a second session could do while the first had an uncommitted update of the row.</summary>
/// <param name="ReadValue">what a plain SELECT returned (the committed value, not the pending one).</param>
/// <param name="UpdateSqlState">"55P03" (lock_not_available) when the UPDATE had to wait for the row lock.</param>
/// <param name="ForUpdateSqlState">"55P03" when SELECT … FOR UPDATE NOWAIT found the row locked.</param>
/// <param name="ValueAfterCommit">what a SELECT returned once the writer committed.</param>
public sealed record BlockingResult(long ReadValue, double ReadMilliseconds, string UpdateSqlState, string ForUpdateSqlState, long ValueAfterCommit);

/// <summary>
/// Runs the scripted interleavings of <see cref="Anomalies"/> on a real PostgreSQL server: one session per
/// transaction, statements sent one at a time in script order, SQLSTATE 40001 caught and recorded like the
/// simulation records it. The table is created once per instance and dropped by <see cref="Dispose"/>. Scripts never make a session wait for a lock, so one thread drives them all.
/// Index scans are forced (enable_seqscan and enable_bitmapscan off) so that SSI's predicate locks sit on
/// rows and index pages rather than on the whole table, which is the granularity the simulation models.
/// </summary>
public sealed class PostgresAnomalies : IDisposable
{
    public const string Table = Pg.Prefix + "kv";

    private readonly NpgsqlConnection _admin;
    private readonly List<NpgsqlConnection> _sessions = new();
    private bool _created;

    /// <param name="connection">an open connection (used for set-up and the final state); sessions are opened beside it.</param>
    public PostgresAnomalies(NpgsqlConnection connection)
    {
        _admin = Guard.NotNull(connection);
        Guard.That(connection.State == System.Data.ConnectionState.Open, "connection must be open.", nameof(connection));
    }

    /// <summary>Every standard scenario at every isolation level.</summary>
    public AnomalyMatrix Matrix() =>
        new("PostgreSQL", Anomalies.Levels.SelectMany(l => Anomalies.All.Select(s => Run(s, l))).ToList());

    /// <summary>What <c>SHOW transaction_isolation</c> reports inside a transaction begun at <paramref name="level"/>.</summary>
    public string ReportedLevel(IsolationLevel level)
    {
        var s = Session(1);
        Pg.Exec(s, "BEGIN ISOLATION LEVEL " + Anomalies.Sql(level));
        try { return Pg.Show(s, "transaction_isolation"); }
        finally { Pg.Exec(s, "ROLLBACK"); }
    }

    /// <summary>
    /// Session 1 updates a row and keeps its transaction open. Session 2 then reads the row (it must get the old
    /// value at once), tries to update it (lock_timeout 100 ms: 55P03 means it had to wait) and tries
    /// SELECT … FOR UPDATE NOWAIT (55P03 at once).
    /// </summary>
    public BlockingResult Blocking()
    {
        var writer = Session(1);
        var other = Session(2);
        Pg.Reset(writer);
        Pg.Reset(other);
        Pg.Exec(_admin, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (k int PRIMARY KEY, v bigint NOT NULL); INSERT INTO {Table} VALUES (42, 100)");
        _created = true;
        try
        {
            Pg.Exec(writer, "BEGIN");
            Pg.Exec(writer, $"UPDATE {Table} SET v = 200 WHERE k = 42");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            long read = Pg.Scalar<long>(other, $"SELECT v FROM {Table} WHERE k = 42");
            double readMs = watch.Elapsed.TotalMilliseconds;
            string Try(string sql)
            {
                Pg.Exec(other, "BEGIN");
                try { Pg.Exec(other, "SET LOCAL lock_timeout = '100ms'"); Pg.Exec(other, sql); return "ok"; }
                catch (PostgresException e) { return e.SqlState; }
                finally { Pg.Reset(other); }
            }
            string update = Try($"UPDATE {Table} SET v = 300 WHERE k = 42");
            string forUpdate = Try($"SELECT v FROM {Table} WHERE k = 42 FOR UPDATE NOWAIT");
            Pg.Exec(writer, "COMMIT");
            long after = Pg.Scalar<long>(other, $"SELECT v FROM {Table} WHERE k = 42");
            return new BlockingResult(read, readMs, update, forUpdate, after);
        }
        finally
        {
            Pg.Reset(writer);
        }
    }

    /// <summary>
    /// Runs one script with every transaction at <paramref name="level"/>; transaction
    /// <paramref name="readOnlyTx"/> (if not 0) begins READ ONLY, which lets SSI skip structures that cannot
    /// be dangerous for a read-only transaction.
    /// </summary>
    public ScenarioRun Run(Scenario scenario, IsolationLevel level, int readOnlyTx = 0)
    {
        Guard.NotNull(scenario);
        Guard.InRange(readOnlyTx, 0, scenario.Transactions);
        Guard.That(Enum.IsDefined(level), $"level must be one of {string.Join(", ", Enum.GetNames<IsolationLevel>())}.", nameof(level));
        for (int t = 1; t <= scenario.Transactions; t++) Pg.Reset(Session(t));
        if (!_created)
        {
            Pg.Exec(_admin, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (k int PRIMARY KEY, v bigint NOT NULL)");
            _created = true;
        }
        Pg.Exec(_admin, $"DELETE FROM {Table}; INSERT INTO {Table} SELECT * FROM unnest(@k, @v)",
            ("k", scenario.Initial.Select(r => r.Key).ToArray()), ("v", scenario.Initial.Select(r => r.Value).ToArray()));
        bool countLocks = level >= IsolationLevel.RepeatableRead; // SIRead locks exist only at serializable; RR shows the zero

        var values = new Dictionary<string, long?>();
        var aborts = new List<AbortInfo>();
        var pids = Enumerable.Range(1, scenario.Transactions).Select(t => Session(t).ProcessID).ToArray();
        int maxSiRead = 0;
        for (int i = 0; i < scenario.Steps.Count; i++)
        {
            var step = scenario.Steps[i];
            if (aborts.Any(a => a.Tx == step.Tx)) continue;
            var s = Session(step.Tx);
            try
            {
                switch (step.Kind)
                {
                    case StepKind.Begin:
                        Pg.Exec(s, "BEGIN ISOLATION LEVEL " + Anomalies.Sql(level) + (step.Tx == readOnlyTx ? " READ ONLY" : ""));
                        break;
                    case StepKind.Read:
                        values[step.Var!] = Pg.Scalar<long?>(s, $"SELECT v FROM {Table} WHERE k = @k", ("k", step.Key));
                        break;
                    case StepKind.Scan:
                        using (var cmd = Pg.Command(s, $"SELECT count(*), coalesce(sum(v), 0) FROM {Table} WHERE k BETWEEN @lo AND @hi", ("lo", step.Key), ("hi", step.KeyHigh)))
                        using (var r = cmd.ExecuteReader())
                        {
                            r.Read();
                            values[step.Var!] = r.GetInt64(0);
                            values[step.Var + ".sum"] = Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
                        }
                        break;
                    case StepKind.Write:
                        Pg.Exec(s, $"UPDATE {Table} SET v = @v WHERE k = @k", ("v", step.Value), ("k", step.Key));
                        break;
                    case StepKind.WriteFrom:
                        Pg.Exec(s, $"UPDATE {Table} SET v = @v WHERE k = @k", ("v", (values[step.Var!] ?? 0) + step.Value), ("k", step.Key));
                        break;
                    case StepKind.Add:
                        Pg.Exec(s, $"UPDATE {Table} SET v = v + @d WHERE k = @k", ("d", step.Value), ("k", step.Key));
                        break;
                    case StepKind.Insert:
                        Pg.Exec(s, $"INSERT INTO {Table} VALUES (@k, @v)", ("k", step.Key), ("v", step.Value));
                        break;
                    case StepKind.Commit: Pg.Exec(s, "COMMIT"); break;
                    case StepKind.Rollback: Pg.Exec(s, "ROLLBACK"); break;
                }
            }
            catch (PostgresException e) when (Pg.IsSerializationFailure(e))
            {
                aborts.Add(new AbortInfo(step.Tx, i + 1, step.Kind, e.SqlState, Anomalies.KindOf(e.MessageText), e.MessageText + (e.Detail is { } d ? " — " + d : "")));
                Pg.Reset(s);
            }
            catch
            {
                // Any other error ends the run: leave no session inside a failed transaction (25P02 for the next).
                foreach (var open in _sessions) Pg.Reset(open);
                throw;
            }
            if (countLocks)
                maxSiRead = Math.Max(maxSiRead, Pg.Scalar<int>(_admin,
                    "SELECT count(*)::int FROM pg_locks WHERE mode = 'SIReadLock' AND pid = ANY(@p)", ("p", pids)));
        }
        var final = Pg.Rows(_admin, $"SELECT k, v FROM {Table} ORDER BY k", r => (r.GetInt32(0), r.GetInt64(1))).ToDictionary(x => x.Item1, x => x.Item2);
        return new ScenarioRun(scenario, "PostgreSQL", level, values, final, aborts, maxSiRead);
    }

    private NpgsqlConnection Session(int tx)
    {
        Guard.InRange(tx, 1, 8);
        while (_sessions.Count < tx)
        {
            var c = Pg.OpenSibling();
            Pg.Exec(c, "SET enable_seqscan = off; SET enable_bitmapscan = off; SET lock_timeout = '2s'");
            _sessions.Add(c);
        }
        return _sessions[tx - 1];
    }

    public void Dispose()
    {
        foreach (var s in _sessions) s.Dispose();
        _sessions.Clear();
        try { Pg.Exec(_admin, $"DROP TABLE IF EXISTS {Table}"); } catch (NpgsqlException) { }
    }
}
