using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Plotly.NET;
using SystemDesign.Notebook;

namespace SystemDesign.Tests.Notebook;

/// <summary>What the chart helpers put in the figure (trace kinds, axes, sizes) and what NotebookHost emits.</summary>
public sealed class ChartContentTests
{
    private static JsonObject Json(GenericChart chart)
    {
        GenericChart.getLayout(chart).RemoveProperty("template");
        return JsonNode.Parse(GenericChart.toJson(chart))!.AsObject();
    }

    private static string S(JsonNode? n) => n!.GetValue<string>();

    [Fact]
    public void Line_draws_each_style_and_titles_linear_axes_without_zero_lines()
    {
        var j = Json(Charts.Line("T", "X", "Y", new Series("l", [1.0], [2.0], SeriesStyle.Lines),
            new Series("lm", [1.0], [2.0]), Series.Markers("m", [1.0], [2.0]), Series.Theory("t", [1.0, 2.0], x => x * 3)));
        var data = j["data"]!.AsArray();
        Assert.Equal(new[] { "lines", "lines+markers", "markers", "lines" }, data.Select(t => S(t!["mode"])));
        Assert.Equal("dash", S(data[3]!["line"]!["dash"]));
        Assert.Null(data[0]!["line"]?["dash"]);
        Assert.Equal("[3.0,6.0]", data[3]!["y"]!.ToJsonString());
        var layout = j["layout"]!;
        Assert.Equal("T", S(layout["title"]!["text"]));
        Assert.Equal("X", S(layout["xaxis"]!["title"]!["text"]));
        Assert.Equal("Y", S(layout["yaxis"]!["title"]!["text"]));
        Assert.Equal("linear", S(layout["xaxis"]!["type"]));
        Assert.Equal("linear", S(layout["yaxis"]!["type"]));
        Assert.False(layout["xaxis"]!["zeroline"]!.GetValue<bool>());
        Assert.Equal(Charts.Width, layout["width"]!.GetValue<int>());
        Assert.Equal(Charts.Height, layout["height"]!.GetValue<int>());
    }

    [Fact]
    public void Line_can_use_log_axes_one_at_a_time()
    {
        var x = Json(Charts.Line("T", "X", "Y", logX: true, logY: false, new Series("s", [1.0], [1.0])))["layout"]!;
        Assert.Equal("log", S(x["xaxis"]!["type"]));
        Assert.Equal("linear", S(x["yaxis"]!["type"]));
        var y = Json(Charts.Line("T", "X", "Y", logX: false, logY: true, new Series("s", [1.0], [1.0])))["layout"]!;
        Assert.Equal("linear", S(y["xaxis"]!["type"]));
        Assert.Equal("log", S(y["yaxis"]!["type"]));
    }

    [Fact]
    public void Bar_draws_one_column_trace_per_series_over_the_categories()
    {
        var j = Json(Charts.Bar("T", "X", "Y", ["a", "b"], new BarSeries("one", [1.0, 2.0]), new BarSeries("two", [3.0, 4.0])));
        var data = j["data"]!.AsArray();
        Assert.Equal(new[] { "bar", "bar" }, data.Select(t => S(t!["type"])));
        Assert.Equal(new[] { "one", "two" }, data.Select(t => S(t!["name"])));
        Assert.Equal("""["a","b"]""", data[0]!["x"]!.ToJsonString());
        Assert.Equal("[3.0,4.0]", data[1]!["y"]!.ToJsonString());
        Assert.Equal("Y", S(j["layout"]!["yaxis"]!["title"]!["text"]));
        var e = Assert.Throws<ArgumentException>(() => Charts.Bar("t", "x", "y", ["a"], new BarSeries("b", [1.0, 2])));
        Assert.StartsWith("series 'b' has 2 values for 1 categories", e.Message);
        Assert.StartsWith("at least one series is needed", Assert.Throws<ArgumentException>(() => Charts.Bar("t", "x", "y", ["a"])).Message);
    }

    [Fact]
    public void Histogram_overlays_translucent_series_and_draws_one_opaque()
    {
        var one = Json(Charts.Histogram("T", "X", 7, ("h", new double[] { 1, 2 })));
        Assert.Equal(1.0, one["data"]![0]!["opacity"]!.GetValue<double>());
        Assert.Equal(7, one["data"]![0]!["nbinsx"]!.GetValue<int>());
        Assert.Null(one["layout"]!["barmode"]);
        Assert.Equal("count", S(one["layout"]!["yaxis"]!["title"]!["text"]));
        var two = Json(Charts.Histogram("T", "X", 5, ("a", new double[] { 1 }), ("b", new double[] { 2 })));
        Assert.Equal(new[] { 0.6, 0.6 }, two["data"]!.AsArray().Select(t => t!["opacity"]!.GetValue<double>()));
        Assert.Equal("overlay", S(two["layout"]!["barmode"]));
        Assert.Equal(1, Json(Charts.Histogram("T", "X", 1, ("h", new double[] { 1 })))["data"]![0]!["nbinsx"]!.GetValue<int>());
        Assert.Equal(1000, Json(Charts.Histogram("T", "X", 1000, ("h", new double[] { 1 })))["data"]![0]!["nbinsx"]!.GetValue<int>());
    }

