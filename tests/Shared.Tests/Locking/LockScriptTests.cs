using SystemDesign.Locking;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Locking;

/// <summary>Scripted runs read line by line (every event's text), and seeded random runs counted exactly.</summary>
public sealed class LockScriptTests
{
    private static LockEvent E(int step, int txn, string action, string outcome) =>
        new(step, LockSimulation.Name(txn), action, outcome);

    [Fact]
    public void Detection_aborts_the_requester_that_closes_the_ring_and_grants_its_row_to_the_other()
    {
        var r = LockSimulation.Script(LockSimulation.Ring(2), LockSimulation.RingTurns(2));
        Assert.Equal(
        [
            E(1, 1, "X-lock row 5", "granted"),
            E(2, 2, "X-lock row 7", "granted"),
            E(3, 1, "X-lock row 7", "waits for T2"),
            E(4, 2, "X-lock row 5", "deadlock: cycle T2→T1→T2; T2 aborted; granted to T1"),
            E(5, 1, "commit", ""),
        ], r.Events);
        Assert.Equal([1, 2], r.Transactions);
        Assert.Equal([new WaitEdge(1, 2, 7), new WaitEdge(2, 1, 5)], r.Graph.OrderBy(e => e.Waiter));
        var abort = Assert.Single(r.Aborts);
        Assert.Equal((2, 2L, 2, 2L, DeadlockPolicy.Detect, true, true),
            (abort.Victim, abort.VictimTimestamp, abort.Other, abort.OtherTimestamp, abort.Policy,
                abort.VictimWasRequester, abort.YoungestOfCycle));
    }

    [Fact]
    public void Wait_die_lets_the_older_wait_and_kills_the_younger_at_its_request()
    {
        var r = LockSimulation.Script(LockSimulation.Ring(2), LockSimulation.RingTurns(2), DeadlockPolicy.WaitDie);
        Assert.Equal(
        [
            E(1, 1, "X-lock row 5", "granted"),
            E(2, 2, "X-lock row 7", "granted"),
            E(3, 1, "X-lock row 7", "waits for T2"),
            E(4, 2, "X-lock row 5", "T2 dies (younger than T1); granted to T1"),
            E(5, 1, "commit", ""),
        ], r.Events);
        Assert.Null(r.Cycle);
        Assert.Equal([1], r.Committed);
        Assert.Equal([new WaitEdge(1, 2, 7)], r.Graph);
        var abort = Assert.Single(r.Aborts);
        Assert.Equal((2, 1, DeadlockPolicy.WaitDie, true, (bool?)null),
            (abort.Victim, abort.Other, abort.Policy, abort.VictimWasRequester, abort.YoungestOfCycle));
    }

    [Fact]
    public void Wound_wait_lets_the_older_take_the_younger_holders_row_at_once()
    {
        var r = LockSimulation.Script(LockSimulation.Ring(2), LockSimulation.RingTurns(2), DeadlockPolicy.WoundWait);
        Assert.Equal(
        [
            E(1, 1, "X-lock row 5", "granted"),
            E(2, 2, "X-lock row 7", "granted"),
            E(3, 1, "X-lock row 7", "T1 wounds T2 (younger): T2 aborted; granted"),
            E(4, 1, "commit", ""),
        ], r.Events);
        Assert.Null(r.Cycle);
        Assert.Equal([1], r.Committed);
        Assert.Empty(r.Graph);
        var abort = Assert.Single(r.Aborts);
        Assert.Equal((2, 1, DeadlockPolicy.WoundWait, false),
            (abort.Victim, abort.Other, abort.Policy, abort.VictimWasRequester));
    }

    [Fact]
    public void Ascending_order_only_queues_and_each_commit_grants_the_next_waiter()
    {
        var r = LockSimulation.Script(LockSimulation.Ring(2, ordered: true), LockSimulation.RingTurns(2));
        Assert.Equal(
        [
            E(1, 1, "X-lock row 5", "granted"),
            E(2, 2, "X-lock row 5", "waits for T1"),
            E(3, 1, "X-lock row 7", "granted"),
            E(4, 1, "commit", "granted to T2"),
            E(5, 2, "X-lock row 7", "granted"),
            E(6, 2, "commit", ""),
        ], r.Events);
        Assert.Equal([new WaitEdge(2, 1, 5)], r.Graph);
        Assert.Null(r.Cycle);
        Assert.Equal([1, 2], r.Committed);
        Assert.Empty(r.Aborts);
    }

