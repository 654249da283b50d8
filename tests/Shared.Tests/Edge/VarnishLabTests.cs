using SystemDesign.Caching;
using SystemDesign.Edge;
using Xunit.Abstractions;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Edge;

public sealed class CdnTraceTests
{
    [Fact]
    public void The_trace_is_the_one_the_simulation_replays()
    {
        var trace = CdnModel.Requests(500, 0.9, 100, 4000, pops: 3, seed: 7).ToArray();
        // No expiry, no size limit: edge hits are requests − distinct (edge, key); shield origin = distinct keys.
        var sim = CdnModel.Simulate(500, 0.9, 1_000_000, 1e9, 100, 4000, pops: 3, shield: true, seed: 7);
        Assert.Equal(4000 - trace.Select(r => (r.Pop, r.Key)).Distinct().Count(), sim.EdgeHits);
        Assert.Equal(trace.Select(r => r.Key).Distinct().Count(), sim.OriginFetches);
        var direct = CdnModel.Simulate(500, 0.9, 1_000_000, 1e9, 100, 4000, pops: 3, shield: false, seed: 7);
        Assert.Equal(trace.Select(r => (r.Pop, r.Key)).Distinct().Count(), direct.OriginFetches);
        Assert.All(trace, r => Assert.InRange(r.Pop, 0, 2));
        Assert.True(trace.Zip(trace.Skip(1)).All(p => p.First.Time < p.Second.Time));
    }

    [Fact]
    public void Expected_distinct_pairs_match_a_count_over_seeds()
    {
        var p = new ZipfSampler(500, 0.9).Weights;
        var counts = Enumerable.Range(1, 20).Select(seed => (double)CdnModel.Requests(500, 0.9, 100, 2000, 3, seed)
            .Select(r => (r.Pop, r.Key)).Distinct().Count()).ToArray();
        double expected = CdnModel.ExpectedDistinct(p, 2000, 3);
        // Variance per run at most the mean; mean of 20 runs: σ ≤ √(mean/20).
        Assert.InRange(counts.Average(), expected - 4 * Math.Sqrt(expected / 20), expected + 4 * Math.Sqrt(expected / 20));
        Assert.Equal(500, CdnModel.ExpectedDistinct(p, 10_000_000, 1), 3);
    }

    [Fact]
    public void Parses_the_base_port()
    {
        Assert.Equal(27200, VarnishLab.ParseBasePort("127.0.0.1:27200"));
        Assert.Equal(27200, VarnishLab.ParseBasePort("[::1]:27200"));
        Assert.Equal(1, VarnishLab.ParseBasePort("h:1"));
        Assert.Equal(65_500, VarnishLab.ParseBasePort("h:65500"));
        Assert.Null(VarnishLab.ParseBasePort("nonsense"));
        Assert.Null(VarnishLab.ParseBasePort(null));
        Assert.Null(VarnishLab.ParseBasePort(" "));
        Assert.Null(VarnishLab.ParseBasePort(":27200"));
        Assert.Null(VarnishLab.ParseBasePort("h:"));
        Assert.Null(VarnishLab.ParseBasePort("h:0"));
        Assert.Null(VarnishLab.ParseBasePort("h:65501"));
        Assert.Null(VarnishLab.ParseBasePort("h:+5"));
        Assert.Null(VarnishLab.ParseBasePort("h: 5"));
        Assert.Null(VarnishLab.ParseBasePort("h:27200x"));
    }
}

public sealed class VarnishOriginStartTests
{
    [Fact]
    public void An_origin_that_cannot_bind_fails_and_lets_the_next_start_have_the_port()
    {
        // Needs no Varnish: only the in-process origin on base + 9, here a free port that something else holds.
        var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        int port = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;
        try
        {
            Assert.ThrowsAny<IOException>(() => VarnishLab.Start(port - 9));
        }
        finally { squatter.Stop(); }
        // The failed start released the origin port's lock (else this would wait 90 s) and the port is free now.
        using var lab = VarnishLab.Start(port - 9);
        Assert.Equal(port, lab.OriginPort);
    }
}

[Collection("varnish")]
public sealed class VarnishLabTests(ITestOutputHelper output)
{
    private static int? Base => VarnishLab.ParseBasePort(Environment.GetEnvironmentVariable("SDN_VARNISH"));

    private static VarnishLab Require()
    {
        int? b = Base;
        Skip.If(b is null, "SDN_VARNISH is not set (./scripts/services.sh start varnish)");
        using (var probe = new System.Net.Sockets.TcpClient())
            Skip.IfNot(probe.ConnectAsync("127.0.0.1", b!.Value).Wait(1000) && probe.Connected,
                "Varnish is not running");
        return VarnishLab.Start(b.Value);
    }

