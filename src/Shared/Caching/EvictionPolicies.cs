namespace SystemDesign.Caching;

/// <summary>
/// A cache of at most <see cref="Capacity"/> keys that decides what to evict. <see cref="Access"/> is one
/// request: it returns true on a hit; on a miss the key is fetched and admitted (evicting if full), except
/// where the policy's admission rule says otherwise.
/// </summary>
public interface IEvictionPolicy
{
    string Name { get; }
    int Capacity { get; }
    int Count { get; }
    bool Access(int key);
}

/// <summary>Hit ratios of policies replayed over traces.</summary>
public static class Eviction
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static readonly string[] Policies = ["LRU", "LFU (decay)", "ARC", "sampled LRU k=5", "SIEVE"];

    /// <summary>A fresh policy by name; "sampled LRU k=N" takes any N from 1 to 64.</summary>
    public static IEvictionPolicy Create(string name, int capacity, int seed = 1)
    {
        Guard.NotEmpty(name);
        Guard.InRange(capacity, 1, 10_000_000);
        if (name.StartsWith("sampled LRU k=", StringComparison.Ordinal)
            && int.TryParse(name["sampled LRU k=".Length..], out int k))
            return new SampledLru(capacity, k, seed);
        return name switch
        {
            "LRU" => new Lru(capacity),
            "LFU (decay)" => new LfuWithDecay(capacity),
            "ARC" => new Arc(capacity),
            "SIEVE" => new Sieve(capacity),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name,
                $"name must be one of {string.Join(", ", Policies)} (or sampled LRU k=1…64); got '{name}'."),
        };
    }

    /// <summary>Hit ratio of <paramref name="policy"/> over the trace after the first <paramref name="warmup"/> requests.</summary>
    /// <param name="counted">which keys' requests count (all when null): e.g. only the regular traffic of a
    /// trace with a scan mixed in, since no policy can hit on a key seen once.</param>
    public static double HitRatio(IEvictionPolicy policy, IReadOnlyList<int> trace, int warmup = 0,
        Func<int, bool>? counted = null)
    {
        Guard.NotNull(policy);
        Guard.NotNull(trace);
        Guard.InRange(warmup, 0, Math.Max(0, trace.Count - 1));
        long hits = 0, requests = 0;
        for (int i = 0; i < trace.Count; i++)
        {
            bool hit = policy.Access(trace[i]);
            if (i < warmup || (counted is not null && !counted(trace[i]))) continue;
            requests++;
            if (hit) hits++;
        }
        return requests == 0 ? double.NaN : (double)hits / requests;
    }

    /// <summary>
    /// Hit ratio with its standard error by batch means: the counted requests are cut into
    /// <paramref name="batches"/> consecutive batches and the SE is the spread of the batch hit ratios over
    /// √batches, which keeps the correlation between successive hits (one cache state) in the error.
    /// </summary>
    public static (double HitRatio, double StdErr) HitRatioWithStdErr(IEvictionPolicy policy, IReadOnlyList<int> trace,
        int warmup, int batches = 20)
    {
        Guard.NotNull(policy);
        Guard.NotNull(trace);
        Guard.InRange(warmup, 0, Math.Max(0, trace.Count - 1));
        Guard.InRange(batches, 2, Math.Max(2, (trace.Count - warmup) / 10));
        for (int i = 0; i < warmup; i++) policy.Access(trace[i]);
        int size = (trace.Count - warmup) / batches;
        var ratios = new double[batches];
        for (int b = 0; b < batches; b++)
        {
            int hits = 0;
            for (int i = warmup + b * size; i < warmup + (b + 1) * size; i++) if (policy.Access(trace[i])) hits++;
            ratios[b] = (double)hits / size;
        }
        return (ratios.Average(), SystemDesign.Notebook.Stats.StdDev(ratios) / Math.Sqrt(batches));
    }

    /// <summary>
    /// The hit ratio of a policy over <paramref name="seeds"/> independent Zipf traces (seeds 1…n, each with
    /// its own warm-up): mean and standard error across traces. Independent runs make the SE honest where
    /// batch means of one trace are correlated by the cache's memory (its characteristic time).
    /// </summary>
    public static (double Mean, double StdErr) HitRatioOverSeeds(string policy, int capacity, int keys, double exponent,
        int requests, int warmup, int seeds)
    {
        Guard.InRange(seeds, 2, 1000);
        var ratios = Enumerable.Range(1, seeds).Select(seed =>
            HitRatio(Create(policy, capacity, seed), Workloads.Zipf(keys, exponent, requests, seed), warmup)).ToArray();
        return (ratios.Average(), SystemDesign.Notebook.Stats.StdDev(ratios) / Math.Sqrt(seeds));
    }

    /// <summary>
    /// Che's approximation of LRU's hit ratio under independent requests with probabilities
    /// <paramref name="p"/>: the characteristic time T solves Σ(1 − e^(−p·T)) = C, and the hit ratio is
    /// Σ p(1 − e^(−p·T)). Che, Tung and Wang (2002); shown asymptotically exact by Fricker, Robert and
    /// Roberts (2012). An independent theory to test a simulated LRU against.
    /// </summary>
    public static double CheLruHitRatio(IReadOnlyList<double> p, int capacity)
    {
        Guard.NotEmpty(p);
        Guard.InRange(capacity, 1, p.Count - 1);
        double lo = 0, hi = 1;
        while (Occupancy(p, hi) < capacity) hi *= 2;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (Occupancy(p, mid) < capacity) lo = mid; else hi = mid;
        }
        double t = (lo + hi) / 2, hit = 0;
        foreach (double q in p) hit += q * -double.ExpM1(-q * t);
        return hit;
    }

    private static double Occupancy(IReadOnlyList<double> p, double t)
    {
        double sum = 0;
        foreach (double q in p) sum += -double.ExpM1(-q * t);
        return sum;
    }

    /// <summary>The best any policy can do without knowing the future: keep the C most popular keys.</summary>
    public static double StaticOptimalHitRatio(IReadOnlyList<double> p, int capacity)
    {
        Guard.NotEmpty(p);
        Guard.InRange(capacity, 1, p.Count);
        return p.OrderByDescending(x => x).Take(capacity).Sum();
    }
}

