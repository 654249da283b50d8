namespace SystemDesign.Indexing;

/// <summary>
/// Measured I/O per operation of one storage engine, in pages (blocks) of the same size. The model: internal
/// B-tree pages, LSM Bloom filters and SSTable block indexes are cached (they are small); every leaf or data
/// block touched is one I/O; a B-tree writes back each page an insert dirties (random keys over a tree much
/// larger than memory, so writes do not coalesce); an LSM writes and reads its runs sequentially. WAL writes
/// are left out of both (each engine logs every insert once).
/// </summary>
public sealed record EngineCosts(string Engine, double InsertPagesRead, double InsertPagesWritten, double WriteAmplification,
    double PointReadPresent, double PointReadAbsent, double RangeScan, int RangeKeys, bool SequentialWrites)
{
    public double InsertPages => InsertPagesRead + InsertPagesWritten;
}

/// <summary>Pages per operation of a workload mix on both engines.</summary>
public sealed record MixCost(string Mix, double InsertShare, string Reads, double BTreePagesPerOp, double LsmPagesPerOp)
{
    /// <summary>LSM cost over B-tree cost: below 1, the LSM does less I/O.</summary>
    public double LsmOverBTree => LsmPagesPerOp / BTreePagesPerOp;
}

/// <summary>
/// B-tree versus LSM on the same keys: inserts N random keys into each, then measures point reads of present
/// and absent keys and short range scans. Costs come from the structures' own page counters, not constants.
/// </summary>
public static class StorageComparison
{
    /// <summary>A B+tree whose leaves hold pageBytes/entryBytes entries and whose internal pages hold pageBytes/16 children (8-byte key + 8-byte pointer).</summary>
    public static EngineCosts MeasureBTree(int entries, int pageBytes, int entryBytes, int lookups, int rangeKeys, int seed)
    {
        Guard.InRange(entries, 100, 5_000_000);
        Guard.InRange(pageBytes, 512, 1 << 20);
        Guard.InRange(entryBytes, 8, pageBytes / 2);
        Guard.InRange(lookups, 1, 1_000_000);
        Guard.InRange(rangeKeys, 1, entries);
        var keys = RandomKeys(entries, seed);
        var tree = new BPlusTree<long, long>(Math.Max(3, pageBytes / 16), pageBytes / entryBytes);
        foreach (long k in keys) tree.Insert(k, k);

        var sorted = keys.Order().ToArray();
        var rng = new Random(seed + 1);
        double present = 0, absent = 0, range = 0;
        int cachedLevels = tree.Height - 1; // internal pages cached: a point read costs its leaf
        for (int i = 0; i < lookups; i++)
        {
            present += tree.Search(keys[rng.Next(keys.Length)]).PagesRead - cachedLevels;
            absent += tree.Search(AbsentKey(rng)).PagesRead - cachedLevels;
            int start = rng.Next(sorted.Length - rangeKeys + 1);
            range += tree.Range(sorted[start], sorted[start + rangeKeys - 1]).LeavesTouched;
        }
        double written = (double)tree.PagesWritten / entries;
        return new EngineCosts("B-tree", 1, written, written * pageBytes / entryBytes,
            present / lookups, absent / lookups, range / lookups, rangeKeys, SequentialWrites: false);
    }

    /// <summary>An LSM tree with the given options (its BlockBytes is the page size) over the same kind of keys.</summary>
    public static EngineCosts MeasureLsm(LsmOptions options, int entries, int lookups, int rangeKeys, int seed)
    {
        Guard.NotNull(options);
        Guard.InRange(entries, 100, 5_000_000);
        Guard.InRange(lookups, 1, 1_000_000);
        Guard.InRange(rangeKeys, 1, entries);
        var keys = RandomKeys(entries, seed);
        var lsm = new LsmTree(options);
        foreach (long k in keys) lsm.Put(k, k);
        lsm.Flush();
        var stats = lsm.Stats();

        var sorted = keys.Order().ToArray();
        var rng = new Random(seed + 1);
        double present = 0, absent = 0, range = 0;
        for (int i = 0; i < lookups; i++)
        {
            present += lsm.Get(keys[rng.Next(keys.Length)]).TablesProbed;
            absent += lsm.Get(AbsentKey(rng)).TablesProbed;
            int start = rng.Next(sorted.Length - rangeKeys + 1);
            range += lsm.Scan(sorted[start], sorted[start + rangeKeys - 1]).BlocksRead;
        }
        double perInsert = (double)options.EntryBytes / options.BlockBytes;
        return new EngineCosts(options.Style == CompactionStyle.Leveled ? "LSM (leveled)" : "LSM (tiered)",
            (double)stats.CompactionReadBytes / stats.BytesIngested * perInsert,
            stats.WriteAmplification * perInsert, stats.WriteAmplification,
            present / lookups, absent / lookups, range / lookups, rangeKeys, SequentialWrites: true);
    }

    /// <summary>
    /// Proven amortised bound on pages written per insert into a <see cref="BPlusTree{TKey, TValue}"/> without
    /// deletes: each insert writes its leaf (1); a leaf split writes at most 3 more (the new leaf, the right
    /// neighbour whose back link changes, the parent); an internal split 2 more (the new page, its parent).
    /// Every leaf of a tree with two or more leaves keeps at least l = ⌊(L+1)/2⌋ entries, so leaf splits ≤ n/l;
    /// every non-root internal page keeps at least h = ⌊(f+1)/2⌋ children, so internal pages (hence internal
    /// splits) ≤ (leaves + h)/(h − 1). Total: 1 + 3/l + 2·(1/l + h/n)/(h − 1).
    /// </summary>
    public static double BTreeInsertWriteBound(int leafCapacity, int fanout, long entries)
    {
        Guard.InRange(leafCapacity, 2, 1_000_000);
        Guard.InRange(fanout, 3, 1_000_000);
        Guard.InRange(entries, 1, long.MaxValue / 2);
        double l = (leafCapacity + 1) / 2, h = (fanout + 1) / 2;
        return 1 + 3 / l + 2 * (1 / l + h / entries) / (h - 1);
    }

    /// <summary>Pages per operation when a share of operations are inserts and the rest are reads of one kind ("point" or "range").</summary>
    public static MixCost Mix(string name, double insertShare, string reads, EngineCosts btree, EngineCosts lsm)
    {
        Guard.NotEmpty(name);
        Guard.InRange(insertShare, 0, 1);
        Guard.That(reads is "point" or "range", $"reads must be \"point\" or \"range\"; got \"{reads}\"", nameof(reads));
        Guard.NotNull(btree);
        Guard.NotNull(lsm);
        double Cost(EngineCosts e) => insertShare * e.InsertPages + (1 - insertShare) * (reads == "point" ? e.PointReadPresent : e.RangeScan);
        return new MixCost(name, insertShare, reads, Cost(btree), Cost(lsm));
    }

    // Even keys are stored; odd keys are never inserted, so they are certainly absent.
    private static long[] RandomKeys(int count, int seed)
    {
        var rng = new Random(seed);
        var set = new HashSet<long>(count);
        while (set.Count < count) set.Add(rng.NextInt64(0, long.MaxValue / 4) * 2);
        return [.. set];
    }

    private static long AbsentKey(Random rng) => rng.NextInt64(0, long.MaxValue / 4) * 2 + 1;
}
