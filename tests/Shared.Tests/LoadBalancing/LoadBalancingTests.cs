using SystemDesign.LoadBalancing;

namespace SystemDesign.Tests.LoadBalancing;

public sealed class BalancerTests
{
    private static readonly Random Rng = new(1);

    private static BalancerView View(params int[] inFlight)
    {
        var v = new BalancerView(inFlight.Length);
        inFlight.CopyTo(v.InFlight, 0);
        return v;
    }

    [Fact]
    public void Smooth_weighted_round_robin_interleaves_as_nginx_does()
    {
        var wrr = new SmoothWeightedRoundRobin([5, 1, 1]);
        var view = View(0, 0, 0);
        var picks = Enumerable.Range(0, 7).Select(_ => wrr.Pick(view, "", Rng)).ToArray();
        Assert.Equal(new[] { 0, 0, 1, 0, 2, 0, 0 }, picks);
    }

    [Fact]
    public void Round_robin_cycles()
    {
        var rr = new RoundRobinBalancer(3);
        Assert.Equal(new[] { 0, 1, 2, 0 }, Enumerable.Range(0, 4).Select(_ => rr.Pick(View(0, 0, 0), "", Rng)));
    }

    [Fact]
    public void Least_connections_picks_the_emptiest()
    {
        var lc = new LeastConnectionsBalancer(3);
        Assert.Equal(1, lc.Pick(View(3, 0, 2), "", Rng));
    }

    [Fact]
    public void Power_of_two_never_picks_the_busiest_of_two()
    {
        var p2 = new PowerOfTwoBalancer(2);
        for (int i = 0; i < 50; i++) Assert.Equal(1, p2.Pick(View(5, 1), "", Rng));
    }

    [Fact]
    public void Peak_ewma_jumps_up_at_once_and_decays_slowly()
    {
        var pe = new PeakEwmaBalancer(2, tauMs: 100);
        pe.OnComplete(0, 10, 0);
        pe.OnComplete(0, 100, 1);
        Assert.Equal(100, pe.Estimates[0]);
        pe.OnComplete(0, 10, 101);   // one τ later: weight e^-1 on the old value
        Assert.Equal(100 * Math.Exp(-1) + 10 * (1 - Math.Exp(-1)), pe.Estimates[0], 6);
        Assert.Equal(1, pe.Pick(View(0, 0), "", Rng));   // backend 1 has no sample: tried first
    }

