using System.Diagnostics;
using StackExchange.Redis;
using SystemDesign.RealSystems;
using SystemDesign.RealTime;
using SystemDesign.Tests.RealSystems;
using Xunit;

namespace SystemDesign.Tests.RealTime;

public class PresenceTests
{
    [Fact]
    public void Detection_delays_are_seeded()
    {
        Assert.Equal(new[] { 47.87814000522627, 49.13998829626479, 39.08898231065314, 56.33579646066562 },
            Presence.DetectionDelays(30, 60, 4, 3));
        Assert.Equal(new[] { 56.528006613500395, 50.94577044292623, 42.57598085448882, 64.4303768195353 },
            Presence.DetectionDelays(30, 60, 4, 3, jitter: 10));
    }

    [Fact]
    public void Detection_delay_averages_ttl_minus_half_a_period_plus_half_the_jitter()
    {
        var d = Presence.DetectionDelays(30, 60, 20_000, 8);
        // U(30, 60): mean 45, sd 30/√12 = 8.66, so the mean of 20 000 has sd 0.061.
        Assert.InRange(d.Average(), 45 - 0.3, 45 + 0.3);
        Assert.All(d, x => Assert.InRange(x, 30, 60));
        var j = Presence.DetectionDelays(30, 60, 20_000, 8, jitter: 12);
        Assert.InRange(j.Average(), 51 - 0.4, 51 + 0.4);
        Assert.All(j, x => Assert.InRange(x, 30, 72));
        Assert.True(j.Max() > 60); // the jitter delays the last heartbeat's arrival, so some exceed the TTL
    }

