using StackExchange.Redis;

namespace SystemDesign.Caching;

/// <summary>
/// Redis's LFU counter (evict.c): 8 bits per key, starting at LFU_INIT_VAL = 5 for a new key; each access
/// increments it with probability 1/((counter − 5)·lfu-log-factor + 1), so it grows roughly logarithmically
/// and saturates at 255; it decays by one per <c>lfu-decay-time</c> minutes of idleness.
/// </summary>
public static class RedisLfu
{
    public const int InitialValue = 5; // LFU_INIT_VAL

    /// <summary>The probability that one access increments a counter at <paramref name="counter"/>.</summary>
    public static double IncrementProbability(int counter, int logFactor)
    {
        Guard.InRange(counter, 0, 255);
        Guard.InRange(logFactor, 0, 1_000_000);
        if (counter == 255) return 0;
        return 1.0 / (Math.Max(0, counter - InitialValue) * (double)logFactor + 1);
    }

    /// <summary>
    /// The exact distribution of the counter after <paramref name="accesses"/> accesses of a new key (no
    /// decay), by dynamic programming over the 256 states; returns its mean and standard deviation.
    /// </summary>
    public static (double Mean, double StdDev) CounterAfter(int accesses, int logFactor)
    {
        Guard.InRange(accesses, 0, 10_000_000);
        var p = new double[256];
        p[InitialValue] = 1;
        for (int a = 0; a < accesses; a++)
            for (int c = 254; c >= InitialValue; c--)
            {
                double move = p[c] * IncrementProbability(c, logFactor);
                p[c] -= move;
                p[c + 1] += move;
            }
        double mean = 0, sq = 0;
        for (int c = 0; c < 256; c++) { mean += c * p[c]; sq += c * (double)c * p[c]; }
        return (mean, Math.Sqrt(Math.Max(0, sq - mean * mean)));
    }

    /// <summary>
    /// On a real Redis: <paramref name="keys"/> new keys, each read <paramref name="accesses"/> times with
    /// GET, then <c>OBJECT FREQ</c> of each. Switches the server to <c>allkeys-lfu</c> with the given
    /// <c>lfu-log-factor</c> and <c>lfu-decay-time 0</c> (no decay during the run, so a minute boundary
    /// cannot lower a counter), and restores all three settings afterwards. maxmemory is not touched, so
    /// nothing is evicted.
    /// </summary>
    public static int[] MeasureCounters(ConnectionMultiplexer redis, string prefix, int keys, int accesses, int logFactor)
    {
        Guard.NotNull(redis);
        Guard.NotEmpty(prefix);
        Guard.InRange(keys, 1, 10_000);
        Guard.InRange(accesses, 0, 100_000);
        Guard.InRange(logFactor, 0, 1_000_000);
        var server = redis.GetServers()[0];
        var db = redis.GetDatabase();
        var saved = new[] { "maxmemory-policy", "lfu-log-factor", "lfu-decay-time" }
            .ToDictionary(k => k, k => server.ConfigGet(k).Single().Value);
        RedisKey[] names = Enumerable.Range(0, keys).Select(i => (RedisKey)$"{prefix}lfu:{i}").ToArray();
        try
        {
            server.ConfigSet("maxmemory-policy", "allkeys-lfu");
            server.ConfigSet("lfu-log-factor", logFactor);
            server.ConfigSet("lfu-decay-time", 0);
            db.KeyDelete(names);
            foreach (var k in names) db.StringSet(k, "x");
            var gets = new List<Task>(keys * accesses);
            for (int a = 0; a < accesses; a++)
                foreach (var k in names) gets.Add(db.StringGetAsync(k));
            Task.WaitAll(gets.ToArray());
            return names.Select(k => (int)db.Execute("OBJECT", "FREQ", k)).ToArray();
        }
        finally
        {
            db.KeyDelete(names);
            foreach (var (k, v) in saved) server.ConfigSet(k, v);
        }
    }
}
