using Plotly.NET;
using Plotly.NET.CSharp;
using SystemDesign.Notebook;
using CS = Plotly.NET.CSharp;

namespace SystemDesign.Locking;

/// <summary>Drawings specific to locking: the wait-for graph and lock-holding timelines.</summary>
public static class LockCharts
{
    /// <summary>
    /// The wait-for graph: transactions on a circle, an arrow from each waiter to each blocker labelled with the
    /// row it waits for, the edges of <paramref name="cycle"/> in red and the aborted transactions crossed out.
    /// </summary>
    public static GenericChart WaitForGraph(string title, IReadOnlyList<int> transactions, IReadOnlyList<WaitEdge> edges,
        IReadOnlyList<int>? cycle = null, IReadOnlyCollection<int>? aborted = null)
    {
        Guard.NotEmpty(transactions);
        Guard.NotNull(edges);
        Guard.That(edges.All(e => transactions.Contains(e.Waiter) && transactions.Contains(e.Blocker)),
            "every edge must join two of the listed transactions", nameof(edges));
        int n = transactions.Count;
        var pos = transactions.Select((t, i) => (t, a: Math.PI / 2 - 2 * Math.PI * i / n))
            .ToDictionary(p => p.t, p => (X: Math.Cos(p.a), Y: Math.Sin(p.a)));
        var onCycle = new HashSet<(int, int)>();
        if (cycle is not null)
            for (int i = 0; i + 1 < cycle.Count; i++) onCycle.Add((cycle[i], cycle[i + 1]));
        aborted ??= [];

        var annotations = new List<Dictionary<string, object>>();
        foreach (var group in edges.GroupBy(e => (e.Waiter, e.Blocker)))
        {
            var (w, b) = group.Key;
            var (x0, y0) = pos[w];
            var (x1, y1) = pos[b];
            // Shorten the arrow so it stops at the node's rim; bend paired edges apart so both stay visible.
            double dx = x1 - x0, dy = y1 - y0, len = Math.Sqrt(dx * dx + dy * dy);
            double ox = -dy / len * 0.06, oy = dx / len * 0.06, cut = 0.16 / len;
            bool red = onCycle.Contains((w, b));
            annotations.Add(new()
            {
                ["x"] = x1 - dx * cut + ox, ["y"] = y1 - dy * cut + oy,
                ["ax"] = x0 + dx * cut + ox, ["ay"] = y0 + dy * cut + oy,
                ["xref"] = "x", ["yref"] = "y", ["axref"] = "x", ["ayref"] = "y",
                ["showarrow"] = true, ["arrowhead"] = 2, ["arrowsize"] = 1.3, ["arrowwidth"] = red ? 3 : 1.5,
                ["arrowcolor"] = red ? "crimson" : "gray", ["text"] = "",
            });
            annotations.Add(new()
            {
                ["x"] = (x0 + x1) / 2 + ox * (n == 2 ? 3.5 : 2.2), ["y"] = (y0 + y1) / 2 + oy * (n == 2 ? 3.5 : 2.2), ["xref"] = "x", ["yref"] = "y",
                ["showarrow"] = false, ["text"] = "row " + string.Join(",", group.Select(e => e.Row).Distinct()),
                ["font"] = new Dictionary<string, object> { ["color"] = red ? "crimson" : "dimgray", ["size"] = 11 },
            });
        }

        if (edges.Count == 0)
            annotations.Add(new()
            {
                ["x"] = 0, ["y"] = 0, ["xref"] = "x", ["yref"] = "y", ["showarrow"] = false, ["text"] = "nobody waits",
                ["font"] = new Dictionary<string, object> { ["color"] = "dimgray", ["size"] = 13 },
            });

        var alive = transactions.Where(t => !aborted.Contains(t)).ToList();
        var dead = transactions.Where(aborted.Contains).ToList();
        var traces = new List<GenericChart>
        {
            CS.Chart.Point<double, double, string>(
                x: alive.Select(t => pos[t].X), y: alive.Select(t => pos[t].Y), Name: "transaction",
                MultiText: new CS.Optional<IEnumerable<string>>(alive.Select(LockSimulation.Name).ToArray(), true), TextPosition: StyleParam.TextPosition.MiddleCenter,
                Marker: Marker(40, "lightsteelblue", "circle")),
        };
        if (dead.Count > 0)
            traces.Add(CS.Chart.Point<double, double, string>(
                x: dead.Select(t => pos[t].X), y: dead.Select(t => pos[t].Y), Name: "aborted (victim)",
                MultiText: new CS.Optional<IEnumerable<string>>(dead.Select(LockSimulation.Name).ToArray(), true), TextPosition: StyleParam.TextPosition.MiddleCenter,
                Marker: Marker(40, "salmon", "circle-x", outline: "darkred")));
        if (cycle is not null)
            traces.Add(CS.Chart.Line<double, double, string>(x: [0.0, 0.0], y: [0.0, 0.0], Name: "edge on the cycle",
                LineColor: Color.fromString("crimson")));

        var chart = Charts.Style(CS.Chart.Combine(traces), title, "", "");
        chart = Charts.WithLayoutValue(chart, "annotations", annotations);
        var hidden = new Dictionary<string, object> { ["visible"] = false, ["range"] = new[] { -1.45, 1.45 } };
        chart = Charts.WithLayoutValue(chart, "xaxis", hidden);
        chart = Charts.WithLayoutValue(chart, "yaxis", new Dictionary<string, object>(hidden) { ["scaleanchor"] = "x" });
        return chart.WithSize(560, 480);
    }

