using SystemDesign.Probabilistic;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Probabilistic;

public sealed class RedisHyperLogLogTests
{
    private const string Prefix = "nb18:test:";

    [SkippableFact]
    public void Redis_and_our_sketch_agree_within_their_errors_and_redis_switches_to_dense()
    {
        using var redis = RealSystem.RequireRedis();
        var samples = RedisHyperLogLog.CompareStreams(redis, Prefix, new long[] { 100, 20_000 }, trials: 2, seed: 9);
        Assert.All(samples, s => Assert.InRange(s.RedisError, -4 * 0.0081, 4 * 0.0081));
        Assert.All(samples, s => Assert.InRange(s.OursError, -4 * 0.0081, 4 * 0.0081));
        Assert.All(samples.Where(s => s.Cardinality == 100), s => Assert.Equal("sparse", s.Encoding));
        Assert.All(samples.Where(s => s.Cardinality == 20_000), s => Assert.Equal("dense", s.Encoding));
        Assert.True(samples.First(s => s.Cardinality == 100).RedisBytes < 2_000);
        Assert.True(samples.First(s => s.Cardinality == 20_000).RedisBytes > 12_288);
        Assert.Equal(3000, RedisHyperLogLog.SparseMaxBytes(redis));
        Assert.Equal(0, RedisHyperLogLog.DeletePrefix(redis, Prefix)); // CompareStreams cleaned up
    }

    [SkippableFact]
    public void Our_ertl_estimator_on_redis_registers_reproduces_pfcount_exactly()
    {
        using var redis = RealSystem.RequireRedis();
        var samples = RedisHyperLogLog.CompareStreams(redis, Prefix, new long[] { 5_000, 60_000 }, trials: 2, seed: 11);
        Assert.All(samples, s => Assert.Equal(s.Redis, (long)Math.Round(s.OursOnRedisRegisters)));
    }

    [SkippableFact]
    public void Redis_at_scale_is_our_ertl_estimator_on_its_registers()
    {
        using var redis = RealSystem.RequireRedis();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // 60 streams: SE of ln(SD) is 1/√120 = 0.091, so ±3 SE = ±0.27 around 0.81% accepts 0.62%..1.06% and
        // rejects 1.1% (ln(1.1/0.81) = 0.31): the notebook's short run cannot afford this many PFADDs.
        const int streams = 60;
        var samples = RedisHllScale.Run(redis, Prefix, 100_000, streams, seed: 1);
        Console.WriteLine($"{streams} × 100,000 in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(streams, samples.Count);
        double rms = Math.Sqrt(samples.Average(s => s.Error * s.Error));
        Assert.InRange(Math.Log(rms / 0.0081), -3 / Math.Sqrt(2.0 * streams), 3 / Math.Sqrt(2.0 * streams));
        var (chi, df) = HllSimulation.RegisterChiSquare(14, 100_000, samples.Select(s => s.Histogram).ToList());
        Assert.InRange(chi, 0, df + 4 * Math.Sqrt(2.0 * df));
        Assert.All(samples, s => Assert.Equal(s.Redis, (long)Math.Round(s.OursOnRedisRegisters)));
        Assert.All(samples, s => Assert.InRange(s.Error, -5 * 0.0081, 5 * 0.0081));
        Assert.ThrowsAny<ArgumentException>(() => RedisHllScale.Run(redis, Prefix, 10, 1, 1));
    }

    [SkippableFact]
    public void Pfmerge_estimates_the_union()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        RedisHyperLogLog.DeletePrefix(redis, Prefix);
        try
        {
            var a = new RedisHyperLogLog(db, Prefix + "a");
            var b = new RedisHyperLogLog(db, Prefix + "b");
            a.Add(Enumerable.Range(0, 6000).Select(i => (StackExchange.Redis.RedisValue)$"u{i}"));
            b.Add(Enumerable.Range(4000, 6000).Select(i => (StackExchange.Redis.RedisValue)$"u{i}"));
            var union = RedisHyperLogLog.Merge(db, Prefix + "ab", a.Key, b.Key);
            Assert.InRange(union.Count(), 10_000 * (1 - 4 * 0.0081), 10_000 * (1 + 4 * 0.0081));
            Assert.Equal(union.Count(), RedisHyperLogLog.CountUnion(db, a.Key, b.Key));
        }
        finally
        {
            RedisHyperLogLog.DeletePrefix(redis, Prefix);
        }
    }

    [Fact]
    public void Rejects_a_prefix_that_could_match_other_keys()
        => Assert.Equal("prefix", Assert.Throws<ArgumentException>(() => RedisHyperLogLog.DeletePrefix(null!, "*")).ParamName);
}
