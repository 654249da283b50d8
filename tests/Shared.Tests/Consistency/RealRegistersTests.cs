using SystemDesign.Consistency;
using SystemDesign.Fencing;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Consistency;

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
        Assert.Equal(90, h.Count);
        Assert.True(ConsistencyChecker.Linearizable(h).Holds);
    }

    [SkippableFact]
    public void Redis_fences_like_the_in_memory_store_and_a_key_is_linearizable()
    {
        using var redis = RealSystem.RequireRedis();
        Assert.Equal(InMemory(), RealRegisters.FencedWritesOnRedis(redis.GetDatabase(), "nb02:test:fenced", Writes));
        var h = RealRegisters.RedisHistory(redis, "nb02:test:register", 3, 30, 1);
        Assert.Equal(90, h.Count);
        Assert.True(ConsistencyChecker.Linearizable(h).Holds);
    }

    [Fact]
    public void Names_are_validated()
    {
        Assert.Throws<ArgumentException>(() => RealRegisters.PostgresHistory("Host=x", "Bad-Name", 2, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RealRegisters.PostgresHistory("Host=x", "nb02_ok", 0, 2, 1));
    }
}
