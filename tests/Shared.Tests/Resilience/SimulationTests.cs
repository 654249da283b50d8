using SystemDesign.Resilience;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Resilience;

/// <summary>A small retry storm (λ 100/s, μ 140/s, outage [3, 5) s, 12 s): seeded, so every figure is exact.</summary>
public class RetryStormRunTests
{
    private static RetryRun Small(RetryPolicy p, double seconds = 12, int maxRetries = 3, double baseDelay = 0.1,
        double capDelay = 5, double budgetRatio = 0.1, int queueLimit = 20_000, double outageFrom = 3,
        double outageTo = 5)
        => RetryStorm.Run(p, lambda: 100, mu: 140, outageFrom: outageFrom, outageTo: outageTo, seconds: seconds,
            maxRetries: maxRetries, baseDelay: baseDelay, capDelay: capDelay, budgetRatio: budgetRatio,
            queueLimit: queueLimit, seed: 1);

    private static readonly double[] Arrivals = { 87, 105, 114, 97, 105, 105, 116, 101, 103, 76, 103, 114 };

    [Fact]
    public void Without_retries_attempts_are_the_arrivals_and_the_backlog_drains_three_seconds_after()
    {
        var r = Small(RetryPolicy.None);
        Assert.Equal(RetryPolicy.None, r.Policy);
        Assert.Equal(Enumerable.Range(0, 12).Select(s => (double)s), r.Seconds);
        Assert.Equal(Arrivals, r.AttemptsPerSecond);
        Assert.Equal(new double[] { 87, 105, 112, 0, 0, 0, 0, 31, 121, 140, 108, 111 }, r.GoodPerSecond);
        Assert.Equal(1.0, r.OutageAmplification);
        Assert.Equal(3.0, r.RecoverySeconds);
    }