/// <summary>Exact LRU: the in-process <see cref="LruMap{TKey,TValue}"/> used as a policy.</summary>
public sealed class Lru(int capacity) : IEvictionPolicy
{
    private readonly LruMap<int, bool> _map = new(capacity);

    public string Name => "LRU";
    public int Capacity => _map.Capacity;
    public int Count => _map.Count;

    public bool Access(int key)
    {
        if (_map.TryGet(key, out _)) return true;
        _map.Set(key, true);
        return false;
    }
}

/// <summary>
/// LFU with aging: evicts the key with the fewest hits (ties: the least recent); every
/// <see cref="DecayEvery"/> requests all counts are halved, so yesterday's popularity fades, as Redis's
/// LFU counter decays with <c>lfu-decay-time</c>. Without decay, LFU keeps a formerly hot key forever.
/// </summary>
public sealed class LfuWithDecay : IEvictionPolicy
{
    private readonly Dictionary<int, (long Count, long Stamp)> _entries = new();
    private readonly SortedSet<(long Count, long Stamp, int Key)> _byCount = new();
    private long _clock;

    public LfuWithDecay(int capacity, int decayEvery = 0)
    {
        Capacity = Guard.InRange(capacity, 1, 10_000_000);
        DecayEvery = decayEvery == 0 ? 10 * capacity : Guard.InRange(decayEvery, 1, int.MaxValue);
    }

    public string Name => "LFU (decay)";
    public int Capacity { get; }
    public int DecayEvery { get; }
    public int Count => _entries.Count;

