using SystemDesign.Transactions;

namespace SystemDesign.Tests.Transactions;

/// <summary>
/// Exact values of the derived figures the notebooks print (seed comparisons, bloat runs, result records) and of
/// the store's inspection entries, on inputs small enough to work out by hand.
/// </summary>
public sealed class TransactionsResultTests
{
    private static BankResult Bank(TransferStrategy s, int committed, int declined, int retries, long wait,
        long wasted) => new(s, 10, 2, committed, declined, retries, 0, 1000, wait, wasted, 500, 500, 0, true);

    [Fact]
    public void A_seed_comparison_derives_gaps_gains_and_their_errors_from_each_seed()
    {
        // Throughput = completed per 1000 ticks; lost = (wait + wasted) / (2 workers × 1000 ticks).
        var p1 = Bank(TransferStrategy.PessimisticOrdered, 90, 10, 0, 200, 0);     // 100, lost 0.1
        var p2 = Bank(TransferStrategy.PessimisticOrdered, 50, 0, 0, 60, 40);      // 50, lost 0.05
        var o1 = Bank(TransferStrategy.Optimistic, 80, 0, 40, 0, 400);             // 80, lost 0.2, 0.5 retries
        var o2 = Bank(TransferStrategy.Optimistic, 55, 5, 6, 100, 100);            // 60, lost 0.1, 0.1 retries
        Assert.Equal(100, p1.Completed);
        Assert.Equal(100, p1.Throughput, 12);
        Assert.Equal(0.1, p1.LostFraction, 12);
        Assert.Equal(0.05, p2.LostFraction, 12);
        Assert.Equal(0.5, o1.RetriesPerTransfer, 12);
        Assert.Equal(0.1, o2.RetriesPerTransfer, 12);
        Assert.True(p1.Conserved);
        Assert.False((p1 with { TotalAfter = 499 }).Conserved);

        var c = new SeedComparison(10, [p1, p2], [o1, o2]);
        Assert.Equal(2, c.Seeds);
        Assert.Equal(new[] { 0.2, -0.2 }, c.Gaps.Select(g => Math.Round(g, 12)));
        Assert.Equal(new[] { 0.1, 0.05 }, c.PredictedGaps.Select(g => Math.Round(g, 12)));
        Assert.Equal(0, c.MeanGap, 12);
        Assert.Equal(0.075, c.MeanPredictedGap, 12);
        // Residuals 0.1 and −0.25: population deviation 0.175, over √2 seeds.
        Assert.Equal(0.175 / Math.Sqrt(2), c.ResidualStdErr, 12);
        Assert.Equal(new[] { -0.2, 0.2 }, c.Gains.Select(g => Math.Round(g, 12)));
        Assert.Equal(0, c.MeanGain, 12);
        Assert.Equal(0.2 / Math.Sqrt(2), c.GainStdErr, 12);
        Assert.Equal(1, c.OptimisticWins);                                          // 60 > 50, not 80 > 100
        var tie = p1 with { Strategy = TransferStrategy.Optimistic };             // equal throughput is no win
        Assert.Equal(0, new SeedComparison(10, [p1], [tie]).OptimisticWins);
        Assert.Equal(0.3, c.MeanRetries, 12);
        Assert.Equal(0.2 / Math.Sqrt(2), c.RetriesStdErr, 12);
        Assert.Equal(0.075, c.MeanLostPessimistic, 12);
        Assert.Equal(0.15, c.MeanLostOptimistic, 12);
    }

    [Fact]
    public void A_bloat_run_reports_its_peak_mean_and_last_points()
    {
        var a = new BloatPoint(0, 10, 1, 10, 0, false);
        var b = new BloatPoint(5, 30, 2, 10, 15, true);
        var c = new BloatPoint(10, 20, 2, 8, 5, false);
        Assert.Equal(0, new BloatPoint(0, 5, 1, 0, 5, false).Bloat);            // no live rows: no ratio
        Assert.Equal(2.5, c.Bloat);
        var run = new BloatRun(10, 0, [a, b, c], []);
        Assert.Equal(30, run.PeakHeap);
        Assert.Equal(3, run.PeakBloat);
        Assert.Equal(20.0 / 3, run.MeanDead, 12);
        Assert.Equal(15, run.MaxDead);
        Assert.Same(c, run.Last);
    }

