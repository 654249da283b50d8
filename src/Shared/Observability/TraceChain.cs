using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace SystemDesign.Observability;

/// <summary>One exported span, placed in its trace's tree.</summary>
public sealed record SpanNode(string Name, string Kind, string Service, string SpanId, string? ParentId,
    double StartMs, double DurationMs, int Depth);

/// <summary>What one service saw arrive: its name and the raw traceparent header.</summary>
public sealed record IncomingHeader(string Service, string? TraceParent);

/// <summary>A traced request through a chain of real services.</summary>
public sealed record TraceRun(string TraceId, IReadOnlyList<SpanNode> Spans, IReadOnlyList<IncomingHeader> Headers);

/// <summary>
/// N real Kestrel services on 127.0.0.1 (port 0), service i calling service i+1 over HttpClient. One
/// OpenTelemetry tracer provider (ASP.NET Core and HttpClient instrumentation, in-memory exporter) records the
/// spans; .NET's HttpClient injects the W3C traceparent header and ASP.NET Core extracts it. Spans are filtered
/// by the root's trace id, so other activity in the process does not mix in (the instrumentation sees every
/// Kestrel app and HttpClient of the process: the exporter's list is locked, and the wait counts this trace only).
/// </summary>
public static class TraceChain
{
    public const string SourceName = "SystemDesign.Nb14.Trace";

    public static TraceRun Run(int services = 3)
    {
        Guard.InRange(services, 1, 6);
        var exported = new LockedList();
        var headers = new ConcurrentQueue<IncomingHeader>();
        using var provider = Sdk.CreateTracerProviderBuilder().AddSource(SourceName)
            .AddAspNetCoreInstrumentation().AddHttpClientInstrumentation()
            .SetSampler(new AlwaysOnSampler()).AddInMemoryExporter(exported).Build();
        var apps = new List<(WebApplication App, int Port)>();
        var clients = new List<HttpClient>();
        try
        {
            for (int i = services - 1; i >= 0; i--)
            {
                string name = "svc-" + (char)('a' + i);
                HttpClient? next = apps.Count == 0 ? null
                    : new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apps[^1].Port}/") };
                if (next is not null) clients.Add(next);
                apps.Add(LoopbackApp.Start(_ => { }, app => app.MapGet("/work", async (HttpContext ctx) =>
                {
                    headers.Enqueue(new IncomingHeader(name, ctx.Request.Headers["traceparent"].FirstOrDefault()));
                    if (next is not null) (await next.GetAsync("work")).EnsureSuccessStatusCode();
                    return Results.Ok(name);
                })));
            }
            var names = apps.Select((a, k) => (a.Port, Name: "svc-" + (char)('a' + services - 1 - k)))
                .ToDictionary(x => x.Port, x => x.Name);
            using var source = new ActivitySource(SourceName);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apps[^1].Port}/") };
            string traceId;
            using (var root = source.StartActivity("checkout", ActivityKind.Internal)!)
            {
                traceId = root.TraceId.ToHexString();
                client.GetAsync("work").GetAwaiter().GetResult().EnsureSuccessStatusCode();
            }
            // A server span ends once its response has been sent, which can be after the client has read it:
            // wait (≤ 2 s) until the provider has exported the 1 + 2 × services spans of this trace.
            List<Activity> Mine() => exported.Snapshot().Where(a => a.TraceId.ToHexString() == traceId).ToList();
            var wait = Stopwatch.StartNew();
            while (Mine().Count < 1 + 2 * services && wait.Elapsed < TimeSpan.FromSeconds(2)) Thread.Sleep(5);
            provider.ForceFlush();
            var mine = Mine();
            var byId = mine.ToDictionary(a => a.SpanId.ToHexString());
            int Depth(Activity a) => a.ParentSpanId == default || !byId.TryGetValue(a.ParentSpanId.ToHexString(), out var p)
                ? 0 : 1 + Depth(p);
            string Service(Activity a) => a.Kind == ActivityKind.Server
                && a.GetTagItem("server.port") is int port && names.TryGetValue(port, out var n) ? n
                : a.Kind == ActivityKind.Internal ? "client" : "(http client)";
            double t0 = mine.Min(a => a.StartTimeUtc.Ticks) / 1e4;
            var spans = mine.OrderBy(a => a.StartTimeUtc).Select(a => new SpanNode(a.DisplayName, a.Kind.ToString(),
                Service(a), a.SpanId.ToHexString(), a.ParentSpanId == default ? null : a.ParentSpanId.ToHexString(),
                a.StartTimeUtc.Ticks / 1e4 - t0, a.Duration.TotalMilliseconds, Depth(a))).ToList();
            return new TraceRun(traceId, spans, headers.ToList());
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
            foreach (var (app, _) in apps) { app.StopAsync().GetAwaiter().GetResult(); ((IDisposable)app).Dispose(); }
        }
    }

    /// <summary>The exporter's collection: appended on the exporting thread while other threads read it.</summary>
    private sealed class LockedList : ICollection<Activity>
    {
        private readonly List<Activity> _items = new();
        public List<Activity> Snapshot() { lock (_items) return _items.ToList(); }
        public void Add(Activity item) { lock (_items) _items.Add(item); }
        public void Clear() { lock (_items) _items.Clear(); }
        public bool Contains(Activity item) { lock (_items) return _items.Contains(item); }
        public void CopyTo(Activity[] array, int arrayIndex) { lock (_items) _items.CopyTo(array, arrayIndex); }
        public bool Remove(Activity item) { lock (_items) return _items.Remove(item); }
        public int Count { get { lock (_items) return _items.Count; } }
        public bool IsReadOnly => false;
        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
