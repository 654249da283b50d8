namespace SystemDesign.LoadBalancing;

/// <summary>A real load balancer's run beside the simulation of the same workload: shares of requests per
/// backend, latency quantiles, the per-request overhead outside the backends, the backends' measured work.</summary>
public sealed record RealVsModel(string Balancer, string Algorithm, int Requests, double[] RealShares,
    double[] ModelShares, double RealP50Ms, double RealP99Ms, double ModelP50Ms, double ModelP99Ms,
    double OverheadMs, double[] WorkMs, int Errors)
{
    /// <summary>The largest |real share − model share| over the backends.</summary>
    public double WorstShareGap => RealShares.Zip(ModelShares, (a, b) => Math.Abs(a - b)).Max();

    /// <summary>Shares per backend as "real/model", e.g. "31 %/33 %  34 %/32 %".</summary>
    public string Shares => string.Join("  ", RealShares.Zip(ModelShares, (a, b) => $"{a:P0}/{b:P0}"));
}

/// <summary>One table row: shares per backend as real/model, p50 and p99 real / model, overhead, errors.</summary>
public sealed record RealRow(string Balancer, string SharesRealVsModel, string P50RealVsModelMs,
    string P99RealVsModelMs, double OverheadMs, int Errors);

/// <summary>Runs closed-loop load through a real load balancer and the same workload through the simulation.</summary>
public static class RealLab
{
    private static KestrelBackends? shared;
    private static BackendSpec[]? sharedSpecs;

    /// <summary>First port of the Kestrel backends: $SDN_LB_PORT, else 27100. Balancers listen 50 above.</summary>
    public static int BackendPort => int.TryParse(Environment.GetEnvironmentVariable("SDN_LB_PORT"), out int p)
        ? Guard.InRange(p, 1024, 64_000) : 27_100;

    /// <summary>First port for the load balancers' frontends.</summary>
    public static int ProxyPort => BackendPort + 50;

    /// <summary>Kestrel backends for these specs, started once per process and reused by later cells (any
    /// stopped by a health-check experiment are started again).</summary>
    public static KestrelBackends Backends(IReadOnlyList<BackendSpec> specs)
    {
        Guard.NotEmpty(specs);
        lock (typeof(RealLab))
        {
            if (shared is not null && sharedSpecs!.SequenceEqual(specs))
            {
                for (int i = 0; i < shared.Count; i++) if (!shared.IsRunning(i)) shared.Restart(i);
                return shared;
            }
            shared?.Dispose();
            shared = KestrelBackends.Start(specs, BackendPort);
            sharedSpecs = specs.ToArray();
            return shared;
        }
    }

    /// <summary>A row for a table: shares as "real / model" per backend, p50 and p99 real and model.</summary>
    public static RealRow Row(RealVsModel r)
    {
        Guard.NotNull(r);
        return new RealRow(r.Balancer, r.Shares,
            $"{r.RealP50Ms:F1} / {r.ModelP50Ms:F1}", $"{r.RealP99Ms:F1} / {r.ModelP99Ms:F1}",
            Math.Round(r.OverheadMs, 2), r.Errors);
    }

    /// <summary>Users whose backend differs between two runs (same users), those that were on
    /// <paramref name="removed"/> before, and those that moved although their backend stayed.</summary>
    public static (int Users, int Moved, int OnRemoved, int MovedOthers) Moves(RealRun before, RealRun after,
        string removed)
    {
        Guard.NotNull(before);
        Guard.NotNull(after);
        var a = before.BackendOfUser();
        var b = after.BackendOfUser();
        var common = a.Keys.Where(b.ContainsKey).ToArray();
        return (common.Length, common.Count(u => a[u] != b[u]), common.Count(u => a[u] == removed),
            common.Count(u => a[u] != removed && a[u] != b[u]));
    }

    /// <summary>
    /// Sends <paramref name="requests"/> requests from <paramref name="clients"/> closed-loop clients through
    /// the balancer at <paramref name="url"/>, then simulates <paramref name="algorithm"/> on backends whose
    /// service time is the work each real backend measured plus the overhead (a request is in flight at the
    /// balancer for both), with the same clients and capacities, over 20,000 requests. The overhead is
    /// measured in the same run (latency minus the time the backend held the request), so a change of load
    /// on the machine moves the real run and its model together.
    /// </summary>
    public static RealVsModel Compare(string balancer, string url, Algorithm algorithm, KestrelBackends backends,
        bool weighted, int requests, int clients, int seed = 1)
    {
        Guard.NotEmpty(balancer);
        Guard.NotNull(backends);
        Guard.InRange(requests, 10, 100_000);
        Guard.InRange(clients, 1, 256);
        Guard.NotEmpty(url);
        backends.ResetCounts();
        var run = LoadDriver.Run(balancer, url, requests, clients, warmup: 2 * clients);
        double overhead = run.OverheadMs;
        Guard.That(!double.IsNaN(overhead),
            $"no answer through {url} carried {KestrelBackends.ServerMsHeader} ({run.Errors} of {requests} failed)",
            nameof(url));
        var work = backends.MeanWorkMs;
        var names = backends.Specs.Select(s => s.Name).ToArray();
        var specs = backends.Specs.Select((s, i) => s with
        {
            ServiceMs = (work[i] > 0 ? work[i] : s.ServiceMs) + overhead,
            Weight = weighted ? s.Weight : 1,
        }).ToArray();
        var model = LbSimulation.Run(algorithm, specs,
            Workload.Closed(20_000, clients, ServiceTime.Fixed, warmup: 1_000), seed);
        return new RealVsModel(balancer, algorithm.ToString(), requests, run.SharesFor(names), model.Shares,
            run.Quantile(0.5), run.Quantile(0.99), model.P50Ms, model.P99Ms, overhead, work, run.Errors);
    }
}
