using SystemDesign.LoadBalancing;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.LoadBalancing;

/// <summary>A balancer that sends request i to backend <c>route(i)</c> and records what the simulation showed
/// it: the clock, the in-flight counts and the key at each pick, and every completion.</summary>
internal sealed class RecordingBalancer(int backends, Func<int, int> route, bool usesKey = false) : Balancer(backends)
{
    public readonly List<(double NowMs, int[] InFlight, string Key)> Picks = [];
    public readonly List<(int Backend, double LatencyMs, double NowMs)> Completions = [];

    public override bool UsesKey => usesKey;

    public override int Pick(BalancerView view, string key, Random rng)
    {
        Picks.Add((view.NowMs, (int[])view.InFlight.Clone(), key));
        return route(Picks.Count - 1);
    }

    public override void OnComplete(int backend, double latencyMs, double nowMs) =>
        Completions.Add((backend, latencyMs, nowMs));
}

public sealed class SimulationExactTests
{
    private static readonly BackendSpec[] Two = [new("a", 10, 1), new("b", 10, 1)];

    [Fact]
    public void Workload_and_spec_helpers_fill_their_fields()
    {
        Assert.Equal(200, new BackendSpec("x", 10, 2).ThroughputPerSecond, 12);
        Assert.Equal(1, new BackendSpec("x", 10, 2).Weight);
        var open = Workload.Open(100, 50, users: 7, service: ServiceTime.Fixed, warmup: 3);
        Assert.Equal(new Workload(100, RatePerSecond: 50, Users: 7, Service: ServiceTime.Fixed, WarmupRequests: 3),
            open);
        Assert.Equal(ServiceTime.Exponential, Workload.Open(1, 1).Service);
        var closed = Workload.Closed(100, 4, warmup: 2);
        Assert.Equal(new Workload(100, Clients: 4, Users: 4, Service: ServiceTime.Fixed, WarmupRequests: 2), closed);
        Assert.Equal(50, closed.SampleEveryMs);
        OutOfRange("ratePerSecond", () => Workload.Open(1, 0));
        OutOfRange("clients", () => Workload.Closed(1, 0));
        OutOfRange("clients", () => Workload.Closed(1, 100_001));
    }

    [Fact]
    public void Run_guards_name_their_parameters()
    {
        var w = Workload.Closed(10, 1);
        var rr = new RoundRobinBalancer(2);
        Null("backends", () => LbSimulation.Run(Algorithm.RoundRobin, null!, w));
        Null("balancer", () => LbSimulation.Run(null!, "x", Two, w));
        Null("backends", () => LbSimulation.Run(rr, "x", null!, w));
        Invalid("backends", () => LbSimulation.Run(new RoundRobinBalancer(1), "x", [], w));
        Null("workload", () => LbSimulation.Run(rr, "x", Two, null!));
        Invalid("balancer", () => LbSimulation.Run(new RoundRobinBalancer(3), "x", Two, w),
            "balancer and backends differ in count");
        OutOfRange("ServiceMs", () => LbSimulation.Run(rr, "x", [Two[0], new("b", 0, 1)], w));
        OutOfRange("Capacity", () => LbSimulation.Run(rr, "x", [Two[0], new("b", 1, 0)], w));
        OutOfRange("Requests", () => LbSimulation.Run(rr, "x", Two, w with { Requests = 0 }));
        Invalid("workload", () => LbSimulation.Run(rr, "x", Two, w with { RatePerSecond = 5 }),
            "a workload is open (rate) or closed (clients), not both");
        Invalid("workload", () => LbSimulation.Run(rr, "x", Two, w with { Clients = 0 }),
            "a workload is open (rate) or closed (clients), not both");
        OutOfRange("WarmupRequests", () => LbSimulation.Run(rr, "x", Two, w with { WarmupRequests = 10 }));
        OutOfRange("WarmupRequests", () => LbSimulation.Run(rr, "x", Two, w with { WarmupRequests = -1 }));
        OutOfRange("SampleEveryMs", () => LbSimulation.Run(rr, "x", Two, w with { SampleEveryMs = 0 }));
        OutOfRange("Users", () => LbSimulation.Run(rr, "x", Two, w with { Users = 0 }));
        Null("values", () => LbSimulation.Percentile(null!, 0.5));
        Invalid("values", () => LbSimulation.Percentile([], 0.5));
        OutOfRange("q", () => LbSimulation.Percentile([1.0], 1.1));
        // The largest warmup allowed leaves one request counted.
        Assert.Single(LbSimulation.Run(rr, "x", Two, w with { WarmupRequests = 9 }).LatenciesMs);
    }

