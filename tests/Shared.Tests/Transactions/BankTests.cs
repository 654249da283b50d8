using SystemDesign.Tests.RealSystems;
using SystemDesign.Transactions;

namespace SystemDesign.Tests.Transactions;

[Collection(PostgresTablesCollection.Name)]
public sealed class BankTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(256)]
    public void Controlled_strategies_conserve_money_and_reconcile(int accounts)
    {
        foreach (var s in new[] { TransferStrategy.PessimisticOrdered, TransferStrategy.PessimisticUnordered, TransferStrategy.Optimistic })
        {
            var r = BankSimulation.Run(new BankOptions(accounts, TransfersPerWorker: 50), s);
            Assert.True(r.Conserved, $"{s} at {accounts}: {r}");
            Assert.True(r.LedgerReconciles);
            Assert.True(r.MinBalance >= 0);
            Assert.Equal(8 * 50, r.Completed);
            if (s == TransferStrategy.PessimisticOrdered) Assert.Equal(0, r.Deadlocks);
        }
    }

    [Fact]
    public void Unordered_locks_deadlock_and_no_control_loses_money()
    {
        Assert.True(BankSimulation.Run(new BankOptions(4, TransfersPerWorker: 50), TransferStrategy.PessimisticUnordered).Deadlocks > 0);
        var race = BankSimulation.Run(new BankOptions(8, TransfersPerWorker: 50), TransferStrategy.NoControl);
        Assert.False(race.Conserved && race.LedgerReconciles);
    }

    [Fact]
    public void Optimistic_retries_grow_with_contention()
    {
        double Retries(int a) => BankSimulation.Run(new BankOptions(a), TransferStrategy.Optimistic).RetriesPerTransfer;
        Assert.True(Retries(4) > Retries(64));
        Assert.True(Retries(64) > Retries(1024));
    }

    [Fact]
    public void Runs_are_deterministic_within_and_across_processes()
    {
        var o = new BankOptions(16, Seed: 7);
        Assert.Equal(BankSimulation.Run(o, TransferStrategy.Optimistic), BankSimulation.Run(o, TransferStrategy.Optimistic));
        // A pinned figure: a seed derived with HashCode.Combine (randomized per process) once made this vary run to run.
        Assert.Equal(512, BankSimulation.Run(new BankOptions(1024, Seed: 1), TransferStrategy.PessimisticOrdered).Ticks);
    }

    [Fact]
    public void Idempotency_keys_turn_retries_into_one_transfer()
    {
        var with = Idempotency.SimulateRetries(1000, 0.3, useKeys: true, seed: 1);
        var without = Idempotency.SimulateRetries(1000, 0.3, useKeys: false, seed: 1);
        Assert.Equal(with.Requests, without.Requests);
        Assert.Equal(1000, with.Applied);
        Assert.Equal(with.MoneyIntended, with.MoneyMoved);
        Assert.Equal(without.Requests, without.Applied);
        Assert.True(without.MoneyMoved > without.MoneyIntended);
        var ledger = new IdempotentLedger(2, 10);
        Assert.Equal(new TransferReceipt(TransferOutcome.Declined, false), ledger.Transfer("k", 0, 1, 50));
        Assert.Equal(new TransferReceipt(TransferOutcome.Declined, true), ledger.Transfer("k", 0, 1, 5));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BankSimulation.Run(new BankOptions(1), TransferStrategy.Optimistic));
        Assert.Throws<ArgumentOutOfRangeException>(() => BankSimulation.Run(new BankOptions(4, WorkTicks: -1), TransferStrategy.Optimistic));
        Assert.Throws<ArgumentException>(() => BankSimulation.Run(new BankOptions(4), (TransferStrategy)42));
        Assert.Throws<ArgumentException>(() => new IdempotentLedger(2, 10).Transfer("k", 1, 1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdempotentLedger(2, 10).Transfer("k", 0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Idempotency.SimulateRetries(10, 1.0, true, 1));
    }

    [SkippableFact]
    public void Postgres_transfers_conserve_money_and_keys_deduplicate()
    {
        using var pg = RealSystem.RequirePostgres();
        foreach (var s in new[] { TransferStrategy.PessimisticOrdered, TransferStrategy.Optimistic })
        {
            var r = PostgresBank.RunConcurrent(pg, s, threads: 4, transfersPerThread: 20, accounts: 4, initialBalance: 100, maxAmount: 50, seed: 1);
            Assert.True(r.Conserved);
            Assert.True(r.LedgerReconciles);
            Assert.Equal(80, r.Completed);
            Assert.Equal(0, r.Deadlocks);
        }
        var i = PostgresBank.IdempotencyExperiment(pg);
        Assert.Equal(i.Amount, i.MovedWithKey);
        Assert.True(i.Retry.Replayed);
        Assert.Equal(2 * i.Amount, i.MovedWithoutKey);
        Assert.Equal((1, 7, 1), (i.ConcurrentApplied, i.ConcurrentReplayed, i.LedgerRowsForKey));
        Assert.Equal(i.Amount, i.MovedConcurrent);
        Assert.Throws<ArgumentException>(() => PostgresBank.RunConcurrent(pg, TransferStrategy.NoControl, 1, 1, 2, 10, 5, 1));
    }
}