    public bool Access(int key)
    {
        if (++_clock % DecayEvery == 0) Halve();
        if (_entries.TryGetValue(key, out var e))
        {
            _byCount.Remove((e.Count, e.Stamp, key));
            _entries[key] = (e.Count + 1, _clock);
            _byCount.Add((e.Count + 1, _clock, key));
            return true;
        }
        if (_entries.Count == Capacity)
        {
            var victim = _byCount.Min;
            _byCount.Remove(victim);
            _entries.Remove(victim.Key);
        }
        _entries[key] = (1, _clock);
        _byCount.Add((1, _clock, key));
        return false;
    }

    private void Halve()
    {
        var all = _entries.ToArray();
        _byCount.Clear();
        foreach (var (k, e) in all)
        {
            var halved = (Math.Max(1, e.Count / 2), e.Stamp);
            _entries[k] = halved;
            _byCount.Add((halved.Item1, e.Stamp, k));
        }
    }
}

/// <summary>
/// Redis-style approximate LRU: on eviction, sample <see cref="Samples"/> random resident keys and evict the
/// one idle longest, keeping the best candidates of earlier samples in a pool of 16 (Redis 3.0's
/// eviction pool, <c>evict.c</c>). With k = 1 it is random eviction; as k grows it approaches LRU.
/// </summary>
public sealed class SampledLru : IEvictionPolicy
{
    private readonly int _poolSize; // EVPOOL_SIZE = 16 in Redis's evict.c; 0 = no pool (naive sampling)
    private readonly List<int> _keys = new();
    private readonly Dictionary<int, (int Index, long LastUse)> _map = new();
    private readonly List<int> _pool = new();
    private readonly Random _rng;
    private long _clock;

    /// <param name="poolSize">Candidates kept across evictions (16 as in Redis); 0 evicts the idlest of each
    /// eviction's own k samples, the naive scheme Redis used before 3.0.</param>
    public SampledLru(int capacity, int samples, int seed = 1, int poolSize = 16)
    {
        Capacity = Guard.InRange(capacity, 1, 10_000_000);
        Samples = Guard.InRange(samples, 1, 64);
        _poolSize = Guard.InRange(poolSize, 0, 1024);
        _rng = new Random(seed);
    }

    public string Name => _poolSize == 0 ? $"naive sampled LRU k={Samples}" : $"sampled LRU k={Samples}";
    public int Capacity { get; }
    public int Samples { get; }
    public int Count => _map.Count;

    public bool Access(int key)
    {
        _clock++;
        if (_map.TryGetValue(key, out var e))
        {
            _map[key] = (e.Index, _clock);
            return true;
        }
        if (_map.Count == Capacity) Evict();
        _map[key] = (_keys.Count, _clock);
        _keys.Add(key);
        return false;
    }

    private void Evict()
    {
        if (_poolSize == 0) _pool.Clear();
        for (int s = 0; s < Samples; s++)
        {
            int candidate = _keys[_rng.Next(_keys.Count)];
            if (!_pool.Contains(candidate)) _pool.Add(candidate);
        }
        // Keep the pool's best (idlest) 16; entries touched since they were pooled are re-ranked by LastUse.
        _pool.RemoveAll(k => !_map.ContainsKey(k));
        _pool.Sort((a, b) => _map[a].LastUse.CompareTo(_map[b].LastUse));
        int keep = Math.Max(1, _poolSize);
        if (_pool.Count > keep) _pool.RemoveRange(keep, _pool.Count - keep);
        int victim = _pool[0];
        _pool.RemoveAt(0);
        // Remove from the dense key list by swapping the last key into its slot.
        int index = _map[victim].Index, last = _keys[^1];
        _keys[index] = last;
        _map[last] = (index, _map[last].LastUse);
        _keys.RemoveAt(_keys.Count - 1);
        _map.Remove(victim);
    }
}

/// <summary>
/// ARC (Megiddo and Modha, FAST 2003): two LRU lists, T1 (seen once recently) and T2 (seen at least twice),
/// with ghost lists B1 and B2 of recently evicted keys; a hit in a ghost list moves the target size p of T1,
/// so the cache adapts between recency and frequency without a tuning knob. Scan-resistant: a one-off scan
/// passes through T1 and leaves T2 alone.
/// </summary>
public sealed class Arc(int capacity) : IEvictionPolicy
{
    private readonly LruList _t1 = new(), _t2 = new(), _b1 = new(), _b2 = new();
    private double _p;

