namespace SystemDesign.Probabilistic;

/// <summary>What the interactive Bloom filter cell draws: the bit array and each tested word's k positions.</summary>
public sealed record BloomPicture(string[] Tested, string[] Rows, double[][] Z, string? FalsePositive);

/// <summary>Helpers behind the Bloom and cuckoo filter cells.</summary>
public static class FilterChecks
{
    /// <summary>
    /// The first of word0, word1, … (up to <paramref name="candidates"/>) that was never added yet is reported
    /// present, or null when none is.
    /// </summary>
    public static string? FindFalsePositive(BloomFilter filter, IReadOnlySet<string> added, int candidates = 200_000)
    {
        Guard.NotNull(filter);
        Guard.NotNull(added);
        Guard.InRange(candidates, 1, 10_000_000);
        for (int i = 0; i < candidates; i++)
        {
            string w = $"word{i}";
            if (!added.Contains(w) && filter.MightContain(w)) return w;
        }
        return null;
    }

    /// <summary>
    /// Heat-map rows: row 0 is the bit array (1 = set); then one row per tested word (plus the false positive
    /// found, if any) with 1 at its set positions and −1 at its clear ones.
    /// </summary>
    public static BloomPicture Picture(BloomFilter filter, IReadOnlyList<string> tested, IReadOnlySet<string> added)
    {
        Guard.NotNull(filter);
        Guard.NotNull(tested);
        Guard.InRange(filter.Bits, 1, 65_536);
        string? fp = FindFalsePositive(filter, added);
        var words = tested.Concat(fp is null ? Array.Empty<string>() : new[] { fp }).Distinct().ToArray();
        var rows = new[] { "bit array" }.Concat(words.Select(w => $"{w}: {Verdict(filter, w)}")).ToArray();
        var z = new double[rows.Length][];
        z[0] = Enumerable.Range(0, (int)filter.Bits).Select(i => filter.IsSet(i) ? 1.0 : 0.0).ToArray();
        for (int r = 0; r < words.Length; r++)
        {
            z[r + 1] = new double[filter.Bits];
            foreach (long p in filter.Positions(words[r])) z[r + 1][p] = filter.IsSet(p) ? 1 : -1;
        }
        return new BloomPicture(words, rows, z, fp);
    }

    /// <summary>"probably yes" or "definitely not".</summary>
    public static string Verdict(BloomFilter filter, string word)
        => Guard.NotNull(filter).MightContain(Guard.NotNull(word)) ? "probably yes" : "definitely not";

    /// <summary>
    /// Measured memory of a cuckoo filter filled until its first refused insert: the bytes the runtime
    /// allocated for it (slot array, object, its Random), per item stored, in bits.
    /// </summary>
    public static CuckooMemory CuckooBitsPerItem(long buckets, int fingerprintBits, int seed)
    {
        CuckooFilter filter = null!;
        long bytes = MemoryProbe.BytesAllocatedBy(() => filter = new CuckooFilter(buckets, fingerprintBits, seed: seed));
        Span<byte> key = stackalloc byte[StreamItems.Size];
        long added = 0;
        while (true)
        {
            StreamItems.Write(key, 3 * seed + 1, added);
            if (!filter.Add(key)) break;
            added++;
        }
        return new CuckooMemory(buckets, fingerprintBits, filter.Count, filter.LoadFactor, bytes, filter.PackedSizeInBytes);
    }

    /// <summary>Measured bytes allocated by a Bloom filter for n items at rate p, in bits per item.</summary>
    public static double BloomBitsPerItem(long items, double falsePositiveRate)
        => MemoryProbe.BytesAllocatedBy(() => BloomFilter.ForCapacity(items, falsePositiveRate)) * 8.0 / Guard.InRange(items, 1, 1L << 32);

    /// <summary>Measured bytes allocated by a counting Bloom filter for n items at rate p, in bits per item.</summary>
    public static double CountingBitsPerItem(long items, double falsePositiveRate)
        => MemoryProbe.BytesAllocatedBy(() => CountingBloomFilter.ForCapacity(items, falsePositiveRate)) * 8.0 / Guard.InRange(items, 1, 1L << 32);
}

/// <summary>A cuckoo filter's measured allocation and what a bit-packed table of f-bit slots would take.</summary>
public sealed record CuckooMemory(long Buckets, int FingerprintBits, long Items, double LoadFactor, long AllocatedBytes, long PackedBytes)
{
    /// <summary>Measured: allocated bits per stored item (16-bit slots in this implementation).</summary>
    public double AllocatedBitsPerItem => AllocatedBytes * 8.0 / Items;

    /// <summary>A packed table's bits per item at the same load: f / load.</summary>
    public double PackedBitsPerItem => PackedBytes * 8.0 / Items;
}
