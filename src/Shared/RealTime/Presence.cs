using System.Diagnostics;
using StackExchange.Redis;

namespace SystemDesign.RealTime;

/// <summary>Heartbeat presence: a client refreshes a key with a TTL every period; it is shown offline when the
/// key expires.</summary>
public static class Presence
{
    /// <summary>Detection delay of <paramref name="users"/> disconnects: each user's heartbeat phase and its
    /// disconnect instant are independent and uniform; the key expires <paramref name="ttl"/> after the last
    /// heartbeat sent before the disconnect. Heartbeats take <paramref name="jitter"/>·U(0,1) to arrive.</summary>
    public static double[] DetectionDelays(double period, double ttl, int users, int seed, double jitter = 0)
    {
        Guard.Positive(period); Guard.InRange(ttl, period, 1e9); Guard.InRange(users, 1, 10_000_000);
        Guard.InRange(jitter, 0, period);
        var rng = new Random(seed);
        var delays = new double[users];
        for (int i = 0; i < users; i++)
        {
            double phase = rng.NextDouble() * period;               // first heartbeat instant
            double disconnect = period * 10 + rng.NextDouble() * period;
            double last = phase + Math.Floor((disconnect - phase) / period) * period;
            delays[i] = last + jitter * rng.NextDouble() + ttl - disconnect;
        }
        return delays;
    }

    /// <summary>Share of heartbeats of a connected user that find their key already expired (a false
    /// "offline" flap), when each heartbeat arrives after a delay U(0, jitter) and is lost with
    /// probability <paramref name="loss"/>.</summary>
    public static double FalseOfflineShare(double period, double ttl, double jitter, double loss, int beats, int seed)
    {
        Guard.Positive(period); Guard.Positive(ttl); Guard.InRange(jitter, 0, period);
        Guard.InRange(loss, 0, 0.99); Guard.InRange(beats, 2, 10_000_000);
        var rng = new Random(seed);
        double expires = ttl + jitter * rng.NextDouble();
        int flaps = 0, arrived = 0;
        for (int k = 1; k < beats; k++)
        {
            if (rng.NextDouble() < loss) continue;
            double arrival = k * period + jitter * rng.NextDouble();
            arrived++;
            if (arrival > expires) flaps++;
            expires = arrival + ttl;
        }
        return arrived == 0 ? 0 : (double)flaps / arrived;
    }

