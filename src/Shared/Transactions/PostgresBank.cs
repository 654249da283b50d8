using System.Diagnostics;
using Npgsql;

namespace SystemDesign.Transactions;

/// <summary>A concurrent transfer run on PostgreSQL.</summary>
public sealed record PgBankResult(TransferStrategy Strategy, int Threads, int Accounts, int Committed, int Declined, int Retries,
    int Deadlocks, long TotalBefore, long TotalAfter, long MinBalance, bool LedgerReconciles, int LedgerRows, double Milliseconds)
{
    public int Completed => Committed + Declined;
    public bool Conserved => TotalBefore == TotalAfter;
}

/// <summary>The idempotency-key experiment on PostgreSQL.</summary>
public sealed record PgIdempotencyResult(TransferReceipt First, TransferReceipt Retry, long MovedWithKey,
    TransferReceipt NoKeyFirst, TransferReceipt NoKeyRetry, long MovedWithoutKey, long Amount,
    int ConcurrentSubmitters, int ConcurrentApplied, int ConcurrentReplayed, long MovedConcurrent, int LedgerRowsForKey);

/// <summary>
/// Bank transfers on PostgreSQL with real threads, one session each. Accounts carry a balance (CHECK ≥ 0) and a
/// version; every applied transfer appends a row to a ledger table whose optional idempotency key is UNIQUE.
/// Pessimistic transfers lock both accounts with SELECT … FOR UPDATE, lower id first; optimistic ones read
/// without locks and update WHERE version = the version read, retrying when an update matches no row (the two
/// updates also go in id order, so two optimistic commits cannot deadlock either).
/// </summary>
public static class PostgresBank
{
    public const string Accounts = Pg.Prefix + "accounts";
    public const string Ledger = Pg.Prefix + "ledger";

    public static void Setup(NpgsqlConnection c, int accounts, long initialBalance)
    {
        Guard.NotNull(c);
        Guard.InRange(accounts, 2, 100_000);
        Guard.InRange(initialBalance, 0, 1_000_000_000);
        Pg.Exec(c, $"DROP TABLE IF EXISTS {Ledger}, {Accounts}");
        Pg.Exec(c, $"CREATE TABLE {Accounts} (id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0), version int NOT NULL DEFAULT 0)");
        Pg.Exec(c, $"CREATE TABLE {Ledger} (id bigserial PRIMARY KEY, idempotency_key uuid UNIQUE, from_id int NOT NULL, to_id int NOT NULL, amount bigint NOT NULL, outcome text NOT NULL)");
        Pg.Exec(c, $"INSERT INTO {Accounts} (id, balance) SELECT g, @b FROM generate_series(1, @n) g", ("b", initialBalance), ("n", accounts));
    }

    public static void Drop(NpgsqlConnection c) => Pg.Exec(Guard.NotNull(c), $"DROP TABLE IF EXISTS {Ledger}, {Accounts}");

    public static long Total(NpgsqlConnection c) => Pg.Scalar<long>(c, $"SELECT coalesce(sum(balance), 0) FROM {Accounts}");

    /// <summary>One pessimistic transfer in its own transaction.</summary>
    public static TransferOutcome TransferPessimistic(NpgsqlConnection c, int from, int to, long amount)
    {
        Validate(c, from, to, amount);
        Pg.Exec(c, "BEGIN");
        try
        {
            var outcome = LockedTransfer(c, from, to, amount);
            if (outcome == TransferOutcome.Applied) Record(c, null, from, to, amount, outcome);
            Pg.Exec(c, "COMMIT");
            return outcome;
        }
        catch { Pg.Reset(c); throw; }
    }

    /// <summary>One optimistic transfer: returns the outcome and how many times it had to start over.</summary>
    public static (TransferOutcome Outcome, int Retries) TransferOptimistic(NpgsqlConnection c, int from, int to, long amount, int maxRetries = 1000)
    {
        Validate(c, from, to, amount);
        Guard.InRange(maxRetries, 0, 1_000_000);
        for (int retries = 0; retries <= maxRetries; retries++)
        {
            var rows = Pg.Rows(c, $"SELECT id, balance, version FROM {Accounts} WHERE id = @a OR id = @b",
                r => (Id: r.GetInt32(0), Balance: r.GetInt64(1), Version: r.GetInt32(2)), ("a", from), ("b", to)).ToDictionary(r => r.Id);
            foreach (int id in new[] { from, to })
                if (!rows.ContainsKey(id)) throw NoSuchAccount(id, from);
            if (rows[from].Balance < amount) return (TransferOutcome.Declined, retries);
            Pg.Exec(c, "BEGIN");
            bool ok = true;
            foreach (int id in new[] { from, to }.Order())
                ok = ok && Pg.Exec(c, $"UPDATE {Accounts} SET balance = balance + @d, version = version + 1 WHERE id = @id AND version = @v",
                    ("d", id == from ? -amount : amount), ("id", id), ("v", rows[id].Version)) == 1;
            if (ok)
            {
                Record(c, null, from, to, amount, TransferOutcome.Applied);
                Pg.Exec(c, "COMMIT");
                return (TransferOutcome.Applied, retries);
            }
            Pg.Exec(c, "ROLLBACK");
        }
        throw new InvalidOperationException($"transfer {from} → {to} still conflicted after {maxRetries} retries");
    }

