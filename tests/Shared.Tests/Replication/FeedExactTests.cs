using System.Reflection;
using StackExchange.Redis;
using SystemDesign.Replication;

namespace SystemDesign.Tests.Replication;

/// <summary>
/// Exact feeds, counters and draws of the feed side: hand-made graphs small enough to follow every post, the
/// seeded graph and workload generators against their own draws, and the Redis push run against an in-memory
/// sorted-set server that implements the five commands it sends.
/// </summary>
public sealed class FeedExactTests
{
    // 0 is followed by 1 and 2; 1 by 0; 2 by nobody. Follower counts 2, 1, 0.
    private static readonly FollowerGraph Small = new([[1, 2], [0], []]);

    [Fact]
    public void Followees_list_authors_in_order_and_fractions_count_users_with_enough_followers()
    {
        var g = new FollowerGraph([[2], [2], [], [0, 1, 2]]);
        Assert.Equal(new[] { 0, 1, 3 }, g.Followees(2));
        Assert.Equal(new[] { 3 }, g.Followees(0));
        Assert.Empty(g.Followees(3));
        Assert.Equal((4, 5L), (g.Users, g.Edges));
        Assert.Equal(0.75, g.FractionWithAtLeast(1));
        Assert.Equal(0.25, g.FractionWithAtLeast(2));
        Assert.Equal(0, g.FractionWithAtLeast(4));
        Assert.Equal(1, g.FractionWithAtLeast(0));
    }

    [Fact]
    public void A_power_law_graph_is_the_seeds_pareto_counts_with_followers_from_a_partial_shuffle()
    {
        const int users = 30, m = 2;
        const double alpha = 1.2;
        var g = FollowerGraph.PowerLaw(users, alpha, m, 4);
        var rng = new Random(4);
        var pool = Enumerable.Range(0, users).ToArray();
        for (int a = 0; a < users; a++)
        {
            int count = (int)Math.Min(users - 1, Math.Floor(m * Math.Pow(1 - rng.NextDouble(), -1 / alpha)));
            var chosen = new List<int>();
            for (int k = 0; chosen.Count < count; k++)
            {
                int j = k + rng.Next(users - k);
                (pool[k], pool[j]) = (pool[j], pool[k]);
                if (pool[k] != a) chosen.Add(pool[k]);
            }
            Assert.Equal(chosen, g.Followers(a));
        }
        Assert.True(Enumerable.Range(0, users).Max(g.FollowerCount) > m);
        Assert.All(Enumerable.Range(0, users), a => Assert.True(g.FollowerCount(a) >= m));
        // m = users − 1: everyone follows everyone else; m = 0: nobody follows anybody.
        Assert.Equal(12, FollowerGraph.PowerLaw(4, 5, 3, 1).Edges);
        Assert.Equal(0, FollowerGraph.PowerLaw(4, 0.5, 0, 1).Edges);
        Assert.Equal(1_000_000, FollowerGraph.PowerLaw(1_000_000, 5, 0, 1).Users);
    }

    [Fact]
    public void A_workload_is_each_users_poisson_posts_then_reads_merged_in_time_order()
    {
        var w = new FeedWorkload { Days = 3, ReadsPerUserPerDay = 1.5, PostsPerDay = 0.7, PostRateExponent = 0.5, Seed = 6 };
        var events = w.Generate(Small);
        var rng = new Random(6);
        var expected = new List<FeedEvent>();
        void Add(double rate, FeedEventKind kind, int u)
        {
            for (double t = -Math.Log(1 - rng.NextDouble()) / rate; t < 3; t += -Math.Log(1 - rng.NextDouble()) / rate)
                expected.Add(new FeedEvent(t, kind, u));
        }
        for (int u = 0; u < 3; u++)
        {
            Add(0.7 * Math.Pow(1 + Small.FollowerCount(u), 0.5), FeedEventKind.Post, u);
            Add(1.5, FeedEventKind.Read, u);
        }
        Assert.True(expected.Count > 10);
        Assert.Equal(expected.OrderBy(e => e.Time), events);
        Assert.Contains(events, e => e.Kind == FeedEventKind.Post);
        // No posts at all: only the reads, drawn from the same seed.
        var readsOnly = (w with { PostsPerDay = 0 }).Generate(Small);
        Assert.All(readsOnly, e => Assert.Equal(FeedEventKind.Read, e.Kind));
        Assert.NotEmpty(readsOnly);
        // Bounds of each setting are accepted.
        Assert.NotNull((w with { Days = 1e-6 }).Generate(Small));
        Assert.NotNull((w with { Days = 3650, ReadsPerUserPerDay = 1, PostsPerDay = 0 }).Generate(Small));
        Assert.NotNull((w with { Days = 1e-6, ReadsPerUserPerDay = 1e5, PostsPerDay = 1e5 }).Generate(Small));
        Assert.NotNull((w with { Days = 1e-6, PostRateExponent = 2 }).Generate(Small));
        Assert.NotNull((w with { PostRateExponent = 0 }).Generate(Small));
    }

