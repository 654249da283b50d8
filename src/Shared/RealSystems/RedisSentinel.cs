using System.Diagnostics;
using System.Net;
using StackExchange.Redis;

namespace SystemDesign.RealSystems;

/// <summary>
/// The Redis primary + replica watched by three Sentinels (registry service <c>redis-sentinel</c>): which
/// node is primary now (as the Sentinels say), connections to a node, and waiting for a failover or for
/// the set to be healthy again. Node endpoints come from $SDN_REDIS_REPLICATED, Sentinels from
/// $SDN_REDIS_SENTINEL, the master name from $SDN_REDIS_SENTINEL_MASTER.
/// </summary>
public sealed class RedisSentinelSet
{
    public RedisSentinelSet(IReadOnlyList<string> nodes, IReadOnlyList<string> sentinels, string masterName)
    {
        Nodes = Guard.NotEmpty(nodes).ToArray();
        Sentinels = Guard.NotEmpty(sentinels).ToArray();
        MasterName = Guard.NotEmpty(masterName);
    }

    /// <summary>The data nodes, "host:port" (node1, node2).</summary>
    public IReadOnlyList<string> Nodes { get; }

    /// <summary>The Sentinels, "host:port".</summary>
    public IReadOnlyList<string> Sentinels { get; }

    public string MasterName { get; }

    /// <summary>The primary as a quorum of answering Sentinels names it ("host:port"), or null.</summary>
    public string? Primary()
    {
        var votes = new Dictionary<string, int>();
        foreach (var s in Sentinels)
        {
            if (!Servers.Listening(ConfigurationOptions.Parse(s).EndPoints.First())) continue;
            try
            {
                using var conn = ConnectSentinel(s);
                var addr = (RedisValue[]?)conn.GetServer(s).Execute("SENTINEL", "get-master-addr-by-name", MasterName);
                if (addr is { Length: 2 }) votes[$"{addr[0]}:{addr[1]}"] = votes.GetValueOrDefault($"{addr[0]}:{addr[1]}") + 1;
            }
            catch (Exception e) when (e is RedisException or TimeoutException) { }
        }
        var best = votes.OrderByDescending(kv => kv.Value).FirstOrDefault();
        return best.Value >= 2 ? best.Key : null;
    }

    /// <summary>The node that is not <paramref name="node"/>.</summary>
    public string Other(string node) => Nodes.Single(n => n != Guard.NotEmpty(node));

    /// <summary>The registry member (node1, node2) serving a node endpoint, for <see cref="Faults"/>.</summary>
    public static string MemberOf(string node)
    {
        int port = PortOf(Guard.NotEmpty(node));
        return Services.Layout("redis-sentinel").FirstOrDefault(m => m.Port == port)?.Member
            ?? Services.MemberAtPort("redis-sentinel", port).Member;
    }

    /// <summary>A connection to one node alone (no topology discovery, no following a failover), short timeouts.</summary>
    public static ConnectionMultiplexer ConnectNode(string node, int syncTimeoutMs = 2000)
    {
        Guard.NotEmpty(node);
        Guard.InRange(syncTimeoutMs, 100, 60000);
        var options = ConfigurationOptions.Parse(node);
        options.AllowAdmin = true;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = syncTimeoutMs;
        options.AsyncTimeout = syncTimeoutMs;
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 1;
        options.CommandMap = CommandMap.Default;
        return ConnectionMultiplexer.Connect(options);
    }

