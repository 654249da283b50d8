using SystemDesign.Transactions;

namespace SystemDesign.Tests.Transactions;

/// <summary>
/// Exact outputs of the in-memory simulations for fixed inputs: any change to a count, a boundary, a label or an
/// ordering shows up as a different value.
/// </summary>
public sealed class TransactionsExactOutputTests
{
    private static readonly BankOptions[] BankInputs =
    [
        new(4, Workers: 4, TransfersPerWorker: 20, Seed: 3),
        new(3, Workers: 3, TransfersPerWorker: 10, InitialBalance: 30, MaxAmount: 40, WorkTicks: 0, Seed: 5),
        new(2, Workers: 6, TransfersPerWorker: 15, InitialBalance: 20, MaxAmount: 15, WorkTicks: 1, Seed: 2),
    ];

    private static readonly BankResult[] BankExpected =
    [
        new BankResult(TransferStrategy.NoControl, 4, 4, 79, 1, 0, 0, 100, 0, 0, 400, 399, 0, false),
        new BankResult(TransferStrategy.NoControl, 3, 3, 27, 3, 0, 0, 30, 0, 0, 90, 142, 1, false),
        new BankResult(TransferStrategy.NoControl, 2, 6, 77, 13, 0, 0, 60, 0, 0, 40, 40, 0, false),
        new BankResult(TransferStrategy.PessimisticOrdered, 4, 4, 67, 13, 0, 0, 258, 564, 0, 400, 400, 1, true),
        new BankResult(TransferStrategy.PessimisticOrdered, 3, 3, 20, 10, 0, 0, 63, 72, 0, 90, 90, 1, true),
        new BankResult(TransferStrategy.PessimisticOrdered, 2, 6, 79, 11, 0, 0, 293, 1165, 0, 40, 40, 0, true),
        new BankResult(TransferStrategy.PessimisticUnordered, 4, 4, 64, 16, 26, 26, 303, 745, 125, 400, 400, 4, true),
        new BankResult(TransferStrategy.PessimisticUnordered, 3, 3, 21, 9, 9, 9, 72, 103, 27, 90, 90, 2, true),
        new BankResult(TransferStrategy.PessimisticUnordered, 2, 6, 70, 20, 240, 240, 710, 3351, 1636, 40, 40, 0, true),
        new BankResult(TransferStrategy.Optimistic, 4, 4, 69, 11, 133, 0, 280, 0, 751, 400, 400, 0, true),
        new BankResult(TransferStrategy.Optimistic, 3, 3, 16, 14, 20, 0, 60, 0, 69, 90, 90, 1, true),
        new BankResult(TransferStrategy.Optimistic, 2, 6, 72, 18, 273, 0, 292, 0, 1301, 40, 40, 0, true),    ];

    [Fact]
    public void Bank_runs_give_exact_counts_for_each_strategy_and_seed()
    {
        var strategies = Enum.GetValues<TransferStrategy>();
        for (int s = 0; s < strategies.Length; s++)
            for (int i = 0; i < BankInputs.Length; i++)
                Assert.Equal(BankExpected[s * BankInputs.Length + i], BankSimulation.Run(BankInputs[i], strategies[s]));
    }

    [Fact]
    public void Optimistic_wins_count_the_seeds_where_it_completed_more()
    {
        var c = BankSeeds.Compare(4, 6);
        int wins = c.Gains.Count(g => g > 0), losses = c.Gains.Count(g => g < 0);
        Assert.True(wins != losses, "the seeds must not split evenly, or a reversed comparison would look right");
        Assert.Equal(wins, c.OptimisticWins);
    }

    private const string Story = "insert 100; snapshot S1; update 200 open; snapshot A2; commit; update 300 abort; "
        + "snapshot B; delete open; abort; end A2; delete; insert 5";

