using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

public sealed class ErrorSeriesTests
{
    // Base ratio 0 and incidents of ratio 1: every minute's errors are exact (Binomial with p = 0 or 1).
    private static ErrorSeries NoiseFree() => ErrorSeries.Simulate(1, 100, 0,
        new[] { new Incident("a", 10, 5, 1.0), new Incident("b", 1435, 5, 1.0) }, 1);

    [Fact]
    public void The_true_ratio_is_the_largest_of_the_baseline_and_the_incidents_covering_the_minute()
    {
        var incidents = new[]
        {
            new Incident("a", 10, 5, 0.2), new Incident("b", 12, 10, 0.1), new Incident("low", 30, 5, 0.0001),
        };
        Assert.Equal(0.001, ErrorSeries.TrueRatio(9, 0.001, incidents));
        Assert.Equal(0.2, ErrorSeries.TrueRatio(10, 0.001, incidents));   // start inclusive
        Assert.Equal(0.2, ErrorSeries.TrueRatio(12, 0.001, incidents));   // overlap: the larger
        Assert.Equal(0.2, ErrorSeries.TrueRatio(14, 0.001, incidents));
        Assert.Equal(0.1, ErrorSeries.TrueRatio(15, 0.001, incidents));   // a's end exclusive
        Assert.Equal(0.1, ErrorSeries.TrueRatio(21, 0.001, incidents));
        Assert.Equal(0.001, ErrorSeries.TrueRatio(22, 0.001, incidents));
        Assert.Equal(0.001, ErrorSeries.TrueRatio(30, 0.001, incidents)); // an incident below the baseline
        Assert.Equal(25, new Incident("x", 20, 5, 0.1).EndMinute);
        Assert.True(new Incident("x", 20, 5, 0.1).Significant);
    }

    [Fact]
    public void A_noise_free_series_has_exact_errors_totals_and_window_ratios()
    {
        var s = NoiseFree();
        Assert.Equal(1440, s.Minutes);
        Assert.Equal(100, s.RequestsPerMinute);
        Assert.Equal(0, s.BaseErrorRatio);
        Assert.Equal(2, s.Incidents.Count);
        Assert.Equal(1440, s.Errors.Length);
        for (int m = 0; m < 1440; m++)
            Assert.Equal(m is >= 10 and < 15 or >= 1435 ? 100 : 0, s.Errors[m]);
        Assert.Equal(144_000, s.TotalRequests);
        Assert.Equal(1000, s.TotalErrors);
        Assert.Equal(0, s.ErrorsUpTo(0));
        Assert.Equal(0, s.ErrorsUpTo(10));
        Assert.Equal(100, s.ErrorsUpTo(11));
        Assert.Equal(500, s.ErrorsUpTo(15));
        Assert.Equal(500, s.ErrorsUpTo(1435));
        Assert.Equal(1000, s.ErrorsUpTo(1440));

        Assert.Equal(1.0, s.Ratio(15, 5));
        Assert.Equal(0.5, s.Ratio(15, 10));
        Assert.Equal(0.8, s.Ratio(14, 5), 12);            // minutes 9..13
        Assert.Equal(0.0, s.Ratio(3, 10));                // window clipped at the series' start
        Assert.Equal(200.0 / 1200, s.Ratio(12, 20), 12);  // clipped: 12 minutes, 2 with errors
        Assert.Equal(0.2, s.Ratio(11, 5), 12);            // minutes 6..10
        Assert.Equal(1000.0 / 144_000, s.Ratio(1440, 1440), 12);
        Assert.Equal(1000.0 / 144_000, s.Ratio(1440, 5000), 12);
    }

    [Fact]
    public void The_minute_count_rounds_days_times_1440()
    {
        Assert.Equal(90, ErrorSeries.Simulate(90.4 / 1440, 10, 0, Array.Empty<Incident>(), 1).Minutes);
        Assert.Equal(91, ErrorSeries.Simulate(90.6 / 1440, 10, 0, Array.Empty<Incident>(), 1).Minutes);
        Assert.Equal(43_200, ErrorSeries.Simulate(30, 1, 0, Array.Empty<Incident>(), 1).Minutes);
    }

    [Fact]
    public void Expected_errors_sum_the_minutes_binomial_means_and_variances()
    {
        var s = ErrorSeries.Simulate(1, 1000, 0.001, new[] { new Incident("x", 100, 100, 0.1) }, 3);
        var (mean, sd) = s.ExpectedErrors();
        Assert.Equal(1340 * 1000 * 0.001 + 100 * 1000 * 0.1, mean, 6);   // 11,340
        Assert.Equal(Math.Sqrt(1340 * 1000 * 0.001 * 0.999 + 100 * 1000 * 0.1 * 0.9), sd, 6);
        Assert.InRange(s.TotalErrors, mean - 5 * sd, mean + 5 * sd);
        var (m0, sd0) = NoiseFree().ExpectedErrors();
        Assert.Equal(1000, m0, 9);
        Assert.Equal(0, sd0, 9);
    }

