using SystemDesign.Resilience;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Resilience;

/// <summary>The real chain on loopback (Kestrel services in the test process; no outside server).</summary>
[Collection(TimedChainCollection.Name)]
public class ServiceChainTests
{
    private static readonly CallPolicy[] Plain = { CallPolicy.None, CallPolicy.None };

    [Fact]
    public async Task Each_service_answers_with_its_name_and_counts_what_reaches_it()
    {
        await using var chain = await ServiceChain.StartAsync(Plain, seed: 1);
        var a = await chain.CallAsync();
        Assert.Equal(new ChainAnswer(200, false, a.Ms), a);
        Assert.True(a.Full);
        Assert.Equal(new[] { 1, 1, 1 }, chain.Received);
        using var http = new HttpClient();
        Assert.Equal("s0", await http.GetStringAsync($"http://127.0.0.1:{chain.Port(0)}/"));
        Assert.Equal("s2", await http.GetStringAsync($"http://127.0.0.1:{chain.Port(2)}/"));
        Assert.Equal("local", await http.GetStringAsync($"http://127.0.0.1:{chain.Port(0)}/local"));
        Assert.Equal(new[] { 2, 2, 3 }, chain.Received);                // /local is not counted
        Assert.Equal(3, new[] { chain.Port(0), chain.Port(1), chain.Port(2) }.Distinct().Count());
        var local = await chain.CallAsync("/local");
        Assert.Equal(200, local.Status);
        Assert.Equal(new[] { 2, 2, 3 }, chain.Received);
        chain.ResetCounts();
        Assert.Equal(new[] { 0, 0, 0 }, chain.Received);
        Assert.Empty(chain.PollyTransitions(1));
        Assert.Null(chain.Shadow(1));
        Assert.Equal(0, chain.ShadowDisagreements(1));
    }

    [Fact]
    public async Task A_failure_below_becomes_a_502_and_a_failing_front_a_503()
    {
        await using var chain = await ServiceChain.StartAsync(Plain, seed: 2);
        chain.Faults(2).Down = true;
        var a = await chain.CallAsync();
        Assert.Equal(502, a.Status);
        Assert.False(a.Full || a.Degraded || a.Refused || a.Slow);
        Assert.Equal(new[] { 1, 1, 1 }, chain.Received);
        chain.Faults(2).Down = false;
        chain.Faults(1).FailureRate = 1;
        Assert.Equal(502, (await chain.CallAsync()).Status);
        Assert.Equal(new[] { 2, 2, 1 }, chain.Received);
        chain.Faults(0).FailureRate = 1;
        Assert.Equal(503, (await chain.CallAsync()).Status);
        Assert.Equal(new[] { 3, 2, 1 }, chain.Received);
    }

    [Fact]
    public async Task A_slow_answer_is_marked_all_the_way_up()
    {
        await using var chain = await ServiceChain.StartAsync(Plain, seed: 3);
        chain.Faults(2).SlowShare = 1;
        chain.Faults(2).SlowMs = 1;
        var a = await chain.CallAsync();
        Assert.Equal(200, a.Status);
        Assert.True(a.Slow);
        chain.Faults(2).SlowShare = 0;
        Assert.False((await chain.CallAsync()).Slow);
    }

    [Fact]
    public async Task A_fallback_answers_degraded_and_the_front_passes_the_mark_on()
    {
        await using var chain = await ServiceChain.StartAsync(new[] { CallPolicy.None, new CallPolicy(Fallback: true) },
            seed: 4);
        chain.Faults(2).Down = true;
        var a = await chain.CallAsync();
        Assert.Equal(200, a.Status);
        Assert.True(a.Degraded);
        Assert.False(a.Full);
        Assert.False(a.Refused);
    }

