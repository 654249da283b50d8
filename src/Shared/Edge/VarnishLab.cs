using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SystemDesign.Edge;

/// <summary>One response seen by the client: the edge's verdict (X-Cache HIT/MISS), the HTTP <c>Age</c> header
/// (whole seconds), the edge that answered and how long it took.</summary>
public sealed record EdgeResponse(int Status, bool Hit, int Age, int Edge, double Ms);

/// <summary>Counts from replaying a trace through the edges: requests, edge hits, origin fetches, largest Age.</summary>
public sealed record VarnishReplay(int Requests, int EdgeHits, int OriginFetches, int MaxAge)
{
    public double EdgeHitRatio => (double)EdgeHits / Requests;
}

/// <summary>
/// Notebook 10's real CDN: the registry's Varnish service (<c>./scripts/services.sh start varnish</c>: three
/// edges on base, base + 1, base + 2 and a shield on base + 3, each its own varnishd) and a Kestrel origin that
/// this lab runs in process on base + 9, the port the VCL names. Paths choose the route: <c>/shield/…</c> goes
/// edge → shield → origin, <c>/direct/…</c> edge → origin, <c>/pass/…</c> is never cached. The origin counts its
/// fetches per path; query parameters set what it answers with: <c>maxage</c> (Cache-Control max-age, s),
/// <c>ttl</c> and <c>grace</c> (X-Ttl/X-Grace, read by the VCL into beresp.ttl/grace, fractions of a second
/// allowed) and <c>delay</c> (ms before answering). Every path carries this lab's run id, so nothing cached by
/// an earlier run is ever hit. Dispose stops the origin.
/// </summary>
public sealed class VarnishLab : IDisposable
{
    private readonly WebApplication origin;
    private readonly HttpClient http;
    private readonly ConcurrentDictionary<string, int> fetches = new();
    private readonly int basePort;
    private FileStream? originLock;

