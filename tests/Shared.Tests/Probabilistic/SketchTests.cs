using FsCheck.Xunit;
using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class CountMinSketchTests
{
    [Fact]
    public void Dimensions_follow_e_over_epsilon_and_ln_one_over_delta()
    {
        Assert.Equal((272, 5), CountMinSketch.Dimensions(0.01, 0.01));
        Assert.Equal((2719, 7), CountMinSketch.Dimensions(0.001, 0.001));
        var sketch = CountMinSketch.ForError(0.01, 0.01);
        Assert.True(sketch.Epsilon <= 0.01 && sketch.Delta <= 0.01);
    }

    [Property(MaxTest = 200)]
    public bool Never_underestimates(int[] stream)
    {
        var sketch = new CountMinSketch(16, 3); // tiny, so collisions are common
        foreach (int x in stream) sketch.Add($"k{x % 50}");
        return stream.GroupBy(x => x % 50).All(g => sketch.Estimate($"k{g.Key}") >= g.Count())
               && sketch.TotalCount == stream.Length;
    }

    [Fact]
    public void Overshoot_beyond_epsilon_N_is_rarer_than_delta()
    {
        var counts = SketchExperiments.ZipfCounts(20_000, 1_000_000, 1.0);
        var m = SketchExperiments.CountMin(0.001, 0.05, counts);
        Assert.Equal(0, m.Underestimates);
        Assert.True(m.Overestimates > 0);
        Assert.True(m.BeyondBoundFraction <= 0.05);
    }

    [Fact]
    public void Merge_adds_counters()
    {
        var a = new CountMinSketch(100, 4);
        var b = new CountMinSketch(100, 4);
        a.Add("x", 3);
        b.Add("x", 4);
        a.Merge(b);
        Assert.True(a.Estimate("x") >= 7);
        Assert.Equal(7, a.TotalCount);
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => a.Merge(new CountMinSketch(99, 4))).ParamName);
    }

    [Fact]
    public void TopK_finds_the_heavy_hitters_of_a_skewed_stream()
    {
        var counts = SketchExperiments.ZipfCounts(5_000, 200_000, 1.1);
        var top = new TopK(10, 0.001, 0.01);
        var random = new Random(1);
        var events = counts.SelectMany((c, i) => Enumerable.Repeat(i, (int)c)).OrderBy(_ => random.Next()).ToArray();
        foreach (int i in events) top.Add(SketchExperiments.ItemName(i));
        var found = top.Items().Select(x => x.Item).ToHashSet();
        Assert.Equal(10, Enumerable.Range(0, 10).Count(i => found.Contains(SketchExperiments.ItemName(i))));
    }

    [Fact]
    public void Rejects_bad_parameters_naming_them()
    {
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => CountMinSketch.ForError(0, 0.1)).ParamName);
        Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => CountMinSketch.ForError(0.1, 1)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => new CountMinSketch(0, 1)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => new CountMinSketch(10, 1).Add("x", 0)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => new TopK(0, 0.1, 0.1)).ParamName);
    }
}

public sealed class MinHashTests
{
    [Fact]
    public void Estimates_jaccard_within_four_standard_errors()
    {
        var a = Enumerable.Range(0, 600).Select(i => $"w{i}").ToHashSet();
        var b = Enumerable.Range(200, 600).Select(i => $"w{i}").ToHashSet();
        double j = MinHash.Jaccard(a, b);
        Assert.Equal(0.5, j, 10);
        var minHash = new MinHash(256, seed: 3);
        double estimate = MinHash.Similarity(minHash.Signature(a), minHash.Signature(b));
        Assert.InRange(estimate, j - 4 * MinHash.StandardError(j, 256), j + 4 * MinHash.StandardError(j, 256));
    }

    [Fact]
    public void Identical_sets_agree_everywhere_and_order_does_not_matter()
    {
        var minHash = new MinHash(64);
        var items = new[] { "a", "b", "c", "b" };
        Assert.Equal(1.0, MinHash.Similarity(minHash.Signature(items), minHash.Signature(items.Reverse())));
        Assert.Equal(0.0, MinHash.StandardError(1, 64));
    }

    [Fact]
    public void Rejects_bad_parameters_naming_them()
    {
        Assert.Equal("hashes", Assert.Throws<ArgumentOutOfRangeException>(() => new MinHash(0)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => MinHash.Similarity(new ulong[3], new ulong[4])).ParamName);
        Assert.Equal("jaccard", Assert.Throws<ArgumentOutOfRangeException>(() => MinHash.StandardError(1.5, 10)).ParamName);
    }
}
