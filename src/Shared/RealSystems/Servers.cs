using Microsoft.Data.Sqlite;
using Npgsql;
using StackExchange.Redis;

namespace SystemDesign.RealSystems;

/// <summary>
/// One way for a cell to get a connection to a real system. Each method returns a ready connection, or
/// prints one line (what is not running and the command that starts it) and returns null, so the cell
/// can skip cleanly: <c>if (Servers.Redis() is { } redis) { … }</c>. Connect timeouts are short: a missing
/// server costs about a second, never a hang. Settings come from environment variables with loopback defaults
/// (those <c>./scripts/services.sh env</c> prints). The line names the one registry service to start, e.g.
/// <c>./scripts/services.sh start redis</c>.
/// </summary>
public static partial class Servers
{
    public const string StartCommand = "./scripts/services.sh start";

    private static string StartIt(string service) => $"start it with `{StartCommand} {service}`; skipping this experiment.";

    /// <summary>PostgreSQL connection string: $SDN_POSTGRES, else the server scripts/services.sh starts.</summary>
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("SDN_POSTGRES")
        ?? "Host=127.0.0.1;Port=55432;Username=sdn;Database=sdn;Timeout=3;Command Timeout=60;Pooling=false";

    /// <summary>Standalone Redis: $SDN_REDIS, else 127.0.0.1:46379.</summary>
    public static string RedisEndpoint => Environment.GetEnvironmentVariable("SDN_REDIS") ?? "127.0.0.1:46379";

    /// <summary>A cluster-enabled Redis (for CLUSTER KEYSLOT): $SDN_REDIS_CLUSTER, else 127.0.0.1:46380.</summary>
    public static string RedisClusterEndpoint => Environment.GetEnvironmentVariable("SDN_REDIS_CLUSTER") ?? "127.0.0.1:46380";

    /// <summary>Where the "how to start it" lines go (the console when null); set by a caller that wants the reason
    /// itself (the tests). Per async flow: tests run in parallel, and one test's reset must not swallow another's.</summary>
    public static TextWriter? Out { get => OutOfFlow.Value; set => OutOfFlow.Value = value; }

    private static readonly AsyncLocal<TextWriter?> OutOfFlow = new();

    /// <summary>An open PostgreSQL connection, or null after one line saying how to start the server.</summary>
    public static NpgsqlConnection? Postgres()
    {
        var connection = new NpgsqlConnection(PostgresConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            connection.Dispose();
            Say($"PostgreSQL is not running at {Describe(PostgresConnectionString)} ({FirstLine(e.Message)}): {StartIt("postgres")}");
            return null;
        }
    }

    /// <summary>The PostgreSQL server notebook 15 crashes (registry service <c>postgres-2pc</c>,
    /// max_prepared_transactions = 20): $SDN_POSTGRES_2PC, else port 25434.</summary>
    public static string PostgresTwoPcConnectionString =>
        Environment.GetEnvironmentVariable("SDN_POSTGRES_2PC")
        ?? "Host=127.0.0.1;Port=25434;Username=sdn;Database=sdn;Timeout=3;Command Timeout=60;Pooling=false";

    /// <summary>An open connection to the <c>postgres-2pc</c> server, or null after one line saying how to start it.</summary>
    public static NpgsqlConnection? PostgresTwoPc()
    {
        var connection = new NpgsqlConnection(PostgresTwoPcConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            connection.Dispose();
            Say($"PostgreSQL for two-phase commit is not running at {Describe(PostgresTwoPcConnectionString)} ({FirstLine(e.Message)}): {StartIt("postgres-2pc")}");
            return null;
        }
    }

    /// <summary>The streaming standby of <see cref="Postgres"/>: $SDN_POSTGRES_STANDBY, else port 25433.</summary>
    public static string PostgresStandbyConnectionString =>
        Environment.GetEnvironmentVariable("SDN_POSTGRES_STANDBY")
        ?? "Host=127.0.0.1;Port=25433;Username=sdn;Database=sdn;Timeout=3;Command Timeout=60;Pooling=false";

    /// <summary>An open connection to the standby (read-only, in recovery), or null after one line saying how
    /// to start it. Use with <see cref="StandbyControl"/>.</summary>
    public static NpgsqlConnection? PostgresStandby()
    {
        var connection = new NpgsqlConnection(PostgresStandbyConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            connection.Dispose();
            Say($"The PostgreSQL standby is not running at {Describe(PostgresStandbyConnectionString)} ({FirstLine(e.Message)}): {StartIt("postgres-standby")}");
            return null;
        }
    }

    /// <summary>The Redis Sentinel set's data nodes: $SDN_REDIS_REPLICATED, else 127.0.0.1:26390,127.0.0.1:26391.</summary>
    public static string RedisReplicatedEndpoints =>
        Environment.GetEnvironmentVariable("SDN_REDIS_REPLICATED") ?? "127.0.0.1:26390,127.0.0.1:26391";

    /// <summary>The three Sentinels: $SDN_REDIS_SENTINEL, else 127.0.0.1:26392..26394.</summary>
    public static string RedisSentinelEndpoints =>
        Environment.GetEnvironmentVariable("SDN_REDIS_SENTINEL") ?? "127.0.0.1:26392,127.0.0.1:26393,127.0.0.1:26394";

