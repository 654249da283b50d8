using Npgsql;

namespace SystemDesign.Transactions;

/// <summary>How the two withdrawals of the ledger experiment guard their balance check.</summary>
public enum LedgerGuard
{
    /// <summary>SUM the ledger, insert if it covers the amount: no lock, at the given isolation level.</summary>
    None,
    /// <summary>First <c>SELECT … FROM accounts WHERE id = 1 FOR UPDATE</c>, then the same check.</summary>
    ForUpdate,
}

/// <summary>Two concurrent withdrawals from one ledger-backed account.</summary>
public sealed record LedgerRun(string Level, LedgerGuard Guard, long Opening, long Amount, long T1Saw, long? T2Saw,
    string T1Outcome, string T2Outcome, long BalanceAfter)
{
    public bool Overdrawn => BalanceAfter < 0;
}

/// <summary>The guide's INSERT statement sent to PostgreSQL as written, then with its columns renamed.</summary>
public sealed record GuideInsertResult(string SqlState, string Message, int Position, int RowsWithRenamedColumns);

/// <summary>
/// Event sourcing with a balance check on PostgreSQL: an account's balance is the SUM of its ledger entries,
/// and a withdrawal inserts a negative entry if that SUM covers it. Two withdrawals that run concurrently each
/// read the SUM and insert a row the other did not read: no row is written by both, so snapshot isolation's
/// first-updater-wins has nothing to refuse (write skew). SERIALIZABLE sees the read-write dependencies; a
/// lock on the account row serialises the two checks, provided the SUM is read after the lock is granted.
/// </summary>
public static class PostgresLedger
{
    public const string Accounts = Pg.Prefix + "ledger_accounts";
    public const string Entries = Pg.Prefix + "ledger_entries";
    public const string Transfers = Pg.Prefix + "transfers";

    /// <summary>
    /// Account 1 opens with <paramref name="opening"/>; two sessions each withdraw <paramref name="amount"/>
    /// at <paramref name="level"/> ("READ COMMITTED", "REPEATABLE READ" or "SERIALIZABLE"). Without a guard
    /// both read the SUM before either inserts, then both insert and commit (the write-skew interleaving). With
    /// <see cref="LedgerGuard.ForUpdate"/> T1 locks the account row, checks and inserts; T2's lock request waits
    /// until T1 commits, then T2 reads the SUM and decides.
    /// </summary>
    public static LedgerRun Withdrawals(NpgsqlConnection c, string level, LedgerGuard guard, long opening = 100,
        long amount = 80) => Compare(c, new[] { (level, guard) }, opening, amount)[0];

    /// <summary>
    /// <see cref="Withdrawals"/> for several (level, guard) variants, sharing one pair of sessions and one pair
    /// of tables: the ledger is reset to its opening entry before each variant.
    /// </summary>
    public static IReadOnlyList<LedgerRun> Compare(NpgsqlConnection c, IEnumerable<(string Level, LedgerGuard Guard)> variants,
        long opening = 100, long amount = 80)
    {
        Guard.NotNull(c);
        var list = Guard.NotNull(variants).ToList();
        Guard.That(list.Count > 0, "at least one variant is needed.", nameof(variants));
        foreach (var (level, guard) in list)
        {
            Guard.That(level is "READ COMMITTED" or "REPEATABLE READ" or "SERIALIZABLE",
                "level must be READ COMMITTED, REPEATABLE READ or SERIALIZABLE.", nameof(variants));
            Guard.That(Enum.IsDefined(guard), "guard must be None or ForUpdate.", nameof(variants));
        }
        Guard.InRange(opening, 1, 1_000_000_000);
        Guard.InRange(amount, 1, opening);
        Pg.Exec(c, $"DROP TABLE IF EXISTS {Entries}, {Accounts}");
        Pg.Exec(c, $"CREATE TABLE {Accounts} (id int PRIMARY KEY)");
        Pg.Exec(c, $"CREATE TABLE {Entries} (id serial PRIMARY KEY, account int NOT NULL REFERENCES {Accounts}, " +
                   "amount bigint NOT NULL)");
        Pg.Exec(c, $"INSERT INTO {Accounts} VALUES (1)");
        using var t1 = Pg.OpenSibling();
        using var t2 = Pg.OpenSibling();
        try
        {
            return list.Select(v =>
            {
                Pg.Exec(c, $"DELETE FROM {Entries}; INSERT INTO {Entries} (account, amount) VALUES (1, @o)", ("o", opening));
                return Run(c, t1, t2, v.Level, v.Guard, opening, amount);
            }).ToList();
        }
        finally
        {
            Pg.Reset(t1);
            Pg.Reset(t2);
            Pg.Exec(c, $"DROP TABLE IF EXISTS {Entries}, {Accounts}");
        }
    }

