using Npgsql;
using SystemDesign.Caching;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Caching;

/// <summary>Every argument guard of the Caching area's public entries that needs no server: type and ParamName.</summary>
public sealed class CachingGuardTests
{
    private static readonly int[] Trace = [1, 2, 3];

    [Fact]
    public void Eviction_entries_name_the_bad_argument()
    {
        Null("name", () => Eviction.Create(null!, 10));
        Invalid("name", () => Eviction.Create("", 10));
        OutOfRange("name", () => Eviction.Create("FIFO", 10));
        Assert.StartsWith("name must be one of LRU, LFU (decay), ARC, sampled LRU k=5, SIEVE (or sampled LRU k=1…64); got 'FIFO'.",
            Assert.Throws<ArgumentOutOfRangeException>(() => Eviction.Create("FIFO", 10)).Message, StringComparison.Ordinal);
        OutOfRange("name", () => Eviction.Create("sampled LRU k=five", 10));
        OutOfRange("samples", () => Eviction.Create("sampled LRU k=65", 10));
        OutOfRange("capacity", () => Eviction.Create("LRU", 0));
        OutOfRange("capacity", () => Eviction.Create("LRU", 10_000_001));
        Assert.Equal(10_000_000, Eviction.Create("SIEVE", 10_000_000).Capacity);

        Null("policy", () => Eviction.HitRatio(null!, Trace));
        Null("trace", () => Eviction.HitRatio(new Lru(2), null!));
        OutOfRange("warmup", () => Eviction.HitRatio(new Lru(2), Trace, -1));
        OutOfRange("warmup", () => Eviction.HitRatio(new Lru(2), Trace, 3));
        Assert.Equal(0.0, Eviction.HitRatio(new Lru(2), Trace, 2)); // the last index is a legal warm-up

        int[] twenty = Enumerable.Range(0, 20).ToArray();
        Null("policy", () => Eviction.HitRatioWithStdErr(null!, twenty, 0));
        Null("trace", () => Eviction.HitRatioWithStdErr(new Lru(2), null!, 0));
        OutOfRange("warmup", () => Eviction.HitRatioWithStdErr(new Lru(2), twenty, -1));
        OutOfRange("warmup", () => Eviction.HitRatioWithStdErr(new Lru(2), twenty, 20));
        OutOfRange("batches", () => Eviction.HitRatioWithStdErr(new Lru(2), twenty, 0, 1));
        OutOfRange("batches", () => Eviction.HitRatioWithStdErr(new Lru(2), twenty, 0, 3)); // at most 20/10 = 2
        OutOfRange("batches", () => Eviction.HitRatioWithStdErr(new Lru(2), Trace, 0, 3));  // short traces: 2 only

        OutOfRange("seeds", () => Eviction.HitRatioOverSeeds("LRU", 10, 100, 0.9, 100, 10, 1));
        OutOfRange("seeds", () => Eviction.HitRatioOverSeeds("LRU", 10, 100, 0.9, 100, 10, 1001));

        Null("p", () => Eviction.CheLruHitRatio(null!, 1));
        Invalid("p", () => Eviction.CheLruHitRatio([], 1));
        OutOfRange("capacity", () => Eviction.CheLruHitRatio([0.5, 0.5], 0));
        OutOfRange("capacity", () => Eviction.CheLruHitRatio([0.5, 0.5], 2)); // C = n never solves Σ(1 − e^(−pT)) = C

        Null("p", () => Eviction.StaticOptimalHitRatio(null!, 1));
        Invalid("p", () => Eviction.StaticOptimalHitRatio([], 1));
        OutOfRange("capacity", () => Eviction.StaticOptimalHitRatio([0.5, 0.5], 0));
        OutOfRange("capacity", () => Eviction.StaticOptimalHitRatio([0.5, 0.5], 3));
    }

