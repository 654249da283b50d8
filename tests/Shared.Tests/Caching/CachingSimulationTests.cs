using SystemDesign.Caching;

namespace SystemDesign.Tests.Caching;

/// <summary>
/// The seeded simulations of the area: exact results (each is a pure function of its seed), plus the
/// closed forms they are compared with in the notebooks.
/// </summary>
public sealed class CachingSimulationTests
{
    [Fact]
    public void Workloads_are_pure_functions_of_their_seed()
    {
        Assert.Equal([0, 0, 1, 4, 3, 1, 1, 8, 0, 3], Workloads.Zipf(10, 1.0, 10, 1));
        // The scan (ids 10, 11, 12) is interleaved one for one from the middle (request 5) on.
        Assert.Equal([0, 0, 1, 4, 3, 1, 10, 1, 11, 8, 12, 0, 3], Workloads.ZipfWithScan(10, 1.0, 10, 3, 1));
        Assert.Equal(Workloads.Zipf(10, 1.0, 10, 1), Workloads.ZipfWithScan(10, 1.0, 10, 0, 1));
        // Phases of 4 requests, each rotated by 3 more keys (mod 10).
        Assert.Equal([0, 0, 1, 4, 6, 4, 4, 1, 6, 9, 6, 6], Workloads.ShiftingHotSet(10, 1.0, 12, 4, 3, 1));
        Assert.Equal(Workloads.Zipf(10, 1.0, 12, 1), Workloads.ShiftingHotSet(10, 1.0, 12, 4, 10, 1));
        Assert.All(Workloads.Zipf(1, 2.0, 50, 3), k => Assert.Equal(0, k));
    }

    [Fact]
    public void The_zipf_sampler_follows_its_weights()
    {
        var sampler = new ZipfSampler(4, 1.0);
        double h = 1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0;
        Assert.Equal([1 / h, 0.5 / h, 1 / 3.0 / h, 0.25 / h], sampler.Weights);
        var rng = new Random(11);
        var counts = new int[4];
        for (int i = 0; i < 40_000; i++) counts[sampler.Next(rng)]++;
        for (int k = 0; k < 4; k++)
        {
            double p = sampler.Weights[k], sd = Math.Sqrt(40_000 * p * (1 - p));
            Assert.InRange(counts[k], 40_000 * p - 5 * sd, 40_000 * p + 5 * sd);
        }
        var uniform = new ZipfSampler(3, 0);
        Assert.All(uniform.Weights, w => Assert.Equal(1 / 3.0, w, 12));
    }

