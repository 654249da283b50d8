using System.IO.Hashing;
using System.Numerics;
using System.Text;

namespace SystemDesign.Probabilistic;

/// <summary>
/// Cuckoo filter (Fan, Andersen, Kaminsky and Mitzenmacher, 2014): an approximate set that stores an f-bit
/// fingerprint of each item in one of two buckets of 4 slots. Partial-key cuckoo hashing makes the second
/// bucket computable from the first and the fingerprint alone, i2 = i1 ⊕ hash(fingerprint), so a full
/// bucket can evict a fingerprint to its other bucket without knowing the original item, and delete is
/// just removing one copy of the fingerprint. A lookup reads two buckets (2·4 slots), so the false-positive
/// rate is at most 8/2^f; tables fill to about 95% before an insert fails.
/// <para>Fingerprints are kept in 16-bit slots for simplicity; <see cref="PackedSizeInBytes"/> is what a
/// bit-packed table of f-bit slots takes. When an insert fails after <see cref="MaxKicks"/> evictions, the
/// last evicted fingerprint is kept in a one-entry stash (so nothing already added is lost) and further
/// inserts are refused until a delete makes room.</para>
/// </summary>
public sealed class CuckooFilter
{
    /// <summary>Slots per bucket, b.</summary>
    public const int SlotsPerBucket = 4;

    private readonly ushort[] _slots; // 0 = empty
    private readonly Random _random;
    private ushort _stash;
    private long _stashBucket;

    /// <summary>Number of buckets (a power of two).</summary>
    public long Buckets { get; }

    /// <summary>Bits per fingerprint, f.</summary>
    public int FingerprintBits { get; }

    /// <summary>Evictions tried before an insert gives up.</summary>
    public int MaxKicks { get; }

    /// <summary>Fingerprints stored (items added minus items removed).</summary>
    public long Count { get; private set; }

    public CuckooFilter(long buckets, int fingerprintBits = 12, int maxKicks = 500, int seed = 0)
    {
        Guard.InRange(buckets, 1, 1L << 30);
        Guard.That(BitOperations.IsPow2(buckets), $"buckets must be a power of two (partial-key cuckoo hashing uses XOR); got {buckets}", nameof(buckets));
        Buckets = buckets;
        FingerprintBits = Guard.InRange(fingerprintBits, 4, 16);
        MaxKicks = Guard.InRange(maxKicks, 0, 100_000);
        _slots = new ushort[buckets * SlotsPerBucket];
        _random = new Random(seed);
    }

    /// <summary>
    /// A filter for <paramref name="expectedItems"/> at false-positive rate at most <paramref name="falsePositiveRate"/>:
    /// f = ⌈log2(2b/p)⌉ bits and enough buckets to stay under 95% full.
    /// </summary>
    public static CuckooFilter ForCapacity(long expectedItems, double falsePositiveRate, int seed = 0)
    {
        Guard.InRange(expectedItems, 1, 1L << 31);
        Guard.OpenUnit(falsePositiveRate);
        int f = Math.Clamp((int)Math.Ceiling(Math.Log2(2.0 * SlotsPerBucket / falsePositiveRate)), 4, 16);
        long buckets = (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Ceiling(expectedItems / (SlotsPerBucket * 0.95)));
        return new CuckooFilter(buckets, f, seed: seed);
    }

    /// <summary>The bound 2b/2^f on the false-positive rate (a lookup compares against up to 2b fingerprints).</summary>
    public static double FalsePositiveBound(int fingerprintBits)
    {
        Guard.InRange(fingerprintBits, 4, 16);
        return 2.0 * SlotsPerBucket / (1 << fingerprintBits);
    }

    /// <summary>Slots in the table, b × buckets.</summary>
    public long Capacity => _slots.LongLength;

    /// <summary>Fraction of slots in use.</summary>
    public double LoadFactor => (double)(Count - (_stash != 0 ? 1 : 0)) / Capacity;

    /// <summary>Memory of the 16-bit slots actually used here, in bytes.</summary>
    public long SizeInBytes => _slots.LongLength * sizeof(ushort);

