using SystemDesign.Notebook;

namespace SystemDesign.Tests.Notebook;

[Collection("Console")] // the Exercise tests swap Console.Out
public sealed class CheckTests
{
    private static string Capture(Action action)
    {
        var writer = new StringWriter();
        Check.Out = writer;
        try { action(); } finally { Check.Out = null; }
        return writer.ToString();
    }

    [Fact]
    public void Near_prints_measured_and_expected_when_the_claim_holds()
    {
        string line = Capture(() => Check.Near("adding 1 node to 10 moved", 0.092, 1.0 / 11, 0.01, "P1", "1/11"));
        Assert.Equal("✓ adding 1 node to 10 moved: 9.2% (expected 1/11 = 9.1% ± 1.0%)" + Environment.NewLine, line);
    }

    [Fact]
    public void Near_throws_with_the_same_text_when_the_claim_fails()
    {
        var e = Assert.Throws<ClaimFailedException>(() => Check.Near("moved", 0.2, 1.0 / 11, 0.01, "P1", "1/11"));
        Assert.Equal("✗ moved: 20.0% (expected 1/11 = 9.1% ± 1.0%)", e.Message);
    }

    [Theory]
    [InlineData(5.0, 5.0, 1.0, true)]
    [InlineData(5.0, 9.0, 1.0, true)]  // 4σ exactly
    [InlineData(5.0, 9.1, 1.0, false)]
    public void WithinSigma_accepts_up_to_k_sigma(double expected, double measured, double sigma, bool ok)
    {
        if (ok) Capture(() => Check.WithinSigma("x", measured, expected, sigma));
        else Assert.Throws<ClaimFailedException>(() => Check.WithinSigma("x", measured, expected, sigma));
    }

    [Fact]
    public void Bounds_and_equality_fail_on_the_wrong_side()
    {
        Assert.Throws<ClaimFailedException>(() => Check.AtMost("x", 2, 1));
        Assert.Throws<ClaimFailedException>(() => Check.AtLeast("x", 1, 2));
        Assert.Throws<ClaimFailedException>(() => Check.Between("x", 3, 1, 2));
        Assert.Throws<ClaimFailedException>(() => Check.Less("x", 2, 1));
        Assert.Throws<ClaimFailedException>(() => Check.Equal("x", 1, 2));
        Assert.Throws<ClaimFailedException>(() => Check.That("x", false, "observed"));
        Assert.Throws<ClaimFailedException>(() => Check.Relative("x", 1.2, 1.0, 0.1));
        Capture(() => Check.Relative("x", 1.05, 1.0, 0.1));
    }

    [Fact]
    public void Throws_fails_when_nothing_or_the_wrong_exception_is_thrown()
    {
        Assert.Throws<ClaimFailedException>(() => Check.Throws<ArgumentException>("x", () => { }));
        Assert.Throws<ClaimFailedException>(() => Check.Throws<ArgumentException>("x", () => throw new InvalidOperationException()));
        string line = Capture(() => Check.Throws<ArgumentOutOfRangeException>("rejects", () => Guard.InRange(0, 1, 5, "nodes")));
        Assert.Contains("nodes must be between 1 and 5", line);
    }

    [Fact]
    public void Guard_names_the_parameter_and_the_range()
    {
        int nodes = 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.InRange(nodes, 1, 100));
        Assert.Equal("nodes", e.ParamName);
        Assert.Contains("between 1 and 100", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Guard.OpenUnit(1.0, "p"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Positive(0, "k"));
    }

    [Fact]
    public void Exercise_verify_prints_a_hint_while_unsolved_and_propagates_a_wrong_answer()
    {
        var writer = new StringWriter();
        var old = Console.Out;
        Console.SetOut(writer);
        try { Exercise.Verify("demo", () => throw new NotImplementedException()); }
        finally { Console.SetOut(old); }
        Assert.Contains("not solved yet", writer.ToString());
        Assert.Throws<ClaimFailedException>(() => Exercise.Verify("demo", () => Check.Equal("x", 1, 2)));
    }

    [Fact]
    public void Percentile_interpolates_between_order_statistics()
    {
        Assert.Equal(2.5, Stats.Percentile([1.0, 2, 3, 4], 0.5));
        Assert.Equal(4.0, Stats.Percentile([1.0, 2, 3, 4], 1));
        Assert.Equal(0.5, Stats.CoefficientOfVariation([1.0, 3.0]), 9);
    }
}

public sealed class DeriveTests
{
    private static string Capture(Action action)
    {
        var writer = new StringWriter();
        Check.Out = writer;
        try { action(); } finally { Check.Out = null; }
        return writer.ToString();
    }

    [Fact]
    public void Value_prints_the_value_and_how_it_was_derived_and_returns_it()
    {
        double v = 0;
        string line = Capture(() => v = Derive.Value("bits per element for 1%", 9.585, "log₂(100)/(ln 2)²", "F3"));
        Assert.Equal("= bits per element for 1%: 9.585 (log₂(100)/(ln 2)²)" + Environment.NewLine, line);
        Assert.Equal(9.585, v);
    }

    [Fact]
    public void Show_prints_values_that_are_not_numbers()
    {
        string line = Capture(() => Derive.Show("slot of foo", "12182", "CRC16 mod 16384"));
        Assert.Equal("= slot of foo: 12182 (CRC16 mod 16384)" + Environment.NewLine, line);
    }

    [Fact]
    public void Derivations_name_what_and_how()
    {
        var e = Assert.Throws<ArgumentException>(() => Derive.Value("", 1, "x"));
        Assert.Equal("what", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Derive.Show("x", 1, ""));
        Assert.Equal("how", e.ParamName);
    }

    [Fact]
    public void Skipped_says_which_claim_and_why_and_does_not_throw()
    {
        string line = Capture(() => Check.Skipped("the index is used", "the planner chose a Seq Scan"));
        Assert.Equal("○ skipped: the index is used (the planner chose a Seq Scan)" + Environment.NewLine, line);
        Assert.Throws<ArgumentException>(() => Check.Skipped("claim", ""));
    }
}