    [Fact]
    public void Avalanche_buckets_are_exact_for_a_seed_and_jitter_spreads_the_first_expiries()
    {
        var jittered = AvalancheSimulation.Run(100, 10, 0.5, 1, 30, 1, seed: 1);
        Assert.Equal(1, jittered.BucketSeconds);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 19, 13, 26, 20, 3, 5, 3, 2, 1, 0, 0, 2, 9, 14, 15, 18, 15, 8, 8],
            jittered.QueriesPerBucket);
        Assert.Equal(26, jittered.Peak);
        var flat = AvalancheSimulation.Run(100, 10, 0, 1, 30, 1, seed: 1);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 66, 20, 8, 3, 3, 0, 0, 0, 0, 0, 35, 34, 12, 13, 3, 3, 0, 0, 0, 0],
            flat.QueriesPerBucket);
        var coarse = AvalancheSimulation.Run(100, 10, 0, 1, 30, 7, seed: 1);
        Assert.Equal(5, coarse.QueriesPerBucket.Count); // ⌈30/7⌉
        Assert.Equal(flat.QueriesPerBucket.Sum(), coarse.QueriesPerBucket.Sum());
        Assert.Equal(0, coarse.QueriesPerBucket[0]);
        Assert.Equal(100 * -double.ExpM1(-1), AvalancheSimulation.ExpectedFirstBucketWithoutJitter(100, 1, 1), 12);
        Assert.Equal(63.212055882855765, AvalancheSimulation.ExpectedFirstBucketWithoutJitter(100, 1, 1), 9);
        Assert.Equal(20, AvalancheSimulation.ExpectedPerBucketWithJitter(100, 10, 0.5, 1), 12);
        Assert.Equal(8, AvalancheSimulation.ExpectedPerBucketWithJitter(100, 10, 0.5, 0.4), 12);
    }

    [Fact]
    public void Penetration_defences_let_through_what_they_should_on_one_seed()
    {
        var none = PenetrationSimulation.Run("none", 1000, 50, 400, 10, 2, 0.05, 3);
        Assert.Equal(new PenetrationRun("none", 400, 400, 0), none);
        Assert.Equal(new PenetrationRun("negative cache", 400, 286, 0),
            PenetrationSimulation.Run("negative cache", 1000, 50, 400, 10, 2, 0.05, 3));
        Assert.Equal(new PenetrationRun("Bloom filter", 400, 42, 0),
            PenetrationSimulation.Run("Bloom filter", 1000, 50, 400, 10, 2, 0.05, 3));
        // A zero TTL remembers nothing; one id only ever reaches the database once per TTL.
        Assert.Equal(400, PenetrationSimulation.Run("negative cache", 1000, 50, 400, 10, 0, 0.05, 3).DatabaseHits);
        Assert.Equal(1, PenetrationSimulation.Run("negative cache", 10, 1, 400, 10, 1000, 0.05, 3).DatabaseHits);
        Assert.Equal(NegativeOneId, PenetrationSimulation.Run("negative cache", 10, 1, 400, 10, 2, 0.05, 3).DatabaseHits);
        Assert.Equal(["none", "negative cache", "Bloom filter"], PenetrationSimulation.Defences);
    }

    // One id requested every 0.1 s with a 2 s TTL: a miss at 0, then one each time the TTL runs out (t = until is
    // already expired): 400 requests over 40 s, 20 misses.
    private const int NegativeOneId = 20;

    [Fact]
    public void A_distributed_counter_exceeds_its_limit_by_at_most_what_arrives_between_syncs()
    {
        var run = DistributedCounter.Simulate(3, 50, 1, 0.1, 40, 5, seed: 1);
        Assert.Equal(new DistributedLimitRun(3, 0.1, 50, 5, 63, 58.2, 62), run);
        Assert.Equal(13, run.WorstExcess);
        var single = DistributedCounter.Simulate(1, 10, 1, 1, 40, 3, seed: 2);
        Assert.Equal(new DistributedLimitRun(1, 1, 10, 3, 10, 10, 50), single);
        Assert.Equal(0, single.WorstExcess);
        var light = DistributedCounter.Simulate(2, 1000, 1, 0.1, 10, 3, seed: 1);
        Assert.True(light.MaxAdmittedInAWindow < 1000);
        Assert.Equal(0, light.WorstExcess); // never negative
        Assert.Equal(LightMax, light.MaxAdmittedInAWindow);
        Assert.Equal(LightMean, light.MeanAdmittedPerWindow, 12);
        // Near the limit, what a server admitted after its last sync of a window must not count in the next one.
        var near = DistributedCounter.Simulate(2, 20, 1, 0.5, 12, 20, seed: 3);
        Assert.Equal(new DistributedLimitRun(2, 0.5, 20, 20, 29, 24.15, 32), near);
    }

    private const int LightMax = 23;
    private const double LightMean = 18.666666666666668;

    [Fact]
    public void An_unprotected_key_sends_every_miss_to_the_database()
    {
        var run = StampedeSimulation.Run(StampedeProtection.None, 50, 0.1, 1, 5, seed: 1);
        Assert.Equal(StampedeProtection.None, run.Protection);
        Assert.Equal((251, 232, 0, 19), (run.Requests, run.Hits, run.Waits, run.Queries.Count));
        Assert.DoesNotContain(run.Queries, q => q.Early);
        Assert.Equal([1, 2.2134581226608807, 3.32541365566321, 4.510168821010142], run.Expiries);
        Assert.Equal([1.020021055167388, 1.029796320584542, 1.041191347646403, 1.063694920861033, 1.086320626995301,
            1.0991269662915677, 1.1047349725906912, 1.1134581226608806, 2.22541365566321, 3.333360983827294,
            3.334592568677371, 3.3433980918321407, 3.378489621437815, 3.4026837813629665, 3.410168821010142,
            4.51993900242464, 4.531711651478895, 4.543180880294863, 4.59942510710273], run.Queries.Select(q => q.Start));
        Assert.Equal(8, run.QueriesAfterFirstExpiry(0.5));
        Assert.Equal(1, run.QueriesAfterFirstExpiry(0.021)); // [1, 1.021) holds only the first miss
        Assert.Equal(0, run.QueriesAfterFirstExpiry(0.02));
        Assert.Equal(run.Requests, run.Hits + run.Queries.Count);
    }

    [Fact]
    public void A_mutex_sends_one_query_per_expiry_and_makes_the_rest_wait()
    {
        var run = StampedeSimulation.Run(StampedeProtection.Mutex, 50, 0.1, 1, 5, seed: 1);
        Assert.Equal((251, 222, 25, 4), (run.Requests, run.Hits, run.Waits, run.Queries.Count));
        Assert.Equal([1, 2.1200210551673884, 3.2224822585584367, 4.391794461304252], run.Expiries);
        Assert.Equal([1.020021055167388, 2.1224822585584366, 3.2917944613042516, 4.428793555833402],
            run.Queries.Select(q => q.Start));
        Assert.Equal(run.Requests, run.Hits + run.Waits + run.Queries.Count);
        // Each value lives a TTL from the end of the recomputation that wrote it.
        for (int i = 1; i < run.Expiries.Count; i++) Assert.Equal(run.Queries[i - 1].Start + 0.1 + 1, run.Expiries[i], 9);
    }

    [Fact]
    public void Xfetch_refreshes_early_and_a_larger_beta_avoids_every_expiry()
    {
        var run = StampedeSimulation.Run(StampedeProtection.XFetch, 50, 0.1, 1, 5, seed: 1);
        Assert.Equal((246, 245, 0, 6), (run.Requests, run.Hits, run.Waits, run.Queries.Count));
        Assert.Equal(5, run.Queries.Count(q => q.Early));
        Assert.Equal([2.969784104878193], run.Expiries);
        Assert.Equal([0.8639909393391437, 1.8697841048781927, 2.8760241579858064, 2.9725522744293715, 3.735739084017122,
            4.686049688787865], run.Queries.Select(q => q.Start));
        Assert.Equal(1, run.QueriesAfterFirstExpiry(0.5));
        var eager = StampedeSimulation.Run(StampedeProtection.XFetch, 50, 0.1, 1, 5, seed: 1, beta: 3);
        Assert.Equal((267, 267, 15), (eager.Requests, eager.Hits, eager.Queries.Count));
        Assert.All(eager.Queries, q => Assert.True(q.Early));
        Assert.Empty(eager.Expiries);
        Assert.Equal(0, eager.QueriesAfterFirstExpiry(100));
        var never = StampedeSimulation.Run(StampedeProtection.XFetch, 50, 0.1, 1, 5, seed: 1, beta: 0);
        Assert.DoesNotContain(never.Queries, q => q.Early); // β = 0: the rule never fires before the expiry
    }

    [Fact]
    public void Xfetch_without_early_refresh_lets_misses_during_a_recomputation_through()
    {
        // β = 0: no early refresh, and no lock either: the misses while the first recomputation runs query too,
        // and the last write to land sets the expiry.
        var run = StampedeSimulation.Run(StampedeProtection.XFetch, 50, 0.1, 1, 5, seed: 1, beta: 0);
        Assert.Equal((247, 224, 0, 23), (run.Requests, run.Hits, run.Waits, run.Queries.Count));
        Assert.Equal([1, 2.1768767202980115, 3.3936807350808382, 4.5414506346073], run.Expiries);
        Assert.Equal([1.0021930658458966, 1.0119767957619281, 1.021222146607074, 1.021374744636439, 1.0406461288202027,
            1.0768767202980112], run.Queries.Take(6).Select(q => q.Start));
        Assert.Equal(4.641151475027026, run.Queries[^1].Start);
        Assert.Equal(run.Queries[5].Start + 0.1 + 1, run.Expiries[1], 12);
    }

    [Fact]
    public void The_unprotected_stampede_size_averages_seeds_in_a_row()
    {
        var (mean, se) = StampedeSimulation.UnprotectedStampedeSize(50, 0.1, 10, 1);
        Assert.Equal(5.8, mean, 12);
        Assert.Equal(0.6899275324264136, se, 12);
        var sizes = Enumerable.Range(1, 2).Select(seed => (double)StampedeSimulation.Run(StampedeProtection.None, 50, 0.1, 1,
            1 + 0.1 + 20 / 50.0 + 0.1, seed).QueriesAfterFirstExpiry(0.1 + 20 / 50.0)).ToArray();
        Assert.Equal(sizes.Average(), StampedeSimulation.UnprotectedStampedeSize(50, 0.1, 2, 1).Mean, 12);
    }

    [Fact]
    public void The_xfetch_rule_and_its_closed_form()
    {
        Assert.Equal(1, XFetch.RefreshProbability(0, 0.1, 1));
        Assert.Equal(Math.Exp(-2), XFetch.RefreshProbability(0.2, 0.1, 1), 12);
        Assert.Equal(Math.Exp(-1), XFetch.RefreshProbability(0.2, 0.1, 2), 12);
        Assert.Equal(1, XFetch.RefreshProbability(0, 0.1, 0));   // δβ = 0: only at the expiry itself
        Assert.Equal(0, XFetch.RefreshProbability(0.1, 0, 1));
        Assert.Equal([1, 0.38], XFetch.MeasuredRefreshShare([0, 0.1], 0.1, 1, 100, 1));
        Assert.Equal(0.62, XFetch.ShareWithoutEarlyRefresh(1, 0.5, 1, 100, 1), 12);
        Assert.Equal(1, XFetch.ShareWithoutEarlyRefresh(1, 0, 1, 20, 1)); // δ = 0: nobody refreshes early
        // A request at the expiry always recomputes; one far before it (r ≫ δβ) practically never.
        var rng = new Random(3);
        Assert.True(XFetch.ShouldRecompute(5, 0.1, 1, 5, rng));
        Assert.True(XFetch.ShouldRecompute(6, 0, 1, 5, rng));
        Assert.False(XFetch.ShouldRecompute(0, 0.1, 1, 5, rng));
    }

    [Fact]
    public void Invalidation_strategies_give_exact_stale_reads_for_one_seed()
    {
        var ttl = InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 0.5, 20, 5, 0.05, 0.02, 0.3, 200, 1);
        Assert.Equal(new InvalidationRun(InvalidationStrategy.TtlOnly, 4019, 2355, 5.02954598381217, 4.5774217506187895), ttl);
        Assert.Equal(2355 / 4019.0, ttl.StaleShare, 12);
        Assert.Equal(new InvalidationRun(InvalidationStrategy.CacheAsideDelete, 4019, 147, 3.926737973838101, 1.9889949589548777),
            InvalidationSimulation.Run(InvalidationStrategy.CacheAsideDelete, 0.5, 20, 5, 0.05, 0.02, 0.3, 200, 1));
        Assert.Equal(new InvalidationRun(InvalidationStrategy.WriteThrough, 4019, 9, 0.014709050130647938, 0),
            InvalidationSimulation.Run(InvalidationStrategy.WriteThrough, 0.5, 20, 5, 0.05, 0.02, 0.3, 200, 1));
        Assert.Equal(new InvalidationRun(InvalidationStrategy.ChangeDataCapture, 4019, 336, 1.0419402835891276, 0.4237996740163992),
            InvalidationSimulation.Run(InvalidationStrategy.ChangeDataCapture, 0.5, 20, 5, 0.05, 0.02, 0.3, 200, 1));
    }

    [Fact]
    public void Without_writes_in_the_span_no_read_is_stale()
    {
        var quiet = InvalidationSimulation.Run(InvalidationStrategy.TtlOnly, 1e-6, 20, 5, 0.05, 0.02, 0.3, 10, 1);
        Assert.Equal(0, quiet.StaleReads);
        Assert.Equal(0, quiet.MaxStalenessSeconds);
        Assert.Equal(0, quiet.P99StalenessSeconds);
        Assert.True(quiet.Reads > 100);
    }

    [Fact]
    public void The_ttl_stale_share_formula_and_its_seed_average()
    {
        Assert.Equal(Math.Exp(-1), InvalidationSimulation.TtlStaleShare(0.2, 5), 12);
        Assert.Equal(1 - (1 - Math.Exp(-0.5)) / 0.5, InvalidationSimulation.TtlStaleShare(0.1, 5), 12);
        var (mean, se) = InvalidationSimulation.StaleShareOverSeeds(InvalidationStrategy.TtlOnly, 0.2, 20, 5, 100, 3);
        Assert.Equal(0.38263502448597314, mean, 12);
        Assert.Equal(0.009490894902922641, se, 12);
        var shares = Enumerable.Range(1, 2).Select(s => InvalidationSimulation.Run(InvalidationStrategy.ChangeDataCapture,
            0.2, 20, 5, 0.002, 0.001, 0.2, 100, s).StaleShare).ToArray();
        var cdc = InvalidationSimulation.StaleShareOverSeeds(InvalidationStrategy.ChangeDataCapture, 0.2, 20, 5, 100, 2);
        Assert.Equal(shares.Average(), cdc.Mean, 12);
        Assert.Equal(SystemDesign.Notebook.Stats.StdDev(shares) / Math.Sqrt(2), cdc.StdErr, 12);
    }

    [Fact]
    public void The_redis_lfu_counter_distribution_is_exact()
    {
        Assert.Equal(1, RedisLfu.IncrementProbability(0, 10));
        Assert.Equal(1, RedisLfu.IncrementProbability(5, 10));
        Assert.Equal(1.0 / 21, RedisLfu.IncrementProbability(7, 10), 15);
        Assert.Equal(1, RedisLfu.IncrementProbability(254, 0));
        Assert.Equal(0, RedisLfu.IncrementProbability(255, 0)); // saturated
        Assert.Equal((5.0, 0.0), RedisLfu.CounterAfter(0, 10));
        Assert.Equal((6.0, 0.0), RedisLfu.CounterAfter(1, 10));
        var (m2, sd2) = RedisLfu.CounterAfter(2, 10); // 6, then +1 with probability 1/11
        Assert.Equal(6 + 1 / 11.0, m2, 12);
        Assert.Equal(Math.Sqrt(1 / 11.0 * 10 / 11.0), sd2, 12);
        Assert.Equal((255.0, 0.0), RedisLfu.CounterAfter(300, 0)); // factor 0: +1 per access up to 255
        Assert.Equal((254.0, 0.0), RedisLfu.CounterAfter(249, 0));
    }

    [Fact]
    public async Task Single_flight_joins_concurrent_callers_of_one_key_only()
    {
        var sf = new SingleFlight<string, int>();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        int ran = 0;
        var first = sf.DoAsync("k", () => { ran++; return gate.Task; });
        var second = sf.DoAsync("k", () => { ran++; return Task.FromResult(-1); });
        var other = sf.DoAsync("other", () => Task.FromResult(7));
        Assert.Equal(1, sf.Joined);
        Assert.Equal(2, sf.Executions);
        Assert.Equal(1, ran);
        Assert.Equal(7, await other);
        gate.SetResult(5);
        Assert.Equal(5, await first);
        Assert.Equal(5, await second);
        Assert.Equal(6, await sf.DoAsync("k", () => Task.FromResult(6))); // forgotten after completion
        Assert.Equal(3, sf.Executions);
        Assert.Equal(1, sf.Joined);

        var failing = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = sf.DoAsync("f", () => failing.Task);
        var b = sf.DoAsync("f", () => Task.FromResult(0));
        failing.SetException(new TimeoutException("db"));
        await Assert.ThrowsAsync<TimeoutException>(() => a);
        await Assert.ThrowsAsync<TimeoutException>(() => b);
        Assert.Equal(1, await sf.DoAsync("f", () => Task.FromResult(1))); // forgotten after a failure too
        Assert.Equal(2, sf.Joined);
    }

    [Fact]
    public async Task The_stampede_lab_reports_readers_calls_and_distinct_values()
    {
        var sf = await StampedeLab.BurstAsync("single-flight (ours)", 20, 30);
        Assert.Equal(("single-flight (ours)", 20, 1, 1), (sf.Cache, sf.Readers, sf.DatabaseCalls, sf.DistinctValuesSeen));
        var hybrid = await StampedeLab.BurstAsync("HybridCache", 20, 30);
        Assert.Equal((1, 1), (hybrid.DatabaseCalls, hybrid.DistinctValuesSeen));
        var memory = await StampedeLab.BurstAsync("IMemoryCache.GetOrCreateAsync", 20, 50);
        Assert.True(memory.DatabaseCalls > 1, $"{memory.DatabaseCalls} calls");
        Assert.Equal(memory.DatabaseCalls, memory.DistinctValuesSeen);
        var aside = await StampedeLab.BurstAsync("cache-aside (dictionary)", 1, 0);
        Assert.Equal((1, 1), (aside.DatabaseCalls, aside.DistinctValuesSeen));
        Assert.Equal(4, StampedeLab.Caches.Length);
        Assert.Equal("cache", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => StampedeLab.BurstAsync("memcached", 5, 5))).ParamName);
    }
}
