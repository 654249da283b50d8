using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class HllSimulationExactTests
{
    [Fact]
    public void MaxRank_inverts_the_cdf_of_the_largest_rank()
    {
        Assert.Equal(1, HllSimulation.MaxRank(1, 0.5, 60));   // 1 − u = 0.5: k = 1
        Assert.Equal(4, HllSimulation.MaxRank(1, 0.9, 60));   // 1 − u = 0.1: ⌈3.32⌉
        Assert.Equal(30, HllSimulation.MaxRank(5, 1, 30));    // u = 1: the cap
        Assert.Equal(7, HllSimulation.MaxRank(1, 0.999, 7));  // ⌈9.97⌉ clamped to the cap
        // tail ≈ 9.3e-18: 1 − e^−tail rounds to 0 in doubles, the series keeps it: ⌈56.6⌉ = 57, not the cap 64
        Assert.Equal(57, HllSimulation.MaxRank(int.MaxValue, 1 - 2e-8, 64));
    }

    [Fact]
    public void The_standard_error_of_a_standard_deviation_is_sigma_over_root_2n()
    {
        Assert.Equal(0.01, HllSimulation.StdDevStandardError(0.1, 50), 15);
        Assert.Equal(0.5, HllSimulation.StdDevStandardError(1, 2), 15);
    }

    [Fact]
    public void Streams_returns_one_sample_per_stream()
    {
        Assert.Equal(3, HllSimulation.Streams(4, 50, 3, 1).Count);
        Assert.Single(HllSimulation.Streams(4, 50, 1, 1));
    }

    [Fact]
    public void A_simulated_stream_is_a_fixed_function_of_the_seed()
    {
        var (items, histogram) = HllSimulation.Stream(4, 100, new Random(1));
        var (few, small) = HllSimulation.Stream(4, 0.5, new Random(2));
        // pinned: SplitMix64 seeded from Random(1), Poisson(100/16) counts per register, ranks by CDF inversion
        Assert.Equal(109L, items);
        var pinned = new int[62];
        (pinned[2], pinned[3], pinned[4], pinned[5], pinned[6], pinned[8], pinned[11]) = (2, 4, 4, 1, 3, 1, 1);
        Assert.Equal(pinned, histogram);
        Assert.Equal(histogram, HllSimulation.Stream(4, 100, new Random(1)).Histogram);
        Assert.Equal(0L, few); // 0.03 items per register: every register stays empty for this seed
        Assert.Equal(16, small[0]);
    }

    [Fact]
    public void The_register_distribution_sums_to_one_and_the_chi_square_merges_sparse_bins()
    {
        var d = HllSimulation.RegisterDistribution(4, 16);
        Assert.Equal(62, d.Length);
        Assert.Equal(1.0, d.Sum(), 12);
        Assert.Equal(Math.Pow(1 - 1.0 / 16, 16), d[0], 15);
        Assert.Equal(Math.Pow(1 - 0.5 / 16, 16) - Math.Pow(1 - 1.0 / 16, 16), d[1], 15);
        var hist = new int[62];
        hist[0] = 6; hist[1] = 5; hist[2] = 3; hist[3] = 2;
        var (chi, df) = HllSimulation.RegisterChiSquare(4, 16, [hist, hist, hist]);
        // pinned: 5 bins after merging values whose expected count (of 48 registers) is below 5
        Assert.Equal(6.808786747145026, chi, 12);
        Assert.Equal(4, df);
    }
}