    [Fact]
    public void Immediate_retries_amplify_the_outage_and_keep_the_server_busy_with_dead_work()
    {
        var r = Small(RetryPolicy.Immediate);
        Assert.Equal(new double[] { 87, 105, 114, 99, 203, 307, 422, 428, 424, 395, 385, 397 }, r.AttemptsPerSecond);
        Assert.Equal(new double[] { 87, 105, 112, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, r.GoodPerSecond);
        Assert.Equal((99 + 203) / 202.0, r.OutageAmplification, 12);
        Assert.Equal(7.0, r.RecoverySeconds);                      // never: the rest of the run
    }

    [Fact]
    public void Backoff_with_full_jitter_spreads_the_retries_but_does_not_end_the_storm_here()
    {
        var r = Small(RetryPolicy.BackoffFullJitter);
        Assert.Equal(new double[] { 87, 105, 114, 98, 203, 282, 370, 400, 394, 403, 381, 398 }, r.AttemptsPerSecond);
        Assert.Equal(new double[] { 87, 105, 112, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, r.GoodPerSecond);
        Assert.Equal((98 + 203) / 207.0, r.OutageAmplification, 12);
        Assert.Equal(7.0, r.RecoverySeconds);
        var capped = Small(RetryPolicy.BackoffFullJitter, baseDelay: 0.5, capDelay: 1);
        Assert.Equal(new double[] { 87, 105, 114, 97, 192, 238, 305, 382, 403, 422, 403, 401 },
            capped.AttemptsPerSecond);
        Assert.Equal(1.3894230769230769, capped.OutageAmplification, 12);
    }

    [Fact]
    public void A_retry_budget_limits_the_amplification_and_recovers()
    {
        var r = Small(RetryPolicy.Budget);
        Assert.Equal(new double[] { 87, 105, 114, 99, 133, 116, 127, 111, 114, 83, 104, 114 }, r.AttemptsPerSecond);
        Assert.Equal(new double[] { 87, 105, 112, 0, 0, 0, 0, 0, 0, 0, 129, 140 }, r.GoodPerSecond);
        Assert.Equal((99 + 133) / 202.0, r.OutageAmplification, 12);
        Assert.Equal(5.0, r.RecoverySeconds);
    }

    [Fact]
    public void A_budget_of_zero_allows_only_the_ten_initial_tokens()
    {
        var r = Small(RetryPolicy.Budget, budgetRatio: 0);
        Assert.Equal(Arrivals.Sum() + 10, r.AttemptsPerSecond.Sum());
        Assert.Equal(new double[] { 87, 105, 114, 99, 113, 105, 116, 101, 103, 76, 103, 114 }, r.AttemptsPerSecond);
        Assert.Equal(3.0, r.RecoverySeconds);
    }

    [Fact]
    public void With_no_retries_allowed_every_policy_is_no_retry()
    {
        var none = Small(RetryPolicy.None);
        foreach (var p in new[] { RetryPolicy.Immediate, RetryPolicy.BackoffFullJitter, RetryPolicy.Budget })
        {
            var r = Small(p, maxRetries: 0);
            Assert.Equal(none.AttemptsPerSecond, r.AttemptsPerSecond);
            Assert.Equal(none.GoodPerSecond, r.GoodPerSecond);
            Assert.Equal(p, r.Policy);
        }
    }

    [Fact]
    public void One_retry_allowed_caps_each_request_at_two_attempts()
    {
        var r = Small(RetryPolicy.Immediate, maxRetries: 1);
        Assert.Equal(new double[] { 87, 105, 114, 99, 201, 210, 221, 218, 203, 180, 179, 217 }, r.AttemptsPerSecond);
        Assert.Equal(1.4851485148514851, r.OutageAmplification, 12);
    }

    [Fact]
    public void A_short_queue_refuses_fast_so_immediate_retries_recover_at_once()
    {
        var r = Small(RetryPolicy.Immediate, queueLimit: 50);
        Assert.Equal(new double[] { 87, 105, 114, 250, 564, 111, 116, 101, 103, 76, 103, 114 }, r.AttemptsPerSecond);
        Assert.Equal(new double[] { 87, 105, 112, 0, 0, 90, 118, 111, 104, 76, 103, 111 }, r.GoodPerSecond);
        Assert.Equal((250 + 564) / 202.0, r.OutageAmplification, 12);
        Assert.Equal(0.0, r.RecoverySeconds);
    }

    [Fact]
    public void Without_an_outage_nothing_is_amplified_and_nothing_needs_recovering()
    {
        var r = Small(RetryPolicy.None, outageFrom: 5, outageTo: 5);
        Assert.Equal(Arrivals, r.AttemptsPerSecond);
        Assert.Equal(new double[] { 87, 105, 112, 99, 105, 105, 105, 111, 104, 76, 103, 111 }, r.GoodPerSecond);
        Assert.Equal(0.0, r.OutageAmplification);
        Assert.Equal(0.0, r.RecoverySeconds);
    }

    [Fact]
    public void The_last_second_is_never_taken_as_the_recovery()
    {
        // Cut at 11 s, the budget run's first good second (10) is the last one: not counted, so "never".
        var r = Small(RetryPolicy.Budget, seconds: 11);
        Assert.Equal(11, r.Seconds.Length);
        Assert.Equal(129, r.GoodPerSecond[^1]);
        Assert.Equal(6.0, r.RecoverySeconds);
    }

    [Fact]
    public void A_fractional_run_length_gets_a_last_partial_second()
    {
        var r = Small(RetryPolicy.None, seconds: 11.5);
        Assert.Equal(12, r.Seconds.Length);
        Assert.Equal(Arrivals[..11], r.AttemptsPerSecond[..11]);
        Assert.InRange(r.AttemptsPerSecond[11], 1, Arrivals[11]);      // half a second of arrivals
    }

    [Fact]
    public void The_fluid_model_drains_the_backlog_at_mu_minus_lambda()
    {
        Assert.Equal(9.0, RetryStorm.FluidRecoveryWithoutRetries(500, 700, 5), 12);   // (2500 − 700) / 200
        Assert.Equal(1.5, RetryStorm.FluidRecoveryWithoutRetries(100, 140, 2), 12);   // (200 − 140) / 40
        Assert.Equal(0.0, RetryStorm.FluidRecoveryWithoutRetries(100, 140, 1));       // shorter than μ·τ
        Assert.Equal(0.0, RetryStorm.FluidRecoveryWithoutRetries(100, 140, 0));
    }

    [Fact]
    public void Run_guards_its_arguments()
    {
        OutOfRange("lambda", () => RetryStorm.Run(RetryPolicy.None, lambda: 0.5));
        OutOfRange("lambda", () => RetryStorm.Run(RetryPolicy.None, lambda: 100_001));
        OutOfRange("mu", () => RetryStorm.Run(RetryPolicy.None, mu: 0.5));
        OutOfRange("mu", () => RetryStorm.Run(RetryPolicy.None, mu: 100_001));
        OutOfRange("seconds", () => RetryStorm.Run(RetryPolicy.None, seconds: 0.5));
        OutOfRange("seconds", () => RetryStorm.Run(RetryPolicy.None, seconds: 3_601));
        OutOfRange("outageFrom", () => RetryStorm.Run(RetryPolicy.None, outageFrom: -1));
        OutOfRange("outageFrom", () => RetryStorm.Run(RetryPolicy.None, outageFrom: 61, outageTo: 61));
        OutOfRange("outageTo", () => RetryStorm.Run(RetryPolicy.None, outageFrom: 10, outageTo: 9));
        OutOfRange("outageTo", () => RetryStorm.Run(RetryPolicy.None, outageTo: 61));
        OutOfRange("maxRetries", () => RetryStorm.Run(RetryPolicy.None, maxRetries: -1));
        OutOfRange("maxRetries", () => RetryStorm.Run(RetryPolicy.None, maxRetries: 11));
        OutOfRange("baseDelay", () => RetryStorm.Run(RetryPolicy.None, baseDelay: 0.0005));
        OutOfRange("baseDelay", () => RetryStorm.Run(RetryPolicy.None, baseDelay: 61, capDelay: 100));
        OutOfRange("capDelay", () => RetryStorm.Run(RetryPolicy.None, baseDelay: 1, capDelay: 0.5));
        OutOfRange("capDelay", () => RetryStorm.Run(RetryPolicy.None, capDelay: 601));
        OutOfRange("budgetRatio", () => RetryStorm.Run(RetryPolicy.None, budgetRatio: -0.1));
        OutOfRange("budgetRatio", () => RetryStorm.Run(RetryPolicy.None, budgetRatio: 1.1));
        OutOfRange("queueLimit", () => RetryStorm.Run(RetryPolicy.None, queueLimit: 0));
        OutOfRange("queueLimit", () => RetryStorm.Run(RetryPolicy.None, queueLimit: 10_000_001));
    }

    [Fact]
    public void FluidRecovery_guards_its_arguments()
    {
        OutOfRange("lambda", () => RetryStorm.FluidRecoveryWithoutRetries(0.5, 10, 1));
        OutOfRange("lambda", () => RetryStorm.FluidRecoveryWithoutRetries(100_001, 200_000, 1));
        OutOfRange("mu", () => RetryStorm.FluidRecoveryWithoutRetries(10, 10, 1));
        OutOfRange("mu", () => RetryStorm.FluidRecoveryWithoutRetries(10, 1_000_001, 1));
        OutOfRange("outageSeconds", () => RetryStorm.FluidRecoveryWithoutRetries(10, 20, -1));
        OutOfRange("outageSeconds", () => RetryStorm.FluidRecoveryWithoutRetries(10, 20, 3_601));
    }
}

/// <summary>A small cascade (100/s, pools of 5, C slow over [2, 5) s, 8 s): seeded, so every figure is exact.</summary>
public class CascadeSimulationTests
{
    private static CascadeRun Small(bool protectedCalls, double slowFrom = 2, double slowTo = 5,
        double timeoutMs = 100)
        => CascadeSimulation.Run(protectedCalls, ratePerSecond: 100, poolA: 5, poolB: 5, slowFrom: slowFrom,
            slowTo: slowTo, seconds: 8, timeoutMs: timeoutMs, seed: 1);

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 6);
    }

