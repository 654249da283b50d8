using SystemDesign.DataModels;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.DataModels;

public sealed class LeaderboardExactTests
{
    [Fact]
    public void Random_ops_mix_60_percent_zadd_30_zincrby_10_zrem_over_tied_scores()
    {
        var ops = Leaderboard.RandomOps(10_000, 50, 5, seed: 3);
        Assert.Equal(10_000, ops.Count);
        var byKind = ops.GroupBy(o => o.Kind).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(new[] { "ZADD", "ZINCRBY", "ZREM" }, byKind.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.InRange(byKind["ZADD"].Count, 5_800, 6_200);
        Assert.InRange(byKind["ZINCRBY"].Count, 2_800, 3_200);
        Assert.InRange(byKind["ZREM"].Count, 850, 1_150);
        Assert.Equal(new[] { 0.0, 10, 20, 30, 40 }, byKind["ZADD"].Select(o => o.Value).Distinct().OrderBy(v => v));
        Assert.Equal(new[] { -10.0, 0, 10 }, byKind["ZINCRBY"].Select(o => o.Value).Distinct().OrderBy(v => v));
        Assert.All(byKind["ZREM"], o => Assert.Equal(0, o.Value));
        var members = Enumerable.Range(0, 50).Select(i => "player:" + i.ToString("x")).ToHashSet();
        Assert.All(ops, o => Assert.Contains(o.Member, members));
        Assert.Equal(50, ops.Select(o => o.Member).Distinct().Count());
    }

    [Fact]
    public void Apply_replies_as_redis_does()
    {
        var set = new SkipListSortedSet();
        Assert.Equal("1", Leaderboard.Apply(set, new ZOp("ZADD", "a", 10)));
        Assert.Equal("0", Leaderboard.Apply(set, new ZOp("ZADD", "a", 20)));
        Assert.Equal("30", Leaderboard.Apply(set, new ZOp("ZINCRBY", "a", 10)));
        Assert.Equal("0.1", Leaderboard.Apply(set, new ZOp("ZINCRBY", "b", 0.1)));
        Assert.Equal("1", Leaderboard.Apply(set, new ZOp("ZREM", "a", 0)));
        Assert.Equal("0", Leaderboard.Apply(set, new ZOp("ZREM", "a", 0)));
        Assert.Equal("op", Assert.Throws<ArgumentException>(() => Leaderboard.Apply(set, new ZOp("ZPOP", "a", 0))).ParamName);
    }

    [Fact]
    public void Rank_cost_stays_near_pughs_bound()
    {
        var (mean, bound) = Leaderboard.RankCost(1_024, seed: 1);
        Assert.Equal(5 / 0.25 + 1 / 0.75, bound, 1e-9);   // log4(1024) = 5
        Assert.InRange(mean, 3, bound);
        Assert.Equal("members", Assert.Throws<ArgumentOutOfRangeException>(() => Leaderboard.RankCost(1, 1)).ParamName);
    }

    [Fact]
    public void Guards_name_the_bad_argument()
    {
        Assert.Equal("operations", Assert.Throws<ArgumentOutOfRangeException>(() => Leaderboard.RandomOps(0, 1, 1, 1)).ParamName);
        Assert.Equal("players", Assert.Throws<ArgumentOutOfRangeException>(() => Leaderboard.RandomOps(1, 0, 1, 1)).ParamName);
        Assert.Equal("distinctScores", Assert.Throws<ArgumentOutOfRangeException>(() => Leaderboard.RandomOps(1, 1, 0, 1)).ParamName);
        Assert.Equal("db", Assert.Throws<ArgumentNullException>(() => Leaderboard.CompareWithRedis(null!, "k", Leaderboard.RandomOps(1, 1, 1, 1))).ParamName);
        Assert.Equal("db", Assert.Throws<ArgumentNullException>(() => Leaderboard.RedisBytesPerMember(null!, "k", 200, 1)).ParamName);
    }

    [SkippableFact]
    public void Comparison_with_redis_reports_exact_counts_and_removes_its_key()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => Leaderboard.CompareWithRedis(db, "", Leaderboard.RandomOps(1, 1, 1, 1))).ParamName);
        Assert.Equal("ops", Assert.Throws<ArgumentException>(() => Leaderboard.CompareWithRedis(db, "k", new List<ZOp>())).ParamName);
        Assert.Equal("members", Assert.Throws<ArgumentOutOfRangeException>(() => Leaderboard.RedisBytesPerMember(db, "k", 199, 1)).ParamName);

        var ops = Leaderboard.RandomOps(2_000, 120, 200, seed: 8);
        var set = new SkipListSortedSet();
        foreach (var op in ops) Leaderboard.Apply(set, op);
        var all = set.Range(0, -1);
        int tied = all.GroupBy(e => e.Score).Where(g => g.Count() > 1).Sum(g => g.Count());
        int distinct = ops.Select(o => o.Member).Distinct().Count();
        var r = Leaderboard.CompareWithRedis(db, "test:nb19:exact", ops, topK: 10);
        Assert.Equal(new ZCompare(2_000, (int)set.Count, distinct * 2, 0, all.Count + 10, 0, tied, 0), r);
        Assert.True(tied > 0 && tied < all.Count);
        Assert.False(db.KeyExists("test:nb19:exact"));

        double perMember = Leaderboard.RedisBytesPerMember(db, "test:nb19:mem", 1_000, seed: 2);
        Assert.InRange(perMember, 20, 200);
        Assert.False(db.KeyExists("test:nb19:mem"));
    }
}
