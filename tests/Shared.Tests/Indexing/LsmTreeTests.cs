using SystemDesign.Indexing;

namespace SystemDesign.Tests.Indexing;

public sealed class LsmTreeTests
{
    private static LsmTree Load(LsmOptions options, int n, int keySpace, int seed, Dictionary<long, long> truth)
    {
        var lsm = new LsmTree(options);
        var rng = new Random(seed);
        for (int i = 0; i < n; i++)
        {
            long k = rng.Next(keySpace);
            lsm.Put(k, i);
            truth[k] = i;
        }
        return lsm;
    }

    [Theory]
    [InlineData(CompactionStyle.Leveled, 0.01)]
    [InlineData(CompactionStyle.Leveled, 0.0)]
    [InlineData(CompactionStyle.Tiered, 0.01)]
    public void Reads_return_the_newest_value_and_scans_the_newest_versions(CompactionStyle style, double fpr)
    {
        var truth = new Dictionary<long, long>();
        var lsm = Load(new LsmOptions { MemtableEntries = 50, FileEntries = 50, SizeRatio = 4, Style = style, BloomFalsePositiveRate = fpr }, 20_000, 5000, 1, truth);
        foreach (var (k, v) in truth) Assert.Equal(v, lsm.Get(k).Value);
        Assert.False(lsm.Get(-1).Found);
        Assert.False(lsm.Get(10_000).Found);
        var scan = lsm.Scan(100, 400);
        Assert.Equal(truth.Where(e => e.Key is >= 100 and <= 400).OrderBy(e => e.Key), scan.Items);
        // Levels ≥ 1 of a leveled tree are single sorted runs: files do not overlap.
        if (style == CompactionStyle.Leveled)
            foreach (var level in lsm.Levels.Skip(1))
                for (int i = 1; i < level.Count; i++) Assert.True(level[i - 1].MaxKey < level[i].MinKey);
    }

    [Fact]
    public void Leveled_rewrites_more_than_tiered_but_keeps_fewer_runs_and_levels_within_capacity()
    {
        var leveled = new LsmTree(new LsmOptions { MemtableEntries = 100, FileEntries = 100, SizeRatio = 4 });
        var tiered = new LsmTree(new LsmOptions { MemtableEntries = 100, SizeRatio = 4, Style = CompactionStyle.Tiered });
        var rng = new Random(2);
        double runsLeveled = 0, runsTiered = 0;
        for (int i = 1; i <= 40_000; i++)
        {
            long k = rng.Next(int.MaxValue);
            leveled.Put(k, i);
            tiered.Put(k, i);
            if (i % 100 == 0)
            {
                runsLeveled += leveled.Stats().SortedRuns;
                runsTiered += tiered.Stats().SortedRuns;
            }
        }
        var a = leveled.Stats();
        Assert.True(a.WriteAmplification > tiered.Stats().WriteAmplification);
        Assert.True(runsLeveled < runsTiered); // averaged over the run: a snapshot can go either way
        for (int l = 1; l < leveled.Levels.Count; l++) Assert.True(a.EntriesPerLevel[l] <= leveled.LevelCapacity(l));
        Assert.Equal(40_000L * 100, a.BytesIngested);
    }

    [Fact]
    public void Bloom_filters_cut_probes_for_absent_keys()
    {
        LsmTree Build(double fpr)
        {
            var lsm = new LsmTree(new LsmOptions { MemtableEntries = 100, FileEntries = 100, SizeRatio = 4, BloomFalsePositiveRate = fpr });
            var rng = new Random(3);
            for (int i = 0; i < 20_000; i++) lsm.Put(rng.Next(int.MaxValue / 2) * 2L, i); // even keys only
            return lsm;
        }
        var with = Build(0.01);
        var without = Build(0);
        var probe = new Random(4);
        double probesWith = 0, probesWithout = 0, candidates = 0;
        const int lookups = 2000;
        for (int i = 0; i < lookups; i++)
        {
            long odd = probe.Next(int.MaxValue / 2) * 2L + 1; // never inserted
            var a = with.Get(odd);
            var b = without.Get(odd);
            Assert.False(a.Found || b.Found);
            Assert.Equal(a.Candidates, b.Candidates);
            Assert.Equal(b.Candidates, b.TablesProbed); // without filters every covering table is read
            probesWith += a.TablesProbed;
            probesWithout += b.TablesProbed;
            candidates += a.Candidates;
        }
        // With filters a probe happens only on a false positive: about 1% of the candidates (5σ binomial bound).
        double p = 0.01, sigma = Math.Sqrt(candidates * p * (1 - p));
        Assert.InRange(probesWith, 0, candidates * p + 5 * sigma);
        Assert.True(probesWith * 10 < probesWithout);
    }

    [Fact]
    public void Rejects_bad_options_naming_them()
    {
        Assert.Equal("SizeRatio", Assert.Throws<ArgumentOutOfRangeException>(() => new LsmTree(new LsmOptions { SizeRatio = 1 })).ParamName);
        Assert.Equal("BloomFalsePositiveRate", Assert.Throws<ArgumentException>(() => new LsmTree(new LsmOptions { BloomFalsePositiveRate = 1 })).ParamName);
        Assert.Equal("low", Assert.Throws<ArgumentException>(() => new LsmTree(new LsmOptions()).Scan(5, 1)).ParamName);
    }
}
