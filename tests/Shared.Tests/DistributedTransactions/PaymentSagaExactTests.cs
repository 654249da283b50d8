using SystemDesign.DistributedTransactions;

namespace SystemDesign.Tests.DistributedTransactions;

public class PaymentSagaExactTests
{
    private static readonly PaymentFaults Faults = new(0.05, 100, 250, 0.1);
    /// <summary>No loss, no declines, answers in ~1 ms against a 1 s timeout: every call answers first time.</summary>
    private static readonly PaymentFaults Perfect = new(0, 1, 1000, 0);

    [Fact]
    public void Without_faults_every_order_takes_exactly_four_calls_and_completes()
    {
        foreach (var policy in new[] { UnknownPolicy.PivotAware, UnknownPolicy.LastConfirmedOnly })
            foreach (var keys in new[] { RetryKeys.SameKey, RetryKeys.FreshKeyPerAttempt })
            {
                var r = PaymentSaga.Run(1000, Perfect, keys, policy, 2, seed: 3);
                Assert.Equal((1000, keys, policy, 1000, 0, 0, 0, 0, 0, 1000), (r.Orders, r.Keys, r.Policy, r.Completed, r.Compensated,
                    r.ChargedUnfulfilled, r.DoubleCharged, r.ExtraCharges, r.LeakedHolds, r.OrdersCharged));
                Assert.Equal((4000L, 1000L, 1000L), (r.Requests, r.CaptureAttempts, r.CaptureCalls));
                Assert.True(r.Consistent);
                // four exponential latencies of mean 1 ms: 4 ± 3 standard errors (sd 2/√1000)
                Assert.InRange(r.MeanSagaMs, 4 - 3 * 2 / Math.Sqrt(1000), 4 + 3 * 2 / Math.Sqrt(1000));
            }
    }

    [Fact]
    public void A_declined_reservation_ends_the_order_after_one_call_with_nothing_to_compensate()
    {
        foreach (var policy in new[] { UnknownPolicy.PivotAware, UnknownPolicy.LastConfirmedOnly })
        {
            var r = PaymentSaga.Run(500, Perfect with { DeclineRate = 1 }, RetryKeys.SameKey, policy, 2, seed: 3);
            Assert.Equal((0, 500, 0, 0), (r.Completed, r.Compensated, r.OrdersCharged, r.LeakedHolds));
            Assert.Equal((500L, 0L, 0L), (r.Requests, r.CaptureAttempts, r.CaptureCalls));
            Assert.True(r.Consistent);
        }
    }

    [Fact]
    public void Lost_requests_are_retried_with_a_timeout_each_and_cost_no_work()
    {
        // every request is lost with probability 0.9, no retries: most orders end at the reservation, unknown
        var r = PaymentSaga.Run(400, Perfect with { RequestLoss = 0.9 }, RetryKeys.SameKey, UnknownPolicy.LastConfirmedOnly, 0, seed: 8);
        Assert.True(r.Consistent);   // a lost request never ran: nothing is held or charged by it
        Assert.Equal(r.Completed, r.OrdersCharged);
        Assert.True(r.Compensated > 300);
        // every order waits at least one timeout (1 s) unless all its calls got through
        Assert.True(r.MeanSagaMs > 0.8 * 1000);
    }

    public static IEnumerable<object[]> Pinned => new[]
    {
        // 300 orders, faults (0.05, 100, 250, 0.1), 2 retries, seed 5
        new object[] { RetryKeys.SameKey, UnknownPolicy.PivotAware, 242, 58, 0, 0, 0, 0, 242, 1245L, 276L, 242L, 410.56288073704707 },
        new object[] { RetryKeys.FreshKeyPerAttempt, UnknownPolicy.PivotAware, 237, 63, 0, 20, 22, 4, 237, 1218L, 269L, 237L, 398.7422235523972 },
        new object[] { RetryKeys.SameKey, UnknownPolicy.LastConfirmedOnly, 243, 57, 0, 0, 0, 3, 243, 1246L, 278L, 244L, 413.1722234818675 },
        new object[] { RetryKeys.FreshKeyPerAttempt, UnknownPolicy.LastConfirmedOnly, 238, 62, 0, 20, 22, 6, 238, 1224L, 271L, 238L, 402.9707631624629 },
    };

    [Theory]
    [MemberData(nameof(Pinned))]
    public void A_seeded_run_gives_its_exact_totals(RetryKeys keys, UnknownPolicy policy, int completed, int compensated,
        int chargedUnfulfilled, int doubleCharged, int extra, int leaked, int charged, long requests, long captureAttempts,
        long captureCalls, double meanMs)
    {
        var r = PaymentSaga.Run(300, Faults, keys, policy, 2, seed: 5);
        Assert.Equal(new PaymentSagaResult(300, keys, policy, completed, compensated, chargedUnfulfilled, doubleCharged, extra,
            leaked, charged, requests, captureAttempts, captureCalls, r.MeanSagaMs), r);
        Assert.Equal(meanMs, r.MeanSagaMs, 9);
    }

