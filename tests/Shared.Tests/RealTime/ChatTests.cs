using StackExchange.Redis;
using SystemDesign.RealTime;
using SystemDesign.Tests.RealSystems;
using Xunit;

namespace SystemDesign.Tests.RealTime;

public class ChatTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    /// <summary>A key prefix of its own per test run: two test processes (a mutation run's parallel runners)
    /// share the Redis and must not clear or count each other's keys.</summary>
    private static string Prefix(string test) => $"test:rt:{test}:{Guid.NewGuid():N}:";

    [SkippableFact]
    public async Task The_constructor_clears_earlier_keys_under_its_prefix_only()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        string prefix = Prefix("c1");
        await db.StringSetAsync(prefix + "user:9", 2);
        await db.StringSetAsync(prefix[..^1] + "x", "other");
        await using (var chat = new RedisChat(redis, 2, Ttl, prefix))
        {
            Assert.Equal(2, chat.Gateways);
            Assert.False(await db.KeyExistsAsync(prefix + "user:9"));
            Assert.Null(await chat.RegisteredGatewayAsync(9));
            Assert.True(await db.KeyExistsAsync(prefix[..^1] + "x"));
        }
        await db.KeyDeleteAsync(prefix[..^1] + "x");
    }

    [SkippableFact]
    public async Task Connect_registers_the_gateway_with_the_ttl()
    {
        using var redis = RealSystem.RequireRedis();
        string pc2 = Prefix("c2");
        var db = redis.GetDatabase();
        await using var chat = new RedisChat(redis, 3, TimeSpan.FromSeconds(20), pc2);
        await chat.ConnectAsync(5, 2);
        Assert.Equal(2, await chat.RegisteredGatewayAsync(5));
        var ttl = await db.KeyTimeToLiveAsync(pc2 + "user:5");
        Assert.NotNull(ttl);
        Assert.InRange(ttl!.Value.TotalSeconds, 10, 20);
        await chat.ConnectAsync(5, 0); // reconnecting elsewhere moves the entry
        Assert.Equal(0, await chat.RegisteredGatewayAsync(5));
    }

    [SkippableFact]
    public async Task A_heartbeat_restores_an_expired_entry_and_a_dropped_user_has_none()
    {
        using var redis = RealSystem.RequireRedis();
        string pc3 = Prefix("c3");
        var db = redis.GetDatabase();
        await using var chat = new RedisChat(redis, 2, TimeSpan.FromSeconds(20), pc3);
        Assert.False(await chat.HeartbeatAsync(4)); // never connected
        await chat.ConnectAsync(4, 1);
        await db.KeyDeleteAsync(pc3 + "user:4"); // the TTL ran out
        Assert.Null(await chat.RegisteredGatewayAsync(4));
        Assert.True(await chat.HeartbeatAsync(4));
        Assert.Equal(1, await chat.RegisteredGatewayAsync(4));
        Assert.InRange((await db.KeyTimeToLiveAsync(pc3 + "user:4"))!.Value.TotalSeconds, 10, 20);
        chat.Drop(4);
        Assert.False(await chat.HeartbeatAsync(4));
        Assert.Equal(1, await chat.RegisteredGatewayAsync(4)); // the registry keeps it until the TTL runs out
    }

    [SkippableFact]
    public async Task Sequence_numbers_count_per_conversation_and_recipients_share_one()
    {
        using var redis = RealSystem.RequireRedis();
        string pc4 = Prefix("c4");
        await using var chat = new RedisChat(redis, 2, Ttl, pc4);
        await chat.ConnectAsync(1, 0); await chat.ConnectAsync(2, 0); await chat.ConnectAsync(3, 1);
        Assert.Equal(1, await chat.SendAsync(1, "g", new[] { 2, 3 }, "hi"));
        Assert.Equal(2, await chat.SendAsync(2, "g", new[] { 1, 3 }, "yo"));
        Assert.Equal(1, await chat.SendAsync(1, "d", new[] { 2 }, "dm"));
        Assert.True(await chat.QuiesceAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((3, 2, 0), (chat.SameGateway, chat.CrossGateway, chat.Inboxed));
        // Pub/sub handlers run concurrently: arrival order across gateways is not guaranteed, display order is.
        Assert.Equal(new[] { new ChatMessage("g", 1, 1, "hi"), new ChatMessage("g", 2, 2, "yo") }, chat.Displayed(3));
        Assert.Equal(new[] { new ChatMessage("g", 2, 2, "yo") }, chat.Received(1));
        Assert.Equal(new[] { new ChatMessage("g", 1, 1, "hi"), new ChatMessage("d", 1, 1, "dm") }, chat.Received(2));
        Assert.Equal(new[] { new ChatMessage("d", 1, 1, "dm"), new ChatMessage("g", 1, 1, "hi") }, chat.Displayed(2));
        Assert.Empty(chat.Received(42));
    }

    [SkippableFact]
    public async Task A_sender_without_a_connection_publishes_even_to_gateway_zero()
    {
        using var redis = RealSystem.RequireRedis();
        string pc5 = Prefix("c5");
        await using var chat = new RedisChat(redis, 2, Ttl, pc5);
        await chat.ConnectAsync(2, 0);
        await chat.SendAsync(7, "c", new[] { 2 }, "from an api client");
        Assert.True(await chat.QuiesceAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((0, 1, 0), (chat.SameGateway, chat.CrossGateway, chat.Inboxed));
        Assert.Equal(new[] { new ChatMessage("c", 1, 7, "from an api client") }, chat.Received(2));
    }

    [SkippableFact]
    public async Task A_stale_registry_entry_sends_the_message_to_the_inbox_and_reconnecting_drains_it_in_order()
    {
        using var redis = RealSystem.RequireRedis();
        string pc6 = Prefix("c6");
        await using var chat = new RedisChat(redis, 2, Ttl, pc6);
        await chat.ConnectAsync(1, 0); await chat.ConnectAsync(2, 1); await chat.ConnectAsync(3, 0);
        chat.Drop(2); chat.Drop(3); // both still registered
        await chat.SendAsync(1, "b", new[] { 2, 3 }, "x\u0002y"); // a separator inside the text survives
        await chat.SendAsync(1, "a", new[] { 2 }, "second");
        await chat.SendAsync(1, "b", new[] { 2 }, "third");
        Assert.True(await chat.QuiesceAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((1, 3, 4), (chat.SameGateway, chat.CrossGateway, chat.Inboxed));
        Assert.Empty(chat.Received(2));
        await chat.ConnectAsync(2, 0);
        Assert.Equal(3, chat.Received(2).Count);
        Assert.Equal(new[] { new ChatMessage("a", 1, 1, "second"), new ChatMessage("b", 1, 1, "x\u0002y"),
            new ChatMessage("b", 2, 1, "third") }, chat.Displayed(2));
        await chat.ConnectAsync(3, 1);
        Assert.Equal(new[] { new ChatMessage("b", 1, 1, "x\u0002y") }, chat.Received(3));
        await chat.ConnectAsync(3, 1); // the inbox was drained: nothing twice
        Assert.Single(chat.Received(3));
    }

    [SkippableFact]
    public async Task An_unregistered_recipient_gets_an_inbox_drained_in_arrival_order_and_displayed_by_conversation_then_seq()
    {
        using var redis = RealSystem.RequireRedis();
        string pc9 = Prefix("c9");
        await using var chat = new RedisChat(redis, 2, Ttl, pc9);
        await chat.ConnectAsync(1, 1);
        await chat.SendAsync(1, "b", new[] { 6 }, "b1");
        await chat.SendAsync(1, "a", new[] { 6 }, "a1");
        await chat.SendAsync(1, "b", new[] { 6 }, "b2");
        await chat.SendAsync(1, "B", new[] { 6 }, "B1"); // ordinal: "B" sorts before "a"
        Assert.Equal((0, 0, 4), (chat.SameGateway, chat.CrossGateway, chat.Inboxed));
        await chat.ConnectAsync(6, 0);
        Assert.Equal(new[] { "b1", "a1", "b2", "B1" }, chat.Received(6).Select(m => m.Text));
        Assert.Equal(new[] { "B1", "a1", "b1", "b2" }, chat.Displayed(6).Select(m => m.Text));
        Assert.Equal(new ChatMessage("b", 2, 1, "b2"), chat.Received(6)[2]);
    }

    [SkippableFact]
    public async Task Quiesce_reports_a_message_no_gateway_has_received()
    {
        using var redis = RealSystem.RequireRedis();
        string pc7 = Prefix("c7");
        var db = redis.GetDatabase();
        await using var chat = new RedisChat(redis, 2, Ttl, pc7);
        Assert.True(await chat.QuiesceAsync(TimeSpan.Zero));
        await db.StringSetAsync(pc7 + "user:3", 2); // gateways are 0 and 1: nobody listens on 2
        await chat.SendAsync(1, "c", new[] { 3 }, "lost");
        Assert.Equal(1, chat.CrossGateway);
        Assert.False(await chat.QuiesceAsync(TimeSpan.FromMilliseconds(30)));
    }

    [SkippableFact]
    public async Task Dispose_deletes_the_keys_and_stops_the_gateways()
    {
        using var redis = RealSystem.RequireRedis();
        string pc8 = Prefix("c8");
        var db = redis.GetDatabase();
        var chat = new RedisChat(redis, 2, Ttl, pc8);
        await chat.ConnectAsync(1, 0); await chat.ConnectAsync(2, 1);
        await chat.SendAsync(1, "c", new[] { 2, 3 }, "m");
        Assert.True(await chat.QuiesceAsync(TimeSpan.FromSeconds(5)));
        await chat.DisposeAsync();
        Assert.False(await db.KeyExistsAsync(pc8 + "user:1"));
        Assert.False(await db.KeyExistsAsync(pc8 + "seq:c"));
        Assert.False(await db.KeyExistsAsync(pc8 + "inbox:3"));
        // Nobody listens on the gateway channels any more.
        Assert.Equal(0, await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(pc8 + "gw:1"), "x"));
        Assert.Equal(0, await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(pc8 + "gw:0"), "x"));
    }

    [SkippableFact]
    public async Task Chat_guards_name_their_parameter()
    {
        Assert.Equal("redis", Assert.Throws<ArgumentNullException>(() => new RedisChat(null!, 1, Ttl)).ParamName);
        using var redis = RealSystem.RequireRedis();
        Assert.Equal("gateways", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisChat(redis, 0, Ttl, Prefix("g"))).ParamName);
        Assert.Equal("gateways", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisChat(redis, 65, Ttl, Prefix("g"))).ParamName);
        Assert.Equal("ttl", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisChat(redis, 1, TimeSpan.FromMilliseconds(0.5), Prefix("g"))).ParamName);
        Assert.Equal("ttl", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisChat(redis, 1, TimeSpan.FromHours(1.01), Prefix("g"))).ParamName);
        Assert.Equal("prefix", Assert.Throws<ArgumentException>(() => new RedisChat(redis, 1, Ttl, "")).ParamName);
        await using var chat = new RedisChat(redis, 2, Ttl, Prefix("g"));
        async Task<string?> Name<T>(Func<Task> f) where T : ArgumentException => (await Assert.ThrowsAsync<T>(f)).ParamName;
        Assert.Equal("user", await Name<ArgumentOutOfRangeException>(() => chat.ConnectAsync(-1, 0)));
        Assert.Equal("gateway", await Name<ArgumentOutOfRangeException>(() => chat.ConnectAsync(1, -1)));
        Assert.Equal("gateway", await Name<ArgumentOutOfRangeException>(() => chat.ConnectAsync(1, 2)));
        Assert.Equal("user", await Name<ArgumentOutOfRangeException>(() => chat.HeartbeatAsync(-1)));
        Assert.Equal("user", Assert.Throws<ArgumentOutOfRangeException>(() => chat.Drop(-1)).ParamName);
        Assert.Equal("user", await Name<ArgumentOutOfRangeException>(() => chat.RegisteredGatewayAsync(-1)));
        int[] to = [1];
        Assert.Equal("from", await Name<ArgumentOutOfRangeException>(() => chat.SendAsync(-1, "c", to, "t")));
        Assert.Equal("conversation", await Name<ArgumentException>(() => chat.SendAsync(1, "", to, "t")));
        Assert.Equal("conversation", await Name<ArgumentNullException>(() => chat.SendAsync(1, null!, to, "t")));
        Assert.Equal("to", await Name<ArgumentException>(() => chat.SendAsync(1, "c", Array.Empty<int>(), "t")));
        Assert.Equal("to", await Name<ArgumentNullException>(() => chat.SendAsync(1, "c", null!, "t")));
        Assert.Equal("text", await Name<ArgumentNullException>(() => chat.SendAsync(1, "c", to, null!)));
    }

    [Fact]
    public void Group_fanout_is_seeded_and_counts_storage_operations()
    {
        Assert.Equal(new FanoutRun(4, 10, 40, 13, 10, 13, 37, true, 10), GroupFanout.Simulate(4, 10, 3, 2));
    }

    [Fact]
    public void Group_fanout_reads_once_per_check_and_the_last_read_sees_every_message()
    {
        var r = GroupFanout.Simulate(7, 30, 4, 11);
        Assert.Equal((7L * 30, 30L), (r.WritesOnWrite, r.WritesOnRead));
        Assert.Equal((7L * 4 + 1, 7L * 4 + 1), (r.ReadsOnWrite, r.ReadsOnRead));
        Assert.True(r.SameDelivery);
        Assert.Equal(30, r.SeenByMember0);
        Assert.InRange(r.RowsReadOnRead, 30, 7 * 30); // each row is read at most once per member
    }

    [Fact]
    public void Group_fanout_guards_name_their_parameter()
    {
        Assert.Equal("members", Assert.Throws<ArgumentOutOfRangeException>(() => GroupFanout.Simulate(1_000_001, 1, 1, 1)).ParamName);
        Assert.Equal("messages", Assert.Throws<ArgumentOutOfRangeException>(() => GroupFanout.Simulate(2, 0, 1, 1)).ParamName);
        Assert.Equal("messages", Assert.Throws<ArgumentOutOfRangeException>(() => GroupFanout.Simulate(2, 1_000_001, 1, 1)).ParamName);
        Assert.Equal("readsPerMember", Assert.Throws<ArgumentOutOfRangeException>(() => GroupFanout.Simulate(2, 1, 0, 1)).ParamName);
        Assert.Equal("readsPerMember", Assert.Throws<ArgumentOutOfRangeException>(() => GroupFanout.Simulate(2, 1, 10_001, 1)).ParamName);
    }
}
