using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class HllRegisterTests
{
    [Fact]
    public void AddHash_reports_a_change_only_when_the_rank_exceeds_the_register()
    {
        var hll = new HyperLogLog(4);
        ulong hash = (0b100UL << 4) | 3; // register 3, rest = 0b100...: rank 3
        Assert.True(hll.AddHash(hash));
        Assert.False(hll.AddHash(hash)); // equal rank: no change
        Assert.False(hll.AddHash((0b1UL << 4) | 3)); // rank 1 < 3
        Assert.True(hll.AddHash((0b10000UL << 4) | 3)); // rank 5 > 3
        Assert.Equal(1, hll.RegisterHistogram()[5]);
        Assert.Equal(15, hll.RegisterHistogram()[0]);
    }

    [Fact]
    public void Sketches_of_the_same_precision_with_different_registers_are_not_the_same()
    {
        var a = new HyperLogLog(4);
        var b = new HyperLogLog(4);
        Assert.True(a.SameRegisters(b));
        a.AddHash(1UL << 10);
        Assert.False(a.SameRegisters(b));
        Assert.False(new HyperLogLog(4).SameRegisters(new HyperLogLog(5)));
    }

    [Fact]
    public void The_raw_estimate_uses_alpha_0_7213_over_1_plus_1_079_over_m_above_64_registers()
    {
        var empty = new int[64 - 7 + 2];
        empty[0] = 128; // all registers 0: raw = α·m²/m = α·m
        Assert.Equal(0.7213 / (1 + 1.079 / 128) * 128, HyperLogLog.EstimateFromHistogram(7, empty, HllEstimator.Raw), 9);
        var empty4 = new int[62];
        empty4[0] = 16;
        Assert.Equal(0.673 * 16, HyperLogLog.EstimateFromHistogram(4, empty4, HllEstimator.Raw), 12);
    }
}
