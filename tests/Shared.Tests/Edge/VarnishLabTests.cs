using SystemDesign.Caching;
using SystemDesign.Edge;
using Xunit.Abstractions;

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
        Assert.Null(VarnishLab.ParseBasePort("nonsense"));
        Assert.Null(VarnishLab.ParseBasePort(null));
    }
}

[Collection("varnish")]
public sealed class VarnishLabTests(ITestOutputHelper output)
{
    private static VarnishLab Require()
    {
        int? b = VarnishLab.ParseBasePort(Environment.GetEnvironmentVariable("SDN_VARNISH"));
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
}
