namespace SystemDesign.Caching;

/// <summary>How concurrent misses on one hot key are handled.</summary>
public enum StampedeProtection
{
    /// <summary>Plain cache-aside: every request that finds the key missing queries the database.</summary>
    None,
    /// <summary>A lock (mutex, single-flight) per key: the first miss recomputes, the others wait for it.</summary>
    Mutex,
    /// <summary>Probabilistic early recomputation (XFetch): a request may recompute before the expiry.</summary>
    XFetch,
}

/// <summary>One database query: when it started and why.</summary>
public readonly record struct DbQuery(double Start, bool Early);

/// <summary>What happened to one hot key over the simulated span.</summary>
public sealed record StampedeRun(
    StampedeProtection Protection, int Requests, int Hits, int Waits, IReadOnlyList<DbQuery> Queries,
    IReadOnlyList<double> Expiries)
{
    /// <summary>Database queries that started in [expiry, expiry + window) of the first expiry.</summary>
    public int QueriesAfterFirstExpiry(double window) =>
        Expiries.Count == 0 ? 0 : Queries.Count(q => q.Start >= Expiries[0] && q.Start < Expiries[0] + window);
}

/// <summary>
/// A hot key under Poisson traffic, in virtual time: arrivals at rate λ, a recomputation that takes δ
/// seconds, a TTL. Without protection every request between the expiry and the end of the first
/// recomputation misses and queries the database, about 1 + λδ of them; a mutex lets exactly one through;
/// XFetch refreshes early with a probability that rises as the expiry nears (Vattani, Chierichetti and
/// Lowenstein, "Optimal Probabilistic Cache Stampede Prevention", VLDB 2015).
/// </summary>
public static class StampedeSimulation
{
    public static StampedeRun Run(StampedeProtection protection, double ratePerSecond, double recomputeSeconds,
        double ttlSeconds, double spanSeconds, int seed, double beta = 1.0)
    {
        Guard.InRange(ratePerSecond, 0.1, 1_000_000);
        Guard.InRange(recomputeSeconds, 0.0, 60);
        Guard.InRange(ttlSeconds, 0.001, 86_400);
        Guard.InRange(spanSeconds, 0.001, 86_400);
        Guard.InRange(beta, 0.0, 100);
        var rng = new Random(seed);
        var queries = new List<DbQuery>();
        var expiries = new List<double>();
        double expiry = ttlSeconds;         // the value cached at t = 0 expires here
        double refreshDone = double.NaN;    // when the recomputation in flight (if any) writes the value
        bool expiryLogged = false;
        int requests = 0, hits = 0, waits = 0;
        var pendingWrites = new List<double>(); // completion times of unprotected recomputations
        for (double t = Exp(rng, ratePerSecond); t < spanSeconds; t += Exp(rng, ratePerSecond))
        {
            requests++;
            // Apply recomputations that finished before this request: each writes a fresh value.
            if (!double.IsNaN(refreshDone) && refreshDone <= t)
            {
                expiry = refreshDone + ttlSeconds;
                refreshDone = double.NaN;
                expiryLogged = false;
            }
            ApplyPending(pendingWrites, t, ref expiry, ref expiryLogged, ttlSeconds);
            if (t < expiry)
            {
                hits++;
                if (protection == StampedeProtection.XFetch && double.IsNaN(refreshDone)
                    && XFetch.ShouldRecompute(t, recomputeSeconds, beta, expiry, rng))
                {
                    queries.Add(new DbQuery(t, Early: true));
                    refreshDone = t + recomputeSeconds;
                }
                continue;
            }
            if (!expiryLogged) { expiries.Add(expiry); expiryLogged = true; }
            if (protection == StampedeProtection.None)
            {
                queries.Add(new DbQuery(t, Early: false));
                pendingWrites.Add(t + recomputeSeconds);
            }
            else if (double.IsNaN(refreshDone))
            {
                queries.Add(new DbQuery(t, Early: false));
                refreshDone = t + recomputeSeconds;
            }
            else if (protection == StampedeProtection.Mutex) waits++;
            else { queries.Add(new DbQuery(t, Early: false)); pendingWrites.Add(t + recomputeSeconds); }
        }
        return new StampedeRun(protection, requests, hits, waits, queries, expiries);
    }