    [Fact]
    public void A_writer_behind_two_readers_waits_for_both_and_gets_the_row_from_the_last()
    {
        TxnPlan Plan(int id, LockMode mode) => new(id, id, [new LockOp(1, mode)]);
        var r = LockSimulation.Script([Plan(1, LockMode.Shared), Plan(2, LockMode.Shared), Plan(3, LockMode.Exclusive)],
            [1, 2, 3]);
        Assert.Equal(
        [
            E(1, 1, "S-lock row 1", "granted"),
            E(2, 2, "S-lock row 1", "granted"),
            E(3, 3, "X-lock row 1", "waits for T1, T2"),
            E(4, 1, "commit", ""),
            E(5, 2, "commit", "granted to T3"),
            E(6, 3, "commit", ""),
        ], r.Events);
        Assert.Equal([new WaitEdge(3, 1, 1), new WaitEdge(3, 2, 1)], r.Graph);
        Assert.Equal([1, 2, 3], r.Committed);
    }

    [Fact]
    public void Turns_of_waiting_or_finished_transactions_are_skipped_and_the_graph_kept_is_the_first_fullest()
    {
        TxnPlan Plan(int id, int row) => new(id, id, [new LockOp(row, LockMode.Exclusive)]);
        // Turn 3 comes while T3 waits and the last turn 1 after T1 committed: both are passed over.
        var r = LockSimulation.Script([Plan(1, 1), Plan(2, 2), Plan(3, 1), Plan(4, 2)], [1, 2, 3, 3, 1, 4, 1]);
        Assert.Equal(
        [
            E(1, 1, "X-lock row 1", "granted"),
            E(2, 2, "X-lock row 2", "granted"),
            E(3, 3, "X-lock row 1", "waits for T1"),
            E(4, 1, "commit", "granted to T3"),
            E(5, 4, "X-lock row 2", "waits for T2"),
            E(6, 2, "commit", "granted to T4"),
            E(7, 3, "commit", ""),
            E(8, 4, "commit", ""),
        ], r.Events);
        Assert.Equal([new WaitEdge(3, 1, 1)], r.Graph); // a later graph of the same size does not replace it
        Assert.Equal([1, 2, 3, 4], r.Committed);
    }

    [Fact]
    public void An_older_requester_that_closes_the_ring_is_the_victim_under_the_requester_rule()
    {
        var r = LockSimulation.Script(LockSimulation.Ring(2), [1, 2, 2, 1]);
        Assert.Equal(
        [
            E(1, 1, "X-lock row 5", "granted"),
            E(2, 2, "X-lock row 7", "granted"),
            E(3, 2, "X-lock row 5", "waits for T1"),
            E(4, 1, "X-lock row 7", "deadlock: cycle T1→T2→T1; T1 aborted; granted to T2"),
            E(5, 2, "commit", ""),
        ], r.Events);
        var abort = Assert.Single(r.Aborts);
        Assert.Equal((1, 1, true, false), (abort.Victim, abort.Other, abort.VictimWasRequester, abort.YoungestOfCycle));
        Assert.Equal([1, 2, 1], abort.Cycle);
    }

    [Fact]
    public void The_youngest_rule_keeps_aborting_until_no_cycle_through_the_requester_is_left()
    {
        TxnPlan Plan(int id, params LockOp[] ops) => new(id, id, ops);
        LockOp X(int row) => new(row, LockMode.Exclusive);
        LockOp S(int row) => new(row, LockMode.Shared);
        // T2 and T3 share row 9 and queue for T1's row 1; T1's request for row 9 closes two cycles at once.
        var r = LockSimulation.Script([Plan(1, X(1), X(9)), Plan(2, S(9), X(1)), Plan(3, S(9), X(1))],
            [1, 2, 3, 2, 3, 1], victimRule: VictimRule.Youngest);
        Assert.Equal(
        [
            E(1, 1, "X-lock row 1", "granted"),
            E(2, 2, "S-lock row 9", "granted"),
            E(3, 3, "S-lock row 9", "granted"),
            E(4, 2, "X-lock row 1", "waits for T1"),
            E(5, 3, "X-lock row 1", "waits for T1, T2"),
            E(6, 1, "X-lock row 9", "deadlock: cycle T1→T2→T1; T2 aborted; T3 aborted; granted"),
            E(7, 1, "commit", ""),
        ], r.Events);
        Assert.Equal([2, 3], r.Aborts.Select(a => a.Victim));
        Assert.All(r.Aborts, a => Assert.Equal((1, false, true), (a.Other, a.VictimWasRequester, a.YoungestOfCycle)));
        Assert.Equal([1, 2, 1], r.Aborts[0].Cycle);
        Assert.Equal([1, 3, 1], r.Cycle);
        Assert.Equal([new WaitEdge(3, 1, 1), new WaitEdge(1, 3, 9)], r.Graph);
        Assert.Equal([1], r.Committed);
    }

