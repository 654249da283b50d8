using System.Buffers.Binary;
using SystemDesign.Probabilistic;

namespace SystemDesign.Indexing;

/// <summary>How an LSM tree merges its sorted runs.</summary>
public enum CompactionStyle
{
    /// <summary>
    /// LevelDB/RocksDB default: level i ≥ 1 is one sorted run cut into files, T times larger than level i − 1;
    /// an overfull level pushes one file into the overlapping files of the next. Few runs to read, more rewriting.
    /// </summary>
    Leveled,

    /// <summary>
    /// Size-tiered (Cassandra's default, RocksDB "universal"): T runs of similar size merge into one run a tier
    /// down. Each entry is rewritten about once per tier, but a read may have to look at up to T runs per tier.
    /// </summary>
    Tiered,
}

/// <summary>Settings of an <see cref="LsmTree"/>, validated by its constructor.</summary>
public sealed record LsmOptions
{
    /// <summary>Entries the memtable holds before it is flushed as an SSTable.</summary>
    public int MemtableEntries { get; init; } = 1000;

    /// <summary>T: level i + 1 holds T times level i (leveled), or T runs of a tier merge (tiered).</summary>
    public int SizeRatio { get; init; } = 10;

    /// <summary>Leveled: number of L0 files that triggers the L0 → L1 merge (RocksDB's default is 4).</summary>
    public int L0Trigger { get; init; } = 4;

    /// <summary>Leveled: entries per SSTable file in levels ≥ 1.</summary>
    public int FileEntries { get; init; } = 1000;

    /// <summary>False-positive rate of each SSTable's Bloom filter; 0 builds no filters.</summary>
    public double BloomFalsePositiveRate { get; init; } = 0.01;

    /// <summary>Size of one key-value entry on disk, for byte counts.</summary>
    public int EntryBytes { get; init; } = 100;

    /// <summary>Block (page) size: a probe of an SSTable reads one block; a range scan reads the blocks it covers.</summary>
    public int BlockBytes { get; init; } = 4096;

    public CompactionStyle Style { get; init; } = CompactionStyle.Leveled;

    /// <summary>Entries per block.</summary>
    public int EntriesPerBlock => Math.Max(1, BlockBytes / EntryBytes);
}

/// <summary>One immutable sorted file: keys, values, and optionally a Bloom filter of its keys.</summary>
public sealed class SsTable
{
    internal SsTable(long[] keys, long[] values, int level, long id, double falsePositiveRate)
    {
        Keys = keys;
        Values = values;
        Level = level;
        Id = id;
        if (falsePositiveRate > 0)
        {
            Filter = BloomFilter.ForCapacity(keys.Length, falsePositiveRate);
            Span<byte> buffer = stackalloc byte[8];
            foreach (long k in keys)
            {
                BinaryPrimitives.WriteInt64LittleEndian(buffer, k);
                Filter.Add(buffer);
            }
        }
    }

    internal long[] Keys { get; }
    internal long[] Values { get; }

    public int Level { get; }

    /// <summary>Creation order: a larger id is newer.</summary>
    public long Id { get; }

    public BloomFilter? Filter { get; }

    public int Count => Keys.Length;
    public long MinKey => Keys[0];
    public long MaxKey => Keys[^1];

    public bool Covers(long key) => key >= MinKey && key <= MaxKey;

    public bool Overlaps(long low, long high) => low <= MaxKey && high >= MinKey;

    internal bool MightContain(long key)
    {
        if (Filter is null) return true;
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, key);
        return Filter.MightContain(buffer);
    }
}

/// <summary>
/// What a point lookup cost. Candidates: SSTables whose [min, max] covers the key, in search order, up to the
/// one that held it. FiltersChecked: Bloom filters consulted (in memory, no I/O). TablesProbed: SSTables whose
/// block was read, the read amplification of this lookup.
/// </summary>
public sealed record LsmLookup(bool Found, long Value, bool FromMemtable, int Candidates, int FiltersChecked, int TablesProbed);

/// <summary>What a range scan cost: sorted runs it had to open and blocks it read from them.</summary>
public sealed record LsmScan(IReadOnlyList<KeyValuePair<long, long>> Items, int TablesRead, int BlocksRead);

