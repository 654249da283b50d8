using SystemDesign.Caching;

namespace SystemDesign.Tests.Caching;

/// <summary>Each limiter's decisions, Remaining and SecondsUntilNext at hand-computed instants.</summary>
public sealed class RateLimiterBehaviourTests
{
    [Fact]
    public void A_continuous_token_bucket_refills_at_its_rate_up_to_its_capacity()
    {
        var b = new TokenBucket(2, 1);
        Assert.Equal("token bucket", b.Name);
        Assert.Equal(2, b.Limit);
        Assert.Equal(1, b.Rate);
        Assert.Equal(0, b.RefillPeriod);
        Assert.Equal(2, b.WindowSeconds);
        Assert.Equal(2, b.Remaining(0));
        Assert.True(b.TryAcquire(0));
        Assert.True(b.TryAcquire(0));
        Assert.False(b.TryAcquire(0));
        Assert.Equal(0, b.Remaining(0));
        Assert.Equal(1, b.SecondsUntilNext(0));
        Assert.Equal(0.5, b.SecondsUntilNext(0.5));
        Assert.False(b.TryAcquire(0.5));
        Assert.True(b.TryAcquire(1));   // exactly one token back
        Assert.Equal(0.25, b.SecondsUntilNext(1.75));
        Assert.Equal(2, b.Remaining(10)); // capped at the capacity, not 9
        Assert.Equal(0, b.SecondsUntilNext(10));
        Assert.Equal(0.5, new TokenBucket(4, 8).WindowSeconds);
    }

    [Fact]
    public void A_stepped_token_bucket_adds_rate_times_period_at_each_multiple_of_the_period()
    {
        var b = new TokenBucket(2, 4, refillPeriod: 0.5); // 2 tokens at every multiple of 0.5 s
        Assert.Equal(0.5, b.RefillPeriod);
        Assert.True(b.TryAcquire(0.125));
        Assert.True(b.TryAcquire(0.125));
        Assert.Equal(0.25, b.SecondsUntilNext(0.25));
        Assert.False(b.TryAcquire(0.375));
        Assert.True(b.TryAcquire(0.5));
        Assert.Equal(1, b.Remaining(0.75));
        Assert.Equal(0, b.SecondsUntilNext(0.75)); // exactly one token: allowed now, not at the next step
        Assert.Equal(2, b.Remaining(2)); // three steps, capped at 2

        var slow = new TokenBucket(1, 1, refillPeriod: 0.25); // a quarter token per step
        Assert.True(slow.TryAcquire(0));
        Assert.Equal(0.875, slow.SecondsUntilNext(0.125)); // four steps: at 1.0
        Assert.False(slow.TryAcquire(0.75));              // three quarters
        Assert.Equal(0, slow.Remaining(0.75));
        Assert.Equal(0.25, slow.SecondsUntilNext(0.75));
        Assert.True(slow.TryAcquire(1));
    }

    [Fact]
    public void A_fixed_window_counts_per_aligned_window()
    {
        var w = new FixedWindow(2, 10);
        Assert.Equal("fixed window", w.Name);
        Assert.Equal(2, w.Limit);
        Assert.Equal(10, w.WindowSeconds);
        Assert.Equal(0, w.SecondsUntilNext(1));
        Assert.True(w.TryAcquire(1));
        Assert.Equal(1, w.Remaining(1.5));
        Assert.True(w.TryAcquire(2));
        Assert.False(w.TryAcquire(3));
        Assert.Equal(0, w.Remaining(3));
        Assert.Equal(7, w.SecondsUntilNext(3));
        Assert.True(w.TryAcquire(10));
        Assert.Equal(1, w.Remaining(10));
        Assert.Equal(0, w.SecondsUntilNext(10));

        var one = new FixedWindow(1, 1);
        Assert.True(one.TryAcquire(0.5));
        Assert.True(one.TryAcquire(1.0)); // floor: a new window starts at 1.0
        Assert.False(one.TryAcquire(1.5));
        Assert.True(one.TryAcquire(2.25));
        var negative = new FixedWindow(1, 1);
        Assert.True(negative.TryAcquire(-0.5));
        Assert.False(negative.TryAcquire(-0.25));
        Assert.Equal(0.25, negative.SecondsUntilNext(-0.25));
        Assert.True(negative.TryAcquire(0));
    }

