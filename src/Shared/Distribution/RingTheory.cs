namespace SystemDesign.Distribution;

/// <summary>
/// The formulas the ring experiments are checked against, in one place with their assumptions. A node with
/// V random tokens on a ring of N nodes owns the sum of V of the N·V gaps between uniform points, so its share
/// follows a Beta(V, (N−1)V) law: mean 1/N, coefficient of variation √((N−1)/(NV+1)).
/// </summary>
public static class RingTheory
{
    /// <summary>CV of one node's ring share with V random tokens per node: √((N−1)/(NV+1)) ≈ 1/√V.</summary>
    public static double ShareCv(int nodes, double virtualNodes)
    {
        Guard.Positive(nodes);
        Guard.Positive(virtualNodes);
        return Math.Sqrt((nodes - 1) / (nodes * virtualNodes + 1));
    }

    /// <summary>
    /// Relative σ of a newcomer's share when it joins N nodes with V hashed tokens (every node has V):
    /// the Beta law of N+1 nodes, √(N/((N+1)V+1)).
    /// </summary>
    public static double NewcomerShareRelativeSigma(int nodesBefore, double virtualNodes) =>
        ShareCv(Guard.Positive(nodesBefore) + 1, virtualNodes);

    /// <summary>
    /// σ of the fraction of K sampled keys that move when one node joins N: the newcomer's share scatters
    /// around p = 1/(N+1) (Beta law) and the keys sample that share binomially; the two add in quadrature.
    /// </summary>
    public static double JoinMovedSigma(int nodesBefore, double virtualNodes, int keys)
    {
        Guard.Positive(keys);
        double p = 1.0 / (Guard.Positive(nodesBefore) + 1);
        double rel = NewcomerShareRelativeSigma(nodesBefore, virtualNodes);
        return Math.Sqrt(p * p * rel * rel + p * (1 - p) / keys);
    }

    /// <summary>
    /// Relative σ of one shard's load when K keys are hashed onto N nodes with V random tokens: ring share
    /// (CV of the Beta law) and key sampling (≈ √(N/K)) in quadrature.
    /// </summary>
    public static double ShardLoadRelativeSigma(int nodes, double virtualNodes, int keys)
    {
        Guard.Positive(keys);
        double cv = ShareCv(nodes, virtualNodes);
        return Math.Sqrt(cv * cv + (double)nodes / keys);
    }

    /// <summary>
    /// Mean and standard deviation of the largest of n independent standard normals, by numerical
    /// integration of the density n·φ(z)·Φ(z)^(n−1): mean 0.564 and σ 0.826 for n = 2, 1.539 and 0.587 for 10.
    /// </summary>
    public static (double Mean, double StdDev) MaxOfStandardNormals(int n)
    {
        Guard.InRange(n, 1, 100_000);
        const double step = 1e-3;
        double m1 = 0, m2 = 0;
        for (double z = -10; z <= 10; z += step)
        {
            double density = n * Phi(z) * Math.Pow(Cdf(z), n - 1) * step;
            m1 += z * density;
            m2 += z * z * density;
        }
        return (m1, Math.Sqrt(Math.Max(0, m2 - m1 * m1)));
    }

    /// <summary>
    /// Busiest node over the mean for one ring of N nodes with V random tokens: mean and σ. Normal
    /// approximation of the Beta shares (good for V ≳ 10); the shares sum to 1, so their deviations are
    /// exchangeable normals with correlation −1/(N−1), which scales the maximum of N independent ones by
    /// √(N/(N−1)). About 1 + 1.62·CV for N = 10.
    /// </summary>
    public static (double Mean, double StdDev) BusiestOverMean(int nodes, double virtualNodes)
    {
        Guard.InRange(nodes, 2, 100_000);
        double scale = Math.Sqrt(nodes / (nodes - 1.0)) * ShareCv(nodes, virtualNodes);
        var (mean, sd) = MaxOfStandardNormals(nodes);
        return (1 + mean * scale, sd * scale);
    }

    /// <summary>
    /// Expected traffic share of the node that holds the hottest key (weight w₁ = weights[0]): w₁ plus its
    /// expected share 1/N of everything else, whatever V is.
    /// </summary>
    public static double HotKeyHolderShare(IReadOnlyList<double> weights, int nodes)
    {
        Guard.NotEmpty(weights);
        Guard.Positive(nodes);
        return weights[0] + (1 - weights[0]) / nodes;
    }

    /// <summary>
    /// σ of that share on one ring: the other keys land on the holder or not (Σᵢ≥₂ wᵢ²·(1/N)(1 − 1/N)), and
    /// the holder's ring share scatters ((1 − w₁)²·CV²/N²). Assumes the other keys land independently.
    /// </summary>
    public static double HotKeyHolderSigma(IReadOnlyList<double> weights, int nodes, double virtualNodes)
    {
        Guard.NotEmpty(weights);
        Guard.Positive(nodes);
        double w1 = weights[0], p = 1.0 / nodes, cv = ShareCv(nodes, virtualNodes);
        double others = weights.Skip(1).Sum(w => w * w) * p * (1 - p);
        return Math.Sqrt(others + Math.Pow((1 - w1) * p * cv, 2));
    }

    private static double Phi(double z) => Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI);

    private static double Cdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    // Abramowitz & Stegun 7.1.26 complement, |error| < 1.5e-7: enough for an expected maximum.
    private static double Erfc(double x)
    {
        double t = 1 / (1 + 0.3275911 * Math.Abs(x));
        double y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double erfc = y * Math.Exp(-x * x);
        return x >= 0 ? erfc : 2 - erfc;
    }
}
