using FsCheck.Xunit;
using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class HyperLogLogTests
{
    [Fact]
    public void Precision_14_is_16384_six_bit_registers_in_12_KB()
    {
        var hll = new HyperLogLog(14);
        Assert.Equal(16_384, hll.RegisterCount);
        Assert.Equal(12_288, hll.SizeInBytes);
        Assert.Equal(0.008125, HyperLogLog.StandardError(14), 6);
        Assert.Equal(0, hll.Estimate());
        Assert.Equal(0, hll.Estimate(HllEstimator.Ertl));
    }

    [Property(MaxTest = 100)]
    public bool Registers_keep_the_largest_rank_per_index(byte[] indexes, byte[] ranks)
    {
        // Precision 6: index = low 6 bits, rank r = position of the lowest set bit above them.
        var hll = new HyperLogLog(6);
        var expected = new int[64];
        for (int j = 0; j < Math.Min(indexes.Length, ranks.Length); j++)
        {
            int index = indexes[j] % 64, rank = ranks[j] % 58 + 1;
            hll.AddHash((ulong)(uint)index | (1UL << (6 + rank - 1)));
            expected[index] = Math.Max(expected[index], rank);
        }
        return Enumerable.Range(0, 64).All(i => hll.Register(i) == expected[i]);
    }

    [Fact]
    public void The_all_zero_tail_gets_the_capped_rank()
    {
        var hll = new HyperLogLog(4);
        hll.AddHash(3); // index 3, remaining 60 bits zero: rank 64 − 4 + 1 = 61, still inside 6 bits
        Assert.Equal(61, hll.Register(3));
    }

    [Property(MaxTest = 50)]
    public bool Merge_equals_the_sketch_of_the_union_stream(int[] left, int[] right)
    {
        HyperLogLog Sketch(IEnumerable<int> xs)
        {
            var h = new HyperLogLog(8);
            foreach (int x in xs) h.Add($"u{x}");
            return h;
        }
        var merged = HyperLogLog.Union(Sketch(left), Sketch(right));
        var direct = Sketch(left.Concat(right));
        return merged.SameRegisters(direct) && merged.Estimate() == direct.Estimate();
    }

    [Theory]
    [InlineData(100)]
    [InlineData(5_000)]
    [InlineData(200_000)]
    public void Estimates_are_within_four_standard_errors(int n)
    {
        var hll = new HyperLogLog(14);
        for (int i = 0; i < n; i++) hll.Add(StreamItems.Item(42, i));
        double sigma = HyperLogLog.StandardError(14); // the asymptotic error; linear counting does better at small n
        Assert.InRange(hll.Estimate() / n - 1, -4 * sigma, 4 * sigma);
        Assert.InRange(hll.Estimate(HllEstimator.Ertl) / n - 1, -4 * sigma, 4 * sigma);
    }

    [Fact]
    public void Raw_estimate_is_far_off_for_small_sets_and_linear_counting_fixes_it()
    {
        var hll = new HyperLogLog(14);
        for (int i = 0; i < 1000; i++) hll.Add($"small-{i}");
        Assert.True(hll.Estimate(HllEstimator.Raw) > 5_000);
        Assert.InRange(hll.Count(), 970, 1030);
    }

    [Fact]
    public void Rejects_bad_parameters_naming_them()
    {
        Assert.Equal("precision", Assert.Throws<ArgumentOutOfRangeException>(() => new HyperLogLog(3)).ParamName);
        Assert.Equal("precision", Assert.Throws<ArgumentOutOfRangeException>(() => new HyperLogLog(19)).ParamName);
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => new HyperLogLog(10).Merge(new HyperLogLog(11))).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => new HyperLogLog(4).Register(16)).ParamName);
        Assert.Equal("estimator", Assert.Throws<ArgumentOutOfRangeException>(() => new HyperLogLog(4).Estimate((HllEstimator)7)).ParamName);
    }
}
