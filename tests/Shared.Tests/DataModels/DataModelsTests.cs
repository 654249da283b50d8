using SystemDesign.DataModels;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.DataModels;

public sealed class SkipListTests
{
    [Fact]
    public void Matches_a_sorted_list_on_random_operations_ties_included()
    {
        var set = new SkipListSortedSet(seed: 3);
        var naive = new Dictionary<string, double>();
        foreach (var op in Leaderboard.RandomOps(5_000, 300, 5, seed: 11))
        {
            Leaderboard.Apply(set, op);
            if (op.Kind == "ZADD") naive[op.Member] = op.Value;
            else if (op.Kind == "ZINCRBY") naive[op.Member] = naive.GetValueOrDefault(op.Member) + op.Value;
            else naive.Remove(op.Member);
        }
        var order = naive.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(order.Select(kv => (kv.Key, kv.Value)), set.Range(0, -1));
        Assert.Equal(order.AsEnumerable().Reverse().Take(10).Select(kv => (kv.Key, kv.Value)), set.RevRange(0, 9));
        for (int i = 0; i < order.Count; i++)
        {
            Assert.Equal(i, set.Rank(order[i].Key));
            Assert.Equal(order.Count - 1 - i, set.RevRank(order[i].Key));
        }
        Assert.Null(set.Rank("nobody"));
        Assert.Empty(set.Range(5, 2));
        Assert.Equal(order.Count >= 3 ? 3 : order.Count, set.Range(-3, -1).Count);
    }

    [Fact]
    public void Ties_are_ordered_by_member_bytes()
    {
        var set = new SkipListSortedSet();
        set.Add("b", 1); set.Add("a", 1); set.Add("B", 1); set.Add("c", 0);
        Assert.Equal(new[] { "c", "B", "a", "b" }, set.Range(0, -1).Select(e => e.Member));
        Assert.Equal(new[] { "b", "a", "B", "c" }, set.RevRange(0, -1).Select(e => e.Member));
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SkipListSortedSet().Add("x", double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Leaderboard.RandomOps(0, 1, 1, 1));
    }

    [SkippableFact]
    public void Agrees_with_a_real_Redis_sorted_set()
    {
        using var redis = RealSystem.RequireRedis();
        var r = Leaderboard.CompareWithRedis(redis.GetDatabase(), "test:nb19:zset",
            Leaderboard.RandomOps(3_000, 400, 8, seed: 5));
        Assert.Equal(0, r.RankMismatches + r.RangeMismatches + r.ReplyMismatches);
        Assert.True(r.TiedMembers > 0);
    }
}

public sealed class GorillaTests
{
    [Theory]
    [InlineData("constant")]
    [InlineData("smooth")]
    [InlineData("counter")]
    [InlineData("random")]
    public void Round_trips_exactly(string kind)
    {
        var series = Gorilla.Series(kind, 2_000, 60, seed: 4, jitterProbability: 0.1);
        var (data, size) = Gorilla.Encode(series);
        Assert.Equal(series, Gorilla.Decode(data, series.Count));
        Assert.Equal(size.Bytes, data.Length);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(64, 9)]
    [InlineData(-63, 9)]
    [InlineData(-64, 12)]
    [InlineData(65, 12)]
    [InlineData(256, 12)]
    [InlineData(-256, 16)]
    [InlineData(2048, 16)]
    [InlineData(2049, 36)]
    public void Timestamp_buckets_follow_the_paper(long dod, int bits)
    {
        Assert.Equal(bits, Gorilla.TimestampBits(dod));
        var s = new List<Sample> { new(1000, 1), new(2000, 1), new(3000 + dod, 1) };
        var (data, size) = Gorilla.Encode(s);
        Assert.Equal(16 + bits, size.TimestampBits);  // first delta 1000 as a delta of delta from 0: 16 bits
        Assert.Equal(s, Gorilla.Decode(data, 3));
    }

    [Fact]
    public void Special_doubles_round_trip()
    {
        var values = new[] { 0.0, -0.0, double.NaN, double.PositiveInfinity, double.Epsilon, -1e308, 1.5 };
        var s = values.Select((v, i) => new Sample(i * 10 + 1, v)).ToList();
        var (data, _) = Gorilla.Encode(s);
        var back = Gorilla.Decode(data, s.Count);
        Assert.Equal(s.Select(x => BitConverter.DoubleToInt64Bits(x.Value)), back.Select(x => BitConverter.DoubleToInt64Bits(x.Value)));
    }
}

public sealed class GraphTests
{
    [Fact]
    public void Bfs_and_recursive_cte_reach_the_same_frontiers()
    {
        var g = SocialGraph.Random(2_000, 6, seed: 2);
        using var db = Servers.Sqlite();
        g.Load(db, "t_edges");
        var (bfs, _) = g.Bfs(0, 4);
        var (cte, rows) = SocialGraph.RecursiveCte(db, "t_edges", 0, 4);
        Assert.Equal(bfs, cte);
        Assert.Equal(g.Walks(0, 3), SocialGraph.WalksCte(db, "t_edges", 0, 3));
        Assert.True(rows[3] >= cte[3]);
    }

    [Fact]
    public void The_planted_ring_is_the_only_cycle()
    {
        var t = TransferGraph.Random(500, 1_000, 4, seed: 9);
        Assert.Equal(t.PlantedRing.OrderBy(x => x), t.AccountsOnCycles(5).OrderBy(x => x));
        using var db = Servers.Sqlite();
        Assert.Equal(t.PlantedRing.OrderBy(x => x), t.AccountsOnCyclesSql(db, "t_tx", 5).OrderBy(x => x));
    }
}

public sealed class SingleTableTests
{
    [Fact]
    public void Queries_return_what_a_filtered_scan_returns_for_less()
    {
        var t = SingleTable.ECommerce(50, 4, 3, seed: 1);
        var (q, qc) = t.Query("USER#7", "ORDER#");
        var (s, sc) = t.Scan(i => i.PK == "USER#7" && i.SK.StartsWith("ORDER#"));
        Assert.Equal(s.Select(i => i.SK).OrderBy(x => x, StringComparer.Ordinal), q.Select(i => i.SK));
        Assert.Equal(4, q.Count);
        Assert.True(qc.ReadCapacityUnits < sc.ReadCapacityUnits);
        var (g, _) = t.QueryIndex("STATUS#SHIPPED");
        Assert.Equal(t.Items.Count(i => i.GSI1PK == "STATUS#SHIPPED"), g.Count);
        Assert.Throws<ArgumentException>(() => t.Query(""));
    }
}

public sealed class DecisionTreeTests
{
    [Fact]
    public void Every_path_is_reached_by_its_witness_and_every_workload_lands_on_a_path()
    {
        var paths = DatabaseDecisionTree.AllPaths();
        foreach (var (leaf, witness) in paths)
            Assert.Equal(leaf.PathText, DatabaseDecisionTree.Recommend(witness).PathText);
        var texts = paths.Select(p => p.Leaf.PathText).ToHashSet();
        Assert.All(DatabaseDecisionTree.AllWorkloads(), w => Assert.Contains(DatabaseDecisionTree.Recommend(w).PathText, texts));
        Assert.Equal(paths.Count, DatabaseDecisionTree.AllWorkloads().Select(w => DatabaseDecisionTree.Recommend(w).PathText).Distinct().Count());
    }
}