    [Fact]
    public void Percentile_interpolates_between_order_statistics()
    {
        double[] v = [4, 1, 3, 2];
        Assert.Equal(1, LbSimulation.Percentile(v, 0));
        Assert.Equal(2.5, LbSimulation.Percentile(v, 0.5), 12);
        Assert.Equal(4, LbSimulation.Percentile(v, 1));
        Assert.Equal(3.7, LbSimulation.Percentile(v, 0.9), 12);   // position 2.7: 3 + 0.7 · (4 − 3)
        Assert.Equal(7, LbSimulation.Percentile([7.0], 0.99));
    }

    [Fact]
    public void One_client_on_one_backend_waits_only_for_service()
    {
        var run = LbSimulation.Run(Algorithm.RoundRobin, [new BackendSpec("x", 10, 1)], Workload.Closed(10, 1));
        Assert.Equal("RoundRobin", run.Algorithm);
        Assert.Equal(100, run.DurationMs, 9);
        Assert.All(run.LatenciesMs, l => Assert.Equal(10, l, 9));
        Assert.Equal((10.0, 10.0, 10.0), (run.P50Ms, run.P99Ms, run.MeanMs));
        // Samples every 50 ms up to and including the end, taken before the event at that instant.
        Assert.Equal(new[] { 0.0, 50, 100 }, run.SampleTimesMs);
        Assert.Equal(new[] { 0.0, 1, 1 }, run.InFlightSamples[0]);
        var b = Assert.Single(run.Backends);
        Assert.Equal(new BackendResult("x", 10, 1, 1, 1, 10, 10), b with { MeanInFlight = Math.Round(b.MeanInFlight, 9) });
    }

    [Fact]
    public void Two_clients_on_one_worker_queue_behind_each_other()
    {
        var run = LbSimulation.Run(Algorithm.RoundRobin, [new BackendSpec("x", 10, 1)],
            Workload.Closed(6, 2) with { SampleEveryMs = 25 });
        // r0 0–10, r1 queued 0 → 10–20, r2 (client 0 at 10) → 20–30, …: each waits for the one before.
        Assert.Equal(new[] { 10.0, 20, 20, 20, 20, 20 }, run.LatenciesMs.Select(l => Math.Round(l, 9)));
        Assert.Equal(60, run.DurationMs, 9);
        Assert.Equal(2, run.MaxInFlight);
        // In flight: 2 until 50, then 1 until 60: (2·50 + 10) / 60.
        Assert.Equal(110.0 / 60, run.Backends[0].MeanInFlight, 9);
        Assert.Equal(new[] { 0.0, 25, 50 }, run.SampleTimesMs);
        Assert.Equal(new[] { 0.0, 2, 2 }, run.InFlightSamples[0]);
        Assert.Equal(20, run.P99Ms, 9);
        Assert.Equal(20, run.P50Ms, 9);
        Assert.Equal(110.0 / 6, run.MeanMs, 9);
    }

    [Fact]
    public void Capacity_lets_that_many_requests_run_at_once()
    {
        var run = LbSimulation.Run(Algorithm.RoundRobin, [new BackendSpec("x", 10, 2)], Workload.Closed(6, 3));
        // Two run at once, the third waits 10 ms.
        Assert.Equal(new[] { 10.0, 10, 20, 10, 20, 10 }, run.LatenciesMs.Select(l => Math.Round(l, 9)));
        Assert.Equal(3, run.MaxInFlight);
    }

