using System.Runtime.CompilerServices;
using Npgsql;
using SystemDesign.Transactions;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Transactions;

/// <summary>
/// Every argument guard of the Transactions area's public entries: the exception type and the parameter it names,
/// one step outside each bound, and the bound itself accepted where it is computed from another argument.
/// The PostgreSQL entries get a connection that was never opened: their guards run before they use it, so an
/// input the guards accept ends in Npgsql's <see cref="InvalidOperationException"/> (connection not open).
/// </summary>
public sealed class TransactionsGuardTests
{
    private static void ReachesTheServer(Action act) => Assert.Throws<InvalidOperationException>(act);

    private static RowStep Step(int n) =>
        new(n, "a", Array.Empty<RowVersion>(), new Dictionary<string, string>());

    [Fact]
    public void Xid_arithmetic_refuses_counts_outside_the_xid_space_and_reserved_frozen_xids()
    {
        OutOfRange("n", () => Xid.Add(3, -1));
        OutOfRange("n", () => Xid.Add(3, Xid.Space + 1));
        Assert.Equal(6u, Xid.Add(3, Xid.Space));                     // a whole turn skips the three reserved ids
        Invalid("oldestDatFrozenXid", () => Xid.Limits(Xid.FirstNormal - 1),
            "oldestDatFrozenXid must be a normal XID (≥ 3); got 2.");
        Assert.Equal(Xid.FirstNormal, Xid.Limits(Xid.FirstNormal).OldestXid);
        OutOfRange("autovacuumFreezeMaxAge", () => Xid.Limits(100, 99_999));
        OutOfRange("autovacuumFreezeMaxAge", () => Xid.Limits(100, 2_000_000_001));
        OutOfRange("xids", () => Xid.TimeToConsume(-1, 1));
        OutOfRange("xids", () => Xid.TimeToConsume(Xid.Space + 1, 1));
        Assert.Equal(TimeSpan.FromSeconds(4), Xid.TimeToConsume(Xid.Space, Xid.Space / 4.0));
        OutOfRange("xidsPerSecond", () => Xid.TimeToConsume(1, 0));
    }

    [Fact]
    public void The_mvcc_store_refuses_bad_pages_reserved_xids_unknown_levels_and_foreign_or_ended_transactions()
    {
        OutOfRange("tuplesPerPage", () => new MvccStore(0));
        OutOfRange("tuplesPerPage", () => new MvccStore(2049));
        Invalid("firstXid", () => new MvccStore(firstXid: Xid.FirstNormal - 1),
            "firstXid must be a normal XID (≥ 3); got 2.");
        Assert.Equal(Xid.FirstNormal, new MvccStore(2048, Xid.FirstNormal).NextXid);

        var store = new MvccStore();
        const string levels = "level must be one of ReadUncommitted, ReadCommitted, RepeatableRead, Serializable";
        Invalid("level", () => store.Begin(IsolationLevel.ReadUncommitted - 1), levels + "; got -1.");
        Invalid("level", () => store.Begin(IsolationLevel.Serializable + 1), levels + "; got 4.");
        Assert.Equal(IsolationLevel.Serializable, store.Begin(IsolationLevel.Serializable).Level);
        Assert.Equal(IsolationLevel.ReadUncommitted, store.Begin(IsolationLevel.ReadUncommitted).Level);
        OutOfRange("xid", () => store.StatusOf(Xid.FirstNormal));
        Assert.Equal(TransactionStatus.Committed, store.StatusOf(Xid.Frozen));

        var tx = store.Begin();
        Invalid("lo", () => store.Scan(tx, 2, 1), "lo must not exceed hi; got 2 > 1.");
        Assert.Empty(store.Scan(tx, 1, 1));
        Null("snapshot", () => store.VisibleVersion((Snapshot)null!, 1));
        Null("tx", () => store.VisibleVersion((MvccTransaction)null!, 1));
        Null("tx", () => store.Read(null!, 1));
        Null("tx", () => store.Scan(null!, 1, 2));
        Null("tx", () => store.Insert(null!, 1, 1));
        Null("tx", () => store.Update(null!, 1, 1));
        Null("tx", () => store.Add(null!, 1, 1));
        Null("tx", () => store.Delete(null!, 1));
        Null("tx", () => store.Commit(null!));
        Null("tx", () => store.Rollback(null!));
        Invalid("tx", () => store.Commit(new MvccStore().Begin()), "T1 belongs to another store.");
        store.Commit(tx);
        Invalid("tx", () => store.Commit(tx), $"T{tx.Id} already ended (Committed).");
        Invalid("tx", () => store.Rollback(tx), $"T{tx.Id} already ended (Committed).");
        Invalid("tx", () => store.Insert(tx, 1, 1), $"T{tx.Id} already ended (Committed).");
        Invalid("tx", () => store.Update(tx, 1, 1), $"T{tx.Id} already ended (Committed).");

        OutOfRange("freezeMinAge", () => store.Vacuum(-1));
        OutOfRange("freezeMinAge", () => store.Vacuum(1_000_000_001));
        Assert.Equal(0, store.Vacuum(1_000_000_000).Removed);
        OutOfRange("count", () => store.ConsumeXids(-1));
        OutOfRange("count", () => store.ConsumeXids(Xid.Space - 999));
        store.ConsumeXids(Xid.Space - 1000);
        Assert.Equal(Xid.Add(Xid.FirstNormal, Xid.Space - 1000), store.NextXid);
    }