    /// <summary>Kolmogorov–Smirnov distance between the sample and U(<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static double KsUniform(IReadOnlyCollection<double> sample, double low, double high)
    {
        Guard.NotEmpty(sample); Guard.That(high > low, "high must exceed low", nameof(high));
        var x = sample.OrderBy(v => v).ToArray();
        double d = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f = Math.Clamp((x[i] - low) / (high - low), 0, 1);
            d = Math.Max(d, Math.Max((i + 1.0) / x.Length - f, f - (double)i / x.Length));
        }
        return d;
    }

    /// <summary>The KS critical distance at significance α for n samples (asymptotic, c(α)=√(−ln(α/2)/2)).</summary>
    public static double KsCritical(int n, double alpha)
    {
        Guard.Positive(n); Guard.OpenUnit(alpha);
        return Math.Sqrt(-Math.Log(alpha / 2) / 2) / Math.Sqrt(n);
    }

    /// <summary>Presence messages per status change for a group of <paramref name="members"/>, of whom a
    /// share is online and a share is viewing: eager fan-out pushes to every online member, lazy fan-out (used
    /// above <paramref name="threshold"/> members) pushes only to viewers. Simulated over random users.</summary>
    public static FanoutCost Fanout(int members, double onlineShare, double viewingShare, int threshold,
        int changes, int seed)
    {
        Guard.InRange(members, 1, 10_000_000); Guard.InRange(onlineShare, 0, 1);
        Guard.InRange(viewingShare, 0, 1); Guard.Positive(threshold); Guard.InRange(changes, 1, 1_000_000);
        var rng = new Random(seed);
        long eager = 0, lazy = 0;
        for (int c = 0; c < changes; c++)
        {
            // Who is online and viewing at this change: a binomial draw by normal approximation for speed.
            double n = members - 1;
            long online = Binomial(rng, n, onlineShare);
            long viewing = Binomial(rng, online, viewingShare);
            eager += online;
            lazy += members > threshold ? viewing : online;
        }
        return new FanoutCost(members, (double)eager / changes, (double)lazy / changes);
    }

    private static long Binomial(Random rng, double n, double p)
    {
        if (n < 50)
        {
            long k = 0;
            for (int i = 0; i < n; i++) if (rng.NextDouble() < p) k++;
            return k;
        }
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return (long)Math.Clamp(Math.Round(n * p + z * Math.Sqrt(n * p * (1 - p))), 0, n);
    }

    /// <summary>Heartbeat write throughput of one Redis: <paramref name="rounds"/> rounds in which each of
    /// <paramref name="users"/> users sets its presence key with a TTL (pipelined, as a gateway batching its
    /// connections' heartbeats would); then counts keys whose PTTL is in (0, ttl]. Deletes its keys.</summary>
    public static async Task<HeartbeatLoad> RedisHeartbeatLoadAsync(ConnectionMultiplexer redis, int users,
        int rounds, int ttlMs, string prefix = "nb16:hb:")
    {
        Guard.NotNull(redis); Guard.InRange(users, 1, 1_000_000); Guard.InRange(rounds, 1, 1000);
        Guard.InRange(ttlMs, 1, 3_600_000); Guard.NotEmpty(prefix);
        var db = redis.GetDatabase();
        var ttl = TimeSpan.FromMilliseconds(ttlMs);
        try
        {
            var clock = Stopwatch.StartNew();
            for (int r = 0; r < rounds; r++)
                await Task.WhenAll(Enumerable.Range(0, users)
                    .Select(u => db.StringSetAsync(prefix + u, "online", ttl)));
            double rate = (double)users * rounds / clock.Elapsed.TotalSeconds;
            var ttls = await Task.WhenAll(Enumerable.Range(0, users)
                .Select(u => db.KeyTimeToLiveAsync(prefix + u)));
            int ok = ttls.Count(t => t is { } x && x > TimeSpan.Zero && x <= ttl);
            return new HeartbeatLoad(users, rounds, rate, ok);
        }
        finally
        {
            await Task.WhenAll(Enumerable.Range(0, users).Select(u => db.KeyDeleteAsync(prefix + u)));
        }
    }

    /// <summary>Real Redis: each user's last heartbeat is a <c>SET key PX ttl</c>; the user disconnects
    /// U(0, period) later; the offline signal is the key's <c>expired</c> keyspace event. Needs
    /// <c>notify-keyspace-events</c> with <c>Ex</c> (set and restored here). Returns delays in ms.</summary>
    public static async Task<RedisPresenceRun> RedisExpiryAsync(ConnectionMultiplexer redis, int periodMs,
        int ttlMs, int users, int seed, string prefix = "nb16:presence:")
    {
        Guard.NotNull(redis); Guard.InRange(periodMs, 10, 60_000); Guard.InRange(ttlMs, periodMs, 120_000);
        Guard.InRange(users, 1, 10_000); Guard.NotEmpty(prefix);
        var server = redis.GetServers()[0];
        var db = redis.GetDatabase();
        string before = (await server.ConfigGetAsync("notify-keyspace-events")).FirstOrDefault().Value ?? "";
        string hzBefore = (await server.ConfigGetAsync("hz")).FirstOrDefault().Value ?? "10";
        var rng = new Random(seed);
        var disconnect = new long[users];
        var expired = new long[users];
        int seen = 0;
        var all = new TaskCompletionSource();
        var sub = redis.GetSubscriber();
        var channel = RedisChannel.Literal($"__keyevent@{db.Database}__:expired");
        try
        {
            await server.ConfigSetAsync("notify-keyspace-events", "Ex");
            await server.ConfigSetAsync("hz", "100");
            await sub.SubscribeAsync(channel, (_, key) =>
            {
                string k = key.ToString();
                if (!k.StartsWith(prefix, StringComparison.Ordinal)) return;
                int i = int.Parse(k.AsSpan(prefix.Length));
                if (Interlocked.CompareExchange(ref expired[i], Stopwatch.GetTimestamp(), 0) == 0
                    && Interlocked.Increment(ref seen) == users) all.TrySetResult();
            });
            var offsets = Enumerable.Range(0, users).Select(_ => rng.NextDouble() * periodMs).ToArray();
            var clock = Stopwatch.StartNew();
            var order = Enumerable.Range(0, users).OrderBy(i => offsets[i]).ToArray();
            // Last heartbeats spread over one period; each user disconnects U(0, period) after its last one.
            var lastBeat = new long[users];
            for (int j = 0; j < users; j++)
            {
                int i = order[j];
                double at = j * (double)periodMs / users;
                while (clock.Elapsed.TotalMilliseconds < at) await Task.Delay(1);
                // Stamped before sending: Redis cannot start the TTL before it receives the SET.
                lastBeat[i] = Stopwatch.GetTimestamp();
                await db.StringSetAsync(prefix + i, "online", TimeSpan.FromMilliseconds(ttlMs));
                disconnect[i] = lastBeat[i] + (long)(offsets[i] * Stopwatch.Frequency / 1000);
            }
            await Task.WhenAny(all.Task, Task.Delay(ttlMs + periodMs + 2000));
            var delays = Enumerable.Range(0, users).Where(i => expired[i] != 0)
                .Select(i => (expired[i] - disconnect[i]) * 1000.0 / Stopwatch.Frequency).ToArray();
            var lags = Enumerable.Range(0, users).Where(i => expired[i] != 0)
                .Select(i => (expired[i] - lastBeat[i]) * 1000.0 / Stopwatch.Frequency - ttlMs).ToArray();
            return new RedisPresenceRun(users, delays.Length, delays, lags);
        }
        finally
        {
            await sub.UnsubscribeAsync(channel);
            await server.ConfigSetAsync("notify-keyspace-events", before);
            await server.ConfigSetAsync("hz", hzBefore);
            for (int i = 0; i < users; i++) await db.KeyDeleteAsync(prefix + i);
        }
    }
}

/// <summary>Heartbeat writes measured on one Redis: <see cref="Users"/> keys set <see cref="Rounds"/> times
/// each with <c>SET … PX</c> through one pipelined connection; how many keys then had a TTL within (0, ttl].</summary>
public sealed record HeartbeatLoad(int Users, int Rounds, double WritesPerSecond, int KeysWithTtl);

/// <summary>Presence pushes per status change, eager and with lazy fan-out.</summary>
public sealed record FanoutCost(int Members, double EagerPerChange, double LazyPerChange);

/// <summary>Detection delays (disconnect → expired event) and expiry lags (expired event − the instant the
/// last SET was sent − TTL), ms.</summary>
public sealed record RedisPresenceRun(int Users, int Detected, double[] DelaysMs, double[] ExpiryLagMs);
