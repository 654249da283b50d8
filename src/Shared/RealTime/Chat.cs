using System.Collections.Concurrent;
using StackExchange.Redis;

namespace SystemDesign.RealTime;

/// <summary>A delivered chat message: conversation, per-conversation sequence number, sender, text.</summary>
public sealed record ChatMessage(string Conversation, long Seq, int From, string Text);

/// <summary>
/// A chat back end on real Redis: gateway registry <c>{prefix}user:{id}</c> = gateway id with a heartbeat TTL,
/// per-conversation sequence numbers from <c>INCR</c>, cross-gateway delivery by <c>PUBLISH</c> to the
/// recipient's gateway channel, and an offline inbox (a list) drained on connect. Gateways live in this
/// process; each has its own Redis subscription, as separate servers would.
/// </summary>
public sealed class RedisChat : IAsyncDisposable
{
    private readonly ConnectionMultiplexer redis;
    private readonly IDatabase db;
    private readonly string prefix;
    private readonly TimeSpan ttl;
    private readonly ConcurrentDictionary<int, int> connectedAt = new();
    private readonly ConcurrentDictionary<int, ConcurrentQueue<ChatMessage>> mailboxes = new();
    private readonly List<RedisChannel> channels = new();
    private int published, received, inboxed, local;

    public RedisChat(ConnectionMultiplexer redis, int gateways, TimeSpan ttl, string prefix = "nb16:chat:")
    {
        this.redis = Guard.NotNull(redis);
        Gateways = Guard.InRange(gateways, 1, 64);
        this.ttl = ttl;
        Guard.InRange(ttl.TotalMilliseconds, 1, 3_600_000, nameof(ttl));
        this.prefix = Guard.NotEmpty(prefix);
        db = redis.GetDatabase();
        var server = redis.GetServers()[0];
        foreach (var key in server.Keys(db.Database, prefix + "*")) db.KeyDelete(key);
        var sub = redis.GetSubscriber();
        for (int g = 0; g < gateways; g++)
        {
            int gateway = g;
            var channel = RedisChannel.Literal($"{prefix}gw:{g}");
            channels.Add(channel);
            sub.Subscribe(channel, (_, value) => OnGatewayMessage(gateway, value!));
        }
    }

    public int Gateways { get; }
    /// <summary>Messages sent to another gateway through pub/sub.</summary>
    public int CrossGateway => published;
    /// <summary>Messages delivered on the sender's own gateway without Redis pub/sub.</summary>
    public int SameGateway => local;
    /// <summary>Messages written to an offline inbox.</summary>
    public int Inboxed => inboxed;

    /// <summary>Connects <paramref name="user"/> to <paramref name="gateway"/>: registers it with the TTL and
    /// drains its offline inbox in order.</summary>
    public async Task ConnectAsync(int user, int gateway)
    {
        Guard.NonNegative(user); Guard.InRange(gateway, 0, Gateways - 1);
        connectedAt[user] = gateway;
        await db.StringSetAsync($"{prefix}user:{user}", gateway, ttl);
        var box = Mailbox(user);
        while (await db.ListLeftPopAsync($"{prefix}inbox:{user}") is { IsNull: false } v)
            box.Enqueue(Decode(v!));
    }

    /// <summary>A heartbeat from a connected user: re-registers it on its gateway with a fresh TTL (a SET,
    /// not an EXPIRE, so an entry that already expired comes back). False when the user is not connected.</summary>
    public async Task<bool> HeartbeatAsync(int user)
    {
        Guard.NonNegative(user);
        if (!connectedAt.TryGetValue(user, out int gateway)) return false;
        return await db.StringSetAsync($"{prefix}user:{user}", gateway, ttl);
    }

    /// <summary>The connection drops without a goodbye: the gateway forgets the user, the registry entry
    /// stays until its TTL runs out.</summary>
    public void Drop(int user) => connectedAt.TryRemove(Guard.NonNegative(user), out _);

    /// <summary>The gateway the registry currently names for <paramref name="user"/>, or null.</summary>
    public async Task<int?> RegisteredGatewayAsync(int user)
    {
        var v = await db.StringGetAsync($"{prefix}user:{Guard.NonNegative(user)}");
        return v.IsNull ? null : (int)v;
    }

    /// <summary>Sends <paramref name="text"/> from <paramref name="from"/> to every recipient in
    /// <paramref name="to"/>: one sequence number per message per conversation.</summary>
    public async Task<long> SendAsync(int from, string conversation, IReadOnlyCollection<int> to, string text)
    {
        Guard.NonNegative(from); Guard.NotEmpty(conversation); Guard.NotEmpty(to); Guard.NotNull(text);
        long seq = await db.StringIncrementAsync($"{prefix}seq:{conversation}");
        var message = new ChatMessage(conversation, seq, from, text);
        connectedAt.TryGetValue(from, out int senderGateway);
        foreach (int user in to)
        {
            var gw = await db.StringGetAsync($"{prefix}user:{user}");
            if (gw.IsNull) await ToInbox(user, message);
            else if ((int)gw == senderGateway && connectedAt.ContainsKey(from)) { Interlocked.Increment(ref local); Deliver((int)gw, user, message); }
            else
            {
                Interlocked.Increment(ref published);
                await redis.GetSubscriber().PublishAsync(RedisChannel.Literal($"{prefix}gw:{(int)gw}"),
                    $"{user}\u0001{Encode(message)}");
            }
        }
        return seq;
    }

