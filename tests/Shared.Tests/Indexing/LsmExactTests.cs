using SystemDesign.Indexing;

namespace SystemDesign.Tests.Indexing;

/// <summary>A tiny LSM tree of either style, followed put by put: exact byte counters, file layout, lookups and scans.</summary>
public sealed class LsmExactTests
{
    // 42 puts of 14·i mod 100: 40 distinct even keys flushed in memtables of 4, the last 2 (60 and 74) left in memory.
    internal static LsmTree Build(CompactionStyle style)
    {
        var lsm = new LsmTree(new LsmOptions { MemtableEntries = 4, FileEntries = 4, SizeRatio = 2, L0Trigger = 2,
            EntryBytes = 100, BlockBytes = 200, Style = style });
        for (int i = 0; i < 42; i++) lsm.Put(i * 14 % 100, i);
        return lsm;
    }

    private static string Stats(LsmTree lsm)
    {
        var s = lsm.Stats();
        return $"puts={s.Puts} ingested={s.BytesIngested} flush={s.FlushBytes} compaction={s.CompactionBytes} " +
            $"read={s.CompactionReadBytes} n={s.Compactions} runs={s.SortedRuns} written=[{string.Join(",", s.WrittenPerLevel)}] " +
            $"files=[{string.Join(",", s.FilesPerLevel)}] entries=[{string.Join(",", s.EntriesPerLevel)}] memtable={lsm.MemtableCount}";
    }

    private static string Layout(LsmTree lsm) => string.Join(" / ", lsm.Levels.Select(l =>
        string.Join(" ", l.Select(t => $"{t.Id}:{t.Level}:{t.MinKey}-{t.MaxKey}:{t.Count}"))));

    private static string Cost(LsmLookup r) => $"{r.Found} {r.Value} {r.FromMemtable} {r.Candidates} {r.FiltersChecked} {r.TablesProbed}";

    private static string Scan(LsmTree lsm, long low, long high)
    {
        var s = lsm.Scan(low, high);
        return $"{s.TablesRead} {s.BlocksRead} {string.Join(",", s.Items.Select(e => $"{e.Key}={e.Value}"))}";
    }

    [Fact]
    public void Leveled_tree_has_an_exact_layout_and_costs()
    {
        var lsm = Build(CompactionStyle.Leveled);
        Assert.Equal("puts=42 ingested=4200 flush=4000 compaction=13200 read=13200 n=17 runs=3 written=[4000,7200,4400,1600] " +
            "files=[0,2,4,4] entries=[0,8,16,16] memtable=2", Stats(lsm));
        Assert.Equal(" / 33:1:4-32:4 36:1:76-90:4 / 39:2:48-54:4 40:2:56-66:4 19:2:68-82:4 26:2:92-98:4 / " +
            "29:3:0-10:4 30:3:12-22:4 41:3:26-36:4 42:3:38-46:4", Layout(lsm));
        Assert.Equal("True 1 False 2 2 1", Cost(lsm.Get(14)));
        Assert.Equal("True 1 False 2 0 2", Cost(lsm.Get(14, useFilters: false)));
        Assert.Equal("False 0 False 1 1 0", Cost(lsm.Get(41)));
        Assert.Equal("False 0 False 1 0 1", Cost(lsm.Get(41, useFilters: false)));
        Assert.Equal("False 0 False 0 0 0", Cost(lsm.Get(99))); // between 98 and nothing: no file covers it
        Assert.Equal("False 0 False 0 0 0", Cost(lsm.Get(-1)));
        Assert.Equal("True 40 True 0 0 0", Cost(lsm.Get(60)));
        // A file that overlaps the range but holds no key in it still costs one block.
        Assert.Equal("1 1 ", Scan(lsm, 41, 41));
        Assert.Equal("1 1 ", Scan(lsm, 1, 3));
        Assert.Equal("3 4 28=2,32=38,34=31,36=24,38=17,40=10", Scan(lsm, 28, 40));
        Assert.Equal("3 5 40=10,42=3,46=39,48=32,50=25,52=18,54=11,56=4", Scan(lsm, 40, 57));
        Assert.Equal("1 1 60=40", Scan(lsm, 60, 60)); // 60 is only in the memtable; file 56-66 still costs a block
        Assert.Equal("1 1 74=41", Scan(lsm, 74, 75));
        Assert.Equal(10, lsm.Scan(0, 98).TablesRead);
        Assert.Equal(20, lsm.Scan(0, 98).BlocksRead);
        Assert.Equal(42, lsm.Scan(0, 98).Items.Count);
    }

