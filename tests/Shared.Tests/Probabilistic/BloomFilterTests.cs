using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class BloomFilterTests
{
    [Fact]
    public void Sizing_matches_the_textbook_figures()
    {
        // 1% needs 9.585 bits per item and k = 7; 0.1% needs 14.38 bits and k = 10.
        Assert.Equal(9_586, BloomFilter.OptimalBits(1000, 0.01));
        Assert.Equal(7, BloomFilter.OptimalHashes(9_586, 1000));
        Assert.Equal(14_378, BloomFilter.OptimalBits(1000, 0.001));
        Assert.Equal(10, BloomFilter.OptimalHashes(14_378, 1000));
    }

    [Fact]
    public void Has_no_false_negatives_and_about_the_predicted_false_positives()
    {
        var filter = BloomFilter.ForCapacity(10_000, 0.01);
        for (int i = 0; i < 10_000; i++) filter.Add($"member-{i}");
        for (int i = 0; i < 10_000; i++) Assert.True(filter.MightContain($"member-{i}"));
        int trials = 100_000, hits = 0;
        for (int i = 0; i < trials; i++) if (filter.MightContain($"stranger-{i}")) hits++;
        double rate = (double)hits / trials, expected = filter.ExpectedFalsePositiveRate;
        double sigma = Math.Sqrt(expected * (1 - expected) / trials);
        Assert.InRange(rate, expected - 5 * sigma, expected + 5 * sigma);
        Assert.InRange(filter.FillRatio, 0.45, 0.55); // optimal k fills about half the bits
    }

    [Fact]
    public void Rejects_bad_parameters_naming_them()
    {
        Assert.Equal("falsePositiveRate", Assert.Throws<ArgumentOutOfRangeException>(() => BloomFilter.ForCapacity(10, 1.5)).ParamName);
        Assert.Equal("hashes", Assert.Throws<ArgumentOutOfRangeException>(() => new BloomFilter(1024, 0)).ParamName);
        Assert.Equal("bits", Assert.Throws<ArgumentOutOfRangeException>(() => new BloomFilter(1, 3)).ParamName);
    }
}
