using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.Data.Analysis;

namespace SystemDesign.Notebook;

/// <summary>DataFrame helpers: build a table from records, and render it as HTML for every notebook host.</summary>
public static class Tables
{
    /// <summary>Rows shown by the HTML view; the DataFrame itself keeps them all.</summary>
    public const int MaxHtmlRows = 60;

    /// <summary>
    /// A DataFrame with one column per public property of <typeparamref name="T"/> (records work best),
    /// in declaration order. Numbers become numeric columns, everything else strings.
    /// </summary>
    public static DataFrame From<T>(IEnumerable<T> rows)
    {
        Guard.NotNull(rows);
        var list = rows.ToList();
        var props = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        Guard.That(props.Length > 0, $"{typeof(T).Name} has no public properties to turn into columns.", nameof(rows));
        var columns = props.Select(p => Column(p.Name, p.PropertyType, list.Select(r => p.GetValue(r)))).ToList();
        return new DataFrame(columns);
    }

    private static DataFrameColumn Column(string name, Type type, IEnumerable<object?> values)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int)) return new Int32DataFrameColumn(name, values.Select(v => (int?)v));
        if (t == typeof(long)) return new Int64DataFrameColumn(name, values.Select(v => (long?)v));
        if (t == typeof(double)) return new DoubleDataFrameColumn(name, values.Select(v => (double?)v));
        if (t == typeof(float)) return new DoubleDataFrameColumn(name, values.Select(v => v is null ? (double?)null : (float)v));
        if (t == typeof(bool)) return new BooleanDataFrameColumn(name, values.Select(v => (bool?)v));
        return new StringDataFrameColumn(name, values.Select(v => v?.ToString()));
    }

    /// <summary>An HTML table of the first <see cref="MaxHtmlRows"/> rows.</summary>
    public static string ToHtml(DataFrame frame)
    {
        Guard.NotNull(frame);
        var sb = new StringBuilder();
        sb.Append("<table class=\"sdn-table\" style=\"border-collapse:collapse;font-family:monospace;font-size:12px\"><thead><tr>");
        foreach (var c in frame.Columns)
            sb.Append("<th style=\"border-bottom:1px solid #888;padding:2px 8px;text-align:right\">").Append(WebUtility.HtmlEncode(c.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        long shown = Math.Min(frame.Rows.Count, MaxHtmlRows);
        for (long r = 0; r < shown; r++)
        {
            sb.Append("<tr>");
            foreach (var c in frame.Columns)
                sb.Append("<td style=\"padding:2px 8px;text-align:right\">").Append(WebUtility.HtmlEncode(FormatCell(c[r]))).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (frame.Rows.Count > shown)
            sb.Append($"<div style=\"font-size:11px;color:#666\">{shown} of {frame.Rows.Count} rows shown</div>");
        return sb.ToString();
    }

    private static string FormatCell(object? v) => v switch
    {
        null => "",
        double d => d.ToString(Math.Abs(d) >= 1e6 || (Math.Abs(d) < 1e-3 && d != 0) ? "G4" : "0.####", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