    private static LedgerRun Run(NpgsqlConnection c, NpgsqlConnection t1, NpgsqlConnection t2, string level,
        LedgerGuard guard, long opening, long amount)
    {
        try
        {
            Pg.Exec(t1, $"BEGIN ISOLATION LEVEL {level}");
            Pg.Exec(t2, $"BEGIN ISOLATION LEVEL {level}");
            long saw1;
            long? saw2 = null;
            string out1, out2 = "";
            if (guard == LedgerGuard.None)
            {
                // Both check before either writes, then both write and commit: the write-skew interleaving.
                saw1 = Sum(t1);
                saw2 = Sum(t2);
                out1 = Withdraw(t1, saw1, amount);
                out2 = Step(t2, () => Withdraw(t2, saw2.Value, amount));
                out1 = Commit(t1, out1);
                if (!out2.StartsWith("40001", StringComparison.Ordinal)) out2 = Commit(t2, out2);
            }
            else
            {
                // T1 locks the account row, checks, writes; T2's lock request waits; T1 commits.
                Lock(t1);
                saw1 = Sum(t1);
                out1 = Withdraw(t1, saw1, amount);
                var locking = Task.Run(() => Lock(t2));
                WaitUntilBlocked(c, t2.ProcessID);
                out1 = Commit(t1, out1);
                out2 = Step(t2, () =>
                {
                    locking.GetAwaiter().GetResult();
                    saw2 = Sum(t2);
                    return Withdraw(t2, saw2.Value, amount);
                });
                if (!out2.StartsWith("40001", StringComparison.Ordinal)) out2 = Commit(t2, out2);
            }
            long balance = Pg.Scalar<long>(c, $"SELECT sum(amount) FROM {Entries} WHERE account = 1");
            return new LedgerRun(level, guard, opening, amount, saw1, saw2, out1, out2, balance);
        }
        finally
        {
            Pg.Reset(t1);
            Pg.Reset(t2);
        }
    }

    private static string Step(NpgsqlConnection s, Func<string> step)
    {
        try { return step(); }
        catch (Exception e) when (Unwrap(e) is PostgresException p && Pg.IsSerializationFailure(p))
        {
            Pg.Reset(s);
            return $"{p.SqlState} before commit";
        }
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerException: { } i } ? i : e;

    private static void Lock(NpgsqlConnection s) => Pg.Exec(s, $"SELECT id FROM {Accounts} WHERE id = 1 FOR UPDATE");

    private static long Sum(NpgsqlConnection s) =>
        Pg.Scalar<long>(s, $"SELECT coalesce(sum(amount), 0) FROM {Entries} WHERE account = 1");

    private static string Withdraw(NpgsqlConnection s, long balance, long amount)
    {
        if (balance < amount) return "declined";
        Pg.Exec(s, $"INSERT INTO {Entries} (account, amount) VALUES (1, @a)", ("a", -amount));
        return "withdrew";
    }

    private static string Commit(NpgsqlConnection s, string outcome)
    {
        try { Pg.Exec(s, "COMMIT"); return outcome; }
        catch (PostgresException e) when (Pg.IsSerializationFailure(e)) { Pg.Reset(s); return $"{e.SqlState} at commit"; }
    }

    private static void WaitUntilBlocked(NpgsqlConnection c, int pid)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (Pg.Scalar<string>(c, "SELECT coalesce(wait_event_type, '') FROM pg_stat_activity WHERE pid = @p",
                   ("p", pid)) != "Lock")
        {
            if (watch.ElapsedMilliseconds > 2000) throw new TimeoutException("T2 never waited for the row lock.");
            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// Sends the guide's <c>INSERT INTO transfers (from, to, amount) VALUES (1, 2, 100)</c> to a table whose
    /// columns really are called "from" and "to" (created with quotes): FROM and TO are reserved words, so
    /// the parser rejects the statement (SQLSTATE 42601) before it looks at the table. Then inserts the same
    /// row with the columns quoted, which works.
    /// </summary>
    public static GuideInsertResult GuideInsert(NpgsqlConnection c)
    {
        Guard.NotNull(c);
        Pg.Exec(c, $"DROP TABLE IF EXISTS {Transfers}; " +
                   $"CREATE TABLE {Transfers} (\"from\" int NOT NULL, \"to\" int NOT NULL, amount bigint NOT NULL)");
        try
        {
            string state = "", message = "";
            int position = 0;
            try { Pg.Exec(c, $"INSERT INTO {Transfers} (from, to, amount) VALUES (1, 2, 100)"); }
            catch (PostgresException e) { (state, message, position) = (e.SqlState, e.MessageText, e.Position); }
            int rows = Pg.Exec(c, $"INSERT INTO {Transfers} (\"from\", \"to\", amount) VALUES (1, 2, 100)");
            return new GuideInsertResult(state, message, position, rows);
        }
        finally { Pg.Exec(c, $"DROP TABLE IF EXISTS {Transfers}"); }
    }
}