/// <summary>Byte counters and the shape of the tree; WrittenPerLevel holds the bytes written into each level by flushes (level 0) and compactions.</summary>
public sealed record LsmStats(long Puts, long BytesIngested, long WalBytes, long FlushBytes, long CompactionBytes,
    IReadOnlyList<long> WrittenPerLevel, IReadOnlyList<int> FilesPerLevel, IReadOnlyList<long> EntriesPerLevel, int Compactions)
{
    /// <summary>Bytes written to SSTables (flushes + compactions) per byte ingested; the WAL is reported separately.</summary>
    public double WriteAmplification => BytesIngested == 0 ? 0 : (double)(FlushBytes + CompactionBytes) / BytesIngested;

    /// <summary>Bytes written into one level per byte ingested: that level's share of the write amplification.</summary>
    public double LevelWriteAmplification(int level) => BytesIngested == 0 || level >= WrittenPerLevel.Count ? 0 : (double)WrittenPerLevel[level] / BytesIngested;

    /// <summary>Levels (leveled) or tiers (tiered) that hold data, level 0 included.</summary>
    public int LevelsInUse => EntriesPerLevel.Count(e => e > 0);

    /// <summary>Sorted runs a lookup may have to consult: every L0 file plus one per deeper level (leveled), every run (tiered).</summary>
    public int SortedRuns { get; init; }

    /// <summary>Bytes compactions read back to merge them: the read side of the write amplification.</summary>
    public long CompactionReadBytes { get; init; }
}

/// <summary>
/// A log-structured merge tree over 64-bit keys. Writes go to a WAL (counted, not stored) and an in-memory
/// sorted memtable; a full memtable is flushed as an immutable SSTable; background compaction merges
/// SSTables so reads have few places to look. Reads check the memtable, then SSTables newest first,
/// skipping any whose key range or Bloom filter rules the key out. Every byte written is counted, which is
/// what the write-amplification argument is about. No deletes (tombstones) and no real disk: it is a model.
/// </summary>
public sealed class LsmTree
{
    // RocksDB's memtable is a skip list; a hash map sorted when flushed produces the same SSTable, faster.
    private readonly Dictionary<long, long> _memtable = [];
    private readonly List<List<SsTable>> _levels = [[]];
    private readonly List<long> _written = [0];
    private readonly List<long> _compactPointer = [long.MinValue];
    private long _nextId;
    private long _puts, _flushBytes, _compactionBytes, _compactionReadBytes;
    private int _compactions;

    public LsmOptions Options { get; }

    public LsmTree(LsmOptions options)
    {
        Options = Guard.NotNull(options);
        Guard.InRange(options.MemtableEntries, 1, 10_000_000, nameof(options.MemtableEntries));
        Guard.InRange(options.SizeRatio, 2, 100, nameof(options.SizeRatio));
        Guard.InRange(options.L0Trigger, 1, 100, nameof(options.L0Trigger));
        Guard.InRange(options.FileEntries, 1, 10_000_000, nameof(options.FileEntries));
        Guard.That(options.BloomFalsePositiveRate == 0 || options.BloomFalsePositiveRate is > 0 and < 1,
            $"BloomFalsePositiveRate must be 0 (no filters) or strictly between 0 and 1; got {options.BloomFalsePositiveRate}", nameof(options.BloomFalsePositiveRate));
        Guard.InRange(options.EntryBytes, 1, 1 << 20, nameof(options.EntryBytes));
        Guard.InRange(options.BlockBytes, options.EntryBytes, 1 << 24, nameof(options.BlockBytes));
    }

    /// <summary>Entries in the memtable, not yet flushed.</summary>
    public int MemtableCount => _memtable.Count;

    /// <summary>The SSTables of each level (or tier), level 0 first; level 0 and tiers newest last.</summary>
    public IReadOnlyList<IReadOnlyList<SsTable>> Levels => _levels;

    /// <summary>Entries a full level (≥ 1) may hold before it spills: L0Trigger · memtable · T^(level−1).</summary>
    public long LevelCapacity(int level)
    {
        Guard.InRange(level, 1, 40);
        return (long)(Options.L0Trigger * (double)Options.MemtableEntries * Math.Pow(Options.SizeRatio, level - 1));
    }

    public void Put(long key, long value)
    {
        _puts++;
        _memtable[key] = value;
        if (_memtable.Count >= Options.MemtableEntries) Flush();
    }

    /// <summary>Writes the memtable out as a level-0 SSTable and runs any compaction that is now due.</summary>
    public void Flush()
    {
        if (_memtable.Count == 0) return;
        long[] keys = [.. _memtable.Keys], values = [.. _memtable.Values];
        Array.Sort(keys, values);
        var table = NewTable(keys, values, 0);
        _memtable.Clear();
        _levels[0].Add(table);
        _flushBytes += (long)table.Count * Options.EntryBytes;
        _written[0] += (long)table.Count * Options.EntryBytes;
        if (Options.Style == CompactionStyle.Leveled) CompactLeveled(); else CompactTiered();
    }