    [Fact]
    public void Without_timeouts_a_slow_C_starves_browse_requests_that_never_call_it()
    {
        var r = Small(false);
        Assert.Equal("no timeouts", r.Name);
        Assert.Equal(Enumerable.Range(0, 8).Select(s => (double)s), r.Seconds);
        Assert.Equal(new[] { 1, 1, 1 / 15.0, 0, 0.3, 1, 1, 1 }, r.BrowseAnswered);
        Assert.Equal(new[] { 1, 1, 0, 0, 0.2830188679245283, 1, 1, 1 }, r.CheckoutAnswered);
        Close(new[] { 5, 5, 1000, 1000, 1000, 312.93975646049165, 20, 5 }, r.MedianMs);
        Assert.Equal(0, r.Degraded);
    }

    [Fact]
    public void With_timeout_breaker_and_fallback_everyone_is_answered_some_checkouts_degraded()
    {
        var r = Small(true);
        Assert.Equal("timeout + breaker + fallback", r.Name);
        Assert.Equal(Enumerable.Repeat(1.0, 8), r.BrowseAnswered);
        Assert.Equal(Enumerable.Repeat(1.0, 8), r.CheckoutAnswered);
        Close(new[] { 5, 5, 176.97198001322835, 0, 0, 5, 0, 5 }, r.MedianMs);
        Assert.Equal(247, r.Degraded);
    }