    [Fact]
    public void Ctids_and_snapshots_refuse_malformed_text_and_in_progress_xids_outside_the_window()
    {
        Null("text", () => Ctid.Parse(null!));
        Invalid("text", () => Ctid.Parse(""), "text must not be empty.");
        foreach (var bad in new[] { "(1)", "(1,2,3)", "(a,1)", "(1,b)" })
            Invalid("text", () => Ctid.Parse(bad), $"a ctid looks like (page,item); got '{bad}'.");
        Assert.Equal(new Ctid(1, 2), Ctid.Parse("(1,2)"));

        Null("inProgress", () => new Snapshot(10, 20, null!));
        const string window = "every in-progress XID must lie in [xmin, xmax).";
        Invalid("inProgress", () => new Snapshot(10, 20, new uint[] { 9 }), window);
        Invalid("inProgress", () => new Snapshot(10, 20, new uint[] { 20 }), window);
        var snapshot = new Snapshot(10, 20, new uint[] { 10, 19 });
        Assert.Equal("10:20:10,19", snapshot.ToString());
        Null("isCommitted", () => snapshot.Sees(5, null!));
    }

    [Fact]
    public void The_idempotent_ledger_refuses_unknown_accounts_self_transfers_empty_keys_and_overflowing_totals()
    {
        OutOfRange("accounts", () => new IdempotentLedger(1, 0));
        OutOfRange("accounts", () => new IdempotentLedger(1_000_001, 0));
        OutOfRange("initialBalance", () => new IdempotentLedger(2, -1));
        OutOfRange("initialBalance", () => new IdempotentLedger(3, long.MaxValue / 3 + 1));
        Assert.Equal(long.MaxValue / 3 * 3, new IdempotentLedger(3, long.MaxValue / 3).Total);

        var ledger = new IdempotentLedger(3, 10);
        OutOfRange("from", () => ledger.Transfer(null, -1, 1, 1));
        OutOfRange("from", () => ledger.Transfer(null, 3, 1, 1));
        OutOfRange("to", () => ledger.Transfer(null, 0, -1, 1));
        OutOfRange("to", () => ledger.Transfer(null, 0, 3, 1));
        Invalid("to", () => ledger.Transfer(null, 1, 1, 1), "from and to must differ.");
        OutOfRange("amount", () => ledger.Transfer(null, 0, 1, 0));
        Invalid("idempotencyKey", () => ledger.Transfer("", 0, 1, 1), "idempotencyKey must not be empty.");
        Assert.Equal(TransferOutcome.Applied, ledger.Transfer("k", 2, 0, 1).Outcome);   // the last account is valid
        Assert.Equal(new long[] { 11, 10, 9 }, ledger.Balances);
    }

