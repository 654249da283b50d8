using System.IO.Hashing;
using SystemDesign.Notebook;
using SystemDesign.Probabilistic;

namespace SystemDesign.Tests.Probabilistic;

public sealed class HllSimulationTests
{
    [Fact]
    public void Simulated_registers_match_real_hashed_sketches_at_moderate_n()
    {
        const int p = 10, streams = 300;
        const long n = 8 * 1024;
        var real = new List<double>();
        var realHistogram = new double[64 - p + 2];
        Span<byte> key = stackalloc byte[StreamItems.Size];
        for (int t = 0; t < streams; t++)
        {
            var hll = new HyperLogLog(p);
            for (long i = 0; i < n; i++)
            {
                StreamItems.Write(key, 900_000 + t, i);
                hll.AddHash(XxHash64.HashToUInt64(key));
            }
            real.Add(hll.Estimate(HllEstimator.Ertl) / n - 1);
            var h = hll.RegisterHistogram();
            for (int v = 0; v < h.Length; v++) realHistogram[v] += h[v];
        }
        var random = new Random(5);
        var simulatedHistogram = new double[64 - p + 2];
        var simulated = new List<double>();
        for (int t = 0; t < 2_000; t++)
        {
            var (items, h) = HllSimulation.Stream(p, n, random);
            simulated.Add(HyperLogLog.EstimateFromHistogram(p, h, HllEstimator.Ertl) / items - 1);
            if (t < streams) for (int v = 0; v < h.Length; v++) simulatedHistogram[v] += h[v];
        }
        // Register-value frequencies over 300 × 1,024 registers each: 4 binomial σ of the difference.
        double total = streams * 1024.0;
        for (int v = 0; v < realHistogram.Length; v++)
        {
            double a = realHistogram[v] / total, b = simulatedHistogram[v] / total, pooled = (a + b) / 2;
            double sigma = Math.Sqrt(2 * pooled * (1 - pooled) / total) + 1e-9;
            Assert.True(Math.Abs(a - b) <= 4 * sigma, $"value {v}: real {a:P3}, simulated {b:P3}, σ {sigma:P3}");
        }
        // Standard deviations of the estimate: ln ratio has SE √(1/(2·300) + 1/(2·2000)); 4 of those.
        double lnRatio = Math.Log(Stats.StdDev(real) / Stats.StdDev(simulated));
        Assert.True(Math.Abs(lnRatio) <= 4 * Math.Sqrt(1.0 / 600 + 1.0 / 4000), $"ln(SD real / SD simulated) = {lnRatio:F3}");
        Assert.True(Math.Abs(real.Average() - simulated.Average()) <= 4 * 0.0325 * Math.Sqrt(1.0 / 300 + 1.0 / 2000));
    }

    [Fact]
    public void Standard_error_at_p14_is_1_04_over_root_m()
    {
        // Far above 5m (60 items per register), where 1.04/√m is the asymptotic value; at 6m it is ≈ 8% lower.
        var samples = HllSimulation.Streams(14, 60 * 16_384, streams: 400, seed: 3);
        double sd = Stats.StdDev(samples.Select(s => s.RelativeError(HllEstimator.Ertl)).ToArray());
        Assert.InRange(sd, 0.0081 - 4 * HllSimulation.StdDevStandardError(0.0081, 400), 0.0081 + 4 * HllSimulation.StdDevStandardError(0.0081, 400));
        Assert.All(samples, s => Assert.InRange(s.Cardinality, 60 * 16_384 - 5_000, 60 * 16_384 + 5_000));
    }

    [Fact]
    public void MaxRank_inverts_the_cdf_of_the_largest_rank()
    {
        // P(max ≤ k | c) = (1 − 2^−k)^c: u just below that CDF gives k, just above gives k + 1.
        for (int c = 1; c <= 50; c += 7)
            for (int k = 1; k < 20; k++)
            {
                double cdf = Math.Pow(1 - Math.Pow(2, -k), c);
                Assert.Equal(k, HllSimulation.MaxRank(c, cdf * (1 - 1e-9), 51));
                Assert.Equal(k + 1, HllSimulation.MaxRank(c, Math.Min(1, cdf * (1 + 1e-9)), 51));
            }
        Assert.Equal(51, HllSimulation.MaxRank(1, 1.0, 51)); // u = 1: the capped rank
        Assert.Equal(1, HllSimulation.MaxRank(1, 1e-300, 51));
    }

    [Fact]
    public void Register_distribution_sums_to_one_and_fits_hashed_sketches()
    {
        var d = HllSimulation.RegisterDistribution(10, 8_192);
        Assert.Equal(1, d.Sum(), 9);
        var histograms = new List<int[]>();
        for (int t = 0; t < 20; t++)
        {
            var hll = new HyperLogLog(10);
            for (int i = 0; i < 8_192; i++) hll.Add(StreamItems.Item(777 + t, i));
            histograms.Add(hll.RegisterHistogram());
        }
        var (chi, df) = HllSimulation.RegisterChiSquare(10, 8_192, histograms);
        Assert.InRange(chi, 0, df + 4 * Math.Sqrt(2.0 * df));
        // A skewed "hash" (only half the registers used) is rejected.
        var skewed = new HyperLogLog(10);
        for (int i = 0; i < 8_192; i++) skewed.AddHash(System.IO.Hashing.XxHash64.HashToUInt64(StreamItems.Item(5, i)) & ~1UL);
        Assert.True(HllSimulation.RegisterChiSquare(10, 8_192, new[] { skewed.RegisterHistogram() }).ChiSquare > 1_000);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HllSimulation.Stream(3, 100, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => HllSimulation.Stream(14, 0, new Random(1)));
        Assert.ThrowsAny<ArgumentException>(() => HllSimulation.MaxRank(0, 0.5, 51));
        Assert.ThrowsAny<ArgumentException>(() => HllSimulation.MaxRank(1, 0, 51));
        Assert.ThrowsAny<ArgumentException>(() => HllSimulation.Streams(14, 1000, 0, 1));
        Assert.ThrowsAny<ArgumentException>(() => HyperLogLog.EstimateFromHistogram(14, new int[3], HllEstimator.Ertl));
        Assert.ThrowsAny<ArgumentException>(() => HyperLogLog.FromDenseRegisters(14, new byte[10]));
    }

    [Fact]
    public void Dense_registers_round_trip()
    {
        var hll = new HyperLogLog(10);
        for (int i = 0; i < 5_000; i++) hll.Add($"x{i}");
        var bytes = new byte[HyperLogLog.DenseBytes(10)];
        for (int i = 0; i < hll.RegisterCount; i++)
            for (int b = 0; b < 6; b++)
                if ((hll.Register(i) >> b & 1) != 0) bytes[(i * 6 + b) / 8] |= (byte)(1 << ((i * 6 + b) % 8));
        var copy = HyperLogLog.FromDenseRegisters(10, bytes);
        Assert.True(copy.SameRegisters(hll));
        Assert.Equal(hll.Estimate(HllEstimator.Ertl), copy.Estimate(HllEstimator.Ertl));
    }
}