    [Fact]
    public void The_youngest_rule_aborts_the_youngest_member_when_an_older_one_closes_the_cycle()
    {
        var r = LockSimulation.Script(LockSimulation.Ring(3), [1, 2, 3, 2, 3, 1], victimRule: VictimRule.Youngest);
        Assert.Equal(
        [
            E(1, 1, "X-lock row 5", "granted"),
            E(2, 2, "X-lock row 7", "granted"),
            E(3, 3, "X-lock row 9", "granted"),
            E(4, 2, "X-lock row 9", "waits for T3"),
            E(5, 3, "X-lock row 5", "waits for T1"),
            E(6, 1, "X-lock row 7", "deadlock: cycle T1→T2→T3→T1; T3 aborted; waits for T2; granted to T2"),
            E(7, 2, "commit", "granted to T1"),
            E(8, 1, "commit", ""),
        ], r.Events);
        Assert.Equal([1, 2, 3, 1], r.Cycle);
        Assert.Equal([new WaitEdge(1, 2, 7), new WaitEdge(2, 3, 9), new WaitEdge(3, 1, 5)],
            r.Graph.OrderBy(e => e.Waiter));
        Assert.Equal([2, 1], r.Committed);
        var abort = Assert.Single(r.Aborts);
        Assert.Equal((3, 3L, 1, 1L, false, true),
            (abort.Victim, abort.VictimTimestamp, abort.Other, abort.OtherTimestamp, abort.VictimWasRequester,
                abort.YoungestOfCycle));
    }

    [Theory]
    [InlineData(DeadlockPolicy.Detect, VictimRule.Requester, false, 0.0, 1, "40/41/1/1/0/163/26 | 1/0/0")]
    [InlineData(DeadlockPolicy.Detect, VictimRule.Youngest, false, 0.0, 1, "40/43/3/3/0/168/32 | 0/3/55")]
    [InlineData(DeadlockPolicy.WaitDie, VictimRule.Requester, false, 0.0, 1, "40/77/0/37/0/224/44 | 37/37/778")]
    [InlineData(DeadlockPolicy.WoundWait, VictimRule.Requester, false, 0.0, 1, "40/56/0/16/0/192/38 | 0/16/305")]
    [InlineData(DeadlockPolicy.Detect, VictimRule.Requester, true, 0.0, 2, "40/40/0/0/0/160/27 | 0/0/0")]
    [InlineData(DeadlockPolicy.Detect, VictimRule.Requester, false, 0.5, 3, "40/42/2/2/0/165/31 | 2/0/29")]
    [InlineData(DeadlockPolicy.WoundWait, VictimRule.Requester, false, 0.5, 3, "40/52/0/12/0/177/27 | 0/12/201")]
    public void A_seeded_run_counts_exactly(DeadlockPolicy policy, VictimRule rule, bool ordered, double shared,
        int seed, string expected)
    {
        var w = new LockWorkload(40, 4, 3, 12, ordered, shared);
        var r = LockSimulation.Run(w, policy, seed, rule);
        Assert.Equal((w, policy), (r.Workload, r.Policy));
        Assert.Equal(r.Aborts, r.AbortRecords.Count);
        // committed/attempts/deadlocks/aborts/cycles/steps/waited | requester victims/younger victims/victim id sum
        string counts = $"{r.Committed}/{r.Attempts}/{r.Deadlocks}/{r.Aborts}/{r.CyclesSeen}/{r.Steps}"
            + $"/{r.AttemptsThatWaited}"
            + $" | {r.AbortRecords.Count(a => a.VictimWasRequester)}/{r.AbortRecords.Count(a => a.VictimIsYounger)}"
            + $"/{r.AbortRecords.Sum(a => a.Victim)}";
        Assert.Equal(expected, counts);
    }