    /// <summary>
    /// A transfer that honours an idempotency key: the key is claimed with INSERT … ON CONFLICT DO NOTHING in the
    /// same transaction as the balance updates. A repeat finds the key taken (waiting, if its first use is still
    /// in flight, until that commits) and returns the stored outcome without moving money.
    /// </summary>
    public static TransferReceipt TransferIdempotent(NpgsqlConnection c, Guid key, int from, int to, long amount)
    {
        Validate(c, from, to, amount);
        Pg.Exec(c, "BEGIN");
        try
        {
            long? claimed = Pg.Scalar<long?>(c,
                $"INSERT INTO {Ledger} (idempotency_key, from_id, to_id, amount, outcome) VALUES (@k, @f, @t, @a, 'pending') ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                ("k", key), ("f", from), ("t", to), ("a", amount));
            if (claimed is null)
            {
                Pg.Exec(c, "ROLLBACK");
                string stored = Pg.Scalar<string>(c, $"SELECT outcome FROM {Ledger} WHERE idempotency_key = @k", ("k", key));
                return new TransferReceipt(Enum.Parse<TransferOutcome>(stored, ignoreCase: true), true);
            }
            var outcome = LockedTransfer(c, from, to, amount);
            Pg.Exec(c, $"UPDATE {Ledger} SET outcome = @o WHERE id = @id", ("o", outcome.ToString().ToLowerInvariant()), ("id", claimed.Value));
            Pg.Exec(c, "COMMIT");
            return new TransferReceipt(outcome, false);
        }
        catch { Pg.Reset(c); throw; }
    }

    /// <summary>
    /// <paramref name="threads"/> sessions each run <paramref name="transfersPerThread"/> random transfers
    /// (seeded per thread) among <paramref name="accounts"/> accounts; then the books are checked.
    /// </summary>
    public static PgBankResult RunConcurrent(NpgsqlConnection c, TransferStrategy strategy, int threads, int transfersPerThread,
        int accounts, long initialBalance, int maxAmount, int seed)
    {
        Guard.NotNull(c);
        Guard.That(strategy is TransferStrategy.PessimisticOrdered or TransferStrategy.Optimistic,
            "strategy must be PessimisticOrdered or Optimistic on PostgreSQL.", nameof(strategy));
        Guard.InRange(threads, 1, 16);
        Guard.InRange(transfersPerThread, 1, 10_000);
        Guard.InRange(maxAmount, 1, 1_000_000);
        Setup(c, accounts, initialBalance);
        long before = Total(c);
        int committed = 0, declined = 0, retries = 0, deadlocks = 0;
        var watch = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            using var s = Pg.OpenSibling();
            var rng = new Random(unchecked(seed * 7919 + t)); // HashCode.Combine would differ per process
            for (int i = 0; i < transfersPerThread; i++)
            {
                int from = rng.Next(1, accounts + 1), to;
                do to = rng.Next(1, accounts + 1); while (to == from);
                long amount = rng.Next(1, maxAmount + 1);
                while (true)
                {
                    try
                    {
                        TransferOutcome outcome;
                        if (strategy == TransferStrategy.Optimistic)
                        {
                            (outcome, int r) = TransferOptimistic(s, from, to, amount);
                            Interlocked.Add(ref retries, r);
                        }
                        else outcome = TransferPessimistic(s, from, to, amount);
                        Interlocked.Increment(ref outcome == TransferOutcome.Applied ? ref committed : ref declined);
                        break;
                    }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected)
                    {
                        Interlocked.Increment(ref deadlocks);
                        Interlocked.Increment(ref retries);
                    }
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray(); // own threads: the pool would start them one by one
        Task.WaitAll(tasks);
        double ms = watch.Elapsed.TotalMilliseconds;
        var (reconciles, rows) = Reconcile(c, initialBalance);
        var result = new PgBankResult(strategy, threads, accounts, committed, declined, retries, deadlocks, before, Total(c),
            Pg.Scalar<long>(c, $"SELECT min(balance) FROM {Accounts}"), reconciles, rows, ms);
        Drop(c);
        return result;
    }

    /// <summary>
    /// The idempotency experiment: a keyed transfer sent twice, an unkeyed one sent twice, and one key submitted
    /// by <paramref name="submitters"/> sessions at the same moment.
    /// </summary>
    public static PgIdempotencyResult IdempotencyExperiment(NpgsqlConnection c, long amount = 100, int submitters = 8)
    {
        Guard.NotNull(c);
        Guard.InRange(amount, 1, 1000);
        Guard.InRange(submitters, 2, 16);
        Setup(c, 2, 10_000);
        try
        {
            long Balance1() => Pg.Scalar<long>(c, $"SELECT balance FROM {Accounts} WHERE id = 1");
            long start = Balance1();
            var key = Guid.NewGuid();
            var first = TransferIdempotent(c, key, 1, 2, amount);
            var retry = TransferIdempotent(c, key, 1, 2, amount); // the client never saw the first response
            long movedWithKey = start - Balance1();

            start = Balance1();
            var noKey1 = TransferIdempotent(c, Guid.NewGuid(), 1, 2, amount); // no key: each attempt looks new
            var noKey2 = TransferIdempotent(c, Guid.NewGuid(), 1, 2, amount);
            long movedWithout = start - Balance1();

            start = Balance1();
            var shared = Guid.NewGuid();
            using var gate = new Barrier(submitters);
            var receipts = Enumerable.Range(0, submitters).Select(_ => Task.Factory.StartNew(() =>
            {
                using var s = Pg.OpenSibling();
                gate.SignalAndWait(TimeSpan.FromSeconds(10));
                return TransferIdempotent(s, shared, 1, 2, amount);
            }, TaskCreationOptions.LongRunning)).ToArray(); // own threads, all at the barrier at once
            Task.WaitAll(receipts);
            long movedConcurrent = start - Balance1();
            int rowsForKey = Pg.Scalar<int>(c, $"SELECT count(*)::int FROM {Ledger} WHERE idempotency_key = @k", ("k", shared));
            return new PgIdempotencyResult(first, retry, movedWithKey, noKey1, noKey2, movedWithout, amount, submitters,
                receipts.Count(r => !r.Result.Replayed), receipts.Count(r => r.Result.Replayed), movedConcurrent, rowsForKey);
        }
        finally { Drop(c); }
    }

    private static TransferOutcome LockedTransfer(NpgsqlConnection c, int from, int to, long amount)
    {
        long fromBalance = 0;
        foreach (int id in new[] { from, to }.Order()) // lower id first: every transfer locks in the same order
        {
            // A missing account reads as no row: refuse it, or the debit would stand and the credit match nothing.
            long b = Pg.Scalar<long?>(c, $"SELECT balance FROM {Accounts} WHERE id = @id FOR UPDATE", ("id", id))
                ?? throw NoSuchAccount(id, from);
            if (id == from) fromBalance = b;
        }
        if (fromBalance < amount) return TransferOutcome.Declined;
        Pg.Exec(c, $"UPDATE {Accounts} SET balance = balance - @a, version = version + 1 WHERE id = @id", ("a", amount), ("id", from));
        Pg.Exec(c, $"UPDATE {Accounts} SET balance = balance + @a, version = version + 1 WHERE id = @id", ("a", amount), ("id", to));
        return TransferOutcome.Applied;
    }

    private static void Record(NpgsqlConnection c, Guid? key, int from, int to, long amount, TransferOutcome outcome) =>
        Pg.Exec(c, $"INSERT INTO {Ledger} (idempotency_key, from_id, to_id, amount, outcome) VALUES (@k, @f, @t, @a, @o)",
            ("k", key is null ? DBNull.Value : key.Value), ("f", from), ("t", to), ("a", amount), ("o", outcome.ToString().ToLowerInvariant()));

    /// <summary>Every balance equals the opening balance plus applied credits minus applied debits in the ledger.</summary>
    private static (bool Reconciles, int Rows) Reconcile(NpgsqlConnection c, long initialBalance)
    {
        int mismatches = Pg.Scalar<int>(c, $@"
            SELECT count(*)::int FROM {Accounts} a
            WHERE a.balance <> @b
                + coalesce((SELECT sum(amount) FROM {Ledger} WHERE to_id = a.id AND outcome = 'applied'), 0)
                - coalesce((SELECT sum(amount) FROM {Ledger} WHERE from_id = a.id AND outcome = 'applied'), 0)", ("b", initialBalance));
        return (mismatches == 0, Pg.Scalar<int>(c, $"SELECT count(*)::int FROM {Ledger}"));
    }

    private static ArgumentException NoSuchAccount(int id, int from) =>
        new($"account {id} does not exist", id == from ? "from" : "to");

    private static void Validate(NpgsqlConnection c, int from, int to, long amount)
    {
        Guard.NotNull(c);
        Guard.InRange(from, 1, int.MaxValue);
        Guard.InRange(to, 1, int.MaxValue);
        Guard.That(from != to, "from and to must differ.", nameof(to));
        Guard.InRange(amount, 1, long.MaxValue);
    }
}
