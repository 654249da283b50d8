using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SystemDesign.Book;

namespace SystemDesign.Tests.Book;

/// <summary>
/// Every exported figure of every visualizer against a golden file (visualizers.expected.json, copied to the test
/// output): the catalogue's texts, parameters and initial point exactly, and for each frame its grid index, its name
/// and a hash of a compact digest of its figure (every numeric array reduced to its count, first, last, sum, min and
/// max to 6 significant digits; every string kept or hashed). A change of any value a visualizer computes, or of any
/// text it shows, changes a line of the file. After an intended change, regenerate it:
/// <c>SDN_WRITE_VISUALIZERS_GOLDEN=$PWD/tests/Shared.Tests/Book/visualizers.expected.json dotnet test … --filter …VisualizerGoldenTests</c>.
/// </summary>
public sealed class VisualizerGoldenTests
{
    private const string GoldenFile = "Book/visualizers.expected.json";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Fact]
    public void Every_frame_of_every_visualizer_matches_the_golden_digest()
    {
        var actual = new JsonObject();
        foreach (var viz in Visualizers.All())
            actual[viz.Id] = Describe(viz);
        string actualText = actual.ToJsonString(Indented);

        string? writeTo = Environment.GetEnvironmentVariable("SDN_WRITE_VISUALIZERS_GOLDEN");
        if (!string.IsNullOrEmpty(writeTo))
        {
            File.WriteAllText(writeTo, actualText + "\n");
            return;
        }

        string expectedText = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, GoldenFile));
        var expected = JsonNode.Parse(expectedText)!;
        if (JsonNode.DeepEquals(expected, JsonNode.Parse(actualText)))
            return;
        // Name the first lines that differ, so that a failure says which visualizer and which frame changed.
        var e = expected.ToJsonString(Indented).Split('\n');
        var a = actualText.Split('\n');
        var diffs = Enumerable.Range(0, Math.Max(e.Length, a.Length))
            .Where(i => i >= e.Length || i >= a.Length || e[i] != a[i])
            .Take(5)
            .Select(i => $"line {i + 1}:\n  expected {(i < e.Length ? e[i].Trim() : "(none)")}\n  actual   {(i < a.Length ? a[i].Trim() : "(none)")}");
        Assert.Fail("The exported visualizers differ from " + GoldenFile + ":\n" + string.Join("\n", diffs));
    }

    [Fact]
    public void The_digest_tells_apart_a_change_of_any_value_and_ignores_none()
    {
        var a = JsonNode.Parse("""{"data":[{"x":[1,2,3,4,5],"y":[1,2,3,4,5],"name":"s"}]}""");
        Assert.Equal(Digest(a), Digest(a!.DeepClone()));
        Assert.NotEqual(Digest(a), Digest(JsonNode.Parse("""{"data":[{"x":[1,2,3,4,5],"y":[1,2,3.5,4,5],"name":"s"}]}""")));
        Assert.NotEqual(Digest(a), Digest(JsonNode.Parse("""{"data":[{"x":[1,2,3,4,5],"y":[1,2,3,4,5],"name":"t"}]}""")));
        Assert.NotEqual(Digest(a), Digest(JsonNode.Parse("""{"data":[{"x":[1,2,3,4,5,6],"y":[1,2,3,4,5],"name":"s"}]}""")));
    }

    private static JsonObject Describe(Visualizer viz)
    {
        var export = VisualizerExport.Export(viz);
        var frames = new JsonArray();
        foreach (var frame in export["frames"]!.AsArray())
        {
            string index = string.Join(",", frame!["index"]!.AsArray().Select(i => i!.GetValue<int>()));
            frames.Add((JsonNode)$"{index} | {frame["name"]!.GetValue<string>()} | {Hash(Digest(frame["figure"]))}");
        }
        var initial = export["initial"]!.AsArray().Select(i => i!.GetValue<int>()).ToArray();
        return new JsonObject
        {
            ["id"] = export["id"]!.DeepClone(),
            ["notebook"] = export["notebook"]!.DeepClone(),
            ["title"] = export["title"]!.DeepClone(),
            ["description"] = export["description"]!.DeepClone(),
            ["source"] = export["source"]!.DeepClone(),
            ["parameters"] = export["parameters"]!.DeepClone(),
            ["initial"] = export["initial"]!.DeepClone(),
            ["gridSize"] = viz.GridSize,
            // The initial frame in readable form (one line per trace and the layout), the rest as hashes.
            ["initialFrame"] = new JsonArray(ReadableDigest(VisualizerExport.FigureJson(viz.Figure(initial)))
                .Select(line => (JsonNode)line).ToArray()),
            ["frames"] = frames,
        };
    }

    private static IEnumerable<string> ReadableDigest(JsonObject figure)
    {
        foreach (var trace in figure["data"]!.AsArray())
            yield return Digest(trace);
        yield return "layout " + Digest(figure["layout"]);
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    /// <summary>A compact canonical text of a JSON value: numbers to 6 significant digits, long arrays summarized.</summary>
    internal static string Digest(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(node, sb);
        return sb.ToString();
    }

    private static void Write(JsonNode? node, StringBuilder sb)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject o:
                sb.Append('{');
                foreach (var (key, value) in o)
                {
                    sb.Append(key).Append(':');
                    Write(value, sb);
                    sb.Append(' ');
                }
                sb.Append('}');
                break;
            case JsonArray a when a.Count > 4 && a.All(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.Number):
                var d = a.Select(x => x!.GetValue<double>()).ToArray();
                sb.Append($"[n={d.Length} first={N(d[0])} last={N(d[^1])} sum={N(d.Sum())} min={N(d.Min())} max={N(d.Max())}]");
                break;
            case JsonArray a when a.Count > 4 && a.All(x => x is JsonValue):
                var s = a.Select(x => x!.ToJsonString()).ToArray();
                sb.Append($"[n={s.Length} first={s[0]} last={s[^1]} all={Hash(string.Join("\u0001", s))[..8]}]");
                break;
            case JsonArray a:
                sb.Append('[');
                foreach (var item in a)
                {
                    Write(item, sb);
                    sb.Append(' ');
                }
                sb.Append(']');
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                sb.Append(N(v.GetValue<double>()));
                break;
            default:
                sb.Append(node.ToJsonString());
                break;
        }
    }

    private static string N(double v)
    {
        string s = v.ToString("G6", CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }
}