    private static readonly string[] StoryTable =
    [
        "1|insert 100|(0,1)|100|T1 (committed)|0|(0,1)|new|live",
        "2|snapshot S1|(0,1)|100|T1 (committed)|0|(0,1)|S1,new|live",
        "3|update 200 open|(0,1)|100|T1 (committed)|T2 (in progress)|(0,2)|S1,new|delete in progress",
        "3|update 200 open|(0,2)|200|T2 (in progress)|0|(0,2)||insert in progress",
        "4|snapshot A2|(0,1)|100|T1 (committed)|T2 (in progress)|(0,2)|A2,S1,new|delete in progress",
        "4|snapshot A2|(0,2)|200|T2 (in progress)|0|(0,2)||insert in progress",
        "5|commit|(0,1)|100|T1 (committed)|T2 (committed)|(0,2)|A2,S1|recently dead",
        "5|commit|(0,2)|200|T2 (committed)|0|(0,2)|new|live",
        "6|update 300 abort|(0,1)|100|T1 (committed)|T2 (committed)|(0,2)|A2,S1|recently dead",
        "6|update 300 abort|(0,2)|200|T2 (committed)|T3 (aborted)|(0,3)|new|live",
        "6|update 300 abort|(0,3)|300|T3 (aborted)|0|(0,3)||dead",
        "7|snapshot B|(0,1)|100|T1 (committed)|T2 (committed)|(0,2)|A2,S1|recently dead",
        "7|snapshot B|(0,2)|200|T2 (committed)|T3 (aborted)|(0,3)|B,new|live",
        "7|snapshot B|(0,3)|300|T3 (aborted)|0|(0,3)||dead",
        "8|delete open|(0,1)|100|T1 (committed)|T2 (committed)|(0,2)|A2,S1|recently dead",
        "8|delete open|(0,2)|200|T2 (committed)|T4 (in progress)|(0,2)|B,new|delete in progress",
        "8|delete open|(0,3)|300|T3 (aborted)|0|(0,3)||dead",
        "9|abort|(0,1)|100|T1 (committed)|T2 (committed)|(0,2)|A2,S1|recently dead",
        "9|abort|(0,2)|200|T2 (committed)|T4 (aborted)|(0,2)|B,new|live",
        "9|abort|(0,3)|300|T3 (aborted)|0|(0,3)||dead",
        "10|end A2|(0,1)|100|T1 (committed)|T2 (committed)|(0,2)|S1|recently dead",
        "10|end A2|(0,2)|200|T2 (committed)|T4 (aborted)|(0,2)|B,new|live",
        "10|end A2|(0,3)|300|T3 (aborted)|0|(0,3)||dead",
        "11|delete|(0,1)|100|T1 (committed)|T2 (committed)|(0,2)|S1|recently dead",
        "11|delete|(0,2)|200|T2 (committed)|T5 (committed)|(0,2)|B|recently dead",
        "11|delete|(0,3)|300|T3 (aborted)|0|(0,3)||dead",
        "12|insert 5|(0,1)|100|T1 (committed)|T2 (committed)|(0,2)|S1|recently dead",
        "12|insert 5|(0,2)|200|T2 (committed)|T5 (committed)|(0,2)|B|recently dead",
        "12|insert 5|(0,3)|300|T3 (aborted)|0|(0,3)||dead",
        "12|insert 5|(0,4)|5|T6 (committed)|0|(0,4)|new|live",    ];