    /// <summary>Memory of a table packing f-bit slots, in bytes.</summary>
    public long PackedSizeInBytes => (_slots.LongLength * FingerprintBits + 7) / 8;

    /// <summary>Whether the stash holds an evicted fingerprint, so inserts are refused until a delete.</summary>
    public bool IsFull => _stash != 0;

    public bool Add(string item) => Add(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    /// <summary>Adds an item; false (and nothing changed) when the filter is full.</summary>
    public bool Add(ReadOnlySpan<byte> item)
    {
        if (IsFull) return false;
        var (fp, i1) = Locate(item);
        long i2 = Alternate(i1, fp);
        if (TryPut(i1, fp) || TryPut(i2, fp))
        {
            Count++;
            return true;
        }
        long bucket = _random.Next(2) == 0 ? i1 : i2;
        for (int kick = 0; kick < MaxKicks; kick++)
        {
            int slot = _random.Next(SlotsPerBucket);
            long at = bucket * SlotsPerBucket + slot;
            (fp, _slots[at]) = (_slots[at], fp);
            bucket = Alternate(bucket, fp);
            if (TryPut(bucket, fp))
            {
                Count++;
                return true;
            }
        }
        // The new item is in the table; the fingerprint left over goes to the stash.
        _stash = fp;
        _stashBucket = bucket;
        Count++;
        return true;
    }

    public bool MightContain(string item) => MightContain(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    public bool MightContain(ReadOnlySpan<byte> item)
    {
        var (fp, i1) = Locate(item);
        long i2 = Alternate(i1, fp);
        return InBucket(i1, fp) >= 0 || InBucket(i2, fp) >= 0
               || (_stash == fp && (_stashBucket == i1 || _stashBucket == i2));
    }

    /// <summary>Removes one copy of an item's fingerprint; false when it is not there. Remove only what you added.</summary>
    public bool Remove(string item) => Remove(Encoding.UTF8.GetBytes(Guard.NotNull(item)));

    /// <inheritdoc cref="Remove(string)"/>
    public bool Remove(ReadOnlySpan<byte> item)
    {
        var (fp, i1) = Locate(item);
        long i2 = Alternate(i1, fp);
        if (_stash == fp && (_stashBucket == i1 || _stashBucket == i2))
        {
            _stash = 0;
            Count--;
            return true;
        }
        foreach (long bucket in new[] { i1, i2 })
        {
            int slot = InBucket(bucket, fp);
            if (slot < 0) continue;
            _slots[bucket * SlotsPerBucket + slot] = 0;
            Count--;
            if (_stash != 0 && (TryPut(_stashBucket, _stash) || TryPut(Alternate(_stashBucket, _stash), _stash))) _stash = 0;
            return true;
        }
        return false;
    }

    private (ushort Fingerprint, long Bucket) Locate(ReadOnlySpan<byte> item)
    {
        ulong h = XxHash64.HashToUInt64(item);
        ushort fp = (ushort)((h >> 32) & ((1UL << FingerprintBits) - 1));
        if (fp == 0) fp = 1; // 0 marks an empty slot
        return (fp, (long)(h & (ulong)(Buckets - 1)));
    }

    private long Alternate(long bucket, ushort fp)
    {
        Span<byte> bytes = stackalloc byte[2];
        BitConverter.TryWriteBytes(bytes, fp);
        return (bucket ^ (long)XxHash64.HashToUInt64(bytes, seed: 0x5bd1e995)) & (Buckets - 1);
    }

    private bool TryPut(long bucket, ushort fp)
    {
        long start = bucket * SlotsPerBucket;
        for (int s = 0; s < SlotsPerBucket; s++)
        {
            if (_slots[start + s] != 0) continue;
            _slots[start + s] = fp;
            return true;
        }
        return false;
    }

    private int InBucket(long bucket, ushort fp)
    {
        long start = bucket * SlotsPerBucket;
        for (int s = 0; s < SlotsPerBucket; s++) if (_slots[start + s] == fp) return s;
        return -1;
    }
}
