using Microsoft.Data.Analysis;
using SystemDesign.Notebook;

namespace SystemDesign.Tests.Notebook;

/// <summary>
/// The exact lines the checks print (the notebooks' readers see them) and the boundaries where a claim turns from
/// holding to failing: each boundary test keeps a mutated comparison (≤ into &lt;, ≥ into &gt;) from passing.
/// </summary>
[Collection("Console")]
public sealed class CheckLineTests
{
    private static readonly string NL = Environment.NewLine;

    private static string Capture(Action action)
    {
        var writer = new StringWriter();
        Check.Out = writer;
        try { action(); } finally { Check.Out = null; }
        return writer.ToString();
    }

    [Fact]
    public void Near_holds_at_exactly_the_tolerance_and_returns_the_measurement()
    {
        double r = 0;
        Assert.Equal("✓ x: 3 (expected 2 ± 1)" + NL, Capture(() => r = Check.Near("x", 3, 2, 1)));
        Assert.Equal(3, r);
        Assert.Equal("✓ x: 1 (expected 2 ± 1)" + NL, Capture(() => Check.Near("x", 1, 2, 1)));
        Assert.Equal("✗ x: 3.5 (expected 2 ± 1)", Assert.Throws<ClaimFailedException>(() => Check.Near("x", 3.5, 2, 1)).Message);
        Assert.Equal("tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => Check.Near("x", 1, 1, -1)).ParamName);
    }

    [Fact]
    public void WithinSigma_prints_k_and_sigma()
    {
        double r = 0;
        Assert.Equal("✓ x: 9 (expected 5 ± 4σ, σ = 1)" + NL, Capture(() => r = Check.WithinSigma("x", 9, 5, 1)));
        Assert.Equal(9, r);
        Assert.Equal("✓ x: 1 (expected 5 ± 4σ, σ = 1)" + NL, Capture(() => Check.WithinSigma("x", 1, 5, 1)));
        Assert.Equal("✓ x: 6 (expected p = 5 ± 2.5σ, σ = 0.5)" + NL,
            Capture(() => Check.WithinSigma("x", 6, 5, 0.5, k: 2.5, expectedLabel: "p")));
        Assert.Throws<ClaimFailedException>(() => Check.WithinSigma("x", 6.26, 5, 0.5, k: 2.5));
        Assert.Equal("sigma", Assert.Throws<ArgumentOutOfRangeException>(() => Check.WithinSigma("x", 1, 1, -1)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => Check.WithinSigma("x", 1, 1, 1, k: 0)).ParamName);
    }

    [Fact]
    public void Relative_is_a_ratio_and_an_expected_zero_needs_a_zero()
    {
        double r = 0;
        Assert.Equal("✓ x: 1.05 (expected 1 ± 10%)" + NL, Capture(() => r = Check.Relative("x", 1.05, 1.0, 0.1)));
        Assert.Equal(1.05, r);
        Assert.Equal("✓ x: 0.5 (expected h = 1 ± 50%)" + NL, Capture(() => Check.Relative("x", 0.5, 1.0, 0.5, expectedLabel: "h")));
        Assert.Equal("✓ x: 150 (expected 100 ± 50%)" + NL, Capture(() => Check.Relative("x", 150, 100, 0.5)));
        Assert.Throws<ClaimFailedException>(() => Check.Relative("x", 151, 100, 0.5));
        Assert.Throws<ClaimFailedException>(() => Check.Relative("x", 49, 100, 0.5));
        Assert.Equal("✓ x: 0 (expected 0 ± 1%)" + NL, Capture(() => Check.Relative("x", 0, 0, 0.01)));
        Assert.Throws<ClaimFailedException>(() => Check.Relative("x", 1e-12, 0, 0.01));
        Assert.Equal("relativeTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => Check.Relative("x", 1, 1, -0.1)).ParamName);
    }

    [Fact]
    public void Bounds_include_their_limits_and_print_their_labels()
    {
        double r = 0;
        Assert.Equal("✓ x: 1 (expected ≤ 1)" + NL, Capture(() => r = Check.AtMost("x", 1, 1)));
        Assert.Equal(1, r);
        Assert.Equal("✓ x: 1 (expected ≤ bound = 2)" + NL, Capture(() => Check.AtMost("x", 1, 2, boundLabel: "bound")));
        Assert.Equal("✓ x: 2 (expected ≥ 2)" + NL, Capture(() => r = Check.AtLeast("x", 2, 2)));
        Assert.Equal(2, r);
        Assert.Equal("✓ x: 3 (expected ≥ b = 2)" + NL, Capture(() => Check.AtLeast("x", 3, 2, boundLabel: "b")));
        Assert.Equal("✓ x: 1 (expected between 1 and 2)" + NL, Capture(() => r = Check.Between("x", 1, 1, 2)));
        Assert.Equal(1, r);
        Assert.Equal("✓ x: 2 (expected between 1 and 2)" + NL, Capture(() => Check.Between("x", 2, 1, 2)));
        Assert.Equal("✗ x: 0.5 (expected between 1 and 2)", Assert.Throws<ClaimFailedException>(() => Check.Between("x", 0.5, 1, 2)).Message);
        Assert.Equal("✗ x: 2 (expected ≤ 1)", Assert.Throws<ClaimFailedException>(() => Check.AtMost("x", 2, 1)).Message);
        Assert.Equal("✗ x: 1 (expected ≥ 2)", Assert.Throws<ClaimFailedException>(() => Check.AtLeast("x", 1, 2)).Message);
    }

    [Fact]
    public void Less_is_strict_and_names_both_sides()
    {
        Assert.Equal("✓ faster: lock 1 < queue 2" + NL, Capture(() => Check.Less("faster", 1, 2, smallerLabel: "lock", largerLabel: "queue")));
        Assert.Equal("✓ x: left 1 < right 2" + NL, Capture(() => Check.Less("x", 1, 2)));
        Assert.Equal("✗ x: left 2 < right 2", Assert.Throws<ClaimFailedException>(() => Check.Less("x", 2, 2)).Message);
    }

    [Fact]
    public void Equal_shows_numbers_lists_nulls_and_text()
    {
        int r = 0;
        Assert.Equal("✓ x: 1.5 (expected 1.5)" + NL, Capture(() => Check.Equal("x", 1.5, 1.5)));
        Assert.Equal("✓ x: 3 (expected 3)" + NL, Capture(() => r = Check.Equal("x", 3, 3)));
        Assert.Equal(3, r);
        var list = new List<int> { 1, 2 };
        Assert.Equal("✓ x: [1, 2] (expected [1, 2])" + NL, Capture(() => Check.Equal("x", list, list)));
        Assert.Equal("✓ x: null (expected null)" + NL, Capture(() => Check.Equal<string?>("x", null, null)));
        Assert.Equal("✓ x: ab (expected ab)" + NL, Capture(() => Check.Equal("x", "ab", "ab")));
        Assert.Equal("✓ x: True (expected True)" + NL, Capture(() => Check.Equal("x", true, true)));
        Assert.Equal("✗ x: 1 (expected 2)", Assert.Throws<ClaimFailedException>(() => Check.Equal("x", 1, 2)).Message);
    }

    [Fact]
    public void That_and_Throws_print_their_evidence()
    {
        Assert.Equal("✓ x (seen)" + NL, Capture(() => Check.That("x", true, "seen")));
        Assert.Equal("✗ x (seen)", Assert.Throws<ClaimFailedException>(() => Check.That("x", false, "seen")).Message);
        ArgumentException? e = null;
        Assert.Equal("✓ rejects (ArgumentException: bad)" + NL,
            Capture(() => e = Check.Throws<ArgumentException>("rejects", () => throw new ArgumentException(" bad \nsecond line"))));
        Assert.Equal(" bad \nsecond line", e!.Message);
        Assert.Equal("✗ x (nothing was thrown; expected ArgumentException)",
            Assert.Throws<ClaimFailedException>(() => Check.Throws<ArgumentException>("x", () => { })).Message);
        Assert.Equal("✗ x (threw InvalidOperationException instead of ArgumentException: no)",
            Assert.Throws<ClaimFailedException>(() => Check.Throws<ArgumentException>("x", () => throw new InvalidOperationException("no"))).Message);
    }

    [Fact]
    public void Formats_are_invariant_and_percent_signs_hug_their_number()
    {
        Assert.Equal("✓ x: 1,234.5 (expected 1,234.5 ± 0.0)" + NL, Capture(() => Check.Near("x", 1234.5, 1234.5, 0, "N1")));
        Assert.Equal("✓ x: 12.5% (expected 12.5% ± 0.0%)" + NL, Capture(() => Check.Near("x", 0.125, 0.125, 0, "P1")));
    }

    [Fact]
    public void Skipped_needs_a_claim_and_a_reason()
    {
        Assert.Equal("claim", Assert.Throws<ArgumentException>(() => Check.Skipped("", "why")).ParamName);
        Assert.Equal("claim", Assert.Throws<ArgumentNullException>(() => Check.Skipped(null!, "why")).ParamName);
        Assert.Equal("why", Assert.Throws<ArgumentException>(() => Check.Skipped("claim", "")).ParamName);
    }

    [Fact]
    public void Derivations_check_both_texts_and_show_formattable_values_invariantly()
    {
        Assert.Equal("what", Assert.Throws<ArgumentException>(() => Derive.Show("", 1, "x")).ParamName);
        Assert.Equal("how", Assert.Throws<ArgumentException>(() => Derive.Value("x", 1, "")).ParamName);
        double v = 0;
        Assert.Equal("= x: 0.5 (f)" + NL, Capture(() => v = Derive.Value("x", 0.5, "f")));
        Assert.Equal(0.5, v);
        int shown = 0;
        Assert.Equal("= x: 1234.5 (f)" + NL, Capture(() => Derive.Show("x", 1234.5, "f")));
        Assert.Equal("= x: null (f)" + NL, Capture(() => Derive.Show<string?>("x", null, "f")));
        Assert.Equal("= x: 7 (f)" + NL, Capture(() => shown = Derive.Show("x", 7, "f")));
        Assert.Equal(7, shown);
    }

    [Fact]
    public void Exercise_says_solved_or_unsolved_and_checks_its_arguments()
    {
        var writer = new StringWriter();
        var old = Console.Out;
        Console.SetOut(writer);
        try
        {
            Exercise.Verify("demo", () => { });
            Exercise.Verify("demo", () => throw new NotImplementedException());
        }
        finally { Console.SetOut(old); }
        Assert.Equal("✓ Exercise \"demo\" solved." + NL + "✍ Exercise \"demo\" is not solved yet: replace the " +
                     "NotImplementedException in the cell above with your answer, run it, then run this cell again." + NL,
            writer.ToString());
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Exercise.Verify("", () => { })).ParamName);
        Assert.Equal("checks", Assert.Throws<ArgumentNullException>(() => Exercise.Verify("x", null!)).ParamName);
    }
}

