namespace SystemDesign.Distribution;

/// <summary>
/// Least-squares fit of y = c·x^k on log–log axes, with the standard error of the exponent from the residuals:
/// how "CV ∝ 1/√V" is checked (k ≈ −0.5) with a tolerance that comes from the data's own scatter.
/// </summary>
public sealed record PowerLawFit(double Exponent, double Coefficient, double ExponentStdError, int Points)
{
    public static PowerLawFit Of(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Guard.NotNull(x);
        Guard.NotNull(y);
        Guard.That(x.Count == y.Count, $"x and y must have equal lengths; got {x.Count} and {y.Count}", nameof(y));
        Guard.That(x.Count >= 3, $"at least 3 points are needed for an exponent and its error; got {x.Count}", nameof(x));
        Guard.That(x.All(v => v > 0) && y.All(v => v > 0), "all values must be positive to take logarithms", nameof(x));
        var lx = x.Select(v => Math.Log(v)).ToArray();
        var ly = y.Select(v => Math.Log(v)).ToArray();
        double mx = lx.Average(), my = ly.Average();
        double sxx = lx.Sum(v => (v - mx) * (v - mx));
        Guard.That(sxx > 0, "x values must not all be equal", nameof(x));
        double k = lx.Zip(ly).Sum(p => (p.First - mx) * (p.Second - my)) / sxx;
        double b = my - k * mx;
        double rss = lx.Zip(ly).Sum(p => Math.Pow(p.Second - (b + k * p.First), 2));
        double se = Math.Sqrt(rss / (x.Count - 2) / sxx);
        return new PowerLawFit(k, Math.Exp(b), se, x.Count);
    }
}