    [Fact]
    public void Each_model_point_puts_the_simulation_beside_the_formulas_for_its_size()
    {
        var points = DeadlockModel.Compare(3, [2, 4], 30, 50, 5);
        Assert.Equal([2, 4], points.Select(p => p.RowsTouched));
        foreach (var p in points)
        {
            var run = LockSimulation.Run(new LockWorkload(50, 3, p.RowsTouched, 30), DeadlockPolicy.Detect, 5);
            int r = p.RowsTouched;
            Assert.Equal(new DeadlockModelPoint(3, r, 30, run.Attempts, run.WaitRate,
                DeadlockModel.WaitProbability(3, r, 30), DeadlockModel.WaitProbabilityExact(3, r, 30), run.Deadlocks,
                run.DeadlockRate,
                DeadlockModel.DeadlockProbability(3, r, 30), DeadlockModel.RefinedDeadlockProbability(3, r, 30)), p);
        }
        // (n − 1)·r/(2R) = 2·4/60 per request, then the exact and refined forms.
        double perRequest = 2 * 4 / 60.0, exact = 1 - Math.Pow(1 - perRequest, 4);
        Assert.Equal(exact, points[1].WaitModelExact, 12);
        Assert.Equal(exact * 9 / 180, points[1].Refined, 12);
        Assert.Equal(2 * 16 / 60.0, points[1].WaitModel, 12);
        Assert.Equal(Math.Pow(2 * 16 / 60.0, 2) / 2, points[1].StrawMan, 12);
        // A request can at most surely conflict: the per-request probability is capped at 1.
        Assert.Equal(1, DeadlockModel.WaitProbabilityExact(1000, 10, 10));
    }
    [Fact]
    public void Cycle_searches_backtrack_out_of_dead_ends_and_report_the_cycle_from_where_it_closes()
    {
        // 1 first tries 2, a dead end through 4, then 3, which leads back: the path must not keep 2 and 4.
        WaitEdge[] branching = [new(1, 3, 0), new(1, 2, 0), new(2, 4, 0), new(3, 1, 0), new(1, 2, 0)];
        Assert.Equal([1, 3, 1], WaitForGraph.CycleThrough(branching, 1));
        Assert.Equal([1, 3, 1], WaitForGraph.AnyCycle(branching));
        // The cycle 2 → 3 → 2 is reached from 1, which is not on it.
        Assert.Equal([2, 3, 2], WaitForGraph.AnyCycle([new(1, 2, 0), new(2, 3, 0), new(3, 2, 0)]));
        // 3 is finished (no cycle through it) before the search from 2 meets it again; then 2 → 4 → 2.
        Assert.Equal([2, 4, 2], WaitForGraph.AnyCycle([new(1, 3, 0), new(2, 3, 0), new(2, 4, 0), new(4, 2, 0)]));
        Assert.Equal([5, 5], WaitForGraph.CycleThrough([new(5, 5, 0)], 5));
        Assert.True(WaitForGraph.IsCycle([new(5, 5, 0)], [5, 5]));
        Assert.False(WaitForGraph.IsCycle([new(5, 5, 0)], [5]));
        Assert.False(WaitForGraph.IsCycle([new(1, 2, 0)], [1, 2, 1]));
        Assert.Null(WaitForGraph.CycleThrough([], 1));
    }

    [Fact]
    public void The_lock_table_answers_for_unknown_transactions_and_rows_and_reuses_a_finished_timestamp()
    {
        var lm = new LockManager();
        lm.Begin(1, 5);
        lm.Request(1, 3, LockMode.Shared);
        Assert.Equal((false, false, (LockMode?)null, (LockMode?)null, LockMode.Shared),
            (lm.IsWaiting(99), lm.IsActive(99), lm.HeldMode(99, 3), lm.HeldMode(1, 4), lm.HeldMode(1, 3)));
        Assert.Equal((DeadlockPolicy.Detect, VictimRule.Requester), (lm.Policy, lm.VictimRule));
        Assert.Empty(lm.Commit(1));
        lm.Begin(2, 5); // 1 is gone, so its timestamp is free again
        Assert.Equal((false, true), (lm.IsActive(1), lm.IsActive(2)));
        Assert.Null(lm.HeldMode(1, 3));
        Assert.Equal("txn", Assert.Throws<ArgumentException>(() => lm.Abort(1)).ParamName);
        Assert.Equal("txn", Assert.Throws<ArgumentException>(() => lm.Commit(1)).ParamName);
        Assert.Null(lm.LastDeadlock);
        Assert.Equal(0, lm.DeadlocksDetected);
    }

    [Fact]
    public void Refused_lock_calls_say_which_transaction_and_why()
    {
        var lm = new LockManager();
        lm.Begin(1, 5);
        lm.Begin(2, 6);
        Invalid("txn", () => lm.Begin(1, 7), "transaction 1 is already active");
        Invalid("timestamp", () => lm.Begin(3, 5), "timestamp 5 is already used by an active transaction");
        Invalid("txn", () => lm.Request(9, 1, LockMode.Shared), "transaction 9 is not active (Begin it first)");
        lm.Request(1, 4, LockMode.Exclusive);
        Assert.Equal(LockOutcome.Waiting, lm.Request(2, 4, LockMode.Shared).Outcome);
        Invalid("txn", () => lm.Request(2, 6, LockMode.Shared),
            "transaction 2 is waiting for row 4 and cannot ask for another lock");
        Invalid("txn", () => lm.Commit(2), "transaction 2 is waiting and cannot commit");
        Invalid("txn", () => lm.Commit(9), "transaction 9 is not active");
        Invalid("txn", () => lm.Abort(9), "transaction 9 is not active");
        Assert.True(lm.IsWaiting(2));
        Assert.Equal([2], lm.Commit(1));
        Assert.False(lm.IsWaiting(2));
    }
}
