using FsCheck.Xunit;
using SystemDesign.Distribution;

namespace SystemDesign.Tests.Distribution;

internal static class Data
{
    public static string[] Nodes(int n) => Enumerable.Range(0, n).Select(i => $"node-{i}").ToArray();
    public static string[] Keys(int n, int seed = 0) => Enumerable.Range(0, n).Select(i => $"key:{seed}:{i}").ToArray();
}

public sealed class HashRingTests
{
    [Property(MaxTest = 40)]
    public bool Owner_is_the_first_token_clockwise(byte n, byte v, int seed)
    {
        var ring = HashRing.Create(Data.Nodes(1 + n % 12), 1 + v % 20);
        var tokens = ring.Tokens;
        foreach (var key in Data.Keys(50, seed))
        {
            ulong h = HashRing.KeyPosition(key);
            // Brute force: the token with the smallest clockwise distance (position − h mod 2⁶⁴).
            var expected = tokens.MinBy(t => unchecked(t.Position - h)).Node;
            if (ring.Owner(key) != expected) return false;
        }
        return true;
    }

    [Property(MaxTest = 40)]
    public bool Only_keys_that_move_go_to_the_added_node(byte n, byte v, int seed)
    {
        var before = HashRing.Create(Data.Nodes(1 + n % 15), 1 + v % 40);
        var after = before.WithNode("newcomer");
        var report = MoveReport.Between(Data.Keys(400, seed), before, after);
        return report.Moves.All(m => m.To == "newcomer");
    }

    [Property(MaxTest = 40)]
    public bool Only_keys_of_the_removed_node_move(byte n, byte v, int seed)
    {
        var before = HashRing.Create(Data.Nodes(2 + n % 15), 1 + v % 40);
        string gone = before.Nodes[Math.Abs(seed % before.Nodes.Count)];
        var after = before.WithoutNode(gone);
        var keys = Data.Keys(400, seed);
        var report = MoveReport.Between(keys, before, after);
        int owned = keys.Count(k => before.Owner(k) == gone);
        return report.Moves.All(m => m.From == gone) && report.Moved == owned;
    }

    [Property(MaxTest = 40)]
    public bool Replicas_are_distinct_and_start_with_the_owner(byte n, byte v, byte r, int seed)
    {
        var ring = HashRing.Create(Data.Nodes(1 + n % 10), 1 + v % 30);
        int rf = 1 + r % ring.Nodes.Count;
        return Data.Keys(50, seed).All(k =>
        {
            var replicas = ring.Replicas(k, rf);
            return replicas.Count == rf && replicas.Distinct().Count() == rf && replicas[0] == ring.Owner(k);
        });
    }

    [Fact]
    public void Ownership_sums_to_one_and_predicts_key_counts()
    {
        var ring = HashRing.Create(Data.Nodes(8), 64);
        var share = ring.Ownership();
        Assert.Equal(1.0, share.Values.Sum(), 9);
        var keys = Data.Keys(80_000);
        var counts = ring.CountKeys(keys);
        foreach (var node in ring.Nodes)
        {
            double p = share[node], sigma = Math.Sqrt(p * (1 - p) / keys.Length);
            Assert.InRange((double)counts[node] / keys.Length, p - 5 * sigma, p + 5 * sigma); // binomial, 5σ
        }
        Assert.Equal(1.0, HashRing.Create(["solo"], 1).Ownership()["solo"]);
    }

    [Fact]
    public void Adding_a_node_moves_about_one_in_N_plus_1_keys()
    {
        var keys = Data.Keys(50_000);
        var ring = HashRing.Create(Data.Nodes(9), 256);
        var after = ring.WithNode("node-9");
        var moved = MoveReport.Between(keys, ring, after).FractionMoved;
        // The newcomer's exact ring share decides the expectation; keys sample it (binomial, 5σ).
        double p = after.Ownership()["node-9"];
        Assert.InRange(moved, p - 5 * Math.Sqrt(p * (1 - p) / keys.Length), p + 5 * Math.Sqrt(p * (1 - p) / keys.Length));
        Assert.InRange(p, 0.1 * 0.75, 0.1 * 1.25); // 1/(N+1) with CV ≈ 1/√256 ≈ 6%: ±4σ
    }

