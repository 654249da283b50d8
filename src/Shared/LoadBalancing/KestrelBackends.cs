using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SystemDesign.LoadBalancing;

/// <summary>
/// N small HTTP backends on 127.0.0.1 (Kestrel, in process), backend i on port basePort + i. Each answers
/// <c>GET /</c> after its configured latency, serving at most Capacity requests at once (the rest wait in
/// its queue), with its name in the body and in an <c>X-Backend</c> header, and the time the request spent
/// inside it (queue + work) in <c>X-Server-Ms</c>; <c>GET /health</c> answers at once. Each counts the requests
/// it served and how long its work took. A backend can be stopped and started again on the same port (a failure
/// and a recovery). Dispose stops them all.
/// </summary>
public sealed class KestrelBackends : IDisposable
{
    private readonly Backend[] backends;

    private KestrelBackends(Backend[] backends) => this.backends = backends;

    /// <summary>Response header with the milliseconds a request spent inside the backend (queue + work).</summary>
    public const string ServerMsHeader = "X-Server-Ms";

    /// <summary>The backends' specs (name, latency = ServiceMs, capacity).</summary>
    public IReadOnlyList<BackendSpec> Specs => backends.Select(b => b.Spec).ToArray();

    /// <summary>Port of backend i.</summary>
    public int Port(int i) => backends[Guard.InRange(i, 0, backends.Length - 1)].Port;

    /// <summary>Number of backends.</summary>
    public int Count => backends.Length;

    /// <summary>Starts one backend per spec on consecutive loopback ports from <paramref name="basePort"/>.</summary>
    public static KestrelBackends Start(IReadOnlyList<BackendSpec> specs, int basePort)
    {
        Guard.NotEmpty(specs);
        Guard.InRange(basePort, 1024, 65_000 - specs.Count);
        var list = specs.Select((s, i) => new Backend(Guard.NotNull(s), basePort + i)).ToArray();
        var started = new KestrelBackends(list);
        try
        {
            Task.WaitAll(list.Select(b => b.StartAsync()).ToArray());
        }
        catch
        {
            started.Dispose();
            throw;
        }
        return started;
    }

    /// <summary>Requests served by each backend since the last <see cref="ResetCounts"/>.</summary>
    public int[] Served => backends.Select(b => b.Served).ToArray();

    /// <summary>Mean time each backend spent on a request's work (ms), queueing excluded.</summary>
    public double[] MeanWorkMs => backends.Select(b => b.MeanWorkMs).ToArray();

    /// <summary>Zeroes the counters.</summary>
    public void ResetCounts()
    {
        foreach (var b in backends) b.Reset();
    }

    /// <summary>Stops backend i (its port refuses connections until <see cref="Restart"/>).</summary>
    public void Stop(int i) => backends[Guard.InRange(i, 0, backends.Length - 1)].StopAsync().GetAwaiter().GetResult();

    /// <summary>Starts backend i again on its port.</summary>
    public void Restart(int i) => backends[Guard.InRange(i, 0, backends.Length - 1)].StartAsync().GetAwaiter().GetResult();

    /// <summary>Whether backend i is running.</summary>
    public bool IsRunning(int i) => backends[Guard.InRange(i, 0, backends.Length - 1)].Running;

    public void Dispose()
    {
        foreach (var b in backends)
        {
            try { b.StopAsync().GetAwaiter().GetResult(); } catch (Exception) { /* already gone */ }
        }
    }

    private sealed class Backend(BackendSpec spec, int firstPort)
    {
        private int port = firstPort;
        private readonly SemaphoreSlim slots = new(spec.Capacity, spec.Capacity);
        private WebApplication? app;
        private int served;
        private long workTicks;

        public BackendSpec Spec => spec;
        public int Port => port;
        public bool Running => app is not null;
        public int Served => Volatile.Read(ref served);
        public double MeanWorkMs => served == 0 ? 0
            : Interlocked.Read(ref workTicks) * 1000.0 / Stopwatch.Frequency / served;

        public void Reset()
        {
            Interlocked.Exchange(ref served, 0);
            Interlocked.Exchange(ref workTicks, 0);
        }

        public async Task StartAsync()
        {
            if (app is not null) return;
            // Loopback ports lie in the ephemeral range: one may be briefly taken by an outgoing
            // connection. A first start moves 10 ports up and retries; a restart keeps its port.
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    await StartOnceAsync();
                    return;
                }
                catch (IOException) when (attempt < 4 && !started)
                {
                    port += 10;
                }
                catch (IOException) when (attempt < 20 && started)
                {
                    await Task.Delay(50);
                }
            }
        }

        private bool started;

        private async Task StartOnceAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
            var web = builder.Build();
            web.MapGet("/health", () => Results.Text("ok"));
            web.Map("/{**path}", async (HttpContext ctx) =>
            {
                long arrived = Stopwatch.GetTimestamp();
                await slots.WaitAsync(ctx.RequestAborted);
                long t0 = Stopwatch.GetTimestamp();
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(spec.ServiceMs), ctx.RequestAborted);
                }
                finally
                {
                    slots.Release();
                }
                Interlocked.Add(ref workTicks, Stopwatch.GetTimestamp() - t0);
                Interlocked.Increment(ref served);
                ctx.Response.Headers["X-Backend"] = spec.Name;
                // Time inside the backend (slot wait + work): the client subtracts it to get the overhead.
                ctx.Response.Headers[ServerMsHeader] = Stopwatch.GetElapsedTime(arrived).TotalMilliseconds
                    .ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
                await ctx.Response.WriteAsync(spec.Name);
            });
            try
            {
                await web.StartAsync();
            }
            catch
            {
                await web.DisposeAsync();
                throw;
            }
            app = web;
            started = true;
        }

        public async Task StopAsync()
        {
            var web = app;
            app = null;
            if (web is null) return;
            using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
                await web.StopAsync(cts.Token);
            await web.DisposeAsync();
        }
    }
}