    [Fact]
    public void The_balancer_sees_the_clock_and_in_flight_counts_and_hears_every_completion()
    {
        var rec = new RecordingBalancer(2, i => i % 2, usesKey: true);
        var run = LbSimulation.Run(rec, "rec", [new("a", 10, 1), new("b", 30, 1)], Workload.Closed(6, 2));
        Assert.Equal("rec", run.Algorithm);
        Assert.Equal(new[] { 0.0, 0, 10, 20, 30, 40 }, rec.Picks.Select(p => p.NowMs));
        Assert.Equal(new[] { "u0", "u1", "u0", "u0", "u1", "u1" }, rec.Picks.Select(p => p.Key));
        Assert.Equal(new[] { "0,0", "1,0", "0,1", "0,1", "0,1", "0,1" },
            rec.Picks.Select(p => string.Join(",", p.InFlight)));
        // r0 → a 0–10; r1 → b 0–30; r2 (u0 at 10) → a 10–20; r3 (u0 at 20) → b, queued behind r1: 30–60;
        // r4 (u1 at 30) → a 30–40; r5 (u1 at 40) → b, queued behind r3: 60–90.
        Assert.Equal(new[] { (0, 10.0, 10.0), (0, 10, 20), (1, 30, 30), (0, 10, 40), (1, 40, 60), (1, 50, 90) },
            rec.Completions.Select(c => (c.Backend, Math.Round(c.LatencyMs, 9), Math.Round(c.NowMs, 9))));
        Assert.Equal(new[] { 3, 3 }, run.Backends.Select(b => b.Requests));
        Assert.Equal(new[] { 0.5, 0.5 }, run.Shares);
        Assert.Equal(new[] { 1, 2 }, run.Backends.Select(b => b.MaxInFlight));
        Assert.Equal(2, run.MaxInFlight);
    }

    [Fact]
    public void A_balancer_that_ignores_keys_gets_an_empty_one()
    {
        var rec = new RecordingBalancer(1, _ => 0);
        LbSimulation.Run(rec, "rec", [new("a", 10, 1)], Workload.Closed(3, 2));
        Assert.All(rec.Picks, p => Assert.Equal("", p.Key));
    }

    [Fact]
    public void Open_loop_keys_are_drawn_from_the_users_and_arrivals_are_poisson()
    {
        var rec = new RecordingBalancer(1, _ => 0, usesKey: true);
        var run = LbSimulation.Run(rec, "rec", [new("a", 1, 100)], Workload.Open(4_000, 1_000, users: 5));
        Assert.Equal(new[] { "u0", "u1", "u2", "u3", "u4" }, rec.Picks.Select(p => p.Key).Distinct().Order());
        // 4,000 arrivals at 1,000/s: about 4 s, the mean gap 1 ms.
        double gaps = rec.Picks[^1].NowMs - rec.Picks[0].NowMs;
        Assert.InRange(gaps / 3_999, 0.95, 1.05);
        Assert.True(rec.Picks[0].NowMs > 0);
        // Exponential service with mean 1 ms and no queueing (100 workers): mean latency ≈ 1 ms.
        Assert.InRange(run.MeanMs, 0.93, 1.07);
        Assert.True(run.LatenciesMs.Distinct().Count() > 3_000);
        // Fixed service: every latency exactly 1 ms.
        var fixedRun = LbSimulation.Run(Algorithm.Random, [new("a", 1, 100)],
            Workload.Open(500, 1_000, service: ServiceTime.Fixed));
        Assert.All(fixedRun.LatenciesMs, l => Assert.Equal(1, l, 9));
    }

    [Fact]
    public void Warmup_requests_are_left_out_of_the_statistics()
    {
        var rec = new RecordingBalancer(2, i => i < 4 ? 0 : 1);
        var run = LbSimulation.Run(rec, "rec", [new("a", 5, 1), new("b", 10, 1)], Workload.Closed(10, 1, warmup: 4));
        Assert.Equal(6, run.LatenciesMs.Count);
        Assert.All(run.LatenciesMs, l => Assert.Equal(10, l, 9));
        Assert.Equal(new[] { 0, 6 }, run.Backends.Select(b => b.Requests));
        Assert.Equal(new[] { 0.0, 1 }, run.Shares);
        // A backend with no counted request reports zero quantiles, but its in-flight history stays.
        Assert.Equal((0.0, 0.0), (run.Backends[0].P50Ms, run.Backends[0].P99Ms));
        Assert.Equal(20.0 / 80, run.Backends[0].MeanInFlight, 9);
        Assert.Equal(1, run.Backends[0].MaxInFlight);
        Assert.Equal(new[] { "a", "b" }, run.Backends.Select(b => b.Backend));
    }

