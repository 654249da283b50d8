using SystemDesign.Locking;

namespace SystemDesign.Tests.Locking;

public sealed class LockManagerTests
{
    private static LockManager WithTxns(DeadlockPolicy policy, int count, VictimRule rule = VictimRule.Requester)
    {
        var lm = new LockManager(policy, rule);
        for (int i = 1; i <= count; i++) lm.Begin(i, i);
        return lm;
    }

    [Fact]
    public void Shared_locks_are_compatible_and_exclusive_waits_for_them()
    {
        var lm = WithTxns(DeadlockPolicy.Detect, 3);
        Assert.Equal(LockOutcome.Granted, lm.Request(1, 5, LockMode.Shared).Outcome);
        Assert.Equal(LockOutcome.Granted, lm.Request(2, 5, LockMode.Shared).Outcome);
        Assert.Equal(LockOutcome.Waiting, lm.Request(3, 5, LockMode.Exclusive).Outcome);
        Assert.Equal([new WaitEdge(3, 1, 5), new WaitEdge(3, 2, 5)], lm.Edges());
        Assert.Empty(lm.Commit(1));
        Assert.Equal([3], lm.Commit(2));
        Assert.Equal(LockMode.Exclusive, lm.HeldMode(3, 5));
        Assert.False(lm.IsWaiting(3));
    }

    [Fact]
    public void The_queue_is_fifo_so_a_reader_does_not_overtake_a_waiting_writer()
    {
        var lm = WithTxns(DeadlockPolicy.Detect, 3);
        lm.Request(1, 5, LockMode.Shared);
        Assert.Equal(LockOutcome.Waiting, lm.Request(2, 5, LockMode.Exclusive).Outcome);
        Assert.Equal(LockOutcome.Waiting, lm.Request(3, 5, LockMode.Shared).Outcome);
        Assert.Contains(new WaitEdge(3, 2, 5), lm.Edges());
        Assert.Equal([2], lm.Commit(1));
        Assert.Equal([3], lm.Commit(2));
    }

    [Fact]
    public void Re_requesting_a_held_lock_is_granted_and_a_sole_reader_can_upgrade()
    {
        var lm = WithTxns(DeadlockPolicy.Detect, 1);
        lm.Request(1, 5, LockMode.Exclusive);
        Assert.Equal(LockOutcome.Granted, lm.Request(1, 5, LockMode.Shared).Outcome);
        lm.Request(1, 6, LockMode.Shared);
        Assert.Equal(LockOutcome.Granted, lm.Request(1, 6, LockMode.Exclusive).Outcome);
        Assert.Equal(LockMode.Exclusive, lm.HeldMode(1, 6));
    }

    [Fact]
    public void Opposite_order_deadlocks_and_detection_aborts_the_requester_that_closed_the_cycle()
    {
        var lm = WithTxns(DeadlockPolicy.Detect, 2);
        lm.Request(1, 5, LockMode.Exclusive);
        lm.Request(2, 7, LockMode.Exclusive);
        Assert.Equal(LockOutcome.Waiting, lm.Request(1, 7, LockMode.Exclusive).Outcome);
        var r = lm.Request(2, 5, LockMode.Exclusive);
        Assert.Equal(LockOutcome.Aborted, r.Outcome);
        Assert.Equal([2, 1, 2], r.Cycle);
        Assert.Equal([2], r.Aborted);
        Assert.Equal([1], r.Woken);
        Assert.Equal(1, lm.DeadlocksDetected);
        Assert.Equal(2, lm.LastDeadlock!.Victim);
        Assert.Equal(2, lm.LastDeadlock.Edges.Count);
        Assert.False(lm.IsActive(2));
        Assert.Null(lm.FindAnyCycle());
    }

