using StackExchange.Redis;

namespace SystemDesign.DataModels;

/// <summary>One sorted-set operation of a random workload.</summary>
public sealed record ZOp(string Kind, string Member, double Value);

/// <summary>What a comparison of our skip list with a real Redis sorted set found.</summary>
public sealed record ZCompare(int Operations, int Members, int RanksCompared, int RankMismatches,
    int RangeEntriesCompared, int RangeMismatches, int TiedMembers, int ReplyMismatches);

/// <summary>
/// Random leaderboard workloads (ZADD, ZINCRBY, ZREM with few distinct scores, so ties are common) applied
/// to <see cref="SkipListSortedSet"/> and to a real Redis sorted set, then compared reply by reply.
/// </summary>
public static class Leaderboard
{
    /// <summary>A seeded random workload over <paramref name="players"/> members.</summary>
    public static IReadOnlyList<ZOp> RandomOps(int operations, int players, int distinctScores, int seed)
    {
        Guard.InRange(operations, 1, 1_000_000);
        Guard.InRange(players, 1, 1_000_000);
        Guard.InRange(distinctScores, 1, 1_000_000);
        var rng = new Random(seed);
        var ops = new List<ZOp>(operations);
        for (int i = 0; i < operations; i++)
        {
            string member = "player:" + rng.Next(players).ToString("x");
            double roll = rng.NextDouble();
            ops.Add(roll < 0.6 ? new ZOp("ZADD", member, rng.Next(distinctScores) * 10)
                : roll < 0.9 ? new ZOp("ZINCRBY", member, (rng.Next(3) - 1) * 10)
                : new ZOp("ZREM", member, 0));
        }
        return ops;
    }

    /// <summary>Applies one operation to the skip list; returns the reply Redis would give (as text).</summary>
    public static string Apply(SkipListSortedSet set, ZOp op) => op.Kind switch
    {
        "ZADD" => set.Add(op.Member, op.Value) ? "1" : "0",
        "ZINCRBY" => set.IncrementBy(op.Member, op.Value).ToString("R"),
        "ZREM" => set.Remove(op.Member) ? "1" : "0",
        _ => throw new ArgumentException($"unknown operation {op.Kind}", nameof(op)),
    };

    /// <summary>
    /// Runs the workload on both (Redis pipelined), then compares every ZRANK and ZREVRANK, the full
    /// ZRANGE … WITHSCORES and the top <paramref name="topK"/> of ZREVRANGE. The key is deleted before and after.
    /// </summary>
    public static ZCompare CompareWithRedis(IDatabase db, string key, IReadOnlyList<ZOp> ops, int topK = 100)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(key);
        Guard.NotEmpty(ops);
        db.KeyDelete(key);
        var set = new SkipListSortedSet(seed: 7);
        var ours = ops.Select(op => Apply(set, op)).ToList();
        var batch = db.CreateBatch();
        var replies = ops.Select(op => op.Kind switch
        {
            "ZADD" => batch.SortedSetAddAsync(key, op.Member, op.Value).ContinueWith(t => t.Result ? "1" : "0"),
            "ZINCRBY" => batch.SortedSetIncrementAsync(key, op.Member, op.Value).ContinueWith(t => t.Result.ToString("R")),
            _ => batch.SortedSetRemoveAsync(key, op.Member).ContinueWith(t => t.Result ? "1" : "0"),
        }).ToList();
        batch.Execute();
        Task.WaitAll(replies.ToArray<Task>());
        int replyMismatches = replies.Where((t, i) => t.Result != ours[i]).Count();

        var members = ops.Select(o => o.Member).Distinct().ToList();
        var b2 = db.CreateBatch();
        var ranks = members.Select(m => (m, up: b2.SortedSetRankAsync(key, m, Order.Ascending),
            down: b2.SortedSetRankAsync(key, m, Order.Descending))).ToList();
        var all = b2.SortedSetRangeByRankWithScoresAsync(key, 0, -1);
        var top = b2.SortedSetRangeByRankWithScoresAsync(key, 0, topK - 1, Order.Descending);
        b2.Execute();
        Task.WaitAll(ranks.SelectMany(r => new Task[] { r.up, r.down }).Append(all).Append(top).ToArray());
        db.KeyDelete(key);

        int rankMismatches = ranks.Count(r => r.up.Result != set.Rank(r.m) || r.down.Result != set.RevRank(r.m));
        var ourAll = set.Range(0, -1);
        var ourTop = set.RevRange(0, topK - 1);
        int rangeMismatch = Mismatches(all.Result, ourAll) + Mismatches(top.Result, ourTop);
        int tied = ourAll.GroupBy(e => e.Score).Where(g => g.Count() > 1).Sum(g => g.Count());
        return new ZCompare(ops.Count, (int)set.Count, ranks.Count * 2, rankMismatches,
            ourAll.Count + ourTop.Count, rangeMismatch, tied, replyMismatches);
    }

    private static int Mismatches(SortedSetEntry[] redis, IReadOnlyList<(string Member, double Score)> ours)
    {
        int bad = Math.Abs(redis.Length - ours.Count);
        for (int i = 0; i < Math.Min(redis.Length, ours.Count); i++)
            if (redis[i].Element != ours[i].Member || redis[i].Score != ours[i].Score) bad++;
        return bad;
    }

    /// <summary>
    /// Bytes Redis reports (MEMORY USAGE, all samples) for a sorted set of <paramref name="members"/> players,
    /// per member. The key is deleted before and after.
    /// </summary>
    public static double RedisBytesPerMember(IDatabase db, string key, int members, int seed)
    {
        Guard.NotNull(db);
        Guard.InRange(members, 200, 1_000_000);
        db.KeyDelete(key);
        var rng = new Random(seed);
        var entries = Enumerable.Range(0, members)
            .Select(i => new SortedSetEntry("player:" + i.ToString("x"), rng.Next(1_000_000))).ToArray();
        foreach (var chunk in entries.Chunk(5_000)) db.SortedSetAdd(key, chunk);
        var usage = (long)db.Execute("MEMORY", "USAGE", key, "SAMPLES", "0");
        db.KeyDelete(key);
        return (double)usage / members;
    }
    /// <summary>
    /// Mean forward links followed by ZRANK over every member of a skip list of <paramref name="members"/>
    /// random scores, and Pugh's bound on the expected search cost, log_{1/p}(n)/p + 1/(1 − p) with p = 1/4.
    /// </summary>
    public static (double MeanSteps, double PughBound) RankCost(int members, int seed)
    {
        Guard.InRange(members, 2, 2_000_000);
        var set = new SkipListSortedSet(seed);
        var rng = new Random(seed);
        for (int i = 0; i < members; i++) set.Add("p" + i, rng.Next());
        long steps = 0;
        for (int i = 0; i < members; i++) { set.Rank("p" + i); steps += set.LastSearchSteps; }
        double p = 0.25;
        return ((double)steps / members, Math.Log(members) / Math.Log(1 / p) / p + 1 / (1 - p));
    }
}
