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
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(2), "timeout must be in (0, 2 min]");
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Primary() is { } p && p != oldPrimary) return (p, watch.Elapsed);
            Thread.Sleep(50);
        }
        return null;
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
