namespace SystemDesign.Probabilistic;

/// <summary>
/// The exact sampling distribution of a HyperLogLog estimate under an ideal hash, without hashing the
/// stream. With an ideal hash the items a register receives, and their ranks, are all that matter:
/// <list type="bullet">
/// <item>Draw the number of items each register receives as an independent Poisson(λ/m) count. Independent
/// Poisson counts conditioned on their total N are exactly a Multinomial(N, 1/m) split of N items, so a
/// stream's error is measured against its own realized N (N varies from stream to stream by about √λ).</item>
/// <item>A register that receives c ≥ 1 items holds the largest of c ranks; a rank exceeds k with probability
/// 2^−k (k ≤ 64 − p) and is capped at 64 − p + 1, so P(register ≤ k | c) = (1 − 2^−k)^c. Inverting that with
/// one uniform u gives k = ⌈−log2(1 − u^(1/c))⌉, clamped to [1, 64 − p + 1].</item>
/// </list>
/// So one stream costs m count draws and m register draws (16,384 each at p = 14) whatever N is, and the
/// registers feed the same <see cref="HyperLogLog.EstimateFromHistogram"/> a hashed sketch uses. The only
/// assumption is the ideal hash (uniform, independent 64-bit values); a real hash is tested against it in
/// the unit tests and beside it in the notebook.
/// </summary>
public static class HllSimulation
{
    /// <summary>Largest mean number of items per register allowed (e^−200 still fits in a double).</summary>
    public const double MaxItemsPerRegister = 200;

    /// <summary>
    /// One simulated stream: the register histogram of a sketch with m = 2^p registers that received a
    /// Poisson(<paramref name="meanItems"/>) number of distinct items, and that number.
    /// </summary>
    public static (long Items, int[] Histogram) Stream(int precision, double meanItems, Random random)
    {
        Guard.InRange(precision, HyperLogLog.MinPrecision, HyperLogLog.MaxPrecision);
        Guard.NotNull(random);
        int m = 1 << precision, cap = 64 - precision + 1;
        double perRegister = Guard.InRange(meanItems, 1e-3, MaxItemsPerRegister * m, nameof(meanItems)) / m;
        // Tables, so the loop below only compares: the Poisson CDF (up to 1 − 1e-15, the last entry taking
        // the remaining tail) and, for each count c in it, the CDF (1 − 2^−k)^c of the largest rank.
        var poisson = new List<double>();
        double term = Math.Exp(-perRegister), cdf = term;
        poisson.Add(cdf);
        for (int c = 1; cdf < 1 - 1e-15 && term > 0 || c <= perRegister; c++)
        {
            term *= perRegister / c;
            cdf += term;
            poisson.Add(cdf);
        }
        poisson[^1] = 1;
        var rankCdf = new double[poisson.Count][];
        for (int c = 1; c < rankCdf.Length; c++)
        {
            rankCdf[c] = new double[cap + 1];
            for (int k = 1; k < cap; k++) rankCdf[c][k] = Math.Pow(1 - Math.Pow(2, -k), c);
            rankCdf[c][cap] = 1;
        }
        var histogram = new int[cap + 1];
        long items = 0;
        int start = Math.Min((int)perRegister, poisson.Count - 1);
        // SplitMix64 seeded from the caller's Random: the same stream for the same seed, and much cheaper
        // per draw than a seeded System.Random (two uniforms per register, 16,384 registers per stream).
        ulong state = (ulong)random.NextInt64();
        for (int i = 0; i < m; i++)
        {
            // Inversion of the Poisson CDF, searching from the mean outwards (about √μ steps).
            double u = NextUniform(ref state);
            int c = start;
            while (u > poisson[c]) c++;
            while (c > 0 && u <= poisson[c - 1]) c--;
            items += c;
            if (c == 0) { histogram[0]++; continue; }
            // The largest of c ranks: the smallest k with (1 − 2^−k)^c ≥ v (what MaxRank computes in closed form).
            double v = NextUniform(ref state);
            double[] row = rankCdf[c];
            int r = 1;
            while (v > row[r]) r++;
            histogram[r]++;
        }
        return (items, histogram);
    }

