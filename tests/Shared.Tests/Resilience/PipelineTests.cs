using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using SystemDesign.Resilience;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Resilience;

/// <summary>The chain's Polly pipelines, driven by callbacks (no server).</summary>
public class PipelineTests
{
    private static ResiliencePipeline<HttpResponseMessage> For(CallPolicy p, TimeProvider? clock = null,
        List<Transition>? log = null) => Pipelines.ForCall(p, clock ?? TimeProvider.System, log ?? new());

    private static HttpResponseMessage Status(int code) => new((HttpStatusCode)code);

    /// <summary>Runs the pipeline over a callback that answers <paramref name="answer"/>(attempt); returns the attempts.</summary>
    private static async Task<(int Attempts, HttpResponseMessage? Result, Exception? Error)> Run(
        ResiliencePipeline<HttpResponseMessage> p, Func<int, HttpResponseMessage> answer)
    {
        int attempts = 0;
        try
        {
            var r = await p.ExecuteAsync(_ => ValueTask.FromResult(answer(attempts++)));
            return (attempts, r, null);
        }
        catch (Exception e) { return (attempts, null, e); }
    }

    [Theory]
    [InlineData(500, 3)]
    [InlineData(503, 3)]
    [InlineData(599, 3)]
    [InlineData(499, 1)]
    [InlineData(404, 1)]
    [InlineData(200, 1)]
    public async Task A_5xx_answer_is_a_failure_that_is_retried(int status, int attempts)
    {
        var (n, r, e) = await Run(For(new CallPolicy(Retries: 2, RetryBaseMs: 0)), _ => Status(status));
        Assert.Null(e);
        Assert.Equal(attempts, n);
        Assert.Equal(status, (int)r!.StatusCode);
    }

    [Fact]
    public async Task Connection_errors_and_timeouts_are_failures_other_exceptions_are_not()
    {
        var retry = For(new CallPolicy(Retries: 2, RetryBaseMs: 0));
        var (n, _, e) = await Run(retry, _ => throw new HttpRequestException("refused"));
        Assert.Equal(3, n);
        Assert.IsType<HttpRequestException>(e);
        (n, _, e) = await Run(retry, _ => throw new TimeoutRejectedException());
        Assert.Equal(3, n);
        Assert.IsType<TimeoutRejectedException>(e);
        (n, _, e) = await Run(retry, _ => throw new InvalidOperationException());
        Assert.Equal(1, n);
        Assert.IsType<InvalidOperationException>(e);
    }

    [Fact]
    public async Task A_retry_stops_at_the_first_success()
    {
        var (n, r, _) = await Run(For(new CallPolicy(Retries: 5, RetryBaseMs: 0)), k => Status(k < 2 ? 503 : 200));
        Assert.Equal(3, n);
        Assert.Equal(HttpStatusCode.OK, r!.StatusCode);
    }

    [Fact]
    public async Task Without_a_policy_a_failure_passes_through_once()
    {
        var (n, r, _) = await Run(For(CallPolicy.None), _ => Status(503));
        Assert.Equal(1, n);
        Assert.Equal(503, (int)r!.StatusCode);
        Assert.Equal(new CallPolicy(null, 0, 2, null, false, null, false), CallPolicy.None);
    }

    [Fact]
    public async Task A_fallback_turns_a_failure_into_a_degraded_200_and_leaves_successes_alone()
    {
        var p = For(new CallPolicy(Fallback: true));
        var (n, r, _) = await Run(p, _ => Status(503));
        Assert.Equal(1, n);
        Assert.Equal(HttpStatusCode.OK, r!.StatusCode);
        Assert.Equal("1", r.Headers.GetValues("X-Degraded").Single());
        (_, r, _) = await Run(p, _ => throw new HttpRequestException());
        Assert.True(r!.Headers.Contains("X-Degraded"));
        (_, r, _) = await Run(p, _ => Status(200));
        Assert.False(r!.Headers.Contains("X-Degraded"));
        (_, r, _) = await Run(p, _ => Status(404));
        Assert.Equal(HttpStatusCode.NotFound, r!.StatusCode);
        Assert.False(r.Headers.Contains("X-Degraded"));
    }

    [Fact]
    public async Task The_fallback_wraps_the_retries()
    {
        var (n, r, _) = await Run(For(new CallPolicy(Retries: 2, RetryBaseMs: 0, Fallback: true)), _ => Status(500));
        Assert.Equal(3, n);
        Assert.True(r!.Headers.Contains("X-Degraded"));
    }