    [Fact]
    public async Task An_open_breaker_refuses_and_the_refusal_is_reported_to_the_client()
    {
        var clock = new ManualClock();
        var o = new BreakerOptions(0.5, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        await using var chain = await ServiceChain.StartAsync(
            new[] { CallPolicy.None, new CallPolicy(Breaker: o, Shadow: true) }, seed: 5, clock);
        chain.Faults(2).Down = true;
        var answers = await chain.DriveAsync(3);
        Assert.Equal(new[] { 502, 502, 502 }, answers.Select(x => x.Status));
        Assert.Equal(new[] { false, false, true }, answers.Select(x => x.Refused));
        Assert.Equal(new[] { 3, 3, 2 }, chain.Received);
        Assert.Equal(new[] { new Transition(TimeSpan.Zero, BreakerState.Closed, BreakerState.Open) },
            chain.PollyTransitions(1));
        Assert.Empty(chain.PollyTransitions(0));
        Assert.Equal(chain.PollyTransitions(1), chain.Shadow(1)!.Transitions);
        Assert.Equal(1, chain.Shadow(1)!.Rejected);
        Assert.Equal(0, chain.ShadowDisagreements(1));
        Assert.Null(chain.Shadow(0));
    }

    [Fact]
    public async Task A_cancelled_call_reports_status_zero()
    {
        await using var chain = await ServiceChain.StartAsync(Plain, seed: 6);
        var a = await chain.CallAsync(new CancellationToken(true));
        Assert.Equal(0, a.Status);
        Assert.False(a.Full || a.Degraded || a.Refused || a.Slow);
    }

    [Fact]
    public async Task A_sequential_drive_calls_the_hook_before_each_request_in_order()
    {
        await using var chain = await ServiceChain.StartAsync(Plain, seed: 7);
        var seen = new List<int>();
        var answers = await chain.DriveAsync(4, 1, k =>
        {
            seen.Add(k);
            chain.Faults(2).Down = k == 2;
        });
        Assert.Equal(new[] { 0, 1, 2, 3 }, seen);
        Assert.Equal(new[] { 200, 200, 502, 200 }, answers.Select(x => x.Status));
        var parallel = await chain.DriveAsync(12, 4);
        Assert.All(parallel, x => Assert.Equal(200, x.Status));
        Assert.Equal(new[] { 16, 16, 16 }, chain.Received);
    }

    [Fact]
    public async Task A_request_waits_for_a_free_worker_and_a_finished_request_frees_it()
    {
        await using var chain = await ServiceChain.StartAsync(Plain, seed: 8, workers: 1);
        chain.Faults(2).Down = true;
        chain.Faults(2).OutageDelayMs = 10_000;                        // the first request holds A's only worker
        using var first = new CancellationTokenSource();
        var holding = chain.CallAsync(first.Token);
        for (int i = 0; i < 500 && chain.Received[2] == 0; i++) await Task.Delay(10);
        Assert.Equal(new[] { 1, 1, 1 }, chain.Received);
        using (var second = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            Assert.Equal(0, (await chain.CallAsync("/local", second.Token)).Status);   // no worker for it
        first.Cancel();
        Assert.Equal(0, (await holding).Status);
        chain.Faults(2).Down = false;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal(200, (await chain.CallAsync("/local", bound.Token)).Status);
        Assert.Equal(200, (await chain.CallAsync(bound.Token)).Status);
        Assert.Equal(new[] { 2, 2, 2 }, chain.Received);
    }

    [Fact]
    public async Task Each_service_draws_its_faults_from_its_own_seeded_random_failure_first_then_slowness()
    {
        const int seed = 40, n = 24;
        await using var chain = await ServiceChain.StartAsync(Plain, seed);
        for (int i = 0; i < 3; i++) chain.Faults(i).FailureRate = 0.5;
        var answers = await chain.DriveAsync(n);
        // The same draws by hand: service i uses Random(seed + i), two draws per request that reaches it.
        var rngs = Enumerable.Range(0, 3).Select(i => new Random(seed + i)).ToArray();
        var received = new int[3];
        var expected = new int[n];
        for (int k = 0; k < n; k++)
        {
            int hop = 0;
            for (; hop < 3; hop++)
            {
                received[hop]++;
                if (rngs[hop].NextDouble() < 0.5) break;
                rngs[hop].NextDouble();
            }
            expected[k] = hop == 3 ? 200 : hop == 0 ? 503 : 502;
        }
        Assert.Equal(expected, answers.Select(a => a.Status));
        Assert.Equal(received, chain.Received);
        Assert.Contains(200, expected);
        Assert.Contains(502, expected);
        Assert.Contains(503, expected);
    }

    [Fact]
    public async Task The_marks_are_headers_set_to_one()
    {
        var clock = new ManualClock();
        var o = new BreakerOptions(0.5, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        await using var chain = await ServiceChain.StartAsync(
            new[] { new CallPolicy(Breaker: o), new CallPolicy(Fallback: true) }, seed: 11, clock);
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{chain.Port(0)}/";
        chain.Faults(2).SlowShare = 1;
        using (var r = await http.GetAsync(url))
            Assert.Equal("1", r.Headers.GetValues("X-Slow").Single());
        chain.Faults(2).Down = true;                                   // B falls back
        using (var r = await http.GetAsync(url))
            Assert.Equal("1", r.Headers.GetValues("X-Degraded").Single());
        chain.Faults(1).Down = true;                                   // A's breaker opens on B's 503s
        for (int i = 0; i < 2; i++) (await http.GetAsync(url)).Dispose();
        using (var r = await http.GetAsync(url))
        {
            Assert.Equal(502, (int)r.StatusCode);
            Assert.Equal("1", r.Headers.GetValues("X-Refused").Single());
        }
    }

    [Fact]
    public async Task A_shadow_that_decides_differently_from_Polly_is_counted_and_not_fed()
    {
        var o = new BreakerOptions(0.5, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        await using var chain = await ServiceChain.StartAsync(
            new[] { CallPolicy.None, new CallPolicy(Breaker: o, Shadow: true) }, seed: 12, new ManualClock());
        var shadow = chain.Shadow(1)!;
        shadow.Execute(() => false); shadow.Execute(() => false);       // open the shadow alone
        Assert.Equal(BreakerState.Open, shadow.State);
        var a = await chain.CallAsync();
        Assert.Equal(200, a.Status);                                    // Polly let it through
        Assert.Equal(1, chain.ShadowDisagreements(1));
        Assert.Equal(1, shadow.Rejected);
        Assert.Empty(chain.PollyTransitions(1));
        Assert.Single(shadow.Transitions);
    }

    [Fact]
    public async Task Nine_services_are_allowed()
    {
        await using var chain = await ServiceChain.StartAsync(Enumerable.Repeat(CallPolicy.None, 8).ToArray(), seed: 13);
        Assert.Equal(200, (await chain.CallAsync()).Status);
        Assert.Equal(Enumerable.Repeat(1, 9), chain.Received);
        OutOfRange("i", () => chain.Port(9));
        Assert.True(chain.Port(8) > 0);
    }

    [Fact]
    public async Task Disposing_stops_every_service()
    {
        foreach (bool sync in new[] { false, true })
        {
            var chain = await ServiceChain.StartAsync(Plain, seed: 14);
            var ports = Enumerable.Range(0, 3).Select(chain.Port).ToArray();
            Assert.Equal(200, (await chain.CallAsync()).Status);
            if (sync) chain.Dispose(); else await chain.DisposeAsync();
            using var http = new HttpClient();
            foreach (int port in ports)
                await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/local"));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => chain.CallAsync());   // not a status-0 answer
            await chain.DisposeAsync();                                                  // a second dispose is harmless
        }
    }

    [Fact]
    public async Task StartAsync_guards_its_arguments()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("policies", () => ServiceChain.StartAsync(null!, 1));
        Invalid("policies", () => ServiceChain.StartAsync(Array.Empty<CallPolicy>(), 1).GetAwaiter().GetResult());
        Invalid("policies", () => ServiceChain.StartAsync(Enumerable.Repeat(CallPolicy.None, 9).ToArray(), 1)
            .GetAwaiter().GetResult(), "at most 9 services");
        OutOfRange("workers", () => ServiceChain.StartAsync(Plain, 1, workers: -1).GetAwaiter().GetResult());
        OutOfRange("workers", () => ServiceChain.StartAsync(Plain, 1, workers: 10_001).GetAwaiter().GetResult());
        Null("policies[i]", () => ServiceChain.StartAsync(new CallPolicy[] { CallPolicy.None, null! }, 1)
            .GetAwaiter().GetResult());
        Invalid("policy", () => ServiceChain.StartAsync(new[] { new CallPolicy(Shadow: true) }, 1)
            .GetAwaiter().GetResult(), "a shadow breaker needs a breaker and no retry, hedging or fallback");
        var o = BreakerOptions.PollyDefaults;
        foreach (var bad in new[]
        {
            new CallPolicy(Breaker: o, Shadow: true, Retries: 1), new CallPolicy(Breaker: o, Shadow: true, Fallback: true),
            new CallPolicy(Breaker: o, Shadow: true, HedgeAfterMs: 5),
        })
            Invalid("policy", () => ServiceChain.StartAsync(new[] { bad }, 1).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Service_indexes_outside_the_chain_are_refused()
    {
        using var chain = await ServiceChain.StartAsync(new[] { CallPolicy.None }, seed: 9);
        foreach (int i in new[] { -1, 2 })
        {
            OutOfRange("i", () => chain.Faults(i));
            OutOfRange("i", () => chain.Port(i));
            OutOfRange("i", () => chain.PollyTransitions(i));
            OutOfRange("i", () => chain.Shadow(i));
            OutOfRange("i", () => chain.ShadowDisagreements(i));
        }
        Assert.Equal(2, chain.Received.Length);
        Null("path", () => chain.CallAsync((string)null!).GetAwaiter().GetResult());
        Invalid("path", () => chain.CallAsync("").GetAwaiter().GetResult());
        OutOfRange("requests", () => chain.DriveAsync(0).GetAwaiter().GetResult());
        OutOfRange("requests", () => chain.DriveAsync(100_001).GetAwaiter().GetResult());
        OutOfRange("concurrency", () => chain.DriveAsync(1, 0).GetAwaiter().GetResult());
        OutOfRange("concurrency", () => chain.DriveAsync(1, 257).GetAwaiter().GetResult());
        Invalid("before", () => chain.DriveAsync(2, 2, _ => { }).GetAwaiter().GetResult(),
            "a per-request hook needs sequential requests");
    }
}

/// <summary>The chain experiments at their smallest, with the outcomes that do not depend on timing.</summary>
[Collection(TimedChainCollection.Name)]
public class ChainLabTests
{
    // Windows of 0.5 s (10 requests 50 ms apart) and breaks of 0.5 s; 30% failed opens. The outages start at request
    // 12, when the window no longer holds the first requests (a cold first call can outlast a timeout).
    // The resolution of the clock .NET's timers read on Linux: clock_getres(CLOCK_MONOTONIC_COARSE) is one
    // kernel tick, 4 ms on these machines (HZ=250).
    private const double CoarseTickMs = 4;

    private static readonly BreakerOptions Quick = new(0.3, 2, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.5));

    [Fact]
    public async Task An_outage_to_the_end_opens_at_three_failures_in_ten_and_C_sees_only_those()
    {
        var r = await ChainLab.BreakerOutageAsync(Quick, 20, 12, 20, 50, seed: 1);
        var status = r.Answers.Select(a => a.Status).ToArray();
        Assert.Equal(Enumerable.Repeat(200, 10), status[2..12]);
        Assert.Equal(Enumerable.Repeat(502, 8), status[12..]);
        Assert.Equal(Enumerable.Repeat(false, 3).Concat(Enumerable.Repeat(true, 5)),
            r.Answers[12..].Select(a => a.Refused));
        Assert.Equal(new[] { new Transition(TimeSpan.FromMilliseconds(700), BreakerState.Closed, BreakerState.Open) },
            r.Polly);
        Assert.Equal(r.Polly, r.Ours);
        Assert.Equal(0, r.Disagreements);
        Assert.Equal(8, r.OutageRequests);
        Assert.Equal(3, r.OutageCallsReachingC);                       // counted at the end of the run
        // Each hung call waited for its 50 ms timeout, less one tick: .NET's timers run on
        // CLOCK_MONOTONIC_COARSE (4 ms here), so one can fire up to a tick early (dotnet/runtime#45585).
        Assert.True(r.FailingP50Ms >= 50 - CoarseTickMs, $"failing p50 {r.FailingP50Ms:F1} ms");
        Assert.False(double.IsNaN(r.OpenP50Ms));
    }

    [Fact]
    public async Task After_the_outage_the_probe_finds_C_up_and_closes()
    {
        // Outage [12, 16): opens at 700 ms until 1,200 ms (request 24); C is back from request 16; the probe closes.
        var r = await ChainLab.BreakerOutageAsync(Quick, 30, 12, 16, 50, seed: 2);
        var status = r.Answers.Select(a => a.Status).ToArray();
        Assert.Equal(Enumerable.Repeat(200, 10), status[2..12]);
        Assert.Equal(Enumerable.Repeat(502, 12), status[12..24]);
        Assert.Equal(Enumerable.Repeat(200, 6), status[24..]);
        Assert.Equal(Enumerable.Repeat(false, 3).Concat(Enumerable.Repeat(true, 9)),
            r.Answers[12..24].Select(a => a.Refused));
        Assert.Equal(new[]
        {
            new Transition(TimeSpan.FromMilliseconds(700), BreakerState.Closed, BreakerState.Open),
            new Transition(TimeSpan.FromMilliseconds(1_200), BreakerState.Open, BreakerState.HalfOpen),
            new Transition(TimeSpan.FromMilliseconds(1_200), BreakerState.HalfOpen, BreakerState.Closed),
        }, r.Polly);
        Assert.Equal(r.Polly, r.Ours);
        Assert.Equal(4, r.OutageRequests);
        Assert.Equal(3, r.OutageCallsReachingC);                       // counted when the outage ended
        Assert.True(r.FailingP50Ms >= 50 - CoarseTickMs, $"failing p50 {r.FailingP50Ms:F1} ms"); // less a tick
    }

    [Fact]
    public async Task Without_an_outage_there_is_nothing_to_measure()
    {
        var r = await ChainLab.BreakerOutageAsync(Quick, 10, 5, 5, 50, seed: 3);
        Assert.Equal((0, 0), (r.OutageRequests, r.OutageCallsReachingC));
        Assert.True(double.IsNaN(r.OpenP50Ms));
        Assert.True(double.IsNaN(r.FailingP50Ms));
        Assert.Empty(r.Polly);
        Assert.Equal(Enumerable.Repeat(200, 8), r.Answers[2..].Select(a => a.Status));
    }

    [Fact]
    public async Task A_breaker_that_never_opens_refuses_nothing_so_has_no_fail_fast_latency()
    {
        var never = new BreakerOptions(1.0, 10, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.5));
        var r = await ChainLab.BreakerOutageAsync(never, 16, 12, 15, 50, seed: 4);
        Assert.Empty(r.Polly);
        Assert.Empty(r.Ours);
        Assert.Equal((3, 3), (r.OutageRequests, r.OutageCallsReachingC));
        Assert.True(double.IsNaN(r.OpenP50Ms));
        Assert.False(double.IsNaN(r.FailingP50Ms));                    // one hang, then (past mid-outage) fast 503s
        Assert.Equal(new[] { 502, 502, 502, 200 }, r.Answers[12..].Select(a => a.Status));
    }

    [Fact]
    public async Task BreakerOutage_guards_its_arguments()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("options",
            () => ChainLab.BreakerOutageAsync(null!, 20, 0, 1, 25, 1));
        var o = Quick;
        OutOfRange("FailureRatio", () => ChainLab.BreakerOutageAsync(o with { FailureRatio = 2 }, 20, 0, 1, 25, 1)
            .GetAwaiter().GetResult());
        OutOfRange("requests", () => ChainLab.BreakerOutageAsync(o, 9, 0, 1, 25, 1).GetAwaiter().GetResult());
        OutOfRange("requests", () => ChainLab.BreakerOutageAsync(o, 10_001, 0, 1, 25, 1).GetAwaiter().GetResult());
        OutOfRange("from", () => ChainLab.BreakerOutageAsync(o, 20, -1, 1, 25, 1).GetAwaiter().GetResult());
        OutOfRange("from", () => ChainLab.BreakerOutageAsync(o, 20, 21, 21, 25, 1).GetAwaiter().GetResult());
        OutOfRange("to", () => ChainLab.BreakerOutageAsync(o, 20, 5, 4, 25, 1).GetAwaiter().GetResult());
        OutOfRange("to", () => ChainLab.BreakerOutageAsync(o, 20, 5, 21, 25, 1).GetAwaiter().GetResult());
        // Polly's timeout is at least 10 ms: below, the argument is refused (it used to fail in Polly's validation).
        OutOfRange("timeoutMs", () => ChainLab.BreakerOutageAsync(o, 20, 0, 1, 9, 1).GetAwaiter().GetResult());
        OutOfRange("timeoutMs", () => ChainLab.BreakerOutageAsync(o, 20, 0, 1, 1_001, 1).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Sequential_availability_runs_are_exact_for_a_seed()
    {
        var dead = await ChainLab.AvailabilityAsync("dead C", new[] { 0.0, 0.0, 1.0 }, CallPolicy.None,
            CallPolicy.None, 10, 1, seed: 1, workMs: 0);
        Assert.Equal(("dead C", 10, 0.0, 0.0), (dead.Name, dead.Requests, dead.FullShare, dead.AnsweredShare));
        Assert.Equal(new[] { 10, 10, 10 }, dead.Received);
        var cached = await ChainLab.AvailabilityAsync("cached", new[] { 0.0, 1.0, 0.0 }, new CallPolicy(Fallback: true),
            CallPolicy.None, 10, 1, seed: 1, workMs: 0);
        Assert.Equal((0.0, 1.0), (cached.FullShare, cached.AnsweredShare));
        Assert.Equal(new[] { 10, 10, 0 }, cached.Received);
        var front = await ChainLab.AvailabilityAsync("front", new[] { 1.0, 0.0, 0.0 }, CallPolicy.None,
            CallPolicy.None, 10, 1, seed: 1, workMs: 0);
        Assert.Equal(new[] { 10, 0, 0 }, front.Received);
    }

    [Fact]
    public async Task Availability_guards_its_arguments()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("failure",
            () => ChainLab.AvailabilityAsync("x", null!, CallPolicy.None, CallPolicy.None, 10, 1, 1));
        Invalid("failure", () => ChainLab.AvailabilityAsync("x", new[] { 0.0, 0.0 }, CallPolicy.None, CallPolicy.None,
            10, 1, 1).GetAwaiter().GetResult(), "three services");
        OutOfRange("workMs", () => ChainLab.AvailabilityAsync("x", new[] { 0.0, 0.0, 0.0 }, CallPolicy.None,
            CallPolicy.None, 10, 1, 1, workMs: 1_001).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Without_hedging_each_request_calls_C_once_and_the_slow_share_is_what_C_drew()
    {
        var all = await ChainLab.TailAsync("all slow", null, 1, 1, 0, 60_000, 10, 1, seed: 1);
        Assert.Equal((1.0, 1.0, 0.0), (all.CallsToCPerRequest, all.SlowAnswerShare, all.ShareOverThreshold));
        Assert.Equal(("all slow", 1.0), (all.Run.Name, all.Run.FullShare));
        var none = await ChainLab.TailAsync("none slow", null, 0, 1, 0, 0, 10, 1, seed: 1);
        Assert.Equal((1.0, 0.0, 1.0), (none.CallsToCPerRequest, none.SlowAnswerShare, none.ShareOverThreshold));
    }

    [Fact]
    public async Task The_slow_path_takes_the_slow_time_and_the_fast_path_the_fast_time()
    {
        // Lower bounds only: a request cannot answer before C's work is done.
        var slow = await ChainLab.TailAsync("slow", null, 1, 100, 0, 80, 4, 4, seed: 1);
        Assert.Equal(1.0, slow.ShareOverThreshold);
        var fast = await ChainLab.TailAsync("fast", null, 0, 0, 100, 80, 4, 4, seed: 1);
        Assert.Equal(1.0, fast.ShareOverThreshold);
        Assert.Equal(0.0, fast.SlowAnswerShare);
    }

    [Fact]
    public async Task C_does_the_work_time_of_an_availability_run()
    {
        var r = await ChainLab.AvailabilityAsync("work", new[] { 0.0, 0.0, 0.0 }, CallPolicy.None, CallPolicy.None,
            4, 4, seed: 1, workMs: 100);
        Assert.True(r.P50Ms >= 90, $"p50 {r.P50Ms} ms");
        Assert.Equal(1.0, r.FullShare);
    }

    [Fact]
    public void Tail_guards_its_arguments()
    {
        OutOfRange("slowShare", () => ChainLab.TailAsync("x", null, -0.1, 1, 1, 1, 10, 1, 1).GetAwaiter().GetResult());
        OutOfRange("slowShare", () => ChainLab.TailAsync("x", null, 1.1, 1, 1, 1, 10, 1, 1).GetAwaiter().GetResult());
        OutOfRange("thresholdMs", () => ChainLab.TailAsync("x", null, 0, 1, 1, -1, 10, 1, 1).GetAwaiter().GetResult());
        OutOfRange("thresholdMs", () => ChainLab.TailAsync("x", null, 0, 1, 1, 60_001, 10, 1, 1).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Forwarding_through_two_services_answers_and_gives_one_median()
    {
        var m = await ChainLab.ForwardingHopsAsync(2, 10, seed: 1);
        Assert.Single(m);
        Assert.True(m[0] > 0);
    }

    [Fact]
    public void Hops_and_cascade_guard_their_arguments()
    {
        OutOfRange("maxServices", () => ChainLab.ForwardingHopsAsync(1, 10, 1).GetAwaiter().GetResult());
        OutOfRange("maxServices", () => ChainLab.ForwardingHopsAsync(10, 10, 1).GetAwaiter().GetResult());
        OutOfRange("requests", () => ChainLab.ForwardingHopsAsync(2, 9, 1).GetAwaiter().GetResult());
        OutOfRange("requests", () => ChainLab.ForwardingHopsAsync(2, 10_001, 1).GetAwaiter().GetResult());
        OutOfRange("workers", () => ChainLab.CascadeAsync(true, 0, 10, 1, 1, 1).GetAwaiter().GetResult());
        OutOfRange("workers", () => ChainLab.CascadeAsync(true, 1_001, 10, 1, 1, 1).GetAwaiter().GetResult());
        OutOfRange("slowMs", () => ChainLab.CascadeAsync(true, 1, 0, 1, 1, 1).GetAwaiter().GetResult());
        OutOfRange("slowMs", () => ChainLab.CascadeAsync(true, 1, 10_001, 1, 1, 1).GetAwaiter().GetResult());
        OutOfRange("requests", () => ChainLab.CascadeAsync(true, 1, 10, 0, 1, 1).GetAwaiter().GetResult());
        OutOfRange("requests", () => ChainLab.CascadeAsync(true, 1, 10, 10_001, 1, 1).GetAwaiter().GetResult());
        OutOfRange("concurrency", () => ChainLab.CascadeAsync(true, 1, 10, 1, 0, 1).GetAwaiter().GetResult());
        OutOfRange("concurrency", () => ChainLab.CascadeAsync(true, 1, 10, 1, 257, 1).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task A_protected_cascade_answers_every_checkout_degraded_or_not()
    {
        var (checkout, local) = await ChainLab.CascadeAsync(true, 2, 200, 6, 2, seed: 3);
        Assert.Equal(("checkout", 6, 1.0), (checkout.Name, checkout.Requests, checkout.AnsweredShare));
        Assert.Equal(("local", 6, 1.0), (local.Name, local.Requests, local.AnsweredShare));
        Assert.True(checkout.FullShare < 1);                           // a 20 ms timeout against a 200 ms C
        Assert.True(checkout.Received[2] <= 6);
    }

    [Fact]
    public async Task An_unprotected_cascade_waits_for_C_and_answers_in_full()
    {
        var (checkout, local) = await ChainLab.CascadeAsync(false, 2, 50, 4, 2, seed: 5);
        Assert.Equal((1.0, 1.0), (checkout.FullShare, local.FullShare));
        Assert.True(checkout.P50Ms >= 45);
    }

    [Fact]
    public async Task A_protected_cascade_with_a_fast_C_keeps_Pollys_ten_ms_minimum_timeout()
    {
        // slowMs / 10 is below Polly's 10 ms minimum here (this used to throw Polly's ValidationException).
        var (checkout, local) = await ChainLab.CascadeAsync(true, 2, 50, 4, 2, seed: 4);
        Assert.Equal((1.0, 1.0), (checkout.AnsweredShare, local.AnsweredShare));
        Assert.True(checkout.FullShare < 1);                           // a 10 ms timeout against a 50 ms C
    }
}
