namespace SystemDesign.ObjectStorage;

/// <summary>
/// The standard Markov model of one redundancy group (Gibson; Rao et al.): n shards on n independent disks,
/// data lost when more than <c>Tolerates</c> are down at once. Each live shard's disk fails at rate λ
/// (exponential, constant: no infant mortality, no correlated failures, no latent sector errors); each failed
/// shard is rebuilt independently at rate μ (state i repairs at i·μ). State i = shards down.
/// </summary>
public sealed record RedundancyScheme(string Name, int Shards, int Tolerates, double StorageOverhead)
{
    public static RedundancyScheme Replication(int copies) =>
        new($"{Guard.InRange(copies, 1, 10)}× replication", copies, copies - 1, copies);

    public static RedundancyScheme ErasureCode(int k, int m) =>
        new($"RS({Guard.InRange(k, 1, 200)},{Guard.InRange(m, 1, 55)})", k + m, m, (double)(k + m) / k);
}

public sealed record DurabilityEstimate(RedundancyScheme Scheme, double MttdlYears, double AnnualLossProbability)
{
    /// <summary>Nines of annual durability: −log10(annual loss probability).</summary>
    public double Nines => -Math.Log10(AnnualLossProbability);
}

public static class Durability
{
    public const double HoursPerYear = 8766;

    /// <summary>Disk failure rate per hour from an annualized failure rate (AFR, e.g. 0.01 for 1 %/year).</summary>
    public static double RatePerHour(double afr)
    {
        Guard.InRange(afr, 1e-9, 0.99);
        return -Math.Log(1 - afr) / HoursPerYear;
    }

    /// <summary>Exact mean time to data loss (hours): expected absorption time of the birth–death chain from
    /// state 0, solved from T_i = 1/(a_i + b_i) + a_i/(a_i+b_i) T_{i+1} + b_i/(a_i+b_i) T_{i−1}.</summary>
    public static double MttdlHours(RedundancyScheme scheme, double failurePerHour, double repairPerHour)
    {
        Guard.NotNull(scheme);
        Guard.Positive(failurePerHour);
        Guard.NonNegative(repairPerHour);
        int f = scheme.Tolerates;
        // Write T_i = A_i + B_i T_{i+1}, starting from T_0 = 1/a0 + T_1; then T_{f+1} = 0 and back-substitute.
        var A = new double[f + 1];
        var B = new double[f + 1];
        A[0] = 1 / (scheme.Shards * failurePerHour);
        B[0] = 1;
        for (int i = 1; i <= f; i++)
        {
            double a = (scheme.Shards - i) * failurePerHour, b = i * repairPerHour, s = a + b;
            // T_i = 1/s + (a/s) T_{i+1} + (b/s)(A_{i-1} + B_{i-1} T_i)
            double denom = 1 - b * B[i - 1] / s;
            A[i] = (1 / s + b * A[i - 1] / s) / denom;
            B[i] = a / s / denom;
        }
        double t = 0;
        for (int i = f; i >= 0; i--) t = A[i] + B[i] * t;
        return t;
    }

    /// <summary>The textbook approximation for μ ≫ λ: MTTDL ≈ f! μ^f / (λ^(f+1) · n(n−1)…(n−f)).</summary>
    public static double MttdlApproxHours(RedundancyScheme scheme, double failurePerHour, double repairPerHour)
    {
        Guard.NotNull(scheme);
        Guard.Positive(failurePerHour);
        Guard.Positive(repairPerHour);
        double value = 1 / failurePerHour;
        for (int i = 1; i <= scheme.Tolerates; i++) value *= i * repairPerHour / failurePerHour;
        for (int i = 0; i <= scheme.Tolerates; i++) value /= scheme.Shards - i;
        return value;
    }

    /// <summary>Annual loss probability of one group, 1 − exp(−1 year / MTTDL) (losses as a Poisson process).</summary>
    public static DurabilityEstimate Estimate(RedundancyScheme scheme, double afr, double repairHours)
    {
        Guard.NotNull(scheme);
        Guard.InRange(repairHours, 1e-3, 1e5);
        double mttdl = MttdlHours(scheme, RatePerHour(afr), 1 / repairHours);
        double p = -double.ExpM1(-HoursPerYear / mttdl);
        return new DurabilityEstimate(scheme, mttdl / HoursPerYear, p);
    }

    /// <summary>Monte Carlo of the same chain: mean time to data loss over <c>runs</c> seeded runs (hours),
    /// and its standard error. Use with high failure rates so losses happen within a cell's time.</summary>
    public static (double Mean, double StdErr) SimulateMttdlHours(RedundancyScheme scheme, double failurePerHour,
        double repairPerHour, int runs, int seed)
    {
        Guard.NotNull(scheme);
        Guard.Positive(failurePerHour);
        Guard.NonNegative(repairPerHour);
        Guard.InRange(runs, 2, 1_000_000);
        var rng = new Random(seed);
        var times = new double[runs];
        for (int r = 0; r < runs; r++)
        {
            double t = 0;
            int down = 0;
            while (down <= scheme.Tolerates)
            {
                double a = (scheme.Shards - down) * failurePerHour, b = down * repairPerHour;
                t += -Math.Log(1 - rng.NextDouble()) / (a + b);
                down += rng.NextDouble() * (a + b) < a ? 1 : -1;
            }
            times[r] = t;
        }
        double mean = times.Average();
        double sd = Math.Sqrt(times.Sum(x => (x - mean) * (x - mean)) / (runs - 1));
        return (mean, sd / Math.Sqrt(runs));
    }

    /// <summary>Monte Carlo of the same chain: the share of <c>runs</c> groups that lose data within
    /// <c>horizonHours</c> (to test the Poisson step 1 − exp(−T/MTTDL) the estimates rely on).</summary>
    public static double SimulateLossWithin(RedundancyScheme scheme, double failurePerHour, double repairPerHour,
        double horizonHours, int runs, int seed)
    {
        Guard.NotNull(scheme);
        Guard.Positive(failurePerHour);
        Guard.NonNegative(repairPerHour);
        Guard.Positive(horizonHours);
        Guard.InRange(runs, 1, 1_000_000);
        var rng = new Random(seed);
        int lost = 0;
        for (int r = 0; r < runs; r++)
        {
            double t = 0;
            int down = 0;
            while (down <= scheme.Tolerates && t <= horizonHours)
            {
                double a = (scheme.Shards - down) * failurePerHour, b = down * repairPerHour;
                t += -Math.Log(1 - rng.NextDouble()) / (a + b);
                if (t > horizonHours) break;
                down += rng.NextDouble() * (a + b) < a ? 1 : -1;
            }
            if (down > scheme.Tolerates) lost++;
        }
        return (double)lost / runs;
    }

    /// <summary>Expected objects lost per year when each of <c>objects</c> is lost with probability
    /// 10^−nines per year.</summary>
    public static double ExpectedLossesPerYear(double objects, double nines)
    {
        Guard.InRange(objects, 0.0, 1e18);
        Guard.InRange(nines, 0.0, 30.0);
        return objects * Math.Pow(10, -nines);
    }
}