    /// <summary>Waits until every published message has been received by its gateway (or the timeout).</summary>
    public async Task<bool> QuiesceAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref received) < Volatile.Read(ref published))
        {
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(2);
        }
        return true;
    }

    /// <summary>Messages the user's client has received, in arrival order.</summary>
    public IReadOnlyList<ChatMessage> Received(int user) => Mailbox(user).ToArray();

    /// <summary>What the client shows: arrival order re-sorted by (conversation, seq).</summary>
    public IReadOnlyList<ChatMessage> Displayed(int user) =>
        Mailbox(user).OrderBy(m => m.Conversation, StringComparer.Ordinal).ThenBy(m => m.Seq).ToArray();

    private void OnGatewayMessage(int gateway, string value)
    {
        int cut = value.IndexOf('\u0001');
        int user = int.Parse(value.AsSpan(0, cut));
        var message = Decode(value[(cut + 1)..]);
        Deliver(gateway, user, message);
        Interlocked.Increment(ref received);
    }

    private void Deliver(int gateway, int user, ChatMessage message)
    {
        if (connectedAt.TryGetValue(user, out int at) && at == gateway) Mailbox(user).Enqueue(message);
        else ToInbox(user, message).GetAwaiter().GetResult(); // stale registry: the user left this gateway
    }

    private async Task ToInbox(int user, ChatMessage message)
    {
        Interlocked.Increment(ref inboxed);
        await db.ListRightPushAsync($"{prefix}inbox:{user}", Encode(message));
    }

    private ConcurrentQueue<ChatMessage> Mailbox(int user) => mailboxes.GetOrAdd(user, _ => new());

    private static string Encode(ChatMessage m) => $"{m.Conversation}\u0002{m.Seq}\u0002{m.From}\u0002{m.Text}";

    private static ChatMessage Decode(string s)
    {
        var p = s.Split('\u0002', 4);
        return new ChatMessage(p[0], long.Parse(p[1]), int.Parse(p[2]), p[3]);
    }

    public async ValueTask DisposeAsync()
    {
        var sub = redis.GetSubscriber();
        foreach (var c in channels) await sub.UnsubscribeAsync(c);
        var server = redis.GetServers()[0];
        foreach (var key in server.Keys(db.Database, prefix + "*")) await db.KeyDeleteAsync(key);
    }
}

/// <summary>Group delivery: fan-out on write (a copy per member inbox) against fan-out on read (one group log,
/// each member reads from its cursor). Both are run and must deliver the same messages.</summary>
public static class GroupFanout
{
    /// <summary>Runs <paramref name="messages"/> posts into a group of <paramref name="members"/>, with each
    /// member checking for new messages <paramref name="readsPerMember"/> times at random instants.</summary>
    public static FanoutRun Simulate(int members, int messages, int readsPerMember, int seed)
    {
        Guard.InRange(members, 2, 1_000_000); Guard.InRange(messages, 1, 1_000_000);
        Guard.InRange(readsPerMember, 1, 10_000);
        var rng = new Random(seed);
        // Events: posts at 0..messages-1, reads at random real times in [0, messages].
        var reads = new List<(double At, int Member)>();
        for (int m = 0; m < members; m++)
            for (int r = 0; r < readsPerMember; r++) reads.Add((rng.NextDouble() * messages, m));
        reads.Add((messages, 0)); // a last read so member 0 sees everything
        reads.Sort((a, b) => a.At.CompareTo(b.At));
        var inboxes = new List<int>[members];
        for (int m = 0; m < members; m++) inboxes[m] = new List<int>();
        var log = new List<int>();
        var cursor = new int[members];
        var seenWrite = new List<int>[members];
        var seenRead = new List<int>[members];
        for (int m = 0; m < members; m++) { seenWrite[m] = new(); seenRead[m] = new(); }
        long writeOnWrite = 0, readOnWrite = 0, writeOnRead = 0, readOnRead = 0, rowsOnRead = 0;
        int next = 0;
        foreach (var (at, member) in reads)
        {
            for (; next < messages && next <= at; next++)
            {
                foreach (var box in inboxes) { box.Add(next); writeOnWrite++; }
                log.Add(next); writeOnRead++;
            }
            // On write: read and clear one's own inbox (one query).
            readOnWrite++; seenWrite[member].AddRange(inboxes[member]); inboxes[member].Clear();
            // On read: one range query on the group log from the cursor.
            readOnRead++; rowsOnRead += log.Count - cursor[member];
            seenRead[member].AddRange(log.Skip(cursor[member])); cursor[member] = log.Count;
        }
        bool same = Enumerable.Range(0, members).All(m => seenWrite[m].SequenceEqual(seenRead[m]));
        return new FanoutRun(members, messages, writeOnWrite, readOnWrite, writeOnRead, readOnRead, rowsOnRead,
            same, seenRead[0].Count);
    }
}

/// <summary>Storage operations of both group delivery strategies.</summary>
public sealed record FanoutRun(int Members, int Messages, long WritesOnWrite, long ReadsOnWrite,
    long WritesOnRead, long ReadsOnRead, long RowsReadOnRead, bool SameDelivery, int SeenByMember0);