    public string Name => "ARC";
    public int Capacity { get; } = Guard.InRange(capacity, 1, 10_000_000);
    public int Count => _t1.Count + _t2.Count;

    /// <summary>The adaptive target size of T1 (recency side), between 0 and the capacity.</summary>
    public double TargetRecent => _p;

    public bool Access(int x)
    {
        int c = Capacity;
        if (_t1.Remove(x) || _t2.Remove(x)) { _t2.AddMru(x); return true; } // case I
        if (_b1.Contains(x))                                                   // case II
        {
            _p = Math.Min(c, _p + Math.Max(_b2.Count / (double)_b1.Count, 1));
            Replace(x);
            _b1.Remove(x);
            _t2.AddMru(x);
            return false;
        }
        if (_b2.Contains(x))                                                   // case III
        {
            _p = Math.Max(0, _p - Math.Max(_b1.Count / (double)_b2.Count, 1));
            Replace(x);
            _b2.Remove(x);
            _t2.AddMru(x);
            return false;
        }
        int l1 = _t1.Count + _b1.Count, total = l1 + _t2.Count + _b2.Count;  // case IV
        if (l1 == c)
        {
            if (_t1.Count < c) { _b1.RemoveLru(); Replace(x); }
            else _t1.RemoveLru();
        }
        else if (total >= c)
        {
            if (total == 2 * c) _b2.RemoveLru();
            Replace(x);
        }
        _t1.AddMru(x);
        return false;
    }

    private void Replace(int x)
    {
        if (_t1.Count > 0 && (_t1.Count > _p || (_b2.Contains(x) && _t1.Count == (int)_p)))
            _b1.AddMru(_t1.RemoveLru());
        else if (_t2.Count > 0)
            _b2.AddMru(_t2.RemoveLru());
        else
            _b1.AddMru(_t1.RemoveLru());
    }

    private sealed class LruList
    {
        private readonly LinkedList<int> _order = new();
        private readonly Dictionary<int, LinkedListNode<int>> _map = new();
        public int Count => _map.Count;
        public bool Contains(int k) => _map.ContainsKey(k);
        public void AddMru(int k) => _map[k] = _order.AddFirst(k);
        public bool Remove(int k)
        {
            if (!_map.Remove(k, out var n)) return false;
            _order.Remove(n);
            return true;
        }
        public int RemoveLru()
        {
            int k = _order.Last!.Value;
            _order.RemoveLast();
            _map.Remove(k);
            return k;
        }
    }
}

/// <summary>
/// SIEVE (Zhang et al., NSDI 2024): a FIFO queue with one "visited" bit per key and a hand that moves from
/// the tail towards the head, clearing visited bits and evicting the first unvisited key. A hit only sets
/// a bit (no list move), so hits need no lock in a concurrent cache; new keys go to the head.
/// </summary>
public sealed class Sieve(int capacity) : IEvictionPolicy
{
    private readonly LinkedList<int> _queue = new(); // First = head (newest), Last = tail (oldest)
    private readonly Dictionary<int, (LinkedListNode<int> Node, bool Visited)> _map = new();
    private LinkedListNode<int>? _hand;

    public string Name => "SIEVE";
    public int Capacity { get; } = Guard.InRange(capacity, 1, 10_000_000);
    public int Count => _map.Count;

    public bool Access(int key)
    {
        if (_map.TryGetValue(key, out var e))
        {
            _map[key] = (e.Node, true);
            return true;
        }
        if (_map.Count == Capacity) Evict();
        _map[key] = (_queue.AddFirst(key), false);
        return false;
    }

    private void Evict()
    {
        var node = _hand ?? _queue.Last!;
        while (_map[node.Value].Visited)
        {
            _map[node.Value] = (node, false);
            node = node.Previous ?? _queue.Last!;
        }
        _hand = node.Previous;
        _queue.Remove(node);
        _map.Remove(node.Value);
    }
}