    /// <summary>Point lookup; with <paramref name="useFilters"/> false the Bloom filters are ignored, to measure what they save on the same tree.</summary>
    public LsmLookup Get(long key, bool useFilters = true)
    {
        if (_memtable.TryGetValue(key, out long v)) return new LsmLookup(true, v, true, 0, 0, 0);
        int candidates = 0, filters = 0, probes = 0;
        foreach (var table in SearchOrder(key))
        {
            candidates++;
            if (useFilters && table.Filter is not null)
            {
                filters++;
                if (!table.MightContain(key)) continue;
            }
            probes++;
            int pos = Array.BinarySearch(table.Keys, key);
            if (pos >= 0) return new LsmLookup(true, table.Values[pos], false, candidates, filters, probes);
        }
        return new LsmLookup(false, 0, false, candidates, filters, probes);
    }

    /// <summary>
    /// Entries with low ≤ key ≤ high, newest version of each. Bloom filters cannot help here: every run whose
    /// range overlaps must be read, at least one block each.
    /// </summary>
    public LsmScan Scan(long low, long high)
    {
        Guard.That(low <= high, $"low ({low}) must not exceed high ({high})", nameof(low));
        var result = new SortedDictionary<long, long>();
        int tables = 0, blocks = 0;
        // Oldest first (deepest level first, and within a level the oldest file first), so newer versions overwrite older ones.
        for (int l = _levels.Count - 1; l >= 0; l--)
            foreach (var table in _levels[l])
            {
                if (!table.Overlaps(low, high)) continue;
                tables++;
                int from = LowerBound(table.Keys, low), to = UpperBound(table.Keys, high);
                blocks += to > from ? (to - 1) / Options.EntriesPerBlock - from / Options.EntriesPerBlock + 1 : 1;
                for (int i = from; i < to; i++) result[table.Keys[i]] = table.Values[i];
            }
        foreach (var (k, v) in _memtable)
            if (k >= low && k <= high) result[k] = v;
        return new LsmScan(result.ToArray(), tables, blocks);
    }

    public LsmStats Stats()
    {
        var files = _levels.Select(l => l.Count).ToArray();
        var entries = _levels.Select(l => l.Sum(t => (long)t.Count)).ToArray();
        int runs = Options.Style == CompactionStyle.Leveled
            ? _levels[0].Count + _levels.Skip(1).Count(l => l.Count > 0)
            : _levels.Sum(l => l.Count);
        return new LsmStats(_puts, _puts * Options.EntryBytes, _puts * Options.EntryBytes, _flushBytes, _compactionBytes,
            _written.ToArray(), files, entries, _compactions) { SortedRuns = runs, CompactionReadBytes = _compactionReadBytes };
    }

