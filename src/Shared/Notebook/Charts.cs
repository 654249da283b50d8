using Plotly.NET;
using Plotly.NET.LayoutObjects;
using Plotly.NET.CSharp;
using CS = Plotly.NET.CSharp;

namespace SystemDesign.Notebook;

/// <summary>How a series is drawn.</summary>
public enum SeriesStyle
{
    Lines,
    LinesAndMarkers,
    Markers,
    /// <summary>A dashed line without markers: for theory curves and bounds drawn beside measurements.</summary>
    Theory,
}

/// <summary>One named (x, y) series.</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, SeriesStyle Style = SeriesStyle.LinesAndMarkers)
{
    public static Series Theory(string name, IReadOnlyList<double> x, IReadOnlyList<double> y) => new(name, x, y, SeriesStyle.Theory);
    public static Series Markers(string name, IReadOnlyList<double> x, IReadOnlyList<double> y) => new(name, x, y, SeriesStyle.Markers);

    /// <summary>Samples f at the given xs: the usual way to draw a formula beside measurements.</summary>
    public static Series Theory(string name, IReadOnlyList<double> x, Func<double, double> f) => new(name, x, x.Select(f).ToArray(), SeriesStyle.Theory);
}

/// <summary>One named series of bar heights over shared categories.</summary>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values);

/// <summary>
/// Thin wrappers over Plotly.NET for the chart kinds the notebooks use, with one look: a title, axis
/// titles that carry units, a legend when there is more than one series. Anything else: build a chart
/// with Plotly.NET directly and pass it through <see cref="Style"/>.
/// </summary>
public static class Charts
{
    public const int Width = 760;
    public const int Height = 420;

    public static GenericChart Line(string title, string xTitle, string yTitle, params Series[] series)
        => Line(title, xTitle, yTitle, logX: false, logY: false, series);

    public static GenericChart Line(string title, string xTitle, string yTitle, bool logX, bool logY, params Series[] series)
    {
        Guard.That(series.Length > 0, "at least one series is needed", nameof(series));
        var traces = series.Select(Trace).ToArray();
        return Style(CS.Chart.Combine(traces), title, xTitle, yTitle, logX, logY);
    }

    public static GenericChart Bar(string title, string xTitle, string yTitle, IReadOnlyList<string> categories, params BarSeries[] series)
    {
        Guard.NotNull(categories);
        Guard.That(series.Length > 0, "at least one series is needed", nameof(series));
        foreach (var s in series)
            Guard.That(s.Values.Count == categories.Count, $"series '{s.Name}' has {s.Values.Count} values for {categories.Count} categories", nameof(series));
        var traces = series.Select(s => CS.Chart.Column<double, string, string>(values: s.Values, Keys: new CS.Optional<IEnumerable<string>>(categories, true), Name: s.Name)).ToArray();
        return Style(CS.Chart.Combine(traces), title, xTitle, yTitle);
    }

    public static GenericChart Histogram(string title, string xTitle, int bins, params (string Name, IReadOnlyList<double> Values)[] series)
    {
        Guard.InRange(bins, 1, 1000);
        Guard.That(series.Length > 0, "at least one series is needed", nameof(series));
        var traces = series.Select(s => CS.Chart.Histogram<double, double, string>(X: new CS.Optional<IEnumerable<double>>(s.Values, true), Name: s.Name, NBinsX: bins, Opacity: series.Length > 1 ? 0.6 : 1.0)).ToArray();
        var chart = Style(CS.Chart.Combine(traces), title, xTitle, "count");
        return series.Length > 1 ? WithLayoutValue(chart, "barmode", "overlay") : chart;
    }

    /// <summary>A heat map of z[row][column] with labelled axes.</summary>
    public static GenericChart Heatmap(string title, string xTitle, string yTitle, IReadOnlyList<string> columns, IReadOnlyList<string> rows, double[][] z)
    {
        Guard.That(z.Length == rows.Count && z.All(r => r.Length == columns.Count), "z must have one row per row label and one value per column label", nameof(z));
        var chart = CS.Chart.Heatmap<double, string, string, string>(zData: z, X: new CS.Optional<IEnumerable<string>>(columns, true), Y: new CS.Optional<IEnumerable<string>>(rows, true));
        return Style(chart, title, xTitle, yTitle);
    }

    /// <summary>Charts side by side (or in a grid) under one title.</summary>
    public static GenericChart Grid(string title, int rows, int columns, params GenericChart[] charts)
    {
        Guard.Positive(rows);
        Guard.Positive(columns);
        Guard.That(charts.Length > 0 && charts.Length <= rows * columns, $"between 1 and {rows * columns} charts fit a {rows}×{columns} grid", nameof(charts));
        var grid = CS.Chart.Grid(charts, rows, columns);
        return WithLayoutValue(grid, "title", new Dictionary<string, object> { ["text"] = title }).WithSize(Width, Height * rows);
    }

    /// <summary>The common look: title, axis titles, size, optional log axes.</summary>
    public static GenericChart Style(GenericChart chart, string title, string xTitle, string yTitle, bool logX = false, bool logY = false)
    {
        Guard.NotNull(chart);
        chart = WithLayoutValue(chart, "title", new Dictionary<string, object> { ["text"] = title });
        chart = WithLayoutValue(chart, "xaxis", Axis(xTitle, logX));
        chart = WithLayoutValue(chart, "yaxis", Axis(yTitle, logY));
        return chart.WithSize(Width, Height);
    }

    private static Dictionary<string, object> Axis(string title, bool log) => new()
    {
        ["title"] = new Dictionary<string, object> { ["text"] = title },
        ["type"] = log ? "log" : "linear",
        ["zeroline"] = false,
    };

    /// <summary>Sets one top-level layout property (plotly.js's name), keeping the rest of the layout.</summary>
    public static GenericChart WithLayoutValue(GenericChart chart, string property, object value)
    {
        Guard.NotNull(chart);
        Guard.NotEmpty(property);
        var layout = new Layout();
        layout.SetProperty(property, value);
        return GenericChart.addLayout(layout, chart);
    }

    private static GenericChart Trace(Series s)
    {
        Guard.That(s.X.Count == s.Y.Count, $"series '{s.Name}' has {s.X.Count} x values and {s.Y.Count} y values", nameof(s));
        return s.Style switch
        {
            SeriesStyle.Markers => CS.Chart.Point<double, double, string>(x: s.X, y: s.Y, Name: s.Name),
            SeriesStyle.Lines => CS.Chart.Line<double, double, string>(x: s.X, y: s.Y, Name: s.Name),
            SeriesStyle.Theory => CS.Chart.Line<double, double, string>(x: s.X, y: s.Y, Name: s.Name, LineDash: StyleParam.DrawingStyle.Dash),
            _ => CS.Chart.Line<double, double, string>(x: s.X, y: s.Y, Name: s.Name, ShowMarkers: true),
        };
    }
}