    [Fact]
    public void With_C_never_slow_nothing_is_degraded_and_checkouts_take_Cs_twenty_ms()
    {
        var r = Small(true, slowFrom: 3, slowTo: 3);
        Assert.Equal(0, r.Degraded);
        Assert.Equal(Enumerable.Repeat(1.0, 8), r.CheckoutAnswered);
        Assert.All(r.MedianMs, m => Assert.InRange(m, 5 - 1e-6, 20 + 1e-6));
        var bare = Small(false, slowFrom: 3, slowTo: 3);
        Assert.Equal(bare.BrowseAnswered, r.BrowseAnswered);
        Assert.Equal(bare.CheckoutAnswered, r.CheckoutAnswered);
        Assert.Equal(bare.MedianMs, r.MedianMs);
    }

    [Fact]
    public void A_timeout_longer_than_Cs_slow_answer_protects_nothing()
    {
        var r = Small(true, timeoutMs: 3_000);
        Assert.Equal(0, r.Degraded);
        Assert.Equal(0, r.CheckoutAnswered[3]);
        Assert.True(r.BrowseAnswered[3] < 0.5);
    }

    [Fact]
    public void A_second_without_arrivals_counts_as_fully_answered_with_no_latency()
    {
        var r = CascadeSimulation.Run(false, ratePerSecond: 1, poolA: 5, poolB: 5, slowFrom: 2, slowTo: 5,
            seconds: 12, seed: 3);
        Assert.DoesNotContain(r.BrowseAnswered, double.IsNaN);
        Assert.DoesNotContain(r.CheckoutAnswered, double.IsNaN);
        Assert.Contains(0.0, r.MedianMs);                               // a second nobody arrived in
        for (int s = 0; s < 12; s++)
            if (r.MedianMs[s] == 0)
            {
                Assert.Equal(1.0, r.BrowseAnswered[s]);
                Assert.Equal(1.0, r.CheckoutAnswered[s]);
            }
        Assert.Contains(r.BrowseAnswered.Zip(r.CheckoutAnswered), x => x.First == 1 && x.Second == 1);
    }

