using SystemDesign.Caching;

namespace SystemDesign.Tests.Caching;

/// <summary>Hand-traced request sequences for each policy, and exact results on seeded traces.</summary>
public sealed class EvictionPolicyTests
{
    private static bool[] Replay(IEvictionPolicy policy, params int[] keys) => keys.Select(policy.Access).ToArray();

    private static bool[] Pattern(string hm) => hm.Select(c => c == 'H').ToArray();

    [Fact]
    public void Create_builds_each_named_policy_with_its_capacity_and_seed()
    {
        Assert.Equal(["LRU", "LFU (decay)", "ARC", "sampled LRU k=5", "SIEVE"], Eviction.Policies);
        Assert.IsType<Lru>(Eviction.Create("LRU", 3));
        Assert.IsType<LfuWithDecay>(Eviction.Create("LFU (decay)", 3));
        Assert.IsType<Arc>(Eviction.Create("ARC", 3));
        Assert.IsType<Sieve>(Eviction.Create("SIEVE", 3));
        foreach (var name in Eviction.Policies)
        {
            var p = Eviction.Create(name, 7);
            Assert.Equal(name, p.Name);
            Assert.Equal(7, p.Capacity);
            Assert.Equal(0, p.Count);
        }
        var sampled = Assert.IsType<SampledLru>(Eviction.Create("sampled LRU k=12", 9));
        Assert.Equal(12, sampled.Samples);
        Assert.Equal("sampled LRU k=12", sampled.Name);
        var trace = Workloads.Zipf(100, 0.8, 3000, seed: 4);
        // k = 1 is random eviction: the seed decides which key goes, so it shows in the hit pattern.
        Assert.Equal(Replay(new SampledLru(10, 1, seed: 9), trace), Replay(Eviction.Create("sampled LRU k=1", 10, seed: 9), trace));
        Assert.NotEqual(Replay(new SampledLru(10, 1, seed: 9), trace), Replay(Eviction.Create("sampled LRU k=1", 10, seed: 1), trace));
        Assert.Equal(Replay(new SampledLru(10, 1, seed: 1), trace), Replay(Eviction.Create("sampled LRU k=1", 10), trace));
    }

    [Fact]
    public void Hit_ratio_counts_after_the_warmup_and_only_the_counted_keys()
    {
        int[] trace = [1, 2, 1, 3, 2, 1]; // LRU(2): M M H M(evicts 2) M(evicts 1) M(evicts 3)
        Assert.Equal(0.25, Eviction.HitRatio(new Lru(2), trace, warmup: 2));
        Assert.Equal(1.0 / 6, Eviction.HitRatio(new Lru(2), trace), 12);
        Assert.Equal(1.0 / 3, Eviction.HitRatio(new Lru(2), trace, 2, k => k != 3), 12);
        Assert.Equal(0.5, Eviction.HitRatio(new Lru(2), trace, 2, k => k == 1));
        Assert.Equal(1.0, Eviction.HitRatio(new Lru(1), [7, 7], warmup: 1));
    }

    [Fact]
    public void Batch_means_give_the_mean_and_the_spread_over_root_batches()
    {
        // LRU(1): the warm-up leaves key 1 cached; batch 1 is ten hits on 1, batch 2 alternates 2, 3: all misses.
        int[] trace = [9, 1, .. Enumerable.Repeat(1, 10), .. Enumerable.Range(0, 10).Select(i => 2 + i % 2), 4]; // 1 left over
        var (ratio, se) = Eviction.HitRatioWithStdErr(new Lru(1), trace, warmup: 2, batches: 2);
        Assert.Equal(0.5, ratio, 12);
        Assert.Equal(0.5 / Math.Sqrt(2), se, 12);
        var zipf = Workloads.Zipf(50, 0.9, 2000, seed: 5);
        var (r5, se5) = Eviction.HitRatioWithStdErr(new Lru(10), zipf, 100, 5);
        Assert.Equal(0.4373684210526315, r5, 12);
        Assert.Equal(0.0077495420291814575, se5, 12);
    }

    [Fact]
    public void Hit_ratio_over_seeds_is_the_mean_and_standard_error_of_independent_traces()
    {
        var ratios = Enumerable.Range(1, 3).Select(seed =>
            Eviction.HitRatio(new Lru(10), Workloads.Zipf(50, 0.9, 1000, seed), 100)).ToArray();
        var (mean, se) = Eviction.HitRatioOverSeeds("LRU", 10, 50, 0.9, 1000, 100, 3);
        Assert.Equal(ratios.Average(), mean, 12);
        Assert.Equal(SystemDesign.Notebook.Stats.StdDev(ratios) / Math.Sqrt(3), se, 12);
        Assert.Equal(0.4318518518518519, mean, 12);
        Assert.Equal(0.008402320754159783, se, 12);
        var sampled = Enumerable.Range(1, 2).Select(seed =>
            Eviction.HitRatio(new SampledLru(10, 1, seed), Workloads.Zipf(50, 0.9, 1000, seed), 100)).Average();
        Assert.Equal(sampled, Eviction.HitRatioOverSeeds("sampled LRU k=1", 10, 50, 0.9, 1000, 100, 2).Mean, 12);
    }

