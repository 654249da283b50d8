namespace SystemDesign.Caching;

/// <summary>How a cached product learns that the database changed.</summary>
public enum InvalidationStrategy
{
    /// <summary>Nothing but the TTL: a write becomes visible when the cached copy expires.</summary>
    TtlOnly,
    /// <summary>The writer deletes the key after committing; the next read repopulates it.</summary>
    CacheAsideDelete,
    /// <summary>The writer sets the new value in the cache after committing (two writers may race).</summary>
    WriteThrough,
    /// <summary>A change-data-capture consumer deletes the key after a replication/queue lag.</summary>
    ChangeDataCapture,
}

/// <summary>Stale reads of one key under one strategy.</summary>
public sealed record InvalidationRun(InvalidationStrategy Strategy, int Reads, int StaleReads, double MaxStalenessSeconds,
    double P99StalenessSeconds)
{
    public double StaleShare => (double)StaleReads / Reads;
}

/// <summary>
/// One hot product in virtual time: writes (Poisson, <c>writesPerSecond</c>), reads (Poisson,
/// <c>readsPerSecond</c>), a TTL, a database read that takes <c>dbReadSeconds</c>, cache operations that take
/// U(0, <c>cacheOpSeconds</c>) each, and a CDC lag of Exp(mean <c>cdcLagSeconds</c>). A read is stale when it
/// returns a version older than the newest committed one; its staleness is how long ago that newer version
/// committed. Two races are modelled because they are what interviews probe: a cache-aside read that loaded
/// the old row before a write and stores it after the write's delete; and two write-through sets arriving
/// out of order.
/// </summary>
public static class InvalidationSimulation
{
    public static InvalidationRun Run(InvalidationStrategy strategy, double writesPerSecond, double readsPerSecond,
        double ttlSeconds, double dbReadSeconds, double cacheOpSeconds, double cdcLagSeconds, double spanSeconds,
        int seed)
    {
        Guard.InRange(writesPerSecond, 1e-6, 1e4);
        Guard.InRange(readsPerSecond, 1e-3, 1e6);
        Guard.InRange(ttlSeconds, 1e-3, 1e6);
        Guard.InRange(dbReadSeconds, 0.0, 60);
        Guard.InRange(cacheOpSeconds, 0.0, 60);
        Guard.InRange(cdcLagSeconds, 0.0, 3600);
        Guard.InRange(spanSeconds, 1e-3, 1e7);
        var rng = new Random(seed);
        // Events: (time, kind, version). Kinds: 0 write commit, 1 cache delete, 2 cache set, 3 read.
        var events = new PriorityQueue<(double T, int Kind, int Version), (double, long)>();
        long order = 0;
        void Add(double t, int kind, int v) => events.Enqueue((t, kind, v), (t, order++));
        int version = 0;
        for (double t = Exp(rng, writesPerSecond); t < spanSeconds; t += Exp(rng, writesPerSecond))
            Add(t, 0, 0);
        for (double t = Exp(rng, readsPerSecond); t < spanSeconds; t += Exp(rng, readsPerSecond))
            Add(t, 3, 0);
        var commitTimes = new List<double> { 0 }; // version v committed at commitTimes[v]
        int? cached = 0; double cachedUntil = ttlSeconds;
        int reads = 0, stale = 0;
        var staleness = new List<double>();
        while (events.TryDequeue(out var e, out _))
        {
            if (cached is not null && e.T >= cachedUntil) cached = null;
            switch (e.Kind)
            {
                case 0:
                    version++;
                    commitTimes.Add(e.T);
                    if (strategy == InvalidationStrategy.CacheAsideDelete) Add(e.T + U(rng, cacheOpSeconds), 1, version);
                    if (strategy == InvalidationStrategy.WriteThrough) Add(e.T + U(rng, cacheOpSeconds), 2, version);
                    if (strategy == InvalidationStrategy.ChangeDataCapture) Add(e.T + Exp(rng, 1 / Math.Max(cdcLagSeconds, 1e-9)), 1, version);
                    break;
                case 1:
                    cached = null;
                    break;
                case 2:
                    cached = e.Version; cachedUntil = e.T + ttlSeconds;
                    break;
                case 3:
                    reads++;
                    int served;
                    if (cached is int c) served = c;
                    else
                    {
                        // Miss: read the row now, store it when the read returns (it may be old by then).
                        served = version;
                        Add(e.T + dbReadSeconds + U(rng, cacheOpSeconds), 2, version);
                    }
                    if (served < version)
                    {
                        stale++;
                        staleness.Add(e.T - commitTimes[served + 1]);
                    }
                    break;
            }
        }
        double max = staleness.Count == 0 ? 0 : staleness.Max();
        double p99 = staleness.Count == 0 ? 0 : SystemDesign.Notebook.Stats.Percentile(
            staleness.Concat(Enumerable.Repeat(0.0, reads - stale)).ToArray(), 0.99);
        return new InvalidationRun(strategy, reads, stale, max, p99);
    }

    /// <summary>
    /// The stale share of <paramref name="seeds"/> independent runs (seeds 1…n): the mean and its standard
    /// error across runs, for comparing with a formula.
    /// </summary>
    public static (double Mean, double StdErr) StaleShareOverSeeds(InvalidationStrategy strategy, double writesPerSecond,
        double readsPerSecond, double ttlSeconds, double spanSeconds, int seeds)
    {
        Guard.InRange(seeds, 2, 1000);
        var shares = Enumerable.Range(1, seeds).Select(seed => Run(strategy, writesPerSecond, readsPerSecond,
            ttlSeconds, 0.002, 0.001, 0.2, spanSeconds, seed).StaleShare).ToArray();
        return (shares.Average(), SystemDesign.Notebook.Stats.StdDev(shares) / Math.Sqrt(seeds));
    }

    /// <summary>
    /// TTL only, reads much more frequent than writes: a read at age a of the cached copy is stale when a
    /// write came in those a seconds, so the stale share is the mean of 1 − e^(−w·a) over a ∈ [0, TTL]:
    /// 1 − (1 − e^(−w·TTL))/(w·TTL).
    /// </summary>
    public static double TtlStaleShare(double writesPerSecond, double ttlSeconds)
    {
        double x = Guard.Positive(writesPerSecond) * Guard.Positive(ttlSeconds);
        return 1 + double.ExpM1(-x) / x;
    }

    private static double Exp(Random rng, double rate) => -Math.Log(1 - rng.NextDouble()) / rate;
    private static double U(Random rng, double max) => rng.NextDouble() * max;
}