    // SplitMix64 (Steele, Lea and Flood 2014); the top 53 bits as a double in [0, 1).
    private static double NextUniform(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>The largest of c ranks, drawn by inverting P(max ≤ k) = (1 − 2^−k)^c with u in (0, 1].</summary>
    public static int MaxRank(int count, double u, int cap)
    {
        Guard.InRange(count, 1, int.MaxValue);
        Guard.That(u > 0 && u <= 1, $"u must be in (0, 1]; got {u}", nameof(u));
        Guard.InRange(cap, 1, 64);
        double tail = -Math.Log(u) / count; // −ln(u^(1/c)) ≥ 0
        // 1 − u^(1/c) = 1 − e^(−tail); the series keeps its precision when the tail is tiny.
        double oneMinus = tail < 1e-5 ? tail * (1 - tail / 2 * (1 - tail / 3)) : 1 - Math.Exp(-tail);
        if (oneMinus <= 0) return cap;
        int k = (int)Math.Ceiling(-Math.Log2(oneMinus));
        return Math.Clamp(k, 1, cap);
    }

    /// <summary>
    /// <paramref name="streams"/> simulated streams of about <paramref name="meanItems"/> distinct items each,
    /// estimated with all three estimators; each sample's cardinality is the stream's realized item count.
    /// </summary>
    public static IReadOnlyList<HllSample> Streams(int precision, double meanItems, int streams, int seed)
    {
        Guard.InRange(streams, 1, 1_000_000);
        var random = new Random(seed);
        var samples = new List<HllSample>(streams);
        for (int t = 0; t < streams; t++)
        {
            var (n, h) = Stream(precision, meanItems, random);
            samples.Add(new HllSample(precision, Math.Max(1, n), t,
                HyperLogLog.EstimateFromHistogram(precision, h, HllEstimator.Raw),
                HyperLogLog.EstimateFromHistogram(precision, h, HllEstimator.Classic),
                HyperLogLog.EstimateFromHistogram(precision, h, HllEstimator.Ertl)));
        }
        return samples;
    }

    /// <summary>
    /// How precisely a standard deviation measured from <paramref name="streams"/> samples estimates the true
    /// one: SE ≈ σ/√(2k) for roughly normal errors (the HyperLogLog error is, once every register has seen
    /// several items).
    /// </summary>
    public static double StdDevStandardError(double sigma, int streams)
    {
        Guard.InRange(sigma, 0, double.MaxValue);
        Guard.InRange(streams, 2, int.MaxValue);
        return sigma / Math.Sqrt(2.0 * streams);
    }

    /// <summary>
    /// The distribution of one register after n distinct items under an ideal hash: P(R ≤ k) = (1 − 2^−k/m)^n
    /// for 0 ≤ k ≤ 64 − p (an item lands in the register with rank above k with probability 2^−k/m), and 1
    /// at the cap 64 − p + 1. Returns P(R = v) for v = 0..64 − p + 1.
    /// </summary>
    public static double[] RegisterDistribution(int precision, long items)
    {
        Guard.InRange(precision, HyperLogLog.MinPrecision, HyperLogLog.MaxPrecision);
        Guard.InRange(items, 0, long.MaxValue / 2);
        int cap = 64 - precision + 1;
        double m = 1 << precision;
        var cdf = new double[cap + 1];
        for (int k = 0; k < cap; k++) cdf[k] = Math.Exp(items * Math.Log(1 - Math.Pow(2, -k) / m));
        cdf[cap] = 1;
        return cdf.Select((c, v) => v == 0 ? c : c - cdf[v - 1]).ToArray();
    }

    /// <summary>
    /// Pearson's χ² of pooled register histograms against <see cref="RegisterDistribution"/>, with values whose
    /// expected count is below 5 merged into their neighbours. Returns the statistic and its degrees of freedom.
    /// </summary>
    public static (double ChiSquare, int DegreesOfFreedom) RegisterChiSquare(int precision, long items, IReadOnlyList<int[]> histograms)
    {
        Guard.NotEmpty(histograms);
        var expected = RegisterDistribution(precision, items);
        Guard.That(histograms.All(h => h.Length == expected.Length), $"each histogram needs {expected.Length} entries", nameof(histograms));
        double total = histograms.Sum(h => (double)h.Sum());
        var observed = expected.Select((_, v) => histograms.Sum(h => (double)h[v])).ToArray();
        double chi = 0, e = 0, o = 0;
        int bins = 0;
        for (int v = 0; v < expected.Length; v++)
        {
            e += expected[v] * total;
            o += observed[v];
            double rest = expected.Skip(v + 1).Sum() * total;
            if (e >= 5 && rest >= 5 || v == expected.Length - 1)
            {
                chi += (o - e) * (o - e) / Math.Max(e, 1e-12);
                bins++;
                e = o = 0;
            }
        }
        return (chi, bins - 1);
    }
}