    [Fact]
    public void Retry_simulation_refuses_counts_and_loss_rates_outside_their_ranges()
    {
        OutOfRange("transfers", () => Idempotency.SimulateRetries(0, 0, true, 1));
        OutOfRange("transfers", () => Idempotency.SimulateRetries(1_000_001, 0, true, 1));
        OutOfRange("responseLoss", () => Idempotency.SimulateRetries(1, -0.01, true, 1));
        OutOfRange("responseLoss", () => Idempotency.SimulateRetries(1, 0.991, true, 1));
        OutOfRange("accounts", () => Idempotency.SimulateRetries(1, 0, true, 1, accounts: 1));
        OutOfRange("accounts", () => Idempotency.SimulateRetries(1, 0, true, 1, accounts: 100_001));
        OutOfRange("initialBalance", () => Idempotency.SimulateRetries(1, 0, true, 1, initialBalance: -1));
        Assert.Equal(1, Idempotency.SimulateRetries(1, 0, false, 1, accounts: 2).Requests);
    }

    [Fact]
    public void Bank_simulation_names_the_option_that_is_out_of_range_and_refuses_unknown_strategies()
    {
        var o = new BankOptions(2, Workers: 1, TransfersPerWorker: 1);
        var s = TransferStrategy.Optimistic;
        Null("options", () => BankSimulation.Run(null!, s));
        OutOfRange("Accounts", () => BankSimulation.Run(o with { Accounts = 1 }, s));
        OutOfRange("Accounts", () => BankSimulation.Run(o with { Accounts = 1_000_001 }, s));
        OutOfRange("Workers", () => BankSimulation.Run(o with { Workers = 0 }, s));
        OutOfRange("Workers", () => BankSimulation.Run(o with { Workers = 257 }, s));
        OutOfRange("TransfersPerWorker", () => BankSimulation.Run(o with { TransfersPerWorker = 0 }, s));
        OutOfRange("TransfersPerWorker", () => BankSimulation.Run(o with { TransfersPerWorker = 100_001 }, s));
        OutOfRange("InitialBalance", () => BankSimulation.Run(o with { InitialBalance = -1 }, s));
        OutOfRange("InitialBalance", () => BankSimulation.Run(o with { InitialBalance = 1_000_000_001 }, s));
        OutOfRange("MaxAmount", () => BankSimulation.Run(o with { MaxAmount = 0 }, s));
        OutOfRange("MaxAmount", () => BankSimulation.Run(o with { MaxAmount = 1_000_000_001 }, s));
        OutOfRange("WorkTicks", () => BankSimulation.Run(o with { WorkTicks = -1 }, s));
        OutOfRange("WorkTicks", () => BankSimulation.Run(o with { WorkTicks = 1001 }, s));
        const string strategies =
            "strategy must be one of NoControl, PessimisticOrdered, PessimisticUnordered, Optimistic.";
        Invalid("strategy", () => BankSimulation.Run(o, (TransferStrategy)4), strategies);
        Invalid("strategy", () => BankSimulation.Run(o, (TransferStrategy)(-1)), strategies);
        Assert.Equal(1, BankSimulation.Run(o, TransferStrategy.NoControl).Completed);

        OutOfRange("accounts", () => BankSeeds.Compare(1, 2));
        OutOfRange("accounts", () => BankSeeds.Compare(1_000_001, 2));
        OutOfRange("seeds", () => BankSeeds.Compare(2, 1));
        OutOfRange("seeds", () => BankSeeds.Compare(2, 1001));
    }

