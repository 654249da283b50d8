using System.IO.Hashing;
using System.Numerics;
using System.Text;

namespace SystemDesign.Probabilistic;

/// <summary>
/// A Bloom filter: m bits and k hash functions; no false negatives, false positives at a rate set by
/// m/n and k. The k bit positions come from one 128-bit XxHash128 split into two 64-bit halves,
/// g_i = h1 + i·h2 mod m (Kirsch and Mitzenmacher), which keeps the asymptotic false-positive rate of k
/// independent hashes at the cost of one hash per operation.
/// </summary>
public sealed class BloomFilter
{
    private readonly ulong[] _words;

    /// <summary>Number of bits, m.</summary>
    public long Bits { get; }

    /// <summary>Number of hash functions, k.</summary>
    public int Hashes { get; }

    /// <summary>Items added so far (counting repeats), n.</summary>
    public long Count { get; private set; }

    public BloomFilter(long bits, int hashes)
    {
        Bits = Guard.InRange(bits, 8, 1L << 36);
        Hashes = Guard.InRange(hashes, 1, 64);
        _words = new ulong[(bits + 63) / 64];
    }

    /// <summary>A filter sized for <paramref name="expectedItems"/> at false-positive rate <paramref name="falsePositiveRate"/>, with the optimal k.</summary>
    public static BloomFilter ForCapacity(long expectedItems, double falsePositiveRate)
    {
        long m = OptimalBits(expectedItems, falsePositiveRate);
        return new BloomFilter(m, OptimalHashes(m, expectedItems));
    }

    /// <summary>m = ⌈−n·ln p / (ln 2)²⌉: bits needed for n items at false-positive rate p with the best k.</summary>
    public static long OptimalBits(long expectedItems, double falsePositiveRate)
    {
        Guard.InRange(expectedItems, 1, 1L << 32);
        Guard.OpenUnit(falsePositiveRate);
        return Math.Max(8, (long)Math.Ceiling(-expectedItems * Math.Log(falsePositiveRate) / (Math.Log(2) * Math.Log(2))));
    }

    /// <summary>k = round((m/n)·ln 2), at least 1: the k that minimises the false-positive rate.</summary>
    public static int OptimalHashes(long bits, long expectedItems)
    {
        Guard.InRange(bits, 1, long.MaxValue);
        Guard.InRange(expectedItems, 1, long.MaxValue);
        return Math.Clamp((int)Math.Round((double)bits / expectedItems * Math.Log(2)), 1, 64);
    }

    /// <summary>The classic estimate (1 − e^(−kn/m))^k of the false-positive rate after n insertions.</summary>
    public static double TheoreticalFalsePositiveRate(long bits, long items, int hashes)
    {
        Guard.InRange(bits, 1, long.MaxValue);
        Guard.InRange(items, 0, long.MaxValue);
        Guard.InRange(hashes, 1, 64);
        return Math.Pow(1 - Math.Exp(-(double)hashes * items / bits), hashes);
    }

    /// <summary>The expected false-positive rate of this filter at its current <see cref="Count"/>.</summary>
    public double ExpectedFalsePositiveRate => TheoreticalFalsePositiveRate(Bits, Count, Hashes);

    /// <summary>Fraction of bits set; (1 − e^(−kn/m)) in expectation.</summary>
    public double FillRatio => _words.Sum(w => (long)BitOperations.PopCount(w)) / (double)Bits;

    /// <summary>Memory used by the bit array, in bytes.</summary>
    public long SizeInBytes => _words.Length * sizeof(ulong);

    public void Add(string item) => Add(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    public void Add(ReadOnlySpan<byte> item)
    {
        var (h1, h2) = Hash(item);
        for (int i = 0; i < Hashes; i++)
        {
            long bit = Index(h1, h2, i);
            _words[bit >> 6] |= 1UL << (int)(bit & 63);
        }
        Count++;
    }

    public bool MightContain(string item) => MightContain(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    public bool MightContain(ReadOnlySpan<byte> item)
    {
        var (h1, h2) = Hash(item);
        for (int i = 0; i < Hashes; i++)
        {
            long bit = Index(h1, h2, i);
            if ((_words[bit >> 6] & (1UL << (int)(bit & 63))) == 0) return false;
        }
        return true;
    }

    /// <summary>The k bit positions of an item (for drawing the filter).</summary>
    public long[] Positions(string item)
    {
        var (h1, h2) = Hash(Encoding.UTF8.GetBytes(Guard.NotNull(item)));
        return Enumerable.Range(0, Hashes).Select(i => Index(h1, h2, i)).ToArray();
    }

    /// <summary>Whether bit <paramref name="index"/> is set.</summary>
    public bool IsSet(long index)
    {
        Guard.InRange(index, 0, Bits - 1);
        return (_words[index >> 6] & (1UL << (int)(index & 63))) != 0;
    }

    internal static (ulong H1, ulong H2) Hash(ReadOnlySpan<byte> item)
    {
        UInt128 h = XxHash128.HashToUInt128(item);
        // An odd step visits every residue when m is a power of two and avoids h2 = 0 in general.
        return ((ulong)(h >> 64), (ulong)h | 1);
    }

    private long Index(ulong h1, ulong h2, int i) => (long)((h1 + (ulong)i * h2) % (ulong)Bits);
}
