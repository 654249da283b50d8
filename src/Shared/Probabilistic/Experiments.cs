using System.IO.Hashing;
using SystemDesign.Notebook;

namespace SystemDesign.Probabilistic;

/// <summary>
/// Distinct synthetic items for experiments: item i of stream s is the 12 bytes (s, i). Different (s, i)
/// pairs are different items by construction, so "members" and "strangers" never overlap by accident and
/// seeded trials use fresh, independent-looking streams.
/// </summary>
public static class StreamItems
{
    public const int Size = 12;

    public static void Write(Span<byte> destination, int stream, long index)
    {
        if (destination.Length < Size) Guard.InRange(destination.Length, Size, int.MaxValue, nameof(destination));
        System.Runtime.InteropServices.MemoryMarshal.Write(destination, in stream);
        System.Runtime.InteropServices.MemoryMarshal.Write(destination[4..], in index);
    }

    public static byte[] Item(int stream, long index)
    {
        var bytes = new byte[Size];
        Write(bytes, stream, index);
        return bytes;
    }
}

/// <summary>
/// One false-positive measurement: n members added, then probes that were never added. Two expectations:
/// <see cref="Theory"/>, the classic (1 − e^(−kn/m))^k over all filters of this shape, and
/// <see cref="ConditionalTheory"/>, Fill^k for this particular filter. The fill of a filter varies from one filter
/// to the next (see <see cref="FillSigma"/>), and the rate follows it k-fold: at 4 bits per item and k = 10, a 0.3%
/// spread of the fill is a 3% spread of the rate, more than the sampling error of 30,000 probes. So a probe count
/// is checked against <see cref="ConditionalTheory"/> (binomial), and the fill against <see cref="FillTheory"/>.
/// </summary>
public sealed record FilterMeasurement(long Bits, int Hashes, int Items, int Probes, int FalsePositives, int FalseNegatives, double Fill)
{
    public double BitsPerItem => (double)Bits / Items;
    public double Rate => (double)FalsePositives / Probes;
    public double Theory => BloomFilter.TheoreticalFalsePositiveRate(Bits, Items, Hashes);
    public double ConditionalTheory => Math.Pow(Fill, Hashes);
    public double FillTheory => 1 - Math.Exp(-(double)Hashes * Items / Bits);

    /// <summary>Standard deviation of the fill: √(e^−λ(1 − (1 + λ)e^−λ)/m) for λ = kn/m balls per bin.</summary>
    public double FillSigma
    {
        get
        {
            double lambda = (double)Hashes * Items / Bits, empty = Math.Exp(-lambda);
            return Math.Sqrt(Math.Max(0, empty * (1 - (1 + lambda) * empty)) / Bits);
        }
    }
}

/// <summary>Experiments on approximate-membership filters.</summary>
public static class FilterExperiments
{
    /// <summary>
    /// Builds a Bloom filter with m bits and k hashes, adds <paramref name="items"/> members, counts members it
    /// forgets (false negatives: must be 0) and strangers it claims (false positives) among <paramref name="probes"/>.
    /// </summary>
    public static FilterMeasurement Bloom(long bits, int hashes, int items, int probes, int seed)
    {
        Guard.InRange(items, 1, 10_000_000);
        Guard.InRange(probes, 1, 10_000_000);
        var filter = new BloomFilter(bits, hashes);
        Span<byte> key = stackalloc byte[StreamItems.Size];
        int members = 2 * seed, strangers = 2 * seed + 1;
        for (int i = 0; i < items; i++)
        {
            StreamItems.Write(key, members, i);
            filter.Add(key);
        }
        int falseNegatives = 0, falsePositives = 0;
        for (int i = 0; i < items; i++)
        {
            StreamItems.Write(key, members, i);
            if (!filter.MightContain(key)) falseNegatives++;
        }
        for (int i = 0; i < probes; i++)
        {
            StreamItems.Write(key, strangers, i);
            if (filter.MightContain(key)) falsePositives++;
        }
        return new FilterMeasurement(bits, hashes, items, probes, falsePositives, falseNegatives, filter.FillRatio);
    }