    /// <summary>
    /// Database queries at the first expiry without protection, over many seeds: the mean and its
    /// standard error, to compare with 1 + λδ (the first miss, plus the Poisson(λδ) arrivals during its
    /// recomputation).
    /// </summary>
    public static (double Mean, double StdErr) UnprotectedStampedeSize(double ratePerSecond, double recomputeSeconds,
        int runs, int seed)
    {
        Guard.InRange(runs, 2, 100_000);
        var sizes = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var run = Run(StampedeProtection.None, ratePerSecond, recomputeSeconds, ttlSeconds: 1,
                spanSeconds: 1 + recomputeSeconds + 20 / ratePerSecond + recomputeSeconds, seed: seed + i);
            sizes[i] = run.QueriesAfterFirstExpiry(recomputeSeconds + 20 / ratePerSecond);
        }
        return (SystemDesign.Notebook.Stats.Mean(sizes), SystemDesign.Notebook.Stats.StdDev(sizes) / Math.Sqrt(runs));
    }

    private static void ApplyPending(List<double> pending, double t, ref double expiry, ref bool logged, double ttl)
    {
        for (int i = pending.Count - 1; i >= 0; i--)
        {
            if (pending[i] > t) continue;
            if (pending[i] + ttl > expiry) { expiry = pending[i] + ttl; logged = false; }
            pending.RemoveAt(i);
        }
    }

    private static double Exp(Random rng, double rate) => -Math.Log(1 - rng.NextDouble()) / rate;
}

/// <summary>
/// XFetch, the rule of Vattani et al. (VLDB 2015): a request at time t recomputes early when
/// t − δ·β·ln(U) ≥ expiry, U uniform on (0, 1], δ the last recomputation time, β ≥ 0 (1 is optimal in the
/// paper's model; larger refreshes earlier). With r = expiry − t the remaining time, a request refreshes
/// with probability e^(−r/(δβ)): negligible while r ≫ δβ, certain as r → 0.
/// </summary>
public static class XFetch
{
    public static bool ShouldRecompute(double now, double delta, double beta, double expiry, Random rng)
    {
        Guard.NotNull(rng);
        double u = 1 - rng.NextDouble(); // (0, 1]
        return now - delta * beta * Math.Log(u) >= expiry;
    }

    /// <summary>Closed form of the rule: P(a request r seconds before expiry recomputes) = e^(−r/(δβ)).</summary>
    public static double RefreshProbability(double remaining, double delta, double beta)
    {
        Guard.NonNegative(remaining);
        Guard.NonNegative(delta);
        Guard.NonNegative(beta);
        return delta * beta == 0 ? (remaining == 0 ? 1 : 0) : Math.Exp(-remaining / (delta * beta));
    }

    /// <summary>Share of <paramref name="trials"/> requests at each remaining time that chose to recompute.</summary>
    public static double[] MeasuredRefreshShare(IReadOnlyList<double> remaining, double delta, double beta, int trials, int seed)
    {
        Guard.NotEmpty(remaining);
        Guard.InRange(trials, 1, 10_000_000);
        var rng = new Random(seed);
        return remaining.Select(r =>
        {
            int yes = 0;
            for (int i = 0; i < trials; i++) if (ShouldRecompute(0, delta, beta, r, rng)) yes++;
            return (double)yes / trials;
        }).ToArray();
    }

    /// <summary>
    /// Over <paramref name="runs"/> expiries, the share in which no reader chose to refresh early: readers
    /// arrive as Poisson(λ) over the <paramref name="horizonSeconds"/> before the expiry and each applies the
    /// rule once.
    /// </summary>
    public static double ShareWithoutEarlyRefresh(double ratePerSecond, double delta, double beta, int runs,
        int seed, double horizonSeconds = 10)
    {
        Guard.InRange(ratePerSecond, 1e-3, 1e6);
        Guard.InRange(runs, 1, 1_000_000);
        Guard.InRange(horizonSeconds, 1e-3, 1e4);
        var rng = new Random(seed);
        int none = 0;
        for (int run = 0; run < runs; run++)
        {
            bool refreshed = false;
            for (double t = -Math.Log(1 - rng.NextDouble()) / ratePerSecond; t < horizonSeconds && !refreshed;
                 t += -Math.Log(1 - rng.NextDouble()) / ratePerSecond)
                refreshed = ShouldRecompute(t, delta, beta, horizonSeconds, rng);
            if (!refreshed) none++;
        }
        return (double)none / runs;
    }
}
