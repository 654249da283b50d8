namespace SystemDesign.Resilience;

/// <summary>What a simulated chain did: shares of requests answered fully, degraded, or failed.</summary>
public sealed record ChainOutcome(int Requests, int Full, int Degraded, double CallsPerRequest)
{
    /// <summary>Share answered with the real answer.</summary>
    public double FullShare => (double)Full / Requests;

    /// <summary>Share answered at all (real or fallback).</summary>
    public double AnsweredShare => (double)(Full + Degraded) / Requests;
}

/// <summary>
/// Availability arithmetic for a synchronous chain hop 0 → hop 1 → … (hop 0 faces the user), and a Monte
/// Carlo of the same chain where every attempt at every hop fails independently.
/// </summary>
public static class Availability
{
    /// <summary>Product of the hops' availabilities: every hop must answer.</summary>
    public static double Serial(IReadOnlyList<double> up)
    {
        Guard.NotEmpty(up);
        return up.Aggregate(1.0, (a, u) => a * Guard.InRange(u, 0, 1, nameof(up)));
    }

    /// <summary>One hop tried 1 + retries times, attempts independent: 1 − (1 − up)^(retries+1).</summary>
    public static double WithRetries(double up, int retries)
    {
        Guard.InRange(up, 0, 1);
        Guard.InRange(retries, 0, 100);
        return 1 - Math.Pow(1 - up, retries + 1);
    }

    /// <summary>
    /// The closed form of <see cref="Simulate"/> without fallback: working up from the last hop,
    /// s_i = 1 − (1 − up_i·s_(i+1))^(retries_i + 1), since a retry of the call into hop i re-runs hop i and
    /// everything below it; the front is not retried.
    /// </summary>
    public static double Nested(IReadOnlyList<double> up, IReadOnlyList<int> retries)
    {
        Guard.NotEmpty(up);
        Guard.NotNull(retries);
        Guard.That(retries.Count == up.Count, "one retry count per hop", nameof(retries));
        double below = 1;
        for (int i = up.Count - 1; i >= 1; i--)
            below = WithRetries(Guard.InRange(up[i], 0, 1, nameof(up)) * below, retries[i]);
        return Guard.InRange(up[0], 0, 1, nameof(up)) * below;
    }

    /// <summary>
    /// Simulates <paramref name="requests"/> through the chain. The call into hop i (i ≥ 1) is retried up to
    /// retries[i] times; when the call from hop 0 into hop 1 finally fails and <paramref name="fallback"/>
    /// is set, hop 0 answers degraded (from a cache) instead of failing.
    /// </summary>
    public static ChainOutcome Simulate(IReadOnlyList<double> up, IReadOnlyList<int> retries, bool fallback,
        int requests, int seed)
    {
        Guard.NotEmpty(up);
        Guard.NotNull(retries);
        Guard.That(retries.Count == up.Count, "one retry count per hop", nameof(retries));
        foreach (var u in up) Guard.InRange(u, 0, 1, nameof(up));
        foreach (var r in retries) Guard.InRange(r, 0, 100, nameof(retries));
        Guard.InRange(requests, 1, 10_000_000);
        var rng = new Random(seed);
        long calls = 0;
        int full = 0, degraded = 0;
        bool Call(int hop)
        {
            for (int attempt = 0; attempt <= (hop == 0 ? 0 : retries[hop]); attempt++)
            {
                calls++;
                bool ok = rng.NextDouble() < up[hop] && (hop == up.Count - 1 || Call(hop + 1));
                if (ok) return true;
            }
            return false;
        }
        for (int i = 0; i < requests; i++)
        {
            calls++;
            if (rng.NextDouble() >= up[0]) continue;              // the front itself is down
            if (up.Count == 1 || Call(1)) full++;
            else if (fallback) degraded++;
        }
        return new ChainOutcome(requests, full, degraded, (double)calls / requests);
    }
}