    [SkippableFact]
    public async Task Replaying_a_trace_matches_the_simulation_with_and_without_the_shield()
    {
        using var lab = Require();
        var trace = CdnModel.Requests(1000, 0.9, 200, 1500, 3, seed: 3).Select(r => (r.Key, r.Pop)).ToArray();
        var direct = await lab.ReplayAsync(trace, "direct");
        var shielded = await lab.ReplayAsync(trace, "shield");
        var simDirect = CdnModel.Simulate(1000, 0.9, 1_000_000, 1e9, 200, 1500, 3, false, seed: 3);
        var simShield = CdnModel.Simulate(1000, 0.9, 1_000_000, 1e9, 200, 1500, 3, true, seed: 3);
        output.WriteLine($"{direct} {simDirect}\n{shielded} {simShield}");
        Assert.Equal(simDirect.OriginFetches, direct.OriginFetches);
        Assert.Equal(simShield.OriginFetches, shielded.OriginFetches);
        Assert.Equal(simDirect.EdgeHits, direct.EdgeHits);
        Assert.Equal(simShield.EdgeHits, shielded.EdgeHits);
    }

    [SkippableFact]
    public async Task Concurrent_misses_coalesce_and_pass_does_not()
    {
        using var lab = Require();
        string path = lab.PathOf("shield", "hot");
        var r = await lab.BurstAsync(path + "?maxage=60&delay=300", 30, 0, 1, 2);
        Assert.All(r, x => Assert.Equal(200, x.Status));
        Assert.Equal(1, lab.OriginFetches(path));
        string pass = lab.PathOf("pass", "hot");
        await lab.BurstAsync(pass + "?maxage=60&delay=100", 10, 0);
        Assert.Equal(10, lab.OriginFetches(pass));
    }

    [SkippableFact]
    public async Task Grace_serves_stale_and_refreshes_once()
    {
        using var lab = Require();
        string g = lab.PathOf("direct", "graced"), q = g + "?ttl=0.5&grace=30&delay=300";
        await lab.GetAsync(0, q);
        await Task.Delay(1100);
        var stale = await lab.BurstAsync(q, 10, 0);
        output.WriteLine(string.Join(", ", stale.Select(s => $"{s.Hit}/{s.Age}/{s.Ms:F0}")));
        Assert.All(stale, s => Assert.True(s.Hit && s.Age >= 1));
        await Task.Delay(600);
        Assert.Equal(2, lab.OriginFetches(g));
        // The background fetch takes the origin's 300 ms and more on a loaded machine: until it is in, the edge
        // keeps serving the stale copy (Age ≥ 1). Poll (≤ 3 s) for the refreshed one.
        var fresh = await lab.GetAsync(0, q);
        for (var w = System.Diagnostics.Stopwatch.StartNew(); fresh.Age != 0 && w.Elapsed < TimeSpan.FromSeconds(3);)
        {
            await Task.Delay(100);
            fresh = await lab.GetAsync(0, q);
        }
        Assert.True(fresh.Hit && fresh.Age == 0, $"hit {fresh.Hit}, age {fresh.Age}");
    }

    [SkippableFact]
    public void Ports_run_id_paths_and_guards()
    {
        using var lab = Require();
        int b = Base!.Value;
        Assert.Equal([b, b + 1, b + 2], Enumerable.Range(0, VarnishLab.EdgeCount).Select(lab.EdgePort));
        Assert.Equal(b + 3, lab.ShieldPort);
        Assert.Equal(b + 9, lab.OriginPort);
        OutOfRange("edge", () => lab.EdgePort(3));
        OutOfRange("edge", () => lab.EdgePort(-1));
        Assert.Matches("^[0-9a-f]{12}$", lab.RunId);
        Assert.Equal($"/pass/{lab.RunId}/x", lab.PathOf("pass", "x"));
        Assert.Equal($"/shield/{lab.RunId}/x", lab.PathOf("shield", "x"));
        Assert.Equal($"/direct/{lab.RunId}/x", lab.PathOf("direct", "x"));
        Invalid("route", () => lab.PathOf("edge", "x"), "route is shield, direct or pass");
        Null("name", () => lab.PathOf("direct", null!));
        Invalid("name", () => lab.PathOf("direct", ""));
        Invalid("path", () => lab.OriginFetches(""));
        Invalid("prefix", () => lab.OriginFetchesUnder(""));
        OutOfRange("atLeast", () => lab.WaitForOriginFetchesAsync("/x", -1, TimeSpan.Zero).GetAwaiter().GetResult());
        OutOfRange("timeout", () => lab.WaitForOriginFetchesAsync("/x", 1, TimeSpan.FromSeconds(61)).GetAwaiter().GetResult());
        Invalid("pathAndQuery", () => lab.GetAsync(0, "").GetAwaiter().GetResult());
        OutOfRange("edge", () => lab.GetAsync(3, "/x").GetAwaiter().GetResult());
        OutOfRange("n", () => lab.BurstAsync("/x", 0).GetAwaiter().GetResult());
        OutOfRange("n", () => lab.BurstAsync("/x", 1001).GetAwaiter().GetResult());
        Null("trace", () => lab.ReplayAsync(null!, "direct").GetAwaiter().GetResult());
        Invalid("route", () => lab.ReplayAsync([], "edge").GetAwaiter().GetResult());
        OutOfRange("maxAgeSeconds", () => lab.ReplayAsync([], "direct", maxAgeSeconds: 0).GetAwaiter().GetResult());
        OutOfRange("concurrency", () => lab.ReplayAsync([], "direct", concurrency: 65).GetAwaiter().GetResult());
    }