    [Fact]
    public void A_sliding_log_counts_requests_in_the_half_open_window()
    {
        var log = new SlidingLog(2, 1);
        Assert.Equal("sliding log", log.Name);
        Assert.Equal(2, log.Limit);
        Assert.Equal(1, log.WindowSeconds);
        Assert.True(log.TryAcquire(0));
        Assert.Equal(0, log.SecondsUntilNext(0.25));
        Assert.True(log.TryAcquire(0.5));
        Assert.False(log.TryAcquire(0.75));
        Assert.Equal(0, log.Remaining(0.75));
        Assert.Equal(0.25, log.SecondsUntilNext(0.75));
        Assert.True(log.TryAcquire(1.0));  // 0 left the window (t − W, t] at exactly 1.0
        Assert.False(log.TryAcquire(1.25));
        Assert.Equal(1, log.Remaining(1.5));
        Assert.Equal(2, log.Remaining(5));
    }

    [Fact]
    public void A_sliding_log_that_logs_refusals_keeps_a_retrying_client_out()
    {
        var log = new SlidingLog(1, 1, countRejected: true);
        Assert.Equal("sliding log (logs refusals too)", log.Name);
        Assert.True(log.TryAcquire(0));
        Assert.False(log.TryAcquire(0.5));
        Assert.False(log.TryAcquire(1));    // the refused 0.5 still counts
        Assert.False(log.TryAcquire(1.25));
        Assert.Equal(0, log.Remaining(1.5)); // two logged, limit one: never negative
        Assert.Equal(0.75, log.SecondsUntilNext(1.5)); // the newest logged (1.25) must leave
        Assert.True(log.TryAcquire(2.25));
        var plain = new SlidingLog(1, 1);
        Assert.True(plain.TryAcquire(0));
        Assert.False(plain.TryAcquire(0.5));
        Assert.True(plain.TryAcquire(1)); // a plain log forgets the refusal
    }

    [Fact]
    public void A_sliding_window_counter_weights_the_previous_window_by_its_overlap()
    {
        var c = new SlidingWindowCounter(10, 1);
        Assert.Equal("sliding-window counter", c.Name);
        Assert.Equal(10, c.Limit);
        Assert.Equal(1, c.WindowSeconds);
        for (int i = 0; i < 10; i++) Assert.True(c.TryAcquire(0.5));
        Assert.False(c.TryAcquire(0.75));
        Assert.Equal(0, c.Remaining(0.75));
        Assert.Equal(0.25, c.SecondsUntilNext(0.75), 12); // previous is 0: wait for the next window
        Assert.Equal(2, c.Remaining(1.25));  // estimate 10·0.75 = 7.5
        Assert.True(c.TryAcquire(1.25));
        Assert.True(c.TryAcquire(1.25));
        Assert.True(c.TryAcquire(1.25));     // 9.5 < 10
        Assert.False(c.TryAcquire(1.25));    // 10.5
        Assert.Equal(0, c.Remaining(1.25));  // floor(−0.5) is −1: clamped
        // 10·(1 − f) + 3 < 10 once f > 0.3: at 1.3 s.
        Assert.Equal(0.05, c.SecondsUntilNext(1.25), 12);
        Assert.Equal(0, c.SecondsUntilNext(1.5));
        Assert.Equal(8, c.Remaining(2.5));  // window 2: previous = 3 (window 1), weight 0.5
        Assert.Equal(10, c.Remaining(5));   // windows skipped: previous = 0
    }

