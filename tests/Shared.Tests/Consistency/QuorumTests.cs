using SystemDesign.Consistency;

namespace SystemDesign.Tests.Consistency;

public sealed class QuorumTests
{
    [Theory]
    [InlineData(3, 1, 1, 2.0 / 3)]
    [InlineData(5, 2, 2, 0.3)]
    [InlineData(5, 1, 3, 0.4)]
    [InlineData(3, 2, 2, 0.0)]
    [InlineData(5, 3, 3, 0.0)]
    public void Stale_read_probability_is_the_chance_of_missing_the_write_set(int n, int w, int r, double expected)
        => Assert.Equal(expected, Quorums.StaleReadProbability(n, w, r), 12);

    [Fact]
    public void Read_and_write_sets_always_meet_exactly_when_W_plus_R_exceeds_N()
    {
        // Exhaustive over all subsets of 5 replicas.
        const int n = 5;
        for (int w = 1; w <= n; w++)
            for (int r = 1; r <= n; r++)
            {
                bool alwaysMeet = true;
                for (int ws = 0; ws < 1 << n; ws++)
                    for (int rs = 0; rs < 1 << n; rs++)
                        if (System.Numerics.BitOperations.PopCount((uint)ws) == w && System.Numerics.BitOperations.PopCount((uint)rs) == r && (ws & rs) == 0)
                            alwaysMeet = false;
                Assert.Equal(w + r > n, alwaysMeet);
                Assert.Equal(w + r > n, Quorums.StaleReadProbability(n, w, r) == 0);
            }
    }

    [Fact]
    public void Brute_force_overlap_and_the_sweep_agree_with_the_rule()
    {
        Assert.True(Quorums.AlwaysOverlap(5, 3, 3));
        Assert.False(Quorums.AlwaysOverlap(5, 3, 2));
        var sweep = Quorums.Sweep(3, 500, new Random(1));
        Assert.Equal(9, sweep.Count);
        Assert.All(sweep, c => Assert.Equal(c.Overlap, c.AlwaysMeet));
        Assert.All(sweep.Where(c => c.Overlap), c => Assert.Equal(0, c.Stale));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorums.AlwaysOverlap(13, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorums.Sweep(3, 0, new Random(1)));
    }

    [Fact]
    public void Measured_stale_reads_match_the_formula()
    {
        var rng = new Random(3);
        var (stale, trials) = Quorums.MeasureStaleReads(5, 2, 2, 40_000, rng);
        double p = Quorums.StaleReadProbability(5, 2, 2);
        Assert.InRange((double)stale / trials, p - 4 * Math.Sqrt(p * (1 - p) / trials), p + 4 * Math.Sqrt(p * (1 - p) / trials));
        Assert.Equal(0, Quorums.MeasureStaleReads(5, 3, 3, 10_000, rng).Stale);
    }

    [Fact]
    public void Exponential_pbs_curve_starts_at_the_formula_and_matches_simulation()
    {
        Assert.Equal(Quorums.StaleReadProbability(3, 1, 1), Quorums.ExponentialStaleProbability(3, 1, 1, 0, 10), 12);
        Assert.True(Quorums.ExponentialStaleProbability(3, 1, 1, 200, 10) < 1e-6);
        double exact = Quorums.ExponentialStaleProbability(5, 2, 1, 8, 10);
        double sim = Quorums.StaleProbabilityAfter(5, 2, 1, 8, Delay.Exponential(10), 40_000, new Random(4));
        Assert.InRange(sim, exact - 4 * Math.Sqrt(exact * (1 - exact) / 40_000), exact + 4 * Math.Sqrt(exact * (1 - exact) / 40_000));
    }

