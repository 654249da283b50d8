using Plotly.NET;
using SystemDesign.Notebook;
using CS = Plotly.NET.CSharp;

namespace SystemDesign.Indexing;

/// <summary>
/// Draws a small B+tree: one row per level, each page a square labelled with its keys, parent–child edges,
/// the leaf links as a dotted line, the pages of a search path in red and the leaves of a range scan in orange.
/// </summary>
public static class TreeChart
{
    /// <summary>Trees with more pages than this are not drawn (the labels would overlap); print them with Render instead.</summary>
    public const int MaxPages = 200;

    public static GenericChart Draw<TKey, TValue>(BPlusTree<TKey, TValue> tree, string title,
        IReadOnlyCollection<int>? searchPath = null, IReadOnlyCollection<int>? scannedLeaves = null)
    {
        Guard.NotNull(tree);
        Guard.NotEmpty(title);
        var levels = tree.Levels();
        int pages = levels.Sum(l => l.Count);
        Guard.That(pages <= MaxPages, $"the tree has {pages} pages; at most {MaxPages} can be drawn", nameof(tree));

        // Leaves sit at 0, 1, 2…; each internal page is centred over its children.
        var x = new Dictionary<int, double>();
        var leaves = levels[^1];
        for (int i = 0; i < leaves.Count; i++) x[leaves[i].Id] = i;
        for (int d = levels.Count - 2; d >= 0; d--)
            foreach (var p in levels[d])
                x[p.Id] = p.Children.Average(c => x[c]);

        var traces = new List<GenericChart>();
        foreach (var level in levels)
            foreach (var p in level.Where(p => !p.IsLeaf))
                foreach (int c in p.Children)
                {
                    bool hot = searchPath is not null && searchPath.Contains(p.Id) && searchPath.Contains(c);
                    traces.Add(CS.Chart.Line<double, double, string>(
                        x: [x[p.Id], x[c]], y: [p.Level, p.Level - 1], ShowLegend: false,
                        LineColor: Color.fromString(hot ? "crimson" : "#bbbbbb"), LineWidth: hot ? 3.0 : 1.0));
                }
        if (leaves.Count > 1)
            traces.Add(CS.Chart.Line<double, double, string>(
                x: leaves.Select(l => x[l.Id]).ToArray(), y: leaves.Select(_ => 0.0).ToArray(), Name: "leaf links",
                LineColor: Color.fromString("#888888"), LineDash: StyleParam.DrawingStyle.Dot));

        void Pages(string name, string color, Func<PageView<TKey>, bool> pick)
        {
            var chosen = levels.SelectMany(l => l).Where(pick).ToArray();
            if (chosen.Length == 0) return;
            traces.Add(CS.Chart.Point<double, double, string>(
                x: chosen.Select(p => x[p.Id]).ToArray(), y: chosen.Select(p => (double)p.Level).ToArray(), Name: name,
                MultiText: chosen.Select(p => string.Join(" ", p.Keys)).ToArray(), TextPosition: StyleParam.TextPosition.TopCenter,
                MarkerColor: Color.fromString(color), MarkerSymbol: StyleParam.MarkerSymbol.Square));
        }
        bool OnPath(PageView<TKey> p) => searchPath?.Contains(p.Id) == true;
        bool Scanned(PageView<TKey> p) => scannedLeaves?.Contains(p.Id) == true;
        Pages("page", "steelblue", p => !OnPath(p) && !Scanned(p));
        Pages("range-scan leaf", "orange", p => Scanned(p) && !OnPath(p));
        Pages("search path", "crimson", OnPath);

        return Charts.Style(CS.Chart.Combine(traces), title, "page (leaves left to right)", "level (0 = leaf)");
    }
}
