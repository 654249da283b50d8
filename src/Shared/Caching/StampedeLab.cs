using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace SystemDesign.Caching;

/// <summary>What a real concurrent burst on one missing key did to the database.</summary>
public sealed record BurstResult(string Cache, int Readers, int DatabaseCalls, int DistinctValuesSeen, double ElapsedMs);

/// <summary>
/// Real threads, real caches: <c>readers</c> tasks ask for the same missing key at once, and the
/// "database" takes <c>recomputeMs</c> to answer, counting its calls. Compared: plain cache-aside on a
/// dictionary, <see cref="IMemoryCache"/>'s <c>GetOrCreateAsync</c> (which does not lock: every concurrent
/// miss runs the factory), our <see cref="SingleFlight{TKey,TValue}"/>, and
/// Microsoft.Extensions.Caching.Hybrid's <see cref="HybridCache"/>, which collapses concurrent misses.
/// </summary>
public static class StampedeLab
{
    public static readonly string[] Caches =
        ["cache-aside (dictionary)", "IMemoryCache.GetOrCreateAsync", "single-flight (ours)", "HybridCache"];

    public static async Task<BurstResult> BurstAsync(string cache, int readers, int recomputeMs)
    {
        Guard.NotEmpty(cache);
        Guard.InRange(readers, 1, 10_000);
        Guard.InRange(recomputeMs, 0, 5_000);
        int calls = 0;
        async Task<string> Database()
        {
            int n = Interlocked.Increment(ref calls);
            await Task.Delay(recomputeMs).ConfigureAwait(false);
            return $"value from query {n}";
        }

        Func<Task<string>> read = cache switch
        {
            "cache-aside (dictionary)" => CacheAside(Database),
            "IMemoryCache.GetOrCreateAsync" => MemoryCacheRead(Database),
            "single-flight (ours)" => SingleFlightRead(Database),
            "HybridCache" => HybridRead(Database),
            _ => throw new ArgumentOutOfRangeException(nameof(cache), cache,
                $"cache must be one of: {string.Join(", ", Caches)}; got '{cache}'."),
        };
        // All readers wait at one gate and start together: the burst a hot key's expiry causes.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, readers).Select(async _ => { await gate.Task; return await read(); }).ToArray();
        var sw = Stopwatch.StartNew();
        gate.SetResult();
        var values = await Task.WhenAll(tasks).ConfigureAwait(false);
        return new BurstResult(cache, readers, calls, values.Distinct().Count(), sw.Elapsed.TotalMilliseconds);
    }

    private static Func<Task<string>> CacheAside(Func<Task<string>> db)
    {
        var dict = new ConcurrentDictionary<string, string>();
        return async () =>
        {
            if (dict.TryGetValue("product:42", out var v)) return v;
            v = await db().ConfigureAwait(false);
            dict["product:42"] = v;
            return v;
        };
    }

    private static Func<Task<string>> MemoryCacheRead(Func<Task<string>> db)
    {
        var memory = new MemoryCache(new MemoryCacheOptions());
        return async () => (await memory.GetOrCreateAsync("product:42", _ => db()).ConfigureAwait(false))!;
    }

    private static Func<Task<string>> SingleFlightRead(Func<Task<string>> db)
    {
        var dict = new ConcurrentDictionary<string, string>();
        var flight = new SingleFlight<string, string>();
        return async () =>
        {
            if (dict.TryGetValue("product:42", out var v)) return v;
            return await flight.DoAsync("product:42", async () =>
            {
                var fresh = await db().ConfigureAwait(false);
                dict["product:42"] = fresh;
                return fresh;
            }).ConfigureAwait(false);
        };
    }

    private static Func<Task<string>> HybridRead(Func<Task<string>> db)
    {
        var services = new ServiceCollection();
        services.AddHybridCache();
        var hybrid = services.BuildServiceProvider().GetRequiredService<HybridCache>();
        return async () => await hybrid.GetOrCreateAsync("product:42", async _ => await db().ConfigureAwait(false))
            .ConfigureAwait(false);
    }
}
