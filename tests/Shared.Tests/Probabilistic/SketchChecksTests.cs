using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class SketchChecksTests
{
    private static readonly long[] Zipf = SketchExperiments.ZipfCounts(10_000, 500_000, 1.0);

    [Fact]
    public void One_row_overshoot_matches_its_width_and_rejects_a_wrong_one()
    {
        var right = SketchChecks.OneRow(0.001, Zipf);
        Assert.Equal((int)Math.Ceiling(Math.E / 0.001), right.Width);
        double w = right.Width;
        Assert.InRange(right.MeanOvershoot, right.ExpectedMean(w) - 4 * right.Sigma(Zipf, w), right.ExpectedMean(w) + 4 * right.Sigma(Zipf, w));
        var wrong = SketchChecks.OneRow(1_000, Zipf);
        Assert.True(Math.Abs(wrong.MeanOvershoot - right.ExpectedMean(w)) > 10 * right.Sigma(Zipf, w));
    }

    [Fact]
    public void Shuffled_events_hold_each_item_its_count_times()
    {
        var counts = new long[] { 3, 0, 2 };
        var events = SketchChecks.ShuffledEvents(counts, 1);
        Assert.Equal(5, events.Length);
        Assert.Equal(3, events.Count(e => e == SketchExperiments.ItemName(0)));
        Assert.Equal(2, events.Count(e => e == SketchExperiments.ItemName(2)));
        Assert.Equal(events, SketchChecks.ShuffledEvents(counts, 1));
        Assert.ThrowsAny<ArgumentException>(() => SketchChecks.ShuffledEvents(new long[] { -1 }, 1));
    }

    [Fact]
    public void MinHash_estimates_have_unit_rms_z_scores()
    {
        var estimates = SketchChecks.MinHashEstimates(new[] { 64 }, new[] { 0.2, 0.5, 0.8 }, seeds: 40);
        double rms = Math.Sqrt(estimates.Average(e => e.Z * e.Z));
        Assert.InRange(rms, 1 - 4 / Math.Sqrt(240), 1 + 4 / Math.Sqrt(240));
    }

    [Fact]
    public void Banding_follows_the_s_curve()
    {
        var points = SketchChecks.Banding(new[] { 0.3, 0.7, 0.9 }, bands: 16, rows: 4, setSize: 40, families: 200, seed: 2);
        Assert.All(points, p => Assert.InRange(p.CandidateRate, p.Theory - 4 * p.Sigma - 0.01, p.Theory + 4 * p.Sigma + 0.01));
        Assert.Equal(1 - Math.Pow(1 - Math.Pow(0.5, 4), 16), MinHash.CandidateProbability(0.5, 16, 4), 12);
        Assert.True(MinHash.SharesBand(new ulong[] { 1, 2, 3, 4 }, new ulong[] { 9, 9, 3, 4 }, 2, 2));
        Assert.False(MinHash.SharesBand(new ulong[] { 1, 2, 3, 4 }, new ulong[] { 1, 9, 3, 9 }, 2, 2));
        Assert.ThrowsAny<ArgumentException>(() => MinHash.SharesBand(new ulong[] { 1 }, new ulong[] { 1 }, 2, 2));
    }

    [Fact]
    public void Bloom_picture_marks_positions_and_finds_a_false_positive()
    {
        var filter = new BloomFilter(64, 3);
        var added = new[] { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j" }.ToHashSet();
        foreach (var w in added) filter.Add(w);
        var picture = FilterChecks.Picture(filter, new[] { "a", "zz" }, added);
        Assert.NotNull(picture.FalsePositive);
        Assert.True(filter.MightContain(picture.FalsePositive) && !added.Contains(picture.FalsePositive));
        Assert.Equal(picture.Tested.Length + 1, picture.Rows.Length);
        Assert.All(filter.Positions("a"), p => Assert.Equal(1, picture.Z[1][p]));
    }

    [Fact]
    public void Cuckoo_memory_is_measured_from_the_allocation()
    {
        var memory = FilterChecks.CuckooBitsPerItem(1 << 10, 10, seed: 1);
        Assert.InRange(memory.LoadFactor, 0.9, 1.0);
        // 16-bit slots: 16 bits / load, plus a few hundred bytes of object and Random.
        Assert.InRange(memory.AllocatedBitsPerItem, 16 / memory.LoadFactor, 16 / memory.LoadFactor * 1.1);
        Assert.InRange(memory.PackedBitsPerItem, 10 / memory.LoadFactor - 0.01, 10 / memory.LoadFactor + 0.01);
    }

    [Fact]
    public void Lsm_cost_carries_its_theory()
    {
        var lsm = FilterExperiments.LsmLookups(10, 1_000, 0.01, 5_000, seed: 3);
        Assert.InRange(lsm.TablesReadPerMissingKey, lsm.MissingTheory - 4 * lsm.MissingSigma, lsm.MissingTheory + 4 * lsm.MissingSigma);
        Assert.InRange(lsm.TablesReadPerPresentKey, lsm.PresentTheory - 4 * lsm.PresentSigma, lsm.PresentTheory + 4 * lsm.PresentSigma);
    }
}
