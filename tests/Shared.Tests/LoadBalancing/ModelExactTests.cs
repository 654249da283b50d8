using SystemDesign.LoadBalancing;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.LoadBalancing;

public sealed class BallsIntoBinsExactTests
{
    [Fact]
    public void Guards_name_their_parameters()
    {
        var rng = new Random(1);
        OutOfRange("bins", () => BallsIntoBins.Place(0, 1, 1, rng));
        OutOfRange("balls", () => BallsIntoBins.Place(1, -1, 1, rng));
        OutOfRange("choices", () => BallsIntoBins.Place(1, 1, 0, rng));
        OutOfRange("choices", () => BallsIntoBins.Place(1, 1, 17, rng));
        Null("rng", () => BallsIntoBins.Place(1, 1, 1, null!));
        OutOfRange("trials", () => BallsIntoBins.Experiment(10, 1, 1, 1));
        OutOfRange("levels", () => BallsIntoBins.Experiment(10, 1, 2, 1, levels: 0));
        OutOfRange("bins", () => BallsIntoBins.Experiment(0, 1, 2, 1));
        OutOfRange("bins", () => BallsIntoBins.PoissonExpectedMax(0));
        OutOfRange("choices", () => BallsIntoBins.FluidLimit(0));
        OutOfRange("levels", () => BallsIntoBins.FluidLimit(2, levels: 65));
        OutOfRange("steps", () => BallsIntoBins.FluidLimit(2, steps: 9));
        OutOfRange("bins", () => BallsIntoBins.Asymptotic(2, 1));
        OutOfRange("choices", () => BallsIntoBins.Asymptotic(10, 0));
        Assert.Equal(new[] { 0, 0, 0 }, BallsIntoBins.Place(3, 0, 2, new ScriptedRandom()));
    }

    [Fact]
    public void Each_ball_goes_to_the_least_loaded_of_its_draws_and_a_tie_to_the_first_drawn()
    {
        // Ball 1 draws 0,1 (tie: 0). Ball 2 draws 0,1 (1 is emptier). Ball 3 draws 2,0 (2 is emptier).
        // Ball 4 draws 1,2 (tie: 1).
        var rng = new ScriptedRandom(0, 1, 0, 1, 2, 0, 1, 2);
        Assert.Equal(new[] { 1, 2, 1 }, BallsIntoBins.Place(3, 4, 2, rng));
        Assert.Equal(8, rng.Used);
        // Three choices: three draws per ball.
        var three = new ScriptedRandom(0, 0, 0, 0, 1, 2, 1, 0, 2);
        Assert.Equal(new[] { 1, 1, 1 }, BallsIntoBins.Place(3, 3, 3, three));
        Assert.Equal(9, three.Used);
        // One choice: exactly where it lands.
        Assert.Equal(new[] { 0, 3 }, BallsIntoBins.Place(2, 3, 1, new ScriptedRandom(1, 1, 1)));
    }

    [Fact]
    public void An_experiment_reports_the_mean_and_standard_error_of_its_trials()
    {
        const int bins = 50, trials = 4, seed = 9, levels = 4;
        var r = BallsIntoBins.Experiment(bins, 2, trials, seed, levels);
        var rng = new Random(seed);
        var max = new double[trials];
        var frac = new double[levels, trials];
        for (int t = 0; t < trials; t++)
        {
            var load = BallsIntoBins.Place(bins, bins, 2, rng);
            max[t] = load.Max();
            for (int i = 0; i < levels; i++) frac[i, t] = load.Count(l => l >= i) / (double)bins;
        }
        static (double, double) MeanSe(double[] a)
        {
            double m = a.Sum() / a.Length, v = 0;
            foreach (double x in a) v += (x - m) * (x - m);
            return (m, Math.Sqrt(v / (a.Length - 1) / a.Length));
        }
        Assert.Equal((bins, 2, trials), (r.Bins, r.Choices, r.Trials));
        var (mm, ms) = MeanSe(max);
        Assert.Equal(mm, r.MeanMaxLoad, 12);
        Assert.Equal(ms, r.MaxLoadStdErr, 12);
        Assert.Equal(levels, r.FractionAtLeast.Length);
        for (int i = 0; i < levels; i++)
        {
            var (fm, fs) = MeanSe(Enumerable.Range(0, trials).Select(t => frac[i, t]).ToArray());
            Assert.Equal(fm, r.FractionAtLeast[i], 12);
            Assert.Equal(fs, r.FractionAtLeastStdErr[i], 12);
        }
        Assert.Equal(1, r.FractionAtLeast[0]);
        Assert.True(r.MaxLoadStdErr > 0 || max.Distinct().Count() == 1);
    }

