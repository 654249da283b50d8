using Microsoft.Data.Sqlite;
using Npgsql;
using StackExchange.Redis;

namespace SystemDesign.RealSystems;

/// <summary>
/// One way for a cell to get a connection to a real system. Each method returns a ready connection, or
/// prints one line (what is not running and the command that starts it) and returns null, so the cell
/// can skip cleanly: <c>if (Servers.Redis() is { } redis) { … }</c>. Connect timeouts are short: a missing
/// server costs about a second, never a hang. Settings come from environment variables with loopback defaults.
/// </summary>
public static class Servers
{
    public const string StartCommand = "./scripts/services.sh start";

    /// <summary>PostgreSQL connection string: $SDN_POSTGRES, else the server scripts/services.sh starts.</summary>
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("SDN_POSTGRES")
        ?? "Host=127.0.0.1;Port=55432;Username=sdn;Database=sdn;Timeout=3;Command Timeout=60;Pooling=false";

    /// <summary>Standalone Redis: $SDN_REDIS, else 127.0.0.1:46379.</summary>
    public static string RedisEndpoint => Environment.GetEnvironmentVariable("SDN_REDIS") ?? "127.0.0.1:46379";

    /// <summary>A cluster-enabled Redis (for CLUSTER KEYSLOT): $SDN_REDIS_CLUSTER, else 127.0.0.1:46380.</summary>
    public static string RedisClusterEndpoint => Environment.GetEnvironmentVariable("SDN_REDIS_CLUSTER") ?? "127.0.0.1:46380";

    /// <summary>Set by a caller that wants failures instead of skips (the tests under CI).</summary>
    public static TextWriter? Out { get; set; }

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
            Say($"PostgreSQL is not running at {Describe(PostgresConnectionString)} ({FirstLine(e.Message)}): start it with `{StartCommand}`; skipping this experiment.");
            return null;
        }
    }

    /// <summary>A connected standalone Redis, or null after one line saying how to start it.</summary>
    public static ConnectionMultiplexer? Redis() => ConnectRedis(RedisEndpoint, "Redis");

    /// <summary>A connected cluster-enabled Redis, or null after one line saying how to start it.</summary>
    public static ConnectionMultiplexer? RedisCluster() => ConnectRedis(RedisClusterEndpoint, "Redis (cluster-enabled)");

    /// <summary>SQLite needs no server: an open in-memory database (or a file, when a path is given).</summary>
    public static SqliteConnection Sqlite(string? path = null)
    {
        var connection = new SqliteConnection(path is null ? "Data Source=:memory:" : $"Data Source={path}");
        connection.Open();
        return connection;
    }

    private static ConnectionMultiplexer? ConnectRedis(string endpoint, string what)
    {
        var options = ConfigurationOptions.Parse(endpoint);
        // StackExchange.Redis keeps retrying a refused port until its connect timeout; probe the port first so a
        // stopped server costs milliseconds, then give a slow (busy) one the full timeout.
        if (options.EndPoints.FirstOrDefault() is { } first && !Listening(first))
        {
            Say($"{what} is not running at {endpoint} (nothing listens there): start it with `{StartCommand}`; skipping this experiment.");
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
            Say($"{what} is not running at {endpoint} ({FirstLine(e.Message)}): start it with `{StartCommand}`; skipping this experiment.");
            return null;
        }
    }

    private static bool Listening(System.Net.EndPoint endpoint)
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