    [Fact]
    public void Vacuum_simulation_refuses_sizes_outside_their_ranges_and_a_long_transaction_outside_the_run()
    {
        OutOfRange("rows", () => VacuumSimulation.Run(0, 10, 0, 1, 1));
        OutOfRange("rows", () => VacuumSimulation.Run(100_001, 10, 0, 1, 1));
        OutOfRange("updates", () => VacuumSimulation.Run(1, 0, 0, 1, 1));
        OutOfRange("updates", () => VacuumSimulation.Run(1, 1_000_001, 0, 1, 1));
        OutOfRange("vacuumEvery", () => VacuumSimulation.Run(1, 10, -1, 1, 1));
        OutOfRange("vacuumEvery", () => VacuumSimulation.Run(1, 10, 11, 1, 1));
        OutOfRange("sampleEvery", () => VacuumSimulation.Run(1, 10, 0, 0, 1));
        OutOfRange("sampleEvery", () => VacuumSimulation.Run(1, 10, 0, 11, 1));
        OutOfRange("longFrom", () => VacuumSimulation.Run(1, 10, 0, 1, 1, longFrom: -2));
        OutOfRange("longFrom", () => VacuumSimulation.Run(1, 10, 0, 1, 1, longFrom: 11, longTo: 11));
        OutOfRange("longTo", () => VacuumSimulation.Run(1, 10, 0, 1, 1, longFrom: 4, longTo: 3));
        OutOfRange("longTo", () => VacuumSimulation.Run(1, 10, 0, 1, 1, longFrom: 4, longTo: 11));
        // Every bound computed from updates is accepted: vacuum, sample and the long transaction at the last update.
        Assert.NotEmpty(VacuumSimulation.Run(1, 10, 10, 10, 1, longFrom: 10, longTo: 10).Points);
        Assert.NotEmpty(VacuumSimulation.Run(1, 10, 0, 1, 1, longFrom: 4, longTo: 4).Points);
        Assert.NotEmpty(VacuumSimulation.Run(1, 10, 0, 1, 1, longFrom: -1, longTo: -5).Points); // no long transaction

        OutOfRange("rows", () => VacuumSimulation.UpdateAllTwice(0));
        OutOfRange("rows", () => VacuumSimulation.UpdateAllTwice(100_001));
        OutOfRange("tuplesPerPage", () => VacuumSimulation.UpdateAllTwice(1, 0));
        OutOfRange("rows", () => VacuumSimulation.LongTransaction(0));
        OutOfRange("rows", () => VacuumSimulation.LongTransaction(100_001));

        OutOfRange("rows", () => PostgresBloat.ModelPages(0, 10, 1));
        OutOfRange("rows", () => PostgresBloat.ModelPages(100_001, 10, 1));
        OutOfRange("updates", () => PostgresBloat.ModelPages(1, 0, 1));
        OutOfRange("updates", () => PostgresBloat.ModelPages(1, 200_001, 1));
        OutOfRange("stage", () => PostgresBloat.ModelPages(1, 10, 0));
        OutOfRange("stage", () => PostgresBloat.ModelPages(1, 10, 11));
        OutOfRange("tuplesPerPage", () => PostgresBloat.ModelPages(1, 10, 1, 0));
        OutOfRange("tuplesPerPage", () => PostgresBloat.ModelPages(1, 10, 1, 2049));
        Assert.Equal(10, PostgresBloat.ModelPages(1, 10, 10, 2048).Last().Updates);
    }