    [Fact]
    public void Tiered_tree_has_an_exact_layout_and_costs()
    {
        var lsm = Build(CompactionStyle.Tiered);
        Assert.Equal("puts=42 ingested=4200 flush=4000 compaction=10400 read=10400 n=8 runs=2 written=[4000,4000,3200,3200] " +
            "files=[0,1,0,1] entries=[0,8,0,32] memtable=2", Stats(lsm));
        Assert.Equal(" / 17:1:4-90:8 /  / 14:3:0-98:32", Layout(lsm));
        Assert.Equal("True 10 False 2 2 1", Cost(lsm.Get(40)));
        Assert.Equal("False 0 False 2 2 0", Cost(lsm.Get(41)));
        Assert.Equal("False 0 False 2 0 2", Cost(lsm.Get(41, useFilters: false)));
        Assert.Equal("True 7 False 1 1 1", Cost(lsm.Get(98)));
        Assert.Equal("2 2 ", Scan(lsm, 41, 41));
        Assert.Equal("2 5 40=10,42=3,46=39,48=32,50=25,52=18,54=11,56=4", Scan(lsm, 40, 57));
    }

    [Fact]
    public void Entries_per_block_is_block_over_entry_size()
    {
        Assert.Equal(40, new LsmOptions().EntriesPerBlock);
        Assert.Equal(1, new LsmOptions { EntryBytes = 4096 }.EntriesPerBlock);
    }
}

/// <summary>The LSM experiment harnesses and the composite index on small fixed inputs, exact counts.</summary>
public sealed class HarnessExactTests
{
    [Fact]
    public void Measure_reads_counts_probes_with_and_without_filters_for_a_fixed_seed()
    {
        var lsm = LsmExactTests.Build(CompactionStyle.Leveled);
        long[] present = [.. Enumerable.Range(0, 40).Select(i => (long)(i * 14 % 100))];
        Assert.Equal(new LsmReadCounts(20, 20, 28, 0, 0, 0), LsmExperiments.MeasureReads(lsm, present, 20, 3));
        // Keys spread over the whole range the absent keys are drawn from: misses meet files and filters.
        var wide = new LsmTree(new LsmOptions { MemtableEntries = 50, FileEntries = 50, SizeRatio = 4, BloomFalsePositiveRate = 0.1 });
        var rng = new Random(2);
        long[] keys = [.. Enumerable.Range(0, 1000).Select(_ => rng.NextInt64(0, long.MaxValue / 4) * 2)];
        foreach (long k in keys) wide.Put(k, k);
        wide.Flush();
        Assert.Equal(new LsmReadCounts(200, 209, 290, 41, 327, 327), LsmExperiments.MeasureReads(wide, keys, 200, 5));
    }

    [Fact]
    public void Write_amplification_sweep_for_a_fixed_seed()
    {
        var rows = LsmExperiments.WriteAmplificationSweep([3], entries: 1000, memtableEntries: 50, seed: 1);
        // 1000 entries are 20 flushes of 50.
        Assert.Equal(new WriteAmplificationRow(3, 3, 3, 4.3, 4.5, 15, 2.8, 3, 3, 4), Assert.Single(rows));
    }

    [Fact]
    public void A_range_on_the_first_column_ends_the_seek_and_the_next_equality_only_filters()
    {
        var index = new CompositeIndex(Enumerable.Range(0, 200).Select(i => (i / 20, i / 2 % 10, i % 2)), 4, 4);
        var r = index.Query(ColumnPredicate.Between(2, 3), ColumnPredicate.Equal(4), ColumnPredicate.Any);
        Assert.Equal(new IndexAccess("a in [2, 3] AND b = 4", 1, false, r.PagesRead, r.LeavesTouched, 40, 4), r);
        var all = index.Query(ColumnPredicate.Any, ColumnPredicate.Any, ColumnPredicate.Any);
        Assert.Equal(("(no condition)", 0, true, 200, 200), (all.Query, all.SeekColumns, all.FullScan, all.EntriesExamined, all.Matches));
    }
}
