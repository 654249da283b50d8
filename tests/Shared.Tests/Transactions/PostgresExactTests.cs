using Npgsql;
using SystemDesign.Tests.RealSystems;
using SystemDesign.Transactions;

namespace SystemDesign.Tests.Transactions;

/// <summary>The PostgreSQL runners report exactly what the simulation does, step by step, and clean up after.</summary>
[Collection(PostgresTablesCollection.Name)]
public sealed class PostgresExactTests
{
    private static bool TableExists(NpgsqlConnection pg, string table)
    {
        using var cmd = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", pg);
        cmd.Parameters.AddWithValue("t", table);
        return (bool)cmd.ExecuteScalar()!;
    }

    [SkippableFact]
    public void Row_history_on_postgres_numbers_steps_and_sees_what_each_snapshot_sees()
    {
        using var pg = RealSystem.RequirePostgres();
        var actions = RowHistory.Parse("insert 100; snapshot S1; update 200 open; snapshot A2; commit; "
            + "update 300 abort; end A2; delete; insert 5");
        var sim = RowHistory.Simulate(actions);
        var real = PostgresRowHistory.Run(pg, actions);
        Assert.Equal(sim.Select(s => (s.Step, s.Action)), real.Select(s => (s.Step, s.Action)));
        for (int i = 0; i < sim.Count; i++)
            Assert.Equal(sim[i].Visible.OrderBy(v => v.Key, StringComparer.Ordinal),
                real[i].Visible.OrderBy(v => v.Key, StringComparer.Ordinal));
        Assert.Equal("—", real[7].Visible[RowHistory.NewSnapshot]);
        Assert.All(real.SelectMany(s => s.Versions), v => Assert.Equal("", v.State));
        Assert.All(RowHistory.Compare(sim, real), c => Assert.True(c.Agree,
            $"{c.Step}: {c.Simulation} | {c.PostgreSQL}"));
        Assert.False(TableExists(pg, PostgresRowHistory.Table));
    }

    [SkippableFact]
    public void Postgres_ages_of_the_sample_xids_are_exact()
    {
        using var pg = RealSystem.RequirePostgres();
        var ages = PostgresVacuum.Ages(pg);
        Assert.Equal(["now", "1 000 ago", "2^31 − 1 ago (oldest still in the past)", "2^31 ago (wraps to the future)",
            "1 000 ahead", "2^32 − 1 (top of the counter)", "FrozenTransactionId = 2", "BootstrapTransactionId = 1"],
            ages.Select(a => a.Case));
        uint now = ages[0].Xid;
        // age() of a special XID (0, 1, 2) is INT_MAX: on a young cluster "1 000 ago" can be one of them.
        int Age(int expected, uint xid) => xid < 3 ? int.MaxValue : expected;
        Assert.Equal([0, Age(1000, unchecked(now - 1000)), Age(int.MaxValue, unchecked(now - 2147483647u)),
            Age(int.MinValue, unchecked(now - 2147483648u)), Age(-1000, unchecked(now + 1000))],
            ages.Take(5).Select(a => a.Server));
        Assert.Equal([now, unchecked(now - 1000), unchecked(now - 2147483647u), unchecked(now - 2147483648u),
            unchecked(now + 1000), uint.MaxValue, 2u, 1u], ages.Select(a => a.Xid));
        Assert.Equal([int.MaxValue, int.MaxValue], ages.Skip(6).Select(a => a.Server));
        Assert.All(ages, a => Assert.True(a.Agree, a.ToString()));
    }

    [SkippableFact]
    public void Postgres_scenarios_record_every_abort_with_its_step_detail_and_final_state()
    {
        using var pg = RealSystem.RequirePostgres();
        var scenario = new Scenario("two losers", "Are both readers rolled back?", [(1, 100)],
        [
            ScriptStep.Begin(1), ScriptStep.Begin(2), ScriptStep.Begin(3), ScriptStep.Read(1, 1, "a"),
            ScriptStep.Read(2, 1, "b"), ScriptStep.Write(3, 1, 5), ScriptStep.Commit(3), ScriptStep.Write(1, 1, 6),
            ScriptStep.Write(2, 1, 7), ScriptStep.Commit(1), ScriptStep.Begin(4), ScriptStep.Write(4, 1, 8),
            ScriptStep.Rollback(4), ScriptStep.Begin(5), ScriptStep.Add(5, 1, 0), ScriptStep.Commit(5),
        ], r => false);
        using (var runner = new PostgresAnomalies(pg))
        {
            var run = runner.Run(scenario, IsolationLevel.RepeatableRead);
            var sim = Anomalies.Simulate(scenario, IsolationLevel.RepeatableRead);
            Assert.Equal("40001 T1 at WRITE (concurrent update); 40001 T2 at WRITE (concurrent update)", run.Cell);
            Assert.Equal(sim.Cell, run.Cell);
            Assert.Equal([8, 9], run.Aborts.Select(a => a.Step));
            Assert.Equal(5, run.Final[1]);
            Assert.Equal([("a", 100L), ("b", 100L)], run.Values.OrderBy(v => v.Key).Select(v => (v.Key,
                v.Value!.Value)));
            Assert.Equal("PostgreSQL", run.System);

            Assert.Equal(120, runner.Run(Anomalies.Lost, IsolationLevel.ReadCommitted).Final[1]);
            var skew = runner.Run(Anomalies.Skew, IsolationLevel.Serializable).Aborts.Single();
            Assert.Contains(" — ", skew.Message);               // the server's detail, e.g. "Reason code: …"
            Assert.Contains("Reason code", skew.Message);
            Assert.Equal((2, 8, StepKind.Commit), (skew.Tx, skew.Step, skew.At));

            Assert.Equal("serializable", runner.ReportedLevel(IsolationLevel.Serializable));
            Assert.Equal("read committed", runner.ReportedLevel(IsolationLevel.ReadCommitted));

            var e = Assert.Throws<PostgresException>(
                () => runner.Run(Anomalies.Lost, IsolationLevel.ReadCommitted, readOnlyTx: 1));
            Assert.Equal("25006", e.SqlState);                 // a READ ONLY transaction may not write
            // The failed run left no session in an aborted transaction (the next command got 25P02 before).
            Assert.Equal("read committed", runner.ReportedLevel(IsolationLevel.ReadCommitted));

            var nine = new Scenario("nine", "?", [(1, 1)], [.. Enumerable.Range(1,
                9).Select(ScriptStep.Begin)], r => false);
            Assert.Throws<ArgumentOutOfRangeException>(() => runner.Run(nine, IsolationLevel.ReadCommitted));
        }
        Assert.False(TableExists(pg, PostgresAnomalies.Table));
    }