    /// <summary>
    /// Fills a cuckoo filter until its first refused insert; returns the load factor reached then, and the
    /// false-positive rate measured on <paramref name="probes"/> strangers at that load.
    /// </summary>
    public static (double LoadFactor, double FalsePositiveRate, int FalseNegatives) CuckooFill(long buckets, int fingerprintBits, int probes, int seed)
    {
        Guard.InRange(probes, 1, 10_000_000);
        var filter = new CuckooFilter(buckets, fingerprintBits, seed: seed);
        Span<byte> key = stackalloc byte[StreamItems.Size];
        int members = 2 * seed, strangers = 2 * seed + 1;
        long added = 0;
        while (true)
        {
            StreamItems.Write(key, members, added);
            if (!filter.Add(key)) break;
            added++;
        }
        int falseNegatives = 0, falsePositives = 0;
        for (long i = 0; i < added; i++)
        {
            StreamItems.Write(key, members, i);
            if (!filter.MightContain(key)) falseNegatives++;
        }
        for (int i = 0; i < probes; i++)
        {
            StreamItems.Write(key, strangers, i);
            if (filter.MightContain(key)) falsePositives++;
        }
        return (filter.LoadFactor, (double)falsePositives / probes, falseNegatives);
    }

    /// <summary>
    /// An LSM tree's read path: <paramref name="tables"/> SSTables of <paramref name="keysPerTable"/> keys,
    /// each with a Bloom filter sized for <paramref name="falsePositiveRate"/>. A lookup reads (from disk) every
    /// table whose filter says "probably", newest first, stopping at the table that holds the key. Returns the
    /// mean number of tables read for keys that exist nowhere and for keys that exist in one random table.
    /// </summary>
    public static LsmLookupCost LsmLookups(int tables, int keysPerTable, double falsePositiveRate, int lookups, int seed)
    {
        Guard.InRange(tables, 1, 1000);
        Guard.InRange(keysPerTable, 1, 1_000_000);
        Guard.OpenUnit(falsePositiveRate);
        Guard.InRange(lookups, 1, 1_000_000);
        var filters = new BloomFilter[tables];
        Span<byte> key = stackalloc byte[StreamItems.Size];
        for (int t = 0; t < tables; t++)
        {
            filters[t] = BloomFilter.ForCapacity(keysPerTable, falsePositiveRate);
            for (int i = 0; i < keysPerTable; i++)
            {
                StreamItems.Write(key, t, i);
                filters[t].Add(key);
            }
        }
        var random = new Random(seed);
        long missingReads = 0, presentReads = 0;
        for (int l = 0; l < lookups; l++)
        {
            StreamItems.Write(key, -1 - seed, l); // in no table
            foreach (var f in filters) if (f.MightContain(key)) missingReads++;
            int home = random.Next(tables);
            StreamItems.Write(key, home, random.Next(keysPerTable));
            for (int t = 0; t <= home; t++) if (filters[t].MightContain(key)) presentReads++; // stops at its table
        }
        return new LsmLookupCost(tables, falsePositiveRate, lookups, (double)missingReads / lookups, (double)presentReads / lookups)
        {
            Bits = filters[0].Bits,
            Hashes = filters[0].Hashes,
            KeysPerTable = keysPerTable,
        };
    }
}

/// <summary>What a point lookup costs in an LSM tree whose SSTables each carry a Bloom filter.</summary>
public sealed record LsmLookupCost(int Tables, double FalsePositiveRate, int Lookups, double TablesReadPerMissingKey, double TablesReadPerPresentKey)
{
    /// <summary>Bits of each table's filter.</summary>
    public long Bits { get; init; }

    /// <summary>Hash functions of each table's filter.</summary>
    public int Hashes { get; init; }

    /// <summary>Keys in each table.</summary>
    public int KeysPerTable { get; init; }

    /// <summary>Each filter's predicted rate p = (1 − e^(−kn/m))^k.</summary>
    public double FilterRate => BloomFilter.TheoreticalFalsePositiveRate(Bits, KeysPerTable, Hashes);

