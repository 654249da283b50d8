using StackExchange.Redis;
using SystemDesign.Probabilistic;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Probabilistic;

public sealed class RedisSetAndMergeTests
{
    private const string Prefix = "nb18:settest:";

    [SkippableFact]
    public void SetBytesPerMember_replaces_whatever_the_key_held_and_deletes_it_afterwards()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        try
        {
            db.StringSet(Prefix + "set", "a string first: SADD on it would fail with WRONGTYPE");
            double perMember = RedisHyperLogLog.SetBytesPerMember(db, Prefix + "set", 5000);
            Assert.InRange(perMember, 8, 200); // a hashtable set of 5,000 integers: tens of bytes each
            Assert.False(db.KeyExists(Prefix + "set"));
            Assert.Equal(0, RedisHyperLogLog.MemoryUsage(db, Prefix + "missing"));
        }
        finally
        {
            RedisHyperLogLog.DeletePrefix(redis, Prefix);
        }
    }

    [SkippableFact]
    public void Merge_and_CountUnion_count_the_union_of_small_hlls_exactly()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        try
        {
            var a = new RedisHyperLogLog(db, Prefix + "a");
            var b = new RedisHyperLogLog(db, Prefix + "b");
            a.Add(Enumerable.Range(0, 30).Select(i => (RedisValue)i), batchSize: 7);
            b.Add(Enumerable.Range(20, 30).Select(i => (RedisValue)i));
            Assert.Equal(30, a.Count());
            Assert.Equal(50, RedisHyperLogLog.CountUnion(db, Prefix + "a", Prefix + "b"));
            var union = RedisHyperLogLog.Merge(db, Prefix + "u", Prefix + "a", Prefix + "b");
            Assert.Equal(Prefix + "u", union.Key);
            Assert.Equal(50, union.Count());
            Assert.True(union.MemoryUsage() > 0 && union.StoredBytes() > 0);
            Assert.Equal(3, RedisHyperLogLog.DeletePrefix(redis, Prefix));
        }
        finally
        {
            RedisHyperLogLog.DeletePrefix(redis, Prefix);
        }
    }

    [Fact]
    public void DeletePrefix_refuses_a_prefix_that_could_match_other_keys()
    {
        foreach (string bad in new[] { "", "nb18", "nb18:*:" })
            Assert.Equal("prefix", Assert.Throws<ArgumentException>(() => RedisHyperLogLog.DeletePrefix(null!, bad)).ParamName);
        Assert.Equal("prefix", Assert.Throws<ArgumentException>(() => RedisHyperLogLog.DeletePrefix(null!, null!)).ParamName);
    }
}