    /// <summary>Waits until the Sentinels name a primary other than <paramref name="oldPrimary"/>; returns it and the
    /// time taken, or null after the timeout.</summary>
    public (string Primary, TimeSpan After)? WaitForFailover(string oldPrimary, TimeSpan timeout)
    {
        Guard.NotEmpty(oldPrimary);
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(2),
            "timeout must be in (0, 2 min]", nameof(timeout));
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Primary() is { } p && p != oldPrimary) return (p, watch.Elapsed);
            Thread.Sleep(50);
        }
        return null;
    }

    /// <summary>
    /// The registry's health check of <c>redis-sentinel</c> (<c>service_check</c> in
    /// scripts/services.d/redis-sentinel.sh), in process: every node and Sentinel answers; the Sentinels agree on
    /// the primary, each has a quorum (CKQUORUM), flags it a healthy master and counts one replica; the primary
    /// reports role master with an online replica, and the other node's link to it is up. Null when healthy, else
    /// why not. Each check there runs a redis-cli process (about 1 s on a loaded machine in all); this one
    /// costs a few milliseconds, so a fault experiment can poll it.
    /// </summary>
    public string? Health()
    {
        try
        {
            string? primary = null;
            foreach (var s in Sentinels)
            {
                using var c = new RespClient(s, TimeSpan.FromSeconds(2));
                var addr = c.Send("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MasterName).Items;
                if (addr is not { Count: 2 }) return $"{s} knows no primary";
                string named = $"{addr[0].Text}:{addr[1].Text}";
                if (primary is not null && primary != named) return $"the Sentinels disagree on the primary ({primary}, {named})";
                primary = named;
                if (c.Send("SENTINEL", "CKQUORUM", MasterName) is { IsError: true } q) return $"{s}: no quorum ({q.Text})";
                var f = Fields(c.Send("SENTINEL", "MASTER", MasterName).Items);
                if (f.GetValueOrDefault("flags") != "master") return $"{s} flags the primary '{f.GetValueOrDefault("flags")}'";
                if (f.GetValueOrDefault("num-slaves") != "1") return $"{s} counts {f.GetValueOrDefault("num-slaves")} replicas, not 1";
            }
            if (primary is null || !Nodes.Contains(primary)) return $"the Sentinels name {primary}, not one of the nodes";
            var p = Info(primary);
            if (p.GetValueOrDefault("role") != "master") return $"{primary} is not a primary";
            if (!(p.GetValueOrDefault("slave0") ?? "").Contains("state=online", StringComparison.Ordinal))
                return $"the primary {primary} has no online replica";
            string other = Other(primary);
            if (Info(other).GetValueOrDefault("master_link_status") != "up") return $"the replica {other} is not linked to {primary}";
            return null;
        }
        catch (Exception e) when (e is IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return $"a member does not answer: {e.Message}";
        }
    }

    private static Dictionary<string, string> Info(string node)
    {
        using var c = new RespClient(node, TimeSpan.FromSeconds(2));
        return (c.Send("INFO", "replication").Text ?? "").Split('\n')
            .Select(line => line.TrimEnd('\r').Split(':', 2)).Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1]);
    }

    private static Dictionary<string, string> Fields(IReadOnlyList<RespReply>? items)
    {
        var f = new Dictionary<string, string>();
        for (int i = 0; items is not null && i + 1 < items.Count; i += 2) f[items[i].Text ?? ""] = items[i + 1].Text ?? "";
        return f;
    }

    /// <summary>The replication role a node reports ("master", "slave"), or null when it does not answer.</summary>
    public static string? Role(string node)
    {
        try
        {
            using var conn = ConnectNode(node);
            var info = conn.GetServer(node).Info("replication").SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
            return info.GetValueOrDefault("role");
        }
        catch (Exception e) when (e is RedisException or TimeoutException) { return null; }
    }

    private static ConnectionMultiplexer ConnectSentinel(string endpoint)
    {
        var options = ConfigurationOptions.Parse(endpoint);
        options.CommandMap = CommandMap.Sentinel;
        options.ConnectTimeout = 3000;
        options.SyncTimeout = 3000;
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.AllowAdmin = true;
        return ConnectionMultiplexer.Connect(options);
    }

    internal static int PortOf(string endpoint)
    {
        var ep = ConfigurationOptions.Parse(endpoint).EndPoints.First();
        return ep switch { DnsEndPoint d => d.Port, IPEndPoint ip => ip.Port, _ => throw new ArgumentException($"no port in {endpoint}") };
    }
}
