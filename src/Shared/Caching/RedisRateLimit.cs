using StackExchange.Redis;

namespace SystemDesign.Caching;

/// <summary>
/// Rate limiting on a real Redis. The guide's token-bucket Lua script, as printed, reads globals it never
/// defines (<c>key</c>, <c>capacity</c>, <c>rate</c>): Redis refuses it. <see cref="TokenBucketScript"/> is
/// the same algorithm with its inputs passed in, both keys in one hash slot (a hash tag, so it also runs on a
/// Redis Cluster) and an expiry so idle clients' keys go away. <see cref="SlidingLogMulti"/> is the guide's
/// MULTI/ZADD sliding window, which logs refused requests too.
/// </summary>
public static class RedisRateLimit
{
    /// <summary>The guide's script, verbatim but for the missing line breaks.</summary>
    public const string GuideScript = """
        local tokens = tonumber(redis.call("get", key) or capacity)
        local now = tonumber(ARGV[1])
        local last = tonumber(redis.call("get", key..":ts") or now)
        tokens = math.min(capacity, tokens + (now-last) * rate)
        if tokens >= 1 then
        redis.call("set", key, tokens-1)
        redis.call("set", key..":ts", now)
        return 1 -- allowed
        else return 0 end
        """;

    /// <summary>KEYS: tokens, timestamp. ARGV: capacity, tokens per millisecond, now (ms). Returns 1 or 0.</summary>
    public const string TokenBucketScript = """
        local capacity = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local now = tonumber(ARGV[3])
        local tokens = tonumber(redis.call("get", KEYS[1]) or capacity)
        local last = tonumber(redis.call("get", KEYS[2]) or now)
        tokens = math.min(capacity, tokens + (now - last) * rate)
        local allowed = 0
        if tokens >= 1 then
          tokens = tokens - 1
          allowed = 1
        end
        local ttl = math.ceil(capacity / rate)
        redis.call("set", KEYS[1], tokens, "PX", ttl)
        redis.call("set", KEYS[2], now, "PX", ttl)
        return allowed
        """;

    /// <summary>Runs the guide's script once; returns Redis's error message (or null if it ran).</summary>
    public static string? TryGuideScript(IDatabase db, string key)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(key);
        try
        {
            db.ScriptEvaluate(GuideScript, [key], [0]);
            return null;
        }
        catch (RedisServerException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// The fixed token bucket for one client, one EVAL per request at the given times (ms), pipelined in
    /// order on one connection. Times are passed in, so the decisions do not depend on the wall clock.
    /// </summary>
    public static bool[] TokenBucket(IDatabase db, string client, int capacity, double tokensPerMs, IReadOnlyList<long> timesMs)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(client);
        Guard.InRange(capacity, 1, 1_000_000);
        Guard.InRange(tokensPerMs, 1e-9, 1e6);
        Guard.NotNull(timesMs);
        RedisKey[] keys = [$"{{{client}}}:tokens", $"{{{client}}}:ts"];
        db.KeyDelete(keys);
        var pending = timesMs.Select(t => db.ScriptEvaluateAsync(TokenBucketScript, keys,
            [capacity, tokensPerMs, t])).ToArray();
        // One wait for the whole pipeline; then every reply is in and .Result does not block.
        Task.WhenAll(pending).GetAwaiter().GetResult();
        var decisions = pending.Select(p => (int)p.Result == 1).ToArray();
        db.KeyDelete(keys);
        return decisions;
    }

    /// <summary>
    /// The guide's sliding window: MULTI, ZREMRANGEBYSCORE, ZCARD, ZADD, EXPIRE, EXEC; allowed when the
    /// ZCARD read before this request's ZADD is below the limit. Every request is added, allowed or not.
    /// </summary>
    public static bool[] SlidingLogMulti(IDatabase db, string key, int limit, long windowMs, IReadOnlyList<long> timesMs)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(key);
        Guard.InRange(limit, 1, 1_000_000);
        Guard.InRange(windowMs, 1, 86_400_000);
        Guard.NotNull(timesMs);
        db.KeyDelete(key);
        var decisions = new bool[timesMs.Count];
        var pending = new List<(int Index, Task<long> Count)>();
        for (int i = 0; i < timesMs.Count; i++)
        {
            long now = timesMs[i];
            var tx = db.CreateTransaction();
            _ = tx.SortedSetRemoveRangeByScoreAsync(key, 0, now - windowMs); // scores ≤ now − W: the window is (now − W, now]
            var count = tx.SortedSetLengthAsync(key);
            _ = tx.SortedSetAddAsync(key, $"req-{i}", now);
            _ = tx.KeyExpireAsync(key, TimeSpan.FromMilliseconds(windowMs));
            tx.Execute();
            pending.Add((i, count));
        }
        Task.WhenAll(pending.Select(p => p.Count)).GetAwaiter().GetResult();
        foreach (var (i, count) in pending) decisions[i] = count.Result < limit;
        db.KeyDelete(key);
        return decisions;
    }
}