    [Fact]
    public void Result_records_compute_triggers_overdrafts_and_version_shapes()
    {
        var settings = new VacuumSettings("17", 200_000_000, 1_600_000_000, 50_000_000, 150_000_000, 50, 0.2,
            "read committed", 0, 0, 3);
        Assert.Equal(250, settings.AutovacuumTrigger(1000), 12);
        var run = new LedgerRun("SERIALIZABLE", LedgerGuard.None, 100, 80, 100, 100, "ok", "ok", 0);
        Assert.False(run.Overdrawn);
        Assert.True((run with { BalanceAfter = -1 }).Overdrawn);
        var v = new RowVersion("(0,1)", 100, "740", "committed", "741", "in progress", "(0,2)", "S1", "live");
        Assert.Equal("(0,1) 100 xmin=740:committed xmax=741:in progress t_ctid=(0,2) seen by [S1]", v.Shape);
        var locked = new RowLockedException(7, 742);
        Assert.Equal((7, 742u), (locked.Key, locked.HolderXid));
    }

    [Fact]
    public void Snapshots_treat_xids_from_xmax_on_and_listed_ones_as_running()
    {
        var s = new Snapshot(10, 20, new uint[] { 12 });
        Assert.False(s.IsRunning(9));
        Assert.False(s.IsRunning(10));
        Assert.True(s.IsRunning(12));
        Assert.False(s.IsRunning(19));
        Assert.True(s.IsRunning(20));
        Assert.Equal(new uint[] { 12 }, s.InProgress);
        Assert.True(s.Sees(Xid.Frozen, _ => false));                            // frozen: committed for everyone
        Assert.False(s.Sees(Xid.Bootstrap, _ => true));
        Assert.True(s.Sees(11, _ => true));
        Assert.False(s.Sees(11, _ => false));
        Assert.False(s.Sees(12, _ => true));
        Assert.True(Xid.PrecedesOrEquals(5, 5));
        Assert.True(Xid.PrecedesOrEquals(5, 6));
        Assert.False(Xid.PrecedesOrEquals(6, 5));
    }

    [Fact]
    public void The_store_reports_its_horizon_statuses_ctids_and_heap()
    {
        var store = new MvccStore(tuplesPerPage: 2);
        Assert.Equal(Xid.FirstNormal, store.OldestXmin());
        Assert.Null(store.OldestUnfrozenXmin());
        var t1 = store.Begin();
        store.Insert(t1, 1, 10);                                                // xid 3
        Assert.Equal(TransactionStatus.InProgress, store.StatusOf(3));
        Assert.Equal(3u, store.OldestXmin());
        Assert.Same(t1, Assert.Single(store.Active));
        store.Commit(t1);
        Assert.Equal(TransactionStatus.Committed, store.StatusOf(3));
        Assert.Equal(4u, store.OldestXmin());

        var reader = store.Begin(IsolationLevel.RepeatableRead);
        Assert.Equal(10, store.Read(reader, 1));                                // snapshot 4:4:
        var t2 = store.Begin();
        store.Update(t2, 1, 20);                                                // xid 4
        store.Commit(t2);
        Assert.Equal(4u, store.OldestXmin());                                   // the reader's snapshot holds it
        store.Commit(reader);
        Assert.Equal(5u, store.OldestXmin());
        var t3 = store.Begin();
        store.Insert(t3, 2, 30);                                                // xid 5
        store.Rollback(t3);
        Assert.Equal(TransactionStatus.Aborted, store.StatusOf(5));
        Assert.Equal(3u, store.OldestUnfrozenXmin());                           // the aborted insert is skipped

        Assert.Equal(2, store.TuplesPerPage);
        Assert.Equal(3, store.Tuples);
        Assert.Equal(2, store.Pages);
        Assert.Equal(new Ctid(0, 1), store.CtidOf(0));
        Assert.Equal(new Ctid(2, 2), store.CtidOf(5));
        var heap = store.Heap();
        Assert.Equal(3, heap.Count);
        Assert.Equal(new HeapTuple(new Ctid(0, 1), 1, 10, 3, 4, new Ctid(0, 2), false, TupleState.Dead), heap[0]);
        Assert.Equal(new HeapTuple(new Ctid(0, 2), 1, 20, 4, 0, new Ctid(0, 2), false, TupleState.Live), heap[1]);
        Assert.Equal(5u, heap[2].Xmin);
    }
    [Fact]
    public void The_idempotent_ledger_applies_a_transfer_that_empties_the_account_and_declines_one_more()
    {
        var ledger = new IdempotentLedger(2, 10);
        Assert.Equal(new TransferReceipt(TransferOutcome.Applied, false), ledger.Transfer(null, 0, 1, 10));
        Assert.Equal(new long[] { 0, 20 }, ledger.Balances);
        Assert.Equal(new TransferReceipt(TransferOutcome.Declined, false), ledger.Transfer(null, 0, 1, 1));
        Assert.Equal(new TransferReceipt(TransferOutcome.Applied, false), ledger.Transfer("k", 1, 0, 5));
        Assert.Equal(new TransferReceipt(TransferOutcome.Applied, true), ledger.Transfer("k", 1, 0, 5));
        Assert.Equal((2, 1, 20L), (ledger.Applied, ledger.Replayed, ledger.Total));
        Assert.Equal(new long[] { 5, 15 }, ledger.Balances);

        // No response is lost: one request per transfer, and every one applied once.
        var r = Idempotency.SimulateRetries(50, 0, useKeys: false, seed: 3, accounts: 2, initialBalance: 1_000_000);
        Assert.Equal((50, 50, 0), (r.Requests, r.Applied, r.Replayed));
        Assert.Equal(r.MoneyIntended, r.MoneyMoved);
        Assert.Equal(r.TotalBefore, r.TotalAfter);
        Assert.Equal(2_000_000, r.TotalBefore);
    }

