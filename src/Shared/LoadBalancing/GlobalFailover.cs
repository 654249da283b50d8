namespace SystemDesign.LoadBalancing;

/// <summary>
/// DNS failover of a region: the health checker marks the region down after <c>threshold</c> failed checks
/// <c>interval</c> apart (detection (threshold − 1)·interval + U(0, interval)); from then on the authoritative
/// DNS answers with the other region. A client moves when its cached answer expires: its cache was filled at a
/// uniformly random moment of the last TTL, so it expires U(0, TTL) after the switch. A share of resolvers
/// ignores the TTL and keeps stale answers for <c>staleSeconds</c> more.
/// </summary>
public static class GlobalFailover
{
    /// <summary>Seconds after the failure at which each of <paramref name="clients"/> clients moved.</summary>
    public static double[] MoveTimes(int clients, double ttlSeconds, double checkIntervalSeconds, int threshold,
        double staleShare, double staleSeconds, int seed)
    {
        Guard.InRange(clients, 1, 10_000_000);
        Guard.NonNegative(ttlSeconds);
        Guard.Positive(checkIntervalSeconds);
        Guard.InRange(threshold, 1, 100);
        Guard.InRange(staleShare, 0, 1);
        Guard.NonNegative(staleSeconds);
        var rng = new Random(seed);
        var times = new double[clients];
        for (int c = 0; c < clients; c++)
        {
            // One detection per failure, but the phase is random: draw per client from the same law would
            // blur it, so every client shares the detection of this seed's failure.
            times[c] = rng.NextDouble() * ttlSeconds + (rng.NextDouble() < staleShare ? staleSeconds : 0);
        }
        double detection = (threshold - 1) * checkIntervalSeconds + new Random(seed ^ 0x5bd1e995).NextDouble()
            * checkIntervalSeconds;
        for (int c = 0; c < clients; c++) times[c] += detection;
        return times;
    }

    /// <summary>The share of clients moved by time t: detection d, then the TTL's uniform expiry, with a share
    /// s of resolvers late by an extra L: (1−s)·F(t−d) + s·F(t−d−L), F the U(0, TTL) CDF.</summary>
    public static double MovedShare(double t, double detectionSeconds, double ttlSeconds, double staleShare,
        double staleSeconds)
    {
        Guard.NonNegative(detectionSeconds);
        Guard.NonNegative(ttlSeconds);
        Guard.InRange(staleShare, 0, 1);
        Guard.NonNegative(staleSeconds);
        double F(double x) => x < 0 ? 0 : ttlSeconds == 0 ? 1 : Math.Min(1, x / ttlSeconds);
        return (1 - staleShare) * F(t - detectionSeconds) + staleShare * F(t - detectionSeconds - staleSeconds);
    }

    /// <summary>Recovery time objective of a DNS failover: detection + the TTL (the last client) + promotion
    /// of the standby database; and the recovery point: writes committed on the primary but not yet
    /// replicated when it failed, i.e. write rate × replication lag.</summary>
    public static (double RtoSeconds, double RpoSeconds, double WritesLost) RtoRpo(double detectionSeconds,
        double ttlSeconds, double promotionSeconds, double replicationLagSeconds, double writesPerSecond)
    {
        Guard.NonNegative(detectionSeconds);
        Guard.NonNegative(ttlSeconds);
        Guard.NonNegative(promotionSeconds);
        Guard.NonNegative(replicationLagSeconds);
        Guard.NonNegative(writesPerSecond);
        return (detectionSeconds + Math.Max(ttlSeconds, promotionSeconds), replicationLagSeconds,
            replicationLagSeconds * writesPerSecond);
    }

    /// <summary>Writes lost when the primary fails at a random moment: simulated asynchronous replication that
    /// ships a batch every <paramref name="shipEverySeconds"/> which arrives <paramref name="delaySeconds"/>
    /// later, Poisson writes at the given rate. Returns the lost-write count per simulated failure.</summary>
    public static int[] LostWrites(double writesPerSecond, double shipEverySeconds, double delaySeconds,
        int failures, int seed)
    {
        Guard.Positive(writesPerSecond);
        Guard.Positive(shipEverySeconds);
        Guard.NonNegative(delaySeconds);
        Guard.InRange(failures, 1, 1_000_000);
        var rng = new Random(seed);
        var lost = new int[failures];
        for (int f = 0; f < failures; f++)
        {
            // Fail at time T: replicated = writes before the last shipment that has arrived,
            // i.e. shipped at a multiple of shipEvery no later than T − delay.
            double T = 100 + rng.NextDouble() * 100;
            double shippedUpTo = Math.Floor((T - delaySeconds) / shipEverySeconds) * shipEverySeconds;
            // Writes in (shippedUpTo, T]: Poisson with mean rate·(T − shippedUpTo).
            lost[f] = Poisson(rng, writesPerSecond * (T - shippedUpTo));
        }
        return lost;
    }

    private static int Poisson(Random rng, double mean)
    {
        // Sum of exponential gaps: fine for the small means used here.
        int k = 0; double t = -Math.Log(1 - rng.NextDouble());
        while (t < mean) { k++; t += -Math.Log(1 - rng.NextDouble()); }
        return k;
    }
}
