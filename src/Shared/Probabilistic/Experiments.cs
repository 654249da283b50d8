using System.Buffers.Binary;
using System.IO.Hashing;

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
        Guard.InRange(destination.Length, Size, int.MaxValue, nameof(destination));
        BinaryPrimitives.WriteInt32LittleEndian(destination, stream);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], index);
    }

    public static byte[] Item(int stream, long index)
    {
        var bytes = new byte[Size];
        Write(bytes, stream, index);
        return bytes;
    }
}

/// <summary>One false-positive measurement: n members added, then probes that were never added.</summary>
public sealed record FilterMeasurement(long Bits, int Hashes, int Items, int Probes, int FalsePositives, int FalseNegatives)
{
    public double BitsPerItem => (double)Bits / Items;
    public double Rate => (double)FalsePositives / Probes;
    public double Theory => BloomFilter.TheoreticalFalsePositiveRate(Bits, Items, Hashes);
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
        return new FilterMeasurement(bits, hashes, items, probes, falsePositives, falseNegatives);
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
    int Underestimates, int Overestimates, int BeyondBound, double MaxOvershootOverN)
{
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
        double h = Enumerable.Range(1, distinct).Sum(i => Math.Pow(i, -exponent));
        return Enumerable.Range(1, distinct).Select(i => Math.Max(1, (long)Math.Round(total * Math.Pow(i, -exponent) / h))).ToArray();
    }

    /// <summary>Item names for the i-th distinct item of an experiment.</summary>
    public static string ItemName(int i) => "item-" + i;

    /// <summary>Feeds the counts into a sketch sized from (ε, δ) and compares every estimate with the truth.</summary>
    public static SketchMeasurement CountMin(double epsilon, double delta, IReadOnlyList<long> counts)
    {
        Guard.NotEmpty(counts);
        var sketch = CountMinSketch.ForError(epsilon, delta);
        var names = Enumerable.Range(0, counts.Count).Select(ItemName).ToArray();
        for (int i = 0; i < counts.Count; i++) sketch.Add(names[i], counts[i]);
        double bound = epsilon * sketch.TotalCount;
        int under = 0, over = 0, beyond = 0;
        long maxOvershoot = 0;
        for (int i = 0; i < counts.Count; i++)
        {
            long overshoot = sketch.Estimate(names[i]) - counts[i];
            if (overshoot < 0) under++;
            if (overshoot > 0) over++;
            if (overshoot > bound) beyond++;
            maxOvershoot = Math.Max(maxOvershoot, overshoot);
        }
        return new SketchMeasurement(epsilon, delta, sketch.Width, sketch.Depth, counts.Count, sketch.TotalCount,
            under, over, beyond, (double)maxOvershoot / sketch.TotalCount);
    }
}
