namespace SystemDesign.Distribution;

/// <summary>
/// Range sharding on a 128-bit key order: split points chosen so each range holds an equal part of the rows
/// already in the table (how Bigtable, HBase or CockroachDB end up after splitting by size), then new rows go
/// to the range their key falls in. Monotonic keys all land in the last range, whatever the split points.
/// </summary>
public sealed class RangeShards
{
    private readonly UInt128[] _splits; // ascending; range i holds keys in [splits[i-1], splits[i])

    private RangeShards(UInt128[] splits) => _splits = splits;

    /// <summary>Split points at the 1/r, 2/r, … quantiles of <paramref name="existing"/>.</summary>
    public static RangeShards SplitEvenly(IReadOnlyCollection<UInt128> existing, int ranges)
    {
        Guard.NotEmpty(existing);
        Guard.InRange(ranges, 1, Math.Max(1, existing.Count));
        var sorted = existing.ToArray();
        Array.Sort(sorted);
        var splits = Enumerable.Range(1, ranges - 1).Select(i => sorted[(int)((long)i * sorted.Length / ranges)]).ToArray();
        return new RangeShards(splits);
    }

    public int Ranges => _splits.Length + 1;

    /// <summary>The range (0-based) a key belongs to.</summary>
    public int RangeOf(UInt128 key)
    {
        int i = Array.BinarySearch(_splits, key);
        return i >= 0 ? i + 1 : ~i;
    }

    /// <summary>How many of <paramref name="keys"/> land in each range.</summary>
    public int[] Count(IEnumerable<UInt128> keys)
    {
        Guard.NotNull(keys);
        var counts = new int[Ranges];
        foreach (var k in keys) counts[RangeOf(k)]++;
        return counts;
    }
}
