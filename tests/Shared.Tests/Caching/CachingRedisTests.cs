using StackExchange.Redis;
using SystemDesign.Caching;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Caching;

/// <summary>
/// The area's Redis entries on real servers. Keys carry a per-run Guid (two test processes share the server);
/// anything that changes server-wide settings runs on a private redis-server.
/// </summary>
public sealed class CachingRedisTests
{
    private static string Unique(string what) => $"test:caching:{what}:{Guid.NewGuid():N}";

    /// <summary>
    /// A private redis-server; skips only where no redis-server binary exists. Where one is installed a server
    /// that does not come up is a failure, not a skip (a broken start must not pass as "no server here").
    /// </summary>
    internal static PrivateRedis StartPrivateRedis()
    {
        var redis = Servers.RedisPrivate();
        if (redis is not null) return redis;
        string? configured = Environment.GetEnvironmentVariable("SDN_REDIS_SERVER");
        bool installed = string.IsNullOrEmpty(configured)
            ? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin")
                .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "redis-server")))
            : File.Exists(configured);
        Assert.False(installed || RealSystem.Required, "redis-server is installed but a private server did not start");
        Skip.If(true, "no redis-server binary here");
        throw new InvalidOperationException("unreachable");
    }

    [SkippableFact]
    public void The_sliding_log_script_counts_requests_in_the_half_open_window_like_our_log()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        string key = Unique("log");
        // A request exactly one window after the first one: (t − W, t] no longer holds the first.
        long[] times = [0, 1000, 1500, 1999, 2000, 2500];
        var ours = RateLimiting.Decide(new SlidingLog(1, 1, countRejected: true), times.Select(t => t / 1000.0).ToArray());
        Assert.Equal([true, true, false, false, false, false], ours);
        Assert.Equal(ours, RedisRateLimit.SlidingLogMulti(db, key, 1, 1000, times));
        Assert.False(db.KeyExists(key)); // cleaned up
        Assert.Equal([true, true, false, true], RedisRateLimit.SlidingLogMulti(db, key, 2, 1000, [0L, 10, 20, 1010]));
        // A log left over from an earlier run is cleared first.
        db.SortedSetAdd(key, [new SortedSetEntry("old-1", 5), new SortedSetEntry("old-2", 6)]);
        Assert.Equal([true], RedisRateLimit.SlidingLogMulti(db, key, 2, 1000, [10L]));
        Assert.False(db.KeyExists(key));
    }

    [SkippableFact]
    public void The_token_bucket_script_refills_between_requests_and_cleans_up()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        string client = Unique("tb");
        // Capacity 2, one token per 1024 ms (a binary fraction: no rounding in Lua's doubles).
        long[] times = [0, 0, 0, 512, 1024, 1024, 5000, 5000, 5000];
        var ours = RateLimiting.Decide(new TokenBucket(2, 1.0 / 1024), times.Select(t => (double)t).ToArray());
        Assert.Equal([true, true, false, false, true, false, true, true, false], ours);
        Assert.Equal(ours, RedisRateLimit.TokenBucket(db, client, 2, 1.0 / 1024, times));
        Assert.False(db.KeyExists($"{{{client}}}:tokens"));
        Assert.False(db.KeyExists($"{{{client}}}:ts"));
        Assert.Empty(RedisRateLimit.TokenBucket(db, client, 2, 1.0 / 1024, []));
        // Leftovers of an earlier run (an empty bucket) are cleared first: the client starts with a full bucket.
        db.StringSet($"{{{client}}}:tokens", 0);
        db.StringSet($"{{{client}}}:ts", 0);
        Assert.Equal([true, true, false], RedisRateLimit.TokenBucket(db, client, 2, 1.0 / 1024, [10L, 10, 10]));
    }

    [SkippableFact]
    public void The_guides_script_fails_on_its_undefined_globals()
    {
        using var redis = RealSystem.RequireRedis();
        string? error = RedisRateLimit.TryGuideScript(redis.GetDatabase(), Unique("guide"));
        Assert.NotNull(error);
        Assert.Contains("global", error);
    }

    [SkippableFact]
    public void Forget_deletes_exactly_the_products_named()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        string prefix = Unique("ml") + ":";
        for (int i = 0; i < 4; i++) db.StringSet($"{prefix}product:{i}", $"row {i}");
        MultiLevelCache.Forget(db, prefix, [0, 2, 2, 7]);
        Assert.False(db.KeyExists($"{prefix}product:0"));
        Assert.True(db.KeyExists($"{prefix}product:1"));
        Assert.False(db.KeyExists($"{prefix}product:2"));
        Assert.True(db.KeyExists($"{prefix}product:3"));
        MultiLevelCache.Forget(db, prefix, Enumerable.Range(0, 2500)); // more than one chunk of 1000
        Assert.False(db.KeyExists($"{prefix}product:1"));
        Assert.False(db.KeyExists($"{prefix}product:3"));
    }

    [SkippableFact]
    public void A_multi_level_replay_answers_from_the_highest_level_that_has_the_product()
    {
        using var pg = RealSystem.RequirePostgres();
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        string table = $"t_{Guid.NewGuid():N}", prefix = Unique("ml") + ":";
        MultiLevelCache.CreateCatalog(pg, 50, table);
        try
        {
            // L1 holds one product: 1 from PostgreSQL, 1 from L1, 2 from PostgreSQL (L1 drops 1), 1 from Redis,
            // 3 from PostgreSQL, 3 from L1.
            var levels = MultiLevelCache.Replay(pg, db, prefix, 1, [1, 1, 2, 1, 3, 3], TimeSpan.FromMinutes(1), table: table);
            Assert.Equal(["L1 in-process", "L2 Redis", "L3 PostgreSQL"], levels.Select(l => l.Level));
            Assert.Equal([2, 1, 3], levels.Select(l => l.Answered));
            Assert.Equal([2 / 6.0, 1 / 6.0, 3 / 6.0], levels.Select(l => l.ShareOfRequests));
            Assert.All(levels, l => Assert.True(l.MeanMicroseconds > 0 && l.P99Microseconds >= l.MeanMicroseconds, l.ToString()));
            Assert.Equal("product 2:102", (string?)db.StringGet($"{prefix}product:2"));
            Assert.InRange(db.KeyTimeToLive($"{prefix}product:2")!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
            Assert.False(db.KeyExists($"{prefix}product:4"));
            // The warm-up request is not counted; a level that answered nothing reports NaN.
            var warm = MultiLevelCache.Replay(pg, db, prefix, 10, [4, 4, 4], TimeSpan.FromMinutes(1), warmup: 1, table: table);
            Assert.Equal([2, 0, 0], warm.Select(l => l.Answered));
            Assert.Equal([1.0, 0, 0], warm.Select(l => l.ShareOfRequests));
            Assert.True(double.IsNaN(warm[1].MeanMicroseconds) && double.IsNaN(warm[1].P99Microseconds));
            Assert.True(double.IsNaN(warm[2].MeanMicroseconds) && double.IsNaN(warm[2].P99Microseconds));
            Assert.Equal("product 4:104", (string?)db.StringGet($"{prefix}product:4"));
        }
        finally
        {
            MultiLevelCache.Forget(db, prefix, Enumerable.Range(0, 50));
            MultiLevelCache.DropCatalog(pg, table);
        }
        Assert.False(db.KeyExists($"{prefix}product:2"));
        using var exists = pg.CreateCommand();
        exists.CommandText = $"SELECT to_regclass('{table}') IS NOT NULL";
        Assert.False((bool)exists.ExecuteScalar()!);
    }

    [SkippableFact]
    public void Lfu_counters_on_a_private_redis_follow_the_rule_and_the_settings_come_back()
    {
        using var redis = StartPrivateRedis();
        var mux = redis.Connection;
        var server = mux.GetServers()[0];
        Null("prefix", () => RedisLfu.MeasureCounters(mux, null!, 1, 1, 10));
        Invalid("prefix", () => RedisLfu.MeasureCounters(mux, "", 1, 1, 10));
        OutOfRange("keys", () => RedisLfu.MeasureCounters(mux, "p:", 0, 1, 10));
        OutOfRange("keys", () => RedisLfu.MeasureCounters(mux, "p:", 10_001, 1, 10));
        OutOfRange("accesses", () => RedisLfu.MeasureCounters(mux, "p:", 1, -1, 10));
        OutOfRange("accesses", () => RedisLfu.MeasureCounters(mux, "p:", 1, 100_001, 10));
        OutOfRange("logFactor", () => RedisLfu.MeasureCounters(mux, "p:", 1, 1, -1));
        server.ConfigSet("lfu-log-factor", 7);
        server.ConfigSet("lfu-decay-time", 3);
        // Factor 0: every access increments, so the counter is exactly 5 + accesses.
        Assert.Equal([25, 25, 25], RedisLfu.MeasureCounters(mux, "t:", 3, 20, 0));
        Assert.Equal([5], RedisLfu.MeasureCounters(mux, "t:", 1, 0, 10));
        var counters = RedisLfu.MeasureCounters(mux, "t:", 32, 100, 10);
        var (mean, sd) = RedisLfu.CounterAfter(100, 10);
        Assert.InRange(counters.Average(), mean - 5 * sd / Math.Sqrt(32), mean + 5 * sd / Math.Sqrt(32));
        Assert.Equal("noeviction", server.ConfigGet("maxmemory-policy").Single().Value);
        Assert.Equal("7", server.ConfigGet("lfu-log-factor").Single().Value);
        Assert.Equal("3", server.ConfigGet("lfu-decay-time").Single().Value);
        Assert.Equal(0, server.DatabaseSize()); // the keys are deleted
    }

    [SkippableFact]
    public void Redis_eviction_replay_checks_its_arguments()
    {
        Null("redis", () => RedisEviction.Replay(null!, [1, 2], 0, 10, [5]));
        using var redis = StartPrivateRedis();
        int[] trace = Enumerable.Range(0, 40).Select(i => i % 15).ToArray();
        Null("trace", () => RedisEviction.Replay(redis, null!, 0, 10, [5]));
        Null("samples", () => RedisEviction.Replay(redis, trace, 0, 10, null!));
        Invalid("samples", () => RedisEviction.Replay(redis, trace, 0, 10, []));
        OutOfRange("trace.Count", () => RedisEviction.Replay(redis, [1], 0, 10, [5]));
        OutOfRange("warmup", () => RedisEviction.Replay(redis, trace, -1, 10, [5]));
        OutOfRange("warmup", () => RedisEviction.Replay(redis, trace, 40, 10, [5]));
        OutOfRange("capacity", () => RedisEviction.Replay(redis, trace, 0, 9, [5]));
        OutOfRange("capacity", () => RedisEviction.Replay(redis, trace, 0, 1_000_001, [5]));
        OutOfRange("k", () => RedisEviction.Replay(redis, trace, 0, 1000, [0])); // checked after the calibration
    }

    [SkippableFact]
    public void A_replay_that_fits_in_memory_hits_on_every_repeat()
    {
        using var redis = StartPrivateRedis();
        // 15 distinct keys, memory for about 1000: nothing is evicted, so only the first request of a key misses.
        int[] trace = Enumerable.Range(0, 300).Select(i => i % 15).ToArray();
        var run = Assert.Single(RedisEviction.Replay(redis, trace, 30, 1000, [3], batch: 64));
        Assert.Equal(3, run.Samples);
        Assert.Equal(270, run.Requests);
        Assert.Equal(1.0, run.HitRatio);
        Assert.Equal(0, run.Evicted);
        Assert.Equal(15, run.MeanKeys);
        Assert.Equal(0, redis.Connection.GetServers()[0].DatabaseSize()); // flushed afterwards
    }
}
