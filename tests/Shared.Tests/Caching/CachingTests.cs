using SystemDesign.Caching;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Caching;

public sealed class EvictionTests
{
    [Fact]
    public void Lru_evicts_the_least_recently_used_key()
    {
        var lru = new Lru(2);
        Assert.False(lru.Access(1));
        Assert.False(lru.Access(2));
        Assert.True(lru.Access(1));   // 2 is now least recent
        Assert.False(lru.Access(3));  // evicts 2
        Assert.True(lru.Access(1));
        Assert.False(lru.Access(2));
        Assert.Equal(2, lru.Count);
    }

    [Fact]
    public void Sieve_keeps_visited_keys_and_evicts_the_first_unvisited_from_the_tail()
    {
        var sieve = new Sieve(3);
        sieve.Access(1); sieve.Access(2); sieve.Access(3);
        Assert.True(sieve.Access(1));   // visited
        Assert.False(sieve.Access(4));  // hand: 1 visited → cleared, 2 unvisited → evicted
        Assert.True(sieve.Access(1));
        Assert.True(sieve.Access(3));
        Assert.False(sieve.Access(2));
    }

    [Fact]
    public void Arc_resists_a_scan_that_flushes_lru()
    {
        var trace = Workloads.ZipfWithScan(2000, 1.0, 60_000, 20_000, seed: 3);
        double lru = Eviction.HitRatio(new Lru(200), trace, 30_000);
        double arc = Eviction.HitRatio(new Arc(200), trace, 30_000);
        Assert.True(arc > lru + 0.02, $"ARC {arc:P1} vs LRU {lru:P1}");
    }

    [Fact]
    public void Lru_matches_ches_approximation_on_zipf_traffic()
    {
        var sampler = new ZipfSampler(5000, 0.9);
        var trace = Workloads.Zipf(5000, 0.9, 200_000, seed: 1);
        double measured = Eviction.HitRatio(new Lru(500), trace, 20_000);
        Assert.InRange(measured - Eviction.CheLruHitRatio(sampler.Weights, 500), -0.01, 0.01);
    }

    [Fact]
    public void Sampled_lru_approaches_lru_as_samples_grow_and_random_at_one()
    {
        var trace = Workloads.Zipf(5000, 0.9, 100_000, seed: 2);
        double lru = Eviction.HitRatio(new Lru(500), trace, 10_000);
        double k1 = Eviction.HitRatio(new SampledLru(500, 1), trace, 10_000);
        double k10 = Eviction.HitRatio(new SampledLru(500, 10), trace, 10_000);
        Assert.True(Math.Abs(k10 - lru) < Math.Abs(k1 - lru));
        Assert.Equal(500, new SampledLru(500, 5).Capacity);
    }

    [Fact]
    public void Every_policy_stays_within_capacity_and_names_bad_input()
    {
        var trace = Workloads.ShiftingHotSet(1000, 1.0, 20_000, 5000, 300, seed: 4);
        foreach (var name in Eviction.Policies)
        {
            var p = Eviction.Create(name, 100);
            foreach (int k in trace) { p.Access(k); Assert.True(p.Count <= 100, name); }
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Eviction.Create("FIFO", 10));
        Assert.Equal("name", e.ParamName);
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => Eviction.Create("LRU", 0)).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentOutOfRangeException>(() => new SampledLru(10, 0)).ParamName);
    }

    [Fact]
    public void Counted_requests_exclude_the_scan_and_arc_loses_nothing_to_it()
    {
        var plain = Workloads.Zipf(20_000, 0.9, 60_000, seed: 1);
        var scan = Workloads.ZipfWithScan(20_000, 0.9, 60_000, 15_000, seed: 1);
        double arcLoss = Eviction.HitRatio(new Arc(1000), plain, 10_000)
                         - Eviction.HitRatio(new Arc(1000), scan, 10_000, k => k < 20_000);
        double lruLoss = Eviction.HitRatio(new Lru(1000), plain, 10_000)
                         - Eviction.HitRatio(new Lru(1000), scan, 10_000, k => k < 20_000);
        Assert.True(lruLoss > 0.02 && arcLoss < 0.01, $"LRU {lruLoss:P1}, ARC {arcLoss:P1}");
        Assert.True(double.IsNaN(Eviction.HitRatio(new Lru(10), [1, 2, 3], 0, _ => false)));
    }

    [Fact]
    public void Static_optimal_is_the_mass_of_the_top_keys()
    {
        Assert.Equal(0.7, Eviction.StaticOptimalHitRatio([0.1, 0.5, 0.2, 0.2], 2), 9);
    }
}

public sealed class StampedeTests
{
    [Fact]
    public void Without_protection_the_first_expiry_costs_about_one_plus_lambda_delta_queries()
    {
        var (mean, se) = StampedeSimulation.UnprotectedStampedeSize(200, 0.1, 400, seed: 1);
        Assert.InRange(mean, 21 - 4 * se, 21 + 4 * se);
    }

