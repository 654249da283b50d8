using FsCheck.Xunit;
using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class CuckooFilterTests
{
    [Property(MaxTest = 200)]
    public bool Added_items_are_found_until_removed(int[] items)
    {
        var filter = new CuckooFilter(64, 12);
        var added = new List<string>();
        foreach (var item in items.Distinct().Select(i => $"c{i}"))
            if (filter.Add(item)) added.Add(item);
        if (!added.All(filter.MightContain)) return false;
        var removed = added.Where((_, i) => i % 2 == 0).ToList();
        foreach (var item in removed) if (!filter.Remove(item)) return false;
        return added.Except(removed).All(filter.MightContain) && filter.Count == added.Count - removed.Count;
    }

    [Fact]
    public void Fills_past_90_percent_without_losing_anything()
    {
        var (load, fpr, falseNegatives) = FilterExperiments.CuckooFill(1 << 12, 12, 50_000, seed: 1);
        Assert.True(load > 0.9, $"load {load}");
        Assert.Equal(0, falseNegatives);
        Assert.True(fpr <= CuckooFilter.FalsePositiveBound(12), $"fpr {fpr}");
    }

    [Fact]
    public void Full_filter_refuses_then_accepts_after_a_delete()
    {
        var filter = new CuckooFilter(4, 8, maxKicks: 50);
        int i = 0;
        while (filter.Add($"f{i}")) i++;
        Assert.True(filter.IsFull);
        for (int j = 0; j < i; j++) Assert.True(filter.MightContain($"f{j}"));
        Assert.True(filter.Remove("f0"));
        Assert.False(filter.IsFull);
        Assert.True(filter.Add("again"));
    }

    [Fact]
    public void ForCapacity_picks_fingerprint_bits_for_the_target_rate()
    {
        var filter = CuckooFilter.ForCapacity(10_000, 0.01);
        Assert.Equal(10, filter.FingerprintBits); // ⌈log2(8/0.01)⌉ = 10
        Assert.True(filter.Capacity * 0.95 >= 10_000);
        Assert.True(CuckooFilter.FalsePositiveBound(10) <= 0.01);
    }

    [Fact]
    public void Rejects_bad_parameters_naming_them()
    {
        Assert.Equal("buckets", Assert.Throws<ArgumentException>(() => new CuckooFilter(100)).ParamName);
        Assert.Equal("fingerprintBits", Assert.Throws<ArgumentOutOfRangeException>(() => new CuckooFilter(64, 3)).ParamName);
        Assert.Equal("falsePositiveRate", Assert.Throws<ArgumentOutOfRangeException>(() => CuckooFilter.ForCapacity(10, 0)).ParamName);
    }
}