public sealed class StatsTests
{
    [Fact]
    public void Mean_and_population_standard_deviation()
    {
        Assert.Equal(2.5, Stats.Mean([1.0, 4.0]));
        Assert.Equal(2.0, Stats.StdDev([2.0, 4, 4, 4, 5, 5, 7, 9]), 12);
        Assert.Equal(0.0, Stats.StdDev([3.0]));
        Assert.Equal(0.0, Stats.CoefficientOfVariation([-1.0, 1.0]));
        Assert.Equal(0.4, Stats.CoefficientOfVariation([2.0, 4, 4, 4, 5, 5, 7, 9]), 12);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => Stats.Mean(Array.Empty<double>())).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => Stats.StdDev(Array.Empty<double>())).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentNullException>(() => Stats.StdDev(null!)).ParamName);
    }

    [Fact]
    public void Proportion_standard_error_is_the_binomial_one()
    {
        Assert.Equal(0.05, Stats.ProportionStdErr(0.5, 100), 12);
        Assert.Equal(Math.Sqrt(0.1 * 0.9 / 7), Stats.ProportionStdErr(0.1, 7), 12);
        Assert.Equal(0.0, Stats.ProportionStdErr(1, 1));
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => Stats.ProportionStdErr(1.01, 10)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => Stats.ProportionStdErr(-0.01, 10)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Stats.ProportionStdErr(0.5, 0)).ParamName);
    }

    [Fact]
    public void Percentile_ends_middles_and_guards()
    {
        double[] v = [40.0, 10, 30, 20];
        Assert.Equal(10.0, Stats.Percentile(v, 0));
        Assert.Equal(40.0, Stats.Percentile(v, 1));
        Assert.Equal(17.5, Stats.Percentile(v, 0.25), 12);
        Assert.Equal(37.0, Stats.Percentile(v, 0.9), 12);
        Assert.Equal(5.0, Stats.Percentile([5.0], 0.7));
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => Stats.Percentile(Array.Empty<double>(), 0.5)).ParamName);
        Assert.Equal("q", Assert.Throws<ArgumentOutOfRangeException>(() => Stats.Percentile(v, 1.5)).ParamName);
        Assert.Equal("q", Assert.Throws<ArgumentOutOfRangeException>(() => Stats.Percentile(v, -0.5)).ParamName);
    }

    [Fact]
    public void Zipf_weights_fall_as_a_power_of_rank_and_sum_to_one()
    {
        var w = Stats.ZipfWeights(3, 1);
        double h = 1 + 1 / 2.0 + 1 / 3.0;
        Assert.Equal(1 / h, w[0], 12);
        Assert.Equal(0.5 / h, w[1], 12);
        Assert.Equal(1 / 3.0 / h, w[2], 12);
        Assert.Equal(new[] { 0.25, 0.25, 0.25, 0.25 }, Stats.ZipfWeights(4, 0));
        Assert.Equal(new[] { 1.0 }, Stats.ZipfWeights(1, 10));
        Assert.Equal("ranks", Assert.Throws<ArgumentOutOfRangeException>(() => Stats.ZipfWeights(0, 1)).ParamName);
        Assert.Equal("ranks", Assert.Throws<ArgumentOutOfRangeException>(() => Stats.ZipfWeights(10_000_001, 1)).ParamName);
        Assert.Equal("exponent", Assert.Throws<ArgumentOutOfRangeException>(() => Stats.ZipfWeights(2, -0.1)).ParamName);
        Assert.Equal("exponent", Assert.Throws<ArgumentOutOfRangeException>(() => Stats.ZipfWeights(2, 10.1)).ParamName);
    }
}

