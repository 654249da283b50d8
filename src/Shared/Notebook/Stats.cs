namespace SystemDesign.Notebook;

/// <summary>Small statistics used by experiments and by the tolerances of their checks.</summary>
public static class Stats
{
    public static double Mean(IReadOnlyCollection<double> values)
    {
        Guard.NotEmpty(values);
        return values.Average();
    }

    /// <summary>Population standard deviation.</summary>
    public static double StdDev(IReadOnlyCollection<double> values)
    {
        Guard.NotEmpty(values);
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    /// <summary>Coefficient of variation: standard deviation / mean.</summary>
    public static double CoefficientOfVariation(IReadOnlyCollection<double> values)
    {
        double mean = Mean(values);
        return mean == 0 ? 0 : StdDev(values) / mean;
    }

    /// <summary>Standard error of a proportion estimated from n Bernoulli trials with success probability p.</summary>
    public static double ProportionStdErr(double p, long n)
    {
        Guard.InRange(p, 0, 1);
        Guard.InRange(n, 1, long.MaxValue);
        return Math.Sqrt(p * (1 - p) / n);
    }

    /// <summary>The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double q)
    {
        Guard.NotEmpty(values);
        Guard.InRange(q, 0, 1);
        var sorted = values.Order().ToArray();
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Zipf weights 1/rank^s for ranks 1…<paramref name="ranks"/>, normalized to sum to 1.</summary>
    public static double[] ZipfWeights(int ranks, double exponent)
    {
        Guard.InRange(ranks, 1, 10_000_000);
        Guard.InRange(exponent, 0, 10);
        var w = new double[ranks];
        double sum = 0;
        for (int i = 0; i < ranks; i++) sum += w[i] = 1 / Math.Pow(i + 1, exponent);
        for (int i = 0; i < ranks; i++) w[i] /= sum;
        return w;
    }
}
