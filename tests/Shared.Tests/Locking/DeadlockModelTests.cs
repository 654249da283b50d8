using SystemDesign.Locking;

namespace SystemDesign.Tests.Locking;

public sealed class DeadlockModelTests
{
    [Fact]
    public void Straw_man_formulas()
    {
        // n = 2, r = 8, R = 200: PW = 1·64/400, PD = PW²/1; exact PW = 1 − (1 − 8/400)^8.
        Assert.Equal(0.16, DeadlockModel.WaitProbability(2, 8, 200), 12);
        Assert.Equal(0.0256, DeadlockModel.DeadlockProbability(2, 8, 200), 12);
        Assert.Equal(1 - Math.Pow(0.98, 8), DeadlockModel.WaitProbabilityExact(2, 8, 200), 12);
        Assert.Equal((1 - Math.Pow(0.98, 8)) * 49 / 1200, DeadlockModel.RefinedDeadlockProbability(2, 8, 200), 12);
        Assert.Equal(0, DeadlockModel.DeadlockProbability(1, 8, 200));
        Assert.Equal(0, DeadlockModel.WaitProbabilityExact(1, 8, 200));
        // Fourth power of the transaction size, linear in the others, inverse square of the table.
        Assert.Equal(16, DeadlockModel.DeadlockProbability(3, 8, 400) / DeadlockModel.DeadlockProbability(3, 4, 400), 9);
        Assert.Equal(2, DeadlockModel.DeadlockProbability(5, 4, 400) / DeadlockModel.DeadlockProbability(3, 4, 400), 9);
        Assert.Equal(0.25, DeadlockModel.DeadlockProbability(3, 4, 800) / DeadlockModel.DeadlockProbability(3, 4, 400), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => DeadlockModel.WaitProbability(0, 4, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeadlockModel.WaitProbability(2, 101, 100));
        Assert.Throws<ArgumentException>(() => DeadlockModel.Compare(2, [], 100, 10, 1));
    }

    [Fact]
    public void The_simulated_rates_follow_the_refined_model_where_waits_are_rare()
    {
        // 2 transactions, r = 8 and 10 of 200 rows, 6,000 transactions each: PW ≈ 0.15 and 0.22.
        var points = DeadlockModel.Compare(2, [8, 10], 200, 6000, seed: 11);
        int observed = points.Sum(p => p.Deadlocks);
        double refined = points.Sum(p => p.Attempts * p.Refined), straw = points.Sum(p => p.Attempts * p.StrawMan);
        Assert.InRange(observed, refined - 4 * Math.Sqrt(refined), refined + 4 * Math.Sqrt(refined)); // Poisson 4σ
        Assert.True(observed < straw / 2, $"{observed} deadlocks, straw man {straw:F0}");
        foreach (var p in points)
        {
            double se = Math.Sqrt(p.WaitRate * (1 - p.WaitRate) / p.Attempts);
            Assert.InRange(p.WaitRate, p.WaitModelExact - 4 * se - p.WaitModelExact * p.WaitModelExact,
                p.WaitModelExact + 4 * se + p.WaitModelExact * p.WaitModelExact);
        }
    }

    [Fact]
    public void Wait_rate_counts_attempts_that_hit_a_conflict()
    {
        var alone = LockSimulation.Run(new LockWorkload(100, 1, 8, 20), DeadlockPolicy.Detect, 3);
        Assert.Equal(0, alone.AttemptsThatWaited);
        var busy = LockSimulation.Run(new LockWorkload(300, 8, 4, 50), DeadlockPolicy.Detect, 1);
        Assert.InRange(busy.AttemptsThatWaited, busy.Deadlocks, busy.Attempts);
        Assert.True(busy.WaitRate > 0);
    }
}
