using SystemDesign.Caching;

namespace SystemDesign.Edge;

/// <summary>Result of one CDN simulation: requests, edge hits, and the fetches that reached the origin.</summary>
public sealed record CdnRun(long Requests, long EdgeHits, long ShieldHits, long OriginFetches)
{
    public double EdgeHitRatio => (double)EdgeHits / Requests;
    /// <summary>Share of requests the CDN as a whole answered without the origin.</summary>
    public double OffloadRatio => 1 - (double)OriginFetches / Requests;
}

/// <summary>
/// A CDN edge as a cache of bounded size (LRU) whose entries also expire a fixed TTL after they were fetched, under
/// independent requests with Zipf popularity arriving as a Poisson process; and P such edges behind an optional
/// origin shield. Popularity comes from <see cref="ZipfSampler"/> (shared with the caching notebook); the LRU-only
/// theory is <see cref="Eviction.CheLruHitRatio"/>, the TTL-only theory <see cref="TtlHitRatio"/>.
/// </summary>
public static class CdnModel
{
    /// <summary>
    /// TTL cache without size limit, Poisson requests at total rate Λ split by <paramref name="p"/>: object i is
    /// fetched, then hit for T seconds, so its hit ratio is λᵢT/(1 + λᵢT) (a renewal argument); the overall ratio
    /// weights that by pᵢ.
    /// </summary>
    public static double TtlHitRatio(IReadOnlyList<double> p, double requestsPerSecond, double ttlSeconds)
    {
        Guard.NotEmpty(p);
        Guard.Positive(requestsPerSecond);
        Guard.NonNegative(ttlSeconds);
        double hit = 0;
        foreach (double q in p)
        {
            double x = q * requestsPerSecond * ttlSeconds;
            hit += q * x / (1 + x);
        }
        return hit;
    }

    /// <summary>Origin fetches per second for P edges behind a shield that hands down the remaining TTL (`Age`):
    /// every copy of an object expires together, so the origin sees Σ λᵢ/(1 + λᵢT) (λᵢ the object's total rate).
    /// Without a shield each edge fetches on its own: Σ P·(λᵢ/P)/(1 + λᵢT/P).</summary>
    public static double OriginFetchRate(IReadOnlyList<double> p, double requestsPerSecond, double ttlSeconds,
        int pops, bool shield)
    {
        Guard.NotEmpty(p);
        Guard.Positive(requestsPerSecond);
        Guard.Positive(ttlSeconds);
        Guard.InRange(pops, 1, 10_000);
        double rate = 0;
        foreach (double q in p)
        {
            double l = q * requestsPerSecond;
            rate += shield ? l / (1 + l * ttlSeconds) : l / (1 + l * ttlSeconds / pops);
        }
        return rate;
    }

    /// <summary>
    /// Simulates <paramref name="pops"/> edges (each an LRU of <paramref name="edgeCapacity"/> objects with TTL) fed
    /// uniformly by Poisson traffic at <paramref name="requestsPerSecond"/> in total, over Zipf(keys, exponent)
    /// objects; with a shield, edge misses go to one shared TTL cache (no size limit) whose copies carry their age
    /// down, so an edge copy expires when the shield's does.
    /// </summary>
    public static CdnRun Simulate(int keys, double exponent, int edgeCapacity, double ttlSeconds,
        double requestsPerSecond, int requests, int pops, bool shield, int seed, int warmup = 0)
    {
        Guard.InRange(keys, 1, 10_000_000);
        Guard.InRange(edgeCapacity, 1, 10_000_000);
        Guard.InRange(ttlSeconds, 1e-3, 1e9);
        Guard.InRange(requestsPerSecond, 1e-3, 1e9);
        Guard.InRange(requests, 1, 50_000_000);
        Guard.InRange(pops, 1, 1000);
        Guard.InRange(warmup, 0, requests - 1);
        var sampler = new ZipfSampler(keys, exponent);
        var rng = new Random(seed);
        var edges = Enumerable.Range(0, pops).Select(_ => new TtlLru(edgeCapacity)).ToArray();
        var shieldExpiry = new Dictionary<int, double>();
        long edgeHits = 0, shieldHits = 0, origin = 0;
        double t = 0;
        for (int i = 0; i < requests; i++)
        {
            t += -Math.Log(1 - rng.NextDouble()) / requestsPerSecond;
            int key = sampler.Next(rng);
            var edge = edges[pops == 1 ? 0 : rng.Next(pops)];
            int counted = i >= warmup ? 1 : 0;
            if (edge.TryHit(key, t)) { edgeHits += counted; continue; }
            double expires;
            if (!shield) { origin += counted; expires = t + ttlSeconds; }
            else if (shieldExpiry.TryGetValue(key, out double until) && until > t)
            { shieldHits += counted; expires = until; }
            else { origin += counted; expires = t + ttlSeconds; shieldExpiry[key] = expires; }
            edge.Put(key, expires);
        }
        return new CdnRun(requests - warmup, edgeHits, shieldHits, origin);
    }

