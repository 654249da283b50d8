using System.Text;

namespace SystemDesign.Probabilistic;

/// <summary>
/// A Bloom filter that can delete: every bit becomes a 4-bit counter (two per byte, so 4× the memory of
/// a plain filter with the same m), incremented on add and decremented on remove. An item is "probably
/// present" when all k of its counters are non-zero. Positions are computed exactly as in
/// <see cref="BloomFilter"/> (same m and k give the same positions).
/// <para>
/// Overflow: a counter that reaches <see cref="MaxCounter"/> (15) sticks there: further adds do not wrap it
/// to 0 and removes do not decrement it. A stuck counter can only cause extra false positives, never a
/// false negative. With the optimal k the chance that any counter reaches 16 is about 1.37e-15 × m
/// (Fan et al., "Summary Cache", 2000), so in practice it does not happen; <see cref="SaturatedCounters"/>
/// reports it if it does.
/// </para>
/// <para>
/// Removing an item that was never added is the one way to break it: if that item was a false positive,
/// its counters belong to other items, and decrementing them can turn those items into false negatives.
/// <see cref="Remove(ReadOnlySpan{byte})"/> refuses items whose counters are not all non-zero, but it cannot
/// detect a false positive: remove only what you added.
/// </para>
/// </summary>
public sealed class CountingBloomFilter
{
    /// <summary>The largest value a 4-bit counter holds; a counter that reaches it stays there.</summary>
    public const int MaxCounter = 15;

    private readonly byte[] _nibbles;

    /// <summary>Number of counters, m (the bit count of the equivalent plain filter).</summary>
    public long Counters { get; }

    /// <summary>Number of hash functions, k.</summary>
    public int Hashes { get; }

    /// <summary>Items currently in the filter: adds minus successful removes.</summary>
    public long Count { get; private set; }

    /// <summary>Counters that reached <see cref="MaxCounter"/> and are stuck there.</summary>
    public long SaturatedCounters { get; private set; }

    public CountingBloomFilter(long counters, int hashes)
    {
        Counters = Guard.InRange(counters, 8, 1L << 34);
        Hashes = Guard.InRange(hashes, 1, 64);
        _nibbles = new byte[(counters + 1) / 2];
    }

    /// <summary>A filter sized like <see cref="BloomFilter.ForCapacity"/>: m from (n, p), the optimal k.</summary>
    public static CountingBloomFilter ForCapacity(long expectedItems, double falsePositiveRate)
    {
        long m = BloomFilter.OptimalBits(expectedItems, falsePositiveRate);
        return new CountingBloomFilter(m, BloomFilter.OptimalHashes(m, expectedItems));
    }

    /// <summary>Memory used by the counters, in bytes: m/2, four times a plain filter's m/8.</summary>
    public long SizeInBytes => _nibbles.Length;

    /// <summary>The expected false-positive rate at the current <see cref="Count"/>: the plain filter's formula.</summary>
    public double ExpectedFalsePositiveRate => BloomFilter.TheoreticalFalsePositiveRate(Counters, Count, Hashes);

    /// <summary>The largest counter value in the filter.</summary>
    public int MaxCounterValue
    {
        get
        {
            int max = 0;
            for (long i = 0; i < Counters && max < MaxCounter; i++) max = Math.Max(max, Get(i));
            return max;
        }
    }

    public void Add(string item) => Add(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    public void Add(ReadOnlySpan<byte> item)
    {
        var (h1, h2) = BloomFilter.Hash(item);
        for (int i = 0; i < Hashes; i++)
        {
            long c = BloomFilter.Position(h1, h2, i, Counters);
            int v = Get(c);
            if (v == MaxCounter) continue;
            Set(c, v + 1);
            if (v + 1 == MaxCounter) SaturatedCounters++;
        }
        Count++;
    }

    /// <summary>
    /// Removes one copy of an item that was added. Returns false, changing nothing, when the filter says the
    /// item is definitely not present. Saturated counters are left alone (see the class remarks).
    /// </summary>
    public bool Remove(string item) => Remove(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    /// <inheritdoc cref="Remove(string)"/>
    public bool Remove(ReadOnlySpan<byte> item)
    {
        if (!MightContain(item)) return false;
        var (h1, h2) = BloomFilter.Hash(item);
        for (int i = 0; i < Hashes; i++)
        {
            long c = BloomFilter.Position(h1, h2, i, Counters);
            int v = Get(c);
            // v can be 0 here only when two of the k positions coincide and an earlier step emptied it.
            if (v is > 0 and < MaxCounter) Set(c, v - 1);
        }
        Count--;
        return true;
    }

    public bool MightContain(string item) => MightContain(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    public bool MightContain(ReadOnlySpan<byte> item)
    {
        var (h1, h2) = BloomFilter.Hash(item);
        for (int i = 0; i < Hashes; i++)
            if (Get(BloomFilter.Position(h1, h2, i, Counters)) == 0) return false;
        return true;
    }

    /// <summary>The k counter positions of an item (for drawing the filter).</summary>
    public long[] Positions(string item)
    {
        var (h1, h2) = BloomFilter.Hash(Encoding.UTF8.GetBytes(Guard.NotNull(item)));
        return Enumerable.Range(0, Hashes).Select(i => BloomFilter.Position(h1, h2, i, Counters)).ToArray();
    }

    /// <summary>The value of counter <paramref name="index"/>.</summary>
    public int Counter(long index)
    {
        Guard.InRange(index, 0, Counters - 1);
        return Get(index);
    }

    private int Get(long i) => (_nibbles[i >> 1] >> (int)((i & 1) << 2)) & 0xF;

    private void Set(long i, int value)
    {
        int shift = (int)((i & 1) << 2);
        ref byte b = ref _nibbles[i >> 1];
        b = (byte)((b & ~(0xF << shift)) | (value << shift));
    }
}
