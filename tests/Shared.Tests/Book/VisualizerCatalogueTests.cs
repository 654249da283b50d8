using System.Text.Json.Nodes;
using SystemDesign.Book;
using SystemDesign.Notebook;

namespace SystemDesign.Tests.Book;

/// <summary>
/// Each visualizer's grid (its parameters, their values, the point shown first) and what its figures say at chosen
/// grid points; the guards of the export. The golden file (VisualizerGoldenTests) pins every frame; these say why.
/// </summary>
public sealed class VisualizerCatalogueTests
{
    private static GenericChartFigure Figure(Visualizer viz, params int[] point) => new(VisualizerExport.FigureJson(viz.Figure(point)));

    private sealed record GenericChartFigure(JsonObject Json)
    {
        public string Title => Json["layout"]!["title"]!["text"]!.GetValue<string>();
        public JsonArray Data => Json["data"]!.AsArray();
        public IEnumerable<string> TraceNames => Data.Select(t => t!["name"]?.GetValue<string>() ?? "");
        public double[] Numbers(int trace, string key) => Data[trace]![key]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        public string[] Strings(int trace, string key) => Data[trace]![key]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
    }

    private static string[] Values(Visualizer viz, int parameter) => viz.Parameters[parameter].Values.ToArray();

    /// <summary>The parameter values shown first: the defaults of the notebook's visualizer cell.</summary>
    private static string[] InitialValues(Visualizer viz) =>
        viz.Initial.Select((i, k) => viz.Parameters[k].Values[i]).ToArray();

    [Fact]
    public void The_catalogue_lists_the_seven_visualizers_in_notebook_order()
    {
        Assert.Equal(new[] { "01-ring", "02-partition", "03-replication", "04-btree", "06-deadlock", "07-stampede", "18-bloom" },
            Visualizers.All().Select(v => v.Id));
        Assert.Equal(new[] { "01", "02", "03", "04", "06", "07", "18" }, Visualizers.All().Select(v => v.Notebook));
        Assert.Equal(new[] { 42, 12, 12, 30, 42, 25, 25 }, Visualizers.All().Select(v => v.GridSize));
        Assert.All(Visualizers.All(), v =>
        {
            Assert.NotEmpty(v.Title);
            Assert.NotEmpty(v.Description);
            Assert.Contains("src/Shared/", v.Source);
        });
    }

    [Fact]
    public void Ring_grid_is_nodes_by_virtual_nodes_and_starts_at_the_notebooks_five_by_eight()
    {
        var viz = Visualizers.ConsistentHashingRing();
        Assert.Equal("physical nodes", viz.Parameters[0].Name);
        Assert.Equal(new[] { "2", "3", "4", "5", "6", "8", "10" }, Values(viz, 0));
        Assert.Equal("virtual nodes per node", viz.Parameters[1].Name);
        Assert.Equal(new[] { "1", "2", "4", "8", "16", "32" }, Values(viz, 1));
        Assert.Equal(new[] { "5", "8" }, InitialValues(viz));
        // RF = min(3, nodes): two nodes hold two replicas, ten hold three.
        var two = Figure(viz, 0, 0);
        Assert.Equal("2 nodes × 1 virtual nodes: where \"user:42\" lives (RF = 2)", two.Title);
        Assert.Contains("replicas (RF = 2)", two.TraceNames);
        Assert.Contains("node-1", two.TraceNames);
        Assert.DoesNotContain("node-2", two.TraceNames);
        var ten = Figure(viz, 6, 5);
        Assert.Equal("10 nodes × 32 virtual nodes: where \"user:42\" lives (RF = 3)", ten.Title);
        Assert.Contains("node-9", ten.TraceNames);
        Assert.Equal(32, ten.Numbers(0, "theta").Length); // 32 arcs of node-0
        Assert.Contains("key \"user:42\"", ten.TraceNames);
    }