    [Fact]
    public void Row_history_refuses_scripts_postgresql_would_reject_or_make_wait()
    {
        Null("script", () => RowHistory.Parse(null!));
        Invalid("script", () => RowHistory.Parse(""), "script must not be empty.");
        const string actions = ". Actions: insert N, update N, delete (each optionally 'open' or 'abort'), "
            + "commit, abort, "
            + "snapshot NAME, end NAME.";
        void Bad(string script, string why) => Invalid("script", () => RowHistory.Parse(script), why + actions);
        Bad("insert", "'insert': needs a whole number");
        Bad("insert x", "'insert x': needs a whole number");
        Bad("insert 2147483648", "'insert 2147483648': the balance must fit a 32-bit integer");
        Bad("insert -2147483649", "'insert -2147483649': the balance must fit a 32-bit integer");
        Assert.Equal(int.MaxValue, RowHistory.Parse("insert 2147483647")[0].Value);
        Assert.Equal(int.MinValue, RowHistory.Parse("insert -2147483648")[0].Value);
        Bad("insert 1; commit", "'commit': there is no open writer");
        Bad("abort", "'abort': there is no open writer");
        Bad("snapshot", "'snapshot': needs a name of letters and digits");
        Bad("snapshot a b", "'snapshot a b': needs a name of letters and digits");
        Bad("snapshot a-b", "'snapshot a-b': needs a name of letters and digits");
        Bad("snapshot new", "'snapshot new': needs a name of letters and digits");   // the name of a fresh snapshot
        Bad("snapshot S; snapshot S", "'snapshot S': that snapshot is already open");
        Bad("end S", "'end S': no open snapshot has that name");
        Bad("snapshot A; snapshot B; snapshot C; snapshot D; snapshot E",
            "'snapshot E': at most 4 snapshots may be open");
        Assert.Equal(6, RowHistory.Parse("snapshot A; snapshot B; snapshot C; snapshot D; end A; snapshot E").Count);
        Bad("jump", "'jump': unknown action");
        Bad("insert 1 open; update 2",
            "'update 2': a writer is still open, and PostgreSQL would make this one wait for its row lock: "
            + "commit or abort it first");
        Bad("insert 1; insert 2", "'insert 2': row 42 already exists");
        Bad("update 1", "'update 1': row 42 does not exist");
        Bad("delete", "'delete': row 42 does not exist");
        string Many(int n) => "insert 1; " + string.Join("; ", Enumerable.Repeat("update 2", n - 1));
        Invalid("script", () => RowHistory.Parse(Many(41)), "at most 40 actions; got 41.");
        Assert.Equal(40, RowHistory.Parse(Many(40)).Count);

        Null("actions", () => RowHistory.Simulate(null!));
        Null("steps", () => RowHistory.Table(null!));
        Null("steps", () => RowHistory.StateGrid(null!));
        Null("simulation", () => RowHistory.Compare(null!, new[] { Step(1) }));
        Null("postgres", () => RowHistory.Compare(new[] { Step(1) }, null!));
        Invalid("postgres", () => RowHistory.Compare(new[] { Step(1) }, new[] { Step(1), Step(2) }),
            "both histories need the same number of steps; got 1 and 2.");
        Assert.Empty(RowHistory.Compare(new[] { Step(1) }, new[] { Step(1) }));
    }

    [Fact]
    public void Anomaly_scenarios_and_matrices_refuse_missing_runs_and_unknown_levels_or_scenarios()
    {
        OutOfRange("level", () => Anomalies.Sql((IsolationLevel)4));
        Null("scenario", () => Anomalies.Simulate(null!, IsolationLevel.ReadCommitted));
        var run = Anomalies.Simulate(Anomalies.Dirty, IsolationLevel.ReadCommitted);
        Null("system", () => new AnomalyMatrix(null!, new[] { run }));
        Invalid("system", () => new AnomalyMatrix("", new[] { run }), "system must not be empty.");
        Null("runs", () => new AnomalyMatrix("s", null!));
        Invalid("runs", () => new AnomalyMatrix("s", Array.Empty<ScenarioRun>()), "a matrix needs at least one run.");
        var matrix = new AnomalyMatrix("s", new[] { run });
        Assert.Same(run, matrix[IsolationLevel.ReadCommitted, Anomalies.DirtyRead]);
        Null("scenario", () => _ = matrix[IsolationLevel.ReadCommitted, null!]);
        Invalid("scenario", () => _ = matrix[IsolationLevel.ReadCommitted, ""], "scenario must not be empty.");
        Invalid("scenario", () => _ = matrix[IsolationLevel.Serializable, Anomalies.DirtyRead],
            "no run for dirty read at Serializable in the s matrix.");
        Null("a", () => AnomalyMatrix.Compare(null!, matrix));
        Null("b", () => AnomalyMatrix.Compare(matrix, null!));
    }