    public static IEnumerable<object[]> PinnedHarsh => new[]
    {
        // 300 orders, faults (0.3, 100, 231, 0.2), no retries before the pivot, seed 5
        new object[] { RetryKeys.SameKey, UnknownPolicy.PivotAware, 71, 229, 0, 0, 0, 71, 1089L, 112L, 71L },
        new object[] { RetryKeys.FreshKeyPerAttempt, UnknownPolicy.PivotAware, 71, 229, 0, 5, 0, 71, 1089L, 112L, 71L },
        new object[] { RetryKeys.SameKey, UnknownPolicy.LastConfirmedOnly, 51, 249, 10, 0, 25, 61, 852L, 81L, 81L },
        new object[] { RetryKeys.FreshKeyPerAttempt, UnknownPolicy.LastConfirmedOnly, 51, 249, 10, 0, 25, 61, 852L, 81L, 81L },
    };

    [Theory]
    [MemberData(nameof(PinnedHarsh))]
    public void Under_harsh_faults_only_the_pivot_aware_policy_with_keys_stays_consistent(RetryKeys keys, UnknownPolicy policy,
        int completed, int compensated, int chargedUnfulfilled, int doubleCharged, int leaked, int charged, long requests,
        long captureAttempts, long captureCalls)
    {
        var r = PaymentSaga.Run(300, new PaymentFaults(0.3, 100, 231, 0.2), keys, policy, 0, seed: 5);
        Assert.Equal((completed, compensated, chargedUnfulfilled, doubleCharged, doubleCharged, leaked, charged),
            (r.Completed, r.Compensated, r.ChargedUnfulfilled, r.DoubleCharged, r.ExtraCharges, r.LeakedHolds, r.OrdersCharged));
        Assert.Equal((requests, captureAttempts, captureCalls), (r.Requests, r.CaptureAttempts, r.CaptureCalls));
        Assert.Equal(keys == RetryKeys.SameKey && policy == UnknownPolicy.PivotAware, r.Consistent);
    }

    [Fact]
    public void Consistency_needs_all_three_invariants()
    {
        var ok = new PaymentSagaResult(1, RetryKeys.SameKey, UnknownPolicy.PivotAware, 1, 0, 0, 0, 0, 0, 1, 4, 1, 1, 4);
        Assert.True(ok.Consistent);
        Assert.False((ok with { ChargedUnfulfilled = 1 }).Consistent);
        Assert.False((ok with { DoubleCharged = 1 }).Consistent);
        Assert.False((ok with { LeakedHolds = 1 }).Consistent);
    }

    [Fact]
    public void The_late_probability_is_that_of_an_exponential_latency()
    {
        Assert.Equal(Math.Exp(-2.5), Faults.LateProbability, 12);
        Assert.Equal(Math.Exp(-0.5), new PaymentFaults(0, 200, 100, 0).LateProbability, 12);
    }

    [Fact]
    public void The_extra_charge_sweep_is_zero_with_keys_and_grows_as_the_timeout_shrinks_without()
    {
        var rows = PaymentSaga.ExtraChargeSweep(new[] { 1.0, 3.0 }, 500, 2);
        Assert.Equal(new[] { (1.0, 0.0), (3.0, 0.0) }, rows.Select(r => (r.TimeoutRatio, r.SameKey)));
        Assert.Equal(0.49264705882352944, rows[0].FreshKeys, 12);
        Assert.Equal(0.042600896860986545, rows[1].FreshKeys, 12);
    }