    [Fact]
    public void Run_guards_its_arguments()
    {
        OutOfRange("ratePerSecond", () => CascadeSimulation.Run(false, ratePerSecond: 0.5));
        OutOfRange("ratePerSecond", () => CascadeSimulation.Run(false, ratePerSecond: 10_001));
        OutOfRange("poolA", () => CascadeSimulation.Run(false, poolA: 0));
        OutOfRange("poolA", () => CascadeSimulation.Run(false, poolA: 10_001));
        OutOfRange("poolB", () => CascadeSimulation.Run(false, poolB: 0));
        OutOfRange("poolB", () => CascadeSimulation.Run(false, poolB: 10_001));
        OutOfRange("seconds", () => CascadeSimulation.Run(false, seconds: 0.5));
        OutOfRange("seconds", () => CascadeSimulation.Run(false, seconds: 601));
        OutOfRange("slowFrom", () => CascadeSimulation.Run(false, slowFrom: -1));
        OutOfRange("slowFrom", () => CascadeSimulation.Run(false, slowFrom: 41, slowTo: 41));
        OutOfRange("slowTo", () => CascadeSimulation.Run(false, slowFrom: 10, slowTo: 9));
        OutOfRange("slowTo", () => CascadeSimulation.Run(false, slowTo: 41));
        OutOfRange("timeoutMs", () => CascadeSimulation.Run(false, timeoutMs: 0.5));
        OutOfRange("timeoutMs", () => CascadeSimulation.Run(false, timeoutMs: 10_001));
    }

    [Fact]
    public void The_mean_of_a_series_is_over_from_inclusive_to_exclusive()
    {
        var s = new double[] { 1, 2, 3, 4, 10 };
        Assert.Equal(2.5, CascadeRun.Mean(s, 1, 3));
        Assert.Equal(4.0, CascadeRun.Mean(s, 0, 5));
        Assert.Equal(10.0, CascadeRun.Mean(s, 4, 5));
        Assert.Equal(1.0, CascadeRun.Mean(s, 0, 1));
        Null("series", () => CascadeRun.Mean(null!, 0, 1));
        OutOfRange("from", () => CascadeRun.Mean(s, -1, 1));
        OutOfRange("from", () => CascadeRun.Mean(s, 5, 5));
        OutOfRange("to", () => CascadeRun.Mean(s, 2, 2));
        OutOfRange("to", () => CascadeRun.Mean(s, 2, 6));
    }

    [Fact]
    public void Events_run_in_time_order_ties_first_come_and_the_past_means_now()
    {
        var sim = new CascadeSimulation.Sim();
        var log = new List<string>();
        sim.At(2, () => log.Add($"b@{sim.Now}"));
        sim.At(1, () => { log.Add($"a@{sim.Now}"); sim.At(0.5, () => log.Add($"late@{sim.Now}")); });
        sim.At(2, () => log.Add($"c@{sim.Now}"));
        sim.At(5, () => log.Add($"d@{sim.Now}"));
        sim.RunUntil(2);
        Assert.Equal(new[] { "a@1", "late@1", "b@2", "c@2" }, log);
        Assert.Equal(2, sim.Now);
        sim.RunUntil(4.9);
        Assert.Equal(4, log.Count);
        sim.RunUntil(5);
        Assert.Equal("d@5", log[^1]);
        Assert.Equal(5, sim.Now);
    }

    [Fact]
    public void A_full_pool_queues_first_in_first_out_and_a_release_hands_the_worker_on()
    {
        var sim = new CascadeSimulation.Sim();
        var pool = new CascadeSimulation.Pool(sim, 2);
        var got = new List<int>();
        pool.Acquire(() => got.Add(1));
        pool.Acquire(() => got.Add(2));
        pool.Acquire(() => got.Add(3));
        pool.Acquire(() => got.Add(4));
        Assert.Equal(new[] { 1, 2 }, got);
        pool.Release();
        Assert.Equal(new[] { 1, 2 }, got);                             // handed on as an event, not inline
        sim.RunUntil(0);
        Assert.Equal(new[] { 1, 2, 3 }, got);
        pool.Release(); sim.RunUntil(0);
        Assert.Equal(new[] { 1, 2, 3, 4 }, got);
        pool.Release(); pool.Release();                                // both workers free again
        pool.Acquire(() => got.Add(5));
        pool.Acquire(() => got.Add(6));
        pool.Acquire(() => got.Add(7));
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, got);
    }
}