    [Fact]
    public void Partition_grid_is_replication_delay_by_side_b_and_starts_at_10_ms_and_replicas_3_4()
    {
        var viz = Visualizers.CapPartition();
        Assert.Equal("AP replication delay (ms)", viz.Parameters[0].Name);
        Assert.Equal(new[] { "5", "10", "50", "200" }, Values(viz, 0));
        Assert.Equal("replicas on side B", viz.Parameters[1].Name);
        Assert.Equal(new[] { "4", "3 4", "2 3 4" }, Values(viz, 1));
        Assert.Equal(new[] { "10", "3 4" }, InitialValues(viz));
        var f = Figure(viz, 1, 1);
        Assert.Equal("Availability and stale-read rate per side, per 250 ms window (top: CP, bottom: AP)", f.Title);
        // CP first (top panel), then AP: both modes ran.
        Assert.StartsWith("CpMajority side A", f.TraceNames.First());
        Assert.Contains("Ap side B: stale reads", f.TraceNames);
        // The figure at a point is the simulation with that point's options.
        var options = new SystemDesign.Consistency.PartitionOptions { ReplicationDelayMean = 200, SideB = [2, 3, 4] };
        var runs = new[] { SystemDesign.Consistency.ReplicationMode.CpMajority, SystemDesign.Consistency.ReplicationMode.Ap }
            .Select(m => SystemDesign.Consistency.PartitionSimulation.Run(m, options)).ToList();
        var direct = VisualizerExport.FigureJson(SystemDesign.Consistency.PartitionCharts.Panels(
            "Availability and stale-read rate per side, per 250 ms window (top: CP, bottom: AP)", runs));
        Assert.Equal(direct.ToJsonString(), Figure(viz, 3, 2).Json.ToJsonString());
    }