    /// <summary>
    /// A timeline on a virtual clock: one row per (actor, what) with a bar for each interval, and markers for
    /// instant events (a write accepted or rejected).
    /// </summary>
    public static GenericChart Timeline(string title, string xTitle, IReadOnlyList<TimelineBar> bars, IReadOnlyList<TimelineMark>? marks = null)
    {
        Guard.NotEmpty(bars);
        var lanes = bars.Select(b => b.Lane).Concat(marks?.Select(m => m.Lane) ?? []).Distinct().ToList();
        var traces = new List<GenericChart>();
        string[] palette = ["steelblue", "darkorange", "seagreen", "mediumpurple", "sienna", "gray"];
        int colour = 0;
        foreach (var group in bars.GroupBy(b => b.Legend))
        {
            var color = Color.fromString(palette[colour++ % palette.Length]);
            bool first = true;
            foreach (var b in group)
            {
                double y = lanes.Count - lanes.IndexOf(b.Lane);
                traces.Add(CS.Chart.Line<double, double, string>(x: [b.Start, b.End], y: [y, y], Name: group.Key, ShowLegend: first,
                    LineColor: color, LineWidth: 10));
                first = false;
            }
        }
        foreach (var group in (marks ?? []).GroupBy(m => m.Legend))
            traces.Add(CS.Chart.Point<double, double, string>(
                x: group.Select(m => m.At), y: group.Select(m => (double)(lanes.Count - lanes.IndexOf(m.Lane))), Name: group.Key,
                MultiText: new CS.Optional<IEnumerable<string>>(group.Select(m => m.Text).ToArray(), true), TextPosition: StyleParam.TextPosition.TopCenter,
                Marker: Marker(14, group.First().Color ?? (group.First().Accepted ? "black" : "crimson"),
                    group.First().Symbol ?? (group.First().Accepted ? "circle" : "x"))));
        var chart = Charts.Style(CS.Chart.Combine(traces), title, xTitle, "");
        return Charts.WithLayoutValue(chart, "yaxis", new Dictionary<string, object>
        {
            ["tickvals"] = Enumerable.Range(1, lanes.Count).Select(i => (double)i).ToArray(),
            ["ticktext"] = Enumerable.Range(1, lanes.Count).Select(i => lanes[lanes.Count - i]).ToArray(),
            ["range"] = new[] { 0.4, lanes.Count + 0.7 },
        });
    }

    internal static Plotly.NET.TraceObjects.Marker Marker(int size, string color, string symbol, string? outline = null)
    {
        var m = new Plotly.NET.TraceObjects.Marker();
        m.SetProperty("size", size);
        m.SetProperty("color", color);
        m.SetProperty("symbol", symbol);
        if (outline is not null) m.SetProperty("line", new Dictionary<string, object> { ["color"] = outline, ["width"] = 2 });
        return m;
    }
}

/// <summary>An interval on a <see cref="LockCharts.Timeline"/>.</summary>
public sealed record TimelineBar(string Lane, double Start, double End, string Legend);

/// <summary>An instant on a <see cref="LockCharts.Timeline"/>; <paramref name="Accepted"/> picks a black circle or a red cross unless a plotly.js <paramref name="Symbol"/> and <paramref name="Color"/> are given.</summary>
public sealed record TimelineMark(string Lane, double At, string Text, string Legend, bool Accepted, string? Symbol = null, string? Color = null);
