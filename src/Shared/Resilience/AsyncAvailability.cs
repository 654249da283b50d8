namespace SystemDesign.Resilience;

/// <summary>
/// Sync vs async over time: what share of requests succeeded (with a batch-means standard error), and for
/// the async path, how long an accepted request waited until every downstream service was up at once.
/// </summary>
public sealed record OutageRun(double SyncShare, double SyncStdErr, double AcceptedShare, double AcceptedStdErr,
    double MeanDelaySeconds, double P99DelaySeconds);

/// <summary>
/// Services that fail and recover over time: each alternates up periods (exponential, mean MTBF) and down
/// periods (exponential, mean MTTR), independently, so each is up a share MTBF/(MTBF+MTTR) of the time.
/// A synchronous request at time t succeeds when every service is up at t. An asynchronous one only needs the
/// front (it enqueues durably and answers "accepted"); the work completes at the first moment from t on when
/// all the others are up together.
/// </summary>
public static class OutageTimeline
{
    /// <summary>Runs <paramref name="requests"/> requests at uniform random times over the horizon.</summary>
    public static OutageRun Run(IReadOnlyList<double> mtbfSeconds, IReadOnlyList<double> mttrSeconds,
        double horizonSeconds, int requests, int seed, int batches = 50)
    {
        Guard.NotEmpty(mtbfSeconds);
        Guard.NotNull(mttrSeconds);
        Guard.That(mttrSeconds.Count == mtbfSeconds.Count, "one MTTR per service", nameof(mttrSeconds));
        Guard.InRange(horizonSeconds, 1, 1e9);
        Guard.InRange(requests, batches, 10_000_000);
        Guard.InRange(batches, 2, 1_000);
        var rng = new Random(seed);
        // Each service's down intervals, in time order.
        var downs = mtbfSeconds.Select((u, i) =>
        {
            Guard.InRange(u, 1e-6, 1e9, nameof(mtbfSeconds));
            double d = Guard.InRange(mttrSeconds[i], 1e-6, 1e9, nameof(mttrSeconds));
            var list = new List<(double From, double To)>();
            double t = -Math.Log(1 - rng.NextDouble()) * u;
            while (t < horizonSeconds * 2)
            {
                double end = t - Math.Log(1 - rng.NextDouble()) * d;
                list.Add((t, end));
                t = end - Math.Log(1 - rng.NextDouble()) * u;
            }
            return list.ToArray();
        }).ToArray();
        bool Up(int s, double t)
        {
            var l = downs[s];
            int lo = 0, hi = l.Length - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) / 2;
                if (l[mid].To <= t) lo = mid + 1;
                else if (l[mid].From > t) hi = mid - 1;
                else return false;
            }
            return true;
        }
        double NextDownEnd(int s, double t) =>
            downs[s].FirstOrDefault(x => x.From <= t && t < x.To).To;
        var times = Enumerable.Range(0, requests).Select(_ => rng.NextDouble() * horizonSeconds)
            .OrderBy(x => x).ToArray();
        var syncOk = new double[batches]; var accepted = new double[batches]; var count = new double[batches];
        var delays = new List<double>();
        foreach (double t in times)
        {
            int b = Math.Min(batches - 1, (int)(t / horizonSeconds * batches));
            count[b]++;
            bool all = Enumerable.Range(0, downs.Length).All(s => Up(s, t));
            if (all) syncOk[b]++;
            if (!Up(0, t)) continue;
            accepted[b]++;
            double when = t;
            for (int guard = 0; guard < 100_000; guard++)
            {
                int down = Enumerable.Range(1, downs.Length - 1).FirstOrDefault(s => !Up(s, when), -1);
                if (down < 0) break;
                when = NextDownEnd(down, when);
            }
            delays.Add(when - t);
        }
        (double Mean, double Se) Batch(double[] ok)
        {
            var shares = ok.Select((x, i) => x / Math.Max(1, count[i])).ToArray();
            return (ok.Sum() / requests, Notebook.Stats.StdDev(shares) / Math.Sqrt(batches));
        }
        var (sync, syncSe) = Batch(syncOk);
        var (acc, accSe) = Batch(accepted);
        return new OutageRun(sync, syncSe, acc, accSe, delays.Count == 0 ? 0 : delays.Average(),
            delays.Count == 0 ? 0 : Notebook.Stats.Percentile(delays, 0.99));
    }
}
