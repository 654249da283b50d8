using SystemDesign.Consistency;
using SystemDesign.Fencing;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;
using StackExchange.Redis;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Consistency;

/// <summary>A Redis database that runs the fencing script's rule in memory (a stored token above the write's
/// refuses it), so the lab's bookkeeping around the script is tested without a server; the script itself is
/// tested against Redis by the real-system test.</summary>
public class FencingScriptDatabase : System.Reflection.DispatchProxy
{
    private long? _token;

    public List<string> Calls { get; } = new();

    public static (IDatabase Db, FencingScriptDatabase Fake) Create()
    {
        var db = Create<IDatabase, FencingScriptDatabase>();
        return (db, (FencingScriptDatabase)(object)db);
    }

    protected override object? Invoke(System.Reflection.MethodInfo? m, object?[]? args)
    {
        Calls.Add(m!.Name);
        if (m.Name == nameof(IDatabase.KeyDelete) && m.ReturnType == typeof(bool))
        {
            _token = null;
            return true;
        }
        if (m.Name == nameof(IDatabase.ScriptEvaluate) && args![0] is string)
        {
            long token = (long)((RedisValue[])args[2]!)[1];
            if (_token > token) return RedisResult.Create((RedisValue)0);
            _token = token;
            return RedisResult.Create((RedisValue)1);
        }
        throw new NotSupportedException(m.Name);
    }
}

public sealed class RealRegistersTests
{
    private static readonly (string, long)[] Writes = [("a", 1), ("b", 2), ("zombie", 1), ("c", 2), ("d", 3), ("late", 2)];

    private static bool[] InMemory()
    {
        var store = new FencedStore<string>();
        return Writes.Select(w => store.Write("x", w.Item1, w.Item2).Accepted).ToArray();
    }

    [SkippableFact]
    public void Postgres_fences_like_the_in_memory_store_and_a_row_is_linearizable()
    {
        using var pg = RealSystem.RequirePostgres();
        Assert.Equal(InMemory(), RealRegisters.FencedWritesOnPostgres(pg, "nb02_test_fenced", Writes));
        var h = RealRegisters.PostgresHistory(Servers.PostgresConnectionString, "nb02_test_register", 3, 30, 1);
        AssertWorkload(h);
        Assert.True(ConsistencyChecker.Linearizable(h).Holds);
        // Both labs drop the table they made.
        using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT to_regclass('nb02_test_fenced') IS NULL AND to_regclass('nb02_test_register') IS NULL", pg);
        Assert.True((bool)cmd.ExecuteScalar()!);
    }

    [SkippableFact]
    public void Redis_fences_like_the_in_memory_store_and_a_key_is_linearizable()
    {
        using var redis = RealSystem.RequireRedis();
        Assert.Equal(InMemory(), RealRegisters.FencedWritesOnRedis(redis.GetDatabase(), "nb02:test:fenced", Writes));
        var h = RealRegisters.RedisHistory(redis, "nb02:test:register", 3, 30, 1);
        AssertWorkload(h);
        Assert.True(ConsistencyChecker.Linearizable(h).Holds);
        Assert.False(redis.GetDatabase().KeyExists("nb02:test:fenced"));
        Assert.False(redis.GetDatabase().KeyExists("nb02:test:register"));
    }

    /// <summary>The workload of seed 1 with 3 clients × 30 operations: each client's own mix of reads and writes
    /// (seeded per client), write i of client c stores (c + 1)·1,000,000 + i + 1, every read returns 0 or a value
    /// written, and the history is in invocation order.</summary>
    private static void AssertWorkload(IReadOnlyList<RegisterOp> h)
    {
        Assert.Equal(90, h.Count);
        Assert.Equal(h.OrderBy(o => o.Invoke).Select(o => o.Invoke), h.Select(o => o.Invoke));
        Assert.All(h, o => Assert.True(o.Response >= o.Invoke));
        var written = h.Where(o => o.Kind == OpKind.Write).Select(o => o.Value).ToHashSet();
        for (int c = 0; c < 3; c++)
        {
            var mine = h.Where(o => o.Client == c).ToList();
            Assert.Equal(30, mine.Count);
            var rng = new Random(1000 + c);
            for (int i = 0; i < 30; i++)
            {
                bool write = rng.NextDouble() < 0.5;
                Assert.Equal(write ? OpKind.Write : OpKind.Read, mine[i].Kind);
                if (write) Assert.Equal((c + 1) * 1_000_000L + i + 1, mine[i].Value);
                else Assert.True(mine[i].Value == 0 || written.Contains(mine[i].Value), $"read {mine[i].Value}");
            }
        }
    }

    [Fact]
    public void Names_are_validated()
    {
        Assert.Throws<ArgumentException>(() => RealRegisters.PostgresHistory("Host=x", "Bad-Name", 2, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RealRegisters.PostgresHistory("Host=x", "nb02_ok", 0, 2, 1));
    }

    [Fact]
    public void Redis_fencing_reports_each_writes_verdict_and_deletes_the_key_before_and_after()
    {
        var (db, fake) = FencingScriptDatabase.Create();
        Assert.Equal(InMemory(), RealRegisters.FencedWritesOnRedis(db, "k", Writes));
        Assert.Equal("KeyDelete", fake.Calls[0]);
        Assert.Equal("KeyDelete", fake.Calls[^1]);
        Assert.Equal(Writes.Length + 2, fake.Calls.Count);
        // A refused token stops the run, and the key is still cleaned up.
        fake.Calls.Clear();
        OutOfRange("writes", () => RealRegisters.FencedWritesOnRedis(db, "k", [("a", 1), ("b", -1)]));
        Assert.Equal(new[] { "KeyDelete", "ScriptEvaluate", "KeyDelete" }, fake.Calls);
    }

    [SkippableFact]
    public void Postgres_refuses_a_negative_token_and_drops_its_table()
    {
        using var pg = RealSystem.RequirePostgres();
        OutOfRange("writes",
            () => RealRegisters.FencedWritesOnPostgres(pg, "nb02_test_negative", [("a", 1), ("b", -1)]));
        using var cmd = new Npgsql.NpgsqlCommand("SELECT to_regclass('nb02_test_negative') IS NULL", pg);
        Assert.True((bool)cmd.ExecuteScalar()!);
    }
}