    [Fact]
    public void Consistent_hash_moves_only_the_keys_of_a_removed_backend()
    {
        string[] names = ["a", "b", "c", "d"];
        var before = new ConsistentHashBalancer(names, 50);
        var after = new ConsistentHashBalancer(names, 50, new HashSet<int> { 2 });
        for (int k = 0; k < 2_000; k++)
        {
            string key = $"k{k}";
            if (before.Owner(key) != 2) Assert.Equal(before.Owner(key), after.Owner(key));
            else Assert.NotEqual(2, after.Owner(key));
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Balancer.Create(Algorithm.RoundRobin, []));
        Assert.Throws<ArgumentException>(() => new SmoothWeightedRoundRobin([1, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeakEwmaBalancer(2, 0));
    }
}

public sealed class SimulationTests
{
    private static readonly BackendSpec[] Fleet =
        [new("a", 10, 1, 4), new("b", 10, 1, 4), new("c", 20, 1, 2), new("d", 40, 1, 1)];

    [Fact]
    public void Runs_are_reproducible_and_count_every_request()
    {
        var w = Workload.Open(2_000, 200, warmup: 100);
        var a = LbSimulation.Run(Algorithm.PowerOfTwo, Fleet, w, seed: 5);
        var b = LbSimulation.Run(Algorithm.PowerOfTwo, Fleet, w, seed: 5);
        Assert.Equal(a.P99Ms, b.P99Ms);
        Assert.Equal(1_900, a.Backends.Sum(x => x.Requests));
    }

    [Fact]
    public void A_single_mm1_backend_has_the_mean_latency_of_queueing_theory()
    {
        // M/M/1 at ρ = 0.5 with a 10 ms mean: mean time in system = 10 / (1 − 0.5) = 20 ms.
        var run = LbSimulation.Run(Algorithm.RoundRobin, [new BackendSpec("x", 10, 1)],
            Workload.Open(60_000, 50, warmup: 2_000), seed: 2);
        Assert.InRange(run.MeanMs, 19, 21);
    }

    [Fact]
    public void Closed_loop_with_fixed_service_keeps_each_client_to_one_request()
    {
        var run = LbSimulation.Run(Algorithm.RoundRobin, [new BackendSpec("x", 5, 2), new BackendSpec("y", 5, 2)],
            Workload.Closed(400, clients: 4), seed: 1);
        // 4 clients, 4 workers: nobody queues, every request takes exactly the service time.
        Assert.All(run.LatenciesMs, l => Assert.Equal(5, l, 9));
        Assert.Equal(2, run.MaxInFlight);
    }

    [Fact]
    public void Weighted_round_robin_shares_follow_the_weights()
    {
        var run = LbSimulation.Run(Algorithm.WeightedRoundRobin, Fleet, Workload.Open(1_100, 100), seed: 1);
        Assert.Equal(400, run.Backends[0].Requests);
        Assert.Equal(100, run.Backends[3].Requests);
    }

    [Fact]
    public void Bad_workloads_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => LbSimulation.Run(Algorithm.Random, Fleet,
            new Workload(100, RatePerSecond: 10, Clients: 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Workload.Open(10, 0));
    }
}

public sealed class ModelTests
{
    [Fact]
    public void Two_choices_beat_one_and_match_the_fluid_limit()
    {
        var one = BallsIntoBins.Experiment(5_000, 1, 20, seed: 1);
        var two = BallsIntoBins.Experiment(5_000, 2, 20, seed: 1);
        Assert.True(two.MeanMaxLoad < one.MeanMaxLoad);
        var fluid = BallsIntoBins.FluidLimit(2);
        Assert.InRange(two.FractionAtLeast[2], fluid[2] - 0.005, fluid[2] + 0.005);
        Assert.InRange(one.MeanMaxLoad, BallsIntoBins.PoissonExpectedMax(5_000) - 0.5,
            BallsIntoBins.PoissonExpectedMax(5_000) + 0.5);
    }

    [Fact]
    public void Fluid_limit_for_one_choice_is_the_poisson_tail()
    {
        var s = BallsIntoBins.FluidLimit(1, levels: 4);
        Assert.Equal(1 - Math.Exp(-1), s[1], 3);
        Assert.Equal(1 - 2 * Math.Exp(-1), s[2], 3);
    }

    [Fact]
    public void Detection_times_stay_inside_the_window()
    {
        var w = HealthChecks.DetectionWindow(100, 3);
        Assert.All(HealthChecks.DetectionTimes(100, 3, 1_000, seed: 1), t => Assert.InRange(t, w.Min, w.Max));
        Assert.Equal(250, w.Mean);
        Assert.Equal(0.2, HealthChecks.SlowStartShare(500, 1000, 3), 9);   // f = 0.5: 0.5 / (0.5 + 2)
    }

    [Fact]
    public void L7_router_matches_rules_in_order_and_honours_cookies()
    {
        var router = new L7Router([new RouteRule("api", Host: "api"), new RouteRule("web", PathPrefix: "/")],
            new Dictionary<string, string[]> { ["api"] = ["a1"], ["web"] = ["w1", "w2"] });
        Assert.Equal("api", router.Route(HttpRequestInfo.Get("api", "/x"))!.Pool);
        var d = router.Route(HttpRequestInfo.Get("www", "/"))!;
        Assert.Equal("SRV=w1", d.SetCookie);
        var sticky = router.Route(new HttpRequestInfo("www", "/", new Dictionary<string, string>(),
            new Dictionary<string, string> { ["SRV"] = "w1" }))!;
        Assert.Equal("w1", sticky.Backend);
        Assert.Null(sticky.SetCookie);
        Assert.Null(new L7Router([new RouteRule("api", Host: "api")],
            new Dictionary<string, string[]> { ["api"] = ["a1"] }).Route(HttpRequestInfo.Get("www", "/")));
    }

    [Fact]
    public void Stickiness_compare_moves_what_theory_says()
    {
        var leave = Stickiness.Compare(4, 20_000, 1);
        Assert.Equal(0.25, leave[0].MovedShare, 3);
        Assert.InRange(leave[1].MovedShare, 0.15, 0.35);
        Assert.InRange(leave[2].MovedShare, 0.7, 0.8);
        Assert.Equal(0, Stickiness.Compare(4, 1_000, -1)[0].Moved);
    }

    [Fact]
    public void Failover_model_agrees_with_its_closed_form_and_lost_writes_with_the_mean()
    {
        var times = GlobalFailover.MoveTimes(50_000, 60, 10, 3, 0.1, 300, seed: 3);
        double d = times.Min();
        Assert.InRange(times.Count(t => t <= d + 30) / 50_000.0, 0.9 * 0.5 - 0.01, 0.9 * 0.5 + 0.01);
        Assert.Equal(0.45, GlobalFailover.MovedShare(d + 30, d, 60, 0.1, 300), 9);
        var lost = GlobalFailover.LostWrites(100, 2, 1, 5_000, seed: 1);
        Assert.InRange(lost.Average(), 190, 210);   // 100·(2/2 + 1)
        var (rto, rpo, writes) = GlobalFailover.RtoRpo(30, 60, 45, 1.5, 1000);
        Assert.Equal((90, 1.5, 1500), (rto, rpo, writes));
    }
}

[Collection(RealPartsCollection.Name)]
public sealed class RealLabTests
{
    [Fact]
    public void Algorithms_map_to_haproxy_nginx_and_yarp_names()
    {
        Assert.Equal("random(2)", LbConfigs.HaproxyBalance(Algorithm.PowerOfTwo));
        Assert.Equal("leastconn", LbConfigs.HaproxyBalance(Algorithm.LeastConnections));
        Assert.Null(LbConfigs.HaproxyBalance(Algorithm.PeakEwma));
        Assert.Equal("least_conn;", LbConfigs.NginxBalance(Algorithm.LeastConnections));
        Assert.Equal("PowerOfTwoChoices", YarpProxy.Policy(Algorithm.PowerOfTwo));
    }

    [Fact]
    public void Kestrel_backends_answer_with_their_name_and_count_requests()
    {
        using var kb = KestrelBackends.Start([new BackendSpec("x", 1, 1), new BackendSpec("y", 1, 1)], LbPorts.Block(2));
        var run = LoadDriver.Run("direct", $"http://127.0.0.1:{kb.Port(1)}/", requests: 5, clients: 1);
        Assert.All(run.Samples, s => Assert.Equal("y", s.Backend));
        Assert.Equal(new[] { 0, 5 }, kb.Served);
        string config = LbConfigs.Haproxy(kb, [new HaproxyFront("be", 40_000, "roundrobin", Without: new HashSet<int> { 0 })]);
        Assert.Contains($"server y 127.0.0.1:{kb.Port(1)} id 2 weight {LbConfigs.UnweightedWeight}", config);
        Assert.DoesNotContain("server x", config);
        Assert.Contains("bind 127.0.0.1:40000", config);
        Assert.Contains("listen 127.0.0.1:40001;", LbConfigs.Nginx(kb, 40_001, "least_conn;"));
    }
}