    [Fact]
    public async Task An_open_breaker_fails_fast_and_the_fallback_answers_for_it()
    {
        var clock = new ManualClock();
        var log = new List<Transition>();
        var o = new BreakerOptions(0.5, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        var p = For(new CallPolicy(Breaker: o, Fallback: true), clock, log);
        var (n, _, _) = await Run(p, _ => Status(503));
        (n, _, _) = await Run(p, _ => Status(503));
        Assert.Single(log);
        var (refused, r, _) = await Run(p, _ => Status(200));
        Assert.Equal(0, refused);                                      // never called
        Assert.True(r!.Headers.Contains("X-Degraded"));
        var bare = For(new CallPolicy(Breaker: o), new ManualClock(), new List<Transition>());
        await Run(bare, _ => Status(500)); await Run(bare, _ => Status(500));
        var (m, _, e) = await Run(bare, _ => Status(200));
        Assert.Equal(0, m);
        Assert.IsType<BrokenCircuitException>(e);
    }

    [Fact]
    public async Task The_breaker_logs_its_transitions_on_the_breaker_clock()
    {
        var clock = new ManualClock();
        clock.Advance(TimeSpan.FromSeconds(3));
        var log = new List<Transition>();
        var p = For(new CallPolicy(Breaker: new BreakerOptions(0.5, 2, TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(1))), clock, log);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        await Run(p, _ => Status(503));
        await Run(p, _ => throw new HttpRequestException());
        clock.Advance(TimeSpan.FromSeconds(1));
        await Run(p, _ => Status(200));
        Assert.Equal(new[]
        {
            new Transition(TimeSpan.FromMilliseconds(250), BreakerState.Closed, BreakerState.Open),
            new Transition(TimeSpan.FromMilliseconds(1_250), BreakerState.Open, BreakerState.HalfOpen),
            new Transition(TimeSpan.FromMilliseconds(1_250), BreakerState.HalfOpen, BreakerState.Closed),
        }, log);
    }

    [Fact]
    public async Task A_timeout_cancels_a_hung_attempt()
    {
        var p = For(new CallPolicy(TimeoutMs: 10));
        await Assert.ThrowsAsync<TimeoutRejectedException>(async () => await p.ExecuteAsync(async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return Status(200);
        }));
    }

    [Fact]
    public async Task Hedging_sends_one_more_attempt_when_the_first_fails()
    {
        var (n, r, _) = await Run(For(new CallPolicy(HedgeAfterMs: 5_000)), k => Status(k == 0 ? 503 : 200));
        Assert.Equal(2, n);
        Assert.Equal(HttpStatusCode.OK, r!.StatusCode);
        (n, r, _) = await Run(For(new CallPolicy(HedgeAfterMs: 5_000)), _ => Status(503));
        Assert.Equal(2, n);                                            // at most one hedged attempt
        Assert.Equal(503, (int)r!.StatusCode);
        (n, _, _) = await Run(For(new CallPolicy(HedgeAfterMs: 5_000)), _ => Status(200));
        Assert.Equal(1, n);
    }

    [Fact]
    public void ForCall_guards_its_arguments()
    {
        var clock = TimeProvider.System;
        var log = new List<Transition>();
        Null("policy", () => Pipelines.ForCall(null!, clock, log));
        Null("breakerClock", () => Pipelines.ForCall(CallPolicy.None, null!, log));
        Null("log", () => Pipelines.ForCall(CallPolicy.None, clock, null!));
        OutOfRange("policy.Retries", () => Pipelines.ForCall(new CallPolicy(Retries: 11), clock, log));
        OutOfRange("policy.RetryBaseMs", () => Pipelines.ForCall(new CallPolicy(Retries: 1, RetryBaseMs: -1), clock, log));
        OutOfRange("policy.RetryBaseMs", () => Pipelines.ForCall(new CallPolicy(Retries: 1, RetryBaseMs: 1_001), clock, log));
        OutOfRange("hedge", () => Pipelines.ForCall(new CallPolicy(HedgeAfterMs: 0), clock, log));
        OutOfRange("hedge", () => Pipelines.ForCall(new CallPolicy(HedgeAfterMs: 10_001), clock, log));
        OutOfRange("t", () => Pipelines.ForCall(new CallPolicy(TimeoutMs: 9), clock, log));   // Polly's minimum is 10 ms
        OutOfRange("t", () => Pipelines.ForCall(new CallPolicy(TimeoutMs: 60_001), clock, log));
        // Breaker options are refused as ours (they used to reach Polly and fail its validation).
        OutOfRange("FailureRatio", () => Pipelines.ForCall(
            new CallPolicy(Breaker: BreakerOptions.PollyDefaults with { FailureRatio = 2 }), clock, log));
        // Edges are accepted.
        Assert.NotNull(Pipelines.ForCall(new CallPolicy(TimeoutMs: 10, Retries: 10, RetryBaseMs: 0, HedgeAfterMs: 1),
            clock, log));
        Assert.NotNull(Pipelines.ForCall(new CallPolicy(TimeoutMs: 60_000, Retries: 1, RetryBaseMs: 1_000,
            HedgeAfterMs: 10_000), clock, log));
    }
}

