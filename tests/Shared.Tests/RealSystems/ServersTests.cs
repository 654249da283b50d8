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
    public async Task Each_parallel_test_keeps_its_own_reason_writer()
    {
        // Both flows set Out, then both read it: with one shared static, one flow would read the other's writer
        // (and a reset in one test's finally would send another's reason to the console: "CI requires etcd: ").
        using var bothSet = new Barrier(2);
        async Task<bool> Flow(TextWriter mine)
        {
            Servers.Out = mine;
            bothSet.SignalAndWait(TimeSpan.FromSeconds(10));
            await Task.Yield();
            bool kept = ReferenceEquals(Servers.Out, mine);
            Servers.Out = null;
            return kept;
        }
        var kept = await Task.WhenAll(Task.Run(() => Flow(new StringWriter())), Task.Run(() => Flow(new StringWriter())));
        Assert.Equal(new[] { true, true }, kept);
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
        Assert.Contains("`./scripts/services.sh start redis`", said);
        Assert.Contains("skipping this experiment", said);
        Assert.True(took < TimeSpan.FromSeconds(5), $"took {took}");
    }

    [Fact]
    public void Each_missing_cluster_names_its_own_service()
    {
        var (standby, s1, _) = Try("SDN_POSTGRES_STANDBY", "Host=127.0.0.1;Port=1;Username=sdn;Database=sdn;Timeout=2", Servers.PostgresStandby);
        Assert.Null(standby);
        Assert.Contains("is not running", s1);
        Assert.Contains("`./scripts/services.sh start postgres-standby`", s1);
        var (cluster3, s2, _) = Try("SDN_REDIS_CLUSTER3", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", Servers.RedisCluster3);
        Assert.Null(cluster3);
        Assert.Contains("`./scripts/services.sh start redis-cluster3`", s2);
        var (sentinel, s3, _) = Try("SDN_REDIS_SENTINEL", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", Servers.RedisSentinel);
        Assert.Null(sentinel);
        Assert.Contains("`./scripts/services.sh start redis-sentinel`", s3);
        var (etcd, s4, took) = Try("SDN_ETCD", "http://127.0.0.1:1,http://127.0.0.1:2", Servers.Etcd);
        Assert.Null(etcd);
        Assert.Contains("etcd is not running", s4);
        Assert.Contains("`./scripts/services.sh start etcd`", s4);
        Assert.True(took < TimeSpan.FromSeconds(5), $"took {took}");
        foreach (var said in new[] { s1, s2, s3, s4 })
        {
            Assert.Single(said.Trim().Split('\n'));
            Assert.Contains("skipping this experiment", said);
        }
    }

    [Fact]
    public void The_registry_script_is_found_and_lists_the_services()
    {
        Assert.NotNull(Services.ScriptPath);
        var (code, output) = Services.Run(TimeSpan.FromSeconds(30), "list");
        Assert.Equal(0, code);
        foreach (var name in new[] { "postgres", "postgres-standby", "redis", "redis-cluster", "redis-cluster3", "redis-sentinel", "etcd" })
            Assert.Contains(name, output.Split('\n', StringSplitOptions.TrimEntries));
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