    [SkippableFact]
    public async Task The_origin_answers_with_the_headers_its_query_asks_for_and_counts_fetches()
    {
        using var lab = Require();
        using var http = new HttpClient();
        string p = lab.PathOf("direct", "raw");
        using var first = await http.GetAsync($"http://127.0.0.1:{lab.OriginPort}{p}?maxage=7&ttl=2.5&grace=3");
        Assert.Equal($"object {p}", await first.Content.ReadAsStringAsync());
        Assert.Equal("public, max-age=7", first.Headers.CacheControl!.ToString());
        Assert.Equal("2.5", first.Headers.GetValues("X-Ttl").Single());
        Assert.Equal("3", first.Headers.GetValues("X-Grace").Single());
        Assert.Equal("1", first.Headers.GetValues("X-Origin-Fetch").Single());
        using var second = await http.GetAsync($"http://127.0.0.1:{lab.OriginPort}{p}?delay=0");
        Assert.Null(second.Headers.CacheControl);
        Assert.False(second.Headers.Contains("X-Ttl"));
        Assert.False(second.Headers.Contains("X-Grace"));
        Assert.Equal("2", second.Headers.GetValues("X-Origin-Fetch").Single());
        Assert.Equal(2, lab.OriginFetches(p));
        Assert.Equal(0, lab.OriginFetches(p + "/other"));
        // delay=ms holds the answer back (capped at 5 s): at least the 150 ms asked for, well within 3 s.
        using var quick = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var delayed = await quick.GetAsync($"http://127.0.0.1:{lab.OriginPort}{p}?delay=150");
        Assert.True(clock.ElapsedMilliseconds >= 149, $"{clock.ElapsedMilliseconds} ms");
        Assert.Equal("3", delayed.Headers.GetValues("X-Origin-Fetch").Single());
    }

    [SkippableFact]
    public async Task Each_edge_caches_its_own_copy_on_the_direct_route_and_fetches_are_counted_by_prefix()
    {
        using var lab = Require();
        string a = lab.PathOf("direct", "a"), ab = lab.PathOf("direct", "ab");
        var miss = await lab.GetAsync(1, a + "?maxage=60");
        Assert.Equal(new EdgeResponse(200, false, 0, 1, miss.Ms), miss);
        var hit = await lab.GetAsync(1, a + "?maxage=60");
        Assert.Equal((200, true, 1), (hit.Status, hit.Hit, hit.Edge));
        Assert.False((await lab.GetAsync(2, a + "?maxage=60")).Hit);
        await lab.GetAsync(0, ab + "?maxage=60");
        Assert.Equal(2, lab.OriginFetches(a));
        Assert.Equal(3, lab.OriginFetchesUnder(a));
        Assert.Equal(0, lab.OriginFetchesUnder(lab.PathOf("shield", "a")));
        // Enough fetches already: no wait at all (a 30 s timeout would show as a hung test).
        Assert.Equal(2, await lab.WaitForOriginFetchesAsync(a, 2, TimeSpan.FromSeconds(30)));
        Assert.Equal(2, await lab.WaitForOriginFetchesAsync(a, 3, TimeSpan.FromMilliseconds(100)));
        var burst = await lab.BurstAsync(ab + "?maxage=60", 3);
        Assert.All(burst, r => Assert.Equal((200, true, 0), (r.Status, r.Hit, r.Edge)));
    }

    [SkippableFact]
    public async Task A_replay_counts_hits_fetches_and_the_largest_age()
    {
        using var lab = Require();
        (int, int)[] trace = [(1, 0), (2, 1), (1, 0), (1, 2)];
        var cold = await lab.ReplayAsync(trace, "direct", maxAgeSeconds: 60, concurrency: 1);
        Assert.Equal(new VarnishReplay(4, 1, 3, 0), cold);
        Assert.Equal(0.25, cold.EdgeHitRatio, 12);
        await Task.Delay(1100);
        var warm = await lab.ReplayAsync(trace, "direct", maxAgeSeconds: 60, concurrency: 2);
        Assert.Equal((4, 4, 0), (warm.Requests, warm.EdgeHits, warm.OriginFetches));
        Assert.InRange(warm.MaxAge, 1, 3);
    }
}