    [Fact]
    public void Quorum_latency_quantiles_are_order_statistics()
    {
        var d = Delay.LogNormal(2, 0.5);
        // ONE of N: min; its median solves 1 − (1 − F)^N = 1/2.
        double u = 1 - Math.Pow(0.5, 1.0 / 3);
        Assert.Equal(d.Quantile(u), Quorums.LatencyQuantile(3, 1, 0.5, d), 6);
        // The middle of 3 has the replica median as its median.
        Assert.Equal(2.0, Quorums.LatencyQuantile(3, 2, 0.5, d), 6);
        var samples = Quorums.SampleLatency(5, 3, d, 40_000, new Random(5));
        double q99 = Quorums.LatencyQuantile(5, 3, 0.99, d);
        double below = samples.Count(x => x <= q99) / 40_000.0;
        Assert.InRange(below, 0.99 - 4 * Math.Sqrt(0.99 * 0.01 / 40_000), 0.99 + 4 * Math.Sqrt(0.99 * 0.01 / 40_000));
        Assert.Equal(1, Quorums.Replicas(ConsistencyLevel.One, 5));
        Assert.Equal(3, Quorums.Replicas(ConsistencyLevel.Quorum, 5));
        Assert.Equal(5, Quorums.Replicas(ConsistencyLevel.All, 5));
    }

    [Fact]
    public void Latency_table_and_staleness_curve_agree_with_their_exact_values()
    {
        var rows = Quorums.LatencyByLevel("read", Delay.LogNormal(1, 0.5), [3, 5], 5_000, new Random(2));
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.True(r.CdfZ < 4.5, $"{r.N} {r.Level}: {r.CdfZ}"));
        Assert.Equal(1.0, rows.Single(r => r.N == 5 && r.Level == "Quorum").P50Theory, 6);
        var curve = Quorums.ExponentialStalenessCurve(3, 1, 1, [0, 10, 20], 10, 4_000, new Random(3));
        Assert.Equal(3, curve.Points);
        Assert.True(curve.WorstZ < 4.5);
        Assert.Equal(2.0 / 3, curve.Exact[0], 9);
        Assert.Throws<ArgumentException>(() => Quorums.LatencyByLevel("", Delay.LogNormal(1, 0.5), [3], 100, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorums.ExponentialStalenessCurve(3, 4, 1, [0], 10, 10, new Random(1)));
    }

    [Fact]
    public void Delay_distributions_invert_their_cdf()
    {
        foreach (var d in new[] { Delay.LogNormal(3, 0.7), Delay.Exponential(4), Delay.Uniform(1, 5) })
            foreach (double p in new[] { 0.01, 0.5, 0.99 })
                Assert.Equal(p, d.Cdf(d.Quantile(p)), 8);
        Assert.Equal(1.959963985, Delay.NormalQuantile(0.975), 7);
    }

    [Fact]
    public void Read_repair_writes_the_newest_value_back()
    {
        var reg = new QuorumRegister(3);
        reg.Write(7, 1, 0, [0]);
        Assert.Equal(7, reg.Read([0, 1], readRepair: true).Value);
        Assert.Equal(7, reg[1].Value);
        Assert.Equal(0, reg[2].Value);
        Assert.Equal(0, reg.Write(5, 0, 0, [1])); // an older timestamp loses (last-write-wins)
    }

    [Fact]
    public void Quorum_anomalies_are_detected_by_the_checker()
    {
        Assert.False(ConsistencyChecker.Linearizable(QuorumAnomalies.PartialWrite(readRepair: false).History).Holds);
        Assert.True(ConsistencyChecker.Linearizable(QuorumAnomalies.PartialWrite(readRepair: true).History).Holds);
        Assert.True(ConsistencyChecker.Linearizable(QuorumAnomalies.SkewedClocks(skewMs: 14, gapMs: 5).History).Holds);
        Assert.False(ConsistencyChecker.Linearizable(QuorumAnomalies.SkewedClocks(skewMs: 16, gapMs: 5).History).Holds);
    }

    [Fact]
    public void Arguments_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorums.StaleReadProbability(3, 4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorums.StaleReadProbability(3, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorums.Majority(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorums.LatencyQuantile(3, 4, 0.5, Delay.Exponential(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorums.LatencyQuantile(3, 1, 1, Delay.Exponential(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorums.StaleProbabilityAfter(3, 1, 1, -1, Delay.Exponential(1), 10, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Delay.LogNormal(0, 1));
        Assert.Throws<ArgumentException>(() => Delay.Uniform(5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuorumRegister(3).Write(1, 1, 0, [3]));
        Assert.Throws<ArgumentException>(() => new QuorumRegister(3).Read([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuorumRegister.RandomSubset(3, 4, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuorumAnomalies.SkewedClocks(-1, 0));
    }
}
