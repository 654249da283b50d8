using SystemDesign.LoadBalancing;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.LoadBalancing;

/// <summary>A Random whose Next(n) answers from a script (each value checked against n), so that a test can
/// say exactly which bins or backends were drawn.</summary>
internal sealed class ScriptedRandom(params int[] script) : Random
{
    private int at;

    public int Used => at;

    /// <summary>The bound of each draw so far.</summary>
    public List<int> Bounds { get; } = [];

    public override int Next(int maxValue)
    {
        Bounds.Add(maxValue);
        Assert.True(at < script.Length, $"the script of {script.Length} draws ran out");
        int v = script[at++];
        Assert.InRange(v, 0, maxValue - 1);
        return v;
    }
}

public sealed class BalancerExactTests
{
    private static BalancerView View(params int[] inFlight)
    {
        var v = new BalancerView(inFlight.Length);
        inFlight.CopyTo(v.InFlight, 0);
        return v;
    }

    private static int[] Picks(Balancer b, BalancerView view, int seed, int n)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => b.Pick(view, "", rng)).ToArray();
    }

    [Fact]
    public void Every_balancer_guards_its_backend_count()
    {
        OutOfRange("backends", () => new RoundRobinBalancer(0));
        OutOfRange("backends", () => new RandomBalancer(10_001));
        OutOfRange("backends", () => new LeastConnectionsBalancer(0));
        OutOfRange("backends", () => new PowerOfTwoBalancer(0));
        OutOfRange("backends", () => new PeakEwmaBalancer(0, 100));
        OutOfRange("backends", () => new SmoothWeightedRoundRobin([]));
        OutOfRange("backends", () => new ConsistentHashBalancer([]));
        Assert.Equal(10_000, new RoundRobinBalancer(10_000).Count);
    }

    [Fact]
    public void Create_guards_its_weights_and_algorithm()
    {
        Null("weights", () => Balancer.Create(Algorithm.RoundRobin, null!));
        Invalid("weights", () => Balancer.Create(Algorithm.RoundRobin, []), "weights must be ≥ 1");
        Invalid("weights", () => Balancer.Create(Algorithm.RoundRobin, [1, 0]), "weights must be ≥ 1");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Balancer.Create((Algorithm)99, [1]));
        Assert.Equal("algorithm", e.ParamName);
        Assert.StartsWith("unknown algorithm", e.Message, StringComparison.Ordinal);
        OutOfRange("tauMs", () => Balancer.Create(Algorithm.PeakEwma, [1], ewmaTauMs: 0));
        OutOfRange("virtualNodes", () => Balancer.Create(Algorithm.ConsistentHash, [1], virtualNodes: 0));
    }

    [Fact]
    public void Constructors_guard_their_arguments()
    {
        Null("weights", () => new SmoothWeightedRoundRobin(null!));
        Invalid("weights", () => new SmoothWeightedRoundRobin([2, 0]), "weights must be ≥ 1");
        OutOfRange("tauMs", () => new PeakEwmaBalancer(2, 0));
        OutOfRange("tauMs", () => new PeakEwmaBalancer(2, double.NaN));
        Null("names", () => new ConsistentHashBalancer(null!));
        OutOfRange("virtualNodes", () => new ConsistentHashBalancer(["a"], 0));
        OutOfRange("virtualNodes", () => new ConsistentHashBalancer(["a"], 10_001));
        Invalid("removed", () => new ConsistentHashBalancer(["a", "b"], 3, new HashSet<int> { 0, 1 }),
            "at least one backend must remain");
        Null("key", () => new ConsistentHashBalancer(["a"]).Owner(null!));
    }

    [Fact]
    public void Create_builds_the_named_algorithm_over_as_many_backends_as_weights()
    {
        int[] w = [3, 1, 1];
        Assert.IsType<RoundRobinBalancer>(Balancer.Create(Algorithm.RoundRobin, w));
        Assert.IsType<SmoothWeightedRoundRobin>(Balancer.Create(Algorithm.WeightedRoundRobin, w));
        Assert.IsType<RandomBalancer>(Balancer.Create(Algorithm.Random, w));
        Assert.IsType<LeastConnectionsBalancer>(Balancer.Create(Algorithm.LeastConnections, w));
        Assert.IsType<PeakEwmaBalancer>(Balancer.Create(Algorithm.PeakEwma, w));
        Assert.IsType<PowerOfTwoBalancer>(Balancer.Create(Algorithm.PowerOfTwo, w));
        Assert.IsType<ConsistentHashBalancer>(Balancer.Create(Algorithm.ConsistentHash, w));
        Assert.All(Enum.GetValues<Algorithm>(), a => Assert.Equal(3, Balancer.Create(a, w).Count));
        // Only the hash ring reads the key.
        Assert.All(Enum.GetValues<Algorithm>(), a =>
            Assert.Equal(a == Algorithm.ConsistentHash, Balancer.Create(a, w).UsesKey));
        // Weights reach the weighted round robin: 3,1,1 → a,a,b,a,c (smooth).
        var wrr = Balancer.Create(Algorithm.WeightedRoundRobin, w);
        Assert.Equal(new[] { 0, 1, 0, 2, 0 }, Picks(wrr, View(0, 0, 0), 1, 5));
        Assert.Equal(new[] { 0, 1, 2, 0 }, Picks(Balancer.Create(Algorithm.RoundRobin, w), View(0, 0, 0), 1, 4));
    }

    [Fact]
    public void Create_passes_tau_to_peak_ewma_and_names_hash_backends_b0_b1_and_so_on()
    {
        var pe = (PeakEwmaBalancer)Balancer.Create(Algorithm.PeakEwma, [1, 1], ewmaTauMs: 50);
        pe.OnComplete(0, 100, 0);
        pe.OnComplete(0, 0, 50);   // one τ = 50 ms later
        Assert.Equal(100 * Math.Exp(-1), pe.Estimates[0], 9);

        var ring = (ConsistentHashBalancer)Balancer.Create(Algorithm.ConsistentHash, [1, 1, 1], virtualNodes: 3);
        var reference = new ConsistentHashBalancer(["b0", "b1", "b2"], 3);
        for (int k = 0; k < 300; k++) Assert.Equal(reference.Owner($"k{k}"), ring.Owner($"k{k}"));
    }

    [Fact]
    public void Equal_weights_take_turns_in_index_order()
    {
        Assert.Equal(new[] { 0, 1, 2, 0, 1, 2 }, Picks(new SmoothWeightedRoundRobin([1, 1, 1]), View(0, 0, 0), 1, 6));
        Assert.Equal(new[] { 0, 1, 0, 0, 1, 0 }, Picks(new SmoothWeightedRoundRobin([2, 1]), View(0, 0), 1, 6));
    }

    [Fact]
    public void Random_balancer_draws_every_backend_uniformly()
    {
        var picks = Picks(new RandomBalancer(4), View(0, 0, 0, 0), 3, 4_000);
        for (int b = 0; b < 4; b++) Assert.InRange(picks.Count(p => p == b), 1_000 - 150, 1_000 + 150);
        Assert.Equal(new[] { 2, 0 }, new[] { new RandomBalancer(3).Pick(View(0, 0, 0), "", new ScriptedRandom(2)),
            new RandomBalancer(3).Pick(View(0, 0, 0), "", new ScriptedRandom(0)) });
    }

    [Fact]
    public void Least_connections_breaks_ties_uniformly_and_ignores_busier_backends()
    {
        var lc = new LeastConnectionsBalancer(3);
        var picks = Picks(lc, View(2, 2, 2), 7, 3_000);
        for (int b = 0; b < 3; b++) Assert.InRange(picks.Count(p => p == b), 1_000 - 120, 1_000 + 120);
        // A lower score after a tie wins outright; a tie with a higher score is no tie.
        Assert.All(Picks(lc, View(1, 1, 0), 7, 50), p => Assert.Equal(2, p));
        Assert.All(Picks(lc, View(0, 1, 1), 7, 50), p => Assert.Equal(0, p));
        var two = Picks(lc, View(0, 3, 0), 7, 400);
        Assert.DoesNotContain(1, two);
        Assert.InRange(two.Count(p => p == 0), 150, 250);
    }

    [Fact]
    public void Least_connections_tie_break_draws_exactly_as_reservoir_sampling_does()
    {
        // Ties: the second tied replaces the pick when Next(2) == 0, the third when Next(3) == 0.
        var lc = new LeastConnectionsBalancer(3);
        Assert.Equal(2, lc.Pick(View(1, 1, 1), "", new ScriptedRandom(1, 0)));
        Assert.Equal(1, lc.Pick(View(1, 1, 1), "", new ScriptedRandom(0, 2)));
        Assert.Equal(0, lc.Pick(View(1, 1, 1), "", new ScriptedRandom(1, 1)));
        var rng = new ScriptedRandom(0);
        Assert.Equal(1, lc.Pick(View(4, 1, 2), "", rng));
        Assert.Equal(0, rng.Used);   // no tie, no draw
        // A new minimum restarts the count of ties: after 1,1 comes 0, so the next 0 is the second tie.
        var four = new ScriptedRandom(1, 1);
        Assert.Equal(2, new LeastConnectionsBalancer(4).Pick(View(1, 1, 0, 0), "", four));
        Assert.Equal(new[] { 2, 2 }, four.Bounds);
    }

    [Fact]
    public void Power_of_two_draws_two_distinct_backends_and_keeps_the_emptier()
    {
        var p2 = new PowerOfTwoBalancer(4);
        // a = Next(4), b = Next(3) shifted past a; then a coin only on a tie.
        Assert.Equal(1, p2.Pick(View(5, 0, 5, 5), "", new ScriptedRandom(0, 0)));      // a 0, b 1
        Assert.Equal(2, p2.Pick(View(5, 5, 0, 5), "", new ScriptedRandom(1, 1)));      // a 1, b 2
        Assert.Equal(0, p2.Pick(View(0, 5, 5, 5), "", new ScriptedRandom(2, 0)));      // a 2, b 0
        Assert.Equal(3, p2.Pick(View(9, 9, 9, 1), "", new ScriptedRandom(3, 2)));      // a 3, b 2
        Assert.Equal(2, p2.Pick(View(9, 9, 1, 5), "", new ScriptedRandom(3, 2)));      // a 3, b 2
        Assert.Equal(2, p2.Pick(View(1, 1, 1, 1), "", new ScriptedRandom(2, 0, 0)));   // tie, coin 0: a
        Assert.Equal(0, p2.Pick(View(1, 1, 1, 1), "", new ScriptedRandom(2, 0, 1)));   // tie, coin 1: b
        Assert.Equal(0, new PowerOfTwoBalancer(1).Pick(View(3), "", new ScriptedRandom()));
    }

    [Fact]
    public void Power_of_two_spreads_equal_backends_evenly()
    {
        var picks = Picks(new PowerOfTwoBalancer(3), View(1, 1, 1), 11, 3_000);
        for (int b = 0; b < 3; b++) Assert.InRange(picks.Count(p => p == b), 1_000 - 120, 1_000 + 120);
        // The busiest of three is never picked: it always loses its pair.
        Assert.DoesNotContain(0, Picks(new PowerOfTwoBalancer(3), View(4, 1, 2), 11, 300));
    }

    [Fact]
    public void Peak_ewma_scores_latency_times_in_flight_plus_one()
    {
        var pe = new PeakEwmaBalancer(2, 100);
        pe.OnComplete(0, 10, 0);
        pe.OnComplete(1, 30, 0);
        Assert.Equal(new[] { 10.0, 30.0 }, pe.Estimates);
        Assert.Equal(0, pe.Pick(View(0, 0), "", new Random(1)));   // 10 < 30
        Assert.Equal(1, pe.Pick(View(3, 0), "", new Random(1)));   // 40 > 30
        Assert.Equal(0, pe.Pick(View(1, 0), "", new Random(1)));   // 20 < 30
        Assert.Equal(0, pe.Pick(View(2, 0), "", new ScriptedRandom(1)));   // 30 = 30: a tie, the draw keeps 0
        Assert.Equal(1, pe.Pick(View(2, 0), "", new ScriptedRandom(0)));   // … or takes 1
    }

    [Fact]
    public void Peak_ewma_decays_only_forward_in_time()
    {
        var pe = new PeakEwmaBalancer(1, 100);
        pe.OnComplete(0, 100, 50);
        pe.OnComplete(0, 10, 20);   // a completion stamped earlier: no time passed, the peak stays
        Assert.Equal(100, pe.Estimates[0]);
        pe.OnComplete(0, 100, 20);   // equal to the estimate: unchanged
        Assert.Equal(100, pe.Estimates[0]);
        pe.OnComplete(0, 40, 20 + 200);
        Assert.Equal(100 * Math.Exp(-2) + 40 * (1 - Math.Exp(-2)), pe.Estimates[0], 9);
        pe.OnComplete(0, 40, 20 + 200);   // same instant: weight 1 on the old value
        Assert.Equal(100 * Math.Exp(-2) + 40 * (1 - Math.Exp(-2)), pe.Estimates[0], 9);
    }

    [Fact]
    public void A_key_goes_to_the_first_ring_point_clockwise_of_its_hash()
    {
        string[] names = ["a", "b", "c", "d"];
        var removed = new HashSet<int> { 1 };
        var ring = new ConsistentHashBalancer(names, 2, removed);
        var points = new List<(ulong P, int Owner)>();
        for (int b = 0; b < names.Length; b++)
            if (b != 1)
                for (int v = 0; v < 2; v++) points.Add((ConsistentHashBalancer.Hash($"{names[b]}#{v}"), b));
        points.Sort();
        int wrapped = 0;
        for (int k = 0; k < 500; k++)
        {
            string key = $"user-{k}";
            ulong h = ConsistentHashBalancer.Hash(key);
            var next = points.FirstOrDefault(p => p.P >= h, (P: 0UL, Owner: -1));
            if (next.Owner < 0) { next = points[0]; wrapped++; }
            Assert.Equal(next.Owner, ring.Owner(key));
            Assert.Equal(next.Owner, ring.Pick(View(0, 0, 0, 0), key, new ScriptedRandom()));
        }
        Assert.True(wrapped > 0, "some keys lie past the last point");
        Assert.True(ring.UsesKey);
        // A key hashing exactly onto a point belongs to that point's owner.
        // (Both points, so that one of them is the ring's first.)
        Assert.Equal(0, new ConsistentHashBalancer(["a#0", "zz"], 1).Owner("a#0#0"));
        Assert.Equal(1, new ConsistentHashBalancer(["a#0", "zz"], 1).Owner("zz#0"));
    }

    [Fact]
    public void Hash_is_xxhash64_of_the_utf8_bytes()
    {
        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64("héllo"u8), ConsistentHashBalancer.Hash("héllo"));
    }
}
