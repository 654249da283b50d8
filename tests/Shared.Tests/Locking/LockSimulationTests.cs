using FsCheck;
using FsCheck.Fluent;
using SystemDesign.Locking;

namespace SystemDesign.Tests.Locking;

public sealed class LockSimulationTests
{
    [Fact]
    public void Random_order_deadlocks_and_a_global_order_never_does()
    {
        var w = new LockWorkload(300, 8, 4, 50);
        var random = LockSimulation.Run(w, DeadlockPolicy.Detect, 1);
        var ordered = LockSimulation.Run(w with { GlobalOrder = true }, DeadlockPolicy.Detect, 1);
        Assert.True(random.Deadlocks > 0);
        Assert.Equal(0, ordered.Deadlocks);
        Assert.Equal(0, ordered.Aborts);
        Assert.Equal((300, 300), (random.Committed, ordered.Committed));
        Assert.Equal(random.Committed + random.Aborts, random.Attempts);
    }

    [Fact]
    public void One_transaction_at_a_time_never_waits()
    {
        var r = LockSimulation.Run(new LockWorkload(100, 1, 8, 20), DeadlockPolicy.Detect, 3);
        Assert.Equal((0, 0, 100), (r.Deadlocks, r.Aborts, r.Attempts));
    }

    [Fact]
    public void The_same_seed_gives_the_same_run()
    {
        var w = new LockWorkload(200, 6, 4, 40, SharedFraction: 0.3);
        var a = LockSimulation.Run(w, DeadlockPolicy.WoundWait, 9);
        var b = LockSimulation.Run(w, DeadlockPolicy.WoundWait, 9);
        Assert.Equal((a.Steps, a.Aborts, a.Attempts), (b.Steps, b.Aborts, b.Attempts));
    }

    [Fact]
    public void Every_policy_finishes_the_workload_and_timestamp_policies_never_deadlock()
    {
        Prop.ForAll(Gen.Choose(0, 10_000).ToArbitrary(), Gen.Choose(2, 8).ToArbitrary(), Gen.Choose(1, 5).ToArbitrary(), (seed, concurrency, rows) =>
        {
            var w = new LockWorkload(60, concurrency, rows, 12, SharedFraction: seed % 3 * 0.25);
            foreach (var policy in Enum.GetValues<DeadlockPolicy>())
            {
                var r = LockSimulation.Run(w, policy, seed);
                if (r.Committed != 60 || r.CyclesSeen != 0) return false;
                if (policy != DeadlockPolicy.Detect && (r.Deadlocks != 0 || r.AbortRecords.Any(a => !a.VictimIsYounger))) return false;
                var ordered = LockSimulation.Run(w with { GlobalOrder = true, SharedFraction = 0 }, DeadlockPolicy.Detect, seed);
                if (ordered.Deadlocks != 0) return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Ring_script_shows_the_cycle_and_the_victim()
    {
        var r = LockSimulation.Script(LockSimulation.Ring(2), LockSimulation.RingTurns(2));
        Assert.Equal([2, 1, 2], r.Cycle);
        Assert.Equal([1], r.Committed);
        Assert.Equal(2, Assert.Single(r.Aborts).Victim);
        Assert.Equal(2, r.Graph.Count);
        Assert.Contains(r.Events, e => e.Outcome.Contains("deadlock"));
        var ops = LockSimulation.Ring(2);
        Assert.Equal([5, 7], ops[0].Ops.Select(o => o.Row));
        Assert.Equal([7, 5], ops[1].Ops.Select(o => o.Row));

        var ordered = LockSimulation.Script(LockSimulation.Ring(4, ordered: true), LockSimulation.RingTurns(4));
        Assert.Null(ordered.Cycle);
        Assert.Equal(4, ordered.Committed.Count);

        var big = LockSimulation.Script(LockSimulation.Ring(5), LockSimulation.RingTurns(5));
        Assert.Equal(6, big.Cycle!.Count);
        Assert.Equal(5, big.Graph.Count);
    }

    [Fact]
    public void Bad_workloads_are_rejected()
    {
        Assert.Equal("RowsTouched", Assert.Throws<ArgumentOutOfRangeException>(() => LockSimulation.Run(new LockWorkload(10, 2, 30, 20), DeadlockPolicy.Detect, 1)).ParamName);
        Assert.Equal("Concurrency", Assert.Throws<ArgumentOutOfRangeException>(() => LockSimulation.Run(new LockWorkload(10, 0, 3, 20), DeadlockPolicy.Detect, 1)).ParamName);
        Assert.Equal("SharedFraction", Assert.Throws<ArgumentOutOfRangeException>(() => LockSimulation.Run(new LockWorkload(10, 2, 3, 20, SharedFraction: 2), DeadlockPolicy.Detect, 1)).ParamName);
        Assert.Equal("transactions", Assert.Throws<ArgumentOutOfRangeException>(() => LockSimulation.Ring(1)).ParamName);
        Assert.Throws<ArgumentException>(() => LockSimulation.Script(LockSimulation.Ring(2), [3]));
    }

    [Fact]
    public void Wait_for_graph_chart_draws_nodes_and_arrows()
    {
        var r = LockSimulation.Script(LockSimulation.Ring(3), LockSimulation.RingTurns(3));
        var html = Plotly.NET.GenericChart.toChartHTML(LockCharts.WaitForGraph("g", r.Transactions, r.Graph, r.Cycle, r.Aborts.Select(a => a.Victim).ToList()));
        Assert.Contains("crimson", html);
        Assert.Contains("arrowhead", html);
        Assert.Throws<ArgumentException>(() => LockCharts.WaitForGraph("g", [1], [new WaitEdge(1, 2, 0)]));
    }
}
