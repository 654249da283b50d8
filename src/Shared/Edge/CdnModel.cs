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
        var edges = Enumerable.Range(0, pops).Select(_ => new TtlLru(edgeCapacity)).ToArray();
        var shieldExpiry = new Dictionary<int, double>();
        long edgeHits = 0, shieldHits = 0, origin = 0;
        int i = -1;
        foreach (var (t, key, pop) in Requests(keys, exponent, requestsPerSecond, requests, pops, seed))
        {
            i++;
            var edge = edges[pop];
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

    /// <summary>
    /// The request trace that <see cref="Simulate"/> replays for the same arguments: Poisson arrival times at
    /// <paramref name="requestsPerSecond"/>, a Zipf(keys, exponent) object (0-based rank) and an edge chosen
    /// uniformly, so the same trace can be sent to real caches and compared with the simulation's counts.
    /// </summary>
    public static IEnumerable<(double Time, int Key, int Pop)> Requests(int keys, double exponent,
        double requestsPerSecond, int requests, int pops, int seed)
    {
        Guard.InRange(keys, 1, 10_000_000);
        Guard.InRange(requestsPerSecond, 1e-3, 1e9);
        Guard.InRange(requests, 1, 50_000_000);
        Guard.InRange(pops, 1, 1000);
        return Iterate();

        IEnumerable<(double, int, int)> Iterate()
        {
            var sampler = new ZipfSampler(keys, exponent);
            var rng = new Random(seed);
            double t = 0;
            for (int i = 0; i < requests; i++)
            {
                t += -Math.Log(1 - rng.NextDouble()) / requestsPerSecond;
                int key = sampler.Next(rng);
                yield return (t, key, pops == 1 ? 0 : rng.Next(pops));
            }
        }
    }

    /// <summary>
    /// Expected number of distinct (edge, object) pairs among <paramref name="requests"/> independent requests
    /// spread uniformly over <paramref name="pops"/> edges: P·Σ(1 − (1 − pᵢ/P)ⁿ). With caches that never expire
    /// or evict, that is the number of origin fetches without a shield (P edges) or with one (P = 1: distinct
    /// objects). The count is a sum of negatively associated indicators, so its variance is at most this mean.
    /// </summary>
    public static double ExpectedDistinct(IReadOnlyList<double> p, int requests, int pops)
    {
        Guard.NotEmpty(p);
        Guard.InRange(requests, 0, 50_000_000);
        Guard.InRange(pops, 1, 1000);
        return pops * p.Sum(q => 1 - Math.Pow(1 - q / pops, requests));
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
                int c = (int)Math.Round(Guard.InRange(share, 1e-6, 0.999, nameof(cacheShares)) * keys);
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