    /// <summary>Expected tables read for an absent key: T·p.</summary>
    public double MissingTheory => Tables * FilterRate;

    /// <summary>Expected tables read for a present key in a uniformly chosen table: 1 + p·(T − 1)/2.</summary>
    public double PresentTheory => 1 + FilterRate * (Tables - 1) / 2.0;

    // A filter's own rate varies with its fill: relative spread k·σ_fill/fill (see FilterMeasurement.FillSigma).
    private double RateSpread
    {
        get
        {
            double lambda = (double)Hashes * KeysPerTable / Bits, empty = Math.Exp(-lambda);
            double fillSigma = Math.Sqrt(empty * (1 - (1 + lambda) * empty) / Bits);
            return FilterRate * Hashes * fillSigma / (1 - empty);
        }
    }

    /// <summary>
    /// σ of <see cref="TablesReadPerMissingKey"/>: binomial sampling of T·p reads per lookup over the lookups,
    /// plus the T filters' own rates, each spread by its fill (their variances summed over the T filters).
    /// </summary>
    public double MissingSigma => Math.Sqrt(Tables * FilterRate * (1 - FilterRate) / Lookups + Tables * RateSpread * RateSpread);

    /// <summary>σ of <see cref="TablesReadPerPresentKey"/>: the same two sources over (T − 1)/2 filters on average.</summary>
    public double PresentSigma => Math.Sqrt((Tables - 1) * FilterRate / Lookups) + (Tables - 1) / 2.0 * RateSpread;
}

/// <summary>Bytes allocated while building something: how much memory an exact structure really takes.</summary>
public static class MemoryProbe
{
    /// <summary>Bytes allocated on this thread by <paramref name="build"/> (its result is kept alive until measured).</summary>
    public static long BytesAllocatedBy(Func<object> build)
    {
        Guard.NotNull(build);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var built = build();
        long after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(built);
        return after - before;
    }
}

/// <summary>HyperLogLog estimates at a known cardinality.</summary>
public sealed record HllSample(int Precision, long Cardinality, int Trial, double Raw, double Classic, double Ertl)
{
    public double RelativeError(HllEstimator estimator) => estimator switch
    {
        HllEstimator.Raw => Raw / Cardinality - 1,
        HllEstimator.Classic => Classic / Cardinality - 1,
        _ => Ertl / Cardinality - 1,
    };
}

/// <summary>Seeded HyperLogLog trials: each trial is a fresh stream of distinct items.</summary>
public static class HllExperiments
{
    /// <summary>
    /// For every trial, feeds <paramref name="cardinality"/> distinct items to one sketch per precision
    /// (each item hashed once, the same hash for every sketch) and records the estimates.
    /// </summary>
    public static IReadOnlyList<HllSample> ByPrecision(IReadOnlyList<int> precisions, long cardinality, int trials, int seed)
    {
        Guard.NotEmpty(precisions);
        Guard.InRange(cardinality, 1, 100_000_000);
        Guard.InRange(trials, 1, 100_000);
        var samples = new List<HllSample>();
        Span<byte> key = stackalloc byte[StreamItems.Size];
        for (int t = 0; t < trials; t++)
        {
            var sketches = precisions.Select(p => new HyperLogLog(p)).ToArray();
            int stream = seed * 100_003 + t;
            for (long i = 0; i < cardinality; i++)
            {
                StreamItems.Write(key, stream, i);
                ulong h = XxHash64.HashToUInt64(key);
                foreach (var s in sketches) s.AddHash(h);
            }
            samples.AddRange(sketches.Select(s => Sample(s, cardinality, t)));
        }
        return samples;
    }

