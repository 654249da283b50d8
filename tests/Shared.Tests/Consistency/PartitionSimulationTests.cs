using SystemDesign.Consistency;

namespace SystemDesign.Tests.Consistency;

public sealed class PartitionSimulationTests
{
    private static readonly PartitionOptions Small = new() { Duration = 4000, PartitionStart = 1000, PartitionEnd = 3000, OpsPerSecond = 15 };

    [Fact]
    public void Cp_answers_the_majority_side_and_refuses_the_minority()
    {
        var run = PartitionSimulation.Run(ReplicationMode.CpMajority, Small);
        Assert.Equal(1.0, run.Availability(0, 1000 + 10, 3000 - 10)); // a small margin: requests in flight at the edges
        Assert.Equal(0.0, run.Availability(1, 1000 + 10, 3000 - 10));
        Assert.Equal(1.0, run.Availability(1, 0, 1000 - 10));
        Assert.DoesNotContain(run.Ops, o => o.Stale);
        Assert.Equal(0, run.LostUpdates);
        Assert.True(run.Converged);
        Assert.True(ConsistencyChecker.Linearizable(run.RegisterHistory()).Holds);
    }

    [Fact]
    public void Ap_answers_everyone_but_reads_go_stale_and_updates_are_lost()
    {
        var run = PartitionSimulation.Run(ReplicationMode.Ap, Small);
        Assert.All(run.Ops, o => Assert.True(o.Ok));
        Assert.Contains(run.Ops, o => o.Stale);
        Assert.True(run.LostUpdates > 0);
        Assert.True(run.ConcurrentMerges > 0);
        Assert.True(run.Converged);
        Assert.False(ConsistencyChecker.Linearizable(run.RegisterHistory()).Holds);
    }

    [Fact]
    public void With_instant_replication_AP_loses_exactly_the_losing_sides_partition_writes()
    {
        for (int seed = 1; seed <= 5; seed++)
        {
            var o = Small with { ReplicationDelayMean = 0, Seed = seed };
            var run = PartitionSimulation.Run(ReplicationMode.Ap, o);
            // Writes that took effect inside the partition, per side; the side whose last one is older loses them all.
            var perSide = Enumerable.Range(0, 2).Select(s => run.Ops.Where(x => x.Ok && x.Kind == OpKind.Write && x.Side == s
                && x.Effect >= o.PartitionStart && x.Effect < o.PartitionEnd).ToList()).ToArray();
            int loser = perSide[0].Max(x => x.Effect) < perSide[1].Max(x => x.Effect) ? 0 : 1;
            Assert.True(run.LostUpdates > 0);
            Assert.Equal(perSide[loser].Count, run.LostUpdates);
            Assert.DoesNotContain(run.Ops, x => x.Stale && (x.Invoke < o.PartitionStart - 10 || x.Invoke > o.PartitionEnd + 10));
        }
    }

    [Fact]
    public void Local_reads_keep_the_minority_readable_but_stale()
    {
        var run = PartitionSimulation.Run(ReplicationMode.CpLocalReads, Small);
        var minorityReads = run.Ops.Where(x => x.Side == 1 && x.Kind == OpKind.Read && x.Invoke > 1010 && x.Invoke < 2990).ToList();
        Assert.All(minorityReads, x => Assert.True(x.Ok));
        Assert.Contains(minorityReads, x => x.Stale);
        Assert.DoesNotContain(run.Ops, x => x.Side == 1 && x.Kind == OpKind.Write && x.Ok && x.Invoke > 1010 && x.Invoke < 2990);
        Assert.Equal(0, run.LostUpdates);
    }

    [Fact]
    public void Windows_count_every_operation_once()
    {
        var run = PartitionSimulation.Run(ReplicationMode.Ap, Small);
        var windows = run.Windows();
        Assert.Equal(run.Ops.Count, windows.Sum(w => w.Requests));
        Assert.Equal(run.Ops.Count(o => o.Stale), windows.Sum(w => w.StaleReads));
        Assert.All(windows, w => Assert.InRange(w.StaleRate, 0, 1));
    }

    [Fact]
    public void The_summary_has_one_row_per_side_and_phase()
    {
        var run = PartitionSimulation.Run(ReplicationMode.CpMajority, Small);
        var rows = run.Summary();
        Assert.Equal(6, rows.Count);
        Assert.Equal(0.0, rows.Single(r => r.Side == "B" && r.Phase == "during").Availability);
        Assert.All(rows.Where(r => r.Phase != "during" || r.Side == "A"), r => Assert.Equal(1.0, r.Availability));
        Assert.Throws<ArgumentOutOfRangeException>(() => run.Summary(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => run.Availability(2, 0, 1));
        Assert.Throws<ArgumentException>(() => run.StaleRate(0, 5, 1));
        Assert.Throws<ArgumentException>(() => run.RegisterHistory(double.NaN));
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionSimulation.Run(ReplicationMode.Ap, Small with { SideB = [5] }));
        Assert.Throws<ArgumentException>(() => PartitionSimulation.Run(ReplicationMode.Ap, Small with { SideB = [1, 1] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionSimulation.Run(ReplicationMode.Ap, Small with { PartitionEnd = 500 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionSimulation.Run(ReplicationMode.Ap, Small with { PartitionEnd = 5000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionSimulation.Run(ReplicationMode.Ap, Small with { ReadFraction = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionSimulation.Run(ReplicationMode.Ap, Small with { Replicas = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionSimulation.Run((ReplicationMode)9, Small));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PartitionSimulation.Run(ReplicationMode.Ap, Small with { ClientsPerSide = 0 }));
        Assert.Contains("ClientsPerSide", e.ParamName);
    }

    [Fact]
    public void The_visualizer_chart_has_a_panel_per_run()
    {
        var runs = new[] { ReplicationMode.CpMajority, ReplicationMode.Ap }.Select(m => PartitionSimulation.Run(m, Small)).ToList();
        Assert.NotNull(PartitionCharts.SidePanel(runs[0]));
        var (rate, reads) = runs[1].StaleShare(1, 0, 1e9);
        Assert.Equal(runs[1].StaleRate(1, 0, 1e9), rate);
        Assert.Equal(runs[1].Ops.Count(o => o.Side == 1 && o.Ok && o.Kind == OpKind.Read), reads);
        Assert.Throws<ArgumentOutOfRangeException>(() => runs[1].StaleShare(2, 0, 1));
        Assert.NotNull(PartitionCharts.Panels("both", runs));
        Assert.Throws<ArgumentNullException>(() => PartitionCharts.SidePanel(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionCharts.Panels("none", []));
    }
}
