using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Fallback;
using Polly.Hedging;
using Polly.Retry;
using Polly.Timeout;

namespace SystemDesign.Resilience;

/// <summary>Faults a service injects into its own answers; changeable while it runs.</summary>
public sealed class HopFaults
{
    private volatile bool down;
    private double failureRate, slowShare;
    private int delayMs, slowMs, outageDelayMs;

    /// <summary>Share of requests answered 503 before any work.</summary>
    public double FailureRate { get => Volatile.Read(ref failureRate); set => Volatile.Write(ref failureRate, Guard.InRange(value, 0, 1)); }

    /// <summary>Work time of every request (ms).</summary>
    public int DelayMs { get => Volatile.Read(ref delayMs); set => Volatile.Write(ref delayMs, Guard.InRange(value, 0, 10_000)); }

    /// <summary>Share of requests that take <see cref="SlowMs"/> instead (a latency tail).</summary>
    public double SlowShare { get => Volatile.Read(ref slowShare); set => Volatile.Write(ref slowShare, Guard.InRange(value, 0, 1)); }

    /// <summary>Work time of a slow request (ms).</summary>
    public int SlowMs { get => Volatile.Read(ref slowMs); set => Volatile.Write(ref slowMs, Guard.InRange(value, 0, 10_000)); }

    /// <summary>Down: every request fails, after <see cref="OutageDelayMs"/> (0: a fast 503; more: a hang).</summary>
    public bool Down { get => down; set => down = value; }

    /// <summary>How long a request hangs before its 503 while <see cref="Down"/>.</summary>
    public int OutageDelayMs { get => Volatile.Read(ref outageDelayMs); set => Volatile.Write(ref outageDelayMs, Guard.InRange(value, 0, 10_000)); }
}

/// <summary>
/// How a service calls the next one: Polly v8 strategies built with Polly.Core's ResiliencePipelineBuilder
/// (outermost first: fallback, retry, hedging, circuit breaker, timeout per attempt). Shadow runs our
/// <see cref="CircuitBreaker"/> beside Polly's on the same outcomes (only without retry, hedging, fallback).
/// </summary>
public sealed record CallPolicy(int? TimeoutMs = null, int Retries = 0, int RetryBaseMs = 2,
    BreakerOptions? Breaker = null, bool Fallback = false, int? HedgeAfterMs = null, bool Shadow = false)
{
    /// <summary>Plain HttpClient: no timeout below HttpClient's own, no retry.</summary>
    public static CallPolicy None => new();
}

/// <summary>One answer seen by the client of the chain's front (Refused: an open breaker failed it fast;
/// Slow: the answer came from a request the last service served on its slow path).</summary>
public readonly record struct ChainAnswer(int Status, bool Degraded, double Ms, bool Refused = false,
    bool Slow = false)
{
    /// <summary>A 200 with the real answer.</summary>
    public bool Full => Status == 200 && !Degraded;
}

/// <summary>
/// Three (or more) real HTTP services on 127.0.0.1, each a Kestrel app on a port the OS picks: the client
/// calls service 0, which calls 1, which calls 2, … over HttpClient through each hop's <see cref="CallPolicy"/>.
/// Each service first applies its own <see cref="HopFaults"/>, then calls the next. A downstream failure
/// becomes a 502 (or a degraded 200 when the caller has a fallback). Dispose stops them.
/// </summary>
public sealed class ServiceChain : IAsyncDisposable, IDisposable
{
    private readonly List<Service> services = new();
    private readonly HttpClient client = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
    { Timeout = TimeSpan.FromSeconds(10) };

    private ServiceChain() { }

    /// <summary>Service i's faults.</summary>
    public HopFaults Faults(int i) => services[Guard.InRange(i, 0, services.Count - 1)].Faults;

    /// <summary>Requests each service received since the last <see cref="ResetCounts"/>.</summary>
    public int[] Received => services.Select(s => s.Received).ToArray();

