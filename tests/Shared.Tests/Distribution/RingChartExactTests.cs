using System.Text.Json;
using SystemDesign.Distribution;
using SystemDesign.Hashing;

namespace SystemDesign.Tests.Distribution;

/// <summary>The ring chart read back from its JSON: every arc, token, colour, label and axis setting.</summary>
public sealed class RingChartExactTests
{
    private static readonly string[] Rgba =
    [
        "rgba(31, 119, 180, 1.0)", "rgba(255, 127, 14, 1.0)", "rgba(44, 160, 44, 1.0)", "rgba(214, 39, 40, 1.0)",
        "rgba(148, 103, 189, 1.0)", "rgba(140, 86, 75, 1.0)", "rgba(227, 119, 194, 1.0)", "rgba(127, 127, 127, 1.0)",
        "rgba(188, 189, 34, 1.0)", "rgba(23, 190, 207, 1.0)",
    ];

    private static JsonElement Json(Plotly.NET.GenericChart chart) =>
        JsonDocument.Parse(Plotly.NET.GenericChart.toJson(chart)).RootElement;

    private static double[] Numbers(JsonElement e, string name) =>
        e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    private static string[] Strings(JsonElement e, string name) =>
        e.GetProperty(name).EnumerateArray().Select(x => x.GetString()!).ToArray();

    private static void Close(IEnumerable<double> expected, double[] actual, double tolerance)
    {
        var e = expected.ToArray();
        Assert.Equal(e.Length, actual.Length);
        for (int i = 0; i < e.Length; i++) Assert.Equal(e[i], actual[i], tolerance);
    }

    [Fact]
    public void Each_node_has_its_arcs_as_bars_and_its_tokens_as_dots_in_the_palettes_colour()
    {
        var ring = HashRing.Create(Data.Nodes(11), 2); // 11 nodes: the palette of 10 wraps round once
        var data = Json(RingChart.Draw(ring)).GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(22, data.Length);
        var arcs = ring.Arcs().ToArray();
        for (int n = 0; n < 11; n++)
        {
            JsonElement bars = data[2 * n], dots = data[2 * n + 1];
            var mine = arcs.Where(a => a.Owner == n).ToArray();
            var widths = mine.Select(a => (double)(a.End - a.Start) / Math.ScaleB(1, 64) * 360).ToArray();
            var centres = mine.Select((a, i) => KeyHash.ToUnit(a.Start) * 360 + widths[i] / 2).ToArray();
            Assert.Equal(("barpolar", ring.Nodes[n], 0.75, 0.62), (bars.GetProperty("type").GetString(),
                bars.GetProperty("name").GetString(), bars.GetProperty("opacity").GetDouble(),
                bars.GetProperty("base").GetDouble()));
            Close(centres.Select(_ => 0.38), Numbers(bars, "r"), 1e-12);
            Close(centres, Numbers(bars, "theta"), 1e-9);
            Close(widths, Numbers(bars, "width"), 1e-9);
            Assert.Equal(Rgba[n % 10], bars.GetProperty("marker").GetProperty("color").GetString());
            var tokens = ring.TokensOf(ring.Nodes[n]).Select(p => KeyHash.ToUnit(p) * 360).ToArray();
            Assert.Equal(("scatterpolar", ring.Nodes[n] + " vnodes", false), (dots.GetProperty("type").GetString(),
                dots.GetProperty("name").GetString(), dots.GetProperty("showlegend").GetBoolean()));
            Assert.Equal(tokens.Select(_ => 1.0), Numbers(dots, "r"));
            Close(tokens, Numbers(dots, "theta"), 1e-9);
            Assert.Equal(tokens.Select((_, i) => $"{ring.Nodes[n]} #{i}"), Strings(dots, "text"));
            Assert.Equal(Rgba[n % 10], dots.GetProperty("marker").GetProperty("color").GetString());
        }
        // One node owns the whole circle: a single bar 360° wide.
        var solo = Json(RingChart.Draw(HashRing.Create(["solo"], 1))).GetProperty("data")[0];
        Assert.Equal([360.0], Numbers(solo, "width"));
    }

