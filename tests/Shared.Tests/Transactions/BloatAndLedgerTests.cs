using SystemDesign.Tests.RealSystems;
using SystemDesign.Transactions;

namespace SystemDesign.Tests.Transactions;

[Collection(PostgresTablesCollection.Name)]
public sealed class BloatAndLedgerTests
{
    [Fact]
    public void The_model_adds_a_tuple_per_update_packed_226_to_a_page()
    {
        var model = PostgresBloat.ModelPages(1000, 4000, 2000);
        Assert.Equal(new[] { 5, 14, 23 }, model.Select(p => p.HeapPages));
        Assert.Equal(new[] { 0, 2000, 4000 }, model.Select(p => p.Updates));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgresBloat.ModelPages(0, 10, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BankSeeds.Compare(1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => BankSeeds.Compare(4, 1));
    }

    [Fact]
    public void Seed_comparison_pairs_the_two_designs_seed_by_seed()
    {
        var c = BankSeeds.Compare(1024, 4);
        Assert.Equal(4, c.Seeds);
        Assert.All(c.Pessimistic, r => Assert.Equal(TransferStrategy.PessimisticOrdered, r.Strategy));
        Assert.All(c.Optimistic, r => Assert.Equal(TransferStrategy.Optimistic, r.Strategy));
        Assert.Equal(c.Gaps.Average(), c.MeanGap, 12);
        Assert.Equal(-c.MeanGap, c.MeanGain, 12);
        Assert.True(c.ResidualStdErr >= 0);
        // Rare conflicts: the throughput gap is what each design loses to conflicts (within 4 standard errors).
        Assert.InRange(c.MeanGap - c.MeanPredictedGap, -4 * c.ResidualStdErr - 1e-9, 4 * c.ResidualStdErr + 1e-9);
    }

    [SkippableFact]
    public void On_PostgreSQL_a_ledger_balance_check_is_write_skew_under_SI_only()
    {
        using var pg = RealSystem.RequirePostgres();
        var si = PostgresLedger.Withdrawals(pg, "REPEATABLE READ", LedgerGuard.None);
        Assert.Equal((100L, (long?)100L, "withdrew", "withdrew", -60L), (si.T1Saw, si.T2Saw, si.T1Outcome, si.T2Outcome, si.BalanceAfter));
        var ssi = PostgresLedger.Withdrawals(pg, "SERIALIZABLE", LedgerGuard.None);
        Assert.Equal(20, ssi.BalanceAfter);
        Assert.StartsWith("40001", ssi.T2Outcome);
        var locked = PostgresLedger.Withdrawals(pg, "READ COMMITTED", LedgerGuard.ForUpdate);
        Assert.Equal((20L, "declined"), (locked.BalanceAfter, locked.T2Outcome));
        Assert.Throws<ArgumentException>(() => PostgresLedger.Withdrawals(pg, "CHAOS", LedgerGuard.None));
    }

    [SkippableFact]
    public void On_PostgreSQL_the_guides_insert_is_a_syntax_error()
    {
        using var pg = RealSystem.RequirePostgres();
        var r = PostgresLedger.GuideInsert(pg);
        Assert.Equal("42601", r.SqlState);
        Assert.Equal(1, r.RowsWithRenamedColumns);
    }

    [SkippableFact]
    public void On_PostgreSQL_a_read_only_T1_avoids_the_false_positive()
    {
        using var pg = RealSystem.RequirePostgres();
        using var runner = new PostgresAnomalies(pg);
        Assert.Single(runner.Run(Anomalies.AbortAtRead, IsolationLevel.Serializable).Aborts);
        Assert.Empty(runner.Run(Anomalies.AbortAtRead, IsolationLevel.Serializable, readOnlyTx: 1).Aborts);
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Run(Anomalies.AbortAtRead, IsolationLevel.Serializable, readOnlyTx: 9));
    }
}
