namespace SystemDesign.Caching;

/// <summary>Database queries per time bucket when a population of keys expires.</summary>
public sealed record AvalancheRun(double BucketSeconds, IReadOnlyList<double> QueriesPerBucket)
{
    public double Peak => QueriesPerBucket.Max();
}

/// <summary>
/// Cache avalanche: <c>keys</c> entries written at t = 0 (a deploy, a cold start, a bulk load) with the same
/// TTL expire together, and each key's next read misses. Each key is read as a Poisson stream of
/// <c>readsPerKeyPerSecond</c>; a miss queries the database and re-caches the key with a fresh TTL. TTL
/// jitter (TTL·(1 + U(0, j))) spreads the first expiries over j·TTL seconds, so the peak falls from about
/// keys·(1 − e^(−r·b)) per bucket b to about keys·b/(j·TTL).
/// </summary>
public static class AvalancheSimulation
{
    public static AvalancheRun Run(int keys, double ttlSeconds, double jitter, double readsPerKeyPerSecond,
        double spanSeconds, double bucketSeconds, int seed)
    {
        Guard.InRange(keys, 1, 10_000_000);
        Guard.InRange(ttlSeconds, 0.001, 1e6);
        Guard.InRange(jitter, 0.0, 10.0);
        Guard.InRange(readsPerKeyPerSecond, 1e-6, 1e6);
        Guard.InRange(bucketSeconds, 1e-6, spanSeconds);
        var rng = new Random(seed);
        var buckets = new double[(int)Math.Ceiling(spanSeconds / bucketSeconds)];
        for (int k = 0; k < keys; k++)
        {
            double expiry = Ttl(rng, ttlSeconds, jitter);
            while (true)
            {
                // The first read after the expiry misses: memoryless, so it comes Exp(r) after it.
                double miss = expiry - Math.Log(1 - rng.NextDouble()) / readsPerKeyPerSecond;
                if (miss >= spanSeconds) break;
                buckets[(int)(miss / bucketSeconds)]++;
                expiry = miss + Ttl(rng, ttlSeconds, jitter);
            }
        }
        return new AvalancheRun(bucketSeconds, buckets);
    }

    private static double Ttl(Random rng, double ttl, double jitter) => ttl * (1 + jitter * rng.NextDouble());

    /// <summary>Expected misses in the bucket [ttl, ttl + b) without jitter: keys·(1 − e^(−r·b)).</summary>
    public static double ExpectedFirstBucketWithoutJitter(int keys, double readsPerKeyPerSecond, double bucketSeconds) =>
        keys * -double.ExpM1(-readsPerKeyPerSecond * bucketSeconds);

    /// <summary>Expected misses per bucket inside the jitter window, when reads are frequent: keys·b/(j·TTL).</summary>
    public static double ExpectedPerBucketWithJitter(int keys, double ttlSeconds, double jitter, double bucketSeconds) =>
        keys * bucketSeconds / (Guard.Positive(jitter) * ttlSeconds);
}