public sealed class TablesTests
{
    private sealed record Row(string Name, int Count, long Big, double Share, float Half, bool Up, int? Maybe);

    private sealed class Empty;

    [Fact]
    public void Columns_follow_the_properties_with_their_types()
    {
        var frame = Tables.From(new[] { new Row("a", 1, 2, 0.5, 0.25f, true, null), new Row("b", 3, 4, 1e-4, 1.5f, false, 7) });
        Assert.Equal(new[] { "Name", "Count", "Big", "Share", "Half", "Up", "Maybe" }, frame.Columns.Select(c => c.Name));
        Assert.IsType<StringDataFrameColumn>(frame.Columns["Name"]);
        Assert.IsType<Int32DataFrameColumn>(frame.Columns["Count"]);
        Assert.IsType<Int64DataFrameColumn>(frame.Columns["Big"]);
        Assert.IsType<DoubleDataFrameColumn>(frame.Columns["Share"]);
        Assert.IsType<DoubleDataFrameColumn>(frame.Columns["Half"]);
        Assert.IsType<BooleanDataFrameColumn>(frame.Columns["Up"]);
        Assert.IsType<Int32DataFrameColumn>(frame.Columns["Maybe"]);
        Assert.Equal(2L, frame.Rows.Count);
        Assert.Equal(1.5, frame.Columns["Half"][1]);
        Assert.Null(frame.Columns["Maybe"][0]);
        Assert.Equal("rows", Assert.Throws<ArgumentNullException>(() => Tables.From<Row>(null!)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => Tables.From(new[] { new Empty() })).ParamName);
    }

