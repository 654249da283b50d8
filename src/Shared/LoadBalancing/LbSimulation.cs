namespace SystemDesign.LoadBalancing;

/// <summary>One backend: mean service time (ms), requests it serves at once, its weight for weighted
/// round robin (and HAProxy/nginx <c>weight</c>).</summary>
public sealed record BackendSpec(string Name, double ServiceMs, int Capacity, int Weight = 1)
{
    /// <summary>Requests per second the backend completes when busy: capacity × 1000 / service ms.</summary>
    public double ThroughputPerSecond => Capacity * 1000.0 / ServiceMs;
}

/// <summary>How long one request takes once a backend's worker starts on it.</summary>
public enum ServiceTime
{
    /// <summary>Exponential with the backend's mean: an M/M/c-like backend.</summary>
    Exponential,
    /// <summary>Exactly the backend's mean (what a Kestrel backend sleeping a fixed time does).</summary>
    Fixed,
}

/// <summary>The workload: open loop (Poisson arrivals at RatePerSecond) or closed loop (Clients each sending
/// the next request when the last one answers); Requests in all, keyed by one of Users ids.</summary>
public sealed record Workload(int Requests, double RatePerSecond = 0, int Clients = 0, int Users = 1000,
    ServiceTime Service = ServiceTime.Exponential, int WarmupRequests = 0, double SampleEveryMs = 50)
{
    /// <summary>Open loop: Poisson arrivals.</summary>
    public static Workload Open(int requests, double ratePerSecond, int users = 1000,
        ServiceTime service = ServiceTime.Exponential, int warmup = 0) =>
        new(requests, RatePerSecond: Guard.Positive(ratePerSecond), Users: users, Service: service,
            WarmupRequests: warmup);

    /// <summary>Closed loop: <paramref name="clients"/> clients, each with one request outstanding; client c
    /// uses key "u{c}".</summary>
    public static Workload Closed(int requests, int clients, ServiceTime service = ServiceTime.Fixed,
        int warmup = 0) =>
        new(requests, Clients: Guard.InRange(clients, 1, 100_000), Users: clients, Service: service,
            WarmupRequests: warmup);
}

/// <summary>Per-backend results of a run.</summary>
public sealed record BackendResult(string Backend, int Requests, double Share, double MeanInFlight,
    int MaxInFlight, double P50Ms, double P99Ms);

/// <summary>The result of one simulated run.</summary>
public sealed record LbRun(string Algorithm, IReadOnlyList<BackendResult> Backends, double P50Ms,
    double P99Ms, double MeanMs, double DurationMs, double[] SampleTimesMs, double[][] InFlightSamples,
    IReadOnlyList<double> LatenciesMs)
{
    /// <summary>Largest in-flight count seen on any backend.</summary>
    public int MaxInFlight => Backends.Max(b => b.MaxInFlight);

    /// <summary>Share of requests each backend received, in backend order.</summary>
    public double[] Shares => Backends.Select(b => b.Share).ToArray();
}

/// <summary>
/// A seeded discrete-event simulation of a load balancer in front of heterogeneous backends. Each backend
/// serves up to Capacity requests at once and queues the rest (FIFO); the balancer sees in-flight counts
/// (queued + in service) and, for peak EWMA, the latencies of completed requests. Latency = queueing +
/// service; the balancer itself adds nothing.
/// </summary>
public static class LbSimulation
{
    /// <summary>Runs one algorithm on the workload.</summary>
    public static LbRun Run(Algorithm algorithm, IReadOnlyList<BackendSpec> backends, Workload workload,
        int seed = 1) =>
        Run(Balancer.Create(algorithm, Guard.NotNull(backends).Select(b => b.Weight).ToArray()),
            algorithm.ToString(), backends, workload, seed);

    /// <summary>Runs every algorithm of <see cref="Algorithm"/> on the same workload and seed.</summary>
    public static IReadOnlyList<LbRun> RunAll(IReadOnlyList<BackendSpec> backends, Workload workload,
        int seed = 1) =>
        Enum.GetValues<Algorithm>().Select(a => Run(a, backends, workload, seed)).ToList();

    /// <summary>Runs a given balancer (for custom policies).</summary>
    public static LbRun Run(Balancer balancer, string name, IReadOnlyList<BackendSpec> backends,
        Workload workload, int seed = 1)
    {
        Guard.NotNull(balancer);
        Guard.NotEmpty(backends);
        Guard.NotNull(workload);
        Guard.That(balancer.Count == backends.Count, "balancer and backends differ in count", nameof(balancer));
        foreach (var b in backends)
        {
            Guard.Positive(b.ServiceMs, nameof(b.ServiceMs));
            Guard.Positive(b.Capacity, nameof(b.Capacity));
        }
        Guard.InRange(workload.Requests, 1, 5_000_000, nameof(workload.Requests));
        Guard.That((workload.RatePerSecond > 0) != (workload.Clients > 0),
            "a workload is open (rate) or closed (clients), not both", nameof(workload));
        Guard.InRange(workload.WarmupRequests, 0, workload.Requests - 1, nameof(workload.WarmupRequests));
        Guard.Positive(workload.SampleEveryMs, nameof(workload.SampleEveryMs));
        Guard.Positive(workload.Users, nameof(workload.Users));
        return new Engine(balancer, name, backends, workload, seed).Run();
    }