    [Fact]
    public void Poisson_expected_max_of_one_bin_is_the_poisson_mean_and_grows_with_bins()
    {
        Assert.Equal(1, BallsIntoBins.PoissonExpectedMax(1), 12);
        // Two bins: Σ_k≥1 (1 − P(X < k)²), X ~ Poisson(1), summed independently here.
        double expected = 0;
        for (int k = 1; k < 40; k++)
        {
            double below = 0, fact = 1;
            for (int j = 0; j < k; j++) { if (j > 0) fact *= j; below += Math.Exp(-1) / fact; }
            expected += 1 - below * below;
        }
        Assert.Equal(expected, BallsIntoBins.PoissonExpectedMax(2), 12);
        Assert.InRange(BallsIntoBins.PoissonExpectedMax(1_000_000), 7, 10);
    }

    [Fact]
    public void Fluid_limit_of_two_choices_solves_the_tanh_equation()
    {
        // ds1/dt = 1 − s1² with s1(0) = 0: s1(1) = tanh 1.
        var s = BallsIntoBins.FluidLimit(2, levels: 3, steps: 100_000);
        Assert.Equal(3, s.Length);
        Assert.Equal(1, s[0]);
        Assert.Equal(Math.Tanh(1), s[1], 4);
        Assert.InRange(s[2], 0.2, 0.25);
        // Exactly `steps` Euler steps: s1 += 0.1·(1 − s1) ten times.
        Assert.Equal(1 - Math.Pow(0.9, 10), BallsIntoBins.FluidLimit(1, levels: 2, steps: 10)[1], 12);
        var one = BallsIntoBins.FluidLimit(1, levels: 5, steps: 100_000);
        Assert.Equal(1 - 2.5 * Math.Exp(-1), one[3], 4);
        Assert.Equal(1 - 8.0 / 3 * Math.Exp(-1), one[4], 4);
    }

    [Fact]
    public void Asymptotic_orders_are_the_textbook_ones()
    {
        double ln = Math.Log(1000);
        Assert.Equal(ln / Math.Log(ln), BallsIntoBins.Asymptotic(1000, 1), 12);
        Assert.Equal(Math.Log(ln) / Math.Log(2), BallsIntoBins.Asymptotic(1000, 2), 12);
        Assert.Equal(Math.Log(ln) / Math.Log(3), BallsIntoBins.Asymptotic(1000, 3), 12);
    }
}

