using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

/// <summary>
/// The live experiment's bookkeeping against <see cref="FakePrometheus"/>, which answers with hand-made samples:
/// the evaluation times, our ratios beside the recorded ones, the raced ratios, the firing flags, the scrape
/// interval, and where the service was announced. (LivePrometheusTests runs it against the real Prometheus.)
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class LiveAlertExperimentTests
{
    private const long T = 1_700_000_000_000;
    private const long T1 = T + 3000, T2 = T + 2000, T3 = T + 2500;

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Matrix(params (string Labels, IEnumerable<(long Ms, double V)> Values)[] series) =>
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[" + string.Join(",", series.Select(s =>
            "{\"metric\":{" + s.Labels + "},\"values\":[" + string.Join(",", s.Values.Select(v =>
                $"[{Num(v.Ms / 1000.0)},\"{Num(v.V)}\"]")) + "]}")) + "]}}";

    // Every 100 ms from T to T + 3 s: ok grows 10 a scrape; errors 0 until T + 1 s, then 10 a scrape. One early ok
    // sample 25 s before (outside every rule window) makes the scrape gaps uneven: their median is still 100 ms.
    private static IEnumerable<(long, double)> Ok() =>
        new[] { (T - 25_000, 0.0) }.Concat(Enumerable.Range(0, 31).Select(i => (T + 100L * i, 10.0 * i)));
    private static IEnumerable<(long, double)> Err() =>
        Enumerable.Range(0, 31).Select(i => (T + 100L * i, i <= 10 ? 0.0 : 10.0 * (i - 10)));

    private sealed class Seen
    {
        public string? Exp;
        public bool TargetFileDuringRun;
        public string? LiveMetrics;
    }

    private static (LiveAlertResult Result, Seen Seen) Run(FakePrometheus fake, bool probeLivePort = false,
        IEnumerable<(long, double)>? ok = null)
    {
        var seen = new Seen();
        fake.RulesBody = """{"status":"success","data":{"groups":[{"name":"nb14-live","rules":[]}]}}""";
        fake.QueryHandler = q =>
        {
            string exp = Regex.Match(q, "exp=\"([^\"]+)\"").Groups[1].Value;
            string labels = $"\"exp\":\"{exp}\"";
            if (q.StartsWith("nb14_requests_total{", StringComparison.Ordinal))
            {
                if (q.EndsWith("[5s]", StringComparison.Ordinal))
                {
                    seen.Exp = exp;
                    seen.TargetFileDuringRun = File.Exists(Path.Combine(fake.TargetsDir, exp + ".json"));
                    if (probeLivePort && fake.LivePort is int live)
                        try { seen.LiveMetrics = new HttpClient().GetStringAsync($"http://127.0.0.1:{live}/metrics").GetAwaiter().GetResult(); }
                        catch (HttpRequestException) { }
                    // Exactly the four samples the experiment waits for.
                    return Matrix(("\"outcome\":\"ok\"," + labels, Ok().Take(2)), ("\"outcome\":\"error\"," + labels, Err().Take(2)));
                }
                return Matrix(("\"outcome\":\"ok\"," + labels, ok ?? Ok()), ("\"outcome\":\"error\"," + labels, Err()));
            }
            // Recorded long-window ratios: at T2 the raced value (ours without the T2 scrape), at T3 a wrong one,
            // at T1 ours. Short window: T2 and T1 only.
            if (q.StartsWith("nb14:error_ratio:rate3s{", StringComparison.Ordinal))
                return Matrix((labels, new[] { (T2, 90.0 / 280), (T3, 0.99), (T1, 0.4) }));
            if (q.StartsWith("nb14:error_ratio:rate500ms{", StringComparison.Ordinal))
                return Matrix((labels, new[] { (T2, 0.5), (T1, 0.5) }));
            if (q.StartsWith("ALERTS{alertname=\"Nb14LiveBurn\",", StringComparison.Ordinal) && q.Contains("alertstate=\"firing\"", StringComparison.Ordinal))
                return Matrix(("\"alertname\":\"Nb14LiveBurn\"," + labels, new[] { (T1, 1.0) }));
            return null;
        };
        var api = PrometheusApi.TryConnect(fake.Url, out string why);
        Assert.True(api is not null, why);
        using (api)
            return (LiveAlertExperiment.Run(api!, TimeSpan.Zero, TimeSpan.FromSeconds(0.1), TimeSpan.Zero), seen);
    }

    [Fact]
    public void Each_recorded_evaluation_stands_beside_our_ratios_with_and_without_the_raced_scrape()
    {
        using var fake = new FakePrometheus { LivePort = null };
        var (r, seen) = Run(fake);

        Assert.Matches("^nb14-[0-9a-f]{8}$", r.Exp);
        Assert.Equal(r.Exp, seen.Exp);
        Assert.Equal(new[] { T2, T3, T1 }, r.Evaluations.Select(e => e.Ms));
        var (e2, e3, e1) = (r.Evaluations[0], r.Evaluations[1], r.Evaluations[2]);
        // T2: ours 1/3 and 0.5; without the T2 scrape 90/280 and 0.5 — what was recorded: it raced.
        Assert.Equal(90.0 / 280, e2.PromLong);
        Assert.Equal(1.0 / 3, e2.OursLong!.Value, 12);
        Assert.Equal(0.5, e2.PromShort);
        Assert.Equal(0.5, e2.OursShort!.Value, 12);
        Assert.Equal(90.0 / 280, e2.OursLongRaced!.Value, 12);
        Assert.Equal(0.5, e2.OursShortRaced!.Value, 12);
        Assert.False(e2.Agrees);
        Assert.True(e2.AgreesRaced);
        Assert.False(e2.PromFiring);
        Assert.True(e2.OursFiring);
        // T3: a wrong long ratio and no short one: explained by neither.
        Assert.Equal(0.99, e3.PromLong);
        Assert.Equal(0.375, e3.OursLong!.Value, 12);
        Assert.Null(e3.PromShort);
        Assert.Equal(0.5, e3.OursShort!.Value, 12);
        Assert.Equal(140.0 / 380, e3.OursLongRaced!.Value, 12);
        Assert.False(e3.Agrees);
        Assert.False(e3.AgreesRaced);
        // T1: equal to ours; firing in both.
        Assert.Equal(0.4, e1.OursLong!.Value, 12);
        Assert.Equal(0.5, e1.OursShort!.Value, 12);
        Assert.Equal(190.0 / 480, e1.OursLongRaced!.Value, 12);
        Assert.True(e1.Agrees);
        Assert.False(e1.AgreesRaced);
        Assert.True(e1.PromFiring);
        Assert.True(e1.OursFiring);

        Assert.Same(e1, r.FirstPromFiring);
        Assert.Same(e2, r.FirstOursFiring);
        Assert.Equal((T1 - r.FaultStartMs) / 1000.0, r.PromDetectionSeconds);
        Assert.Equal((T2 - r.FaultStartMs) / 1000.0, r.OursDetectionSeconds);
        Assert.Equal(1.0 / 3, r.AgreementShare, 12);
        Assert.Equal(2.0 / 3, r.ExplainedShare, 12);
        Assert.Equal(0.1, r.ScrapeIntervalSeconds, 12);
        Assert.True(r.FaultEndMs - r.FaultStartMs >= 100);
        Assert.True(r.RequestsServed > 0);
        Assert.Equal("nb14-live", r.Rules.Group);
        Assert.Equal(PromRuleSet.Live().Alerts, r.Rules.Alerts);

        // No live port: the service was announced as a file_sd target during the run and withdrawn after.
        Assert.True(seen.TargetFileDuringRun);
        Assert.Empty(Directory.GetFiles(fake.TargetsDir));
        Assert.Equal(PromRuleSet.Live().Yaml(), File.ReadAllText(Path.Combine(fake.RulesDir, "nb14-live.yml")));
        // The raw samples were read over 30 s, the recorded ones by the experiment's label.
        Assert.Contains($"nb14_requests_total{{exp=\"{r.Exp}\"}}[30s]", fake.Queries);
        Assert.Contains($"nb14:error_ratio:rate3s{{exp=\"{r.Exp}\"}}[30s]", fake.Queries);
        Assert.Contains($"nb14:error_ratio:rate500ms{{exp=\"{r.Exp}\"}}[30s]", fake.Queries);
        Assert.Contains($"ALERTS{{alertname=\"Nb14LiveBurn\",exp=\"{r.Exp}\",alertstate=\"firing\"}}[30s]", fake.Queries);
    }

    [Fact]
    public void With_a_free_live_port_the_service_listens_there_with_the_exp_label_and_no_target_file()
    {
        using var fake = new FakePrometheus { LivePort = FreePort() };
        // Two ok samples 200 ms apart: one scrape interval.
        var (r, seen) = Run(fake, probeLivePort: true, ok: new[] { (T, 0.0), (T + 200, 20.0) });
        Assert.Equal(0.2, r.ScrapeIntervalSeconds, 12);
        Assert.False(seen.TargetFileDuringRun);
        Assert.NotNull(seen.LiveMetrics);
        Assert.Contains($"exp=\"{r.Exp}\"", seen.LiveMetrics!, StringComparison.Ordinal);
        Assert.Equal(3, r.Evaluations.Count);
    }

    [Fact]
    public void With_the_live_port_taken_the_service_falls_back_to_a_file_sd_target()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            using var fake = new FakePrometheus { LivePort = ((IPEndPoint)taken.LocalEndpoint).Port };
            // Three ok samples, gaps 100 and 300 ms: the upper of the two middle gaps.
            var (r, seen) = Run(fake, ok: new[] { (T, 0.0), (T + 100, 10.0), (T + 400, 40.0) });
            Assert.Equal(0.3, r.ScrapeIntervalSeconds, 12);
            Assert.True(seen.TargetFileDuringRun);
            Assert.Empty(Directory.GetFiles(fake.TargetsDir));
            Assert.Equal(3, r.Evaluations.Count);
        }
        finally { taken.Stop(); }
    }

    [Fact]
    public void With_fewer_than_two_ok_samples_the_scrape_interval_is_unknown()
    {
        using var fake = new FakePrometheus { LivePort = null };
        var (r, _) = Run(fake, ok: new[] { (T + 3000, 300.0) });
        Assert.True(double.IsNaN(r.ScrapeIntervalSeconds));
        Assert.Equal(3, r.Evaluations.Count);
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

public sealed class LiveEvaluationTests
{
    private static LiveEvaluation E(double? pl, double? ol, double? ps, double? os, double? olr = null, double? osr = null,
        bool promFiring = false, bool oursFiring = false, long ms = 0) => new(ms, pl, ol, ps, os, promFiring, oursFiring, olr, osr);

    [Fact]
    public void Ratios_agree_within_1e_9_relative_or_when_both_are_absent_or_NaN()
    {
        Assert.True(E(null, null, null, null).Agrees);
        Assert.True(E(null, double.NaN, double.NaN, null).Agrees);
        Assert.True(E(0.5, 0.5, 0.25, 0.25).Agrees);
        Assert.False(E(null, 0.5, 0.25, 0.25).Agrees);
        Assert.False(E(0.5, null, 0.25, 0.25).Agrees);
        Assert.False(E(0.5, double.NaN, 0.25, 0.25).Agrees);
        Assert.False(E(double.NaN, 0.5, 0.25, 0.25).Agrees);
        Assert.False(E(0.5, 0.5, 0.25, 0.26).Agrees);
        Assert.False(E(0.5, 0.51, 0.25, 0.25).Agrees);
        // Absolute 1e-9 below 1, relative above.
        Assert.True(E(0.5, 0.5 + 0.9e-9, 0.25, 0.25).Agrees);
        Assert.False(E(0.5, 0.5 + 1.1e-9, 0.25, 0.25).Agrees);
        Assert.True(E(0.5 + 0.9e-9, 0.5, 0.25, 0.25).Agrees);
        Assert.False(E(0.5 - 1.1e-9, 0.5, 0.25, 0.25).Agrees);
        Assert.True(E(1000, 1000 + 0.9e-6, 0.25, 0.25).Agrees);
        Assert.False(E(1000, 1000 + 1.1e-6, 0.25, 0.25).Agrees);
        Assert.True(E(-1000, -1000 - 0.9e-6, 0.25, 0.25).Agrees);
        Assert.True(E(1e-9, 0, 0.25, 0.25).Agrees);             // exactly the tolerance: still equal
    }

    [Fact]
    public void An_evaluation_agrees_raced_only_when_it_does_not_agree_and_both_raced_ratios_match()
    {
        Assert.True(E(0.3, 0.4, 0.5, 0.6, 0.3, 0.5).AgreesRaced);
        Assert.False(E(0.3, 0.4, 0.5, 0.6, 0.3, 0.55).AgreesRaced);
        Assert.False(E(0.3, 0.4, 0.5, 0.6, 0.35, 0.5).AgreesRaced);
        Assert.False(E(0.3, 0.3, 0.5, 0.5, 0.3, 0.5).AgreesRaced);   // agrees outright
        Assert.False(E(0.3, 0.4, 0.5, 0.6).AgreesRaced);              // no raced ratios: only if Prom's are absent
        Assert.True(E(null, 0.4, null, 0.6).AgreesRaced);
    }

    [Fact]
    public void A_result_reports_first_firings_detection_times_and_shares()
    {
        var rules = PromRuleSet.Live();
        var evals = new[]
        {
            E(0.1, 0.1, 0.1, 0.1, ms: 1000),
            E(0.2, 0.3, 0.2, 0.2, 0.2, 0.2, oursFiring: true, ms: 1500),
            E(0.2, 0.3, 0.2, 0.2, promFiring: true, oursFiring: true, ms: 2500),
            E(0.2, 0.2, 0.2, 0.2, promFiring: true, ms: 3000),
        };
        var r = new LiveAlertResult("e", 500, 4000, 0.1, 10, evals, rules);
        Assert.Same(evals[2], r.FirstPromFiring);
        Assert.Same(evals[1], r.FirstOursFiring);
        Assert.Equal(2.0, r.PromDetectionSeconds);
        Assert.Equal(1.0, r.OursDetectionSeconds);
        Assert.Equal(1000L, r.FiringLagMs);
        Assert.Equal(0.5, r.AgreementShare);
        Assert.Equal(0.75, r.ExplainedShare);
        Assert.Equal(3 * 14.4 * (1 - 0.99) / 0.5, r.IdealDetectionSeconds(0.5), 12);
        Assert.Equal(0.864, r.IdealDetectionSeconds(0.5), 9);
        Assert.Equal(0.432, r.IdealDetectionSeconds(1), 9);

        var none = new LiveAlertResult("e", 500, 4000, double.NaN, 0, Array.Empty<LiveEvaluation>(), rules);
        Assert.Null(none.FirstPromFiring);
        Assert.Null(none.FirstOursFiring);
        Assert.True(double.IsNaN(none.PromDetectionSeconds));
        Assert.True(double.IsNaN(none.OursDetectionSeconds));
        Assert.Null(none.FiringLagMs);
        Assert.Null((r with { Evaluations = evals.Where(e => !e.OursFiring).ToArray() }).FiringLagMs);
        Assert.Equal(0, none.AgreementShare);
        Assert.Equal(0, none.ExplainedShare);
    }
}