    [Fact]
    public void The_same_seed_gives_the_same_series_and_another_seed_another()
    {
        var a = ErrorSeries.Simulate(1, 1000, 0.01, new List<Incident>(), 5);
        var b = ErrorSeries.Simulate(1, 1000, 0.01, Array.Empty<Incident>(), 5);
        var c = ErrorSeries.Simulate(1, 1000, 0.01, Array.Empty<Incident>(), 6);
        Assert.Equal(a.Errors, b.Errors);
        Assert.NotEqual(a.Errors, c.Errors);
        // Each minute's count is Binomial(1000, 0.01): mean 10, sd √9.9 — the day's total within 5 sd of 14,400.
        Assert.InRange(a.TotalErrors, 14_400 - 5 * Math.Sqrt(1440 * 9.9), 14_400 + 5 * Math.Sqrt(1440 * 9.9));
        Assert.All(a.Errors, e => Assert.InRange(e, 0, 1000));
    }

    [Fact]
    public void The_budget_remaining_falls_by_each_hours_errors_over_the_periods_budget()
    {
        var s = NoiseFree();
        var (days, remaining) = s.BudgetRemainingByHour(0.99);   // budget 0.01 × 144,000 = 1,440 errors
        Assert.Equal(25, days.Length);
        Assert.Equal(25, remaining.Length);
        Assert.Equal(0, days[0]);
        Assert.Equal(1 / 24.0, days[1], 12);
        Assert.Equal(1.0, days[24], 12);
        Assert.Equal(1.0, remaining[0], 12);
        Assert.Equal(1 - 500 / 1440.0, remaining[1], 9);
        Assert.Equal(1 - 500 / 1440.0, remaining[23], 9);
        Assert.Equal(1 - 1000 / 1440.0, remaining[24], 9);

        var overspent = ErrorSeries.Simulate(90.0 / 1440, 100, 0, new[] { new Incident("x", 0, 30, 1.0) }, 1);
        var (d2, r2) = overspent.BudgetRemainingByHour(0.9);     // 90 min: one whole hour; budget 900 errors
        Assert.Equal(new[] { 0, 1 / 24.0 }, d2);
        Assert.Equal(1 - 3000 / 900.0, r2[1], 9);                  // negative once overspent
    }

    [Fact]
    public void Binomial_returns_0_or_n_at_the_extremes_without_drawing()
    {
        foreach (var (n, p, expected) in new[] { (10L, 0.0, 0L), (0L, 0.3, 0L), (10L, 1.0, 10L), (0L, 1.0, 0L) })
        {
            var rng = new Random(9);
            Assert.Equal(expected, Sampling.Binomial(rng, n, p));
            Assert.Equal(new Random(9).Next(), rng.Next());   // the generator was not advanced
        }
    }

    [Fact]
    public void Binomial_draws_are_pinned_for_a_seed_on_each_path()
    {
        // Inversion (n·p < 30), normal approximation (n·p ≥ 30, including exactly 30), complement (p > 0.5).
        Assert.Equal(new long[] { 11, 29, 212, 989 }, new[]
        {
            Sampling.Binomial(new Random(42), 1000, 0.01), Sampling.Binomial(new Random(3), 60, 0.5),
            Sampling.Binomial(new Random(42), 1000, 0.2), Sampling.Binomial(new Random(42), 1000, 0.99),
        });
    }

    [Fact]
    public void Binomial_inversion_follows_the_pmf()
    {
        // Binomial(5, 0.3): each k's frequency over 20,000 draws within 5 standard errors of its probability.
        var rng = new Random(11);
        const int draws = 20_000;
        var counts = new int[6];
        for (int i = 0; i < draws; i++) counts[Sampling.Binomial(rng, 5, 0.3)]++;
        for (int k = 0; k <= 5; k++)
        {
            double pk = Choose(5, k) * Math.Pow(0.3, k) * Math.Pow(0.7, 5 - k);
            double se = Math.Sqrt(pk * (1 - pk) / draws);
            Assert.InRange(counts[k] / (double)draws, pk - 5 * se - 1e-4, pk + 5 * se + 1e-4);
        }
    }

    [Fact]
    public void Binomial_normal_approximation_has_the_binomial_variance()
    {
        var rng = new Random(12);
        const int draws = 20_000;
        var x = Enumerable.Range(0, draws).Select(_ => (double)Sampling.Binomial(rng, 10_000, 0.2)).ToArray();
        double mean = x.Average(), variance = x.Sum(v => (v - mean) * (v - mean)) / (draws - 1);
        // Mean 2,000, variance 1,600: the sample variance's standard error is about 1,600·√(2/n) ≈ 16.
        Assert.InRange(mean, 2000 - 5 * 40 / Math.Sqrt(draws), 2000 + 5 * 40 / Math.Sqrt(draws));
        Assert.InRange(variance, 1600 - 5 * 16, 1600 + 5 * 16);
        var y = Enumerable.Range(0, draws).Select(_ => (double)Sampling.Binomial(rng, 10_000, 0.8)).ToArray();
        Assert.InRange(y.Average(), 8000 - 5 * 40 / Math.Sqrt(draws), 8000 + 5 * 40 / Math.Sqrt(draws));
    }

    private static double Choose(int n, int k)
    {
        double c = 1;
        for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
        return c;
    }
}
