using FsCheck.Xunit;
using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class CountingBloomFilterTests
{
    [Property(MaxTest = 200)]
    public bool Removing_some_items_never_hides_the_others(int[] added, int removeEvery)
    {
        var filter = CountingBloomFilter.ForCapacity(Math.Max(1, added.Length), 0.05);
        var distinct = added.Distinct().Select(i => $"x{i}").ToArray();
        foreach (var item in distinct) filter.Add(item);
        int step = Math.Abs(removeEvery % 4) + 2;
        var removed = distinct.Where((_, i) => i % step == 0).ToHashSet();
        foreach (var item in removed) Assert.True(filter.Remove(item));
        return distinct.Where(x => !removed.Contains(x)).All(filter.MightContain)
               && filter.Count == distinct.Length - removed.Count;
    }

    [Fact]
    public void Delete_empties_the_filter_and_uses_four_times_the_memory_of_a_plain_filter()
    {
        var counting = CountingBloomFilter.ForCapacity(1000, 0.01);
        var plain = BloomFilter.ForCapacity(1000, 0.01);
        Assert.Equal(plain.Bits, counting.Counters);
        Assert.InRange((double)counting.SizeInBytes / plain.SizeInBytes, 3.95, 4.0); // m/2 bytes vs m/8 rounded up to whole 64-bit words
        for (int i = 0; i < 1000; i++) counting.Add($"k{i}");
        for (int i = 0; i < 1000; i++) Assert.True(counting.Remove($"k{i}"));
        Assert.Equal(0, counting.MaxCounterValue);
        Assert.Equal(0, counting.Count);
        Assert.False(counting.MightContain("k1"));
        Assert.False(counting.Remove("k1")); // definitely not present: refused, nothing changes
    }

    [Fact]
    public void Positions_match_the_plain_filter()
    {
        var counting = new CountingBloomFilter(1000, 5);
        var plain = new BloomFilter(1000, 5);
        Assert.Equal(plain.Positions("hello"), counting.Positions("hello"));
    }

    [Fact]
    public void A_saturated_counter_sticks_instead_of_wrapping()
    {
        var filter = new CountingBloomFilter(64, 3);
        for (int i = 0; i < 20; i++) filter.Add("hot");
        Assert.Equal(CountingBloomFilter.MaxCounter, filter.MaxCounterValue);
        Assert.True(filter.SaturatedCounters > 0);
        for (int i = 0; i < 20; i++) filter.Remove("hot");
        // 20 removes cannot take a stuck counter to 0: a false positive at worst, never a false negative.
        Assert.True(filter.MightContain("hot"));
        Assert.All(filter.Positions("hot"), p => Assert.Equal(CountingBloomFilter.MaxCounter, filter.Counter(p)));
    }

    [Fact]
    public void Rejects_bad_parameters_naming_them()
    {
        Assert.Equal("counters", Assert.Throws<ArgumentOutOfRangeException>(() => new CountingBloomFilter(4, 3)).ParamName);
        Assert.Equal("hashes", Assert.Throws<ArgumentOutOfRangeException>(() => new CountingBloomFilter(64, 0)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => new CountingBloomFilter(64, 3).Counter(64)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => new CountingBloomFilter(64, 3).Add((string)null!)).ParamName);
    }
}