    private sealed class Engine(Balancer balancer, string name, IReadOnlyList<BackendSpec> backends,
        Workload w, int seed)
    {
        private readonly Random arrivals = new(seed), service = new(seed * 7919 + 1), pick = new(seed * 31 + 7);
        private readonly PriorityQueue<(int Kind, int Backend, int Request), (double, long)> events = new();
        private readonly BalancerView view = new(backends.Count);
        private long order;

        public LbRun Run()
        {
            int n = backends.Count;
            var busy = new int[n];
            var queues = Enumerable.Range(0, n).Select(_ => new Queue<int>()).ToArray();
            var sentAt = new double[w.Requests];
            var target = new int[w.Requests];
            var latency = new double[w.Requests];
            var area = new double[n];
            var max = new int[n];
            var sampleT = new List<double>();
            var samples = Enumerable.Range(0, n).Select(_ => new List<double>()).ToArray();
            double now = 0, last = 0, nextSample = 0;
            int issued = 0;

            var client = new int[w.Requests];
            void Issue(double t, int c)
            {
                if (issued >= w.Requests) return;
                client[issued] = c;
                Push(t, 0, -1, issued++);
            }
            if (w.Clients > 0) for (int c = 0; c < Math.Min(w.Clients, w.Requests); c++) Issue(0, c);
            else Issue(Exp(arrivals, 1000.0 / w.RatePerSecond), arrivals.Next(w.Users));

            while (events.TryDequeue(out var e, out var when))
            {
                now = when.Item1;
                while (nextSample <= now)
                {
                    sampleT.Add(nextSample);
                    for (int i = 0; i < n; i++) samples[i].Add(view.InFlight[i]);
                    nextSample += w.SampleEveryMs;
                }
                for (int i = 0; i < n; i++) area[i] += view.InFlight[i] * (now - last);
                last = now;
                view.NowMs = now;
                if (e.Kind == 0)
                {
                    int r = e.Request;
                    int b = balancer.Pick(view, balancer.UsesKey ? $"u{client[r]}" : "", pick);
                    sentAt[r] = now; target[r] = b;
                    view.InFlight[b]++;
                    max[b] = Math.Max(max[b], view.InFlight[b]);
                    if (busy[b] < backends[b].Capacity) { busy[b]++; Push(now + Service(b), 1, b, r); }
                    else queues[b].Enqueue(r);
                    if (w.Clients == 0)
                        Issue(now + Exp(arrivals, 1000.0 / w.RatePerSecond), arrivals.Next(w.Users));
                }
                else
                {
                    int b = e.Backend, r = e.Request;
                    latency[r] = now - sentAt[r];
                    view.InFlight[b]--;
                    balancer.OnComplete(b, latency[r], now);
                    if (queues[b].Count > 0) Push(now + Service(b), 1, b, queues[b].Dequeue());
                    else busy[b]--;
                    if (w.Clients > 0) Issue(now, client[r]);
                }
            }
            return Summarize(sentAt, target, latency, area, max, now, sampleT, samples);
        }

        private void Push(double t, int kind, int backend, int request)
        {
            events.Enqueue((kind, backend, request), (t, order++));
        }

        private double Service(int b) => w.Service == ServiceTime.Fixed
            ? backends[b].ServiceMs
            : Exp(service, backends[b].ServiceMs);

        private static double Exp(Random rng, double mean) => -mean * Math.Log(1 - rng.NextDouble());

        private LbRun Summarize(double[] sentAt, int[] target, double[] latency, double[] area, int[] max,
            double end, List<double> sampleT, List<double>[] samples)
        {
            int n = backends.Count;
            var counted = Enumerable.Range(w.WarmupRequests, w.Requests - w.WarmupRequests).ToArray();
            var all = counted.Select(r => latency[r]).ToArray();
            var per = Enumerable.Range(0, n).Select(b =>
            {
                var mine = counted.Where(r => target[r] == b).Select(r => latency[r]).ToArray();
                return new BackendResult(backends[b].Name, mine.Length, (double)mine.Length / counted.Length,
                    end > 0 ? area[b] / end : 0, max[b],
                    mine.Length > 0 ? Percentile(mine, 0.5) : 0, mine.Length > 0 ? Percentile(mine, 0.99) : 0);
            }).ToList();
            return new LbRun(name, per, Percentile(all, 0.5), Percentile(all, 0.99), all.Average(), end,
                sampleT.ToArray(), samples.Select(s => s.ToArray()).ToArray(), all);
        }
    }

    /// <summary>The q-quantile by linear interpolation between order statistics.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double q)
    {
        Guard.NotEmpty(values);
        Guard.InRange(q, 0, 1);
        var sorted = values.Order().ToArray();
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
