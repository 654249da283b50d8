namespace SystemDesign.Caching;

/// <summary>
/// Request traces for cache experiments: independent requests with Zipf popularity (the independent
/// reference model), the same with a one-off sequential scan mixed in, and a hot set that shifts over time.
/// Keys are ints 0…keys−1, key 0 the most popular. Every trace is a pure function of its seed.
/// </summary>
public static class Workloads
{
    /// <summary>Independent requests with P(key k) ∝ 1/(k+1)^exponent.</summary>
    public static int[] Zipf(int keys, double exponent, int requests, int seed)
    {
        Guard.InRange(keys, 1, 10_000_000);
        Guard.InRange(exponent, 0.0, 5.0);
        Guard.InRange(requests, 1, 50_000_000);
        var sampler = new ZipfSampler(keys, exponent);
        var rng = new Random(seed);
        var trace = new int[requests];
        for (int i = 0; i < requests; i++) trace[i] = sampler.Next(rng);
        return trace;
    }

    /// <summary>
    /// Zipf traffic with one sequential scan of <paramref name="scanLength"/> keys never seen before
    /// (ids from <paramref name="keys"/> upwards) interleaved one for one from the middle of the trace:
    /// the pattern (a batch job, a crawler) that flushes an LRU cache.
    /// </summary>
    public static int[] ZipfWithScan(int keys, double exponent, int requests, int scanLength, int seed)
    {
        Guard.InRange(scanLength, 0, 10_000_000);
        var zipf = Zipf(keys, exponent, requests, seed);
        var trace = new List<int>(requests + scanLength);
        int start = requests / 2, scanned = 0;
        for (int i = 0; i < requests; i++)
        {
            trace.Add(zipf[i]);
            if (i >= start && scanned < scanLength) trace.Add(keys + scanned++);
        }
        return trace.ToArray();
    }

    /// <summary>
    /// Zipf traffic whose ranking is rotated every <paramref name="phaseLength"/> requests by
    /// <paramref name="shift"/> keys: yesterday's hot items go cold, which punishes pure frequency counting.
    /// </summary>
    public static int[] ShiftingHotSet(int keys, double exponent, int requests, int phaseLength, int shift, int seed)
    {
        Guard.InRange(phaseLength, 1, requests);
        Guard.InRange(shift, 0, keys);
        var zipf = Zipf(keys, exponent, requests, seed);
        for (int i = 0; i < requests; i++)
            zipf[i] = (int)((zipf[i] + (long)(i / phaseLength) * shift) % keys);
        return zipf;
    }
}

/// <summary>Samples Zipf ranks by binary search over the cumulative weights (O(log n) a draw).</summary>
public sealed class ZipfSampler
{
    private readonly double[] _cumulative;

    public ZipfSampler(int keys, double exponent)
    {
        Guard.InRange(keys, 1, 10_000_000);
        Weights = SystemDesign.Notebook.Stats.ZipfWeights(keys, exponent);
        _cumulative = new double[keys];
        double sum = 0;
        for (int i = 0; i < keys; i++) _cumulative[i] = sum += Weights[i];
        _cumulative[keys - 1] = 1.0;
    }

    /// <summary>P(key k), summing to 1.</summary>
    public double[] Weights { get; }

    public int Next(Random rng)
    {
        Guard.NotNull(rng);
        int i = Array.BinarySearch(_cumulative, rng.NextDouble());
        return i >= 0 ? i : Math.Min(~i, _cumulative.Length - 1);
    }
}