    // Labels go outside the ring: above near 0°, below near 180°, else right on the right half, left on the left.
    private static string Outward(double degrees)
    {
        double d = (degrees % 360 + 360) % 360;
        return d < 20 || d > 340 ? "top center" : d > 160 && d < 200 ? "bottom center"
            : d < 180 ? "middle right" : "middle left";
    }

    [Theory]
    [InlineData("user:42", 3)]
    [InlineData("k1", 4)]
    [InlineData("k7", 1)]
    public void A_key_gets_a_star_the_clockwise_walk_to_its_owner_and_numbered_replicas(string key, int rf)
    {
        var ring = HashRing.Create(Data.Nodes(4), 3);
        var root = Json(RingChart.Draw(ring, key, rf, "T"));
        var data = root.GetProperty("data").EnumerateArray().Skip(8).ToArray();
        double keyDeg = KeyHash.ToUnit(HashRing.KeyPosition(key)) * 360;
        var chosen = ring.ReplicaTokens(key, rf);
        var walk = Numbers(data[0], "theta");
        Assert.Equal(("clockwise to owner", 41, "rgba(17, 17, 17, 1.0)", 3.0), (data[0].GetProperty("name").GetString(),
            walk.Length, data[0].GetProperty("line").GetProperty("color").GetString(),
            data[0].GetProperty("line").GetProperty("width").GetDouble()));
        Assert.All(Numbers(data[0], "r"), r => Assert.Equal(1.14, r));
        Assert.Equal(keyDeg, walk[0], 1e-9);
        double off = ((walk[40] - chosen[0].Degrees) % 360 + 360) % 360;
        Assert.Equal(0, Math.Min(off, 360 - off), 1e-6);                               // ends on the owner's token
        Assert.InRange(walk[40] - walk[0], 0, 360);                                   // clockwise, under a turn
        Assert.All(walk.Skip(1).Zip(walk), p => Assert.Equal((walk[40] - walk[0]) / 40, p.First - p.Second, 1e-9));
        Assert.Equal(($"key \"{key}\"", keyDeg, key, Outward(keyDeg), "star", 11),
            (data[1].GetProperty("name").GetString(),
            Numbers(data[1], "theta")[0], Strings(data[1], "text")[0], Strings(data[1], "textposition")[0],
            data[1].GetProperty("marker").GetProperty("symbol").GetString(),
            data[1].GetProperty("marker").GetProperty("size").GetInt32()));
        string[] ordinal = ["owner", "2nd", "3rd", "4th"];
        Assert.Equal($"replicas (RF = {rf})", data[2].GetProperty("name").GetString());
        Close(chosen.Select(t => t.Degrees), Numbers(data[2], "theta"), 1e-12);
        Assert.Equal(chosen.Select((t, i) => $"{ordinal[i]}: {t.Node}"), Strings(data[2], "text"));
        Assert.Equal(chosen.Select(t => Outward(t.Degrees)), Strings(data[2], "textposition"));
        Assert.Equal(("circle-open", 16, "#000000"), (data[2].GetProperty("marker").GetProperty("symbol").GetString(),
            data[2].GetProperty("marker").GetProperty("size").GetInt32(),
            data[2].GetProperty("marker").GetProperty("color").GetString()));
        var layout = root.GetProperty("layout");
        Assert.Equal((760, 600, "T"), (layout.GetProperty("width").GetInt32(), layout.GetProperty("height").GetInt32(),
            layout.GetProperty("title").GetProperty("text").GetString()));
        Assert.Equal("{\"radialaxis\":{\"visible\":false,\"range\":[0.0,1.25]},\"angularaxis\":{\"rotation\":90," +
            "\"direction\":\"clockwise\",\"ticksuffix\":\"°\"},\"bargap\":0}",
            JsonSerializer.Serialize(layout.GetProperty("polar"), new JsonSerializerOptions
            {
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }));
    }
}