    /// <summary>Service i's port (chosen by the OS).</summary>
    public int Port(int i) => services[Guard.InRange(i, 0, services.Count - 1)].Port;

    /// <summary>The transitions of Polly's breaker in the call out of service i (empty without one).</summary>
    public IReadOnlyList<Transition> PollyTransitions(int i) => services[Guard.InRange(i, 0, services.Count - 1)].PollyLog;

    /// <summary>Our shadow breaker in the call out of service i, or null.</summary>
    public CircuitBreaker? Shadow(int i) => services[Guard.InRange(i, 0, services.Count - 1)].ShadowBreaker;

    /// <summary>Calls where the shadow breaker and Polly's decided differently (admit vs refuse).</summary>
    public int ShadowDisagreements(int i) => services[Guard.InRange(i, 0, services.Count - 1)].Disagreements;

    /// <summary>
    /// Starts services.Count = policies.Count + 1 services; policies[i] governs the call from i to i + 1.
    /// <paramref name="breakerClock"/> drives the circuit breakers (a <see cref="ManualClock"/> makes them
    /// deterministic); timeouts, retries and hedging always run on real time. With <paramref name="workers"/>
    /// above 0, each service handles at most that many requests at once and queues the rest (a worker pool).
    /// </summary>
    public static async Task<ServiceChain> StartAsync(IReadOnlyList<CallPolicy> policies, int seed,
        TimeProvider? breakerClock = null, int workers = 0)
    {
        Guard.NotEmpty(policies);
        Guard.That(policies.Count <= 8, "at most 9 services", nameof(policies));
        Guard.InRange(workers, 0, 10_000);
        var chain = new ServiceChain();
        try
        {
            Service? next = null;
            for (int i = policies.Count; i >= 0; i--)
            {
                var s = new Service(i, next, i < policies.Count ? Guard.NotNull(policies[i]) : null,
                    seed + i, breakerClock ?? TimeProvider.System, workers);
                await s.StartAsync();
                chain.services.Insert(0, s);
                next = s;
            }
        }
        catch
        {
            await chain.DisposeAsync();
            throw;
        }
        return chain;
    }

    /// <summary>Zeroes the received counters.</summary>
    public void ResetCounts()
    {
        foreach (var s in services) s.Reset();
    }

    /// <summary>One request to the front; <paramref name="ct"/> bounds it.</summary>
    public async Task<ChainAnswer> CallAsync(CancellationToken ct = default) => await CallAsync("/", ct);