    [Fact]
    public void Heatmap_needs_every_row_to_have_a_value_per_column()
    {
        var j = Json(Charts.Heatmap("T", "X", "Y", ["c1", "c2"], ["r1", "r2"], [[1.0, 2], [3.0, 4]]));
        Assert.Equal("heatmap", S(j["data"]![0]!["type"]));
        Assert.Equal("[[1.0,2.0],[3.0,4.0]]", j["data"]![0]!["z"]!.ToJsonString());
        Assert.Equal("""["r1","r2"]""", j["data"]![0]!["y"]!.ToJsonString());
        var e = Assert.Throws<ArgumentException>(() => Charts.Heatmap("t", "x", "y", ["c1", "c2"], ["r1", "r2"], [[1.0, 2], [3.0]]));
        Assert.Equal("z", e.ParamName);
        Assert.StartsWith("z must have one row per row label and one value per column label", e.Message);
    }

    [Fact]
    public void Grid_fits_up_to_rows_times_columns_charts_under_one_title()
    {
        var c = Charts.Line("t", "x", "y", new Series("s", [1.0], [1.0]));
        var j = Json(Charts.Grid("Both", 2, 2, c, c, c, c));
        Assert.Equal("Both", S(j["layout"]!["title"]!["text"]));
        Assert.Equal(Charts.Height * 2, j["layout"]!["height"]!.GetValue<int>());
        Assert.Equal(Charts.Width, j["layout"]!["width"]!.GetValue<int>());
        Assert.Equal(4, j["data"]!.AsArray().Count);
        var e = Assert.Throws<ArgumentException>(() => Charts.Grid("t", 1, 2, c, c, c));
        Assert.StartsWith("between 1 and 2 charts fit a 1×2 grid", e.Message);
        Assert.StartsWith("at least one series is needed", Assert.Throws<ArgumentException>(() => Charts.Line("t", "x", "y")).Message);
        Assert.StartsWith("series 's' has 1 x values and 2 y values",
            Assert.Throws<ArgumentException>(() => Charts.Line("t", "x", "y", new Series("s", [1.0], [1.0, 2]))).Message);
    }

    [Fact]
    public void WithLayoutValue_sets_one_property_and_keeps_the_rest()
    {
        var c = Charts.WithLayoutValue(Charts.Line("T", "x", "y", new Series("s", [1.0], [1.0])), "hovermode", "x");
        var layout = Json(c)["layout"]!;
        Assert.Equal("x", S(layout["hovermode"]));
        Assert.Equal("T", S(layout["title"]!["text"]));
    }
}

[Collection("Console")]
public sealed class NotebookHostTests
{
    [Fact]
    public void Portable_rid_is_the_os_family_and_architecture()
    {
        string os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : "win";
        Assert.Equal($"{os}-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}", NotebookHost.PortableRid());
        if (OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64)
            Assert.Equal("linux-x64", NotebookHost.PortableRid());
    }

    [Fact]
    public void Resolvers_hand_over_a_loaded_assembly_at_another_version_and_load_native_libraries_from_runtimes()
    {
        NotebookHost.InstallResolvers(Path.GetDirectoryName(typeof(NotebookHost).Assembly.Location)!);
        // Without the handler the default context refuses a version above the loaded one.
        var name = new System.Reflection.AssemblyName("SystemDesign.Shared") { Version = new Version(99, 0, 0, 0) };
        Assert.Same(typeof(NotebookHost).Assembly, System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyName(name));
        Assert.Throws<FileNotFoundException>(() =>
            System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyName(new System.Reflection.AssemblyName("NoSuchSdnAssembly")));

        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64) return;
        string folder = Path.GetDirectoryName(typeof(NotebookHost).Assembly.Location)!;
        string sqlite = Path.Combine(folder, "runtimes", "linux-x64", "native", "libe_sqlite3.so");
        if (!File.Exists(sqlite)) return;
        string native = Path.Combine(folder, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
        Directory.CreateDirectory(native);
        string tag = Guid.NewGuid().ToString("N")[..8];
        // Each name the handler tries: the bare name, lib….so, lib….dylib, ….dll (dlopen does not mind the suffix).
        string[] files = [$"sdnraw{tag}", $"libsdnso{tag}.so", $"libsdndy{tag}.dylib", $"sdndll{tag}.dll"];
        string[] names = [$"sdnraw{tag}", $"sdnso{tag}", $"sdndy{tag}", $"sdndll{tag}"];
        try
        {
            foreach (var f in files) File.Copy(sqlite, Path.Combine(native, f));
            foreach (var n in names)
                Assert.NotEqual(IntPtr.Zero, NativeLibrary.Load(n, typeof(NotebookHost).Assembly, null));
            Assert.Throws<DllNotFoundException>(() => NativeLibrary.Load($"sdnnone{tag}", typeof(NotebookHost).Assembly, null));
        }
        finally
        {
            foreach (var f in files) File.Delete(Path.Combine(native, f));
        }
    }