    [Fact]
    public void Removal_spreads_keys_over_many_nodes_with_vnodes_and_one_without()
    {
        var keys = Data.Keys(20_000);
        var single = HashRing.Create(Data.Nodes(10), 1);
        Assert.Single(MoveReport.Between(keys, single, single.WithoutNode("node-3")).Destinations);
        var many = HashRing.Create(Data.Nodes(10), 100);
        Assert.Equal(9, MoveReport.Between(keys, many, many.WithoutNode("node-3")).Destinations.Count);
    }

    [Fact]
    public void Weighted_nodes_get_proportional_shares()
    {
        var ring = HashRing.Create(Data.Nodes(4), 500).WithNode("big", 1000);
        var share = ring.Ownership();
        Assert.InRange(share["big"] / share.Where(kv => kv.Key != "big").Average(kv => kv.Value), 1.7, 2.3);
    }

    [Fact]
    public void Lookup_is_a_binary_search()
    {
        var ring = HashRing.Create(Data.Nodes(100), 150);
        Assert.Equal(15_000, ring.TokenCount);
        int bound = (int)Math.Ceiling(Math.Log2(ring.TokenCount + 1));
        Assert.All(Data.Keys(500), k => Assert.InRange(ring.LookupSteps(k), bound - 1, bound));
    }

    [Fact]
    public void Balanced_tokens_beat_random_ones_at_equal_count()
    {
        var random = HashRing.Create(Data.Nodes(20), 16);
        var balanced = HashRing.CreateBalanced(Data.Nodes(20), 16);
        Assert.All(balanced.Nodes, n => Assert.Equal(16, balanced.TokensOf(n).Count));
        var r = LoadStats.Of(random.Ownership());
        var b = LoadStats.Of(balanced.Ownership());
        Assert.True(b.CoefficientOfVariation < r.CoefficientOfVariation / 2, $"balanced CV {b.CoefficientOfVariation:F3} vs random {r.CoefficientOfVariation:F3}");
        Assert.True(balanced.AllocatesTokens);
        Assert.False(random.AllocatesTokens);
        var joined = balanced.WithNode("node-20"); // an allocating ring keeps allocating
        Assert.True(joined.AllocatesTokens && joined.WithoutNode("node-3").AllocatesTokens);
        Assert.InRange(joined.Ownership()["node-20"], 1.0 / 21 * 0.95, 1.0 / 21 * 1.05); // the allocator aims at exactly 1/(N+1)
        Assert.Equal("tokensPerNode", Assert.Throws<ArgumentOutOfRangeException>(() => HashRing.CreateBalanced(["a"], 0)).ParamName);
    }

    [Fact]
    public void Every_scheme_grows_and_shrinks_through_the_interface()
    {
        IPlacement[] schemes =
        [
            HashRing.Create(Data.Nodes(4), 8), new ModuloPlacement(Data.Nodes(4)), new JumpPlacement(Data.Nodes(4)),
            new RendezvousPlacement(Data.Nodes(4)), SlotTable.Balanced(Data.Nodes(4)),
        ];
        foreach (var p in schemes)
        {
            Assert.Equal(5, p.WithNode("node-4").Nodes.Count);
            Assert.Equal(3, p.WithoutNode("node-3").Nodes.Count);
            Assert.DoesNotContain("node-3", p.WithoutNode("node-3").Nodes);
            Assert.False(string.IsNullOrEmpty(p.LookupUnit));
        }
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_name()
    {
        Assert.Equal("virtualNodes", Assert.Throws<ArgumentOutOfRangeException>(() => HashRing.Create(["a"], 0)).ParamName);
        Assert.Equal("virtualNodes", Assert.Throws<ArgumentOutOfRangeException>(() => HashRing.Create(["a"], HashRing.MaxVirtualNodes + 1)).ParamName);
        Assert.Equal("nodes", Assert.Throws<ArgumentException>(() => HashRing.Create([], 10)).ParamName);
        Assert.Equal("nodes", Assert.Throws<ArgumentException>(() => HashRing.Create(["a", "a"], 10)).ParamName);
        Assert.Equal("nodes", Assert.Throws<ArgumentException>(() => HashRing.Create(["a", ""], 10)).ParamName);
        Assert.Equal("nodes", Assert.Throws<ArgumentNullException>(() => HashRing.Create(null!, 10)).ParamName);
        var ring = HashRing.Create(["a", "b"], 10);
        Assert.Equal("node", Assert.Throws<ArgumentException>(() => ring.WithNode("a")).ParamName);
        Assert.Equal("node", Assert.Throws<ArgumentException>(() => ring.WithoutNode("zzz")).ParamName);
        Assert.Equal("node", Assert.Throws<ArgumentException>(() => ring.WithoutNode("a").WithoutNode("b")).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ring.Replicas("k", 3)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ring.Replicas("k", 0)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => ring.Owner(null!)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentException>(() => ring.WithNode("c", Array.Empty<ulong>())).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => ring.WithBalancedNode("c", 0)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => HashRing.TokenPosition("a", -1)).ParamName);
        Assert.Equal("node", Assert.Throws<ArgumentException>(() => ring.TokensOf("zzz")).ParamName);
    }
}