public sealed class FailoverAndHealthExactTests
{
    [Fact]
    public void Failover_guards_name_their_parameters()
    {
        OutOfRange("clients", () => GlobalFailover.MoveTimes(0, 1, 1, 1, 0, 0, 1));
        OutOfRange("ttlSeconds", () => GlobalFailover.MoveTimes(1, -1, 1, 1, 0, 0, 1));
        OutOfRange("checkIntervalSeconds", () => GlobalFailover.MoveTimes(1, 1, 0, 1, 0, 0, 1));
        OutOfRange("threshold", () => GlobalFailover.MoveTimes(1, 1, 1, 0, 0, 0, 1));
        OutOfRange("threshold", () => GlobalFailover.MoveTimes(1, 1, 1, 101, 0, 0, 1));
        OutOfRange("staleShare", () => GlobalFailover.MoveTimes(1, 1, 1, 1, 1.1, 0, 1));
        OutOfRange("staleSeconds", () => GlobalFailover.MoveTimes(1, 1, 1, 1, 0, -1, 1));
        OutOfRange("detectionSeconds", () => GlobalFailover.MovedShare(0, -1, 1, 0, 0));
        OutOfRange("ttlSeconds", () => GlobalFailover.MovedShare(0, 0, -1, 0, 0));
        OutOfRange("staleShare", () => GlobalFailover.MovedShare(0, 0, 1, -0.1, 0));
        OutOfRange("staleSeconds", () => GlobalFailover.MovedShare(0, 0, 1, 0, -1));
        OutOfRange("detectionSeconds", () => GlobalFailover.RtoRpo(-1, 0, 0, 0, 0));
        OutOfRange("ttlSeconds", () => GlobalFailover.RtoRpo(0, -1, 0, 0, 0));
        OutOfRange("promotionSeconds", () => GlobalFailover.RtoRpo(0, 0, -1, 0, 0));
        OutOfRange("replicationLagSeconds", () => GlobalFailover.RtoRpo(0, 0, 0, -1, 0));
        OutOfRange("writesPerSecond", () => GlobalFailover.RtoRpo(0, 0, 0, 0, -1));
        OutOfRange("writesPerSecond", () => GlobalFailover.LostWrites(0, 1, 0, 1, 1));
        OutOfRange("shipEverySeconds", () => GlobalFailover.LostWrites(1, 0, 0, 1, 1));
        OutOfRange("delaySeconds", () => GlobalFailover.LostWrites(1, 1, -1, 1, 1));
        OutOfRange("failures", () => GlobalFailover.LostWrites(1, 1, 0, 0, 1));
    }

    [Fact]
    public void Move_times_are_one_shared_detection_plus_each_clients_expiry_and_staleness()
    {
        const int seed = 21;
        var times = GlobalFailover.MoveTimes(200, 60, 10, 3, 0.25, 300, seed);
        var rng = new Random(seed);
        double detection = 2 * 10 + new Random(seed ^ 0x5bd1e995).NextDouble() * 10;
        Assert.Equal(200, times.Length);
        int stale = 0;
        for (int c = 0; c < 200; c++)
        {
            double expiry = rng.NextDouble() * 60;
            bool late = rng.NextDouble() < 0.25;
            if (late) stale++;
            Assert.Equal(expiry + (late ? 300 : 0) + detection, times[c], 9);
        }
        Assert.InRange(stale, 30, 70);
        // Threshold 1: detection within the first interval.
        Assert.All(GlobalFailover.MoveTimes(50, 0, 10, 1, 0, 0, 3), t => Assert.InRange(t, 0, 10));
    }

    [Fact]
    public void Moved_share_follows_the_uniform_expiry_and_the_late_resolvers()
    {
        Assert.Equal(0, GlobalFailover.MovedShare(9, 10, 60, 0.1, 300));
        Assert.Equal(0, GlobalFailover.MovedShare(10, 10, 60, 0.1, 300));
        Assert.Equal(0.9 * 0.25, GlobalFailover.MovedShare(25, 10, 60, 0.1, 300), 12);
        Assert.Equal(0.9, GlobalFailover.MovedShare(200, 10, 60, 0.1, 300), 12);
        Assert.Equal(0.9 + 0.1 * 0.5, GlobalFailover.MovedShare(10 + 300 + 30, 10, 60, 0.1, 300), 12);
        Assert.Equal(1, GlobalFailover.MovedShare(1_000, 10, 60, 0.1, 300), 12);
        // TTL 0: everybody moves the moment detection ends.
        Assert.Equal(1, GlobalFailover.MovedShare(10, 10, 0, 0, 0));
        Assert.Equal(0, GlobalFailover.MovedShare(9.9, 10, 0, 0, 0));
    }