    [Fact]
    public void Html_encodes_and_formats_cells_and_stops_at_the_row_limit()
    {
        string html = Tables.ToHtml(Tables.From(new[] { new Row("<a>", 1, 2_000_000, 0.5, 0.00012345f, true, null) }));
        Assert.StartsWith("<table class=\"sdn-table\"", html);
        Assert.Contains(">Name</th>", html);
        Assert.Contains(">&lt;a&gt;</td>", html);
        Assert.Contains(">0.5</td>", html);
        Assert.Contains(">0.0001234</td>", html); // G4 below 1e-3 (the float is 1.23449998e-4), not "0.0001"
        Assert.Contains(">True</td>", html);
        Assert.Contains("><td style=\"padding:2px 8px;text-align:right\"></td></tr>", html); // null Maybe: empty
        Assert.DoesNotContain("rows shown", html);
        Assert.Contains(">2000000</td>", html);
        var doubles = Tables.ToHtml(Tables.From(new[] { new { D = 2e6 }, new { D = 0.0 }, new { D = 123.45678 } }));
        Assert.Contains(">2E+06</td>", doubles);
        Assert.Contains(">0</td>", doubles);
        Assert.Contains(">123.4568</td>", doubles);
        var many = Tables.From(Enumerable.Range(0, Tables.MaxHtmlRows + 1).Select(i => new { I = i }));
        string cut = Tables.ToHtml(many);
        Assert.Contains("60 of 61 rows shown", cut);
        Assert.Contains(">59</td>", cut);
        Assert.DoesNotContain(">60</td>", cut);
        Assert.DoesNotContain("rows shown", Tables.ToHtml(Tables.From(Enumerable.Range(0, 60).Select(i => new { I = i }))));
        Assert.Equal("frame", Assert.Throws<ArgumentNullException>(() => Tables.ToHtml(null!)).ParamName);
    }
}