    [Fact]
    public void A_mutex_lets_exactly_one_query_through_per_expiry()
    {
        var run = StampedeSimulation.Run(StampedeProtection.Mutex, 500, 0.2, 1, 5, seed: 2);
        Assert.Equal(run.Expiries.Count, run.Queries.Count);
        Assert.True(run.Waits > 0);
    }

    [Fact]
    public void Xfetch_refreshes_before_the_expiry_with_probability_exp_minus_r_over_delta_beta()
    {
        double[] r = [0, 0.05, 0.1, 0.3];
        var share = XFetch.MeasuredRefreshShare(r, 0.1, 1, 20_000, seed: 3);
        for (int i = 0; i < r.Length; i++)
        {
            double p = XFetch.RefreshProbability(r[i], 0.1, 1);
            Assert.InRange(share[i], p - 4 * Math.Sqrt(p * (1 - p) / 20_000) - 1e-9, p + 4 * Math.Sqrt(p * (1 - p) / 20_000) + 1e-9);
        }
        var run = StampedeSimulation.Run(StampedeProtection.XFetch, 500, 0.05, 1, 10, seed: 4);
        Assert.True(run.Queries.Count(q => q.Early) > run.Queries.Count / 2);
    }

    [Fact]
    public async Task Single_flight_and_hybrid_cache_collapse_a_burst_and_cache_aside_does_not()
    {
        Assert.Equal(1, (await StampedeLab.BurstAsync("single-flight (ours)", 50, 50)).DatabaseCalls);
        Assert.Equal(1, (await StampedeLab.BurstAsync("HybridCache", 50, 50)).DatabaseCalls);
        Assert.True((await StampedeLab.BurstAsync("cache-aside (dictionary)", 50, 50)).DatabaseCalls > 1);
        Assert.Equal("cache", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => StampedeLab.BurstAsync("memcached", 5, 5))).ParamName);
    }

    [Fact]
    public async Task Single_flight_runs_again_after_completion_and_shares_exceptions()
    {
        var sf = new SingleFlight<string, int>();
        Assert.Equal(1, await sf.DoAsync("k", () => Task.FromResult(1)));
        Assert.Equal(2, await sf.DoAsync("k", () => Task.FromResult(2)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => sf.DoAsync("k", () => throw new InvalidOperationException()));
        Assert.Equal(3, sf.Executions);
    }
}

public sealed class AvalancheAndPenetrationTests
{
    [Fact]
    public void Jitter_lowers_the_peak_to_about_keys_times_bucket_over_the_jitter_window()
    {
        var flat = AvalancheSimulation.Run(10_000, 60, 0, 2, 70, 1, seed: 1);
        var jittered = AvalancheSimulation.Run(10_000, 60, 0.1, 2, 70, 1, seed: 1);
        Assert.InRange(flat.QueriesPerBucket[60], 8_000, 9_000); // 10 000·(1 − e^−2) = 8 647
        Assert.True(jittered.Peak < flat.Peak / 3);
    }

    [Fact]
    public void A_bloom_filter_rejects_no_valid_key_and_passes_about_its_false_positive_rate()
    {
        var bloom = PenetrationSimulation.Run("Bloom filter", 20_000, 1_000_000, 50_000, 1000, 60, 0.01, seed: 2);
        Assert.Equal(0, bloom.ValidKeysRejected);
        Assert.InRange(bloom.DatabaseHits, 250, 750);
        var none = PenetrationSimulation.Run("none", 20_000, 100, 5_000, 1000, 60, 0.01, seed: 2);
        var negative = PenetrationSimulation.Run("negative cache", 20_000, 100, 5_000, 1000, 60, 0.01, seed: 2);
        Assert.Equal(5_000, none.DatabaseHits);
        Assert.Equal(100, negative.DatabaseHits);
        Assert.Equal("defence", Assert.Throws<ArgumentOutOfRangeException>(
            () => PenetrationSimulation.Run("firewall", 1, 1, 1, 1, 1, 0.01, 1)).ParamName);
    }
}

public sealed class RateLimiterTests
{
    [Fact]
    public void A_fixed_window_admits_twice_its_limit_across_a_boundary_and_the_log_never_more_than_its_limit()
    {
        var times = RateLimiting.BoundaryBurst(100, 1, 0.01);
        Assert.Equal(200, RateLimiting.MaxAllowedInAnySpan(times, RateLimiting.Decide(new FixedWindow(100, 1), times), 1));
        Assert.Equal(100, RateLimiting.MaxAllowedInAnySpan(times, RateLimiting.Decide(new SlidingLog(100, 1), times), 1));
    }

    [Fact]
    public void A_token_bucket_admits_at_most_capacity_plus_rate_times_span()
    {
        var times = RateLimiting.Poisson(500, 20, seed: 1);
        var allowed = RateLimiting.Decide(new TokenBucket(50, 100), times);
        foreach (double span in new[] { 0.1, 0.5, 1, 5 })
            Assert.True(RateLimiting.MaxAllowedInAnySpan(times, allowed, span) <= 50 + 100 * span + 1e-9);
    }

