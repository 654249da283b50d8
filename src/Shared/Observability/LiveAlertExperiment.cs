using System.Diagnostics;

namespace SystemDesign.Observability;

/// <summary>One rule evaluation of the live experiment: Prometheus's recorded ratios beside ours.</summary>
/// <param name="OursLongRaced">our ratio at <paramref name="Ms"/> without the last scrape at or before it: what
/// Prometheus computes when that scrape's samples, stamped with the scrape's start, were appended only after the
/// evaluation read the head (a rule evaluation racing a scrape)</param>
public sealed record LiveEvaluation(long Ms, double? PromLong, double? OursLong, double? PromShort,
    double? OursShort, bool PromFiring, bool OursFiring, double? OursLongRaced = null, double? OursShortRaced = null)
{
    /// <summary>Both ratios equal within 1e-9 (relative), or both absent/NaN.</summary>
    public bool Agrees => Same(PromLong, OursLong) && Same(PromShort, OursShort);

    /// <summary>Not <see cref="Agrees"/>, but equal to ours without the last scrape: the evaluation raced it.</summary>
    public bool AgreesRaced => !Agrees && Same(PromLong, OursLongRaced) && Same(PromShort, OursShortRaced);

    private static bool Same(double? a, double? b) =>
        (a is null || double.IsNaN(a.Value)) ? (b is null || double.IsNaN(b.Value))
        : b is { } y && !double.IsNaN(y) && Math.Abs(a.Value - y) <= 1e-9 * Math.Max(1, Math.Abs(y));
}

/// <summary>What the live experiment saw.</summary>
public sealed record LiveAlertResult(string Exp, long FaultStartMs, long FaultEndMs, double ScrapeIntervalSeconds,
    long RequestsServed, IReadOnlyList<LiveEvaluation> Evaluations, PromRuleSet Rules)
{
    public LiveEvaluation? FirstPromFiring => Evaluations.FirstOrDefault(e => e.PromFiring);
    public LiveEvaluation? FirstOursFiring => Evaluations.FirstOrDefault(e => e.OursFiring);
    /// <summary>Seconds from the fault's start to the first firing evaluation (NaN: never fired).</summary>
    public double PromDetectionSeconds => FirstPromFiring is { } e ? (e.Ms - FaultStartMs) / 1000.0 : double.NaN;
    public double OursDetectionSeconds => FirstOursFiring is { } e ? (e.Ms - FaultStartMs) / 1000.0 : double.NaN;

    /// <summary>Prometheus's first firing minus ours, in whole ms (evaluation times are ms; null: either never
    /// fired). Compare this, not the seconds: 0.55 − 0.45 is 0.10000000000000003 in doubles.</summary>
    public long? FiringLagMs => FirstPromFiring is { } p && FirstOursFiring is { } o ? p.Ms - o.Ms : null;
    public double AgreementShare => Evaluations.Count == 0 ? 0 : (double)Evaluations.Count(e => e.Agrees) / Evaluations.Count;

    /// <summary>Share of evaluations that equal ours, with or without the scrape that raced them.</summary>
    public double ExplainedShare => Evaluations.Count == 0 ? 0
        : (double)Evaluations.Count(e => e.Agrees || e.AgreesRaced) / Evaluations.Count;
    public double IdealDetectionSeconds(double failShare) =>
        Rules.Alerts[0].Long.TotalSeconds * Rules.Threshold(Rules.Alerts[0]) / failShare;
}

