using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class CuckooStashTests
{
    [Fact]
    public void A_cuckoo_filter_keeps_its_stashed_fingerprint_findable_and_removable_until_empty()
    {
        var filter = new CuckooFilter(buckets: 2, fingerprintBits: 16, maxKicks: 10, seed: 1);
        var added = new List<string>();
        for (int i = 0; i < 100 && !filter.IsFull; i++)
        {
            Assert.True(filter.Add($"i{i}"));
            added.Add($"i{i}");
        }
        Assert.True(filter.IsFull);
        Assert.Equal(added.Count, filter.Count);
        Assert.Equal((double)(added.Count - 1) / filter.Capacity, filter.LoadFactor); // the stash is not a slot
        Assert.False(filter.Add("one more"));
        Assert.Equal(added.Count, filter.Count);
        Assert.All(added, x => Assert.True(filter.MightContain(x)));

        // Remove in insertion order: one of them frees a slot (the stash moves in) or is the stashed one.
        for (int k = 0; k < added.Count; k++)
        {
            Assert.True(filter.Remove(added[k]));
            Assert.Equal(added.Count - k - 1, filter.Count);
            Assert.False(filter.IsFull);
            Assert.Equal((double)filter.Count / filter.Capacity, filter.LoadFactor);
            for (int r = k + 1; r < added.Count; r++) Assert.True(filter.MightContain(added[r]));
        }
        Assert.All(added, x => Assert.False(filter.MightContain(x)));
        Assert.False(filter.Remove(added[0]));
        Assert.Equal(0, filter.Count);
    }

    [Fact]
    public void Sizes_follow_the_slot_count()
    {
        var filter = new CuckooFilter(buckets: 8, fingerprintBits: 12);
        Assert.Equal(32, filter.Capacity);
        Assert.Equal(64, filter.SizeInBytes);
        Assert.Equal(48, filter.PackedSizeInBytes);
        Assert.Equal(6, new CuckooFilter(buckets: 1, fingerprintBits: 11).PackedSizeInBytes); // ⌈44/8⌉
        var sized = CuckooFilter.ForCapacity(1000, 0.01);
        Assert.Equal(512, sized.Buckets); // ⌈1000/3.8⌉ = 264 → 512
        Assert.Equal(10, sized.FingerprintBits); // ⌈log2(800)⌉
        Assert.Equal(256, CuckooFilter.ForCapacity(950, 0.01).Buckets); // ⌈950/3.8⌉ = 250 → 256
    }
}

public sealed class HllErtlSaturationTests
{
    [Fact]
    public void The_ertl_estimate_uses_tau_when_some_registers_are_saturated()
    {
        // p = 4, q = 60: 15 registers saturated at q + 1 = 61, one at q. z = (16·τ(1/16) + 1)/2 · 2^−59, so the
        // estimate m²/(2·ln 2·z) depends on τ alone (σ(0) = 0). τ(x) = (1 − x − Σ_k 2^−k (1 − x^(2^−k))²)/3.
        var nearlyFull = new int[62];
        nearlyFull[61] = 15;
        nearlyFull[60] = 1;
        double tau = TauReference(1.0 / 16);
        double z = (16 * tau + 1) / 2 * Math.Pow(2, -59);
        double expected = 256 / (2 * Math.Log(2) * z);
        Assert.Equal(1.0, HyperLogLog.EstimateFromHistogram(4, nearlyFull, HllEstimator.Ertl) / expected, 12);

        var full = new int[62];
        full[61] = 16; // τ(0) = 0: z = 0 and the estimate is infinite
        Assert.Equal(double.PositiveInfinity, HyperLogLog.EstimateFromHistogram(4, full, HllEstimator.Ertl));
    }

    private static double TauReference(double x)
    {
        double sum = 0;
        for (int k = 1; k < 60; k++) sum += Math.Pow(2, -k) * Math.Pow(1 - Math.Pow(x, Math.Pow(2, -k)), 2);
        return (1 - x - sum) / 3;
    }
}