    /// <summary>The primary + replica + three Sentinels, or null after one line saying how to start them.</summary>
    public static RedisSentinelSet? RedisSentinel()
    {
        var nodes = Split(RedisReplicatedEndpoints);
        var sentinels = Split(RedisSentinelEndpoints);
        string master = Environment.GetEnvironmentVariable("SDN_REDIS_SENTINEL_MASTER") ?? "sdn-primary";
        var set = new RedisSentinelSet(nodes, sentinels, master);
        if (nodes.Concat(sentinels).FirstOrDefault(e => !Listening(ConfigurationOptions.Parse(e).EndPoints.First())) is { } down)
        {
            Say($"Redis with Sentinel is not running ({down}: nothing listens there): {StartIt("redis-sentinel")}");
            return null;
        }
        if (set.Primary() is null)
        {
            Say($"Redis with Sentinel is not running (the Sentinels at {RedisSentinelEndpoints} name no primary): {StartIt("redis-sentinel")}");
            return null;
        }
        return set;
    }

    /// <summary>The 3-master Redis Cluster: $SDN_REDIS_CLUSTER3, else 127.0.0.1:16381,127.0.0.1:16382,127.0.0.1:16383.</summary>
    public static string RedisCluster3Endpoints =>
        Environment.GetEnvironmentVariable("SDN_REDIS_CLUSTER3") ?? "127.0.0.1:16381,127.0.0.1:16382,127.0.0.1:16383";

    /// <summary>A cluster-aware connection to the 3-master Redis Cluster (follows MOVED/ASK), or null after one line.</summary>
    public static ConnectionMultiplexer? RedisCluster3() => ConnectRedis(RedisCluster3Endpoints, "The Redis Cluster (3 masters)", "redis-cluster3");

    /// <summary>The 3-member etcd's client URLs: $SDN_ETCD, else http://127.0.0.1:22379,22381,22383.</summary>
    public static string EtcdEndpoints =>
        Environment.GetEnvironmentVariable("SDN_ETCD") ?? "http://127.0.0.1:22379,http://127.0.0.1:22381,http://127.0.0.1:22383";

    /// <summary>A client for the 3-member etcd, or null after one line saying how to start it (when no member answers).</summary>
    public static EtcdCluster? Etcd()
    {
        var etcd = new EtcdCluster(Split(EtcdEndpoints));
        if (etcd.Statuses().Count > 0) return etcd;
        etcd.Dispose();
        Say($"etcd is not running at {EtcdEndpoints} (no member answers): {StartIt("etcd")}");
        return null;
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A connected standalone Redis, or null after one line saying how to start it.</summary>
    public static ConnectionMultiplexer? Redis() => ConnectRedis(RedisEndpoint, "Redis", "redis");

    /// <summary>A connected cluster-enabled Redis, or null after one line saying how to start it.</summary>
    public static ConnectionMultiplexer? RedisCluster() => ConnectRedis(RedisClusterEndpoint, "Redis (cluster-enabled)", "redis-cluster");

    /// <summary>SQLite needs no server: an open in-memory database (or a file, when a path is given).</summary>
    public static SqliteConnection Sqlite(string? path = null)
    {
        var connection = new SqliteConnection(path is null ? "Data Source=:memory:" : $"Data Source={path}");
        connection.Open();
        return connection;
    }

    private static ConnectionMultiplexer? ConnectRedis(string endpoint, string what, string service)
    {
        var options = ConfigurationOptions.Parse(endpoint);
        // StackExchange.Redis keeps retrying a refused port until its connect timeout; probe the ports first so a
        // stopped server costs milliseconds, then give a slow (busy) one the full timeout.
        if (options.EndPoints.FirstOrDefault(e => !Listening(e)) is { } down)
        {
            Say($"{what} is not running at {endpoint} ({(options.EndPoints.Count == 1 ? "nothing listens there" : $"nothing listens at {EndpointText(down)}")}): {StartIt(service)}");
            return null;
        }
        options.ConnectTimeout = 5000;
        options.SyncTimeout = 10000;
        options.AbortOnConnectFail = true;
        options.AllowAdmin = true; // FLUSHDB and CONFIG in experiments that clean up after themselves
        options.ConnectRetry = 1;
        try
        {
            return ConnectionMultiplexer.Connect(options);
        }
        catch (RedisConnectionException e)
        {
            Say($"{what} is not running at {endpoint} ({FirstLine(e.Message)}): {StartIt(service)}");
            return null;
        }
    }

    private static string EndpointText(System.Net.EndPoint endpoint) => endpoint switch
    {
        System.Net.DnsEndPoint d => $"{d.Host}:{d.Port}",
        System.Net.IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => endpoint.ToString() ?? "",
    };

    internal static bool Listening(System.Net.EndPoint endpoint)
    {
        var (host, port) = endpoint switch
        {
            System.Net.DnsEndPoint d => (d.Host, d.Port),
            System.Net.IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => ("", 0),
        };
        if (port == 0) return true; // unknown kind: let the client decide
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            return client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(2)) && client.Connected;
        }
        catch (AggregateException)
        {
            return false; // refused or unreachable
        }
    }

    private static void Say(string line) => (Out ?? Console.Out).WriteLine(line);

    private static string FirstLine(string s)
    {
        string line = s.Split('\n')[0].Trim();
        return line.Length > 120 ? line[..120] + "…" : line;
    }

    private static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}";
    }
}