    [Fact]
    public void The_event_cap_counts_reads_and_posts_and_accepts_exactly_five_million()
    {
        // 1000 users × 1000 reads/day × 5 days = 5,000,000 reads; posts 0.
        var g = new FollowerGraph(Enumerable.Range(0, 1000).Select(_ => Array.Empty<int>()).ToArray());
        var w = new FeedWorkload { Days = 5, ReadsPerUserPerDay = 1000, PostsPerDay = 0 };
        var ex = Assert.Throws<ArgumentException>(() => (w with { Days = 5.001 }).Generate(g));
        Assert.Equal("Days", ex.ParamName);
        Assert.StartsWith("the workload would hold about ", ex.Message);
        Assert.Contains(" events; keep it at most 5,000,000.", ex.Message);
        // The posts count too: 1000 users × 1 post/day × 5 days on top of the reads.
        Assert.Equal("Days", Assert.Throws<ArgumentException>(
            () => (w with { Days = 4.996, PostsPerDay = 1, PostRateExponent = 0 }).Generate(g)).ParamName);
    }

    [Fact]
    public void Expected_cost_without_any_pushed_author_is_the_pull_fetches_alone()
    {
        var w = new FeedWorkload { Days = 2, ReadsPerUserPerDay = 3 };
        // Threshold 1: authors 0 and 1 are pulled, 2 (no followers) pushes to nobody. Users 1 and 2 pull 0, 0 pulls 1.
        var (mean, sd) = w.ExpectedCost(Small, 1, writeCost: 5, fetchCost: 2);
        Assert.Equal(2 * 6 * (1 + 1) * 3, mean, 12);                            // 3 users × 6 reads × 2 × (home + 1)
        Assert.Equal(Math.Sqrt(3 * 6 * 4.0 * 4), sd, 12);
        // Pure push: each read fetches its home timeline; author a pushes 0.1·√(1 + f)·2 posts to f followers.
        var (push, _) = w.ExpectedCost(Small, int.MaxValue);
        Assert.Equal(3 * 6 + 2 * 0.1 * Math.Sqrt(3) * 2 + 1 * 0.1 * Math.Sqrt(2) * 2, push, 12);
        Assert.Equal(0.1 * Math.Sqrt(1), w.PostRate(0), 12);
    }

    [Fact]
    public void A_hybrid_feed_merges_the_home_timeline_with_pulled_celebrities_and_counts_the_items_read()
    {
        // Threshold 2: author 0 (2 followers) is a celebrity and is pulled; author 1 pushes to 0.
        var sim = new FeedSimulator(Small, 2, feedSize: 3, timelineCap: 3);
        Assert.True(sim.IsCelebrity(0));
        Assert.False(sim.IsCelebrity(1));
        Assert.Equal(0, sim.Post(0));
        Assert.Equal(1, sim.Post(1));
        Assert.Equal(2, sim.Post(0));
        Assert.Equal(new FeedCounts(3, 0, 1, 0, 0), sim.Counts);                // one push: 1 → 0
        Assert.Equal(new long[] { 1 }, sim.Read(0));                            // home only: 0 follows 1
        Assert.Equal(new long[] { 2, 0 }, sim.Read(1));                         // home (empty) + pulled 0
        // Reads: 2, fetches: home + home + own(0), items: 1 + 0 + 2.
        Assert.Equal(new FeedCounts(3, 2, 1, 3, 3), sim.Counts);
        Assert.Equal(1, sim.TimelineLength(0));
        Assert.Equal(0, sim.TimelineLength(1));

        // Pure pull: no home timeline fetch, only the followees' own lists.
        var pull = new FeedSimulator(Small, 0, feedSize: 3, timelineCap: 3);
        pull.Post(1);
        pull.Post(0);
        Assert.Equal(new long[] { 1 }, pull.Read(2));                           // 2 and 1 pull 0, 0 pulls 1
        Assert.Equal(new long[] { 1 }, pull.Read(1));
        Assert.Equal(new long[] { 0 }, pull.Read(0));
        Assert.Equal(new FeedCounts(2, 3, 0, 3, 3), pull.Counts);
    }

