namespace SystemDesign.LoadBalancing;

/// <summary>One balls-into-bins experiment: mean maximum load and mean fraction of bins with load ≥ i.</summary>
public sealed record BinsResult(int Bins, int Choices, int Trials, double MeanMaxLoad, double MaxLoadStdErr,
    double[] FractionAtLeast, double[] FractionAtLeastStdErr);

/// <summary>
/// m balls into n bins: each ball looks at d bins chosen uniformly at random (with replacement) and goes to the
/// least loaded (d = 1: plain random placement). Also the predictions the measurements are checked against:
/// the Poisson approximation for d = 1 and Mitzenmacher's fluid limit for d ≥ 2.
/// </summary>
public static class BallsIntoBins
{
    /// <summary>Loads of n bins after m balls with d choices.</summary>
    public static int[] Place(int bins, int balls, int choices, Random rng)
    {
        Guard.InRange(bins, 1, 50_000_000);
        Guard.InRange(balls, 0, 100_000_000);
        Guard.InRange(choices, 1, 16);
        Guard.NotNull(rng);
        var load = new int[bins];
        for (int b = 0; b < balls; b++)
        {
            int best = rng.Next(bins);
            for (int c = 1; c < choices; c++)
            {
                int other = rng.Next(bins);
                if (load[other] < load[best]) best = other;
            }
            load[best]++;
        }
        return load;
    }

    /// <summary>Repeats <see cref="Place"/> with m = n balls: the mean max load and the mean fraction of bins
    /// with load ≥ i for i = 0 … levels−1, each with its standard error over the trials.</summary>
    public static BinsResult Experiment(int bins, int choices, int trials, int seed, int levels = 6)
    {
        Guard.InRange(trials, 2, 10_000);
        Guard.InRange(levels, 1, 64);
        var rng = new Random(seed);
        var max = new double[trials];
        var frac = new double[levels, trials];
        for (int t = 0; t < trials; t++)
        {
            var load = Place(bins, bins, choices, rng);
            max[t] = load.Max();
            var counts = new int[levels];
            foreach (int l in load) for (int i = 0; i < levels && i <= l; i++) counts[i]++;
            for (int i = 0; i < levels; i++) frac[i, t] = (double)counts[i] / bins;
        }
        (double mean, double se) Ms(IEnumerable<double> xs)
        {
            var a = xs.ToArray();
            double m = a.Average();
            return (m, Math.Sqrt(a.Sum(x => (x - m) * (x - m)) / (a.Length - 1) / a.Length));
        }
        var mx = Ms(max);
        var fr = Enumerable.Range(0, levels).Select(i => Ms(Enumerable.Range(0, trials).Select(t => frac[i, t])))
            .ToArray();
        return new BinsResult(bins, choices, trials, mx.mean, mx.se, fr.Select(f => f.mean).ToArray(),
            fr.Select(f => f.se).ToArray());
    }

    /// <summary>d = 1, m = n: the expected maximum load under the Poisson approximation (loads as independent
    /// Poisson(1)): E[max] = Σ_k≥1 (1 − P(Poisson(1) &lt; k)^n).</summary>
    public static double PoissonExpectedMax(int bins)
    {
        Guard.InRange(bins, 1, 1_000_000_000);
        double expected = 0, cdf = 0, term = Math.Exp(-1);
        for (int k = 1; k < 60; k++)
        {
            cdf += term;                 // P(X ≤ k−1) = P(X < k)
            term /= k;                   // P(X = k)
            expected += 1 - Math.Pow(Math.Min(cdf, 1), bins);
        }
        return expected;
    }

    /// <summary>Mitzenmacher's fluid limit for d choices after one ball per bin: s_i, the fraction of bins with
    /// load ≥ i, solves ds_i/dt = s_(i−1)^d − s_i^d on t ∈ [0, 1] with s_0 = 1 (Euler, small steps).</summary>
    public static double[] FluidLimit(int choices, int levels = 6, int steps = 20_000)
    {
        Guard.InRange(choices, 1, 16);
        Guard.InRange(levels, 1, 64);
        Guard.InRange(steps, 10, 10_000_000);
        var s = new double[levels + 1];
        s[0] = 1;
        double dt = 1.0 / steps;
        for (int step = 0; step < steps; step++)
        {
            var next = (double[])s.Clone();
            for (int i = 1; i <= levels; i++)
                next[i] += dt * (Math.Pow(s[i - 1], choices) - Math.Pow(s[i], choices));
            s = next;
        }
        return s.Take(levels).ToArray();
    }

    /// <summary>The textbook orders: ln n / ln ln n (d = 1) and ln ln n / ln d (d ≥ 2).</summary>
    public static double Asymptotic(int bins, int choices)
    {
        Guard.InRange(bins, 3, int.MaxValue);
        Guard.InRange(choices, 1, 16);
        double ln = Math.Log(bins), lnln = Math.Log(ln);
        return choices == 1 ? ln / lnln : lnln / Math.Log(choices);
    }
}
