using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Guards;

/// <summary>
/// The guards every public entry calls: both ends of each range are accepted and returned, one step outside is
/// refused with the caller's expression as the parameter name, and the message names the valid range.
/// </summary>
public sealed class GuardTests
{
    private static string Message(Action act) => Assert.ThrowsAny<ArgumentException>(act).Message;

    [Fact]
    public void InRange_accepts_both_ends_and_refuses_one_step_outside()
    {
        int count = 3;
        Assert.Equal(3, Guard.InRange(count, 3, 5));
        Assert.Equal(5, Guard.InRange(5, 3, 5));
        OutOfRange("count", () => Guard.InRange(count, 4, 5));
        OutOfRange("count", () => Guard.InRange(count, 1, 2));
        Assert.StartsWith("count must be between 1 and 2 (inclusive); got 3.",
            Message(() => Guard.InRange(count, 1, 2)), StringComparison.Ordinal);

        long big = 10L;
        Assert.Equal(10L, Guard.InRange(big, 10L, 11L));
        Assert.Equal(11L, Guard.InRange(11L, 10L, 11L));
        OutOfRange("big", () => Guard.InRange(big, 11L, 12L));
        OutOfRange("big", () => Guard.InRange(big, 8L, 9L));
        Assert.StartsWith("big must be between 8 and 9 (inclusive); got 10.",
            Message(() => Guard.InRange(big, 8L, 9L)), StringComparison.Ordinal);
    }

    [Fact]
    public void InRange_of_doubles_refuses_nan_and_values_just_outside()
    {
        double rate = 0.5;
        Assert.Equal(0.5, Guard.InRange(rate, 0.5, 1.0));
        Assert.Equal(1.0, Guard.InRange(1.0, 0.5, 1.0));
        OutOfRange("rate", () => Guard.InRange(rate, Math.BitIncrement(0.5), 1.0));
        OutOfRange("rate", () => Guard.InRange(rate, 0.0, Math.BitDecrement(0.5)));
        OutOfRange("nan", () => { double nan = double.NaN; Guard.InRange(nan, double.MinValue, double.MaxValue); });
        Assert.StartsWith("rate must be between 0 and 0.25 (inclusive); got 0.5.",
            Message(() => Guard.InRange(rate, 0.0, 0.25)), StringComparison.Ordinal);
    }

    [Fact]
    public void OpenUnit_accepts_only_the_open_interval()
    {
        double p = Math.BitIncrement(0.0);
        Assert.Equal(p, Guard.OpenUnit(p));
        Assert.Equal(Math.BitDecrement(1.0), Guard.OpenUnit(Math.BitDecrement(1.0)));
        double zero = 0, one = 1, nan = double.NaN;
        OutOfRange("zero", () => Guard.OpenUnit(zero));
        OutOfRange("one", () => Guard.OpenUnit(one));
        OutOfRange("nan", () => Guard.OpenUnit(nan));
        Assert.StartsWith("one must be strictly between 0 and 1; got 1.",
            Message(() => Guard.OpenUnit(one)), StringComparison.Ordinal);
    }

    [Fact]
    public void Positive_and_NonNegative_draw_the_line_at_one_and_zero()
    {
        int n = 1, zero = 0, minus = -1;
        Assert.Equal(1, Guard.Positive(n));
        OutOfRange("zero", () => Guard.Positive(zero));
        Assert.StartsWith("zero must be at least 1; got 0.", Message(() => Guard.Positive(zero)), StringComparison.Ordinal);
        Assert.Equal(0, Guard.NonNegative(zero));
        OutOfRange("minus", () => Guard.NonNegative(minus));
        Assert.StartsWith("minus must be 0 or more; got -1.", Message(() => Guard.NonNegative(minus)), StringComparison.Ordinal);

        double tiny = double.Epsilon, none = 0.0, below = -double.Epsilon, nan = double.NaN;
        Assert.Equal(tiny, Guard.Positive(tiny));
        OutOfRange("none", () => Guard.Positive(none));
        OutOfRange("nan", () => Guard.Positive(nan));
        Assert.StartsWith("none must be greater than 0; got 0.", Message(() => Guard.Positive(none)), StringComparison.Ordinal);
        Assert.Equal(0.0, Guard.NonNegative(none));
        OutOfRange("below", () => Guard.NonNegative(below));
        OutOfRange("nan", () => Guard.NonNegative(nan));
        Assert.StartsWith("below must be 0 or more", Message(() => Guard.NonNegative(below)), StringComparison.Ordinal);
    }

    [Fact]
    public void NotNull_and_NotEmpty_name_the_argument_and_return_it()
    {
        string? missing = null;
        var text = "x";
        Assert.Same(text, Guard.NotNull(text));
        Null("missing", () => Guard.NotNull(missing));
        Assert.StartsWith("missing must not be null.", Message(() => Guard.NotNull(missing)), StringComparison.Ordinal);

        Assert.Same(text, Guard.NotEmpty(text));
        string empty = "";
        Null("missing", () => Guard.NotEmpty(missing));
        Invalid("empty", () => Guard.NotEmpty(empty), "empty must not be empty.");

        IReadOnlyCollection<int> one = new[] { 1 }, none = Array.Empty<int>(), absent = null!;
        Assert.Same(one, Guard.NotEmpty(one));
        Null("absent", () => Guard.NotEmpty(absent));
        Invalid("none", () => Guard.NotEmpty(none), "none must contain at least one element.");
    }

    [Fact]
    public void That_throws_the_given_message_naming_the_condition_only_when_it_is_false()
    {
        int low = 1, high = 2;
        Guard.That(low < high, "low must be below high");
        Invalid("low > high", () => Guard.That(low > high, "low must be below high"), "low must be below high");
    }
}