    [Fact]
    public void The_designs_sum_their_seeds_in_policy_then_key_order()
    {
        var rows = PaymentSaga.Designs(Faults, 100, 2, 2);
        Assert.Equal(new[]
        {
            (UnknownPolicy.PivotAware, RetryKeys.SameKey), (UnknownPolicy.PivotAware, RetryKeys.FreshKeyPerAttempt),
            (UnknownPolicy.LastConfirmedOnly, RetryKeys.SameKey), (UnknownPolicy.LastConfirmedOnly, RetryKeys.FreshKeyPerAttempt),
        }, rows.Select(r => (r.Policy, r.Keys)));
        Assert.Equal(new[]
        {
            (200, 169, 31, 0, 0, 0, 0, 169, 846L, 201L, 169L),
            (200, 162, 38, 0, 19, 20, 3, 162, 857L, 190L, 162L),
            (200, 169, 31, 0, 0, 0, 1, 169, 862L, 203L, 169L),
            (200, 162, 38, 0, 19, 20, 4, 162, 850L, 190L, 162L),
        }, rows.Select(r => (r.Orders, r.Completed, r.Compensated, r.ChargedUnfulfilled, r.DoubleCharged, r.ExtraCharges,
            r.LeakedHolds, r.OrdersCharged, r.Requests, r.CaptureAttempts, r.CaptureCalls)));
        Assert.Equal(new[] { 436.9914972289265, 460.89904380672425, 454.79407837949225, 451.50115503944585 },
            rows.Select(r => Math.Round(r.MeanSagaMs, 9)).ToArray(), new RoundedComparer());
        // a design row is the sum of its seeds' runs
        var seed1 = PaymentSaga.Run(100, Faults, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, 1);
        var seed2 = PaymentSaga.Run(100, Faults, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, 2);
        Assert.Equal(seed1.Requests + seed2.Requests, rows[0].Requests);
        Assert.Equal((seed1.MeanSagaMs + seed2.MeanSagaMs) / 2, rows[0].MeanSagaMs, 9);
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) < 1e-6;
        public int GetHashCode(double x) => 0;
    }

    public static TheoryData<string, PaymentFaults> BadFaults => new()
    {
        { "loss < 0", Faults with { RequestLoss = -0.1 } },
        { "loss > 0.9", Faults with { RequestLoss = 0.95 } },
        { "mean latency 0", Faults with { MeanLatencyMs = 0 } },
        { "timeout 0", Faults with { TimeoutMs = 0 } },
        { "decline < 0", Faults with { DeclineRate = -0.1 } },
        { "decline > 1", Faults with { DeclineRate = 1.1 } },
        { "timeout too short for the mean latency", Faults with { TimeoutMs = 10 } },
    };

    [Theory]
    [MemberData(nameof(BadFaults))]
    public void Every_fault_field_is_checked(string what, PaymentFaults bad)
    {
        Assert.False(string.IsNullOrEmpty(what));
        var e = Assert.ThrowsAny<ArgumentException>(() => PaymentSaga.Run(10, bad, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, 1));
        Assert.Equal("faults", e.ParamName);
    }

    [Fact]
    public void The_bounds_of_every_fault_field_are_allowed()
    {
        // loss 0.9, decline 0 and 1, late probability just under 0.9 (timeout = 0.106 × mean)
        var edge = new PaymentFaults(0.9, 100, 10.6, 1);
        Assert.True(edge.LateProbability <= 0.9);
        Assert.Equal(10, PaymentSaga.Run(10, edge, RetryKeys.SameKey, UnknownPolicy.PivotAware, 0, 1).Orders);
        Assert.Equal(10, PaymentSaga.Run(10, Perfect, RetryKeys.SameKey, UnknownPolicy.PivotAware, 100, 1).Completed);
    }

    [Fact]
    public void A_timeout_too_short_for_the_latency_is_refused_with_the_rule()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            PaymentSaga.Run(10, Faults with { TimeoutMs = 10 }, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, 1));
        Assert.Equal("faults", e.ParamName);
        Assert.Contains("the timeout must exceed the mean latency × ln 10", e.Message);
    }

    [Fact]
    public void A_late_probability_of_exactly_0_9_is_still_allowed()
    {
        var edge = new PaymentFaults(0, 1, 0.10536051565782628, 1);   // timeout = −ln 0.9 × mean
        Assert.Equal(0.9, edge.LateProbability);
        Assert.Equal(5, PaymentSaga.Run(5, edge, RetryKeys.SameKey, UnknownPolicy.PivotAware, 0, 1).Orders);
    }

    [Fact]
    public void Every_argument_is_checked()
    {
        Assert.Equal("orders", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PaymentSaga.Run(1_000_001, Faults, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, 1)).ParamName);
        Assert.Equal("faults", Assert.Throws<ArgumentNullException>(() =>
            PaymentSaga.Run(10, null!, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, 1)).ParamName);
        Assert.Equal("maxRetries", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PaymentSaga.Run(10, Faults, RetryKeys.SameKey, UnknownPolicy.PivotAware, 101, 1)).ParamName);
        Assert.Equal("timeoutRatios", Assert.Throws<ArgumentNullException>(() => PaymentSaga.ExtraChargeSweep(null!, 10, 1)).ParamName);
        Assert.Equal("timeoutRatios", Assert.Throws<ArgumentException>(() => PaymentSaga.ExtraChargeSweep(Array.Empty<double>(), 10, 1)).ParamName);
        Assert.Equal("timeoutRatios", Assert.Throws<ArgumentOutOfRangeException>(() => PaymentSaga.ExtraChargeSweep(new[] { 0.1 }, 10, 1)).ParamName);
        Assert.Equal("seeds", Assert.Throws<ArgumentOutOfRangeException>(() => PaymentSaga.Designs(Faults, 10, 1001, 2)).ParamName);
    }
}