    [Fact]
    public void Policy_constructors_name_the_bad_argument()
    {
        OutOfRange("capacity", () => new Lru(0));
        OutOfRange("capacity", () => new LruMap<int, int>(0));
        OutOfRange("capacity", () => new LruMap<int, int>(100_000_001));
        OutOfRange("capacity", () => new LfuWithDecay(0));
        OutOfRange("capacity", () => new LfuWithDecay(10_000_001));
        OutOfRange("decayEvery", () => new LfuWithDecay(10, -1));
        Assert.Equal(int.MaxValue, new LfuWithDecay(10, int.MaxValue).DecayEvery);
        OutOfRange("capacity", () => new SampledLru(0, 5));
        OutOfRange("capacity", () => new SampledLru(10_000_001, 5));
        OutOfRange("samples", () => new SampledLru(10, 0));
        OutOfRange("samples", () => new SampledLru(10, 65));
        OutOfRange("poolSize", () => new SampledLru(10, 5, poolSize: -1));
        OutOfRange("poolSize", () => new SampledLru(10, 5, poolSize: 1025));
        OutOfRange("capacity", () => new Arc(0));
        OutOfRange("capacity", () => new Arc(10_000_001));
        OutOfRange("capacity", () => new Sieve(0));
        OutOfRange("capacity", () => new Sieve(10_000_001));
    }

    [Fact]
    public void Rate_limiter_constructors_name_the_bad_argument()
    {
        OutOfRange("capacity", () => new TokenBucket(0, 1));
        OutOfRange("capacity", () => new TokenBucket(100_000_001, 1));
        OutOfRange("ratePerSecond", () => new TokenBucket(1, 0));
        OutOfRange("ratePerSecond", () => new TokenBucket(1, double.NaN));
        OutOfRange("refillPeriod", () => new TokenBucket(1, 1, -0.1));
        OutOfRange("refillPeriod", () => new TokenBucket(1, 1, 86_401));
        OutOfRange("limit", () => new FixedWindow(0, 1));
        OutOfRange("windowSeconds", () => new FixedWindow(1, 0));
        OutOfRange("limit", () => new SlidingLog(0, 1));
        OutOfRange("limit", () => new SlidingLog(10_000_001, 1));
        OutOfRange("windowSeconds", () => new SlidingLog(1, 86_401));
        OutOfRange("limit", () => new SlidingWindowCounter(0, 1));
        OutOfRange("windowSeconds", () => new SlidingWindowCounter(1, 0));
        OutOfRange("limit", () => new SegmentedSlidingWindow(0, 1, 2));
        OutOfRange("windowSeconds", () => new SegmentedSlidingWindow(1, 0, 2));
        OutOfRange("segments", () => new SegmentedSlidingWindow(1, 1, 0));
        OutOfRange("segments", () => new SegmentedSlidingWindow(1, 1, 10_001));
    }

    [Fact]
    public void A_token_bucket_refuses_time_that_goes_backwards()
    {
        var bucket = new TokenBucket(5, 1);
        Assert.True(bucket.TryAcquire(4));
        Invalid("t", () => bucket.TryAcquire(1), "time must not go backwards (t = 1, last = 4)");
        Invalid("t", () => bucket.Remaining(2), "time must not go backwards (t = 2, last = 4)");
        Invalid("t", () => bucket.SecondsUntilNext(0), "time must not go backwards (t = 0, last = 4)");
        Assert.Equal(4, bucket.Remaining(4)); // the same instant again is fine
    }

    [Fact]
    public void Rate_limiting_helpers_name_the_bad_argument()
    {
        OutOfRange("limit", () => RateLimiting.BoundaryBurst(0, 1, 0.1));
        OutOfRange("limit", () => RateLimiting.BoundaryBurst(1_000_001, 1, 0.1));
        OutOfRange("spreadSeconds", () => RateLimiting.BoundaryBurst(10, 1, -0.1));
        OutOfRange("spreadSeconds", () => RateLimiting.BoundaryBurst(10, 1, 0.51));
        Assert.Equal(20, RateLimiting.BoundaryBurst(10, 1, 0.5).Length);
        OutOfRange("ratePerSecond", () => RateLimiting.Poisson(0, 1, 1));
        OutOfRange("ratePerSecond", () => RateLimiting.Poisson(1e7 + 1, 1, 1));
        OutOfRange("seconds", () => RateLimiting.Poisson(1, 0, 1));
        OutOfRange("seconds", () => RateLimiting.Poisson(1, 1e6 + 1, 1));
        Null("limiter", () => RateLimiting.Decide(null!, [1.0]));
        Null("times", () => RateLimiting.Decide(new FixedWindow(1, 1), null!));
        Invalid("allowed", () => RateLimiting.MaxAllowedInAnySpan([1.0, 2.0], [true], 1), "one decision per time");
        Null("times", () => RateLimiting.MaxAllowedInAnySpan(null!, [true], 1));
        Null("allowed", () => RateLimiting.MaxAllowedInAnySpan([1.0], null!, 1));
        Null("limiter", () => RateLimiting.Headers(null!, 0, true));
        OutOfRange("limit", () => DotNetLimiters.RealTimeBursts(0, 100, []));
        OutOfRange("limit", () => DotNetLimiters.RealTimeBursts(10_001, 100, []));
        OutOfRange("windowMs", () => DotNetLimiters.RealTimeBursts(1, 9, []));
        OutOfRange("windowMs", () => DotNetLimiters.RealTimeBursts(1, 10_001, []));
        Null("pausesMs", () => DotNetLimiters.RealTimeBursts(1, 100, null!));
        OutOfRange("pausesMs[b - 1]", () => DotNetLimiters.RealTimeBursts(1, 100, [-1]));
    }