public sealed class AlternativesTests
{
    [Fact]
    public void Modulo_moves_N_over_N_plus_1_of_keys()
    {
        var keys = Data.Keys(40_000);
        var before = new ModuloPlacement(Data.Nodes(9));
        double moved = MoveReport.Between(keys, before, before.WithNode("node-9")).FractionMoved;
        double p = 0.9, sigma = Math.Sqrt(p * (1 - p) / keys.Length);
        Assert.InRange(moved, p - 5 * sigma, p + 5 * sigma);
    }

    [Fact]
    public void Jump_hash_matches_published_vectors()
    {
        Assert.Equal(984, JumpHash.Bucket(123456, 1000));
        Assert.Equal(520, JumpHash.Bucket(256, 1024));
        Assert.Equal(0, JumpHash.Bucket(ulong.MaxValue, 1));
    }

    [Property(MaxTest = 200)]
    public bool Jump_hash_stays_or_jumps_to_the_new_bucket(ulong key, ushort n)
    {
        int buckets = 1 + n % 2000;
        int before = JumpHash.Bucket(key, buckets), after = JumpHash.Bucket(key, buckets + 1);
        return before < buckets && (after == before || after == buckets);
    }

    [Fact]
    public void Jump_hash_moves_about_one_in_N_plus_1()
    {
        var keys = Data.Keys(40_000);
        var before = new JumpPlacement(Data.Nodes(9));
        var report = MoveReport.Between(keys, before, before.WithNode("node-9"));
        double p = 0.1, sigma = Math.Sqrt(p * (1 - p) / keys.Length);
        Assert.InRange(report.FractionMoved, p - 5 * sigma, p + 5 * sigma);
        Assert.All(report.Moves, m => Assert.Equal("node-9", m.To));
        Assert.All(keys.Take(200), k => Assert.InRange(before.LookupSteps(k), 1, 40));
    }

    [Fact]
    public void Jump_hash_removes_only_its_last_bucket()
    {
        var p = new JumpPlacement(Data.Nodes(4));
        Assert.Equal(3, p.WithoutNode("node-3").Nodes.Count);
        Assert.Equal("node", Assert.Throws<ArgumentException>(() => p.WithoutNode("node-1")).ParamName);
        Assert.Equal("buckets", Assert.Throws<ArgumentOutOfRangeException>(() => JumpHash.Bucket(1, 0)).ParamName);
    }

    [Property(MaxTest = 30)]
    public bool Rendezvous_moves_only_what_it_must(byte n, int seed)
    {
        var before = new RendezvousPlacement(Data.Nodes(2 + n % 12));
        var keys = Data.Keys(300, seed);
        var added = MoveReport.Between(keys, before, before.WithNode("newcomer"));
        string gone = before.Nodes[Math.Abs(seed % before.Nodes.Count)];
        var removed = MoveReport.Between(keys, before, before.WithoutNode(gone));
        return added.Moves.All(m => m.To == "newcomer") && removed.Moves.All(m => m.From == gone)
               && removed.Moved == keys.Count(k => before.Owner(k) == gone);
    }