    [Fact]
    public void Row_history_table_lists_every_version_with_its_labels_and_readers()
    {
        var steps = RowHistory.Simulate(RowHistory.Parse(Story));
        var table = RowHistory.Table(steps)
            .Select(r => $"{r.Step}|{r.Action}|{r.Ctid}|{r.Balance}|{r.Xmin}|{r.Xmax}|{r.TCtid}|{r.SeenBy}|{r.State}");
        Assert.Equal(StoryTable, table);
        Assert.Equal(Enumerable.Range(1, 12), steps.Select(s => s.Step));
        Assert.Equal("—", steps[10].Visible[RowHistory.NewSnapshot]);
        Assert.Equal(["B", "S1", "new"], steps[10].Visible.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("(0,2) 200 xmin=T2:committed xmax=T5:committed t_ctid=(0,2) seen by [B]",
            steps[10].Versions[1].Shape);

        var (ctids, labels, z) = RowHistory.StateGrid(steps);
        Assert.Equal(["(0,1)", "(0,2)", "(0,3)", "(0,4)"], ctids);
        Assert.Equal("1: insert 100", labels[0]);
        Assert.Equal("12: insert 5", labels[11]);
        Assert.Equal([4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2], z[0]);
        Assert.Equal([0, 0, 3, 3, 4, 4, 4, 3, 4, 4, 2, 2], z[1]);
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], z[2]);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4], z[3]);
    }

    [Fact]
    public void Ending_the_last_snapshot_lets_the_old_version_die()
    {
        var steps = RowHistory.Simulate(RowHistory.Parse("insert 1; snapshot S; update 2; end S"));
        Assert.Equal("recently dead", steps[2].Versions[0].State);
        Assert.Equal("dead", steps[3].Versions[0].State);
        Assert.Equal([RowHistory.NewSnapshot], steps[3].Visible.Keys);
        Assert.Equal("", steps[3].Versions[0].SeenBy);
        Assert.Equal(["insert 1", "snapshot S", "update 2", "end S"], steps.Select(s => s.Action));
        Assert.Equal(["insert 7 open", "commit", "update 8 abort", "delete abort", "delete open", "abort", "delete"],
            RowHistory.Parse("insert 7 open; commit; update 8 abort; delete abort; delete open; abort; delete")
                .Select(a => a.ToString()));
    }

    [Fact]
    public void Row_history_comparison_pads_the_shorter_side_per_step()
    {
        var sim = RowHistory.Simulate(RowHistory.Parse("insert 1; update 2; update 3"));
        var other = RowHistory.Simulate(RowHistory.Parse("insert 1; update 2; update 4"));
        // Step 1 of the other side has an extra version; step 2 lacks one.
        var pg = new[]
        {
            other[0] with { Versions = [other[0].Versions[0], other[1].Versions[1]] },
            other[1] with { Versions = [other[1].Versions[0]] },
            other[2],
        };
        var rows = RowHistory.Compare(sim, pg);
        Assert.Equal([1, 1, 2, 2, 3, 3, 3], rows.Select(r => r.Step));
        Assert.Equal([true, false, true, false, true, true, false], rows.Select(r => r.Agree));
        Assert.Equal("(none)", rows[1].Simulation);
        Assert.Equal(other[1].Versions[1].Shape, rows[1].PostgreSQL);
        Assert.Equal(sim[1].Versions[1].Shape, rows[3].Simulation);
        Assert.Equal("(none)", rows[3].PostgreSQL);
        Assert.Equal("update 2", rows[3].Action);
        Assert.Contains("(0,3) 3 ", rows[6].Simulation);
        Assert.Contains("(0,3) 4 ", rows[6].PostgreSQL);
    }

    [Fact]
    public void State_grid_orders_versions_by_page_then_item()
    {
        static RowVersion V(string ctid, string state) => new(ctid, 1, "T1", "committed", "0", "", ctid, "", state);
        var steps = new[]
        {
            new RowStep(1, "a", [V("(1,1)", "live"), V("(0,2)", "dead"), V("(0,10)", "recently dead")],
                new Dictionary<string, string>()),
            new RowStep(2, "b", [V("(0,1)", "insert in progress"), V("(0,2)", "delete in progress"), V("(1,1)", "odd")],
                new Dictionary<string, string>()),
        };
        var (ctids, labels, z) = RowHistory.StateGrid(steps);
        Assert.Equal(["(0,1)", "(0,2)", "(0,10)", "(1,1)"], ctids);
        Assert.Equal(["1: a", "2: b"], labels);
        Assert.Equal(new double[][] { [0, 3], [1, 3], [2, 0], [4, 0] }, z);
    }

    [Fact]
    public void Scenario_scripts_print_as_sql_and_runs_record_exact_values()
    {
        var all = Anomalies.All.Append(Anomalies.AbortAtRead).SelectMany(s => s.Steps).Select(s => s.ToString())
            .Distinct().ToList();
        Assert.Contains("T1: BEGIN", all);
        Assert.Contains("T1: SELECT v WHERE k=1  → x1", all);
        Assert.Contains("T1: SELECT count(*), sum(v) WHERE k BETWEEN 1 AND 10  → n1", all);
        Assert.Contains("T1: UPDATE SET v=999 WHERE k=1", all);
        Assert.Contains("T2: UPDATE SET v=b+20 WHERE k=1", all);
        Assert.Contains("T1: UPDATE SET v=v+10 WHERE k=1", all);
        Assert.Contains("T2: INSERT (5, 100)", all);
        Assert.Contains("T2: COMMIT", all);
        Assert.Contains("T1: ROLLBACK", all);
        Assert.Equal("UPDATE SET v=v-5 WHERE k=2", ScriptStep.Add(1, 2, -5).Sql);
        Assert.Equal("UPDATE SET v=a+0 WHERE k=2", ScriptStep.WriteFrom(1, 2, "a", 0).Sql);
        Assert.Equal([2, 2, 2, 2, 2, 2, 3], Anomalies.All.Append(Anomalies.AbortAtRead).Select(s => s.Transactions));
        Assert.Equal("phantom", Anomalies.Phantoms.ToString());
        Assert.Equal("SERIALIZABLE", Anomalies.Sql(IsolationLevel.Serializable));
        Assert.Equal("REPEATABLE READ", Anomalies.Sql(IsolationLevel.RepeatableRead));
        Assert.Throws<ArgumentOutOfRangeException>(() => Anomalies.Sql((IsolationLevel)7));

        var lost = Anomalies.Simulate(Anomalies.Lost, IsolationLevel.ReadCommitted);
        Assert.Equal("simulation", lost.System);
        Assert.Equal(120, lost.Final[1]);   // T2 wrote its stale read b = 100 plus 20
        Assert.Equal([("a", 100L), ("b", 100L)], lost.Values.OrderBy(v => v.Key).Select(v => (v.Key, v.Value!.Value)));
        var atomic = Anomalies.Simulate(Anomalies.LostAtomic, IsolationLevel.ReadCommitted);
        Assert.Equal(["a", "b"], atomic.Values.Keys.Order());
        Assert.Equal(130, atomic.Final[1]);
        var rr = Anomalies.Simulate(Anomalies.Lost, IsolationLevel.RepeatableRead);
        var abort = Assert.Single(rr.Aborts);
        Assert.Equal((2, 7, StepKind.WriteFrom, "40001", ConflictKind.ConcurrentUpdate),
            (abort.Tx, abort.Step, abort.At, abort.SqlState, abort.Kind));
        Assert.Equal("could not serialize access due to concurrent update (row 1 was changed by xid 4 after T3's snapshot)",
            abort.Message);
        Assert.False(rr.Committed(2));
        Assert.True(rr.Committed(1));
        var read = Anomalies.Simulate(Anomalies.AbortAtRead, IsolationLevel.ReadCommitted);
        Assert.Equal([("x", 200L), ("y", 100L), ("z", 100L)],
            read.Values.OrderBy(v => v.Key).Select(v => (v.Key, v.Value!.Value)));
        var ssi = Anomalies.Simulate(Anomalies.AbortAtRead, IsolationLevel.Serializable).Aborts.Single();
        Assert.Equal((1, 10), (ssi.Tx, ssi.Step));
        Assert.Equal("could not serialize access due to read/write dependencies among transactions "
            + "(T2 → T3 → T4 with T4 committed first)", ssi.Message);
        var skew = Anomalies.Simulate(Anomalies.Skew, IsolationLevel.Serializable).Aborts.Single();
        Assert.Equal("could not serialize access due to read/write dependencies among transactions "
            + "(T3 was chosen as the pivot of a dangerous structure)", skew.Message);
    }

    [Fact]
    public void Write_skew_needs_both_doctors_off_call()
    {
        var run = Anomalies.Simulate(Anomalies.Skew, IsolationLevel.Serializable);
        var bothOn = run with { Final = new Dictionary<int, long> { [1] = 1, [2] = 1 } };
        Assert.False(bothOn.AnomalyOccurred);
        Assert.True((run with { Final = new Dictionary<int, long> { [1] = 0, [2] = 0 } }).AnomalyOccurred);
    }

    [Fact]
    public void A_run_lists_every_40001_and_keeps_going_after_a_rollback()
    {
        var scenario = new Scenario("two losers", "Are both readers rolled back?", [(1, 100)],
        [
            ScriptStep.Begin(1), ScriptStep.Begin(2), ScriptStep.Begin(3), ScriptStep.Read(1, 1, "a"),
            ScriptStep.Read(2, 1, "b"), ScriptStep.Write(3, 1, 5), ScriptStep.Commit(3), ScriptStep.Write(1, 1, 6), ScriptStep.Write(2, 1, 7),
            ScriptStep.Begin(4), ScriptStep.Write(4, 1, 8), ScriptStep.Rollback(4),
            ScriptStep.Begin(5), ScriptStep.Add(5, 1, 0), ScriptStep.Commit(5),
        ], r => false);
        var run = Anomalies.Simulate(scenario, IsolationLevel.RepeatableRead);
        Assert.Equal("40001 T1 at WRITE (concurrent update); 40001 T2 at WRITE (concurrent update)", run.Cell);
        Assert.Equal([8, 9], run.Aborts.Select(a => a.Step));
        Assert.Equal(5, run.Final[1]);   // T4's write was rolled back, so nothing holds the row when T5 adds 0
    }

    [Fact]
    public void Vacuum_run_samples_exact_heap_sizes_around_a_long_transaction()
    {
        var run = VacuumSimulation.Run(5, 30, 10, 5, 7, longFrom: 0, longTo: 20);
        Assert.Equal([0L, 5, 10, 15, 20, 25, 30], run.Points.Select(p => p.Updates));
        Assert.Equal([5, 10, 15, 20, 25, 25, 25], run.Points.Select(p => p.HeapSlots));
        Assert.Equal([0, 5, 10, 15, 20, 5, 10], run.Points.Select(p => p.Dead));
        Assert.Equal([true, true, true, true, false, false, false], run.Points.Select(p => p.LongTransactionOpen));
        Assert.Equal([0, 20, 10], run.Vacuums.Select(v => v.Removed));
        Assert.Equal([10, 0, 0], run.Vacuums.Select(v => v.DeadNotYetRemovable));
        Assert.Equal(new VacuumReport(20, 5, 0, 0, 25, 20, 24), run.Vacuums[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => VacuumSimulation.Run(5, 30, 10, 5, 7, 0, longTo: -1));
        Assert.Equal(new VacuumSimulation.WraparoundResult(true, Xid.FirstNormal, true, true),
            VacuumSimulation.Wraparound(true));
        Assert.Equal(new VacuumSimulation.WraparoundResult(false, Xid.FirstNormal, true, false),
            VacuumSimulation.Wraparound(false));
    }

    [Fact]
    public void Xid_limits_move_off_the_reserved_ids_exactly_as_postgres_does()
    {
        Assert.False(Xid.Precedes(Xid.Frozen, Xid.Frozen));
        Assert.True(Xid.Precedes(Xid.Bootstrap, Xid.Frozen));
        Assert.Equal(3u, Xid.Limits(2147483652).WrapLimit);            // exactly the first normal id: kept
        Assert.Equal(3u, Xid.Limits(2150483652).StopLimit);
        Assert.Equal(4294967294u, Xid.Limits(2150483650).StopLimit);   // 1 − 3: PostgreSQL subtracts here
        Assert.Equal(3u, Xid.Limits(2187483652).WarnLimit);
        Assert.Equal(4294967294u, Xid.Limits(2187483650).WarnLimit);
        Assert.Equal(3u, Xid.Limits(4094967299).VacLimit);
        Assert.Equal(4u, Xid.Limits(4094967297).VacLimit);             // 1 + 3: and adds here
    }

    [Fact]
    public void Exceptions_and_transactions_describe_themselves()
    {
        Assert.Equal("could not serialize access due to concurrent update (d)",
            new SerializationFailureException(1, ConflictKind.ConcurrentUpdate, "d").Message);
        Assert.Equal("could not serialize access due to read/write dependencies among transactions (e)",
            new SerializationFailureException(1, ConflictKind.ReadWriteDependencies, "e").Message);
        var locked = new RowLockedException(7, 9);
        Assert.Equal("row 7 is being written by in-progress transaction xid 9: PostgreSQL would wait for it",
            locked.Message);
        Assert.Throws<ArgumentException>(() => new Snapshot(10, 20, [12, 25]));
        var store = new MvccStore();
        var a = store.Begin();
        var b = store.Begin();
        Assert.Equal((1, 2), (a.Id, b.Id));
        Assert.Equal("T1", a.ToString());
        store.Insert(b, 1, 1);
        Assert.Equal("T2 (xid 3)", b.ToString());
    }
}
