namespace SystemDesign.LoadBalancing;

/// <summary>
/// Active health checks as HAProxy runs them: a check every <c>inter</c>; a server is marked down after
/// <c>fall</c> consecutive failed checks and up again after <c>rise</c> consecutive good ones. A failure
/// happens at a uniformly random phase of the check cycle, so the first failed check comes U(0, inter)
/// later and the last one (fall − 1)·inter after that: detection takes (fall − 1)·inter + U(0, inter),
/// plus the check's timeout when the server hangs instead of refusing.
/// </summary>
public static class HealthChecks
{
    /// <summary>Simulated detection times (ms) of <paramref name="failures"/> failures at random phases.</summary>
    public static double[] DetectionTimes(double interMs, int fall, int failures, int seed, double timeoutMs = 0)
    {
        Guard.Positive(interMs);
        Guard.InRange(fall, 1, 100);
        Guard.InRange(failures, 1, 10_000_000);
        Guard.NonNegative(timeoutMs);
        var rng = new Random(seed);
        var result = new double[failures];
        for (int i = 0; i < failures; i++)
        {
            // Checks at phase + k·inter; the failure at time 0 with phase ~ U(0, inter).
            double firstFailedCheck = rng.NextDouble() * interMs;
            result[i] = firstFailedCheck + (fall - 1) * interMs + timeoutMs;
        }
        return result;
    }

    /// <summary>The detection window [(fall − 1)·inter, fall·inter] (+ timeout), and its mean.</summary>
    public static (double Min, double Mean, double Max) DetectionWindow(double interMs, int fall,
        double timeoutMs = 0)
    {
        Guard.Positive(interMs);
        Guard.InRange(fall, 1, 100);
        Guard.NonNegative(timeoutMs);
        return ((fall - 1) * interMs + timeoutMs, (fall - 0.5) * interMs + timeoutMs, fall * interMs + timeoutMs);
    }

    /// <summary>HAProxy's slow start: a server back up for t of a slowstart window S runs at weight
    /// w·t/S (at least 1/weight-scale), so with n − 1 peers at full weight it gets this share of a dynamic
    /// algorithm's requests.</summary>
    public static double SlowStartShare(double sinceUpMs, double slowStartMs, int servers)
    {
        Guard.NonNegative(sinceUpMs);
        Guard.NonNegative(slowStartMs);
        Guard.InRange(servers, 2, 10_000);
        double f = slowStartMs == 0 ? 1 : Math.Clamp(sinceUpMs / slowStartMs, 0, 1);
        return f / (f + servers - 1);
    }
}