    [Fact]
    public void A_timeline_keeps_the_newest_entries_past_twice_its_cap_and_a_feed_its_newest_items()
    {
        var sim = new FeedSimulator(Small, int.MaxValue, feedSize: 2, timelineCap: 3);
        var ids = Enumerable.Range(0, 9).Select(_ => sim.Post(1)).ToArray();  // all pushed to user 0
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), ids);
        Assert.Equal(3, sim.TimelineLength(0));
        Assert.Equal(new long[] { 8, 7 }, sim.Read(0));
        Assert.Equal(new FeedCounts(9, 1, 9, 1, 2), sim.Counts);
        // A feed as large as the list takes all of it, newest first.
        var one = new FeedSimulator(Small, int.MaxValue, feedSize: 3, timelineCap: 3);
        one.Post(1);
        one.Post(1);
        one.Post(1);
        Assert.Equal(new long[] { 2, 1, 0 }, one.Read(0));
        // The merge of two lists, with a list holding more than the feed: only its newest entries count.
        var mix = new FeedSimulator(new FollowerGraph([[2], [2], []]), 1, feedSize: 2, timelineCap: 2);
        mix.Post(0);
        mix.Post(0);
        mix.Post(1);
        mix.Post(0);
        Assert.Equal(new long[] { 3, 2 }, mix.Read(2));
        Assert.Equal(new FeedCounts(4, 1, 0, 3, 3), mix.Counts);            // home + two lists
        var run = FeedSimulator.Run(Small, [new(0, FeedEventKind.Post, 1), new(1, FeedEventKind.Read, 0)], 7, 2, 3);
        Assert.Equal(7, run.Threshold);
        Assert.Equal(new FeedCounts(1, 1, 1, 1, 1), run.Counts);
        Assert.Equal(new[] { FeedSimulator.Hash(new long[] { 0 }) }, run.FeedHashes);
    }

    [Fact]
    public void The_cheapest_threshold_is_the_first_with_the_least_cost()
    {
        var events = new FeedEvent[] { new(0, FeedEventKind.Post, 0), new(0, FeedEventKind.Read, 1) };
        var model = new FanoutCostModel(Small, events);
        // Threshold 0: 1 fetch (1 pulls 0); 1: home + 0 = 2; 2: same; 3: push 0 to 2 followers + home = 3; push: 3.
        Assert.Equal(new[] { 1.0, 2, 2, 3, 3 }, model.CandidateThresholds().Select(t => model.Cost(t)));
        Assert.Equal((0, 1.0), model.Best());
        Assert.Equal((0, 10.0), model.Best(writeCost: 0.1, fetchCost: 10));   // pushing costs 0.2 + 10
    }

    private static string Name(object? key) => ((RedisKey)key!).ToString();

    /// <summary>Sorted sets in memory: ZADD, ZREMRANGEBYRANK, ZRANGE … REV, ZCARD and DEL as RunPush sends them.</summary>
    public class SortedSetServer : DispatchProxy
    {
        public Dictionary<string, SortedDictionary<double, long>> Sets { get; } = [];
        public List<int> DeleteBatches { get; } = [];

        private SortedDictionary<double, long> Set(object? key)
        {
            string k = Name(key);
            if (!Sets.TryGetValue(k, out var s)) Sets[k] = s = [];
            return s;
        }

        protected override object? Invoke(MethodInfo? m, object?[]? a)
        {
            switch (m!.Name)
            {
                case "KeyDelete":
                    var keys = (RedisKey[])a![0]!;
                    DeleteBatches.Add(keys.Length);
                    return (long)keys.Count(k => Sets.Remove(k.ToString()));
                case "SortedSetAddAsync":
                    Set(a![0]).Add((double)a[2]!, (long)(RedisValue)a[1]!);
                    return Task.FromResult(true);
                case "SortedSetRemoveRangeByRankAsync":
                {
                    var s = Set(a![0]);
                    long start = (long)a[1]!, stop = (long)a[2]!;
                    if (stop < 0) stop += s.Count;
                    var gone = s.Keys.Where((_, rank) => rank >= start && rank <= stop).ToArray();
                    foreach (var score in gone) s.Remove(score);
                    return Task.FromResult((long)gone.Length);
                }
                case "SortedSetRangeByRankAsync":
                {
                    Assert.Equal(Order.Descending, (Order)a![3]!);
                    var s = Set(a[0]);
                    long stop = (long)a[2]!;
                    Assert.Equal(0L, (long)a[1]!);
                    return Task.FromResult(s.Values.Reverse().Take((int)stop + 1).Select(v => (RedisValue)v).ToArray());
                }
                case "SortedSetLengthAsync":
                    return Task.FromResult((long)Set(a![0]).Count);
                default:
                    throw new NotSupportedException(m.Name);
            }
        }
    }

    [Fact]
    public void A_redis_push_run_returns_the_simulators_feeds_trims_timelines_and_deletes_them_after()
    {
        var db = DispatchProxy.Create<IDatabase, SortedSetServer>();
        var server = (SortedSetServer)(object)db;
        var graph = FollowerGraph.PowerLaw(40, 1.1, 2, 3);
        var events = new FeedWorkload { Days = 4, ReadsPerUserPerDay = 2, PostsPerDay = 1, Seed = 2 }.Generate(graph);
        var run = RedisTimelines.RunPush(db, "t:", graph, events, feedSize: 3, timelineCap: 4);
        var sim = FeedSimulator.Run(graph, events, int.MaxValue, feedSize: 3, timelineCap: 4);
        Assert.Equal(sim.Counts.Posts, run.Posts);
        Assert.Equal(sim.Counts.TimelineWrites, run.TimelineWrites);
        Assert.Equal(sim.FeedHashes, run.FeedHashes);
        var push = new FeedSimulator(graph, int.MaxValue, 3, 4);
        foreach (var e in events.Where(e => e.Kind == FeedEventKind.Post)) push.Post(e.User);
        Assert.Equal(Enumerable.Range(0, 40).Select(u => (long)push.TimelineLength(u)), run.TimelineLengths);
        Assert.Contains(4L, run.TimelineLengths);
        Assert.Empty(server.Sets);                                              // deleted at the end
        Assert.Equal(new[] { 40, 40 }, server.DeleteBatches);                   // before and after

        // Deletes go in batches of 1000 keys, the last one partial; none for no users.
        server.DeleteBatches.Clear();
        RedisTimelines.Delete(db, "t:", 2001);
        Assert.Equal(new[] { 1000, 1000, 1 }, server.DeleteBatches);
        RedisTimelines.Delete(db, "t:", 1000);
        Assert.Equal(new[] { 1000, 1000, 1, 1000 }, server.DeleteBatches);
        RedisTimelines.Delete(db, "t:", 0);
        Assert.Equal(4, server.DeleteBatches.Count);
        var reads = Enumerable.Repeat(new FeedEvent(0, FeedEventKind.Read, 0), 200_000).ToArray();
        Assert.Equal(200_000, RedisTimelines.RunPush(db, "t:", graph, reads).FeedHashes.Count);   // the cap itself
    }

    [Fact]
    public void A_redis_run_keys_timelines_under_its_prefix()
    {
        var db = DispatchProxy.Create<IDatabase, KeyRecorder>();
        var keys = ((KeyRecorder)(object)db).Keys;
        RedisTimelines.RunPush(db, "p:", Small, [new(0, FeedEventKind.Post, 1), new(0, FeedEventKind.Read, 2)], 1, 1);
        Assert.Equal(new[] { "p:tl:0", "p:tl:1", "p:tl:2" }, keys["KeyDelete"].Distinct());
        Assert.Equal(new[] { "p:tl:0" }, keys["SortedSetAddAsync"]);
        Assert.Equal(new[] { "p:tl:0" }, keys["SortedSetRemoveRangeByRankAsync"]);
        Assert.Equal(new[] { "p:tl:2" }, keys["SortedSetRangeByRankAsync"]);
        Assert.Equal(new[] { "p:tl:0", "p:tl:1", "p:tl:2" }, keys["SortedSetLengthAsync"]);
    }

    /// <summary>Records the keys of every call and answers with empty results.</summary>
    public class KeyRecorder : DispatchProxy
    {
        public Dictionary<string, List<string>> Keys { get; } = [];

        protected override object? Invoke(MethodInfo? m, object?[]? a)
        {
            if (!Keys.TryGetValue(m!.Name, out var list)) Keys[m.Name] = list = [];
            if (a![0] is RedisKey[] many) list.AddRange(many.Select(k => k.ToString()));
            else list.Add(Name(a[0]));
            return m.Name switch
            {
                "KeyDelete" => 0L,
                "SortedSetAddAsync" => Task.FromResult(true),
                "SortedSetRangeByRankAsync" => Task.FromResult(Array.Empty<RedisValue>()),
                _ => Task.FromResult(0L),
            };
        }
    }
}