    [Fact]
    public void Ches_approximation_is_exact_where_it_can_be_solved_by_hand()
    {
        // Uniform popularity: T solves n(1 − e^(−T/n)) = C, and the hit ratio is C/n.
        Assert.Equal(0.3, Eviction.CheLruHitRatio(Enumerable.Repeat(0.1, 10).ToArray(), 3), 9);
        Assert.Equal(0.9, Eviction.CheLruHitRatio(Enumerable.Repeat(0.1, 10).ToArray(), 9), 9);
        // p = (3/4, 1/4), C = 1: with x = e^(−T/4), x³ + x = 1 and the hit ratio is 1/4 + x/2.
        double x = 0.6823278038280193;
        Assert.Equal(0.25 + x / 2, Eviction.CheLruHitRatio([0.75, 0.25], 1), 9);
        Assert.Equal(0.4453888130009218, Eviction.CheLruHitRatio(new ZipfSampler(50, 0.9).Weights, 10), 9);
    }

    [Fact]
    public void Static_optimal_sums_the_most_popular_keys()
    {
        Assert.Equal(1.0, Eviction.StaticOptimalHitRatio([0.1, 0.5, 0.2, 0.2], 4), 12);
        Assert.Equal(0.5, Eviction.StaticOptimalHitRatio([0.1, 0.5, 0.2, 0.2], 1), 12);
    }

    [Fact]
    public void Lfu_evicts_the_fewest_hits_and_among_equals_the_least_recent()
    {
        var lfu = new LfuWithDecay(2, decayEvery: 1000);
        Assert.Equal(Pattern("MHHMMHMM"), Replay(lfu, 1, 1, 1, 2, 3, 1, 2, 3));
        Assert.Equal(2, lfu.Count);
        // 1 and 2 both have two hits; 1 was used last, so 3 evicts 2 (a hit refreshes the recency stamp).
        Assert.Equal(Pattern("MMHHMHM"), Replay(new LfuWithDecay(2, 1000), 1, 2, 2, 1, 3, 1, 2));
        Assert.Equal(Pattern("MMMHMMH"), Replay(new LfuWithDecay(2, 1000), 1, 2, 3, 2, 1, 3, 2));
    }

    [Fact]
    public void Lfu_halves_every_count_each_decay_period_so_an_old_favourite_can_leave()
    {
        Assert.Equal(30, new LfuWithDecay(3).DecayEvery);
        Assert.Equal(5, new LfuWithDecay(3, 5).DecayEvery);
        // Period 4: at the 4th request key 1's count 3 halves to 1, older than key 2's, so key 3 evicts key 1.
        Assert.Equal(Pattern("MHHMMM"), Replay(new LfuWithDecay(2, 4), 1, 1, 1, 2, 3, 1));
        Assert.Equal(Pattern("MHHMMH"), Replay(new LfuWithDecay(2, 1000), 1, 1, 1, 2, 3, 1));
        // Period 6: count 4 halves to 2 and count 1 stays 1 (never 0), so key 1 survives two newcomers.
        Assert.Equal(Pattern("MHHHMMMH"), Replay(new LfuWithDecay(2, 6), 1, 1, 1, 1, 2, 3, 2, 1));
        var trace = Workloads.Zipf(50, 0.9, 2000, seed: 5);
        Assert.Equal(0.5484210526315789, Eviction.HitRatio(new LfuWithDecay(10), trace, 100), 12);
        Assert.Equal(0.4373684210526316, Eviction.HitRatio(new LfuWithDecay(10, 7), trace, 100), 12);
    }

    [Fact]
    public void Sieve_moves_its_hand_towards_the_head_and_wraps_to_the_tail()
    {
        var sieve = new Sieve(3);
        Assert.Equal(Pattern("MMMHHMMHMMHH"), Replay(sieve, 1, 2, 3, 1, 2, 4, 3, 2, 5, 4, 2, 5));
        Assert.Equal(3, sieve.Count);
        // Both keys visited: the hand clears both, wraps to the tail and evicts key 1.
        Assert.Equal(Pattern("MMHHMHMM"), Replay(new Sieve(2), 1, 2, 1, 2, 3, 2, 1, 3));
        Assert.Equal(0.5442105263157895, Eviction.HitRatio(new Sieve(10), Workloads.Zipf(50, 0.9, 2000, seed: 5), 100), 12);
    }