    [Fact]
    public async Task Single_flight_and_the_stampede_lab_name_the_bad_argument()
    {
        var sf = new SingleFlight<string, int>();
        Assert.Equal("work", (await Assert.ThrowsAsync<ArgumentNullException>(() => sf.DoAsync("k", null!))).ParamName);
        Assert.Equal(0, sf.Executions);
        Assert.Equal("cache", (await Assert.ThrowsAsync<ArgumentNullException>(() => StampedeLab.BurstAsync(null!, 1, 0))).ParamName);
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => StampedeLab.BurstAsync("", 1, 0));
        Assert.Equal("cache", empty.ParamName);
        Assert.Equal("readers", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => StampedeLab.BurstAsync("HybridCache", 0, 0))).ParamName);
        Assert.Equal("readers", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => StampedeLab.BurstAsync("HybridCache", 10_001, 0))).ParamName);
        Assert.Equal("recomputeMs", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => StampedeLab.BurstAsync("HybridCache", 1, -1))).ParamName);
        Assert.Equal("recomputeMs", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => StampedeLab.BurstAsync("HybridCache", 1, 5_001))).ParamName);
        var unknown = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StampedeLab.BurstAsync("memcached", 1, 0));
        Assert.Equal("cache", unknown.ParamName);
        Assert.StartsWith("cache must be one of: cache-aside (dictionary), IMemoryCache.GetOrCreateAsync, single-flight (ours), "
            + "HybridCache; got 'memcached'.", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulations_name_the_bad_argument()
    {
        OutOfRange("keys", () => AvalancheSimulation.Run(0, 10, 0, 1, 30, 1, 1));
        OutOfRange("ttlSeconds", () => AvalancheSimulation.Run(1, 0, 0, 1, 30, 1, 1));
        OutOfRange("jitter", () => AvalancheSimulation.Run(1, 10, -0.1, 1, 30, 1, 1));
        OutOfRange("jitter", () => AvalancheSimulation.Run(1, 10, 10.1, 1, 30, 1, 1));
        OutOfRange("readsPerKeyPerSecond", () => AvalancheSimulation.Run(1, 10, 0, 0, 30, 1, 1));
        OutOfRange("bucketSeconds", () => AvalancheSimulation.Run(1, 10, 0, 1, 30, 0, 1));
        OutOfRange("bucketSeconds", () => AvalancheSimulation.Run(1, 10, 0, 1, 30, 31, 1));
        OutOfRange("jitter", () => AvalancheSimulation.ExpectedPerBucketWithJitter(1, 10, 0, 1));

        OutOfRange("validKeys", () => PenetrationSimulation.Run("none", 0, 1, 1, 1, 1, 0.01, 1));
        OutOfRange("distinctUnknown", () => PenetrationSimulation.Run("none", 1, 0, 1, 1, 1, 0.01, 1));
        OutOfRange("requests", () => PenetrationSimulation.Run("none", 1, 1, 0, 1, 1, 0.01, 1));
        OutOfRange("ratePerSecond", () => PenetrationSimulation.Run("none", 1, 1, 1, 0, 1, 0.01, 1));
        OutOfRange("negativeTtlSeconds", () => PenetrationSimulation.Run("none", 1, 1, 1, 1, -1, 0.01, 1));
        OutOfRange("falsePositiveRate", () => PenetrationSimulation.Run("none", 1, 1, 1, 1, 1, 0, 1));
        OutOfRange("falsePositiveRate", () => PenetrationSimulation.Run("none", 1, 1, 1, 1, 1, 1, 1));
        OutOfRange("defence", () => PenetrationSimulation.Run("", 1, 1, 1, 1, 1, 0.01, 1));
        Assert.StartsWith("defence must be one of: none, negative cache, Bloom filter; got 'firewall'.", Assert.Throws<ArgumentOutOfRangeException>(
            () => PenetrationSimulation.Run("firewall", 1, 1, 1, 1, 1, 0.01, 1)).Message, StringComparison.Ordinal);

        OutOfRange("servers", () => DistributedCounter.Simulate(0, 10, 1, 0.1, 1, 1, 1));
        OutOfRange("servers", () => DistributedCounter.Simulate(1001, 10, 1, 0.1, 1, 1, 1));
        OutOfRange("limit", () => DistributedCounter.Simulate(1, 0, 1, 0.1, 1, 1, 1));
        OutOfRange("windowSeconds", () => DistributedCounter.Simulate(1, 10, 0, 0.1, 1, 1, 1));
        OutOfRange("syncSeconds", () => DistributedCounter.Simulate(1, 10, 1, 0, 1, 1, 1));
        OutOfRange("syncSeconds", () => DistributedCounter.Simulate(1, 10, 1, 1.5, 1, 1, 1));
        OutOfRange("ratePerServer", () => DistributedCounter.Simulate(1, 10, 1, 0.1, 0, 1, 1));
        OutOfRange("windows", () => DistributedCounter.Simulate(1, 10, 1, 0.1, 1, 0, 1));
        OutOfRange("windows", () => DistributedCounter.Simulate(1, 10, 1, 0.1, 1, 10_001, 1));

        OutOfRange("ratePerSecond", () => StampedeSimulation.Run(StampedeProtection.None, 0.09, 0.1, 1, 1, 1));
        OutOfRange("recomputeSeconds", () => StampedeSimulation.Run(StampedeProtection.None, 1, -0.1, 1, 1, 1));
        OutOfRange("recomputeSeconds", () => StampedeSimulation.Run(StampedeProtection.None, 1, 61, 1, 1, 1));
        OutOfRange("ttlSeconds", () => StampedeSimulation.Run(StampedeProtection.None, 1, 0.1, 0, 1, 1));
        OutOfRange("spanSeconds", () => StampedeSimulation.Run(StampedeProtection.None, 1, 0.1, 1, 0, 1));
        OutOfRange("beta", () => StampedeSimulation.Run(StampedeProtection.None, 1, 0.1, 1, 1, 1, beta: -1));
        OutOfRange("beta", () => StampedeSimulation.Run(StampedeProtection.None, 1, 0.1, 1, 1, 1, beta: 101));
        OutOfRange("runs", () => StampedeSimulation.UnprotectedStampedeSize(10, 0.1, 1, 1));
        OutOfRange("runs", () => StampedeSimulation.UnprotectedStampedeSize(10, 0.1, 100_001, 1));
        Null("rng", () => XFetch.ShouldRecompute(0, 1, 1, 1, null!));
        OutOfRange("remaining", () => XFetch.RefreshProbability(-1, 1, 1));
        OutOfRange("delta", () => XFetch.RefreshProbability(1, -1, 1));
        OutOfRange("beta", () => XFetch.RefreshProbability(1, 1, -1));
        Null("remaining", () => XFetch.MeasuredRefreshShare(null!, 1, 1, 1, 1));
        Invalid("remaining", () => XFetch.MeasuredRefreshShare([], 1, 1, 1, 1));
        OutOfRange("trials", () => XFetch.MeasuredRefreshShare([1.0], 1, 1, 0, 1));
        OutOfRange("ratePerSecond", () => XFetch.ShareWithoutEarlyRefresh(0, 1, 1, 1, 1));
        OutOfRange("runs", () => XFetch.ShareWithoutEarlyRefresh(1, 1, 1, 0, 1));
        OutOfRange("horizonSeconds", () => XFetch.ShareWithoutEarlyRefresh(1, 1, 1, 1, 1, 0));
        OutOfRange("horizonSeconds", () => XFetch.ShareWithoutEarlyRefresh(1, 1, 1, 1, 1, 1e4 + 1));

        OutOfRange("writesPerSecond", () => InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 0, 1, 1, 0, 0, 0, 1, 1));
        OutOfRange("readsPerSecond", () => InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 1, 0, 1, 0, 0, 0, 1, 1));
        OutOfRange("ttlSeconds", () => InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 1, 1, 0, 0, 0, 0, 1, 1));
        OutOfRange("dbReadSeconds", () => InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 1, 1, 1, -1, 0, 0, 1, 1));
        OutOfRange("cacheOpSeconds", () => InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 1, 1, 1, 0, -1, 0, 1, 1));
        OutOfRange("cdcLagSeconds", () => InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 1, 1, 1, 0, 0, -1, 1, 1));
        OutOfRange("spanSeconds", () => InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 1, 1, 1, 0, 0, 0, 0, 1));
        OutOfRange("seeds", () => InvalidationSimulation.StaleShareOverSeeds(InvalidationStrategy.TtlOnly, 1, 1, 1, 1, 1));
        OutOfRange("writesPerSecond", () => InvalidationSimulation.TtlStaleShare(0, 1));
        OutOfRange("ttlSeconds", () => InvalidationSimulation.TtlStaleShare(1, 0));

        OutOfRange("counter", () => RedisLfu.IncrementProbability(-1, 10));
        OutOfRange("counter", () => RedisLfu.IncrementProbability(256, 10));
        OutOfRange("logFactor", () => RedisLfu.IncrementProbability(5, -1));
        OutOfRange("accesses", () => RedisLfu.CounterAfter(-1, 10));
    }

    [Fact]
    public void Workloads_name_the_bad_argument()
    {
        OutOfRange("keys", () => Workloads.Zipf(0, 1, 1, 1));
        OutOfRange("keys", () => Workloads.Zipf(10_000_001, 1, 1, 1));
        OutOfRange("exponent", () => Workloads.Zipf(1, -0.1, 1, 1));
        OutOfRange("exponent", () => Workloads.Zipf(1, 5.1, 1, 1));
        OutOfRange("requests", () => Workloads.Zipf(1, 1, 0, 1));
        OutOfRange("scanLength", () => Workloads.ZipfWithScan(10, 1, 10, -1, 1));
        OutOfRange("phaseLength", () => Workloads.ShiftingHotSet(10, 1, 10, 0, 1, 1));
        OutOfRange("phaseLength", () => Workloads.ShiftingHotSet(10, 1, 10, 11, 1, 1));
        OutOfRange("shift", () => Workloads.ShiftingHotSet(10, 1, 10, 5, -1, 1));
        OutOfRange("shift", () => Workloads.ShiftingHotSet(10, 1, 10, 5, 11, 1));
        OutOfRange("keys", () => new ZipfSampler(0, 1));
        Null("rng", () => new ZipfSampler(3, 1).Next(null!));
    }

    [Fact]
    public void Real_system_entries_check_their_arguments_before_touching_a_server()
    {
        Null("pg", () => MultiLevelCache.CreateCatalog(null!, 10));
        using var unopened = new NpgsqlConnection();
        OutOfRange("products", () => MultiLevelCache.CreateCatalog(unopened, 0));
        OutOfRange("products", () => MultiLevelCache.CreateCatalog(unopened, 1_000_001));
        Null("pg", () => MultiLevelCache.DropCatalog(null!));
        Null("table", () => MultiLevelCache.CreateCatalog(unopened, 10, null!));
        Invalid("table", () => MultiLevelCache.CreateCatalog(unopened, 10, ""));
        Invalid("table", () => MultiLevelCache.CreateCatalog(unopened, 10, "products; DROP TABLE x"),
            "table must be a plain SQL identifier of at most 63 letters, digits or _ (not starting with a digit); got 'products; DROP TABLE x'.");
        Invalid("table", () => MultiLevelCache.CreateCatalog(unopened, 10, "1products"));
        Invalid("table", () => MultiLevelCache.CreateCatalog(unopened, 10, new string('t', 64)));
        Invalid("table", () => MultiLevelCache.DropCatalog(unopened, "a-b"));
        Null("table", () => MultiLevelCache.DropCatalog(unopened, null!));
        Null("redis", () => MultiLevelCache.Forget(null!, "p:", [1]));
        Null("pg", () => MultiLevelCache.Replay(null!, null!, "p:", 10, [1], TimeSpan.FromSeconds(1)));
        Null("redis", () => MultiLevelCache.Replay(unopened, null!, "p:", 10, [1], TimeSpan.FromSeconds(1)));
        Null("redis", () => RedisLfu.MeasureCounters(null!, "p:", 1, 1, 10));
        Null("db", () => RedisRateLimit.TryGuideScript(null!, "k"));
        Null("db", () => RedisRateLimit.TokenBucket(null!, "c", 1, 1, [1L]));
        Null("db", () => RedisRateLimit.SlidingLogMulti(null!, "k", 1, 1, [1L]));
        Null("redis", () => RedisEviction.Replay(null!, [1, 2], 0, 10, [5]));
        Null("binary", () => PrivateRedis.TryStart(null!, out _));
        Invalid("binary", () => PrivateRedis.TryStart("", out _));
    }

    [Fact]
    public void Redis_entries_check_their_arguments_before_the_first_command()
    {
        var db = Refusing.Create<StackExchange.Redis.IDatabase>(); // any command throws NotSupportedException
        using var unopened = new NpgsqlConnection();
        Null("prefix", () => MultiLevelCache.Forget(db, null!, [1]));
        Invalid("prefix", () => MultiLevelCache.Forget(db, "", [1]));
        Null("ids", () => MultiLevelCache.Forget(db, "p:", null!));
        Null("prefix", () => MultiLevelCache.Replay(unopened, db, null!, 10, [1], TimeSpan.FromSeconds(1)));
        Invalid("prefix", () => MultiLevelCache.Replay(unopened, db, "", 10, [1], TimeSpan.FromSeconds(1)));
        Null("trace", () => MultiLevelCache.Replay(unopened, db, "p:", 10, null!, TimeSpan.FromSeconds(1)));
        OutOfRange("warmup", () => MultiLevelCache.Replay(unopened, db, "p:", 10, [1, 2], TimeSpan.FromSeconds(1), -1));
        OutOfRange("warmup", () => MultiLevelCache.Replay(unopened, db, "p:", 10, [1, 2], TimeSpan.FromSeconds(1), 2));
        OutOfRange("capacity", () => MultiLevelCache.Replay(unopened, db, "p:", 0, [1, 2], TimeSpan.FromSeconds(1)));
        Invalid("table", () => MultiLevelCache.Replay(unopened, db, "p:", 1, [1, 2], TimeSpan.FromSeconds(1), 0, "é"));
        Null("table", () => MultiLevelCache.Replay(unopened, db, "p:", 1, [1, 2], TimeSpan.FromSeconds(1), 0, null!));
        // 63 characters with letters, digits and _ is a legal name: the guard passes and the closed connection fails.
        Assert.Throws<InvalidOperationException>(() => MultiLevelCache.DropCatalog(unopened, "_" + new string('a', 61) + "9"));

        Null("key", () => RedisRateLimit.TryGuideScript(db, null!));
        Invalid("key", () => RedisRateLimit.TryGuideScript(db, ""));
        Null("client", () => RedisRateLimit.TokenBucket(db, null!, 1, 1, [1L]));
        Invalid("client", () => RedisRateLimit.TokenBucket(db, "", 1, 1, [1L]));
        OutOfRange("capacity", () => RedisRateLimit.TokenBucket(db, "c", 0, 1, [1L]));
        OutOfRange("capacity", () => RedisRateLimit.TokenBucket(db, "c", 1_000_001, 1, [1L]));
        OutOfRange("tokensPerMs", () => RedisRateLimit.TokenBucket(db, "c", 1, 0, [1L]));
        OutOfRange("tokensPerMs", () => RedisRateLimit.TokenBucket(db, "c", 1, 1e6 + 1, [1L]));
        Null("timesMs", () => RedisRateLimit.TokenBucket(db, "c", 1, 1, null!));
        Null("key", () => RedisRateLimit.SlidingLogMulti(db, null!, 1, 1, [1L]));
        Invalid("key", () => RedisRateLimit.SlidingLogMulti(db, "", 1, 1, [1L]));
        OutOfRange("limit", () => RedisRateLimit.SlidingLogMulti(db, "k", 0, 1, [1L]));
        OutOfRange("limit", () => RedisRateLimit.SlidingLogMulti(db, "k", 1_000_001, 1, [1L]));
        OutOfRange("windowMs", () => RedisRateLimit.SlidingLogMulti(db, "k", 1, 0, [1L]));
        OutOfRange("windowMs", () => RedisRateLimit.SlidingLogMulti(db, "k", 1, 86_400_001, [1L]));
        Null("timesMs", () => RedisRateLimit.SlidingLogMulti(db, "k", 1, 1, null!));
        Assert.Throws<NotSupportedException>(() => RedisRateLimit.TryGuideScript(db, "k")); // the guards passed
    }
}