    [Fact]
    public void The_youngest_rule_aborts_the_youngest_even_when_an_older_one_closed_the_cycle()
    {
        var lm = WithTxns(DeadlockPolicy.Detect, 2, VictimRule.Youngest);
        lm.Request(1, 5, LockMode.Exclusive);
        lm.Request(2, 7, LockMode.Exclusive);
        lm.Request(2, 5, LockMode.Exclusive);
        var r = lm.Request(1, 7, LockMode.Exclusive);
        Assert.Equal(LockOutcome.Granted, r.Outcome);
        Assert.Equal([2], r.Aborted);
        Assert.True(lm.Aborts[0].VictimIsYounger);
        Assert.False(lm.Aborts[0].VictimWasRequester);
    }

    [Fact]
    public void Two_readers_that_both_upgrade_deadlock_even_on_a_single_row()
    {
        var lm = WithTxns(DeadlockPolicy.Detect, 2);
        lm.Request(1, 5, LockMode.Shared);
        lm.Request(2, 5, LockMode.Shared);
        Assert.Equal(LockOutcome.Waiting, lm.Request(1, 5, LockMode.Exclusive).Outcome);
        var r = lm.Request(2, 5, LockMode.Exclusive);
        Assert.Equal([2, 1, 2], r.Cycle);
        Assert.Equal([1], r.Woken);
        Assert.Equal(LockMode.Exclusive, lm.HeldMode(1, 5));
    }

    [Fact]
    public void Wait_die_older_waits_younger_dies()
    {
        var lm = WithTxns(DeadlockPolicy.WaitDie, 2);
        lm.Request(1, 5, LockMode.Exclusive);
        lm.Request(2, 7, LockMode.Exclusive);
        Assert.Equal(LockOutcome.Waiting, lm.Request(1, 7, LockMode.Exclusive).Outcome); // older waits for younger
        var r = lm.Request(2, 5, LockMode.Exclusive); // younger asks the older: dies
        Assert.Equal(LockOutcome.Aborted, r.Outcome);
        Assert.Equal([1], r.Woken);
        var a = Assert.Single(lm.Aborts);
        Assert.Equal((2, 1, true, true), (a.Victim, a.Other, a.VictimWasRequester, a.VictimIsYounger));
        Assert.Equal(0, lm.DeadlocksDetected);
    }

    [Fact]
    public void Wound_wait_older_wounds_younger_younger_waits()
    {
        var lm = WithTxns(DeadlockPolicy.WoundWait, 2);
        lm.Request(1, 5, LockMode.Exclusive);
        lm.Request(2, 7, LockMode.Exclusive);
        Assert.Equal(LockOutcome.Waiting, lm.Request(2, 5, LockMode.Exclusive).Outcome); // younger waits for older
        var r = lm.Request(1, 7, LockMode.Exclusive); // older wounds the younger holder
        Assert.Equal(LockOutcome.Granted, r.Outcome);
        Assert.Equal([2], r.Aborted);
        var a = Assert.Single(lm.Aborts);
        Assert.Equal((2, 1, false, true), (a.Victim, a.Other, a.VictimWasRequester, a.VictimIsYounger));
    }

    [Fact]
    public void Bad_calls_are_rejected_with_the_parameter_named()
    {
        var lm = WithTxns(DeadlockPolicy.Detect, 2);
        Assert.Equal("txn", Assert.Throws<ArgumentException>(() => lm.Begin(1, 9)).ParamName);
        Assert.Equal("timestamp", Assert.Throws<ArgumentException>(() => lm.Begin(3, 1)).ParamName);
        Assert.Equal("txn", Assert.Throws<ArgumentOutOfRangeException>(() => lm.Begin(-1, 7)).ParamName);
        // A negative timestamp is refused up front (nothing later in Begin would refuse it).
        Assert.Equal("timestamp", Assert.Throws<ArgumentOutOfRangeException>(() => lm.Begin(3, -1)).ParamName);
        Assert.False(lm.IsActive(3));
        Assert.Equal("txn", Assert.Throws<ArgumentException>(() => lm.Request(9, 1, LockMode.Shared)).ParamName);
        Assert.Equal("row", Assert.Throws<ArgumentOutOfRangeException>(() => lm.Request(1, -1, LockMode.Shared)).ParamName);
        lm.Request(1, 5, LockMode.Exclusive);
        lm.Request(2, 5, LockMode.Exclusive);
        Assert.Equal("txn", Assert.Throws<ArgumentException>(() => lm.Request(2, 6, LockMode.Shared)).ParamName);
        Assert.Equal("txn", Assert.Throws<ArgumentException>(() => lm.Commit(2)).ParamName);
        Assert.Equal([2], lm.Abort(1));
    }