public class HopFaultsTests
{
    [Fact]
    public void Faults_start_healthy_and_keep_what_they_are_set_to()
    {
        var f = new HopFaults();
        Assert.Equal((0.0, 0, 0.0, 0, false, 0), (f.FailureRate, f.DelayMs, f.SlowShare, f.SlowMs, f.Down, f.OutageDelayMs));
        f.FailureRate = 0.25; f.DelayMs = 7; f.SlowShare = 0.5; f.SlowMs = 90; f.Down = true; f.OutageDelayMs = 40;
        Assert.Equal((0.25, 7, 0.5, 90, true, 40), (f.FailureRate, f.DelayMs, f.SlowShare, f.SlowMs, f.Down, f.OutageDelayMs));
        f.FailureRate = 1; f.DelayMs = 10_000; f.SlowShare = 1; f.SlowMs = 10_000; f.Down = false; f.OutageDelayMs = 10_000;
        Assert.Equal((1.0, 10_000, 1.0, 10_000, false, 10_000), (f.FailureRate, f.DelayMs, f.SlowShare, f.SlowMs, f.Down, f.OutageDelayMs));
    }

    [Fact]
    public void Faults_out_of_range_are_refused()
    {
        var f = new HopFaults();
        OutOfRange("value", () => f.FailureRate = -0.1);
        OutOfRange("value", () => f.FailureRate = 1.1);
        OutOfRange("value", () => f.DelayMs = -1);
        OutOfRange("value", () => f.DelayMs = 10_001);
        OutOfRange("value", () => f.SlowShare = -0.1);
        OutOfRange("value", () => f.SlowShare = 1.1);
        OutOfRange("value", () => f.SlowMs = -1);
        OutOfRange("value", () => f.SlowMs = 10_001);
        OutOfRange("value", () => f.OutageDelayMs = -1);
        OutOfRange("value", () => f.OutageDelayMs = 10_001);
        Assert.Equal((0.0, 0, 0.0, 0, 0), (f.FailureRate, f.DelayMs, f.SlowShare, f.SlowMs, f.OutageDelayMs));
    }
}

public class ChainMathTests
{
    [Fact]
    public void The_slope_is_the_least_squares_fit()
    {
        Assert.Equal(2.0, ChainLab.Slope(new double[] { 1, 2, 3 }, new double[] { 2, 4, 6 }), 12);
        Assert.Equal(2.0, ChainLab.Slope(new double[] { 0, 1, 2, 3 }, new double[] { 1, 3, 5, 7 }), 12);
        Assert.Equal(9 / 42.0, ChainLab.Slope(new double[] { 1, 2, 4 }, new double[] { 1, 3, 2 }), 12);
        Assert.Equal(-0.5, ChainLab.Slope(new double[] { 2, 4 }, new double[] { 3, 2 }), 12);
    }

    [Fact]
    public void Slope_guards_its_arguments()
    {
        double[] two = { 1, 2 };
        Null("x", () => ChainLab.Slope(null!, two));
        Null("y", () => ChainLab.Slope(two, null!));
        Invalid("y", () => ChainLab.Slope(two, new double[] { 1, 2, 3 }), "two or more points, as many x as y");
        Invalid("y", () => ChainLab.Slope(new double[] { 1 }, new double[] { 1 }), "two or more points, as many x as y");
        Invalid("x", () => ChainLab.Slope(new double[] { 3, 3 }, two), "x must vary");
    }

    [Fact]
    public void A_run_summary_counts_full_and_answered_and_takes_percentiles()
    {
        var answers = new[]
        {
            new ChainAnswer(200, false, 10), new ChainAnswer(200, true, 20), new ChainAnswer(502, false, 30),
            new ChainAnswer(0, false, 40), new ChainAnswer(200, false, 50),
        };
        var received = new[] { 5, 4, 3 };
        var r = ChainRun.From("x", answers, received);
        Assert.Equal("x", r.Name);
        Assert.Equal(5, r.Requests);
        Assert.Equal(0.4, r.FullShare, 12);
        Assert.Equal(0.6, r.AnsweredShare, 12);
        Assert.Equal(30, r.P50Ms, 12);
        Assert.Equal(49.6, r.P99Ms, 9);
        Assert.Same(received, r.Received);
        Null("answers", () => ChainRun.From("x", null!, received));
        Invalid("answers", () => ChainRun.From("x", Array.Empty<ChainAnswer>(), received));
    }

    [Fact]
    public void Only_an_undegraded_200_is_a_full_answer()
    {
        Assert.True(new ChainAnswer(200, false, 1).Full);
        Assert.False(new ChainAnswer(200, true, 1).Full);
        Assert.False(new ChainAnswer(502, false, 1).Full);
        Assert.False(new ChainAnswer(201, false, 1).Full);
        var a = new ChainAnswer(200, false, 1);
        Assert.False(a.Refused);
        Assert.False(a.Slow);
    }
}
