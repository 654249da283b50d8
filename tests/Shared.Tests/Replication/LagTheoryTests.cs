using SystemDesign.Replication;

namespace SystemDesign.Tests.Replication;

public sealed class LagTheoryTests
{
    [Fact]
    public void Formulas_give_the_textbook_values()
    {
        Assert.Equal(500, LagTheory.BacklogSlope(1500, 1000));
        Assert.Equal(1.0 / 3, LagTheory.StalenessSlope(1500, 1000), 12);
        Assert.Equal(5, LagTheory.DrainTime(1000, 800, 1000), 12);
        Assert.Equal(0.002, LagTheory.MD1MeanWait(800, 1000), 12);          // 0.8 / (2·1000·0.2)
        Assert.Equal(0.023, LagTheory.MeanVisibilityLag(800, 1000, 0.020), 12);
        Assert.Equal(Math.Sqrt(1500 * 2.0) / 2, LagTheory.BacklogSlopeStdErr(1500, 2), 12);
        Assert.Equal(Math.Sqrt(1.0 * 800 / 1e6 / 0.008), LagTheory.DrainTimeStdDev(1000, 800, 1000), 12);
        Assert.Equal(0.8, LagTheory.Utilisation(800, 1000), 12);
    }

    [Fact]
    public void Batch_means_sees_correlation_that_the_naive_standard_error_misses()
    {
        // A slow random walk around 0: neighbours are nearly equal, so the naive σ/√n is far too small.
        var rng = new Random(1);
        double x = 0;
        var values = Enumerable.Range(0, 10_000).Select(_ => x = 0.99 * x + rng.NextDouble() - 0.5).ToArray();
        double naive = SystemDesign.Notebook.Stats.StdDev(values) / Math.Sqrt(values.Length);
        Assert.True(LagTheory.BatchMeansStdErr(values) > 5 * naive);
    }

    [Fact]
    public void Formulas_reject_the_regime_where_they_do_not_apply()
    {
        Assert.Equal("writeRate", Assert.Throws<ArgumentException>(() => LagTheory.BacklogSlope(900, 1000)).ParamName);
        Assert.Equal("writeRate", Assert.Throws<ArgumentException>(() => LagTheory.DrainTime(10, 1000, 1000)).ParamName);
        Assert.Equal("writeRate", Assert.Throws<ArgumentException>(() => LagTheory.MD1MeanWait(1000, 1000)).ParamName);
        Assert.Equal("replayRate", Assert.Throws<ArgumentOutOfRangeException>(() => LagTheory.Utilisation(1, 0)).ParamName);
        Assert.Equal("batches", Assert.Throws<ArgumentOutOfRangeException>(() => LagTheory.BatchMeansStdErr(new double[100], 1)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => LagTheory.BatchMeansStdErr(new double[100], 20)).ParamName);
    }

    [Fact]
    public void Steady_state_rows_match_md1_where_batch_means_are_valid()
    {
        var r = LagSources.SteadyState(0.8, 1000, 0.02, seed: 11);
        Assert.True(r.RelaxationS < r.BatchS / 2);
        Assert.InRange(r.MeanMs - r.TheoryMs, -4 * r.StdErrMs, 4 * r.StdErrMs);
        Assert.True(r.MinMs >= 21 - 1e-9 && r.P99Ms > r.MeanMs);
        Assert.Equal("rho", Assert.Throws<ArgumentOutOfRangeException>(() => LagSources.SteadyState(1, 1000, 0.02, 1)).ParamName);
    }
}