    [Fact]
    public void Postgres_anomalies_need_an_open_connection_a_scenario_a_known_level_and_a_transaction_of_the_script()
    {
        using var unopened = new NpgsqlConnection();
        Null("connection", () => new PostgresAnomalies(null!));
        Invalid("connection", () => new PostgresAnomalies(unopened), "connection must be open.");
        // Run's guards come before any session is used: an instance whose constructor never ran reaches them
        // without a server, and an input they accept fails on its missing session list.
        var lab = (PostgresAnomalies)RuntimeHelpers.GetUninitializedObject(typeof(PostgresAnomalies));
        var scenario = Anomalies.Skew;
        Null("scenario", () => lab.Run(null!, IsolationLevel.Serializable));
        OutOfRange("readOnlyTx", () => lab.Run(scenario, IsolationLevel.Serializable, -1));
        OutOfRange("readOnlyTx", () => lab.Run(scenario, IsolationLevel.Serializable, scenario.Transactions + 1));
        const string levels = "level must be one of ReadUncommitted, ReadCommitted, RepeatableRead, Serializable.";
        Invalid("level", () => lab.Run(scenario, (IsolationLevel)4), levels);
        Invalid("level", () => lab.Run(scenario, (IsolationLevel)(-1)), levels);
        Assert.Throws<NullReferenceException>(
            () => lab.Run(scenario, IsolationLevel.Serializable, scenario.Transactions));
    }

