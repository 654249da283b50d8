namespace SystemDesign.Caching;

/// <summary>Admissions of a limit enforced by servers that sync their counts periodically.</summary>
public sealed record DistributedLimitRun(int Servers, double SyncSeconds, int Limit, int Windows, int MaxAdmittedInAWindow,
    double MeanAdmittedPerWindow, double Bound)
{
    public int WorstExcess => Math.Max(0, MaxAdmittedInAWindow - Limit);
}

/// <summary>
/// A global limit (<c>limit</c> per fixed window) enforced by <c>servers</c> app servers that each keep a
/// local count and push it to a shared counter (Redis INCRBY) every <c>syncSeconds</c>, reading the global
/// total back. A server admits while (global total it last saw + its own unsynced count) &lt; limit, so
/// between syncs every server may admit what the others already used: the excess over the limit is at most
/// the requests all servers receive in one sync interval, servers × rate × sync.
/// </summary>
public static class DistributedCounter
{
    public static DistributedLimitRun Simulate(int servers, int limit, double windowSeconds, double syncSeconds,
        double ratePerServer, int windows, int seed)
    {
        Guard.InRange(servers, 1, 1000);
        Guard.InRange(limit, 1, 10_000_000);
        Guard.InRange(windowSeconds, 1e-3, 3600);
        Guard.InRange(syncSeconds, 1e-4, windowSeconds);
        Guard.InRange(ratePerServer, 1e-3, 1e6);
        Guard.InRange(windows, 1, 10_000);
        var rng = new Random(seed);
        // Each server's requests, and its sync instants (phase-shifted so servers do not sync together).
        var events = new PriorityQueue<(int Server, bool Sync), double>();
        double span = windows * windowSeconds;
        for (int s = 0; s < servers; s++)
        {
            for (double t = Exp(rng, ratePerServer); t < span; t += Exp(rng, ratePerServer)) events.Enqueue((s, false), t);
            for (double t = rng.NextDouble() * syncSeconds; t < span; t += syncSeconds) events.Enqueue((s, true), t);
        }
        var seen = new int[servers];
        var unsynced = new int[servers];
        int global = 0, window = 0;
        var admitted = new int[windows];
        while (events.TryDequeue(out var e, out double t))
        {
            int w = (int)(t / windowSeconds);
            if (w != window)
            {
                window = w; global = 0;
                Array.Clear(seen); Array.Clear(unsynced);
            }
            if (e.Sync) { global += unsynced[e.Server]; unsynced[e.Server] = 0; seen[e.Server] = global; continue; }
            if (seen[e.Server] + unsynced[e.Server] < limit) { unsynced[e.Server]++; admitted[w]++; }
        }
        return new DistributedLimitRun(servers, syncSeconds, limit, windows, admitted.Max(), admitted.Average(),
            limit + servers * ratePerServer * syncSeconds);
    }

    private static double Exp(Random rng, double rate) => -Math.Log(1 - rng.NextDouble()) / rate;
}
