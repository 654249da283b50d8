using System.Globalization;

namespace SystemDesign.Notebook;

/// <summary>Thrown by <see cref="Check"/> when a claim the notebook makes does not hold.</summary>
public sealed class ClaimFailedException(string message) : Exception(message);

/// <summary>
/// Claim checks for notebooks. Each method prints one line, "✓ claim: measured … (expected …)",
/// and throws <see cref="ClaimFailedException"/> with the same text (marked ✗) when the claim fails,
/// so running a notebook proves what it says. Tolerances should come from the statistics of the
/// experiment (see <see cref="Stats"/>), never from whatever happened to pass.
/// </summary>
public static class Check
{
    /// <summary>Where the lines go; null means the console of the moment (kernels swap it per cell).</summary>
    public static TextWriter? Out { get; set; }

    /// <summary>|measured − expected| ≤ tolerance.</summary>
    /// <param name="format">a .NET numeric format for both numbers, e.g. "P1" for percentages, "N0", "F3".</param>
    /// <param name="expectedLabel">how the expected value was derived, e.g. "1/11"; shown before its value.</param>
    public static double Near(string claim, double measured, double expected, double tolerance,
        string format = "G4", string? expectedLabel = null)
    {
        Guard.NonNegative(tolerance);
        bool ok = Math.Abs(measured - expected) <= tolerance;
        string exp = expectedLabel is null ? F(expected, format) : $"{expectedLabel} = {F(expected, format)}";
        Report(ok, $"{claim}: {F(measured, format)} (expected {exp} ± {F(tolerance, format)})");
        return measured;
    }

    /// <summary>|measured − expected| ≤ k·σ, with σ the standard error of the experiment.</summary>
    public static double WithinSigma(string claim, double measured, double expected, double sigma, double k = 4,
        string format = "G4", string? expectedLabel = null)
    {
        Guard.NonNegative(sigma);
        Guard.Positive(k);
        bool ok = Math.Abs(measured - expected) <= k * sigma;
        string exp = expectedLabel is null ? F(expected, format) : $"{expectedLabel} = {F(expected, format)}";
        Report(ok, $"{claim}: {F(measured, format)} (expected {exp} ± {k.ToString(CultureInfo.InvariantCulture)}σ, σ = {F(sigma, format)})");
        return measured;
    }

    /// <summary>|measured / expected − 1| ≤ relativeTolerance.</summary>
    public static double Relative(string claim, double measured, double expected, double relativeTolerance,
        string format = "G4", string? expectedLabel = null)
    {
        Guard.NonNegative(relativeTolerance);
        bool ok = expected == 0 ? measured == 0 : Math.Abs(measured / expected - 1) <= relativeTolerance;
        string exp = expectedLabel is null ? F(expected, format) : $"{expectedLabel} = {F(expected, format)}";
        Report(ok, $"{claim}: {F(measured, format)} (expected {exp} ± {(relativeTolerance * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%"})");
        return measured;
    }

    public static double AtMost(string claim, double measured, double bound, string format = "G4", string? boundLabel = null)
    {
        bool ok = measured <= bound;
        Report(ok, $"{claim}: {F(measured, format)} (expected ≤ {Label(bound, format, boundLabel)})");
        return measured;
    }

    public static double AtLeast(string claim, double measured, double bound, string format = "G4", string? boundLabel = null)
    {
        bool ok = measured >= bound;
        Report(ok, $"{claim}: {F(measured, format)} (expected ≥ {Label(bound, format, boundLabel)})");
        return measured;
    }

    public static double Between(string claim, double measured, double low, double high, string format = "G4")
    {
        bool ok = measured >= low && measured <= high;
        Report(ok, $"{claim}: {F(measured, format)} (expected between {F(low, format)} and {F(high, format)})");
        return measured;
    }

    /// <summary>measured &lt; other, e.g. "SKIP LOCKED is faster": both values are shown.</summary>
    public static void Less(string claim, double smaller, double larger, string format = "G4",
        string smallerLabel = "left", string largerLabel = "right")
    {
        bool ok = smaller < larger;
        Report(ok, $"{claim}: {smallerLabel} {F(smaller, format)} < {largerLabel} {F(larger, format)}");
    }

    public static T Equal<T>(string claim, T measured, T expected)
    {
        bool ok = EqualityComparer<T>.Default.Equals(measured, expected);
        Report(ok, $"{claim}: {Show(measured)} (expected {Show(expected)})");
        return measured;
    }

    /// <summary>A yes/no behaviour; <paramref name="evidence"/> says what was observed.</summary>
    public static void That(string claim, bool holds, string evidence)
        => Report(holds, $"{claim} ({evidence})");

    /// <summary>The action must throw <typeparamref name="TException"/>; the exception message is the evidence.</summary>
    public static TException Throws<TException>(string claim, Action action) where TException : Exception
    {
        try
        {
            action();
        }
        catch (TException e)
        {
            Report(true, $"{claim} ({typeof(TException).Name}: {FirstLine(e.Message)})");
            return e;
        }
        catch (Exception e)
        {
            Report(false, $"{claim} (threw {e.GetType().Name} instead of {typeof(TException).Name}: {FirstLine(e.Message)})");
        }
        Report(false, $"{claim} (nothing was thrown; expected {typeof(TException).Name})");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// A claim that was not tested this run because its precondition did not hold (the planner chose another
    /// plan, a feature is missing on this server version): prints "○ skipped: claim (why)" instead of passing
    /// silently inside an <c>if</c>. Use it only where the prose says the claim is conditional; a claim the
    /// prose makes unconditionally asserts its precondition with a check instead.
    /// </summary>
    public static void Skipped(string claim, string why)
    {
        Guard.NotEmpty(claim);
        Guard.NotEmpty(why);
        (Out ?? Console.Out).WriteLine($"○ skipped: {claim} ({why})");
    }

    private static void Report(bool ok, string text)
    {
        if (!ok) throw new ClaimFailedException("✗ " + text);
        (Out ?? Console.Out).WriteLine("✓ " + text);
    }

    private static string Label(double value, string format, string? label)
        => label is null ? F(value, format) : $"{label} = {F(value, format)}";

    // Invariant culture writes "9.1 %"; people write "9.1%".
    internal static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture).Replace(" %", "%");

    private static string Show<T>(T value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable e and not string => "[" + string.Join(", ", e.Cast<object?>().Select(o => o?.ToString())) + "]",
        _ => value.ToString() ?? "",
    };

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
