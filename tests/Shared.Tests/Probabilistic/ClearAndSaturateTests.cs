using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class ClearAndSaturateTests
{
    [Fact]
    public void ClearBits_counts_only_bits_that_were_set_and_clears_exactly_the_items_k_positions()
    {
        var empty = new BloomFilter(1024, 4);
        Assert.Equal(0, empty.ClearBits("never added"));

        var filter = new BloomFilter(1024, 4);
        for (int i = 0; i < 600; i++) filter.Add($"x{i}"); // fill ≈ 0.9: an extra cleared position would show
        var positions = filter.Positions("x0").Distinct().ToArray();
        long setBefore = Enumerable.Range(0, 1024).Count(b => filter.IsSet(b));
        Assert.Equal(positions.Length, filter.ClearBits("x0"));
        Assert.All(positions, p => Assert.False(filter.IsSet(p)));
        Assert.Equal(setBefore - positions.Length, Enumerable.Range(0, 1024).Count(b => filter.IsSet(b)));
    }

    [Fact]
    public void A_counter_saturates_once_at_its_maximum_and_stays_there()
    {
        var filter = new CountingBloomFilter(1024, 3);
        filter.Add("a");
        Assert.Equal(0, filter.SaturatedCounters);
        Assert.Equal(1, filter.MaxCounterValue);
        for (int i = 1; i < CountingBloomFilter.MaxCounter; i++) filter.Add("a");
        Assert.Equal(CountingBloomFilter.MaxCounter, filter.MaxCounterValue);
        long saturated = filter.SaturatedCounters;
        Assert.Equal((long)filter.Hashes, saturated); // "a"'s three counters are distinct for this filter
        filter.Add("a");
        Assert.Equal(saturated, filter.SaturatedCounters);
        Assert.Equal(CountingBloomFilter.MaxCounter, filter.MaxCounterValue);
    }
}
