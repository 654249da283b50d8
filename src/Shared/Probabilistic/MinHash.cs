using System.IO.Hashing;
using System.Text;

namespace SystemDesign.Probabilistic;

/// <summary>
/// MinHash signatures for estimating Jaccard similarity |A ∩ B| / |A ∪ B| without comparing whole sets.
/// Hash function i is XxHash64 with its own seed; slot i of a set's signature is the smallest hash of any
/// member. Two sets have equal slot i exactly when the member of A ∪ B with the smallest hash lies in
/// A ∩ B, which happens with probability J; the fraction of equal slots over k hash functions is an
/// unbiased estimate of J with standard error √(J(1 − J)/k).
/// </summary>
public sealed class MinHash
{
    private readonly long[] _seeds;

    /// <summary>Number of hash functions, k (the signature length).</summary>
    public int Hashes { get; }

    public MinHash(int hashes, int seed = 0)
    {
        Hashes = Guard.InRange(hashes, 1, 4096);
        var random = new Random(seed);
        _seeds = Enumerable.Range(0, hashes).Select(_ => random.NextInt64()).ToArray();
    }

    /// <summary>The k minimum hashes of a set's members (duplicates do not matter).</summary>
    public ulong[] Signature(IEnumerable<string> items)
    {
        Guard.NotNull(items);
        var signature = new ulong[Hashes];
        Array.Fill(signature, ulong.MaxValue);
        Span<byte> buffer = stackalloc byte[256];
        foreach (var item in items)
        {
            Guard.NotNull(item);
            int n = Encoding.UTF8.GetMaxByteCount(item.Length) <= buffer.Length
                ? Encoding.UTF8.GetBytes(item, buffer)
                : -1;
            ReadOnlySpan<byte> bytes = n >= 0 ? (ReadOnlySpan<byte>)buffer[..n] : Encoding.UTF8.GetBytes(item);
            for (int i = 0; i < Hashes; i++)
            {
                ulong h = XxHash64.HashToUInt64(bytes, _seeds[i]);
                if (h < signature[i]) signature[i] = h;
            }
        }
        return signature;
    }

    /// <summary>The estimated Jaccard similarity: the fraction of slots where two signatures agree.</summary>
    public static double Similarity(IReadOnlyList<ulong> a, IReadOnlyList<ulong> b)
    {
        Guard.NotNull(a);
        Guard.NotNull(b);
        Guard.That(a.Count == b.Count && a.Count > 0, $"signatures must have the same non-zero length; got {a.Count} and {b.Count}", nameof(b));
        int equal = 0;
        for (int i = 0; i < a.Count; i++) if (a[i] == b[i]) equal++;
        return (double)equal / a.Count;
    }

    /// <summary>The exact Jaccard similarity of two sets (1 when both are empty).</summary>
    public static double Jaccard<T>(IReadOnlySet<T> a, IReadOnlySet<T> b)
    {
        Guard.NotNull(a);
        Guard.NotNull(b);
        int both = a.Count(b.Contains);
        int union = a.Count + b.Count - both;
        return union == 0 ? 1 : (double)both / union;
    }

    /// <summary>The standard error √(J(1 − J)/k) of the estimate for true similarity J with k hashes.</summary>
    public static double StandardError(double jaccard, int hashes)
    {
        Guard.InRange(jaccard, 0, 1);
        Guard.InRange(hashes, 1, int.MaxValue);
        return Math.Sqrt(jaccard * (1 - jaccard) / hashes);
    }

    /// <summary>
    /// LSH banding: true when the two signatures agree in every row of at least one of
    /// <paramref name="bands"/> bands of <paramref name="rows"/> consecutive slots.
    /// </summary>
    public static bool SharesBand(IReadOnlyList<ulong> a, IReadOnlyList<ulong> b, int bands, int rows)
    {
        Guard.NotNull(a);
        Guard.NotNull(b);
        Guard.InRange(bands, 1, 4096);
        Guard.InRange(rows, 1, 4096);
        Guard.That(a.Count == b.Count && a.Count >= bands * rows, $"signatures need at least {bands * rows} slots each; got {a.Count} and {b.Count}", nameof(b));
        for (int band = 0; band < bands; band++)
        {
            bool all = true;
            for (int r = band * rows; r < (band + 1) * rows && all; r++) all = a[r] == b[r];
            if (all) return true;
        }
        return false;
    }

    /// <summary>The probability 1 − (1 − s^r)^b that a pair with similarity s shares at least one band.</summary>
    public static double CandidateProbability(double similarity, int bands, int rows)
    {
        Guard.InRange(similarity, 0, 1);
        Guard.InRange(bands, 1, 4096);
        Guard.InRange(rows, 1, 4096);
        return 1 - Math.Pow(1 - Math.Pow(similarity, rows), bands);
    }
}
