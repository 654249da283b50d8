using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SystemDesign.Observability;

/// <summary>One alert of a burn-rate rule set: fires when both windows burn faster than BurnRate.</summary>
public sealed record PromBurnAlert(string Name, string Severity, double BurnRate, TimeSpan Long, TimeSpan Short);

/// <summary>
/// Recording and alerting rules for an SLO on the counter <c>nb14_requests_total{outcome="ok"|"error"}</c>:
/// one recording rule per window (<c>nb14:error_ratio:rate&lt;window&gt;</c>, the error ratio by
/// <c>exp</c>, the experiment label), and one alert per burn-rate pair (for: 0s).
/// </summary>
public sealed record PromRuleSet(string Group, double Slo, IReadOnlyList<PromBurnAlert> Alerts, TimeSpan Interval)
{
    public const string Metric = "nb14_requests_total";

    /// <summary>The Workbook's three rules for a 30-day SLO, evaluated every minute.</summary>
    public static PromRuleSet Workbook(double slo = 0.999) => new("nb14-workbook", slo, new[]
    {
        new PromBurnAlert("Nb14Burn14x", "page", 14.4, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)),
        new PromBurnAlert("Nb14Burn6x", "page", 6, TimeSpan.FromHours(6), TimeSpan.FromMinutes(30)),
        new PromBurnAlert("Nb14Burn1x", "ticket", 1, TimeSpan.FromDays(3), TimeSpan.FromHours(6)),
    }, TimeSpan.FromMinutes(1));

    /// <summary>
    /// A time-compressed fast-burn pair for the live experiment: 14.4× over 3 s and 0.5 s (the short window
    /// holds five 100 ms scrapes; 1/12 of 3 s would hold two).
    /// </summary>
    public static PromRuleSet Live(double slo = 0.99) => new("nb14-live", slo, new[]
    {
        new PromBurnAlert("Nb14LiveBurn", "page", 14.4, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500)),
    }, TimeSpan.FromMilliseconds(100));

    public double Threshold(PromBurnAlert a) => Guard.NotNull(a).BurnRate * (1 - Slo);

    public static string Record(TimeSpan window) => "nb14:error_ratio:rate" + PromRate.Duration(window);

    public IEnumerable<TimeSpan> Windows => Alerts.SelectMany(a => new[] { a.Long, a.Short }).Distinct();

    /// <summary>The rule file (YAML).</summary>
    public string Yaml()
    {
        var sb = new StringBuilder();
        sb.Append("groups:\n  - name: ").Append(Group).Append("\n    interval: ")
          .Append(PromRate.Duration(Interval)).Append("\n    rules:\n");
        foreach (var w in Windows)
            sb.Append("      - record: ").Append(Record(w)).Append("\n        expr: sum by (exp) (rate(")
              .Append(Metric).Append("{outcome=\"error\"}[").Append(PromRate.Duration(w))
              .Append("])) / sum by (exp) (rate(").Append(Metric).Append('[').Append(PromRate.Duration(w))
              .Append("]))\n");
        foreach (var a in Alerts)
        {
            string t = Threshold(a).ToString("R", CultureInfo.InvariantCulture);
            sb.Append("      - alert: ").Append(a.Name).Append("\n        expr: ").Append(Record(a.Long))
              .Append(" > ").Append(t).Append(" and ").Append(Record(a.Short)).Append(" > ").Append(t)
              .Append("\n        labels:\n          severity: ").Append(a.Severity).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Our evaluation of one alert at an evaluation time, from the raw counter samples.</summary>
    public bool Fires(PromBurnAlert a, IReadOnlyList<PromSample> errors, IReadOnlyList<PromSample> ok, long evalMs)
    {
        double t = Threshold(a);
        double? l = PromRate.ErrorRatio(errors, ok, evalMs, (long)a.Long.TotalMilliseconds);
        double? s = PromRate.ErrorRatio(errors, ok, evalMs, (long)a.Short.TotalMilliseconds);
        return l > t && s > t;
    }
}

/// <summary>A synthetic test for <c>promtool test rules</c>: counters sampled every minute.</summary>
public sealed class PromtoolCase
{
    public PromRuleSet Rules { get; }
    public double[] Ok { get; }
    public double[] Errors { get; }
    /// <summary>Our expectation per alert: the first and last minute it fires (null: never).</summary>
    public IReadOnlyDictionary<string, (int First, int Last)?> Expected { get; }

    /// <summary>
    /// <paramref name="minutes"/> minutes at <paramref name="requestsPerMinute"/>; error ratio per minute
    /// from <paramref name="errorRatio"/>. Expectations come from <see cref="PromRuleSet.Fires"/>.
    /// </summary>
    public PromtoolCase(PromRuleSet rules, int minutes, int requestsPerMinute, Func<int, double> errorRatio)
    {
        Rules = Guard.NotNull(rules);
        Guard.InRange(minutes, 2, 20_000); Guard.Positive(requestsPerMinute); Guard.NotNull(errorRatio);
        Ok = new double[minutes + 1]; Errors = new double[minutes + 1];
        for (int m = 1; m <= minutes; m++)
        {
            double e = Math.Round(requestsPerMinute * Guard.InRange(errorRatio(m - 1), 0, 1, "errorRatio"));
            Errors[m] = Errors[m - 1] + e; Ok[m] = Ok[m - 1] + requestsPerMinute - e;
        }
        var err = Errors.Select((v, i) => new PromSample(i * 60_000L, v)).ToList();
        var ok = Ok.Select((v, i) => new PromSample(i * 60_000L, v)).ToList();
        var exp = new Dictionary<string, (int, int)?>();
        foreach (var a in rules.Alerts)
        {
            var firing = Enumerable.Range(0, minutes + 1).Where(m => rules.Fires(a, err, ok, m * 60_000L)).ToList();
            exp[a.Name] = firing.Count == 0 ? null : (firing[0], firing[^1]);
        }
        Expected = exp;
    }

    /// <summary>The test file: for each alert, no alert the minute before it should fire, firing at the first
    /// and last minute, none the minute after.</summary>
    public string TestYaml(string rulesFile, int shiftMinutes = 0)
    {
        static string Values(double[] v) => string.Join(' ', v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
        var sb = new StringBuilder();
        sb.Append("rule_files:\n  - ").Append(rulesFile).Append("\nevaluation_interval: 1m\ntests:\n")
          .Append("  - interval: 1m\n    input_series:\n")
          .Append("      - series: '").Append(PromRuleSet.Metric).Append("{exp=\"t\",outcome=\"ok\"}'\n        values: '")
          .Append(Values(Ok)).Append("'\n")
          .Append("      - series: '").Append(PromRuleSet.Metric).Append("{exp=\"t\",outcome=\"error\"}'\n        values: '")
          .Append(Values(Errors)).Append("'\n    alert_rule_test:\n");
        foreach (var a in Rules.Alerts)
        {
            var e = Expected[a.Name];
            var points = e is { } x0 && (x0.First + shiftMinutes, x0.Last + shiftMinutes) is var x
                ? new[] { (x.Item1 - 1, false), (x.Item1, true), (x.Item2, true), (x.Item2 + 1, false) }
                                    : new[] { (Ok.Length - 1, false) };
            foreach (var (m, firing) in points.Where(p => p.Item1 >= 0 && p.Item1 < Ok.Length))
            {
                sb.Append("      - eval_time: ").Append(m).Append("m\n        alertname: ").Append(a.Name)
                  .Append("\n        exp_alerts:");
                if (firing)
                    sb.Append("\n          - exp_labels:\n              exp: t\n              severity: ")
                      .Append(a.Severity).Append('\n');
                else sb.Append(" []\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>Runs <c>promtool test rules</c> on these rules and this test in a temporary folder; a non-zero
    /// <paramref name="shiftMinutes"/> moves our expected firing minutes (a wrong expectation to be rejected).</summary>
    public (bool Passed, string Output) Run(string promtool, int shiftMinutes = 0)
    {
        Guard.NotEmpty(promtool);
        string dir = Path.Combine(Path.GetTempPath(), "sdn-promtool-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "rules.yml"), Rules.Yaml());
            File.WriteAllText(Path.Combine(dir, "test.yml"), TestYaml("rules.yml", shiftMinutes));
            var psi = new ProcessStartInfo(promtool, "test rules test.yml")
            {
                WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            string stderr = p.StandardError.ReadToEnd();
            if (!p.WaitForExit(30_000)) { p.Kill(); return (false, "promtool timed out"); }
            return (p.ExitCode == 0, (stdout.Result + stderr).Trim());
        }
        finally { Directory.Delete(dir, true); }
    }
}