    /// <summary>One stream per trial, estimated at each checkpoint as it grows (checkpoints ascending).</summary>
    public static IReadOnlyList<HllSample> ByCardinality(int precision, IReadOnlyList<long> checkpoints, int trials, int seed)
    {
        Guard.NotEmpty(checkpoints);
        Guard.That(checkpoints.Zip(checkpoints.Skip(1)).All(p => p.First < p.Second) && checkpoints[0] >= 1,
            "checkpoints must be positive and strictly ascending", nameof(checkpoints));
        Guard.InRange(checkpoints[^1], 1, 100_000_000);
        Guard.InRange(trials, 1, 100_000);
        var samples = new List<HllSample>();
        Span<byte> key = stackalloc byte[StreamItems.Size];
        for (int t = 0; t < trials; t++)
        {
            var sketch = new HyperLogLog(precision);
            int stream = seed * 100_003 + t;
            long i = 0;
            foreach (long checkpoint in checkpoints)
            {
                for (; i < checkpoint; i++)
                {
                    StreamItems.Write(key, stream, i);
                    sketch.Add(key);
                }
                samples.Add(Sample(sketch, checkpoint, t));
            }
        }
        return samples;
    }

    private static HllSample Sample(HyperLogLog s, long n, int trial)
        => new(s.Precision, n, trial, s.Estimate(HllEstimator.Raw), s.Estimate(HllEstimator.Classic), s.Estimate(HllEstimator.Ertl));
}

/// <summary>How a Count-Min sketch did on one stream.</summary>
public sealed record SketchMeasurement(double Epsilon, double Delta, int Width, int Depth, int Distinct, long Total,
    int Underestimates, int Overestimates, int BeyondBound, double MaxOvershootOverN, double MeanOvershootOverN, double QuantileOvershootOverBound)
{
    // QuantileOvershootOverBound: the (1 − δ)-quantile of the overshoots, in units of ε·N; the guarantee says at most 1.

    /// <summary>Fraction of distinct items whose overshoot exceeds ε·N (the guarantee: at most δ).</summary>
    public double BeyondBoundFraction => (double)BeyondBound / Distinct;
}

/// <summary>Count-Min sketch experiments on Zipf-distributed counts.</summary>
public static class SketchExperiments
{
    /// <summary>
    /// Counts for <paramref name="distinct"/> items that follow a Zipf law with exponent
    /// <paramref name="exponent"/>: item i gets about total/(i+1)^s / H, and at least 1.
    /// </summary>
    public static long[] ZipfCounts(int distinct, long total, double exponent)
    {
        Guard.InRange(distinct, 1, 10_000_000);
        Guard.InRange(total, distinct, long.MaxValue / 4);
        Guard.InRange(exponent, 0, 5);
        return Stats.ZipfWeights(distinct, exponent).Select(w => Math.Max(1, (long)Math.Round(total * w))).ToArray();
    }

    /// <summary>Item names for the i-th distinct item of an experiment.</summary>
    public static string ItemName(int i) => "item-" + i;

    /// <summary>Feeds the counts into a sketch sized from (ε, δ) and compares every estimate with the truth.</summary>
    public static SketchMeasurement CountMin(double epsilon, double delta, IReadOnlyList<long> counts)
    {
        Guard.NotEmpty(counts);
        var sketch = CountMinSketch.ForError(epsilon, delta);
        var names = Enumerable.Range(0, counts.Count).Select(i => System.Text.Encoding.UTF8.GetBytes(ItemName(i))).ToArray();
        for (int i = 0; i < counts.Count; i++) sketch.Add(names[i], counts[i]);
        double bound = epsilon * sketch.TotalCount;
        int under = 0, over = 0, beyond = 0;
        long maxOvershoot = 0;
        var overshoots = new long[counts.Count];
        for (int i = 0; i < counts.Count; i++)
        {
            long overshoot = overshoots[i] = sketch.Estimate(names[i]) - counts[i];
            if (overshoot < 0) under++;
            if (overshoot > 0) over++;
            if (overshoot > bound) beyond++;
            maxOvershoot = Math.Max(maxOvershoot, overshoot);
        }
        Array.Sort(overshoots);
        long quantile = overshoots[Math.Max(0, (int)Math.Ceiling((1 - delta) * counts.Count) - 1)];
        return new SketchMeasurement(epsilon, delta, sketch.Width, sketch.Depth, counts.Count, sketch.TotalCount,
            under, over, beyond, (double)maxOvershoot / sketch.TotalCount, overshoots.Average() / sketch.TotalCount, quantile / bound);
    }
}