    /// <summary>Edge hit ratio (one edge, no shield) over <paramref name="seeds"/> independent runs (seeds 1…n):
    /// mean and the standard error of the mean, so a tolerance comes from the runs' own spread.</summary>
    public static (double Mean, double StdErr) EdgeHitRatioOverSeeds(int keys, double exponent, int capacity,
        double ttlSeconds, double requestsPerSecond, int requests, int seeds, int warmup = 0)
    {
        Guard.InRange(seeds, 2, 100);
        var r = Enumerable.Range(1, seeds).Select(seed => Simulate(keys, exponent, capacity, ttlSeconds,
            requestsPerSecond, requests, pops: 1, shield: false, seed, warmup).EdgeHitRatio).ToArray();
        return (r.Average(), SystemDesign.Notebook.Stats.StdDev(r) / Math.Sqrt(seeds));
    }

    /// <summary>One row of the parameter sweep: Zipf exponent, cache size as a share of the catalog, and the LRU hit
    /// ratio by Che's approximation.</summary>
    public sealed record CheRow(double Exponent, double CacheShare, int CacheObjects, double HitRatio);

    /// <summary>Che's LRU hit ratio for each Zipf exponent × cache share over a catalog of <paramref name="keys"/>.</summary>
    public static IReadOnlyList<CheRow> CheSweep(int keys, IReadOnlyList<double> exponents, IReadOnlyList<double> cacheShares)
    {
        Guard.InRange(keys, 10, 1_000_000);
        Guard.NotEmpty(exponents);
        Guard.NotEmpty(cacheShares);
        var rows = new List<CheRow>();
        foreach (double a in exponents)
        {
            var p = new ZipfSampler(keys, a).Weights;
            foreach (double share in cacheShares)
            {
                int c = (int)Math.Round(Guard.InRange(share, 1e-6, 0.999) * keys);
                rows.Add(new CheRow(a, share, c, Eviction.CheLruHitRatio(p, Math.Max(1, c))));
            }
        }
        return rows;
    }

    /// <summary>An LRU of bounded size whose entries carry an absolute expiry time.</summary>
    private sealed class TtlLru(int capacity)
    {
        private readonly Dictionary<int, LinkedListNode<(int Key, double Expires)>> _map = new();
        private readonly LinkedList<(int Key, double Expires)> _order = new();

        public bool TryHit(int key, double now)
        {
            if (!_map.TryGetValue(key, out var node)) return false;
            if (node.Value.Expires <= now) { _order.Remove(node); _map.Remove(key); return false; }
            _order.Remove(node);
            _order.AddFirst(node);
            return true;
        }

        public void Put(int key, double expires)
        {
            if (_map.TryGetValue(key, out var old)) { _order.Remove(old); _map.Remove(key); }
            if (_map.Count >= capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _map.Remove(last.Value.Key);
            }
            _map[key] = _order.AddFirst((key, expires));
        }
    }
}