    /// <summary>One request to the front's <paramref name="path"/>: "/" goes down the chain, "/local" is
    /// answered by the front alone (after waiting for one of its workers).</summary>
    public async Task<ChainAnswer> CallAsync(string path, CancellationToken ct = default)
    {
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            using var r = await client.GetAsync($"http://127.0.0.1:{services[0].Port}{Guard.NotEmpty(path)}", ct);
            bool degraded = r.Headers.Contains("X-Degraded");
            return new ChainAnswer((int)r.StatusCode, degraded, Stopwatch.GetElapsedTime(t0).TotalMilliseconds,
                r.Headers.Contains("X-Refused"), r.Headers.Contains("X-Slow"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new ChainAnswer(0, false, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Sends <paramref name="requests"/> requests, <paramref name="concurrency"/> at a time; before request
    /// k (sequential only) calls <paramref name="before"/>(k), e.g. to move a virtual clock or change faults.
    /// </summary>
    public async Task<ChainAnswer[]> DriveAsync(int requests, int concurrency = 1, Action<int>? before = null)
    {
        Guard.InRange(requests, 1, 100_000);
        Guard.InRange(concurrency, 1, 256);
        Guard.That(before is null || concurrency == 1, "a per-request hook needs sequential requests",
            nameof(before));
        var answers = new ChainAnswer[requests];
        int nextIndex = -1;
        async Task Worker()
        {
            int k;
            while ((k = Interlocked.Increment(ref nextIndex)) < requests)
            {
                before?.Invoke(k);
                answers[k] = await CallAsync();
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Worker()));
        return answers;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var s in services) await s.StopAsync();
        client.Dispose();
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class Service
    {
        private readonly int index;
        private readonly Service? next;
        private readonly CallPolicy? policy;
        private readonly Random rng;
        private readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
        { Timeout = TimeSpan.FromSeconds(10) };
        private readonly ResiliencePipeline<HttpResponseMessage>? pipeline;
        private WebApplication? app;
        private int received;
        private int disagreements;

        private readonly SemaphoreSlim? slots;

        public Service(int index, Service? next, CallPolicy? policy, int seed, TimeProvider breakerClock,
            int workers)
        {
            if (workers > 0) slots = new SemaphoreSlim(workers, workers);
            this.index = index;
            this.next = next;
            this.policy = policy;
            rng = new Random(seed);
            if (policy is not null)
            {
                Guard.That(!policy.Shadow || (policy.Breaker is not null && policy.Retries == 0
                    && !policy.Fallback && policy.HedgeAfterMs is null),
                    "a shadow breaker needs a breaker and no retry, hedging or fallback", nameof(policy));
                pipeline = Pipelines.ForCall(policy, breakerClock, PollyLog);
                if (policy.Shadow) ShadowBreaker = new CircuitBreaker(policy.Breaker!, breakerClock);
            }
        }

        public HopFaults Faults { get; } = new();
        public int Port { get; private set; }
        public int Received => Volatile.Read(ref received);
        public int Disagreements => Volatile.Read(ref disagreements);
        public List<Transition> PollyLog { get; } = new();
        public CircuitBreaker? ShadowBreaker { get; }

        public void Reset() => Interlocked.Exchange(ref received, 0);

        private double Next() { lock (rng) return rng.NextDouble(); }

        public async Task StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var web = builder.Build();
            web.MapGet("/", ctx => WithWorker(ctx, Handle));
            web.MapGet("/local", ctx => WithWorker(ctx, c => c.Response.WriteAsync("local")));
            await web.StartAsync();
            var address = web.Services.GetRequiredService<IServer>().Features
                .Get<IServerAddressesFeature>()!.Addresses.First();
            Port = new Uri(address).Port;
            app = web;
        }

        private async Task WithWorker(HttpContext ctx, Func<HttpContext, Task> work)
        {
            if (slots is null) { await work(ctx); return; }
            try { await slots.WaitAsync(ctx.RequestAborted); }
            catch (OperationCanceledException) { return; }
            try { await work(ctx); }
            finally { slots.Release(); }
        }

        private async Task Handle(HttpContext ctx)
        {
            Interlocked.Increment(ref received);
            var ct = ctx.RequestAborted;
            try
            {
                if (Faults.Down)
                {
                    if (Faults.OutageDelayMs > 0) await Task.Delay(Faults.OutageDelayMs, ct);
                    ctx.Response.StatusCode = 503;
                    return;
                }
                if (Next() < Faults.FailureRate) { ctx.Response.StatusCode = 503; return; }
                bool slow = Next() < Faults.SlowShare;
                int work = slow ? Faults.SlowMs : Faults.DelayMs;
                if (work > 0) await Task.Delay(work, ct);
                if (slow) ctx.Response.Headers["X-Slow"] = "1";
                if (next is null) { await ctx.Response.WriteAsync($"s{index}"); return; }
                await CallNext(ctx, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        }

        private async Task CallNext(HttpContext ctx, CancellationToken ct)
        {
            var url = $"http://127.0.0.1:{next!.Port}/";
            bool? shadowAdmits = ShadowBreaker?.TryAcquire();
            bool pollyRan = false;
            var context = ResilienceContextPool.Shared.Get(ct);
            var outcome = await pipeline!.ExecuteOutcomeAsync(async (context, state) =>
            {
                pollyRan = true;
                try
                {
                    var r = await http.GetAsync(state, context.CancellationToken);
                    return Outcome.FromResult(r);
                }
                catch (Exception e)
                {
                    return Outcome.FromException<HttpResponseMessage>(e);
                }
            }, context, url);
            ResilienceContextPool.Shared.Return(context);
            bool ok = outcome.Result is { IsSuccessStatusCode: true };
            if (shadowAdmits is bool admits)
            {
                if (admits != pollyRan) Interlocked.Increment(ref disagreements);
                else if (admits) ShadowBreaker!.Record(ok);
            }
            using var response = outcome.Result;
            if (ok)
            {
                if (response!.Headers.Contains("X-Degraded")) ctx.Response.Headers["X-Degraded"] = "1";
                if (response.Headers.Contains("X-Slow")) ctx.Response.Headers["X-Slow"] = "1";
                await ctx.Response.WriteAsync($"s{index}");
            }
            else
            {
                // A breaker that refused the call (here or further down) is reported as such.
                if (outcome.Exception is BrokenCircuitException || response?.Headers.Contains("X-Refused") == true)
                    ctx.Response.Headers["X-Refused"] = "1";
                ctx.Response.StatusCode = 502;
            }
        }

        public async Task StopAsync()
        {
            var web = app;
            app = null;
            http.Dispose();
            if (web is null) return;
            using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                await web.StopAsync(cts.Token);
            await web.DisposeAsync();
        }
    }
}

/// <summary>The Polly pipelines the chain's calls use.</summary>
public static class Pipelines
{
    /// <summary>What counts as a failed call: a 5xx, a connection error, a timeout.</summary>
    public static PredicateBuilder<HttpResponseMessage> Failure() => new PredicateBuilder<HttpResponseMessage>()
        .Handle<HttpRequestException>().Handle<TimeoutRejectedException>()
        .HandleResult(r => (int)r.StatusCode >= 500);

    /// <summary>The pipeline for one policy; breaker transitions are appended to <paramref name="log"/>.</summary>
    public static ResiliencePipeline<HttpResponseMessage> ForCall(CallPolicy policy, TimeProvider breakerClock,
        List<Transition> log)
    {
        Guard.NotNull(policy); Guard.NotNull(breakerClock); Guard.NotNull(log);
        policy.Breaker?.Validate();             // Polly's own ranges, refused as ours rather than as its ValidationException
        var b = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (policy.Fallback)
            b.AddFallback(new FallbackStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = Failure().Handle<BrokenCircuitException>(),
                FallbackAction = _ =>
                {
                    var r = new HttpResponseMessage(HttpStatusCode.OK);
                    r.Headers.Add("X-Degraded", "1");
                    return Outcome.FromResultAsValueTask(r);
                },
            });
        if (policy.Retries > 0)
            b.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = Failure(),
                MaxRetryAttempts = Guard.InRange(policy.Retries, 1, 10),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(Guard.InRange(policy.RetryBaseMs, 0, 1_000)),
            });
        if (policy.HedgeAfterMs is int hedge)
            b.AddHedging(new HedgingStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = Failure(),
                MaxHedgedAttempts = 1,
                Delay = TimeSpan.FromMilliseconds(Guard.InRange(hedge, 1, 10_000)),
            });
        if (policy.Breaker is { } o)
        {
            var start = breakerClock.GetUtcNow();
            var state = BreakerState.Closed;
            void Note(BreakerState to)
            {
                lock (log) log.Add(new Transition(breakerClock.GetUtcNow() - start, state, to));
                state = to;
            }
            var options = PollyPipelines.Options(new CircuitBreakerStrategyOptions<HttpResponseMessage>(), o,
                Failure(), Note);
            b.AddPipeline(new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = breakerClock }
                .AddCircuitBreaker(options).Build());
        }
        if (policy.TimeoutMs is int t)
            b.AddTimeout(TimeSpan.FromMilliseconds(Guard.InRange(t, 10, 60_000)));   // Polly's timeout is at least 10 ms
        return b.Build();
    }
}