    [Property(MaxTest = 30)]
    public bool Rendezvous_replicas_are_distinct_and_start_with_the_owner(byte n, byte r, int seed)
    {
        var p = new RendezvousPlacement(Data.Nodes(1 + n % 12));
        int rf = 1 + r % p.Nodes.Count;
        return Data.Keys(40, seed).All(k =>
        {
            var reps = p.Replicas(k, rf);
            return reps.Distinct().Count() == rf && reps[0] == p.Owner(k) && p.LookupSteps(k) == p.Nodes.Count;
        });
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_name()
    {
        Assert.Equal("nodes", Assert.Throws<ArgumentException>(() => new ModuloPlacement([])).ParamName);
        Assert.Equal("nodes", Assert.Throws<ArgumentException>(() => new JumpPlacement(["x", "x"])).ParamName);
        Assert.Equal("nodes", Assert.Throws<ArgumentException>(() => new RendezvousPlacement([""])).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => new RendezvousPlacement(["a"]).Replicas("k", 2)).ParamName);
        Assert.Equal("node", Assert.Throws<ArgumentException>(() => new ModuloPlacement(["a"]).WithoutNode("a")).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => new ModuloPlacement(["a"]).Owner(null!)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => new RendezvousPlacement(["a"]).Owner(null!)).ParamName);
        Assert.Equal("keys", Assert.Throws<ArgumentException>(() => MoveReport.Between([], new ModuloPlacement(["a"]), new ModuloPlacement(["a"]))).ParamName);
        Assert.Equal("before", Assert.Throws<ArgumentNullException>(() => MoveReport.Between(["k"], null!, new ModuloPlacement(["a"]))).ParamName);
    }
}

public sealed class LoadTests
{
    [Fact]
    public void Load_stats_of_known_values()
    {
        var s = LoadStats.Of(new double[] { 1, 2, 3, 6 });
        Assert.Equal((4, 12.0, 3.0, 1.0, 6.0), (s.Nodes, s.Total, s.Mean, s.Min, s.Max));
        Assert.Equal(2.0, s.MaxOverMean);
        Assert.Equal(0.5, s.MaxShare);
        Assert.Equal(Math.Sqrt(3.5) / 3, s.CoefficientOfVariation, 12);
        Assert.Equal("loads", Assert.Throws<ArgumentException>(() => LoadStats.Of(Array.Empty<double>())).ParamName);
        Assert.Equal("loads", Assert.Throws<ArgumentOutOfRangeException>(() => LoadStats.Of(new double[] { 1, -1 })).ParamName);
    }

    [Fact]
    public void Zipf_weights_are_normalized_and_decreasing()
    {
        var w = HotKeys.ZipfWeights(1000, 1.0);
        Assert.Equal(1.0, w.Sum(), 12);
        Assert.True(w.Zip(w.Skip(1)).All(p => p.First > p.Second));
        Assert.Equal(2.0, w[0] / w[1], 12);
        Assert.Equal("keys", Assert.Throws<ArgumentOutOfRangeException>(() => HotKeys.ZipfWeights(0, 1)).ParamName);
        Assert.Equal("exponent", Assert.Throws<ArgumentOutOfRangeException>(() => HotKeys.ZipfWeights(10, -1)).ParamName);
    }

    [Fact]
    public void Salting_splits_the_hottest_keys_and_keeps_the_total()
    {
        var keys = Data.Keys(100);
        var weights = HotKeys.ZipfWeights(100, 1.2);
        var (k2, w2) = HotKeys.Salt(keys, weights, hottest: 2, ways: 8);
        Assert.Equal(100 - 2 + 16, k2.Count);
        Assert.Equal(1.0, w2.Sum(), 12);
        Assert.Contains(keys[0] + "#7", k2);
        Assert.DoesNotContain(keys[0], k2);
        Assert.Equal(weights[0] / 8, w2[k2.ToList().IndexOf(keys[0] + "#3")], 15);
        Assert.Equal(["hot#0", "hot#1"], HotKeys.SubKeys("hot", 2));
        Assert.StartsWith("hot#", HotKeys.PickSubKey("hot", 4, new Random(1)));
        Assert.Equal("ways", Assert.Throws<ArgumentOutOfRangeException>(() => HotKeys.Salt(keys, weights, 1, 0)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => HotKeys.Salt(keys, weights.Take(5).ToArray(), 1, 2)).ParamName);
        Assert.Equal("hottest", Assert.Throws<ArgumentOutOfRangeException>(() => HotKeys.Salt(keys, weights, 101, 2)).ParamName);
    }

    [Fact]
    public void Loads_add_up_per_node()
    {
        var p = new ModuloPlacement(["a", "b", "c"]);
        var keys = Data.Keys(300);
        var loads = p.Loads(keys, keys.Select(_ => 1.0).ToArray());
        Assert.Equal(p.CountKeys(keys).ToDictionary(kv => kv.Key, kv => (double)kv.Value), loads);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => p.Loads(keys, new double[] { 1 })).ParamName);
    }
}
