using SystemDesign.ObjectStorage;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.ObjectStorage;

public sealed class DurabilityModelTests
{
    /// <summary>The birth–death chain's mean absorption time from state 0, by Gaussian elimination on
    /// s_i T_i − a_i T_{i+1} − b_i T_{i−1} = 1 (an independent solver for the library's recurrence).</summary>
    private static double ReferenceMttdl(int n, int f, double lambda, double mu)
    {
        int k = f + 1;
        var m = new double[k, k + 1];
        for (int i = 0; i < k; i++)
        {
            double a = (n - i) * lambda, b = i * mu;
            m[i, i] = a + b;
            if (i + 1 < k) m[i, i + 1] = -a;
            if (i > 0) m[i, i - 1] = -b;
            m[i, k] = 1;
        }
        for (int c = 0; c < k; c++)
            for (int r = 0; r < k; r++)
            {
                if (r == c) continue;
                double factor = m[r, c] / m[c, c];
                for (int j = 0; j <= k; j++) m[r, j] -= factor * m[c, j];
            }
        return m[0, k] / m[0, 0];
    }

    private static void Close(double expected, double actual, double relative = 1e-9)
        => Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Replication_scheme_has_copies_shards_and_tolerates_one_fewer()
    {
        var r = RedundancyScheme.Replication(3);
        Assert.Equal(new RedundancyScheme("3× replication", 3, 2, 3), r);
        Assert.Equal(1, RedundancyScheme.Replication(1).Shards);
        Assert.Equal(0, RedundancyScheme.Replication(1).Tolerates);
        Assert.Equal(10, RedundancyScheme.Replication(10).Shards);
    }

    [Fact]
    public void Erasure_code_scheme_has_k_plus_m_shards_and_tolerates_m()
    {
        Assert.Equal(new RedundancyScheme("RS(10,4)", 14, 4, 1.4), RedundancyScheme.ErasureCode(10, 4));
        Assert.Equal(1.5, RedundancyScheme.ErasureCode(4, 2).StorageOverhead, 12);
        Assert.Equal(255, RedundancyScheme.ErasureCode(200, 55).Shards);
    }

    [Fact]
    public void Nines_are_minus_log10_of_the_annual_loss()
    {
        Assert.Equal(5, new DurabilityEstimate(RedundancyScheme.Replication(2), 1, 1e-5).Nines, 12);
        Assert.Equal(0.5, new DurabilityEstimate(RedundancyScheme.Replication(2), 1, Math.Pow(10, -0.5)).Nines, 12);
    }

    [Fact]
    public void Rate_per_hour_is_the_exponential_rate_of_the_afr()
    {
        Close(-Math.Log(0.98) / 8766, Durability.RatePerHour(0.02));
        Close(-Math.Log(0.01) / 8766, Durability.RatePerHour(0.99));
        Assert.Equal(8766, Durability.HoursPerYear);
    }

    [Fact]
    public void Mirror_mttdl_is_the_closed_form()
    {
        // Two shards, one tolerated: (3λ + μ) / (2λ²).
        double l = 0.01, mu = 0.5;
        Close((3 * l + mu) / (2 * l * l), Durability.MttdlHours(RedundancyScheme.Replication(2), l, mu));
        Close(1 / (1 * 0.2), Durability.MttdlHours(RedundancyScheme.Replication(1), 0.2, 3));
    }

    [Theory]
    [InlineData(3, 0, 0.01, 0.5)]
    [InlineData(3, 0, 0.02, 0.0)]
    [InlineData(10, 4, 1e-3, 0.05)]
    [InlineData(4, 2, 0.3, 0.7)]
    public void Exact_mttdl_solves_the_chain(int k, int m, double lambda, double mu)
    {
        var s = m == 0 ? RedundancyScheme.Replication(k) : RedundancyScheme.ErasureCode(k, m);
        Close(ReferenceMttdl(s.Shards, s.Tolerates, lambda, mu), Durability.MttdlHours(s, lambda, mu), 1e-8);
    }

    [Fact]
    public void Approximation_is_f_factorial_mu_to_the_f_over_the_failure_product()
    {
        // 3 copies: 2! μ² / (λ³ · 3 · 2 · 1).
        double l = 0.01, mu = 0.5;
        Close(2 * mu * mu / (l * l * l * 6), Durability.MttdlApproxHours(RedundancyScheme.Replication(3), l, mu));
        // RS(4,2): 2! μ² / (λ³ · 6 · 5 · 4).
        Close(2 * 0.04 / (1e-9 * 120), Durability.MttdlApproxHours(RedundancyScheme.ErasureCode(4, 2), 1e-3, 0.2));
    }

    [Fact]
    public void Estimate_turns_the_mttdl_into_years_and_a_poisson_annual_loss()
    {
        var s = RedundancyScheme.ErasureCode(4, 2);
        var e = Durability.Estimate(s, 0.3, 500);
        double mttdl = ReferenceMttdl(6, 2, -Math.Log(0.7) / 8766, 1.0 / 500);
        Assert.Same(s, e.Scheme);
        Close(mttdl / 8766, e.MttdlYears, 1e-8);
        Close(1 - Math.Exp(-8766 / mttdl), e.AnnualLossProbability, 1e-8);
        Assert.InRange(e.AnnualLossProbability, 0, 1);
    }

    [Fact]
    public void Simulated_mttdl_of_a_seeded_run_is_fixed()
    {
        var (mean, se) = Durability.SimulateMttdlHours(RedundancyScheme.Replication(2), 0.1, 1, 5, 7);
        Assert.Equal(GoldenSimMean, mean, 9);
        Assert.Equal(GoldenSimStdErr, se, 9);
    }