    [Fact]
    public void Cycle_search_finds_cycles_through_a_node_and_anywhere()
    {
        WaitEdge[] edges = [new(1, 2, 0), new(2, 3, 0), new(3, 1, 0), new(4, 1, 0)];
        Assert.Equal([1, 2, 3, 1], WaitForGraph.CycleThrough(edges, 1));
        Assert.Null(WaitForGraph.CycleThrough(edges, 4));
        Assert.Equal([1, 2, 3, 1], WaitForGraph.AnyCycle(edges));
        Assert.Null(WaitForGraph.AnyCycle([new(1, 2, 0), new(2, 3, 0), new(1, 3, 0)]));
        Assert.True(WaitForGraph.IsCycle(edges, [2, 3, 1, 2]));
        Assert.False(WaitForGraph.IsCycle(edges, [1, 2, 3]));     // does not close
        Assert.False(WaitForGraph.IsCycle(edges, [1, 3, 1]));     // 1 does not wait for 3
        Assert.False(WaitForGraph.IsCycle(edges, null));
        var fromMap = WaitForGraph.FromMap(new Dictionary<int, int[]> { [1] = [2, 3], [3] = [] });
        Assert.Equal([new WaitEdge(1, 2, 0), new WaitEdge(1, 3, 0)], fromMap);
    }

    /// <summary>
    /// Drives the lock manager with random requests and commits, checking after EVERY step (not only after
    /// waits, as the simulator does) that no cycle survives, under each policy.
    /// </summary>
    [Theory]
    [InlineData(DeadlockPolicy.Detect)]
    [InlineData(DeadlockPolicy.WaitDie)]
    [InlineData(DeadlockPolicy.WoundWait)]
    public void No_cycle_survives_any_step(DeadlockPolicy policy)
    {
        for (int seed = 0; seed < 40; seed++)
        {
            var rng = new Random(seed);
            var lm = new LockManager(policy, seed % 2 == 0 ? VictimRule.Requester : VictimRule.Youngest);
            var active = new List<int>();
            int nextId = 0;
            for (int step = 0; step < 400; step++)
            {
                while (active.Count < 6) { lm.Begin(nextId, nextId); active.Add(nextId++); }
                var runnable = active.Where(t => !lm.IsWaiting(t)).ToList();
                Assert.NotEmpty(runnable);
                int t = runnable[rng.Next(runnable.Count)];
                IReadOnlyList<int> gone = [];
                if (rng.NextDouble() < 0.2) { lm.Commit(t); gone = [t]; }
                else gone = lm.Request(t, rng.Next(8), rng.NextDouble() < 0.4 ? LockMode.Shared : LockMode.Exclusive).Aborted;
                active.RemoveAll(x => gone.Contains(x));
                Assert.Null(lm.FindAnyCycle());
            }
            if (policy != DeadlockPolicy.Detect)
            {
                Assert.Equal(0, lm.DeadlocksDetected);
                Assert.All(lm.Aborts, a => Assert.True(a.VictimIsYounger));
                Assert.All(lm.Aborts, a => Assert.Equal(policy == DeadlockPolicy.WaitDie, a.VictimWasRequester));
            }
        }
    }
}