public sealed class ChartGuardTests
{
    private static readonly Series S = new("s", [1.0, 2], [3.0, 4]);

    [Fact]
    public void Chart_helpers_name_the_bad_argument()
    {
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => Charts.Line("t", "x", "y")).ParamName);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => Charts.Line("t", "x", "y", new Series("s", [1.0], [1.0, 2])))
            .ParamName);
        Assert.Equal("categories", Assert.Throws<ArgumentNullException>(() => Charts.Bar("t", "x", "y", null!, new BarSeries("b", [1.0])))
            .ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => Charts.Bar("t", "x", "y", ["a"])).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => Charts.Bar("t", "x", "y", ["a"], new BarSeries("b", [1.0, 2])))
            .ParamName);
        Assert.Equal("bins", Assert.Throws<ArgumentOutOfRangeException>(() => Charts.Histogram("t", "x", 0, ("h", new double[] { 1.0 }))).ParamName);
        Assert.Equal("bins", Assert.Throws<ArgumentOutOfRangeException>(() => Charts.Histogram("t", "x", 1001, ("h", new double[] { 1.0 }))).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => Charts.Histogram("t", "x", 10)).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Charts.Heatmap("t", "x", "y", ["c"], ["r"], [[1.0, 2]])).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Charts.Heatmap("t", "x", "y", ["c"], ["r", "q"], [[1.0]])).ParamName);
        var line = Charts.Line("t", "x", "y", S);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => Charts.Grid("t", 0, 1, line)).ParamName);
        Assert.Equal("columns", Assert.Throws<ArgumentOutOfRangeException>(() => Charts.Grid("t", 1, 0, line)).ParamName);
        Assert.Equal("charts", Assert.Throws<ArgumentException>(() => Charts.Grid("t", 1, 1)).ParamName);
        Assert.Equal("charts", Assert.Throws<ArgumentException>(() => Charts.Grid("t", 1, 1, line, line)).ParamName);
        Assert.Equal("chart", Assert.Throws<ArgumentNullException>(() => Charts.Style(null!, "t", "x", "y")).ParamName);
        Assert.Equal("chart", Assert.Throws<ArgumentNullException>(() => Charts.WithLayoutValue(null!, "p", 1)).ParamName);
        Assert.Equal("property", Assert.Throws<ArgumentException>(() => Charts.WithLayoutValue(line, "", 1)).ParamName);
    }
}
