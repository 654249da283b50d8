using Plotly.NET;
using Plotly.NET.CSharp;
using SystemDesign.Hashing;
using SystemDesign.Notebook;
using CS = Plotly.NET.CSharp;

namespace SystemDesign.Distribution;

/// <summary>
/// Draws a hash ring as a clock face: 0 at the top, positions growing clockwise, each physical node's arcs in
/// its own colour (the keys that land there are its keys), its virtual nodes as dots on the rim. With a key, the
/// key is a star outside the rim, the clockwise walk to its owner is drawn, and the tokens that chose its
/// replicas are ringed and numbered.
/// </summary>
public static class RingChart
{
    private static readonly string[] Palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ];

    private const double Inner = 0.62, Rim = 1.0, KeyRadius = 1.14;

    public static GenericChart Draw(HashRing ring, string? key = null, int replicas = 1, string title = "Hash ring")
    {
        Guard.NotNull(ring);
        Guard.NotEmpty(title);
        if (key is not null) Guard.InRange(replicas, 1, ring.Nodes.Count);
        var traces = new List<GenericChart>();
        var arcs = ring.Arcs().ToArray();
        for (int n = 0; n < ring.Nodes.Count; n++)
        {
            var color = Color.fromHex(Palette[n % Palette.Length]);
            var mine = arcs.Where(a => a.Owner == n).ToArray();
            var widths = mine.Select(a => arcs.Length == 1 ? 360.0 : (a.End - a.Start) * (360.0 / 18446744073709551616.0)).ToArray();
            var centers = mine.Select((a, i) => KeyHash.ToUnit(a.Start) * 360 + widths[i] / 2).ToArray();
            traces.Add(CS.Chart.BarPolar<double, double, string>(
                r: centers.Select(_ => Rim - Inner), theta: centers, Name: ring.Nodes[n], MarkerColor: color,
                Base: Inner, MultiWidth: widths, Opacity: 0.75));
            var tokens = ring.TokensOf(ring.Nodes[n]).Select(p => KeyHash.ToUnit(p) * 360).ToArray();
            traces.Add(CS.Chart.PointPolar<double, double, string>(
                r: tokens.Select(_ => Rim), theta: tokens, Name: ring.Nodes[n] + " vnodes", ShowLegend: false,
                MarkerColor: color, MultiText: Texts(tokens.Select((_, i) => $"{ring.Nodes[n]} #{i}"))));
        }
        if (key is not null) traces.AddRange(KeyTraces(ring, key, replicas));
        var chart = Charts.Style(CS.Chart.Combine(traces), title, "", "");
        chart = Charts.WithLayoutValue(chart, "polar", new Dictionary<string, object>
        {
            ["radialaxis"] = new Dictionary<string, object> { ["visible"] = false, ["range"] = new[] { 0.0, 1.25 } },
            ["angularaxis"] = new Dictionary<string, object> { ["rotation"] = 90, ["direction"] = "clockwise", ["ticksuffix"] = "°" },
            ["bargap"] = 0,
        });
        return chart.WithSize(Charts.Width, 600);
    }

    private static IEnumerable<GenericChart> KeyTraces(HashRing ring, string key, int replicas)
    {
        double keyDeg = KeyHash.ToUnit(HashRing.KeyPosition(key)) * 360;
        var chosen = ring.ReplicaTokens(key, replicas);
        double ownerDeg = chosen[0].Degrees;
        double sweep = ((ownerDeg - keyDeg) % 360 + 360) % 360;
        var path = Enumerable.Range(0, 41).Select(i => keyDeg + sweep * i / 40).ToArray();
        yield return CS.Chart.LinePolar<double, double, string>(
            r: path.Select(_ => KeyRadius), theta: path, Name: "clockwise to owner", LineColor: Color.fromHex("#111111"), LineWidth: 3);
        yield return CS.Chart.PointPolar<double, double, string>(
            r: [KeyRadius], theta: [keyDeg], Name: $"key \"{key}\"", MultiText: Texts([key]),
            MultiTextPosition: new CS.Optional<IEnumerable<StyleParam.TextPosition>>([Outward(keyDeg)], true),
            Marker: MarkerOf(11, "star", "#111111"));
        string[] ordinal = ["owner", "2nd", "3rd"];
        yield return CS.Chart.PointPolar<double, double, string>(
            r: chosen.Select(_ => Rim), theta: chosen.Select(t => t.Degrees), Name: $"replicas (RF = {replicas})",
            MultiText: Texts(chosen.Select((t, i) => $"{(i < ordinal.Length ? ordinal[i] : $"{i + 1}th")}: {t.Node}")),
            MultiTextPosition: new CS.Optional<IEnumerable<StyleParam.TextPosition>>(chosen.Select(t => Outward(t.Degrees)).ToArray(), true),
            Marker: MarkerOf(16, "circle-open", "#000000"));
    }

    // Labels sit outside the ring: to the right of points on the right half, to the left on the left half.
    private static StyleParam.TextPosition Outward(double degrees)
    {
        double d = (degrees % 360 + 360) % 360;
        if (d < 20 || d > 340) return StyleParam.TextPosition.TopCenter;
        if (d > 160 && d < 200) return StyleParam.TextPosition.BottomCenter;
        return d < 180 ? StyleParam.TextPosition.MiddleRight : StyleParam.TextPosition.MiddleLeft;
    }

    private static Plotly.NET.TraceObjects.Marker MarkerOf(int size, string symbol, string color)
    {
        var marker = new Plotly.NET.TraceObjects.Marker();
        marker.SetProperty("size", size);
        marker.SetProperty("symbol", symbol); // plotly.js symbol name
        marker.SetProperty("color", color);
        marker.SetProperty("line", new Dictionary<string, object> { ["width"] = 2, ["color"] = color });
        return marker;
    }

    private static CS.Optional<IEnumerable<string>> Texts(IEnumerable<string> texts) => new(texts.ToArray(), true);
}