/// <summary>
/// The live experiment: a <see cref="MetricsService"/> scraped by a real Prometheus every 100 ms, which
/// evaluates <see cref="PromRuleSet.Live"/> every 100 ms; healthy, then a fault (every n-th request fails),
/// then healthy again. Afterwards the raw counter samples are read back and the same rules evaluated by us at
/// each of Prometheus's evaluation times, beside what Prometheus recorded and whether its alert fired.
/// </summary>
public static class LiveAlertExperiment
{
    public static LiveAlertResult Run(PrometheusApi prom, TimeSpan healthy, TimeSpan fault, TimeSpan after,
        int failEvery = 2)
    {
        Guard.NotNull(prom);
        Guard.InRange(healthy.TotalSeconds, 0, 30, nameof(healthy));
        Guard.InRange(fault.TotalSeconds, 0.1, 30, nameof(fault));
        Guard.InRange(after.TotalSeconds, 0, 30, nameof(after));
        Guard.InRange(failEvery, 1, 1000);
        // One live experiment at a time on this Prometheus (a notebook and the tests may run at once): two
        // 100 ms scrape loops on two loaded cores make evaluations race scrapes far more often.
        using var experiment = RealSystems.Faults.Experiment("prometheus", TimeSpan.FromSeconds(60), prom.Health);
        var rules = PromRuleSet.Live();
        prom.EnsureRules(rules.Group, rules.Yaml());
        string exp = "nb14-" + Guid.NewGuid().ToString("N")[..8];
        using var svc = StartService(prom, exp, out bool onLivePort);
        if (!onLivePort) prom.AddTarget(exp, svc.Port);
        long faultStart, faultEnd;
        try
        {
            WaitFor(() => prom.Samples($"{PromRuleSet.Metric}{{exp=\"{exp}\"}}", TimeSpan.FromSeconds(5))
                .Sum(s => s.Samples.Count) >= 4, TimeSpan.FromSeconds(10), () => "Prometheus to scrape the service: "
                + (onLivePort ? $"static target 127.0.0.1:{svc.Port}" : prom.TargetState(exp)));
            Thread.Sleep(healthy);
            faultStart = NowMs(); svc.FailEvery = failEvery;
            Thread.Sleep(fault);
            faultEnd = NowMs(); svc.FailEvery = 0;
            Thread.Sleep(after + TimeSpan.FromMilliseconds(250));   // the last evaluations land
        }
        finally { if (!onLivePort) prom.RemoveTarget(exp); }
        var window = TimeSpan.FromSeconds(30);
        var raw = prom.Samples($"{PromRuleSet.Metric}{{exp=\"{exp}\"}}", window);
        var err = raw.Where(s => s.Labels["outcome"] == "error").SelectMany(s => s.Samples).ToList();
        var ok = raw.Where(s => s.Labels["outcome"] == "ok").SelectMany(s => s.Samples).ToList();
        var a = rules.Alerts[0];
        Dictionary<long, double> Rec(TimeSpan w) => prom.Samples($"{PromRuleSet.Record(w)}{{exp=\"{exp}\"}}", window)
            .SelectMany(s => s.Samples).GroupBy(p => p.Ms).ToDictionary(g => g.Key, g => g.First().Value);
        var longRec = Rec(a.Long); var shortRec = Rec(a.Short);
        var firing = prom.Samples($"ALERTS{{alertname=\"{a.Name}\",exp=\"{exp}\",alertstate=\"firing\"}}", window)
            .SelectMany(s => s.Samples).Select(p => p.Ms).ToHashSet();
        long lw = (long)a.Long.TotalMilliseconds, sw = (long)a.Short.TotalMilliseconds;
        // Both series come from the same scrape, stamped with its start: drop the last stamp at or before t.
        List<PromSample> Before(List<PromSample> xs, long t)
        {
            long last = xs.Where(p => p.Ms <= t).Select(p => p.Ms).DefaultIfEmpty(long.MinValue).Max();
            return xs.Where(p => p.Ms != last).ToList();
        }
        var evals = longRec.Keys.Union(shortRec.Keys).Order().Select(t => new LiveEvaluation(t,
            longRec.TryGetValue(t, out var pl) ? pl : null, PromRate.ErrorRatio(err, ok, t, lw),
            shortRec.TryGetValue(t, out var ps) ? ps : null, PromRate.ErrorRatio(err, ok, t, sw),
            firing.Contains(t), rules.Fires(a, err, ok, t),
            PromRate.ErrorRatio(Before(err, t), Before(ok, t), t, lw),
            PromRate.ErrorRatio(Before(err, t), Before(ok, t), t, sw))).ToList();
        var times = ok.Select(p => p.Ms).Order().ToList();
        double scrape = times.Count < 2 ? double.NaN
            : times.Zip(times.Skip(1), (x, y) => (y - x) / 1000.0).Order().ElementAt((times.Count - 1) / 2);
        return new LiveAlertResult(exp, faultStart, faultEnd, scrape, svc.Requests, evals, rules);
    }

    // On the static live target's port when Prometheus has one and the port is free (scraped within 100 ms);
    // else on any port, announced as a file_sd target (discovered within 5 s).
    private static MetricsService StartService(PrometheusApi prom, string exp, out bool onLivePort)
    {
        if (prom.LivePort is int port)
            try
            {
                var svc = new MetricsService(port, exp);
                onLivePort = true;
                return svc;
            }
            catch (IOException) { }
        onLivePort = false;
        return new MetricsService();
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static void WaitFor(Func<bool> done, TimeSpan timeout, Func<string> what)
    {
        var sw = Stopwatch.StartNew();
        while (!done())
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"timed out waiting for {what()}");
            Thread.Sleep(50);
        }
    }
}