    [Fact]
    public void A_sliding_window_counter_full_on_its_own_waits_for_the_weight_to_fall()
    {
        var c = new SlidingWindowCounter(1, 1);
        Assert.True(c.TryAcquire(0.5));
        Assert.False(c.TryAcquire(1.0));  // estimate 1·(1 − 0) = 1
        Assert.Equal(1e-9, c.SecondsUntilNext(1.0)); // f = 0: due now, reported as a tick
        Assert.True(c.TryAcquire(1.5));   // 0.5 < 1
        Assert.Equal(0.5, c.SecondsUntilNext(1.5), 12); // current = limit: wait for the window's end
        var d = new SlidingWindowCounter(4, 1);
        for (int i = 0; i < 4; i++) Assert.True(d.TryAcquire(0.25));
        Assert.True(d.TryAcquire(1.375));   // 4·0.625 + 0 = 2.5
        Assert.True(d.TryAcquire(1.375));   // 3.5
        Assert.False(d.TryAcquire(1.375));  // 4.5
        Assert.Equal(0.125, d.SecondsUntilNext(1.375), 12); // 4·(1 − f) + 2 < 4 once f > 0.5: at 1.5
    }

    [Fact]
    public void A_segmented_window_frees_segments_as_they_slide_out()
    {
        var w = new SegmentedSlidingWindow(2, 1, 4);
        Assert.Equal("sliding window, 4 segments", w.Name);
        Assert.Equal(2, w.Limit);
        Assert.Equal(1, w.WindowSeconds);
        Assert.True(w.TryAcquire(0.1));
        Assert.Equal(1, w.Remaining(0.2));
        Assert.Equal(0, w.SecondsUntilNext(0.2));
        Assert.True(w.TryAcquire(0.3));
        Assert.Equal(0, w.Remaining(0.3));
        Assert.Equal(0.2, w.SecondsUntilNext(0.3), 12);
        Assert.Equal(1, w.Remaining(1.0));  // segment [0, 0.25) has left
        Assert.Equal(2, w.Remaining(100));  // a jump past the whole window clears all
        Assert.True(w.TryAcquire(100));
        Assert.True(w.TryAcquire(100.5));
        Assert.False(w.TryAcquire(100.9));
        Assert.True(w.TryAcquire(101.0));
        // Two segments of 0.5 s: a jump of many windows clears both, the one the count was in included.
        var two = new SegmentedSlidingWindow(1, 1, 2);
        Assert.True(two.TryAcquire(0.1));
        Assert.False(two.TryAcquire(0.6));
        Assert.True(two.TryAcquire(5.2));
    }

    [Fact]
    public void All_builds_the_four_kinds_for_one_limit_and_window()
    {
        var all = RateLimiting.All(10, 2);
        Assert.Equal(["token bucket", "fixed window", "sliding log", "sliding-window counter"], all.Select(l => l.Name));
        Assert.All(all, l => Assert.Equal(10, l.Limit));
        Assert.All(all, l => Assert.Equal(2, l.WindowSeconds));
        Assert.Equal(5, Assert.IsType<TokenBucket>(all[0]).Rate);
    }

    [Fact]
    public void Boundary_burst_puts_limit_requests_on_each_side_of_the_boundary()
    {
        var times = RateLimiting.BoundaryBurst(4, 1, 0.2);
        double[] expected = [9.8, 9.85, 9.9, 9.95, 10, 10.05, 10.1, 10.15];
        Assert.Equal(expected.Length, times.Length);
        for (int i = 0; i < times.Length; i++) Assert.Equal(expected[i], times[i], 9);
        Assert.Equal([10.0, 10.0], RateLimiting.BoundaryBurst(1, 1, 0));
    }

