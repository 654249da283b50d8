using System.Text.Json.Nodes;
using SystemDesign.Notebook;
using SystemDesign.Book;
using SystemDesign.Distribution;

namespace SystemDesign.Tests.Book;

public class VisualizerExportTests
{
    static readonly GridParameter[] TwoByThree = [new("a", ["1", "2"]), new("b", ["x", "y", "z"])];

    [Fact]
    public void Grid_points_are_every_combination_last_parameter_fastest()
    {
        var points = VisualizerExport.GridPoints(TwoByThree);
        Assert.Equal(6, points.Count);
        Assert.Equal(new[] { "0,0", "0,1", "0,2", "1,0", "1,1", "1,2" }, points.Select(p => string.Join(",", p)));
    }

    [Fact]
    public void Grid_rejects_no_parameters_and_empty_values()
    {
        Assert.ThrowsAny<ArgumentException>(() => VisualizerExport.GridPoints([]));
        Assert.ThrowsAny<ArgumentException>(() => VisualizerExport.GridPoints([new GridParameter("a", [])]));
    }

    [Fact]
    public void Export_has_one_frame_per_grid_point_with_its_index_and_figure()
    {
        var viz = new Visualizer("t", "99", "title", "description", "test", TwoByThree, [1, 2],
            p => Charts.Line("p", "x", "y", new Series("s", [0.0, 1.0], [p[0], p[1]], SeriesStyle.Lines)));
        JsonObject json = VisualizerExport.Export(viz);
        var frames = json["frames"]!.AsArray();
        Assert.Equal(viz.GridSize, frames.Count);
        Assert.Equal(6, viz.GridSize);
        var last = frames[^1]!;
        Assert.Equal("1,2", string.Join(",", last["index"]!.AsArray().Select(i => i!.GetValue<int>())));
        Assert.Equal("a = 2, b = z", last["name"]!.GetValue<string>());
        // The figure of point (1, 2) is the chart the function drew there: y = [1, 2].
        var y = last["figure"]!["data"]![0]!["y"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(new[] { 1.0, 2.0 }, y);
        Assert.Null(last["figure"]!["layout"]!["template"]); // the site applies the notebooks' template
        Assert.Equal(new[] { 1, 2 }, json["initial"]!.AsArray().Select(i => i!.GetValue<int>()));
    }

    [Fact]
    public void Export_rejects_an_initial_index_outside_the_grid()
    {
        var viz = new Visualizer("t", "99", "title", "d", "test", TwoByThree, [0, 3],
            _ => Charts.Line("p", "x", "y", new Series("s", [0.0], [0.0], SeriesStyle.Lines)));
        Assert.ThrowsAny<ArgumentException>(() => VisualizerExport.Export(viz));
    }

    [Fact]
    public void Ring_frame_is_the_chart_the_notebook_cell_draws_for_the_same_parameters()
    {
        // Notebook 01's visualizer cell: HashRing.Create(NodeNames(n), v) and RingChart.Draw(ring, key, rf, title).
        var viz = Visualizers.ConsistentHashingRing();
        var point = new[] { 3, 3 }; // 5 nodes, 8 virtual nodes: the notebook's defaults
        var fromGrid = VisualizerExport.FigureJson(viz.Figure(point));
        var ring = HashRing.Create(Enumerable.Range(0, 5).Select(i => $"node-{i}").ToArray(), 8);
        var fromCell = VisualizerExport.FigureJson(RingChart.Draw(ring, "user:42", 3,
            "5 nodes × 8 virtual nodes: where \"user:42\" lives (RF = 3)"));
        Assert.Equal(fromCell.ToJsonString(), fromGrid.ToJsonString());
    }

    [Fact]
    public void Frames_differ_across_the_grid()
    {
        foreach (var viz in new[] { Visualizers.ConsistentHashingRing(), Visualizers.DeadlockRing() })
        {
            var first = VisualizerExport.FigureJson(viz.Figure(VisualizerExport.GridPoints(viz.Parameters)[0]));
            var last = VisualizerExport.FigureJson(viz.Figure(VisualizerExport.GridPoints(viz.Parameters)[^1]));
            Assert.NotEqual(first["data"]!.ToJsonString(), last["data"]!.ToJsonString());
        }
    }

    [Fact]
    public void Every_frame_of_every_visualizer_differs_from_the_others()
    {
        // A slider step that changes nothing would look broken on the page (and the browser test moves sliders).
        // The title counts: with an ascending lock order every policy draws the same graph, and says which it is.
        foreach (var viz in Visualizers.All())
        {
            var frames = VisualizerExport.Export(viz)["frames"]!.AsArray()
                .Select(f => f!["figure"]!["data"]!.ToJsonString() + f["figure"]!["layout"]!["title"]?.ToJsonString())
                .ToList();
            Assert.True(frames.Distinct().Count() == frames.Count, $"{viz.Id}: two grid points draw the same figure");
        }
    }

    [Fact]
    public void Every_catalogued_visualizer_has_a_stated_grid_and_a_valid_initial_point()
    {
        var all = Visualizers.All();
        Assert.Equal(all.Count, all.Select(v => v.Id).Distinct().Count());
        foreach (var viz in all)
        {
            Assert.InRange(viz.GridSize, 2, 100); // small enough for the site (each frame is a whole figure)
            Assert.Equal(viz.Parameters.Count, viz.Initial.Count);
            Assert.Matches(@"^\d\d$", viz.Notebook);
        }
    }

    [Fact]
    public void WriteAll_writes_one_json_file_per_visualizer()
    {
        string dir = Path.Combine(Path.GetTempPath(), "sdn-viz-" + Guid.NewGuid().ToString("N"));
        try
        {
            var viz = new Visualizer("only", "99", "t", "d", "test", [new GridParameter("a", ["1", "2"])], [0],
                p => Charts.Line("p", "x", "y", new Series("s", [0.0], [p[0]], SeriesStyle.Lines)));
            var written = VisualizerExport.WriteAll(dir, [viz]);
            Assert.Single(written);
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "only.json")))!;
            Assert.Equal(2, json["frames"]!.AsArray().Count);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