    [Fact]
    public void Arc_moves_its_target_on_ghost_hits()
    {
        var arc = new Arc(2);
        int[] keys = [1, 1, 2, 3, 2, 1, 2, 1, 3, 1, 2, 3];
        string expected = "MHMMMMHHMHMM";
        double[] targets = [0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0];
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(expected[i] == 'H', arc.Access(keys[i]));
            Assert.Equal(targets[i], arc.TargetRecent);
            Assert.True(arc.Count <= 2);
        }
        Assert.Equal(2, arc.Count);
        // A scan of new keys through a full T1 drops them without ghosts: 1 is gone for good.
        Assert.Equal(Pattern("MMMMM"), Replay(new Arc(2), 1, 2, 3, 1, 2));
    }

    [Fact]
    public void Arc_on_a_seeded_trace_gives_its_exact_hit_ratio_and_target()
    {
        var arc = new Arc(10);
        Assert.Equal(0.48210526315789476, Eviction.HitRatio(arc, Workloads.Zipf(50, 0.9, 2000, seed: 5), 100), 12);
        Assert.Equal(4, arc.TargetRecent);
        var scan = new Arc(20);
        var trace = Workloads.ShiftingHotSet(200, 1.0, 4000, 500, 37, seed: 6);
        double pSum = 0;
        int hits = 0;
        foreach (int k in trace) { if (scan.Access(k)) hits++; pSum += scan.TargetRecent; Assert.InRange(scan.TargetRecent, 0, 20); }
        Assert.Equal(ArcHits, hits);
        Assert.Equal(ArcTargetSum, pSum, 9);
    }

    private const int ArcHits = 2026;
    private const double ArcTargetSum = 12587.031746031751;

    [Fact]
    public void Sampled_lru_with_enough_samples_evicts_exactly_like_lru()
    {
        var trace = Workloads.Zipf(20, 0.8, 3000, seed: 7);
        var lru = Replay(new Lru(4), trace);
        Assert.Equal(lru, Replay(new SampledLru(4, 64), trace));
        Assert.Equal(lru, Replay(new SampledLru(4, 64, poolSize: 0), trace));
        Assert.Equal(lru, Replay(new SampledLru(4, 64, poolSize: 1), trace));
        var s = new SampledLru(4, 64);
        Replay(s, trace);
        Assert.Equal(4, s.Count);
        Assert.Equal(4, s.Capacity);
        Assert.Equal(64, s.Samples);
        Assert.Equal("sampled LRU k=64", s.Name);
    }

    [Fact]
    public void Sampled_lru_results_are_a_pure_function_of_seed_samples_and_pool()
    {
        var trace = Workloads.Zipf(50, 0.9, 2000, seed: 5);
        Assert.Equal(0.4363157894736842, Eviction.HitRatio(new SampledLru(10, 5), trace, 100), 12);
        Assert.Equal(0.40421052631578946, Eviction.HitRatio(new SampledLru(10, 1, poolSize: 0), trace, 100), 12);
        Assert.Equal(SampledPool2, Eviction.HitRatio(new SampledLru(10, 3, poolSize: 2), trace, 100), 12);
        Assert.Equal(SampledNaive3, Eviction.HitRatio(new SampledLru(10, 3, poolSize: 0), trace, 100), 12);
        Assert.Equal(0.4373684210526316, Eviction.HitRatio(new Lru(10), trace, 100), 12);
    }

    private const double SampledPool2 = 0.4357894736842105, SampledNaive3 = 0.4284210526315789;

    [Fact]
    public void Lru_map_refreshes_on_read_and_on_overwrite_and_evicts_the_least_recent()
    {
        var map = new LruMap<string, int>(2);
        Assert.False(map.TryGet("a", out int missing));
        Assert.Equal(0, missing);
        map.Set("a", 1);
        map.Set("b", 2);
        Assert.True(map.TryGet("a", out int a));
        Assert.Equal(1, a);
        map.Set("c", 3); // evicts b
        Assert.False(map.TryGet("b", out _));
        map.Set("a", 10); // overwrite: no eviction, a becomes most recent
        Assert.Equal(2, map.Count);
        map.Set("d", 4); // evicts c
        Assert.False(map.TryGet("c", out _));
        Assert.True(map.TryGet("a", out int a2));
        Assert.Equal(10, a2);
        Assert.True(map.TryGet("d", out int d));
        Assert.Equal(4, d);
        Assert.Equal(2, map.Capacity);
        var lru = new Lru(3);
        Assert.Equal(3, lru.Capacity);
        Assert.Equal("LRU", lru.Name);
    }
}