    private VarnishLab(WebApplication origin, int basePort)
    {
        this.origin = origin;
        this.basePort = basePort;
        RunId = Guid.NewGuid().ToString("N")[..12];
        http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Number of edges (3).</summary>
    public const int EdgeCount = 3;

    /// <summary>This lab's run id, part of every path it requests.</summary>
    public string RunId { get; }

    /// <summary>Port of edge i (0 … 2).</summary>
    public int EdgePort(int edge) => basePort + Guard.InRange(edge, 0, EdgeCount - 1);

    /// <summary>Port of the shield.</summary>
    public int ShieldPort => basePort + 3;

    /// <summary>Port of the in-process origin.</summary>
    public int OriginPort => basePort + 9;

    /// <summary>The edges' and shield's endpoint from <c>host:basePort</c> (SDN_VARNISH); null when it does not
    /// parse.</summary>
    public static int? ParseBasePort(string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint)) return null;
        int colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint[(colon + 1)..], NumberStyles.None,
            CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 65_500 ? p : null;
    }

    /// <summary>Starts the origin on <paramref name="basePort"/> + 9 (the edges and shield must already run).</summary>
    public static VarnishLab Start(int basePort)
    {
        Guard.InRange(basePort, 1, 65_500);
        // The VCL names one origin port, so labs of different processes (library tests and a notebook run at
        // the same time under `dotnet test Notebooks.sln`) take turns: the port is held under a file lock.
        var held = HoldOriginPort(basePort + 9, TimeSpan.FromSeconds(90));
        VarnishLab? lab = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, basePort + 9));
        WebApplication web;
        try { web = builder.Build(); }
        catch
        {
            held.Dispose();
            throw;
        }
        web.Map("/{**path}", async (HttpContext ctx) =>
        {
            string path = ctx.Request.Path.Value ?? "/";
            lab!.fetches.AddOrUpdate(path, 1, (_, n) => n + 1);
            var q = ctx.Request.Query;
            if (int.TryParse(q["delay"], out int delay) && delay > 0)
                await Task.Delay(Math.Min(delay, 5_000));
            if (q["maxage"].Count > 0) ctx.Response.Headers.CacheControl = $"public, max-age={q["maxage"]}";
            if (q["ttl"].Count > 0) ctx.Response.Headers["X-Ttl"] = q["ttl"].ToString();
            if (q["grace"].Count > 0) ctx.Response.Headers["X-Grace"] = q["grace"].ToString();
            ctx.Response.Headers["X-Origin-Fetch"] = lab.fetches[path].ToString(CultureInfo.InvariantCulture);
            await ctx.Response.WriteAsync("object " + path);
        });
        lab = new VarnishLab(web, basePort) { originLock = held };
        try
        {
            web.StartAsync().GetAwaiter().GetResult();
        }
        catch
        {
            lab.Dispose();
            throw;
        }
        return lab;
    }

    /// <summary>A path of this run: /{route}/{run id}/{name}, route one of shield, direct, pass.</summary>
    public string PathOf(string route, string name)
    {
        Guard.That(route is "shield" or "direct" or "pass", "route is shield, direct or pass", nameof(route));
        Guard.NotEmpty(name);
        return $"/{route}/{RunId}/{name}";
    }

    /// <summary>Origin fetches of one path (as from <see cref="PathOf"/>, without the query).</summary>
    public int OriginFetches(string path) => fetches.TryGetValue(Guard.NotEmpty(path), out int n) ? n : 0;

    /// <summary>Waits (polling every 20 ms, at most <paramref name="timeout"/>) until the origin has had at least
    /// <paramref name="atLeast"/> fetches of <paramref name="path"/>, e.g. a background refresh; returns the count
    /// then, which is below <paramref name="atLeast"/> only when the time ran out.</summary>
    public async Task<int> WaitForOriginFetchesAsync(string path, int atLeast, TimeSpan timeout)
    {
        Guard.InRange(atLeast, 0, 1_000_000);
        Guard.InRange(timeout.TotalSeconds, 0, 60, nameof(timeout));
        var clock = Stopwatch.StartNew();
        int n;
        while ((n = OriginFetches(path)) < atLeast && clock.Elapsed < timeout) await Task.Delay(20);
        return n;
    }

    /// <summary>Origin fetches of every path that starts with <paramref name="prefix"/>.</summary>
    public int OriginFetchesUnder(string prefix)
    {
        Guard.NotEmpty(prefix);
        return fetches.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(kv => kv.Value);
    }

    /// <summary>One GET of <paramref name="pathAndQuery"/> through edge <paramref name="edge"/>.</summary>
    public async Task<EdgeResponse> GetAsync(int edge, string pathAndQuery)
    {
        Guard.NotEmpty(pathAndQuery);
        long t0 = Stopwatch.GetTimestamp();
        using var r = await http.GetAsync($"http://127.0.0.1:{EdgePort(edge)}{pathAndQuery}");
        await r.Content.ReadAsByteArrayAsync();
        double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        bool hit = r.Headers.TryGetValues("X-Cache", out var c) && c.First() == "HIT";
        int age = r.Headers.Age is { } a ? (int)a.TotalSeconds : 0;
        return new EdgeResponse((int)r.StatusCode, hit, age, edge, ms);
    }

    /// <summary><paramref name="n"/> concurrent GETs of one path through the given edges (round robin).</summary>
    public async Task<EdgeResponse[]> BurstAsync(string pathAndQuery, int n, params int[] edges)
    {
        Guard.InRange(n, 1, 1000);
        if (edges.Length == 0) edges = [0];
        using var start = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, n).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await GetAsync(edges[i % edges.Length], pathAndQuery);
        })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks);
    }

    /// <summary>
    /// Sends a trace of (key, edge) requests, <paramref name="concurrency"/> at a time, for objects
    /// <c>/{route}/{run}/o{key}?maxage=…</c>, and counts edge hits (X-Cache) and the origin's fetches of them.
    /// </summary>
    public async Task<VarnishReplay> ReplayAsync(IEnumerable<(int Key, int Pop)> trace, string route,
        int maxAgeSeconds = 60, int concurrency = 16)
    {
        Guard.NotNull(trace);
        Guard.InRange(maxAgeSeconds, 1, 86_400);
        Guard.InRange(concurrency, 1, 64);
        string prefix = PathOf(route, "o");
        int before = OriginFetchesUnder(prefix), requests = 0, hits = 0, maxAge = 0;
        await Parallel.ForEachAsync(trace, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (r, _) =>
            {
                var got = await GetAsync(r.Pop, $"{prefix}{r.Key}?maxage={maxAgeSeconds}");
                if (got.Status != 200) throw new InvalidOperationException($"edge {r.Pop}: HTTP {got.Status}");
                Interlocked.Increment(ref requests);
                if (got.Hit) Interlocked.Increment(ref hits);
                int seen;
                do seen = Volatile.Read(ref maxAge);
                while (got.Age > seen && Interlocked.CompareExchange(ref maxAge, got.Age, seen) != seen);
            });
        return new VarnishReplay(requests, hits, OriginFetchesUnder(prefix) - before, maxAge);
    }

    public void Dispose()
    {
        http.Dispose();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            origin.StopAsync(cts.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { }
        origin.DisposeAsync().AsTask().GetAwaiter().GetResult();
        originLock?.Dispose();
        originLock = null;
    }

    private static FileStream HoldOriginPort(int port, TimeSpan wait)
    {
        string path = Path.Combine(Path.GetTempPath(), $"sdn-varnish-origin-{Environment.UserName}-{port}.lock");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (watch.Elapsed < wait) { Thread.Sleep(50); }
        }
    }
}