    [Fact]
    public void Rto_waits_for_the_slower_of_ttl_and_promotion()
    {
        Assert.Equal((75.0, 2.0, 200.0), GlobalFailover.RtoRpo(30, 10, 45, 2, 100));
        Assert.Equal((90.0, 0.5, 5.0), GlobalFailover.RtoRpo(30, 60, 45, 0.5, 10));
    }

    [Fact]
    public void Lost_writes_are_poisson_over_the_unshipped_window()
    {
        const int seed = 4;
        var lost = GlobalFailover.LostWrites(20, 3, 1.5, 300, seed);
        var rng = new Random(seed);
        for (int f = 0; f < 300; f++)
        {
            double T = 100 + rng.NextDouble() * 100;
            double shipped = Math.Floor((T - 1.5) / 3) * 3;
            double mean = 20 * (T - shipped);
            Assert.InRange(T - shipped, 1.5, 4.5);
            int k = 0; double t = -Math.Log(1 - rng.NextDouble());
            while (t < mean) { k++; t += -Math.Log(1 - rng.NextDouble()); }
            Assert.Equal(k, lost[f]);
        }
        Assert.InRange(lost.Average(), 20 * 3 * 0.9, 20 * 3 * 1.1);   // 20·(1.5 + 3/2)
    }

    [Fact]
    public void Health_check_guards_name_their_parameters()
    {
        OutOfRange("interMs", () => HealthChecks.DetectionTimes(0, 1, 1, 1));
        OutOfRange("fall", () => HealthChecks.DetectionTimes(1, 0, 1, 1));
        OutOfRange("failures", () => HealthChecks.DetectionTimes(1, 1, 0, 1));
        OutOfRange("timeoutMs", () => HealthChecks.DetectionTimes(1, 1, 1, 1, -1));
        OutOfRange("interMs", () => HealthChecks.DetectionWindow(0, 1));
        OutOfRange("fall", () => HealthChecks.DetectionWindow(1, 101));
        OutOfRange("timeoutMs", () => HealthChecks.DetectionWindow(1, 1, -1));
        OutOfRange("sinceUpMs", () => HealthChecks.SlowStartShare(-1, 1, 2));
        OutOfRange("slowStartMs", () => HealthChecks.SlowStartShare(0, -1, 2));
        OutOfRange("servers", () => HealthChecks.SlowStartShare(0, 1, 1));
    }

    [Fact]
    public void Detection_is_a_uniform_phase_plus_fall_minus_one_intervals_plus_the_timeout()
    {
        var d = HealthChecks.DetectionTimes(100, 3, 50, seed: 8, timeoutMs: 40);
        var rng = new Random(8);
        Assert.All(d, t => Assert.Equal(rng.NextDouble() * 100 + 200 + 40, t, 9));
        Assert.Equal((240.0, 290.0, 340.0), HealthChecks.DetectionWindow(100, 3, 40));
        Assert.Equal((0.0, 25.0, 50.0), HealthChecks.DetectionWindow(50, 1));
    }

    [Fact]
    public void Slow_start_share_ramps_from_zero_to_an_equal_share()
    {
        Assert.Equal(0, HealthChecks.SlowStartShare(0, 1_000, 4));
        Assert.Equal(0.25 / 3.25, HealthChecks.SlowStartShare(250, 1_000, 4), 12);
        Assert.Equal(0.25, HealthChecks.SlowStartShare(1_000, 1_000, 4), 12);
        Assert.Equal(0.25, HealthChecks.SlowStartShare(5_000, 1_000, 4), 12);   // capped at full weight
        Assert.Equal(0.5, HealthChecks.SlowStartShare(0, 0, 2), 12);            // no slow start
    }
}