    [Fact]
    public void Postgres_bank_refuses_missing_connections_bad_sizes_and_self_transfers_before_touching_the_server()
    {
        using var c = new NpgsqlConnection();
        Null("c", () => PostgresBank.Setup(null!, 2, 0));
        OutOfRange("accounts", () => PostgresBank.Setup(c, 1, 0));
        OutOfRange("accounts", () => PostgresBank.Setup(c, 100_001, 0));
        OutOfRange("initialBalance", () => PostgresBank.Setup(c, 2, -1));
        OutOfRange("initialBalance", () => PostgresBank.Setup(c, 2, 1_000_000_001));
        ReachesTheServer(() => PostgresBank.Setup(c, 100_000, 1_000_000_000));
        Null("c", () => PostgresBank.Drop(null!));

        Null("c", () => PostgresBank.TransferPessimistic(null!, 1, 2, 1));
        OutOfRange("from", () => PostgresBank.TransferPessimistic(c, 0, 2, 1));
        OutOfRange("to", () => PostgresBank.TransferPessimistic(c, 1, 0, 1));
        Invalid("to", () => PostgresBank.TransferPessimistic(c, 2, 2, 1), "from and to must differ.");
        OutOfRange("amount", () => PostgresBank.TransferPessimistic(c, 1, 2, 0));
        ReachesTheServer(() => PostgresBank.TransferPessimistic(c, 1, 2, 1));
        Null("c", () => PostgresBank.TransferIdempotent(null!, Guid.Empty, 1, 2, 1));
        OutOfRange("from", () => PostgresBank.TransferIdempotent(c, Guid.Empty, 0, 2, 1));
        OutOfRange("to", () => PostgresBank.TransferIdempotent(c, Guid.Empty, 1, 0, 1));
        Invalid("to", () => PostgresBank.TransferIdempotent(c, Guid.Empty, 1, 1, 1), "from and to must differ.");
        OutOfRange("amount", () => PostgresBank.TransferIdempotent(c, Guid.Empty, 1, 2, 0));
        ReachesTheServer(() => PostgresBank.TransferIdempotent(c, Guid.Empty, 1, 2, 1));
        Null("c", () => PostgresBank.TransferOptimistic(null!, 1, 2, 1));
        OutOfRange("from", () => PostgresBank.TransferOptimistic(c, 0, 2, 1));
        OutOfRange("maxRetries", () => PostgresBank.TransferOptimistic(c, 1, 2, 1, -1));
        OutOfRange("maxRetries", () => PostgresBank.TransferOptimistic(c, 1, 2, 1, 1_000_001));
        ReachesTheServer(() => PostgresBank.TransferOptimistic(c, 1, 2, 1, 1_000_000));

        PgBankResult Run(NpgsqlConnection conn, TransferStrategy strategy = TransferStrategy.Optimistic,
            int threads = 1, int transfers = 1, int accounts = 2, long balance = 0, int maxAmount = 1) =>
            PostgresBank.RunConcurrent(conn, strategy, threads, transfers, accounts, balance, maxAmount, 1);
        Null("c", () => Run(null!));
        const string strategies = "strategy must be PessimisticOrdered or Optimistic on PostgreSQL.";
        Invalid("strategy", () => Run(c, TransferStrategy.NoControl), strategies);
        Invalid("strategy", () => Run(c, TransferStrategy.PessimisticUnordered), strategies);
        OutOfRange("threads", () => Run(c, threads: 0));
        OutOfRange("threads", () => Run(c, threads: 17));
        OutOfRange("transfersPerThread", () => Run(c, transfers: 0));
        OutOfRange("transfersPerThread", () => Run(c, transfers: 10_001));
        OutOfRange("maxAmount", () => Run(c, maxAmount: 0));
        OutOfRange("maxAmount", () => Run(c, maxAmount: 1_000_001));
        OutOfRange("accounts", () => Run(c, accounts: 1));
        ReachesTheServer(() => Run(c, TransferStrategy.PessimisticOrdered, 16, 10_000, maxAmount: 1_000_000));

        Null("c", () => PostgresBank.IdempotencyExperiment(null!));
        OutOfRange("amount", () => PostgresBank.IdempotencyExperiment(c, 0));
        OutOfRange("amount", () => PostgresBank.IdempotencyExperiment(c, 1001));
        OutOfRange("submitters", () => PostgresBank.IdempotencyExperiment(c, 1, 1));
        OutOfRange("submitters", () => PostgresBank.IdempotencyExperiment(c, 1, 17));
        ReachesTheServer(() => PostgresBank.IdempotencyExperiment(c, 1000, 16));
    }

    [Fact]
    public void Postgres_ledger_refuses_missing_or_unknown_variants_and_amounts_beyond_the_opening_balance()
    {
        using var c = new NpgsqlConnection();
        var ok = new[] { ("SERIALIZABLE", LedgerGuard.None) };
        Null("c", () => PostgresLedger.Compare(null!, ok));
        Null("variants", () => PostgresLedger.Compare(c, null!));
        Invalid("variants", () => PostgresLedger.Compare(c, Array.Empty<(string, LedgerGuard)>()),
            "at least one variant is needed.");
        Invalid("variants", () => PostgresLedger.Withdrawals(c, "serializable", LedgerGuard.None),
            "level must be READ COMMITTED, REPEATABLE READ or SERIALIZABLE.");
        Invalid("variants", () => PostgresLedger.Withdrawals(c, "READ COMMITTED", (LedgerGuard)2),
            "guard must be None or ForUpdate.");
        OutOfRange("opening", () => PostgresLedger.Compare(c, ok, 0, 1));
        OutOfRange("opening", () => PostgresLedger.Compare(c, ok, 1_000_000_001, 1));
        OutOfRange("amount", () => PostgresLedger.Compare(c, ok, 10, 0));
        OutOfRange("amount", () => PostgresLedger.Compare(c, ok, 10, 11));
        foreach (var level in new[] { "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE" })
            ReachesTheServer(() => PostgresLedger.Withdrawals(c, level, LedgerGuard.ForUpdate, 10, 10));
        Null("c", () => PostgresLedger.GuideInsert(null!));
    }