    [Fact]
    public void Replication_grid_is_write_rate_by_delay_and_samples_300_steps_past_the_last_replay()
    {
        var viz = Visualizers.ReplicationLag();
        Assert.Equal("write rate (writes/s)", viz.Parameters[0].Name);
        Assert.Equal(new[] { "400", "800", "1000", "1200" }, Values(viz, 0));
        Assert.Equal("network delay (ms, one way)", viz.Parameters[1].Name);
        Assert.Equal(new[] { "5", "20", "100" }, Values(viz, 1));
        Assert.Equal(new[] { "800", "20" }, InitialValues(viz));
        var f = Figure(viz, 1, 1);
        Assert.Equal("WAL positions: primary, sent, replica flush, replica replay", f.Title);
        Assert.Equal(new[] { "primary: pg_current_wal_lsn()", "sent_lsn (on the wire)", "replica flush_lsn (durable)",
            "replica replay_lsn (visible)" }, f.TraceNames);
        Assert.Equal("time (s)", f.Json["layout"]!["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal("LSN (records)", f.Json["layout"]!["yaxis"]!["title"]!["text"]!.GetValue<string>());
        var time = f.Numbers(0, "x");
        Assert.Equal(301, time.Length); // 0 … end in steps of end / 300
        Assert.Equal(0, time[0]);
        Assert.True(time[^1] >= 14, $"the samples run at least the 14 s of writes, to {time[^1]}");
        // The replay line reaches the primary's last position: the window ends when the replica has caught up.
        Assert.Equal(f.Numbers(0, "y")[^1], f.Numbers(3, "y")[^1]);
        // A higher write rate writes more records in the same 14 s.
        Assert.True(Figure(viz, 3, 1).Numbers(0, "y").Max() > Figure(viz, 0, 1).Numbers(0, "y").Max());
    }

    [Fact]
    public void Btree_grid_is_order_by_key_count_and_starts_at_order_4_with_30_keys()
    {
        var viz = Visualizers.BPlusTreeBuild();
        Assert.Equal("order (children per page)", viz.Parameters[0].Name);
        Assert.Equal(new[] { "3", "4", "5", "6", "8", "12" }, Values(viz, 0));
        Assert.Equal("keys inserted", viz.Parameters[1].Name);
        Assert.Equal(new[] { "10", "20", "30", "50", "99" }, Values(viz, 1));
        Assert.Equal(new[] { "4", "30" }, InitialValues(viz));
        var f = Figure(viz, 1, 2);
        Assert.Equal("B+tree of order 4: 30 keys, height 3", f.Title);
        int search = f.TraceNames.ToList().IndexOf("search path");
        Assert.Equal(new[] { 2.0, 1.0, 0.0 }, f.Numbers(search, "y")); // root to leaf
        Assert.Equal("36 38 43", f.Strings(search, "text")[^1]); // the leaf where 42 would be
        int scan = f.TraceNames.ToList().IndexOf("range-scan leaf");
        var leaves = f.Strings(scan, "text");
        Assert.All(f.Numbers(scan, "y"), y => Assert.Equal(0, y)); // only leaves: the inner pages of the path are skipped
        Assert.Equal("14 20 23", leaves[0]); // the leaf holding 20 …
        Assert.Contains("44", leaves[^1].Split(' ')); // … to the one holding 44, the last key ≤ 45
        // All 99 keys at order 12 (leaves of at most 11 keys): still three levels.
        Assert.Equal("B+tree of order 12: 99 keys, height 3", Figure(viz, 5, 4).Title);
    }

    [Fact]
    public void Deadlock_grid_is_size_by_policy_by_order_and_starts_at_two_transactions_detect_no_order()
    {
        var viz = Visualizers.DeadlockRing();
        Assert.Equal(new[] { "transactions", "policy", "global lock order" }, viz.Parameters.Select(p => p.Name));
        Assert.Equal(new[] { "2", "3", "4", "5", "6", "7", "8" }, Values(viz, 0));
        Assert.Equal(new[] { "Detect", "WaitDie", "WoundWait" }, Values(viz, 1));
        Assert.Equal(new[] { "none", "ascending" }, Values(viz, 2));
        Assert.Equal(new[] { "2", "Detect", "none" }, InitialValues(viz));
        var cycle = Figure(viz, 0, 0, 0);
        Assert.Equal("Wait-for graph: 2 transactions, Detect", cycle.Title);
        Assert.Contains("edge on the cycle", cycle.TraceNames);
        Assert.Contains("aborted (victim)", cycle.TraceNames);
        var ordered = Figure(viz, 6, 2, 1);
        Assert.Equal("Wait-for graph: 8 transactions, WoundWait, ascending lock order", ordered.Title);
        Assert.DoesNotContain("edge on the cycle", ordered.TraceNames); // a global order leaves no cycle
        Assert.Equal(8, ordered.Data.Sum(t => t!["text"] is JsonArray a && t["mode"]!.GetValue<string>() == "markers+text" ? a.Count : 0));
    }

    [Fact]
    public void Stampede_grid_is_rate_by_recompute_time_and_starts_at_300_reads_and_80_ms()
    {
        var viz = Visualizers.CacheStampede();
        Assert.Equal("reads per second", viz.Parameters[0].Name);
        Assert.Equal(new[] { "30", "100", "300", "1000", "3000" }, Values(viz, 0));
        Assert.Equal("recompute time (ms)", viz.Parameters[1].Name);
        Assert.Equal(new[] { "10", "40", "80", "200", "500" }, Values(viz, 1));
        Assert.Equal(new[] { "300", "80" }, InitialValues(viz));
        var f = Figure(viz, 2, 2);
        Assert.Equal("Database queries around the expiry of one hot key", f.Title);
        Assert.Equal("time (ms; expiry at 1,000)", f.Json["layout"]!["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal("cumulative DB queries", f.Json["layout"]!["yaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal(new[] { "None: 27 queries", "Mutex: 1 queries", "XFetch: 1 queries" }, f.TraceNames);
        var none = f.Numbers(0, "x");
        Assert.Equal(Enumerable.Range(1, 27).Select(i => (double)i), f.Numbers(0, "y")); // cumulative count
        // In ms: every unprotected query comes after the expiry, within the 80 ms recomputation that follows the first.
        Assert.All(none, t => Assert.InRange(t, 1000, none[0] + 80));
        Assert.True(f.Numbers(2, "x")[0] < 1000, "XFetch recomputes before the expiry");
        // The same simulation as the notebook cell, in ms.
        var run = SystemDesign.Caching.StampedeSimulation.Run(SystemDesign.Caching.StampedeProtection.None, 300, 0.08,
            ttlSeconds: 1, spanSeconds: 1.5, seed: 11, beta: 1.0);
        Assert.Equal(run.Queries.Select(q => q.Start * 1000), none);
    }

    [Fact]
    public void Bloom_grid_is_bits_by_hashes_and_starts_at_64_bits_and_3_hashes()
    {
        var viz = Visualizers.BloomFilterBits();
        Assert.Equal("bits m", viz.Parameters[0].Name);
        Assert.Equal(new[] { "16", "32", "64", "128", "256" }, Values(viz, 0));
        Assert.Equal("hash functions k", viz.Parameters[1].Name);
        Assert.Equal(new[] { "1", "2", "3", "5", "8" }, Values(viz, 1));
        Assert.Equal(new[] { "64", "3" }, InitialValues(viz));
        var f = Figure(viz, 2, 2);
        Assert.Equal("Bloom filter: m = 64 bits, k = 3, n = 10 words", f.Title);
        Assert.Equal("bit", f.Json["layout"]!["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal(Enumerable.Range(0, 64).Select(i => i.ToString()), f.Strings(0, "x"));
        var rows = f.Strings(0, "y");
        // The bit array, the five tested words, then the first never-added word the filter reports present.
        Assert.Equal(new[] { "bit array", "apple: probably yes", "mango: probably yes", "melon: definitely not",
            "lime: definitely not", "pear: definitely not", "word7: probably yes" }, rows);
        // The heat map is FilterChecks.Picture of a filter holding the ten words.
        var filter = new SystemDesign.Probabilistic.BloomFilter(64, 3);
        string[] added = ["apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "plum", "kiwi", "fig"];
        foreach (var w in added) filter.Add(w);
        var picture = SystemDesign.Probabilistic.FilterChecks.Picture(filter, ["apple", "mango", "melon", "lime", "pear"],
            added.ToHashSet());
        Assert.Equal(picture.Rows, rows);
        for (int r = 0; r < rows.Length; r++)
            Assert.Equal(picture.Z[r], f.Json["data"]![0]!["z"]![r]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal("Bloom filter: m = 256 bits, k = 8, n = 10 words", Figure(viz, 4, 4).Title);
        Assert.Equal(256, Figure(viz, 4, 4).Strings(0, "x").Length);
    }

    // ---- the export's guards and outputs ----

    private static readonly GridParameter[] TwoByThree = [new("a", ["1", "2"]), new("b", ["x", "y", "z"])];

    private static Visualizer Viz(IReadOnlyList<GridParameter> parameters, IReadOnlyList<int> initial) =>
        new("t", "99", "title", "description", "source", parameters, initial,
            p => Charts.Line("p", "x", "y", new Series("s", [0.0, 1.0], [p[0], p[^1]], SeriesStyle.Lines)));

    [Fact]
    public void Grid_points_guard_names_the_parameters_and_the_empty_one()
    {
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => VisualizerExport.GridPoints(null!)).ParamName);
        var none = Assert.Throws<ArgumentException>(() => VisualizerExport.GridPoints([]));
        Assert.Equal("parameters", none.ParamName);
        Assert.StartsWith("a visualizer needs at least one parameter", none.Message);
        var empty = Assert.Throws<ArgumentException>(() => VisualizerExport.GridPoints([new("a", ["1"]), new("hash", [])]));
        Assert.Equal("parameters", empty.ParamName);
        Assert.StartsWith("parameter 'hash' has no values", empty.Message);
        Assert.Equal(new[] { "0" }, VisualizerExport.GridPoints([new("a", ["1"])]).Select(p => string.Join(",", p)));
        Assert.Equal(3, VisualizerExport.GridPoints([new("a", ["1"]), new("b", ["1", "2", "3"])]).Count);
    }

    [Fact]
    public void Grid_size_is_the_product_of_the_value_counts()
    {
        Assert.Equal(6, Viz(TwoByThree, [0, 0]).GridSize);
        Assert.Equal(24, Viz([.. TwoByThree, new("c", ["p", "q", "r", "s"])], [0, 0, 0]).GridSize);
        Assert.Equal(1, Viz([new("a", ["1"])], [0]).GridSize);
    }

    [Fact]
    public void Export_guard_rejects_a_missing_visualizer_and_a_wrong_number_of_initial_indices()
    {
        Assert.Equal("viz", Assert.Throws<ArgumentNullException>(() => VisualizerExport.Export(null!)).ParamName);
        var count = Assert.Throws<ArgumentException>(() => VisualizerExport.Export(Viz(TwoByThree, [0])));
        Assert.Equal("viz", count.ParamName);
        Assert.StartsWith("one initial index per parameter", count.Message);
        Assert.Equal("viz", Assert.Throws<ArgumentException>(() => VisualizerExport.Export(Viz(TwoByThree, [0, 0, 0]))).ParamName);
    }

    [Fact]
    public void Export_guard_names_the_parameter_whose_initial_index_is_outside_its_values()
    {
        var high = Assert.Throws<ArgumentOutOfRangeException>(() => VisualizerExport.Export(Viz(TwoByThree, [0, 3])));
        Assert.Equal("viz", high.ParamName);
        Assert.Equal(3, high.ActualValue);
        Assert.StartsWith("the initial index of parameter 'b' must be between 0 and 2 (inclusive); got 3.", high.Message);
        var low = Assert.Throws<ArgumentOutOfRangeException>(() => VisualizerExport.Export(Viz(TwoByThree, [-1, 0])));
        Assert.Equal("viz", low.ParamName);
        Assert.StartsWith("the initial index of parameter 'a' must be between 0 and 1 (inclusive); got -1.", low.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => VisualizerExport.Export(Viz(TwoByThree, [2, 0])));
        // Both ends of each range are valid.
        Assert.Equal(new[] { 1, 2 }, VisualizerExport.Export(Viz(TwoByThree, [1, 2]))["initial"]!.AsArray().Select(i => i!.GetValue<int>()));
        Assert.Equal(new[] { 0, 0 }, VisualizerExport.Export(Viz(TwoByThree, [0, 0]))["initial"]!.AsArray().Select(i => i!.GetValue<int>()));
    }

    [Fact]
    public void Export_carries_the_texts_the_parameters_and_every_frame_in_grid_order()
    {
        var viz = new Visualizer("an-id", "42", "a title", "a description", "a source", TwoByThree, [1, 0],
            p => Charts.Line($"point {p[0]}{p[1]}", "x", "y", new Series("s", [0.0], [p[0] * 10 + p[1]], SeriesStyle.Lines)));
        var json = VisualizerExport.Export(viz);
        Assert.Equal("an-id", json["id"]!.GetValue<string>());
        Assert.Equal("42", json["notebook"]!.GetValue<string>());
        Assert.Equal("a title", json["title"]!.GetValue<string>());
        Assert.Equal("a description", json["description"]!.GetValue<string>());
        Assert.Equal("a source", json["source"]!.GetValue<string>());
        Assert.Equal("""[{"name":"a","values":["1","2"]},{"name":"b","values":["x","y","z"]}]""", json["parameters"]!.ToJsonString());
        Assert.Equal("[1,0]", json["initial"]!.ToJsonString());
        var frames = json["frames"]!.AsArray();
        Assert.Equal(new[] { "a = 1, b = x", "a = 1, b = y", "a = 1, b = z", "a = 2, b = x", "a = 2, b = y", "a = 2, b = z" },
            frames.Select(f => f!["name"]!.GetValue<string>()));
        Assert.Equal(new[] { "[0,0]", "[0,1]", "[0,2]", "[1,0]", "[1,1]", "[1,2]" }, frames.Select(f => f!["index"]!.ToJsonString()));
        Assert.Equal(new[] { 0.0, 1, 2, 10, 11, 12 }, frames.Select(f => f!["figure"]!["data"]![0]!["y"]![0]!.GetValue<double>()));
        Assert.Equal("point 12", frames[5]!["figure"]!["layout"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal(new[] { "data", "layout" }, frames[0]!["figure"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Figure_json_is_data_and_layout_without_plotlys_template()
    {
        Assert.Equal("chart", Assert.Throws<ArgumentNullException>(() => VisualizerExport.FigureJson(null!)).ParamName);
        var chart = Charts.Line("t", "x", "y", new Series("s", [1.0, 2.0], [3.0, 4.0], SeriesStyle.Markers));
        var json = VisualizerExport.FigureJson(chart);
        Assert.Equal(new[] { "data", "layout" }, json.Select(p => p.Key));
        Assert.Equal("""[{"type":"scatter","name":"s","mode":"markers","x":[1.0,2.0],"y":[3.0,4.0],"marker":{},"line":{}}]""",
            json["data"]!.ToJsonString());
        Assert.Null(json["layout"]!["template"]);
        Assert.Equal("t", json["layout"]!["title"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void WriteAll_writes_each_export_compactly_and_reports_its_grid_and_size()
    {
        Assert.Equal("directory", Assert.Throws<ArgumentNullException>(() => VisualizerExport.WriteAll(null!, [])).ParamName);
        Assert.Equal("visualizers", Assert.Throws<ArgumentNullException>(() => VisualizerExport.WriteAll("x", null!)).ParamName);
        string dir = Path.Combine(Path.GetTempPath(), "sdn-viz-" + Guid.NewGuid().ToString("N"), "nested");
        try
        {
            var one = new Visualizer("one", "98", "t", "d", "s", [new GridParameter("a", ["1", "2"])], [0],
                p => Charts.Line("p", "x", "y", new Series("s", [0.0], [p[0]], SeriesStyle.Lines)));
            var two = Viz(TwoByThree, [0, 0]);
            var written = VisualizerExport.WriteAll(dir, [one, two]);
            Assert.Equal(new[] { "one", "t" }, written.Select(w => w.Id));
            Assert.Equal(new[] { 2, 6 }, written.Select(w => w.Grid));
            foreach (var (id, _, bytes) in written)
            {
                string path = Path.Combine(dir, id + ".json");
                Assert.Equal(new FileInfo(path).Length, bytes);
                string text = File.ReadAllText(path);
                Assert.DoesNotContain("\n", text); // not indented: the site downloads it
                Assert.Equal(VisualizerExport.Export(id == "one" ? one : two).ToJsonString(), text);
            }
        }
        finally
        {
            var root = Path.GetDirectoryName(dir)!;
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }
}