    private const double GoldenSimMean = 13.637026860095073, GoldenSimStdErr = 4.466140789601291;

    [Fact]
    public void Simulated_mttdl_agrees_with_the_exact_chain()
    {
        var s = RedundancyScheme.ErasureCode(2, 1);
        double exact = Durability.MttdlHours(s, 0.05, 0.4);
        var (mean, se) = Durability.SimulateMttdlHours(s, 0.05, 0.4, 3000, 11);
        Assert.InRange(mean, exact - 4 * se, exact + 4 * se);
        // The standard error of an exponential-like time is about mean / sqrt(runs).
        Assert.InRange(se, 0.5 * exact / Math.Sqrt(3000), 2 * exact / Math.Sqrt(3000));
        // Without repair the time is the sum of the stages' means, 1/(3λ) + 1/(2λ).
        var (noRepair, se0) = Durability.SimulateMttdlHours(s, 0.05, 0, 3000, 12);
        Assert.InRange(noRepair, 1 / 0.15 + 1 / 0.1 - 4 * se0, 1 / 0.15 + 1 / 0.1 + 4 * se0);
    }

    [Fact]
    public void Simulated_losses_within_a_seeded_horizon_are_fixed()
    {
        var s = RedundancyScheme.Replication(2);
        Assert.Equal(GoldenLossShort, Durability.SimulateLossWithin(s, 0.1, 1, 5, 200, 3), 12);
        Assert.Equal(GoldenLossLong, Durability.SimulateLossWithin(s, 0.1, 1, 200, 200, 3), 12);
        Assert.Equal(0, Durability.SimulateLossWithin(s, 1e-6, 1, 1e-3, 50, 3));
        Assert.Equal(1, Durability.SimulateLossWithin(s, 10, 0, 1e6, 50, 3));
    }

    private const double GoldenLossShort = 0.075, GoldenLossLong = 0.975;

    [Fact]
    public void Expected_losses_are_objects_times_ten_to_minus_nines()
    {
        Assert.Equal(0.01, Durability.ExpectedLossesPerYear(1e9, 11), 15);
        Assert.Equal(5, Durability.ExpectedLossesPerYear(5, 0), 15);
        Assert.Equal(0, Durability.ExpectedLossesPerYear(0, 3));
    }

    [Fact]
    public void Durability_guards_name_their_parameter()
    {
        var s = RedundancyScheme.Replication(3);
        OutOfRange("copies", () => RedundancyScheme.Replication(0));
        OutOfRange("copies", () => RedundancyScheme.Replication(11));
        OutOfRange("k", () => RedundancyScheme.ErasureCode(0, 2));
        OutOfRange("k", () => RedundancyScheme.ErasureCode(201, 2));
        OutOfRange("m", () => RedundancyScheme.ErasureCode(4, 0));
        OutOfRange("m", () => RedundancyScheme.ErasureCode(4, 56));
        OutOfRange("afr", () => Durability.RatePerHour(0.995));
        OutOfRange("afr", () => Durability.RatePerHour(double.NaN));
        Null("scheme", () => Durability.MttdlHours(null!, 0.1, 0.1));
        OutOfRange("failurePerHour", () => Durability.MttdlHours(s, 0, 0.1));
        OutOfRange("repairPerHour", () => Durability.MttdlHours(s, 0.1, -0.1));
        Null("scheme", () => Durability.MttdlApproxHours(null!, 0.1, 0.1));
        OutOfRange("failurePerHour", () => Durability.MttdlApproxHours(s, 0, 0.1));
        OutOfRange("repairPerHour", () => Durability.MttdlApproxHours(s, 0.1, 0));
        Null("scheme", () => Durability.Estimate(null!, 0.01, 24));
        OutOfRange("repairHours", () => Durability.Estimate(s, 0.01, 1e-4));
        OutOfRange("repairHours", () => Durability.Estimate(s, 0.01, 2e5));
        OutOfRange("afr", () => Durability.Estimate(s, 0, 24));
        Null("scheme", () => Durability.SimulateMttdlHours(null!, 0.1, 0.1, 10, 1));
        OutOfRange("failurePerHour", () => Durability.SimulateMttdlHours(s, 0, 0.1, 10, 1));
        OutOfRange("repairPerHour", () => Durability.SimulateMttdlHours(s, 0.1, -1, 10, 1));
        OutOfRange("runs", () => Durability.SimulateMttdlHours(s, 0.1, 0.1, 1, 1));
        OutOfRange("runs", () => Durability.SimulateMttdlHours(s, 0.1, 0.1, 1_000_001, 1));
        Null("scheme", () => Durability.SimulateLossWithin(null!, 0.1, 0.1, 1, 10, 1));
        OutOfRange("failurePerHour", () => Durability.SimulateLossWithin(s, 0, 0.1, 1, 10, 1));
        OutOfRange("repairPerHour", () => Durability.SimulateLossWithin(s, 0.1, -1, 1, 10, 1));
        OutOfRange("horizonHours", () => Durability.SimulateLossWithin(s, 0.1, 0.1, -1, 10, 1));
        OutOfRange("runs", () => Durability.SimulateLossWithin(s, 0.1, 0.1, 1, 0, 1));
        OutOfRange("runs", () => Durability.SimulateLossWithin(s, 0.1, 0.1, 1, 1_000_001, 1));
        OutOfRange("objects", () => Durability.ExpectedLossesPerYear(-1, 3));
        OutOfRange("objects", () => Durability.ExpectedLossesPerYear(2e18, 3));
        OutOfRange("nines", () => Durability.ExpectedLossesPerYear(1, -0.1));
        OutOfRange("nines", () => Durability.ExpectedLossesPerYear(1, 31));
    }
}
