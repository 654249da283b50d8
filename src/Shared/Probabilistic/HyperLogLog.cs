using System.IO.Hashing;
using System.Numerics;
using System.Text;

namespace SystemDesign.Probabilistic;

/// <summary>How <see cref="HyperLogLog.Estimate"/> turns registers into a cardinality.</summary>
public enum HllEstimator
{
    /// <summary>The harmonic-mean estimate α·m²/Σ2^−r alone: badly biased upward below about 5m items.</summary>
    Raw,

    /// <summary>Flajolet et al. (2007): the raw estimate, replaced by linear counting m·ln(m/V) when it is at most
    /// 2.5m and V registers are still zero (the small-range correction). No large-range correction is needed
    /// with a 64-bit hash.</summary>
    Classic,

    /// <summary>Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog sketches",
    /// 2017), which Redis has used since 2018 (redis/redis#4749): one formula over the register histogram, no switch-over bias.</summary>
    Ertl,
}

/// <summary>
/// HyperLogLog: a distinct-count estimate from m = 2^p small registers. Each item's 64-bit XxHash64 picks
/// a register with its low p bits; the register keeps the largest "rank" seen, the position of the lowest
/// set bit among the remaining 64 − p bits (a run of r − 1 zeros has probability 2^−r). The registers are
/// packed at 6 bits each, as in Redis's dense encoding: p = 14 gives 16,384 registers in 12,288 bytes and a
/// standard error of 1.04/√m ≈ 0.81%. Two sketches with the same p merge by taking register-wise maxima,
/// which gives exactly the sketch of the union stream.
/// <para>Redis hashes with MurmurHash64A, this class with XxHash64: the same stream gives different (equally
/// accurate) estimates, so compare error distributions, not values.</para>
/// </summary>
public sealed class HyperLogLog
{
    public const int MinPrecision = 4;
    public const int MaxPrecision = 18;

    /// <summary>Bits per register: ranks go up to 64 − p + 1 ≤ 61, which fits in 6 bits.</summary>
    public const int RegisterBits = 6;

    private const int RegisterMask = (1 << RegisterBits) - 1;
    private static readonly double[] PowersOfHalf = Enumerable.Range(0, 65).Select(r => Math.Pow(2, -r)).ToArray();

    private readonly byte[] _packed;
    // Copies for AddHash, the hot path: notebooks load a Debug build, where property calls are not inlined.
    private readonly int _p;
    private readonly ulong _indexMask;

    /// <summary>Precision p: the number of hash bits that choose a register.</summary>
    public int Precision { get; }

    /// <summary>Number of registers, m = 2^p.</summary>
    public int RegisterCount { get; }

    public HyperLogLog(int precision = 14)
    {
        Precision = Guard.InRange(precision, MinPrecision, MaxPrecision);
        RegisterCount = 1 << precision;
        _packed = new byte[DenseBytes(precision)];
        _p = precision;
        _indexMask = (ulong)RegisterCount - 1;
    }

    /// <summary>Bytes of m registers at 6 bits: 12,288 for p = 14.</summary>
    public static int DenseBytes(int precision)
    {
        Guard.InRange(precision, MinPrecision, MaxPrecision);
        return ((1 << precision) * RegisterBits + 7) / 8;
    }

    /// <summary>The asymptotic relative standard error 1.04/√m.</summary>
    public static double StandardError(int precision)
    {
        Guard.InRange(precision, MinPrecision, MaxPrecision);
        return 1.04 / Math.Sqrt(1 << precision);
    }

    /// <summary>Memory used by the registers, in bytes.</summary>
    public long SizeInBytes => _packed.Length;

    public bool Add(string item) => Add(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    /// <summary>Adds an item; true when a register changed (what PFADD's reply reports).</summary>
    public bool Add(ReadOnlySpan<byte> item) => AddHash(XxHash64.HashToUInt64(item));

    /// <summary>Adds an already-hashed item (a uniformly distributed 64-bit value).</summary>
    public bool AddHash(ulong hash)
    {
        int index = (int)(hash & _indexMask);
        // The sentinel bit caps the rank at 64 − p + 1 when the remaining bits are all zero.
        ulong rest = (hash >> _p) | (1UL << (64 - _p));
        int rank = BitOperations.TrailingZeroCount(rest) + 1;
        // Get(index), written out: the register occupies bits 6·index .. 6·index + 5.
        byte[] packed = _packed;
        int bit = index * RegisterBits, b = bit >> 3, shift = bit & 7;
        int current = packed[b] >> shift;
        if (shift > 8 - RegisterBits) current |= packed[b + 1] << (8 - shift);
        if (rank <= (current & RegisterMask)) return false;
        Set(index, rank);
        return true;
    }

    /// <summary>The value of register <paramref name="index"/> (0 when no item has chosen it).</summary>
    public int Register(int index)
    {
        Guard.InRange(index, 0, RegisterCount - 1);
        return Get(index);
    }

    /// <summary>How many registers hold each value 0..64 − p + 1.</summary>
    public int[] RegisterHistogram()
    {
        var histogram = new int[64 - Precision + 2];
        for (int i = 0; i < RegisterCount; i++) histogram[Get(i)]++;
        return histogram;
    }

    /// <summary>The estimated number of distinct items added.</summary>
    public double Estimate(HllEstimator estimator = HllEstimator.Classic)
        => EstimateFromHistogram(Precision, RegisterHistogram(), estimator);

    /// <summary>
    /// The estimate from a register histogram alone (how many of the m = 2^p registers hold each value
    /// 0..64 − p + 1): every estimator depends on the registers only through it. Lets a simulation that
    /// draws register values directly (<see cref="HllSimulation"/>) use exactly the estimator real sketches use.
    /// </summary>
    public static double EstimateFromHistogram(int precision, IReadOnlyList<int> histogram, HllEstimator estimator)
    {
        Guard.InRange(precision, MinPrecision, MaxPrecision);
        Guard.NotNull(histogram);
        Guard.That(histogram.Count == 64 - precision + 2 && histogram.Sum() == 1 << precision && histogram.All(h => h >= 0),
            $"histogram needs {64 - precision + 2} non-negative entries summing to {1 << precision}", nameof(histogram));
        var c = histogram;
        double m = 1 << precision;
        switch (estimator)
        {
            case HllEstimator.Raw:
            case HllEstimator.Classic:
                double sum = 0;
                for (int r = 0; r < c.Count; r++) sum += c[r] * PowersOfHalf[r];
                double raw = Alpha(1 << precision) * m * m / sum;
                if (estimator == HllEstimator.Classic && raw <= 2.5 * m && c[0] > 0)
                    return m * Math.Log(m / c[0]);
                return raw;
            case HllEstimator.Ertl:
                int q = 64 - precision;
                double z = m * Tau(1 - c[q + 1] / m);
                for (int k = q; k >= 1; k--) z = 0.5 * (z + c[k]);
                z += m * Sigma(c[0] / m);
                return m * m / (2 * Math.Log(2) * z);
            default:
                throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "estimator must be Raw, Classic or Ertl.");
        }
    }