    [Fact]
    public void Consistent_hash_keeps_each_client_on_its_owner()
    {
        BackendSpec[] three = [new("a", 5, 6), new("b", 5, 6), new("c", 5, 6)];
        var run = LbSimulation.Run(Algorithm.ConsistentHash, three, Workload.Closed(600, 6));
        var ring = new ConsistentHashBalancer(["b0", "b1", "b2"]);
        var expected = new int[3];
        for (int c = 0; c < 6; c++) expected[ring.Owner($"u{c}")] += 100;
        Assert.Equal(expected, run.Backends.Select(b => b.Requests));
    }

    [Fact]
    public void Runs_of_every_algorithm_are_seeded_and_count_each_request_once()
    {
        BackendSpec[] fleet = [new("a", 10, 1, 3), new("b", 20, 1, 1)];
        var runs = LbSimulation.RunAll(fleet, Workload.Open(300, 60, warmup: 20), seed: 3);
        Assert.Equal(Enum.GetNames<Algorithm>(), runs.Select(r => r.Algorithm));
        Assert.All(runs, r => Assert.Equal(280, r.Backends.Sum(b => b.Requests)));
        Assert.All(runs, r => Assert.Equal(1, r.Shares.Sum(), 9));
        var again = LbSimulation.RunAll(fleet, Workload.Open(300, 60, warmup: 20), seed: 3);
        Assert.Equal(runs.Select(r => r.MeanMs), again.Select(r => r.MeanMs));
        var other = LbSimulation.RunAll(fleet, Workload.Open(300, 60, warmup: 20), seed: 4);
        Assert.NotEqual(runs.Select(r => r.MeanMs), other.Select(r => r.MeanMs));
        // Weighted round robin follows 3:1 exactly over 280 requests (70 cycles of 4).
        Assert.Equal(new[] { 210, 70 }, runs[(int)Algorithm.WeightedRoundRobin].Backends.Select(b => b.Requests));
    }

    [Theory]
    [InlineData(Algorithm.PowerOfTwo, 11.430417616270347, 226.75055814665347, 27.090756730657063, 2189.327775155138,
        new[] { 79, 88, 66, 37 }, 44)]
    [InlineData(Algorithm.ConsistentHash, 19.846611876620898, 391.01160783059174, 58.95266246241084,
        2479.6204361688897, new[] { 115, 62, 28, 65 }, 50)]
    [InlineData(Algorithm.PeakEwma, 10.542880862158086, 97.81768662046905, 18.902876898272428, 2083.8400660287684,
        new[] { 97, 124, 47, 2 }, 42)]
    public void A_seeded_exponential_run_gives_these_exact_numbers(Algorithm algorithm, double p50, double p99,
        double mean, double duration, int[] requests, int samples)
    {
        // Pinned from a run: the arrival, service and pick streams are each seeded from the seed, so any change
        // to how they are drawn or combined moves these numbers.
        BackendSpec[] fleet = [new("a", 10, 1, 4), new("b", 10, 1, 4), new("c", 20, 1, 2), new("d", 40, 1, 1)];
        var r = LbSimulation.Run(algorithm, fleet, Workload.Open(300, 150, users: 20, warmup: 30), seed: 5);
        Assert.Equal(p50, r.P50Ms, 9);
        Assert.Equal(p99, r.P99Ms, 9);
        Assert.Equal(mean, r.MeanMs, 9);
        Assert.Equal(duration, r.DurationMs, 9);
        Assert.Equal(requests, r.Backends.Select(b => b.Requests));
        Assert.Equal(samples, r.SampleTimesMs.Length);
    }
}
