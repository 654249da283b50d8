using System.Globalization;
using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

public sealed class PromRuleSetTests
{
    // Burn 0.2 on an SLO of 0.5: threshold exactly 0.1. "Never" (burn 100): threshold 50, above any ratio.
    private static readonly PromRuleSet Small = new("g", 0.5, new[]
    {
        new PromBurnAlert("A", "page", 0.2, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1)),
        new PromBurnAlert("Never", "ticket", 100, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1)),
    }, TimeSpan.FromMinutes(1));

    // Five minutes at 10 requests a minute, all of minute 2 failing.
    private static PromtoolCase SmallCase() => new(Small, 5, 10, m => m == 2 ? 1.0 : 0.0);

    [Fact]
    public void The_workbook_and_live_rule_sets_hold_the_documented_alerts()
    {
        var wb = PromRuleSet.Workbook();
        Assert.Equal("nb14-workbook", wb.Group);
        Assert.Equal(0.999, wb.Slo);
        Assert.Equal(TimeSpan.FromMinutes(1), wb.Interval);
        Assert.Equal(new[]
        {
            new PromBurnAlert("Nb14Burn14x", "page", 14.4, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)),
            new PromBurnAlert("Nb14Burn6x", "page", 6, TimeSpan.FromHours(6), TimeSpan.FromMinutes(30)),
            new PromBurnAlert("Nb14Burn1x", "ticket", 1, TimeSpan.FromDays(3), TimeSpan.FromHours(6)),
        }, wb.Alerts);
        // Six windows, one shared (6 h): five recording rules, in order of appearance.
        Assert.Equal(new[] { TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), TimeSpan.FromHours(6),
            TimeSpan.FromMinutes(30), TimeSpan.FromDays(3) }, wb.Windows);
        Assert.Equal(0.9995, PromRuleSet.Workbook(0.9995).Slo);
        Assert.Equal(0.0144, wb.Threshold(wb.Alerts[0]), 12);
        Assert.Equal(0.001, wb.Threshold(wb.Alerts[2]), 12);

        var live = PromRuleSet.Live();
        Assert.Equal("nb14-live", live.Group);
        Assert.Equal(0.99, live.Slo);
        Assert.Equal(TimeSpan.FromMilliseconds(100), live.Interval);
        Assert.Equal(new[] { new PromBurnAlert("Nb14LiveBurn", "page", 14.4, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500)) },
            live.Alerts);
        Assert.Equal(0.144, live.Threshold(live.Alerts[0]), 12);
        Assert.Equal(0.95, PromRuleSet.Live(0.95).Slo);
        Assert.Equal("nb14_requests_total", PromRuleSet.Metric);
        Assert.Equal("nb14:error_ratio:rate5m", PromRuleSet.Record(TimeSpan.FromMinutes(5)));
        Assert.Equal("nb14:error_ratio:rate500ms", PromRuleSet.Record(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void The_rule_file_records_each_window_once_and_alerts_on_both_windows_above_the_threshold()
    {
        Assert.Equal("""
            groups:
              - name: g
                interval: 1m
                rules:
                  - record: nb14:error_ratio:rate2m
                    expr: sum by (exp) (rate(nb14_requests_total{outcome="error"}[2m])) / sum by (exp) (rate(nb14_requests_total[2m]))
                  - record: nb14:error_ratio:rate1m
                    expr: sum by (exp) (rate(nb14_requests_total{outcome="error"}[1m])) / sum by (exp) (rate(nb14_requests_total[1m]))
                  - alert: A
                    expr: nb14:error_ratio:rate2m > 0.1 and nb14:error_ratio:rate1m > 0.1
                    labels:
                      severity: page
                  - alert: Never
                    expr: nb14:error_ratio:rate2m > 50 and nb14:error_ratio:rate1m > 50
                    labels:
                      severity: ticket

            """, Small.Yaml());
        var live = PromRuleSet.Live();
        string t = live.Threshold(live.Alerts[0]).ToString("R", CultureInfo.InvariantCulture);
        Assert.Contains("interval: 100ms\n", live.Yaml(), StringComparison.Ordinal);
        Assert.Contains($"expr: nb14:error_ratio:rate3s > {t} and nb14:error_ratio:rate500ms > {t}\n", live.Yaml(), StringComparison.Ordinal);
    }

    [Fact]
    public void Our_alert_fires_only_when_the_long_and_the_short_window_both_exceed_the_threshold()
    {
        var a = Small.Alerts[0];
        // Samples every 10 s for a minute: ok grows 100 per 10 s; errors as below. Long 2 min, short 1 min: with
        // 60 s of samples both windows see everything, so use a 20 s short window for "recent only".
        var rules = Small with { Alerts = new[] { a with { Long = TimeSpan.FromSeconds(60), Short = TimeSpan.FromSeconds(20) } } };
        var b = rules.Alerts[0];
        var ok = Enumerable.Range(0, 7).Select(i => new PromSample(i * 10_000L, i * 100.0)).ToList();
        var steady = Enumerable.Range(0, 7).Select(i => new PromSample(i * 10_000L, i * 50.0)).ToList();
        Assert.True(rules.Fires(b, steady, ok, 60_000));                 // 1/3 everywhere
        var early = Enumerable.Range(0, 7).Select(i => new PromSample(i * 10_000L, Math.Min(i, 3) * 50.0)).ToList();
        Assert.False(rules.Fires(b, early, ok, 60_000));                 // long 0.2, short 0
        var late = Enumerable.Range(0, 7).Select(i => new PromSample(i * 10_000L, i == 6 ? 60.0 : 0)).ToList();
        Assert.False(rules.Fires(b, late, ok, 60_000));                  // long ≈ 0.09, short ≈ 0.23
        Assert.True(rules.Fires(b with { BurnRate = 0.1 }, late, ok, 60_000));   // threshold 0.05: both above
        Assert.False(rules.Fires(b, new List<PromSample>(), ok, 60_000)); // no error series: no ratio
    }

    [Fact]
    public void A_window_exactly_at_the_threshold_does_not_fire()
    {
        // Threshold 0.1; long 20 s, short 10 s; samples at 0, 10, 20 s from 0, at the windows' edges (no extrapolation).
        var rules = Small with { Alerts = new[] { new PromBurnAlert("E", "page", 0.2, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10)) } };
        var a = rules.Alerts[0];
        static List<PromSample> S(double v10, double v20) => new() { new(0, 0), new(10_000, v10), new(20_000, v20) };
        var ok = S(90, 180);                                    // 9/s
        Assert.Equal(0.1, PromRate.ErrorRatio(S(20, 30), ok, 20_000, 10_000));   // short: 1/s of 10/s
        Assert.False(rules.Fires(a, S(20, 30), ok, 20_000));    // long 1.5/10.5 above, short exactly 0.1
        Assert.Equal(0.1, PromRate.ErrorRatio(S(0, 20), ok, 20_000, 20_000));    // long: 1/s of 10/s
        Assert.False(rules.Fires(a, S(0, 20), ok, 20_000));     // long exactly 0.1, short 2/11 above
        Assert.True(rules.Fires(a, S(0, 21), ok, 20_000));
    }

    [Fact]
    public void A_promtool_case_accumulates_rounded_counters_and_expects_our_firing_minutes()
    {
        var c = SmallCase();
        Assert.Same(Small, c.Rules);
        Assert.Equal(new double[] { 0, 0, 0, 10, 10, 10 }, c.Errors);
        Assert.Equal(new double[] { 0, 10, 20, 20, 30, 40 }, c.Ok);
        Assert.Equal((3, 3), c.Expected["A"]);
        Assert.Null(c.Expected["Never"]);
        // Errors per minute are rounded: 1.6 → 2, 0.4 → 0.
        var r = new PromtoolCase(Small, 2, 10, m => m == 0 ? 0.16 : 0.04);
        Assert.Equal(new double[] { 0, 2, 2 }, r.Errors);
        Assert.Equal(new double[] { 0, 8, 18 }, r.Ok);
    }

    [Fact]
    public void The_promtool_test_checks_the_minute_before_the_first_and_last_firing_and_after()
    {
        const string head = """
            rule_files:
              - rules.yml
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'nb14_requests_total{exp="t",outcome="ok"}'
                    values: '0 10 20 20 30 40'
                  - series: 'nb14_requests_total{exp="t",outcome="error"}'
                    values: '0 0 0 10 10 10'
                alert_rule_test:

            """;
        static string None(int m, string name) => $"      - eval_time: {m}m\n        alertname: {name}\n        exp_alerts: []\n";
        static string Firing(int m) =>
            $"      - eval_time: {m}m\n        alertname: A\n        exp_alerts:\n          - exp_labels:\n              exp: t\n              severity: page\n";
        var c = SmallCase();
        Assert.Equal(head + None(2, "A") + Firing(3) + Firing(3) + None(4, "A") + None(5, "Never"), c.TestYaml("rules.yml"));
        // Shifted: minutes outside 0..5 are left out.
        Assert.Equal(head + Firing(0) + Firing(0) + None(1, "A") + None(5, "Never"), c.TestYaml("rules.yml", -3));
        Assert.Equal(head + None(4, "A") + Firing(5) + Firing(5) + None(5, "Never"), c.TestYaml("rules.yml", 2));
    }

    [SkippableFact]
    public void Promtool_confirms_the_hand_worked_small_case_and_rejects_it_shifted()
    {
        Skip.If(!File.Exists("/usr/bin/promtool") && Environment.GetEnvironmentVariable("CI") != "true",
            "promtool is not installed");
        var c = SmallCase();
        // Folders left by earlier runs (a mutant that skipped the cleanup leaves one) are not this run's.
        bool Ours(string d) => File.Exists(Path.Combine(d, "rules.yml"))
            && File.ReadAllText(Path.Combine(d, "rules.yml")) == Small.Yaml();
        var before = Directory.GetDirectories(Path.GetTempPath(), "sdn-promtool-*").Where(Ours).ToHashSet();
        var (passed, output) = c.Run("promtool");
        Assert.True(passed, output);
        var (late, why) = c.Run("promtool", shiftMinutes: 1);
        Assert.False(late);
        Assert.Contains("FAILED", why, StringComparison.Ordinal);
        Assert.Equal(why.Trim(), why);   // promtool's stdout and stderr, trimmed
        // Its temporary folders are gone (the other promtool test may be running: look for our rules only).
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), "sdn-promtool-*").Where(Ours).Except(before));
    }
}
