using SystemDesign.Caching;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Caching;

public sealed class RedisEvictionTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Redis_allkeys_lru_replay_tracks_the_sampled_lru_model()
    {
        using var redis = CachingRedisTests.StartPrivateRedis();
        var trace = Workloads.Zipf(20_000, 0.9, 30_000, seed: 1);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var runs = RedisEviction.Replay(redis, trace, 10_000, 1_000, [1, 5, 10]);
        output.WriteLine($"{sw.ElapsedMilliseconds} ms");
        foreach (var r in runs)
        {
            int cap = (int)Math.Round(r.MeanKeys);
            double model = Eviction.HitRatio(new SampledLru(cap, r.Samples), trace, 10_000);
            double lru = Eviction.HitRatio(new Lru(cap), trace, 10_000);
            double naive = Eviction.HitRatio(new SampledLru(cap, r.Samples, poolSize: 0), trace, 10_000);
            output.WriteLine($"{r} model {model:P2} naive {naive:P2} lru {lru:P2}");
            Assert.InRange(r.MeanKeys, 800, 1_200);
            Assert.True(r.Evicted > 10_000);
            Assert.InRange(r.HitRatio, model - 0.03, model + 0.03);
        }
    }
}

public sealed class NaiveSamplingTests
{
    [Fact]
    public void The_pool_beats_naive_sampling_from_two_samples_up()
    {
        var trace = Workloads.Zipf(20_000, 0.9, 40_000, seed: 2);
        double naive1 = Eviction.HitRatio(new SampledLru(1_000, 1, poolSize: 0), trace, 10_000);
        double pool1 = Eviction.HitRatio(new SampledLru(1_000, 1), trace, 10_000);
        double naive5 = Eviction.HitRatio(new SampledLru(1_000, 5, poolSize: 0), trace, 10_000);
        double pool5 = Eviction.HitRatio(new SampledLru(1_000, 5), trace, 10_000);
        // With one sample per eviction the pool never holds more than the one key it evicts.
        Assert.Equal(naive1, pool1);
        Assert.True(pool5 > naive5);
        Assert.True(naive5 > naive1);
        Assert.Equal("naive sampled LRU k=1", new SampledLru(10, 1, poolSize: 0).Name);
    }
}