public class OutageTimelineRunTests
{
    [Fact]
    public void A_seeded_timeline_gives_exact_shares_delays_and_errors()
    {
        var r = OutageTimeline.Run(new[] { 100.0, 50 }, new[] { 10.0, 20 }, 10_000, 2_000, seed: 1, batches: 10);
        Assert.Equal(0.706, r.SyncShare, 12);
        Assert.Equal(0.9385, r.AcceptedShare, 12);
        Assert.Equal(0.022215225644664386, r.SyncStdErr, 9);
        Assert.Equal(0.012119145583543938, r.AcceptedStdErr, 9);
        Assert.Equal(4.652327053134311, r.MeanDelaySeconds, 9);
        Assert.Equal(58.69790692395611, r.P99DelaySeconds, 9);
    }

    [Fact]
    public void With_one_service_async_is_sync_and_never_waits()
    {
        var r = OutageTimeline.Run(new[] { 100.0 }, new[] { 25.0 }, 100_000, 5_000, seed: 2, batches: 20);
        Assert.Equal(r.SyncShare, r.AcceptedShare);
        Assert.Equal(r.SyncStdErr, r.AcceptedStdErr);
        Assert.Equal(0.0, r.MeanDelaySeconds);
        Assert.Equal(0.0, r.P99DelaySeconds);
        double se = Math.Sqrt(0.8 * 0.2 / 5_000);
        Assert.InRange(r.SyncShare, 0.8 - 0.05 - 5 * se, 0.8 + 0.05 + 5 * se);
    }

    [Fact]
    public void A_front_that_is_always_down_accepts_nothing_and_reports_no_delay()
    {
        var r = OutageTimeline.Run(new[] { 1e-6, 100 }, new[] { 1e9, 10 }, 1_000, 100, seed: 3, batches: 10);
        Assert.Equal(new OutageRun(0, 0, 0, 0, 0, 0), r);
    }

    [Fact]
    public void Asynchronous_work_waits_for_every_downstream_service_at_once()
    {
        var r = OutageTimeline.Run(new[] { 1e9, 100, 100 }, new[] { 1e-6, 50, 50 }, 200_000, 20_000, seed: 4);
        Assert.Equal(1.0, r.AcceptedShare);
        Assert.Equal(0.0, r.AcceptedStdErr);
        double each = 100 / 150.0, se = Math.Sqrt(each * each * (1 - each * each) / 20_000);
        Assert.InRange(r.SyncShare, each * each - 0.05 - 5 * se, each * each + 0.05 + 5 * se);
        Assert.True(r.MeanDelaySeconds > 0);
        Assert.True(r.P99DelaySeconds > r.MeanDelaySeconds);
    }

    [Fact]
    public void Run_guards_its_arguments()
    {
        double[] one = { 100 };
        Null("mtbfSeconds", () => OutageTimeline.Run(null!, one, 100, 100, 1));
        Invalid("mtbfSeconds", () => OutageTimeline.Run(Array.Empty<double>(), one, 100, 100, 1));
        Null("mttrSeconds", () => OutageTimeline.Run(one, null!, 100, 100, 1));
        Invalid("mttrSeconds", () => OutageTimeline.Run(one, new[] { 1.0, 2 }, 100, 100, 1), "one MTTR per service");
        OutOfRange("horizonSeconds", () => OutageTimeline.Run(one, one, 0.5, 100, 1));
        OutOfRange("horizonSeconds", () => OutageTimeline.Run(one, one, 2e9, 100, 1));
        OutOfRange("requests", () => OutageTimeline.Run(one, one, 100, 49, 1));
        OutOfRange("requests", () => OutageTimeline.Run(one, one, 100, 10_000_001, 1));
        OutOfRange("batches", () => OutageTimeline.Run(one, one, 100, 10, 1, batches: 1));
        OutOfRange("batches", () => OutageTimeline.Run(one, one, 100, 2_000, 1, batches: 1_001));
        OutOfRange("mtbfSeconds", () => OutageTimeline.Run(new[] { 0.0 }, one, 100, 100, 1));
        OutOfRange("mtbfSeconds", () => OutageTimeline.Run(new[] { 2e9 }, one, 100, 100, 1));
        OutOfRange("mttrSeconds", () => OutageTimeline.Run(one, new[] { 0.0 }, 100, 100, 1));
        OutOfRange("mttrSeconds", () => OutageTimeline.Run(one, new[] { 2e9 }, 100, 100, 1));
    }
}