    [Fact]
    public void Detection_delay_guards_name_their_parameter()
    {
        Assert.Equal("period", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.DetectionDelays(0, 60, 1, 1)).ParamName);
        Assert.Equal("ttl", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.DetectionDelays(30, 1e9 + 1, 1, 1)).ParamName);
        Assert.Equal("users", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.DetectionDelays(30, 60, 0, 1)).ParamName);
        Assert.Equal("users", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.DetectionDelays(30, 60, 10_000_001, 1)).ParamName);
        Assert.Equal("jitter", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.DetectionDelays(30, 60, 1, 1, -1)).ParamName);
        Assert.Equal("jitter", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.DetectionDelays(30, 60, 1, 1, 31)).ParamName);
        Assert.Single(Presence.DetectionDelays(30, 30, 1, 1, 30));
    }

    [Fact]
    public void False_offline_share_is_seeded()
    {
        Assert.Equal(0.33994334277620397, Presence.FalseOfflineShare(30, 40, 15, 0.3, 1000, 4));
    }

    [Fact]
    public void A_heartbeat_arriving_exactly_at_expiry_is_not_a_flap_and_one_arriving_after_is()
    {
        Assert.Equal(0, Presence.FalseOfflineShare(30, 30, 0, 0, 100, 1));
        Assert.Equal(1, Presence.FalseOfflineShare(30, 29, 0, 0, 100, 1));
    }

    [Fact]
    public void When_every_heartbeat_is_lost_the_share_is_zero_not_nan()
    {
        // TTL below the period: any heartbeat that arrives flaps; seeds 0..3 lose their only beat, seed 4 does not.
        Assert.Equal(new double[] { 0, 0, 0, 0, 1 },
            Enumerable.Range(0, 5).Select(s => Presence.FalseOfflineShare(30, 20, 0, 0.99, 2, s)));
    }

    [Fact]
    public void False_offline_guards_name_their_parameter()
    {
        Assert.Equal("period", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.FalseOfflineShare(0, 30, 0, 0, 2, 1)).ParamName);
        Assert.Equal("ttl", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.FalseOfflineShare(30, 0, 0, 0, 2, 1)).ParamName);
        Assert.Equal("jitter", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.FalseOfflineShare(30, 30, -1, 0, 2, 1)).ParamName);
        Assert.Equal("jitter", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.FalseOfflineShare(30, 30, 31, 0, 2, 1)).ParamName);
        Assert.Equal("loss", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.FalseOfflineShare(30, 30, 0, -0.1, 2, 1)).ParamName);
        Assert.Equal("loss", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.FalseOfflineShare(30, 30, 0, 1, 2, 1)).ParamName);
        Assert.Equal("beats", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.FalseOfflineShare(30, 30, 0, 0, 1, 1)).ParamName);
        Assert.Equal("beats", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.FalseOfflineShare(30, 30, 0, 0, 10_000_001, 1)).ParamName);
    }

    [Fact]
    public void Ks_distance_is_the_largest_gap_between_the_empirical_and_the_uniform_cdf()
    {
        Assert.Equal(0.5, Presence.KsUniform(new[] { 0.5 }, 0, 1), 12);
        Assert.Equal(0.9, Presence.KsUniform(new[] { 0.1 }, 0, 1), 12);
        Assert.Equal(0.9, Presence.KsUniform(new[] { 0.9 }, 0, 1), 12);
        Assert.Equal(0.25, Presence.KsUniform(new[] { 0.25, 0.75 }, 0, 1), 12);
        Assert.Equal(0.7 / 3, Presence.KsUniform(new[] { 0.9, 0.1, 0.5 }, 0, 1), 12); // unsorted input
        Assert.Equal(0.75, Presence.KsUniform(new[] { 3.0 }, 2, 6), 12);
        Assert.Equal(1, Presence.KsUniform(new[] { -1.0 }, 0, 1), 12); // below the support: F clamps to 0
        Assert.Equal(1, Presence.KsUniform(new[] { 2.0 }, 0, 1), 12);  // above: F clamps to 1
    }

    [Fact]
    public void Ks_critical_distance_shrinks_with_the_root_of_n()
    {
        Assert.Equal(1.3581015157406195, Presence.KsCritical(1, 0.05), 12);
        Assert.Equal(0.13581015157406195, Presence.KsCritical(100, 0.05), 12);
        Assert.Equal(Math.Sqrt(-Math.Log(0.0005) / 2) / 20, Presence.KsCritical(400, 0.001), 12);
    }

    [Fact]
    public void Ks_guards_name_their_parameter()
    {
        Assert.Equal("sample", Assert.Throws<ArgumentNullException>(() => Presence.KsUniform(null!, 0, 1)).ParamName);
        Assert.Equal("sample", Assert.Throws<ArgumentException>(() => Presence.KsUniform(Array.Empty<double>(), 0, 1)).ParamName);
        var flat = Assert.Throws<ArgumentException>(() => Presence.KsUniform(new[] { 1.0 }, 1, 1));
        Assert.Equal("high", flat.ParamName);
        Assert.StartsWith("high must exceed low", flat.Message);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.KsCritical(0, 0.05)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.KsCritical(1, 0)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.KsCritical(1, 1)).ParamName);
    }

    [Fact]
    public void Fanout_is_seeded_on_both_sides_of_the_exact_binomial_cutoff()
    {
        Assert.Equal(new FanoutCost(10, 4.571428571428571, 2.7142857142857144), Presence.Fanout(10, 0.5, 0.5, 5, 7, 1));
        Assert.Equal(new FanoutCost(50, 24.857142857142858, 14.857142857142858), Presence.Fanout(50, 0.5, 0.5, 5, 7, 1));
        Assert.Equal(new FanoutCost(51, 23.571428571428573, 12.428571428571429), Presence.Fanout(51, 0.5, 0.5, 5, 7, 1));
        Assert.Equal(new FanoutCost(100_000, 30099.9, 6008), Presence.Fanout(100_000, 0.3, 0.2, 5000, 10, 1));
    }

    [Fact]
    public void Everyone_online_is_every_other_member_and_lazy_fanout_starts_above_the_threshold()
    {
        Assert.Equal(new FanoutCost(10, 9, 9), Presence.Fanout(10, 1, 0, 10, 3, 1));
        Assert.Equal(new FanoutCost(10, 9, 0), Presence.Fanout(10, 1, 0, 9, 3, 1));
        Assert.Equal(new FanoutCost(10, 0, 0), Presence.Fanout(10, 0, 1, 9, 3, 1));
        Assert.Equal(new FanoutCost(1001, 1000, 1000), Presence.Fanout(1001, 1, 1, 500, 3, 1));
        Assert.Equal(new FanoutCost(1001, 1000, 0), Presence.Fanout(1001, 1, 0, 500, 3, 1));
        Assert.Equal(new FanoutCost(1001, 0, 0), Presence.Fanout(1001, 0, 1, 500, 3, 1));
    }

    [Fact]
    public void Fanout_draws_have_the_binomial_mean_and_spread()
    {
        // 2000 changes of n = 1000, p = 0.3: the per-change mean 300 has sd √(1000·0.3·0.7)/√2000 = 0.32.
        var approx = Presence.Fanout(1001, 0.3, 0.5, 5000, 2000, 2);
        Assert.InRange(approx.EagerPerChange, 300 - 1.6, 300 + 1.6);
        Assert.Equal(approx.EagerPerChange, approx.LazyPerChange);
        // n = 40 uses exact Bernoulli draws: mean 12, sd √(40·0.3·0.7)/√2000 = 0.065.
        var exact = Presence.Fanout(41, 0.3, 0.5, 5, 2000, 2);
        Assert.InRange(exact.EagerPerChange, 12 - 0.33, 12 + 0.33);
        Assert.InRange(exact.LazyPerChange, 6 - 0.33, 6 + 0.33);
    }

    [Fact]
    public void Fanout_guards_name_their_parameter()
    {
        Assert.Equal("members", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.Fanout(0, 0.5, 0.5, 5, 1, 1)).ParamName);
        Assert.Equal("members", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.Fanout(10_000_001, 0.5, 0.5, 5, 1, 1)).ParamName);
        Assert.Equal("onlineShare", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.Fanout(10, -0.1, 0.5, 5, 1, 1)).ParamName);
        Assert.Equal("onlineShare", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.Fanout(10, 1.1, 0.5, 5, 1, 1)).ParamName);
        Assert.Equal("viewingShare", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.Fanout(10, 0.5, -0.1, 5, 1, 1)).ParamName);
        Assert.Equal("viewingShare", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.Fanout(10, 0.5, 1.1, 5, 1, 1)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.Fanout(10, 0.5, 0.5, 0, 1, 1)).ParamName);
        Assert.Equal("changes", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.Fanout(10, 0.5, 0.5, 5, 0, 1)).ParamName);
        Assert.Equal("changes", Assert.Throws<ArgumentOutOfRangeException>(() => Presence.Fanout(10, 0.5, 0.5, 5, 1_000_001, 1)).ParamName);
        Assert.Equal(1, Presence.Fanout(1, 0.5, 0.5, 1, 1, 1).Members);
    }

    [SkippableFact]
    public async Task Heartbeat_load_sends_users_times_rounds_sets_checks_every_ttl_and_deletes_its_keys()
    {
        using var priv = Servers.RedisPrivate();
        Skip.If(priv is null && !RealSystem.Required, "no redis-server");
        Assert.NotNull(priv);
        var redis = priv!.Connection;
        var server = redis.GetServers()[0];
        var db = redis.GetDatabase();
        await db.StringSetAsync("hbl:300", "not a user"); // the next key after the users' must be left alone
        await server.ConfigResetStatisticsAsync();
        var outer = Stopwatch.StartNew();
        var r = await Presence.RedisHeartbeatLoadAsync(redis, 300, 10, 60_000, "hbl:");
        double outerSeconds = outer.Elapsed.TotalSeconds;
        Assert.Equal((300, 10, 300), (r.Users, r.Rounds, r.KeysWithTtl));
        var stats = (await server.InfoAsync("commandstats")).SelectMany(g => g)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        // A whole-second TTL goes out as SETEX: one per user per round, then one PTTL per user.
        Assert.StartsWith("calls=3000,", stats["cmdstat_setex"]);
        Assert.StartsWith("calls=300,", stats["cmdstat_pttl"]);
        // The rate is writes over the time of the writes, which lies inside the whole call.
        Assert.True(r.WritesPerSecond * outerSeconds >= 300 * 10, $"{r.WritesPerSecond}/s over {outerSeconds} s");
        Assert.False(await db.KeyExistsAsync("hbl:0"));
        Assert.False(await db.KeyExistsAsync("hbl:299"));
        Assert.Equal("not a user", await db.StringGetAsync("hbl:300"));
    }

    [SkippableFact]
    public async Task Heartbeat_load_guards_name_their_parameter()
    {
        Assert.Equal("redis", (await Assert.ThrowsAsync<ArgumentNullException>(
            () => Presence.RedisHeartbeatLoadAsync(null!, 1, 1, 1))).ParamName);
        using var redis = RealSystem.RequireRedis();
        async Task<string?> Name<T>(Func<Task> f) where T : ArgumentException => (await Assert.ThrowsAsync<T>(f)).ParamName;
        Assert.Equal("users", await Name<ArgumentOutOfRangeException>(() => Presence.RedisHeartbeatLoadAsync(redis, 0, 1, 1)));
        Assert.Equal("users", await Name<ArgumentOutOfRangeException>(() => Presence.RedisHeartbeatLoadAsync(redis, 1_000_001, 1, 1)));
        Assert.Equal("rounds", await Name<ArgumentOutOfRangeException>(() => Presence.RedisHeartbeatLoadAsync(redis, 1, 0, 1)));
        Assert.Equal("rounds", await Name<ArgumentOutOfRangeException>(() => Presence.RedisHeartbeatLoadAsync(redis, 1, 1001, 1)));
        Assert.Equal("ttlMs", await Name<ArgumentOutOfRangeException>(() => Presence.RedisHeartbeatLoadAsync(redis, 1, 1, 0)));
        Assert.Equal("ttlMs", await Name<ArgumentOutOfRangeException>(() => Presence.RedisHeartbeatLoadAsync(redis, 1, 1, 3_600_001)));
        Assert.Equal("prefix", await Name<ArgumentException>(() => Presence.RedisHeartbeatLoadAsync(redis, 1, 1, 1, "")));
        Assert.Equal("prefix", await Name<ArgumentNullException>(() => Presence.RedisHeartbeatLoadAsync(redis, 1, 1, 1, null!)));
    }

    [SkippableFact]
    public async Task Redis_expiry_guards_name_their_parameter()
    {
        Assert.Equal("redis", (await Assert.ThrowsAsync<ArgumentNullException>(
            () => Presence.RedisExpiryAsync(null!, 100, 200, 1, 1))).ParamName);
        using var redis = RealSystem.RequireRedis();
        async Task<string?> Name<T>(Func<Task> f) where T : ArgumentException => (await Assert.ThrowsAsync<T>(f)).ParamName;
        Assert.Equal("periodMs", await Name<ArgumentOutOfRangeException>(() => Presence.RedisExpiryAsync(redis, 9, 200, 1, 1)));
        Assert.Equal("periodMs", await Name<ArgumentOutOfRangeException>(() => Presence.RedisExpiryAsync(redis, 60_001, 70_000, 1, 1)));
        Assert.Equal("ttlMs", await Name<ArgumentOutOfRangeException>(() => Presence.RedisExpiryAsync(redis, 100, 99, 1, 1)));
        Assert.Equal("ttlMs", await Name<ArgumentOutOfRangeException>(() => Presence.RedisExpiryAsync(redis, 100, 120_001, 1, 1)));
        Assert.Equal("users", await Name<ArgumentOutOfRangeException>(() => Presence.RedisExpiryAsync(redis, 100, 200, 0, 1)));
        Assert.Equal("users", await Name<ArgumentOutOfRangeException>(() => Presence.RedisExpiryAsync(redis, 100, 200, 10_001, 1)));
        Assert.Equal("prefix", await Name<ArgumentException>(() => Presence.RedisExpiryAsync(redis, 100, 200, 1, 1, "")));
    }

    [SkippableFact]
    public async Task Redis_expiry_ignores_other_keys_never_fires_before_the_ttl_and_restores_the_config()
    {
        using var priv = Servers.RedisPrivate();
        Skip.If(priv is null && !RealSystem.Required, "no redis-server");
        Assert.NotNull(priv);
        var redis = priv!.Connection;
        var server = redis.GetServers()[0];
        var db = redis.GetDatabase();
        await server.ConfigSetAsync("notify-keyspace-events", "Kg");
        await server.ConfigSetAsync("hz", "17");
        // A key of the same shape under another prefix expires first: it must not count as user 0 going offline.
        await db.StringSetAsync("rtB:0", "x", TimeSpan.FromMilliseconds(120));
        await db.StringSetAsync("rtA:12", "not a user");
        const int period = 60, ttl = 150, users = 12;
        var r = await Presence.RedisExpiryAsync(redis, period, ttl, users, seed: 9, prefix: "rtA:");
        Assert.Equal((users, users), (r.Users, r.Detected));
        Assert.Equal(users, r.ExpiryLagMs.Length);
        // Redis starts the TTL when the SET arrives, after its instant was stamped: no key expires early.
        Assert.All(r.ExpiryLagMs, lag => Assert.True(lag >= -1, $"lag {lag}"));
        // delay − lag = TTL − (disconnect − last heartbeat): user i disconnects U(0, period) after its last
        // heartbeat, the seeded draws below (in user order).
        var rng = new Random(9);
        var offsets = Enumerable.Range(0, users).Select(_ => rng.NextDouble() * period).ToArray();
        for (int i = 0; i < users; i++)
            Assert.Equal(ttl - offsets[i], r.DelaysMs[i] - r.ExpiryLagMs[i], 0.001);
        var events = (await server.ConfigGetAsync("notify-keyspace-events")).Single().Value;
        Assert.True(events is "Kg" or "gK", events);
        Assert.Equal("17", (await server.ConfigGetAsync("hz")).Single().Value);
        Assert.Equal(0, await server.SubscriptionSubscriberCountAsync(RedisChannel.Literal("__keyevent@0__:expired")));
        for (int i = 0; i < users; i++) Assert.False(await db.KeyExistsAsync($"rtA:{i}"));
        Assert.Equal("not a user", await db.StringGetAsync("rtA:12"));
    }
}