    // Tables that may hold the key, in the order a read must consult them: newest data first.
    private IEnumerable<SsTable> SearchOrder(long key)
    {
        if (Options.Style == CompactionStyle.Tiered)
        {
            foreach (var tier in _levels)
                for (int i = tier.Count - 1; i >= 0; i--)
                    if (tier[i].Covers(key)) yield return tier[i];
            yield break;
        }
        for (int i = _levels[0].Count - 1; i >= 0; i--)
            if (_levels[0][i].Covers(key)) yield return _levels[0][i];
        for (int l = 1; l < _levels.Count; l++)
        {
            var files = _levels[l];
            int lo = 0, hi = files.Count - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) / 2;
                if (files[mid].MaxKey < key) lo = mid + 1;
                else if (files[mid].MinKey > key) hi = mid - 1;
                else { yield return files[mid]; break; }
            }
        }
    }

    private void CompactLeveled()
    {
        if (_levels[0].Count >= Options.L0Trigger)
        {
            // L0 files overlap each other, so all of them merge with every L1 file they overlap.
            EnsureLevel(1);
            long min = _levels[0].Min(t => t.MinKey), max = _levels[0].Max(t => t.MaxKey);
            var older = _levels[1].Where(t => t.Overlaps(min, max)).ToList();
            var merged = Concat(older);
            foreach (var t in _levels[0]) merged = Merge((t.Keys, t.Values), merged); // oldest first, newer wins
            long read = _levels[0].Sum(t => (long)t.Count) + older.Sum(t => (long)t.Count);
            _levels[0].Clear();
            Install(1, older, merged, read);
        }
        for (int level = 1; level < _levels.Count; level++)
        {
            while (_levels[level].Sum(t => (long)t.Count) > LevelCapacity(level))
            {
                EnsureLevel(level + 1);
                var files = _levels[level];
                // Round-robin through the key space, as LevelDB's compaction pointer does.
                var pick = files.FirstOrDefault(t => t.MinKey > _compactPointer[level]) ?? files[0];
                _compactPointer[level] = pick.MaxKey;
                var older = _levels[level + 1].Where(t => t.Overlaps(pick.MinKey, pick.MaxKey)).ToList();
                var merged = Merge((pick.Keys, pick.Values), Concat(older));
                files.Remove(pick);
                Install(level + 1, older, merged, pick.Count + older.Sum(t => (long)t.Count));
            }
        }
    }

    private void CompactTiered()
    {
        for (int tier = 0; tier < _levels.Count; tier++)
        {
            if (_levels[tier].Count < Options.SizeRatio) break;
            EnsureLevel(tier + 1);
            (long[] Keys, long[] Values) merged = (Array.Empty<long>(), Array.Empty<long>());
            foreach (var t in _levels[tier]) merged = Merge((t.Keys, t.Values), merged);
            long read = _levels[tier].Sum(t => (long)t.Count);
            _levels[tier].Clear();
            var table = NewTable(merged.Keys, merged.Values, tier + 1);
            _levels[tier + 1].Add(table);
            Account(tier + 1, table.Count, read);
        }
    }

    // Replaces the overlapped files of a level by the merged run, cut into files of FileEntries entries.
    private void Install(int level, List<SsTable> replaced, (long[] Keys, long[] Values) merged, long entriesRead)
    {
        var files = _levels[level];
        foreach (var t in replaced) files.Remove(t);
        for (int start = 0; start < merged.Keys.Length; start += Options.FileEntries)
        {
            int n = Math.Min(Options.FileEntries, merged.Keys.Length - start);
            files.Add(NewTable(merged.Keys[start..(start + n)], merged.Values[start..(start + n)], level));
        }
        files.Sort((x, y) => x.MinKey.CompareTo(y.MinKey));
        Account(level, merged.Keys.Length, entriesRead);
    }

    private void Account(int level, long entries, long entriesRead)
    {
        _compactionReadBytes += entriesRead * Options.EntryBytes;
        long bytes = entries * Options.EntryBytes;
        _compactionBytes += bytes;
        _written[level] += bytes;
        _compactions++;
    }

    private void EnsureLevel(int level)
    {
        while (_levels.Count <= level)
        {
            _levels.Add([]);
            _written.Add(0);
            _compactPointer.Add(long.MinValue);
        }
    }

    private SsTable NewTable(long[] keys, long[] values, int level) => new(keys, values, level, _nextId++, Options.BloomFalsePositiveRate);

    private static (long[] Keys, long[] Values) Concat(List<SsTable> tables)
        => (tables.SelectMany(t => t.Keys).ToArray(), tables.SelectMany(t => t.Values).ToArray());

    // Two-way merge of sorted runs; on equal keys the newer run's value wins.
    private static (long[] Keys, long[] Values) Merge((long[] Keys, long[] Values) newer, (long[] Keys, long[] Values) older)
    {
        var keys = new long[newer.Keys.Length + older.Keys.Length];
        var values = new long[keys.Length];
        int i = 0, j = 0, n = 0;
        while (i < newer.Keys.Length || j < older.Keys.Length)
        {
            if (j == older.Keys.Length || (i < newer.Keys.Length && newer.Keys[i] <= older.Keys[j]))
            {
                if (j < older.Keys.Length && newer.Keys[i] == older.Keys[j]) j++; // drop the older version
                keys[n] = newer.Keys[i];
                values[n++] = newer.Values[i++];
            }
            else
            {
                keys[n] = older.Keys[j];
                values[n++] = older.Values[j++];
            }
        }
        return (keys[..n], values[..n]);
    }

    // First index whose key is ≥ key (keys are unique within a table).
    private static int LowerBound(long[] keys, long key)
    {
        int pos = Array.BinarySearch(keys, key);
        return pos >= 0 ? pos : ~pos;
    }

    // First index whose key is > key.
    private static int UpperBound(long[] keys, long key)
    {
        int pos = Array.BinarySearch(keys, key);
        return pos >= 0 ? pos + 1 : ~pos;
    }
}
