using Npgsql;
using StackExchange.Redis;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.RealSystems;

/// <summary>
/// Real-server access for tests. Under CI (CI=true) the servers are required: a missing one fails the
/// test. Elsewhere the test is skipped, with the reason and the command that starts the servers.
/// Use with [SkippableFact].
/// </summary>
public static class RealSystem
{
    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static NpgsqlConnection RequirePostgres() => Require(Servers.Postgres, "PostgreSQL", "postgres");

    public static ConnectionMultiplexer RequireRedis() => Require(Servers.Redis, "Redis", "redis");

    public static ConnectionMultiplexer RequireRedisCluster() => Require(Servers.RedisCluster, "Redis (cluster-enabled)", "redis-cluster");

    public static NpgsqlConnection RequirePostgresTwoPc() => Require(Servers.PostgresTwoPc, "PostgreSQL for two-phase commit", "postgres-2pc");

    public static NpgsqlConnection RequirePostgresStandby() => Require(Servers.PostgresStandby, "the PostgreSQL standby", "postgres-standby");

    public static RedisSentinelSet RequireRedisSentinel() => Require(Servers.RedisSentinel, "Redis with Sentinel", "redis-sentinel");

    public static ConnectionMultiplexer RequireRedisCluster3() => Require(Servers.RedisCluster3, "the Redis Cluster (3 masters)", "redis-cluster3");

    public static EtcdCluster RequireEtcd() => Require(Servers.Etcd, "etcd", "etcd");

    public static Amazon.S3.AmazonS3Client RequireS3() => Require(Servers.S3, "the S3 server (s3rver)", "s3");

    public static RabbitMQ.Client.IConnection RequireRabbitMq() => Require(Servers.RabbitMq, "RabbitMQ", "rabbitmq");

    public static NATS.Client.Core.NatsConnection RequireNats() => Require(Servers.Nats, "NATS", "nats");

    /// <summary>
    /// Set by scripts/mutation.sh: before each test connects, <c>services.sh start</c> resumes a paused member of
    /// its service and starts a stopped one. A mutant of <see cref="Faults"/> can skip the resume of a pause, and
    /// the tests of the next mutants must not find the member still paused; this path does not go through the
    /// library, so no mutant can break it. Off elsewhere: a test must not start servers as a side effect.
    /// </summary>
    public static bool ReviveBeforeEachTest => Environment.GetEnvironmentVariable("SDN_REVIVE_BEFORE_EACH_TEST") == "1";

    private static T Require<T>(Func<T?> connect, string what, string service) where T : class
    {
        if (ReviveBeforeEachTest) Revive(service);
        var said = new StringWriter();
        Servers.Out = said;
        try
        {
            var connection = connect();
            if (connection is not null) return connection;
        }
        finally
        {
            Servers.Out = null;
        }
        string reason = said.ToString().Trim();
        if (Required) throw new InvalidOperationException($"CI requires {what}: {reason}");
        Skip.If(true, reason);
        throw new InvalidOperationException("unreachable");
    }

    private static void Revive(string service)
    {
        string? script = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && script is null;
             dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "services.sh")))
                script = Path.Combine(dir.FullName, "scripts", "services.sh");
        if (script is null)
            throw new InvalidOperationException("scripts/services.sh not found above " + AppContext.BaseDirectory);
        // flock: Stryker's parallel test runners must not both start the member they both found down (-o: a server
        // started here must not hold the lock). The output goes to a file: the server inherits the script's stdout,
        // and a pipe would never close.
        string log = Path.Combine(Path.GetTempPath(), "sdn-revive.log");
        string[] args = ["-o", "/tmp/sdn-revive.lock", "bash", "-c", "bash \"$0\" start \"$1\" >> \"$2\" 2>&1",
            script, service, log];
        using var start = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("flock", args))!;
        start.WaitForExit();
        if (start.ExitCode != 0)
            throw new InvalidOperationException($"services.sh start {service} failed (exit {start.ExitCode}): see {log}");
    }
}
