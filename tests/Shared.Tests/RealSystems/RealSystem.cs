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

    public static NpgsqlConnection RequirePostgres() => Require(Servers.Postgres, "PostgreSQL");

    public static ConnectionMultiplexer RequireRedis() => Require(Servers.Redis, "Redis");

    public static ConnectionMultiplexer RequireRedisCluster() => Require(Servers.RedisCluster, "Redis (cluster-enabled)");

    public static NpgsqlConnection RequirePostgresTwoPc() => Require(Servers.PostgresTwoPc, "PostgreSQL for two-phase commit");

    public static NpgsqlConnection RequirePostgresStandby() => Require(Servers.PostgresStandby, "the PostgreSQL standby");

    public static RedisSentinelSet RequireRedisSentinel() => Require(Servers.RedisSentinel, "Redis with Sentinel");

    public static ConnectionMultiplexer RequireRedisCluster3() => Require(Servers.RedisCluster3, "the Redis Cluster (3 masters)");

    public static EtcdCluster RequireEtcd() => Require(Servers.Etcd, "etcd");

    public static Amazon.S3.AmazonS3Client RequireS3() => Require(Servers.S3, "the S3 server (s3rver)");

    public static RabbitMQ.Client.IConnection RequireRabbitMq() => Require(Servers.RabbitMq, "RabbitMQ");

    public static NATS.Client.Core.NatsConnection RequireNats() => Require(Servers.Nats, "NATS");

    private static T Require<T>(Func<T?> connect, string what) where T : class
    {
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
}
