using System.Diagnostics;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.RealSystems;

[Collection("environment")]
public sealed class ServersTests
{
    private static (T? Result, string Said, TimeSpan Took) Try<T>(string variable, string value, Func<T?> connect) where T : class
    {
        string? old = Environment.GetEnvironmentVariable(variable);
        var said = new StringWriter();
        Environment.SetEnvironmentVariable(variable, value);
        Servers.Out = said;
        var watch = Stopwatch.StartNew();
        try { return (connect(), said.ToString(), watch.Elapsed); }
        finally
        {
            Servers.Out = null;
            Environment.SetEnvironmentVariable(variable, old);
        }
    }

    [Fact]
    public void A_missing_postgres_gives_null_and_one_line_with_the_start_command_quickly()
    {
        var (pg, said, took) = Try("SDN_POSTGRES", "Host=127.0.0.1;Port=1;Username=sdn;Database=sdn;Timeout=2", Servers.Postgres);
        Assert.Null(pg);
        Assert.Single(said.Trim().Split('\n'));
        Assert.Contains("PostgreSQL is not running at 127.0.0.1:1", said);
        Assert.Contains(Servers.StartCommand, said);
        Assert.True(took < TimeSpan.FromSeconds(5), $"took {took}");
    }

    [Fact]
    public void A_missing_redis_gives_null_and_one_line_with_the_start_command_quickly()
    {
        var (redis, said, took) = Try("SDN_REDIS", "127.0.0.1:1", Servers.Redis);
        Assert.Null(redis);
        Assert.Single(said.Trim().Split('\n'));
        Assert.Contains("Redis is not running at 127.0.0.1:1", said);
        Assert.True(took < TimeSpan.FromSeconds(5), $"took {took}");
    }

    [SkippableFact]
    public void The_running_servers_answer()
    {
        using var pg = RealSystem.RequirePostgres();
        using var cmd = pg.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM pg_extension WHERE extname = 'pageinspect'";
        Assert.Equal(1L, (long)cmd.ExecuteScalar()!);
        using var redis = RealSystem.RequireRedis();
        Assert.True(redis.GetDatabase().Ping() < TimeSpan.FromSeconds(1));
        using var cluster = RealSystem.RequireRedisCluster();
        Assert.Equal(12182, (int)cluster.GetDatabase().Execute("CLUSTER", "KEYSLOT", "foo"));
    }

    [Fact]
    public void Sqlite_is_always_there()
    {
        using var db = Servers.Sqlite();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT sqlite_version()";
        Assert.StartsWith("3.", (string)cmd.ExecuteScalar()!);
    }
}

/// <summary>Tests that change process-wide environment variables run alone, after the parallel ones.</summary>
[CollectionDefinition("environment", DisableParallelization = true)]
public sealed class EnvironmentCollection;