    [Fact]
    public void Init_needs_a_root_and_finds_plotly_js_under_node_modules()
    {
        Assert.Equal("repositoryRoot", Assert.Throws<ArgumentException>(() => NotebookHost.Init("")).ParamName);
        Assert.Equal("libraryFolder", Assert.Throws<ArgumentException>(() => NotebookHost.InstallResolvers("")).ParamName);
        string root = Path.Combine(Path.GetTempPath(), "sdn-host-" + Guid.NewGuid().ToString("N"));
        string js = Path.Combine(root, "node_modules", "plotly.js-dist-min", "plotly.min.js");
        try
        {
            Directory.CreateDirectory(root);
            NotebookHost.Init(root);
            Assert.Equal(root, NotebookHost.RepositoryRoot);
            Assert.Null(NotebookHost.LocalPlotlyJs);
            var chart = Charts.Line("t", "x", "y", new Series("s", [1.0], [2.0]));
            string cdn = NotebookHost.ChartHtml(chart);
            Assert.StartsWith("<div id=\"sdn-", cdn);
            Assert.Contains($"s.src = 'https://cdn.plot.ly/plotly-{NotebookHost.PlotlyJsVersion}.min.js';", cdn);
            Assert.Contains("\"paper_bgcolor\":\"white\"", cdn); // the notebooks' template
            Assert.DoesNotContain("\"template\":{", cdn.Split("fig.layout.template")[0]); // Plotly.NET's is dropped

            Directory.CreateDirectory(Path.GetDirectoryName(js)!);
            File.WriteAllText(js, "/*plotly stub*/");
            NotebookHost.Init(root);
            Assert.Equal(js, NotebookHost.LocalPlotlyJs);
            string first = NotebookHost.ChartHtml(chart);
            Assert.StartsWith("<script type=\"text/javascript\">(function(define, module, exports){\n/*plotly stub*/\n}).call(window);</script>\n<div id=\"sdn-", first);
            string second = NotebookHost.ChartHtml(chart);
            Assert.StartsWith("<div id=\"sdn-", second); // embedded once
            Assert.NotEqual(first.Split("<div id=\"")[1][..16], second.Split("<div id=\"")[1][..16]); // ids differ
            NotebookHost.Init(root); // re-running the setup cell embeds it again
            Assert.Contains("/*plotly stub*/", NotebookHost.ChartHtml(chart));
            // The formatters registered by Init render charts and tables as this HTML.
            string html = Microsoft.DotNet.Interactive.Formatting.Formatter.ToDisplayString(chart, "text/html");
            Assert.Contains("class=\"sdn-chart\"", html);
            var frame = Tables.From(new[] { new { A = 1 } });
            Assert.StartsWith("<table class=\"sdn-table\"", Microsoft.DotNet.Interactive.Formatting.Formatter.ToDisplayString(frame, "text/html"));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
            NotebookHost.Init(root); // leave no local plotly.js behind for other tests
        }
    }
}

public sealed class TableCellTests
{
    private sealed record Nulls(long? L, float? F, double? D, bool? B);

    private sealed class WithIndexer
    {
        public int A { get; init; }
        public int this[int i] => i;
    }

    [Fact]
    public void Nullable_columns_keep_their_nulls_and_indexers_are_not_columns()
    {
        var frame = Tables.From(new[] { new Nulls(null, null, null, null), new Nulls(5, 0.5f, 2, true) });
        Assert.Null(frame.Columns["L"][0]);
        Assert.Null(frame.Columns["F"][0]);
        Assert.Equal(0.5, frame.Columns["F"][1]);
        Assert.Equal(5L, frame.Columns["L"][1]);
        Assert.Equal(new[] { "A" }, Tables.From(new[] { new WithIndexer { A = 3 } }).Columns.Select(c => c.Name));
        var e = Assert.Throws<ArgumentException>(() => Tables.From(new[] { new object() }));
        Assert.StartsWith("Object has no public properties to turn into columns.", e.Message);
    }

    [Fact]
    public void Doubles_switch_to_four_significant_digits_from_a_million_and_below_a_thousandth()
    {
        string html = Tables.ToHtml(Tables.From(new[] { new { D = 1e6 }, new { D = 999_999.5 }, new { D = -2e6 }, new { D = 0.001 }, new { D = -0.0005 }, new { D = -123.45678 } }));
        Assert.Contains(">1E+06</td>", html);
        Assert.Contains(">999999.5</td>", html);
        Assert.Contains(">-2E+06</td>", html);
        Assert.Contains(">0.001</td>", html);
        Assert.Contains(">-0.0005</td>", html);
        Assert.Contains(">-123.4568</td>", html); // the magnitude decides: not G4's "-123.5"
    }
}
