namespace SystemDesign.Resilience;

/// <summary>Per-second figures of a cascade run: by arrival second, share answered in time and median latency.</summary>
public sealed record CascadeRun(string Name, double[] Seconds, double[] BrowseAnswered, double[] CheckoutAnswered,
    double[] MedianMs, int Degraded)
{
    /// <summary>Mean of a per-second series over [from, to) seconds.</summary>
    public static double Mean(double[] series, int from, int to)
    {
        Guard.NotNull(series);
        Guard.InRange(from, 0, series.Length - 1);
        Guard.InRange(to, from + 1, series.Length);
        return series.Skip(from).Take(to - from).Average();
    }
}

/// <summary>
/// A discrete-event model of A → B → C with worker pools. Half of A's requests ("browse") need only A
/// (5 ms); the other half ("checkout") hold an A worker while A calls B, and B holds a worker while it
/// calls C. A full pool queues (FIFO, no limit), as a thread pool or connection pool does. C answers in
/// 20 ms until it turns slow (3 s per call). A client gives up after 1 s, but the server keeps the work.
/// Protected: B's call to C has a timeout, a circuit breaker (ours, on the simulation's clock) and a
/// fallback (a degraded answer at once).
/// </summary>
public static class CascadeSimulation
{
    /// <summary>Runs one configuration.</summary>
    public static CascadeRun Run(bool protectedCalls, double ratePerSecond = 200, int poolA = 50,
        int poolB = 50, double slowFrom = 10, double slowTo = 30, double seconds = 40,
        double timeoutMs = 100, int seed = 1)
    {
        Guard.InRange(ratePerSecond, 1, 10_000);
        Guard.InRange(poolA, 1, 10_000);
        Guard.InRange(poolB, 1, 10_000);
        Guard.InRange(seconds, 1, 600);
        Guard.InRange(slowFrom, 0, seconds);
        Guard.InRange(slowTo, slowFrom, seconds);
        Guard.InRange(timeoutMs, 1, 10_000);
        var sim = new Sim();
        var rng = new Random(seed);
        var a = new Pool(sim, poolA);
        var b = new Pool(sim, poolB);
        var clock = new ManualClock();
        var breaker = new CircuitBreaker(new BreakerOptions(0.5, 20, TimeSpan.FromSeconds(2),
            TimeSpan.FromSeconds(2)), clock);
        int n = (int)seconds;
        var answered = new double[2, n];
        var offered = new double[2, n];
        var latency = Enumerable.Range(0, n).Select(_ => new List<double>()).ToArray();
        int degraded = 0;
        const double clientTimeout = 1.0, browseWork = 0.005, cFast = 0.020, cSlow = 3.0;

        void Done(double start, int kind, bool ok)
        {
            double took = sim.Now - start;
            int sec = (int)start;
            if (ok && took <= clientTimeout) answered[kind, sec]++;
            latency[sec].Add(Math.Min(took, clientTimeout) * 1000);
        }
        void Checkout(double start)
        {
            b.Acquire(() =>
            {
                double cTime = sim.Now >= slowFrom && sim.Now < slowTo ? cSlow : cFast;
                void Finish(bool viaC)
                {
                    if (!viaC) degraded++;
                    b.Release(); a.Release(); Done(start, 1, true);
                }
                if (!protectedCalls) { sim.At(sim.Now + cTime, () => Finish(true)); return; }
                clock.SetTo(TimeSpan.FromSeconds(sim.Now));
                if (!breaker.TryAcquire()) { Finish(false); return; }
                bool inTime = cTime * 1000 <= timeoutMs;
                sim.At(sim.Now + Math.Min(cTime, timeoutMs / 1000), () =>
                {
                    clock.SetTo(TimeSpan.FromSeconds(sim.Now));
                    breaker.Record(inTime);
                    Finish(inTime);
                });
            });
        }
        for (double t = Exp(rng, ratePerSecond); t < seconds; t += Exp(rng, ratePerSecond))
        {
            double start = t;
            int kind = rng.NextDouble() < 0.5 ? 0 : 1;
            offered[kind, (int)t]++;
            sim.At(start, () => a.Acquire(() =>
            {
                if (kind == 0) sim.At(sim.Now + browseWork, () => { a.Release(); Done(start, 0, true); });
                else Checkout(start);
            }));
        }
        sim.RunUntil(seconds + 10);
        double[] Share(int kind) => Enumerable.Range(0, n)
            .Select(s => offered[kind, s] == 0 ? 1 : answered[kind, s] / offered[kind, s]).ToArray();
        return new CascadeRun(protectedCalls ? "timeout + breaker + fallback" : "no timeouts",
            Enumerable.Range(0, n).Select(s => (double)s).ToArray(), Share(0), Share(1),
            latency.Select(l => l.Count == 0 ? 0 : Notebook.Stats.Percentile(l, 0.5)).ToArray(), degraded);
    }

    private static double Exp(Random rng, double rate) => -Math.Log(1 - rng.NextDouble()) / rate;

    internal sealed class Sim
    {
        private readonly PriorityQueue<Action, (double, long)> events = new();
        private long seq;
        public double Now { get; private set; }
        public void At(double t, Action a) => events.Enqueue(a, (Math.Max(t, Now), seq++));
        public void RunUntil(double end)
        {
            while (events.TryPeek(out _, out var key) && key.Item1 <= end)
            {
                var act = events.Dequeue();
                Now = key.Item1;
                act();
            }
        }
    }

    internal sealed class Pool(Sim sim, int capacity)
    {
        private readonly Queue<Action> waiting = new();
        private int busy;
        public void Acquire(Action granted)
        {
            if (busy < capacity) { busy++; granted(); }
            else waiting.Enqueue(granted);
        }
        public void Release()
        {
            if (waiting.Count > 0) { var next = waiting.Dequeue(); sim.At(sim.Now, next); }
            else busy--;
        }
    }
}
