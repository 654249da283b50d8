namespace SystemDesign.Indexing;

/// <summary>
/// SSTables read by point lookups on one tree, summed over <see cref="Lookups"/> lookups of present keys and as
/// many of absent keys, with and without the Bloom filters. AbsentCandidates: tables whose key range covered
/// the absent key (the filters consulted); with filters each is read with the false-positive probability.
/// </summary>
public sealed record LsmReadCounts(int Lookups, double PresentWith, double PresentWithout, double AbsentWith,
    double AbsentWithout, double AbsentCandidates)
{
    public double PresentWithMean => PresentWith / Lookups;
    public double PresentWithoutMean => PresentWithout / Lookups;
    public double AbsentWithMean => AbsentWith / Lookups;
    public double AbsentWithoutMean => AbsentWithout / Lookups;
}

/// <summary>One size ratio of the write-amplification sweep: the same keys through a leveled and a tiered tree.</summary>
public sealed record WriteAmplificationRow(int T, int Levels, double LowerBound, double Leveled, double Estimate,
    double WorstCase, double Tiered, double TieredBound, int LeveledRuns, int TieredRuns);

/// <summary>The harness loops of the LSM experiments, so the notebook only sets parameters and checks.</summary>
public static class LsmExperiments
{
    /// <summary>
    /// Point lookups on a built tree: present keys drawn from <paramref name="presentKeys"/> (seeded), absent
    /// keys odd (the notebook stores even keys only), each looked up with and without the filters.
    /// </summary>
    public static LsmReadCounts MeasureReads(LsmTree tree, IReadOnlyList<long> presentKeys, int lookups, int seed)
    {
        Guard.NotNull(tree);
        Guard.NotNull(presentKeys);
        Guard.That(presentKeys.Count > 0, "need at least one present key", nameof(presentKeys));
        Guard.InRange(lookups, 1, 10_000_000);
        double presentWith = 0, presentWithout = 0, absentWith = 0, absentWithout = 0, candidates = 0;
        var rng = new Random(seed);
        for (int i = 0; i < lookups; i++)
        {
            long present = presentKeys[rng.Next(presentKeys.Count)];
            presentWith += tree.Get(present).TablesProbed;
            presentWithout += tree.Get(present, useFilters: false).TablesProbed;
            long absent = rng.NextInt64(0, long.MaxValue / 4) * 2 + 1;
            var miss = tree.Get(absent);
            absentWith += miss.TablesProbed;
            candidates += miss.Candidates;
            absentWithout += tree.Get(absent, useFilters: false).TablesProbed;
        }
        return new LsmReadCounts(lookups, presentWith, presentWithout, absentWith, absentWithout, candidates);
    }

    /// <summary>
    /// For each size ratio T: <paramref name="entries"/> random keys (seeded, the same for every T) into a
    /// leveled and a tiered tree with the given memtable and file size and no Bloom filters. Reports the
    /// measured write amplification beside <see cref="LsmTheory"/>'s lower bound, estimate and worst case.
    /// </summary>
    public static IReadOnlyList<WriteAmplificationRow> WriteAmplificationSweep(IReadOnlyList<int> sizeRatios,
        int entries, int memtableEntries, int seed)
    {
        Guard.NotNull(sizeRatios);
        Guard.That(sizeRatios.Count > 0, "need at least one size ratio", nameof(sizeRatios));
        Guard.InRange(entries, 1, 10_000_000);
        Guard.InRange(memtableEntries, 1, 1_000_000);
        LsmStats Run(int t, CompactionStyle style)
        {
            var tree = new LsmTree(new LsmOptions
            {
                MemtableEntries = memtableEntries, FileEntries = memtableEntries, SizeRatio = Guard.InRange(t, 2, 1000),
                BloomFalsePositiveRate = 0, Style = style,
            });
            var rng = new Random(seed);
            for (int i = 0; i < entries; i++) tree.Put(rng.NextInt64(), i);
            return tree.Stats();
        }
        long flushes = entries / memtableEntries;
        return sizeRatios.Select(t =>
        {
            var leveled = Run(t, CompactionStyle.Leveled);
            var tiered = Run(t, CompactionStyle.Tiered);
            int levels = leveled.EntriesPerLevel.Skip(1).Count(e => e > 0);
            return new WriteAmplificationRow(t, levels, LsmTheory.LeveledLowerBound(leveled), leveled.WriteAmplification,
                LsmTheory.LeveledEstimate(levels, t), LsmTheory.LeveledWorstCase(levels, t), tiered.WriteAmplification,
                LsmTheory.TieredBound(Math.Max(1, flushes), t), leveled.SortedRuns, tiered.SortedRuns);
        }).ToArray();
    }
}