    [SkippableFact]
    public void Postgres_transfers_move_the_whole_balance_decline_one_more_and_leave_no_transaction_open()
    {
        using var pg = RealSystem.RequirePostgres();
        using var other = Pg.OpenSibling();
        bool NoTransactionOpen()
        {
            // SAVEPOINT is refused (25P01) outside a transaction block.
            try { Pg.Exec(pg, "SAVEPOINT probe"); return false; }
            catch (PostgresException e) when (e.SqlState == "25P01") { return true; }
        }
        long[] Balances() => Pg.Rows(other, $"SELECT balance FROM {PostgresBank.Accounts} ORDER BY id",
            r => r.GetInt64(0)).ToArray();
        PostgresBank.Setup(pg, 3, 100);
        try
        {
            // Exactly the whole balance moves; one more is declined.
            Assert.Equal(TransferOutcome.Applied, PostgresBank.TransferPessimistic(pg, 1, 2, 100));
            Assert.Equal(TransferOutcome.Declined, PostgresBank.TransferPessimistic(pg, 1, 3, 1));
            Assert.Equal((TransferOutcome.Applied, 0), PostgresBank.TransferOptimistic(pg, 2, 3, 200));
            Assert.Equal((TransferOutcome.Declined, 0), PostgresBank.TransferOptimistic(pg, 2, 1, 1));
            Assert.True(NoTransactionOpen());
            Assert.Equal([0L, 0, 300], Balances());   // seen by another session
            Assert.Equal(2, Pg.Scalar<int>(other,
                $"SELECT count(*)::int FROM {PostgresBank.Ledger} WHERE outcome = 'applied' "
                + "AND idempotency_key IS NULL"));

            var key = Guid.NewGuid();
            Assert.Equal(new TransferReceipt(TransferOutcome.Applied, false),
                PostgresBank.TransferIdempotent(pg, key, 3, 1, 50));
            Assert.Equal(new TransferReceipt(TransferOutcome.Applied, true),
                PostgresBank.TransferIdempotent(pg, key, 3, 1, 50));
            Assert.True(NoTransactionOpen());
            var declinedKey = Guid.NewGuid();
            Assert.Equal(new TransferReceipt(TransferOutcome.Declined, false),
                PostgresBank.TransferIdempotent(pg, declinedKey, 2, 1, 5));
            Assert.Equal(new TransferReceipt(TransferOutcome.Declined, true),
                PostgresBank.TransferIdempotent(pg, declinedKey, 2, 1, 5));
            Assert.Equal([50L, 0, 250], Balances());

            // A failure inside the transaction (the ledger is missing) rolls it back and leaves the session usable.
            Pg.Exec(other, $"ALTER TABLE {PostgresBank.Ledger} RENAME TO {PostgresBank.Ledger}_away");
            Assert.Throws<PostgresException>(() => PostgresBank.TransferPessimistic(pg, 3, 2, 1));
            Assert.True(NoTransactionOpen());
            Assert.Throws<PostgresException>(() => PostgresBank.TransferIdempotent(pg, Guid.NewGuid(), 3, 2, 1));
            Assert.True(NoTransactionOpen());
            Pg.Exec(other, $"ALTER TABLE {PostgresBank.Ledger}_away RENAME TO {PostgresBank.Ledger}");
            Assert.Equal(0, Pg.Scalar<int>(other,
                $"SELECT count(*)::int FROM {PostgresBank.Ledger} WHERE outcome = 'pending'"));
            Assert.Equal([50L, 0, 250], Balances());

            // An account that does not exist is refused and nothing moves (the debit used to stand alone, Applied).
            static string? Refused(Action transfer) => Assert.Throws<ArgumentException>(transfer).ParamName;
            Assert.Equal("to", Refused(() => PostgresBank.TransferPessimistic(pg, 3, 4, 1)));
            Assert.Equal("from", Refused(() => PostgresBank.TransferPessimistic(pg, 4, 3, 1)));
            Assert.Equal("to", Refused(() => PostgresBank.TransferOptimistic(pg, 3, 9, 1)));
            Assert.Equal("from", Refused(() => PostgresBank.TransferOptimistic(pg, 9, 3, 1)));
            Assert.Equal("to", Refused(() => PostgresBank.TransferIdempotent(pg, Guid.NewGuid(), 3, 4, 1)));
            Assert.True(NoTransactionOpen());
            Assert.Equal([50L, 0, 250], Balances());
            Assert.Equal(0, Pg.Scalar<int>(other,
                $"SELECT count(*)::int FROM {PostgresBank.Ledger} WHERE outcome = 'pending'"));
        }
        finally
        {
            Pg.Exec(other, $"DROP TABLE IF EXISTS {PostgresBank.Ledger}_away");
            PostgresBank.Drop(pg);
        }
    }
}
