using StackExchange.Redis;

namespace SystemDesign.Replication;

/// <summary>A push (fan-out on write) run against Redis: commands sent, every feed read back, and each user's timeline length.</summary>
public sealed record RedisFeedRun(long Posts, long TimelineWrites, IReadOnlyList<ulong> FeedHashes, IReadOnlyList<long> TimelineLengths);

/// <summary>
/// Fan-out on write as the guide describes it, on a real Redis: a sorted set per user ({prefix}tl:{user}),
/// score = post time (here the post id, which grows with time), ZADD into every follower's set on post, trimmed
/// to the newest <c>timelineCap</c> with ZREMRANGEBYRANK, and a feed read is one ZRANGE … REV of the newest
/// entries. Commands are pipelined in event order on one connection, which Redis executes in that order.
/// </summary>
public static class RedisTimelines
{
    public static RedisFeedRun RunPush(IDatabase db, string prefix, FollowerGraph graph, IReadOnlyList<FeedEvent> events,
        int feedSize = 20, int timelineCap = 800)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(prefix);
        Guard.NotNull(graph);
        Guard.NotNull(events);
        Guard.InRange(feedSize, 1, 10_000);
        Guard.InRange(timelineCap, feedSize, 1_000_000);
        Guard.That(events.Count <= 200_000, $"keep a Redis run to at most 200,000 events; got {events.Count}.", nameof(events));
        Delete(db, prefix, graph.Users);
        var pending = new List<Task>();
        var reads = new List<Task<RedisValue[]>>();
        long id = 0, writes = 0;
        foreach (var e in events)
        {
            Guard.InRange(e.User, 0, graph.Users - 1, "event.User");
            if (e.Kind == FeedEventKind.Post)
            {
                long post = id++;
                foreach (int follower in graph.Followers(e.User))
                {
                    RedisKey key = Key(prefix, follower);
                    pending.Add(db.SortedSetAddAsync(key, post, post));
                    pending.Add(db.SortedSetRemoveRangeByRankAsync(key, 0, -(timelineCap + 1)));
                    writes++;
                }
            }
            else
            {
                reads.Add(db.SortedSetRangeByRankAsync(Key(prefix, e.User), 0, feedSize - 1, Order.Descending));
            }
        }
        var lengths = Enumerable.Range(0, graph.Users).Select(u => db.SortedSetLengthAsync(Key(prefix, u))).ToArray();
        Task.WaitAll(pending.Concat(reads).Concat(lengths).ToArray());
        var hashes = reads.Select(t => FeedSimulator.Hash(t.Result.Select(v => (long)v).ToArray())).ToArray();
        var result = new RedisFeedRun(id, writes, hashes, lengths.Select(t => t.Result).ToArray());
        Delete(db, prefix, graph.Users);
        return result;
    }

    /// <summary>Deletes the timelines of users 0 … users − 1 under the prefix.</summary>
    public static void Delete(IDatabase db, string prefix, int users)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(prefix);
        Guard.InRange(users, 0, 10_000_000);
        for (int from = 0; from < users; from += 1000)
            db.KeyDelete(Enumerable.Range(from, Math.Min(1000, users - from)).Select(u => Key(prefix, u)).ToArray());
    }

    private static RedisKey Key(string prefix, int user) => $"{prefix}tl:{user}";
}
