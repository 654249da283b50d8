using System.Text.Json;
using System.Text.Json.Nodes;
using Plotly.NET;

namespace SystemDesign.Book;

/// <summary>One parameter of a kernel-free visualizer: its name and the values of the grid, in slider order.</summary>
public sealed record GridParameter(string Name, IReadOnlyList<string> Values);

/// <summary>
/// A notebook's visualizer exported for the book (scripts/build-site.sh): the figure the notebook's visualizer cell
/// draws, computed ahead of time by the same library code at every point of a grid of its parameters. The site shows
/// one Plotly slider per parameter; moving one shows the figure of the chosen grid point, with no kernel.
/// </summary>
/// <param name="Id">file name of the export, e.g. "01-ring".</param>
/// <param name="Notebook">the notebook's two-digit number, e.g. "01".</param>
/// <param name="Initial">the grid index of each parameter shown first (the notebook's default where the grid has it).</param>
/// <param name="Figure">the chart at one grid point, given the value index of each parameter.</param>
public sealed record Visualizer(string Id, string Notebook, string Title, string Description, string Source,
    IReadOnlyList<GridParameter> Parameters, IReadOnlyList<int> Initial, Func<int[], GenericChart> Figure)
{
    /// <summary>Points of the grid: the product of the parameters' value counts.</summary>
    public int GridSize => Parameters.Aggregate(1, (n, p) => n * p.Values.Count);
}

public static class VisualizerExport
{
    /// <summary>Every point of the grid, as value indices, the last parameter varying fastest.</summary>
    public static IReadOnlyList<int[]> GridPoints(IReadOnlyList<GridParameter> parameters)
    {
        Guard.NotNull(parameters);
        Guard.That(parameters.Count > 0, "a visualizer needs at least one parameter", nameof(parameters));
        foreach (var p in parameters)
            Guard.That(p.Values.Count > 0, $"parameter '{p.Name}' has no values", nameof(parameters));
        var points = new List<int[]> { Array.Empty<int>() };
        foreach (var p in parameters)
            points = points.SelectMany(prefix => Enumerable.Range(0, p.Values.Count).Select(i => prefix.Append(i).ToArray()))
                .ToList();
        return points;
    }

    /// <summary>
    /// The figure of a chart as JSON ({"data":[…],"layout":{…}}), as NotebookHost.ChartHtml serializes it: Plotly.NET's
    /// default template is dropped (the site applies the notebooks' small template, as the notebook pages do).
    /// </summary>
    public static JsonObject FigureJson(GenericChart chart)
    {
        Guard.NotNull(chart);
        GenericChart.getLayout(chart).RemoveProperty("template");
        var figure = JsonNode.Parse(GenericChart.toJson(chart))!.AsObject();
        return new JsonObject
        {
            ["data"] = figure["data"]?.DeepClone() ?? new JsonArray(),
            ["layout"] = figure["layout"]?.DeepClone() ?? new JsonObject(),
        };
    }

    /// <summary>The visualizer with the figure of every grid point, as the JSON the site embeds.</summary>
    public static JsonObject Export(Visualizer viz)
    {
        Guard.NotNull(viz);
        Guard.That(viz.Initial.Count == viz.Parameters.Count, "one initial index per parameter", nameof(viz));
        for (int k = 0; k < viz.Initial.Count; k++)
        {
            int max = viz.Parameters[k].Values.Count - 1;
            if (viz.Initial[k] < 0 || viz.Initial[k] > max)
                throw new ArgumentOutOfRangeException(nameof(viz), viz.Initial[k],
                    $"the initial index of parameter '{viz.Parameters[k].Name}' must be between 0 and {max} (inclusive); " +
                    $"got {viz.Initial[k]}.");
        }
        var frames = new JsonArray();
        foreach (var point in GridPoints(viz.Parameters))
        {
            frames.Add(new JsonObject
            {
                ["name"] = string.Join(", ", point.Select((i, k) => $"{viz.Parameters[k].Name} = {viz.Parameters[k].Values[i]}")),
                ["index"] = new JsonArray(point.Select(i => (JsonNode)i).ToArray()),
                ["figure"] = FigureJson(viz.Figure(point)),
            });
        }
        return new JsonObject
        {
            ["id"] = viz.Id,
            ["notebook"] = viz.Notebook,
            ["title"] = viz.Title,
            ["description"] = viz.Description,
            ["source"] = viz.Source,
            ["parameters"] = new JsonArray(viz.Parameters.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name,
                ["values"] = new JsonArray(p.Values.Select(v => (JsonNode)v).ToArray()),
            }).ToArray()),
            ["initial"] = new JsonArray(viz.Initial.Select(i => (JsonNode)i).ToArray()),
            ["frames"] = frames,
        };
    }

    /// <summary>Writes &lt;dir&gt;/&lt;id&gt;.json for each visualizer; returns (id, grid size, bytes) per file.</summary>
    public static IReadOnlyList<(string Id, int Grid, long Bytes)> WriteAll(string directory, IEnumerable<Visualizer> visualizers)
    {
        Guard.NotNull(directory);
        Guard.NotNull(visualizers);
        Directory.CreateDirectory(directory);
        var written = new List<(string, int, long)>();
        foreach (var viz in visualizers)
        {
            string path = Path.Combine(directory, viz.Id + ".json");
            File.WriteAllText(path, Export(viz).ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            written.Add((viz.Id, viz.GridSize, new FileInfo(path).Length));
        }
        return written;
    }
}
