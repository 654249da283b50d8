using System.Diagnostics;
using System.Net.Http;

namespace SystemDesign.LoadBalancing;

/// <summary>One request as the client saw it: user (the X-User key; the client number unless users were given), backend that answered (from X-Backend; empty
/// on an error), latency in ms, start time in ms since the run began, HTTP status (0 on a transport error), and the
/// time the backend says it held the request (<see cref="KestrelBackends.ServerMsHeader"/>; NaN without one).</summary>
public sealed record Sample(int Client, string Backend, double LatencyMs, double StartMs, int Status,
    double ServerMs = double.NaN);

/// <summary>What a closed-loop run through a real load balancer measured.</summary>
public sealed record RealRun(string Balancer, IReadOnlyList<Sample> Samples)
{
    /// <summary>Successful requests answered by each named backend, in the given order.</summary>
    public int[] CountsFor(IReadOnlyList<string> backends) =>
        backends.Select(b => Samples.Count(s => s.Backend == b)).ToArray();

    /// <summary>Shares of the successful requests, in the given order.</summary>
    public double[] SharesFor(IReadOnlyList<string> backends)
    {
        var counts = CountsFor(backends);
        double total = Math.Max(1, counts.Sum());
        return counts.Select(c => c / total).ToArray();
    }

    /// <summary>Latency quantile (ms) over successful requests.</summary>
    public double Quantile(double q) => LbSimulation.Percentile(
        Samples.Where(s => s.Status == 200).Select(s => s.LatencyMs).ToArray(), q);

    /// <summary>The backend each user's requests went to (the last one, for a user that moved mid-run).</summary>
    public Dictionary<int, string> BackendOfUser() => Samples.Where(s => s.Status == 200)
        .GroupBy(s => s.Client).ToDictionary(g => g.Key, g => g.Last().Backend);

    /// <summary>The most distinct backends any one user reached in this run (1 = every user stuck).</summary>
    public int MaxBackendsPerUser => Samples.Where(s => s.Status == 200).GroupBy(s => s.Client)
        .Select(g => g.Select(s => s.Backend).Distinct().Count()).DefaultIfEmpty(0).Max();

    /// <summary>Mean time a successful request spent outside the backend (client, balancer, loopback): latency
    /// minus the backend's own <see cref="Sample.ServerMs"/>, measured during the run itself; NaN when no
    /// backend reported its time.</summary>
    public double OverheadMs => Samples.Where(s => s.Status == 200 && !double.IsNaN(s.ServerMs))
        .Select(s => s.LatencyMs - s.ServerMs).DefaultIfEmpty(double.NaN).Average();

    /// <summary>Requests that failed (non-200 or transport error).</summary>
    public int Errors => Samples.Count(s => s.Status != 200);
}

/// <summary>
/// A closed-loop load generator: <c>clients</c> tasks, each with one request outstanding on its own
/// kept-alive connection, until <c>requests</c> in all. Client c sends <c>X-User: u{c}</c> (the key that
/// hashing balancers use), like the simulation's <see cref="Workload.Closed"/>; with <c>users</c> &gt; 0,
/// request number i sends <c>u{i mod users}</c> instead.
/// </summary>
public static class LoadDriver
{
    /// <summary>Runs the load against <paramref name="url"/> and returns every sample.</summary>
    public static RealRun Run(string balancer, string url, int requests, int clients, int warmup = 0,
        TimeSpan? timeout = null, int users = 0)
    {
        Guard.InRange(users, 0, 1_000_000);
        Guard.NotEmpty(url);
        Guard.InRange(requests, 1, 1_000_000);
        Guard.InRange(clients, 1, 1_000);
        Guard.InRange(warmup, 0, 100_000);
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = clients,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            UseProxy = false,
        };
        using var http = new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(5) };
        if (warmup > 0) Loop(http, url, warmup, clients, Stopwatch.GetTimestamp(), users);
        var samples = Loop(http, url, requests, clients, Stopwatch.GetTimestamp(), users);
        return new RealRun(Guard.NotEmpty(balancer), samples.OrderBy(s => s.StartMs).ToArray());
    }

    private static List<Sample> Loop(HttpClient http, string url, int requests, int clients, long origin,
        int users)
    {
        int next = -1;
        var all = new List<Sample>[clients];
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = all[c] = new List<Sample>();
            int seq;
            while ((seq = Interlocked.Increment(ref next)) < requests)
            {
                int user = users > 0 ? seq % users : c;
                long t0 = Stopwatch.GetTimestamp();
                string backend = ""; int status = 0; double serverMs = double.NaN;
                try
                {
                    using var req = new HttpRequestMessage(HttpMethod.Get, url);
                    req.Headers.Add("X-User", $"u{user}");
                    using var resp = await http.SendAsync(req);
                    status = (int)resp.StatusCode;
                    if (resp.Headers.TryGetValues("X-Backend", out var v)) backend = v.First();
                    if (resp.Headers.TryGetValues(KestrelBackends.ServerMsHeader, out var ms))
                        serverMs = double.Parse(ms.First(), System.Globalization.CultureInfo.InvariantCulture);
                    await resp.Content.ReadAsStringAsync();
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { status = 0; }
                long t1 = Stopwatch.GetTimestamp();
                mine.Add(new Sample(user, status == 200 ? backend : "", Ms(t1 - t0),
                    Ms(t0 - origin), status, serverMs));
            }
        })).ToArray();
        Task.WaitAll(tasks);
        return all.SelectMany(x => x).ToList();
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
