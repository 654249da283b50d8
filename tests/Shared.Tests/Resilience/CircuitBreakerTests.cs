using System.Globalization;
using SystemDesign.Resilience;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Resilience;

public class CircuitBreakerTests
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    private static (CircuitBreaker Breaker, ManualClock Clock) Make(double ratio = 0.5, int minimum = 2,
        double samplingSeconds = 1, double breakSeconds = 1)
    {
        var clock = new ManualClock();
        return (new CircuitBreaker(new BreakerOptions(ratio, minimum, TimeSpan.FromSeconds(samplingSeconds),
            TimeSpan.FromSeconds(breakSeconds)), clock), clock);
    }

    [Fact]
    public void Polly_defaults_are_ten_percent_of_a_hundred_calls_in_thirty_seconds_and_a_five_second_break()
    {
        var d = BreakerOptions.PollyDefaults;
        Assert.Equal(new BreakerOptions(0.1, 100, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)), d);
        Assert.Same(d, d.Validate());
    }

    [Fact]
    public void Options_accept_the_edges_of_Pollys_ranges()
    {
        var lo = new BreakerOptions(0, 2, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.5));
        Assert.Same(lo, lo.Validate());
        var hi = new BreakerOptions(1, int.MaxValue, TimeSpan.FromDays(1), TimeSpan.FromDays(1));
        Assert.Same(hi, hi.Validate());
    }

    [Fact]
    public void Options_outside_Pollys_ranges_are_refused_naming_the_setting()
    {
        var ok = new BreakerOptions(0.5, 10, S, S);
        OutOfRange("FailureRatio", () => (ok with { FailureRatio = -0.1 }).Validate());
        OutOfRange("FailureRatio", () => (ok with { FailureRatio = 1.1 }).Validate());
        OutOfRange("MinimumThroughput", () => (ok with { MinimumThroughput = 1 }).Validate());
        OutOfRange("SamplingDuration", () => (ok with { SamplingDuration = TimeSpan.FromSeconds(0.4) }).Validate());
        OutOfRange("SamplingDuration", () => (ok with { SamplingDuration = TimeSpan.FromDays(2) }).Validate());
        OutOfRange("BreakDuration", () => (ok with { BreakDuration = TimeSpan.FromSeconds(0.4) }).Validate());
        OutOfRange("BreakDuration", () => (ok with { BreakDuration = TimeSpan.FromDays(2) }).Validate());
        // The breaker validates what it is given.
        OutOfRange("MinimumThroughput", () => new CircuitBreaker(ok with { MinimumThroughput = 1 }));
        Null("options", () => new CircuitBreaker(null!));
    }

    [Fact]
    public void Execute_needs_a_call()
    {
        var (b, _) = Make();
        Null("call", () => b.Execute(null!));
    }

    [Fact]
    public void Without_a_clock_the_breaker_runs_on_the_system_clock()
    {
        var b = new CircuitBreaker(new BreakerOptions(0.5, 2, S, TimeSpan.FromHours(1)));
        Assert.True(b.Execute(() => true));
        Assert.False(b.Execute(() => false));                          // 1 of 2 failed: opens
        Assert.Equal(BreakerState.Open, b.State);
        Assert.Null(b.Execute(() => true));
    }

    [Fact]
    public void A_call_that_throws_counts_as_a_failure()
    {
        var (b, _) = Make();
        Assert.False(b.Execute(() => throw new InvalidOperationException()));
        Assert.False(b.Execute(() => throw new TimeoutException()));
        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void Transitions_record_when_and_from_what_to_what()
    {
        var (b, clock) = Make();
        clock.Advance(TimeSpan.FromMilliseconds(300));
        b.Execute(() => false);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        b.Execute(() => false);                                        // opens at 0.4 s
        clock.Advance(S);
        Assert.True(b.Execute(() => true));                            // probe at 1.4 s closes
        Assert.Equal(new[]
        {
            new Transition(TimeSpan.FromMilliseconds(400), BreakerState.Closed, BreakerState.Open),
            new Transition(TimeSpan.FromMilliseconds(1400), BreakerState.Open, BreakerState.HalfOpen),
            new Transition(TimeSpan.FromMilliseconds(1400), BreakerState.HalfOpen, BreakerState.Closed),
        }, b.Transitions);
    }

    [Fact]
    public void An_open_breaker_refuses_until_the_break_is_over_and_counts_refusals()
    {
        var (b, clock) = Make();
        b.Execute(() => false); b.Execute(() => false);
        Assert.Equal(0, b.Rejected);
        Assert.False(b.TryAcquire());
        clock.Advance(S - TimeSpan.FromTicks(1));
        Assert.False(b.TryAcquire());
        Assert.Equal(BreakerState.Open, b.State);
        Assert.Equal(2, b.Rejected);
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(b.TryAcquire());                                   // the probe
        Assert.Equal(BreakerState.HalfOpen, b.State);
        Assert.False(b.TryAcquire());                                  // a probe is in flight
        Assert.False(b.TryAcquire());
        Assert.Equal(4, b.Rejected);
        Assert.Equal(BreakerState.HalfOpen, b.State);
    }

    [Fact]
    public void A_failed_probe_opens_for_a_whole_new_break()
    {
        var (b, clock) = Make(breakSeconds: 2);
        b.Execute(() => false); b.Execute(() => false);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(b.Execute(() => false));
        Assert.Equal(BreakerState.Open, b.State);
        clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.Null(b.Execute(() => true));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(b.Execute(() => true));
        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void Closing_forgets_the_failures_that_opened_it()
    {
        var (b, clock) = Make(samplingSeconds: 10);
        b.Execute(() => false); b.Execute(() => false);
        clock.Advance(S);
        b.Execute(() => true);
        Assert.Equal(BreakerState.Closed, b.State);
        // One failure alone is below the minimum throughput of 2 (the two old ones are gone).
        b.Execute(() => false);
        Assert.Equal(BreakerState.Closed, b.State);
        b.Execute(() => false);
        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void A_success_never_opens_the_breaker()
    {
        var (b, _) = Make(ratio: 0.5, minimum: 4, samplingSeconds: 10);
        b.Execute(() => false); b.Execute(() => false); b.Execute(() => true);
        Assert.Equal(BreakerState.Closed, b.State);
        b.Execute(() => true);                                         // 2 of 4 failed, but this one succeeded
        Assert.Equal(BreakerState.Closed, b.State);
        b.Execute(() => false);                                        // 3 of 5
        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void Below_the_minimum_throughput_it_stays_closed_whatever_the_ratio()
    {
        var (b, _) = Make(ratio: 0.1, minimum: 5, samplingSeconds: 10);
        for (int i = 0; i < 4; i++) b.Execute(() => false);
        Assert.Equal(BreakerState.Closed, b.State);
        b.Execute(() => false);
        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void Below_the_failure_ratio_it_stays_closed()
    {
        var (b, _) = Make(ratio: 0.5, minimum: 2, samplingSeconds: 10);
        b.Execute(() => true); b.Execute(() => true); b.Execute(() => false);   // 1 of 3
        Assert.Equal(BreakerState.Closed, b.State);
        b.Execute(() => false);                                                 // 2 of 4: exactly the ratio
        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void A_late_result_while_open_is_counted_but_does_not_open_again()
    {
        var (b, clock) = Make();
        Assert.True(b.TryAcquire()); Assert.True(b.TryAcquire()); Assert.True(b.TryAcquire());
        b.Record(false); b.Record(false);
        Assert.Equal(BreakerState.Open, b.State);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        b.Record(false);                                               // the third call's late failure
        Assert.Single(b.Transitions);
        Assert.Equal(BreakerState.Open, b.State);
        // The break still ends 1 s after it opened, not after the late failure.
        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(b.TryAcquire());
    }

    [Fact]
    public void A_failure_exactly_one_window_later_no_longer_sees_the_first()
    {
        var (b, clock) = Make(ratio: 0.5, minimum: 2, samplingSeconds: 1);
        b.Execute(() => false);
        clock.Advance(S);
        b.Execute(() => false);
        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void A_failure_just_inside_the_window_still_sees_the_first()
    {
        var (b, clock) = Make(ratio: 0.5, minimum: 2, samplingSeconds: 1);
        b.Execute(() => false);
        clock.Advance(S - TimeSpan.FromTicks(1));
        b.Execute(() => false);
        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void A_call_one_bucket_width_later_opens_a_new_bucket()
    {
        // Buckets of 0.1 s. The success at 0.1 s starts its own bucket, which outlives the failure's bucket:
        // at 1.0 s the window holds that success and the new failure, 1 of 2 failed, and it opens.
        var (b, clock) = Make(ratio: 0.5, minimum: 2, samplingSeconds: 1);
        b.Execute(() => false);
        clock.SetTo(TimeSpan.FromMilliseconds(100));
        b.Execute(() => true);
        clock.SetTo(S);
        b.Execute(() => false);
        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void A_call_within_a_bucket_width_shares_the_bucket_and_expires_with_it()
    {
        var (b, clock) = Make(ratio: 0.5, minimum: 2, samplingSeconds: 1);
        b.Execute(() => false);
        clock.SetTo(TimeSpan.FromMilliseconds(100) - TimeSpan.FromTicks(1));
        b.Execute(() => true);
        clock.SetTo(S);
        b.Execute(() => false);
        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void Old_buckets_slide_out_one_by_one()
    {
        // Failures at 0, 0.5 s; a success at 1.2 s; a failure at 1.4 s: the window (0.4, 1.4] holds 0.5, 1.2, 1.4.
        var (b, clock) = Make(ratio: 0.6, minimum: 3, samplingSeconds: 1);
        b.Execute(() => false);
        clock.SetTo(TimeSpan.FromMilliseconds(500)); b.Execute(() => false);
        clock.SetTo(TimeSpan.FromMilliseconds(1200)); b.Execute(() => true);
        clock.SetTo(TimeSpan.FromMilliseconds(1400)); b.Execute(() => false);
        Assert.Equal(BreakerState.Open, b.State);                      // 2 of 3 ≥ 0.6
        var (c, clock2) = Make(ratio: 0.6, minimum: 3, samplingSeconds: 1);
        c.Execute(() => false);
        clock2.SetTo(TimeSpan.FromMilliseconds(500)); c.Execute(() => false);
        clock2.SetTo(TimeSpan.FromMilliseconds(1200)); c.Execute(() => true);
        clock2.SetTo(TimeSpan.FromMilliseconds(1500)); c.Execute(() => false);
        Assert.Equal(BreakerState.Closed, c.State);                    // the 0.5 s failure is gone: 2 calls
    }

    [Fact]
    public void A_transition_prints_its_time_and_states()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            Assert.Equal("1.50s Closed→Open",
                new Transition(TimeSpan.FromSeconds(1.5), BreakerState.Closed, BreakerState.Open).ToString());
            Assert.Equal("0.00s HalfOpen→Closed",
                new Transition(TimeSpan.Zero, BreakerState.HalfOpen, BreakerState.Closed).ToString());
        }
        finally { CultureInfo.CurrentCulture = culture; }
    }
}

public class ManualClockTests
{
    [Fact]
    public void The_clock_starts_at_new_year_2026_and_moves_only_when_told()
    {
        var c = new ManualClock();
        Assert.Equal(TimeSpan.Zero, c.Elapsed);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), c.GetUtcNow());
        Assert.Equal(0, c.GetTimestamp());
        c.Advance(TimeSpan.FromSeconds(1.5));
        c.Advance(TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(1.5), c.Elapsed);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 1, 500, TimeSpan.Zero), c.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(1.5).Ticks, c.GetTimestamp());
        c.SetTo(TimeSpan.FromSeconds(4));
        c.SetTo(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(4), c.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(2.5), c.GetElapsedTime(TimeSpan.FromSeconds(1.5).Ticks));
    }

    [Fact]
    public void Timestamps_tick_at_the_TimeSpan_tick_rate()
    {
        Assert.Equal(TimeSpan.TicksPerSecond, new ManualClock().TimestampFrequency);
    }

    [Fact]
    public void The_clock_never_moves_backwards()
    {
        var c = new ManualClock();
        c.Advance(TimeSpan.FromSeconds(2));
        Invalid("by", () => c.Advance(TimeSpan.FromTicks(-1)), "the clock only moves forward");
        Invalid("elapsed", () => c.SetTo(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1)),
            "the clock only moves forward");
        Assert.Equal(TimeSpan.FromSeconds(2), c.Elapsed);
    }
}