    [Fact]
    public void The_simulated_matrix_lists_its_cells_in_level_then_scenario_order_with_their_codes()
    {
        var m = AnomalyMatrix.Simulate();
        Assert.Equal("simulation", m.System);
        Assert.Equal("named", AnomalyMatrix.Simulate(name: "named").System);
        var cells = AnomalyMatrix.Compare(m, m);
        Assert.Equal(24, cells.Count);
        Assert.Equal(("READ UNCOMMITTED", Anomalies.DirtyRead), (cells[0].Level, cells[0].Anomaly));
        Assert.Equal(Anomalies.All.Select(s => s.Name), cells.Take(6).Select(c => c.Anomaly));
        Assert.Equal(("SERIALIZABLE", Anomalies.WriteSkew), (cells[^1].Level, cells[^1].Anomaly));
        Assert.All(cells, c => Assert.True(c.Agree));
        Assert.Equal(new MatrixRow("READ COMMITTED", "prevented", "occurs", "occurs", "occurs", "prevented", "occurs"),
            m.Rows()[1]);
        var codes = m.Codes([IsolationLevel.ReadCommitted, IsolationLevel.Serializable],
            [Anomalies.Dirty, Anomalies.Lost]);
        Assert.Equal(new[] { 0.0, 2.0 }, codes[0]);                             // prevented, occurs
        Assert.Equal(new[] { 0.0, 1.0 }, codes[1]);                             // prevented, rolled back
        var committedOnly = new AnomalyMatrix("rc",
            Anomalies.All.Select(s => Anomalies.Simulate(s, IsolationLevel.ReadCommitted)));
        Assert.Equal("READ COMMITTED", Assert.Single(committedOnly.Rows()).Level);
        Assert.Equal(ConflictKind.ConcurrentUpdate,
            Anomalies.KindOf("could not serialize access due to Concurrent Delete"));
        Assert.Equal(ConflictKind.ReadWriteDependencies,
            Anomalies.KindOf("could not serialize access due to Read/Write dependencies among transactions"));
        var run = Anomalies.Simulate(Anomalies.AbortAtRead, IsolationLevel.Serializable);
        Assert.False(run.Committed(1));
        Assert.True(run.Committed(2));
        Assert.Null(run.Value("no such variable"));
    }
    [Fact]
    public void Update_all_twice_on_a_tiny_table_reports_pages_tuples_and_removals_per_stage()
    {
        // 4 rows, 2 tuples a page: updates double the heap, vacuum frees slots the next updates reuse, and
        // only VACUUM FULL (with nothing left to remove) gives the pages back.
        var stages = VacuumSimulation.UpdateAllTwice(4, tuplesPerPage: 2);
        Assert.Equal(
            new VacuumSimulation.Stage[]
            {
                new("load", 2, 4, 0), new("update all", 4, 8, 0), new("VACUUM", 4, 4, 4),
                new("update all again", 4, 8, 0), new("VACUUM", 4, 4, 4), new("VACUUM FULL", 2, 4, 0),
            },
            stages);
    }
}