    [Fact]
    public void Poisson_arrivals_are_a_pure_function_of_the_seed()
    {
        var times = RateLimiting.Poisson(10, 1, seed: 1);
        Assert.Equal(13, times.Length);
        Assert.Equal(0.02859084251705868, times[0]);
        Assert.Equal(0.9299992672204678, times[^1]);
        Assert.True(times.Zip(times.Skip(1)).All(p => p.First < p.Second));
    }

    [Fact]
    public void Max_allowed_in_any_span_uses_half_open_spans_and_only_allowed_requests()
    {
        double[] times = [0, 0.5, 1, 1.5];
        Assert.Equal(2, RateLimiting.MaxAllowedInAnySpan(times, [true, true, true, true], 1));
        Assert.Equal(3, RateLimiting.MaxAllowedInAnySpan(times, [true, true, true, true], 1.01));
        Assert.Equal(2, RateLimiting.MaxAllowedInAnySpan(times, [true, false, true, true], 1));
        Assert.Equal(1, RateLimiting.MaxAllowedInAnySpan(times, [true, false, true, false], 1));
        Assert.Equal(0, RateLimiting.MaxAllowedInAnySpan(times, [false, false, false, false], 1));
        Assert.Equal([true, false, true], RateLimiting.Decide(new FixedWindow(1, 1), [0.5, 0.75, 1]));
    }

    [Fact]
    public void Headers_report_the_decision_the_limit_the_remaining_and_the_reset()
    {
        var bucket = new TokenBucket(1, 0.5);
        Assert.True(bucket.TryAcquire(0));
        var refused = RateLimiting.Headers(bucket, 0.5, allowed: false);
        Assert.Equal("429", refused["Status"]);
        Assert.Equal("1", refused["X-RateLimit-Limit"]);
        Assert.Equal("0", refused["X-RateLimit-Remaining"]);
        Assert.Equal("2", refused["X-RateLimit-Reset"]); // 1.5 s rounded up
        Assert.Equal("2", refused["Retry-After"]);
        Assert.Equal(5, refused.Count);
        var ok = RateLimiting.Headers(new FixedWindow(3, 1), 0, allowed: true);
        Assert.Equal("200", ok["Status"]);
        Assert.Equal("3", ok["X-RateLimit-Remaining"]);
        Assert.Equal("0", ok["X-RateLimit-Reset"]);
        Assert.Equal(4, ok.Count);
        Assert.False(ok.ContainsKey("Retry-After"));
        // A refusal always asks for at least one second, even when the limiter has room again.
        Assert.Equal("1", RateLimiting.Headers(new FixedWindow(1, 1), 0, allowed: false)["Retry-After"]);
    }

    [Fact]
    public void Dotnet_and_our_limiters_admit_a_fresh_burst_up_to_the_limit_and_nothing_right_after()
    {
        var rows = DotNetLimiters.RealTimeBursts(3, 10_000, [0]);
        Assert.Equal(["fixed window", "token bucket", "fixed window", "token bucket"], rows.Select(r => r.Limiter));
        Assert.Equal([0, 0, 1, 1], rows.Select(r => r.Burst));
        Assert.Equal([3, 3, 0, 0], rows.Select(r => r.OursAdmitted));
        Assert.Equal([3, 3], rows.Take(2).Select(r => r.DotNetAdmitted));
        Assert.True(rows.Zip(rows.Skip(1)).All(p => p.First.AtMs <= p.Second.AtMs));
        Assert.Equal(2, DotNetLimiters.RealTimeBursts(1, 100, []).Count);
    }

    [Fact]
    public void After_a_pause_longer_than_the_window_both_libraries_admit_a_full_burst_again()
    {
        var rows = DotNetLimiters.RealTimeBursts(3, 10, [30]);
        Assert.Equal([3, 3, 3, 3], rows.Select(r => r.OursAdmitted));
        Assert.Equal([3, 3, 3, 3], rows.Select(r => r.DotNetAdmitted));
        Assert.True(rows[2].AtMs >= 30, $"{rows[2].AtMs} ms"); // the second burst comes after the 30 ms sleep
    }
}