    [Fact]
    public void Our_limiters_agree_with_system_threading_rate_limiting_burst_for_burst()
    {
        // Pauses longer than the window only: after a shorter one (20 ms) our fixed window, aligned on multiples of
        // W, crosses a boundary in about one run in five while .NET's, which restarts at its replenishment, does not.
        // (A burst right after another is covered with a 10 s window in RateLimiterBehaviourTests.)
        var rows = DotNetLimiters.RealTimeBursts(20, 100, [150, 110]);
        foreach (var r in rows)
            Assert.True(Math.Abs(r.DotNetAdmitted - r.OursAdmitted) <= 1, r.ToString());
    }

    [Fact]
    public void Our_segmented_window_matches_its_definition()
    {
        var w = new SegmentedSlidingWindow(2, 1, 4);
        Assert.True(w.TryAcquire(0.1));
        Assert.True(w.TryAcquire(0.3));
        Assert.False(w.TryAcquire(0.9));
        Assert.True(w.TryAcquire(1.1));   // the 0.1 request's segment [0, 0.25) left the window at 1.0
        Assert.False(w.TryAcquire(1.2));  // 0.3 (segment [0.25, 0.5)) and 1.1 still count
        Assert.True(w.TryAcquire(1.26));  // [0.25, 0.5) has left
    }

    [Fact]
    public void Headers_report_limit_remaining_and_retry_after_on_refusal()
    {
        var limiter = new FixedWindow(2, 10);
        Assert.True(limiter.TryAcquire(1));
        Assert.True(limiter.TryAcquire(2));
        Assert.False(limiter.TryAcquire(3));
        var h = RateLimiting.Headers(limiter, 3, allowed: false);
        Assert.Equal("0", h["X-RateLimit-Remaining"]);
        Assert.Equal("7", h["Retry-After"]);
    }

    [SkippableFact]
    public void The_guides_lua_script_is_refused_and_the_fixed_one_agrees_with_our_token_bucket()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        Assert.Contains("global", RedisRateLimit.TryGuideScript(db, $"test:caching:guide:{Guid.NewGuid():N}") ?? "(ran)");
        var times = RateLimiting.Poisson(80, 5, seed: 3).Select(t => (long)Math.Round(t * 1000)).Distinct().ToArray();
        // In milliseconds with 1/64 token per ms every quantity is a binary fraction: no rounding anywhere.
        var ours = RateLimiting.Decide(new TokenBucket(10, 0.015625), times.Select(t => (double)t).ToArray());
        Assert.Equal(ours, RedisRateLimit.TokenBucket(db, $"test:caching:tb:{Guid.NewGuid():N}", 10, 0.015625, times));
    }

    [SkippableFact]
    public void The_guides_multi_zadd_window_counts_refusals_like_our_log_that_logs_refusals()
    {
        using var redis = RealSystem.RequireRedis();
        long[] times = Enumerable.Range(0, 300).Select(i => (long)i * 10).ToArray();
        var ours = RateLimiting.Decide(new SlidingLog(20, 1, countRejected: true), times.Select(t => t / 1000.0).ToArray());
        Assert.Equal(ours, RedisRateLimit.SlidingLogMulti(redis.GetDatabase(), $"test:caching:log:{Guid.NewGuid():N}", 20, 1000, times));
    }
}

public sealed class RedisLfuAndInvalidationTests
{
    [Fact]
    public void The_lfu_counter_starts_at_five_and_grows_logarithmically()
    {
        Assert.Equal(1.0, RedisLfu.IncrementProbability(5, 10));
        Assert.Equal(1.0 / 11, RedisLfu.IncrementProbability(6, 10), 12);
        var (m100, _) = RedisLfu.CounterAfter(100, 10);
        var (m1000, _) = RedisLfu.CounterAfter(1000, 10);
        Assert.InRange(m100, 8, 12);
        Assert.InRange(m1000, 15, 22); // Redis's table for factor 10: 100 hits ≈ 10, 1K ≈ 18
    }

    [SkippableFact]
    public void Real_redis_counters_match_the_published_rule()
    {
        // MeasureCounters changes server-wide settings: a private server, so that a concurrent run cannot interfere.
        using var redis = CachingRedisTests.StartPrivateRedis();
        var counters = RedisLfu.MeasureCounters(redis.Connection, "test:caching:", 64, 300, 10);
        var (mean, sd) = RedisLfu.CounterAfter(300, 10);
        Assert.InRange(counters.Average(), mean - 4 * sd / 8, mean + 4 * sd / 8);
    }

    [Fact]
    public void Ttl_only_stale_share_follows_the_closed_form_and_cdc_beats_it()
    {
        var ttl = InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 0.2, 200, 5, 0.002, 0.001, 0.2, 2000, seed: 1);
        Assert.InRange(ttl.StaleShare, InvalidationSimulation.TtlStaleShare(0.2, 5) - 0.03, InvalidationSimulation.TtlStaleShare(0.2, 5) + 0.03);
        var cdc = InvalidationSimulation.Run(InvalidationStrategy.ChangeDataCapture, 0.2, 200, 5, 0.002, 0.001, 0.2, 2000, seed: 1);
        Assert.True(cdc.StaleShare < ttl.StaleShare / 3);
    }
}