    [Fact]
    public void Postgres_bloat_vacuum_and_row_history_refuse_missing_connections_and_bad_sizes()
    {
        using var c = new NpgsqlConnection();
        Null("c", () => PostgresBloat.UpdateGrowth(null!, UpdateWorkload.Hot, 10, 10, 1));
        Invalid("workload", () => PostgresBloat.UpdateGrowth(c, (UpdateWorkload)3, 10, 10, 1),
            "workload must be Hot, NonHot or HeldSnapshot.");
        OutOfRange("rows", () => PostgresBloat.UpdateGrowth(c, UpdateWorkload.Hot, 9, 10, 1));
        OutOfRange("rows", () => PostgresBloat.UpdateGrowth(c, UpdateWorkload.Hot, 100_001, 10, 1));
        OutOfRange("updates", () => PostgresBloat.UpdateGrowth(c, UpdateWorkload.Hot, 10, 0, 1));
        OutOfRange("updates", () => PostgresBloat.UpdateGrowth(c, UpdateWorkload.Hot, 10, 200_001, 1));
        OutOfRange("stage", () => PostgresBloat.UpdateGrowth(c, UpdateWorkload.Hot, 10, 10, 0));
        OutOfRange("stage", () => PostgresBloat.UpdateGrowth(c, UpdateWorkload.Hot, 10, 10, 11));
        Invalid("stage", () => PostgresBloat.UpdateGrowth(c, UpdateWorkload.Hot, 10, 10, 3),
            "updates (10) must be a multiple of stage (3).");
        ReachesTheServer(() => PostgresBloat.UpdateGrowth(c, UpdateWorkload.HeldSnapshot, 100_000, 200_000, 200_000));
        Null("c", () => PostgresVacuumCost.Settings(null!));

        Null("c", () => PostgresVacuum.Settings(null!));
        Null("c", () => PostgresVacuum.Ages(null!));
        Null("c", () => PostgresVacuum.LongTransaction(null!, 1));
        OutOfRange("rows", () => PostgresVacuum.LongTransaction(c, 0));
        OutOfRange("rows", () => PostgresVacuum.LongTransaction(c, 100_001));
        ReachesTheServer(() => PostgresVacuum.LongTransaction(c, 100_000));
        Null("c", () => PostgresVacuum.UpdateAllTwice(null!, 1));
        OutOfRange("rows", () => PostgresVacuum.UpdateAllTwice(c, 0));
        OutOfRange("rows", () => PostgresVacuum.UpdateAllTwice(c, 100_001));
        ReachesTheServer(() => PostgresVacuum.UpdateAllTwice(c, 100_000));
        Null("c", () => PostgresVacuum.Freeze(null!));
        Null("c", () => PostgresVacuum.Vacuum(null!));
        var settings = new VacuumSettings("17", 200_000_000, 1_600_000_000, 50_000_000, 150_000_000, 50, 0.2,
            "read committed", 0, 0, 3);
        OutOfRange("liveTuples", () => settings.AutovacuumTrigger(-1));
        Assert.Equal(50, settings.AutovacuumTrigger(0));

        Null("connection", () => PostgresRowHistory.Run(null!, Array.Empty<RowAction>()));
        Null("actions", () => PostgresRowHistory.Run(c, null!));

        Invalid("setting", () => Pg.Show(c, "work_mem; DROP TABLE x"),
            "setting must be a plain name; got 'work_mem; DROP TABLE x'.");
        ReachesTheServer(() => Pg.Show(c, "work_mem_2"));
    }
}