    /// <summary>
    /// A sketch holding the given dense registers, 6 bits each, least significant first: the layout of
    /// Redis's dense encoding, so the 12,288 bytes after a dense Redis value's 16-byte header load as is.
    /// </summary>
    public static HyperLogLog FromDenseRegisters(int precision, ReadOnlySpan<byte> registers)
    {
        Guard.InRange(precision, MinPrecision, MaxPrecision);
        Guard.That(registers.Length == DenseBytes(precision),
            $"p = {precision} needs {DenseBytes(precision)} register bytes; got {registers.Length}", nameof(registers));
        var hll = new HyperLogLog(precision);
        registers.CopyTo(hll._packed);
        int cap = 64 - precision + 1;
        for (int i = 0; i < hll.RegisterCount; i++)
            Guard.That(hll.Get(i) <= cap, $"register {i} holds {hll.Get(i)}, above the cap {cap} for p = {precision}", nameof(registers));
        return hll;
    }

    /// <summary>The estimate rounded to a count.</summary>
    public long Count(HllEstimator estimator = HllEstimator.Classic) => (long)Math.Round(Estimate(estimator));

    /// <summary>Folds <paramref name="other"/> into this sketch: register-wise maximum, the sketch of the union.</summary>
    public void Merge(HyperLogLog other)
    {
        Guard.NotNull(other);
        Guard.That(other.Precision == Precision, $"both sketches need the same precision; this one has p = {Precision}, the other p = {other.Precision}", nameof(other));
        for (int i = 0; i < RegisterCount; i++)
        {
            int r = other.Get(i);
            if (r > Get(i)) Set(i, r);
        }
    }

    /// <summary>A new sketch of the union of the given sketches' streams.</summary>
    public static HyperLogLog Union(params HyperLogLog[] sketches)
    {
        Guard.NotEmpty(sketches);
        var union = new HyperLogLog(sketches[0].Precision);
        foreach (var s in sketches) union.Merge(s);
        return union;
    }

    /// <summary>Whether both sketches hold identical registers.</summary>
    public bool SameRegisters(HyperLogLog other)
        => Guard.NotNull(other).Precision == Precision && _packed.AsSpan().SequenceEqual(other._packed);

    private static double Alpha(int m) => m switch
    {
        16 => 0.673,
        32 => 0.697,
        64 => 0.709,
        _ => 0.7213 / (1 + 1.079 / m),
    };

    // σ and τ from Ertl (2017), as in Redis's hyperloglog.c: series summed until they stop changing.
    private static double Sigma(double x)
    {
        if (x == 1) return double.PositiveInfinity;
        double y = 1, z = x, previous;
        do
        {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        } while (previous != z);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0 || x == 1) return 0;
        double y = 1, z = 1 - x, previous;
        do
        {
            x = Math.Sqrt(x);
            previous = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        } while (previous != z);
        return z / 3;
    }

    // Register i occupies bits 6i .. 6i+5, least significant first, as in Redis's dense encoding.
    private int Get(int i)
    {
        int bit = i * RegisterBits, b = bit >> 3, shift = bit & 7;
        int v = _packed[b] >> shift;
        if (shift > 8 - RegisterBits) v |= _packed[b + 1] << (8 - shift);
        return v & RegisterMask;
    }

    private void Set(int i, int value)
    {
        int bit = i * RegisterBits, b = bit >> 3, shift = bit & 7;
        _packed[b] = (byte)((_packed[b] & ~(RegisterMask << shift)) | (value << shift));
        if (shift > 8 - RegisterBits)
            _packed[b + 1] = (byte)((_packed[b + 1] & ~(RegisterMask >> (8 - shift))) | (value >> (8 - shift)));
    }
}
