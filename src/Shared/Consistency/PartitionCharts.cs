using Plotly.NET;
using SystemDesign.Notebook;

namespace SystemDesign.Consistency;

/// <summary>Charts of a <see cref="PartitionRun"/> for the CAP notebook's visualizer.</summary>
public static class PartitionCharts
{
    /// <summary>
    /// One panel per run: per side, availability (% of requests that succeeded) and stale reads (% of reads) in each
    /// <see cref="PartitionOptions.Window"/>, plotted at the window's middle, and the partition as a dashed step.
    /// </summary>
    public static GenericChart SidePanel(PartitionRun run)
    {
        Guard.NotNull(run);
        var series = new List<Series>();
        foreach (var (side, name) in new[] { (0, "A"), (1, "B") })
        {
            var w = run.Windows().Where(x => x.Side == side).ToList();
            var t = w.Select(x => (x.Start + run.Options.Window / 2) / 1000).ToArray();
            series.Add(new Series($"{run.Mode} side {name}: availability", t, w.Select(x => 100 * x.Availability).ToArray()));
            series.Add(new Series($"{run.Mode} side {name}: stale reads", t, w.Select(x => 100 * x.StaleRate).ToArray(),
                SeriesStyle.Lines));
        }
        var o = run.Options;
        var edges = new[] { 0, o.PartitionStart, o.PartitionStart, o.PartitionEnd, o.PartitionEnd, o.Duration };
        series.Add(Series.Theory("partitioned", edges.Select(x => x / 1000).ToArray(), new double[] { 0, 0, 100, 100, 0, 0 }));
        return Charts.Line($"{run.Mode}", "time (s)", "% of requests / % of reads", series.ToArray());
    }

    /// <summary>The visualizer's chart: <see cref="SidePanel"/> for each run, stacked.</summary>
    public static GenericChart Panels(string title, IReadOnlyList<PartitionRun> runs)
    {
        Guard.NotEmpty(title);
        Guard.NotNull(runs);
        Guard.InRange(runs.Count, 1, 10, nameof(runs));
        return Charts.Grid(title, runs.Count, 1, runs.Select(SidePanel).ToArray());
    }
}
