using HdrHistogram;
using SystemDesign.Observability;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Observability;

/// <summary>Every public entry's argument guard of the Observability area: exception type and ParamName.</summary>
public sealed class GuardTests
{
    private static readonly BurnRule Rule = new("page", 14.4, 60, 5);

    private static ErrorSeries Day() => ErrorSeries.Simulate(1, 100, 0, Array.Empty<Incident>(), 1);

    [Fact]
    public void AlertPolicy_Threshold_rejects_a_non_positive_ratio_or_window_and_an_slo_outside_0_to_0_999999()
    {
        OutOfRange("errorRatio", () => AlertPolicy.Threshold(0, 5, 0.999));
        OutOfRange("errorRatio", () => AlertPolicy.Threshold(double.NaN, 5, 0.999));
        OutOfRange("slo", () => AlertPolicy.Threshold(0.01, 5, 1));
        OutOfRange("slo", () => AlertPolicy.Threshold(0.01, 5, -0.1));
        OutOfRange("windowMinutes", () => AlertPolicy.Threshold(0.01, 0, 0.999));
        // The bounds themselves are accepted.
        Assert.Equal(0.01 / (1 - 0.999999), AlertPolicy.Threshold(0.01, 1, 0.999999).Rules[0].BurnRate, 6);
        Assert.Equal(0.01, AlertPolicy.Threshold(0.01, 1, 0).Rules[0].BurnRate, 12);
    }

    [Fact]
    public void BurnRateAlerts_reject_null_series_rules_policies_and_out_of_range_values()
    {
        var s = Day();
        Null("s", () => BurnRateAlerts.Holds(null!, Rule, 0.999, 10));
        Null("rule", () => BurnRateAlerts.Holds(s, null!, 0.999, 10));
        OutOfRange("slo", () => BurnRateAlerts.Holds(s, Rule, 1, 10));
        OutOfRange("slo", () => BurnRateAlerts.Holds(s, Rule, -0.5, 10));
        OutOfRange("end", () => BurnRateAlerts.Holds(s, Rule, 0.999, 0));
        OutOfRange("end", () => BurnRateAlerts.Holds(s, Rule, 0.999, s.Minutes + 1));

        Null("s", () => BurnRateAlerts.Evaluate(null!, AlertPolicy.Workbook, 0.999));
        Null("policy", () => BurnRateAlerts.Evaluate(s, null!, 0.999));
        Invalid("policy", () => BurnRateAlerts.Evaluate(s, new AlertPolicy("none", Array.Empty<BurnRule>()), 0.999),
            "a policy needs at least one rule");
        OutOfRange("slo", () => BurnRateAlerts.Evaluate(s, AlertPolicy.Workbook, 1.5));

        Null("rule", () => BurnRateAlerts.DetectionMinutesFormula(null!, 0.999, 0.05, 0));
        OutOfRange("slo", () => BurnRateAlerts.DetectionMinutesFormula(Rule, 1, 0.05, 0));
        OutOfRange("errorRatio", () => BurnRateAlerts.DetectionMinutesFormula(Rule, 0.999, 1.5, 0));
        OutOfRange("errorRatio", () => BurnRateAlerts.DetectionMinutesFormula(Rule, 0.999, -0.1, 0));
        OutOfRange("baseRatio", () => BurnRateAlerts.DetectionMinutesFormula(Rule, 0.999, 0.05, -0.01));
        OutOfRange("baseRatio", () => BurnRateAlerts.DetectionMinutesFormula(Rule, 0.999, 0.05, 1.01));

        Null("rule", () => BurnRateAlerts.DetectionStdDevMinutes(null!, 0.999, 0.05, 0, 1000));
        OutOfRange("slo", () => BurnRateAlerts.DetectionStdDevMinutes(Rule, 1, 0.05, 0, 1000));
        Invalid("errorRatio", () => BurnRateAlerts.DetectionStdDevMinutes(Rule, 0.999, 0.01, 0.01, 1000),
            "the incident must raise the error ratio");
        Invalid("errorRatio", () => BurnRateAlerts.DetectionStdDevMinutes(Rule, 0.999, 0.01, 0.02, 1000));
        OutOfRange("requestsPerMinute", () => BurnRateAlerts.DetectionStdDevMinutes(Rule, 0.999, 0.05, 0, 0));
    }

    [Fact]
    public void ErrorBudget_rejects_an_slo_outside_0_to_1_a_non_positive_period_and_a_start_year_past_9599()
    {
        OutOfRange("slo", () => ErrorBudget.Minutes(1.5, 30));
        OutOfRange("slo", () => ErrorBudget.Minutes(-0.5, 30));
        OutOfRange("days", () => ErrorBudget.Minutes(0.999, 0));
        Null("slos", () => ErrorBudget.Table(null!));
        OutOfRange("slo", () => ErrorBudget.Table(new[] { 2.0 }));
        OutOfRange("startYear", () => ErrorBudget.MeanCalendarMonthDays(0));
        // 9600 + 400 years would run past DateTime's year 9999: refused by name, not by DateTime ("year").
        OutOfRange("startYear", () => ErrorBudget.MeanCalendarMonthDays(9600));
        Assert.Equal(146_097.0 / 4800, ErrorBudget.MeanCalendarMonthDays(9599), 12);
        Assert.Equal(146_097.0 / 4800, ErrorBudget.MeanCalendarMonthDays(1), 12);
        OutOfRange("burnRate", () => ErrorBudget.DaysToExhaust(0));
        OutOfRange("periodDays", () => ErrorBudget.DaysToExhaust(2, 0));
        OutOfRange("periodDays", () => ErrorBudget.DaysToExhaust(2, -30));
    }

    [Fact]
    public void ErrorSeries_rejects_out_of_range_periods_rates_incidents_and_windows()
    {
        var none = Array.Empty<Incident>();
        OutOfRange("days", () => ErrorSeries.Simulate(1.0 / 24 - 1e-9, 100, 0, none, 1));
        OutOfRange("days", () => ErrorSeries.Simulate(400.001, 100, 0, none, 1));
        Assert.Equal(60, ErrorSeries.Simulate(1.0 / 24, 100, 0, none, 1).Minutes);
        OutOfRange("requestsPerMinute", () => ErrorSeries.Simulate(1, 0, 0, none, 1));
        OutOfRange("requestsPerMinute", () => ErrorSeries.Simulate(1, 10_000_001, 0, none, 1));
        OutOfRange("baseErrorRatio", () => ErrorSeries.Simulate(1, 100, 1.5, none, 1));
        OutOfRange("baseErrorRatio", () => ErrorSeries.Simulate(1, 100, -0.1, none, 1));
        Null("incidents", () => ErrorSeries.Simulate(1, 100, 0, null!, 1));
        OutOfRange("incident.ErrorRatio", () => ErrorSeries.Simulate(1, 100, 0, new[] { new Incident("x", 0, 5, 1.2) }, 1));
        OutOfRange("incident.ErrorRatio", () => ErrorSeries.Simulate(1, 100, 0, new[] { new Incident("x", 0, 5, -0.2) }, 1));
        Invalid("incident", () => ErrorSeries.Simulate(1, 100, 0, new[] { new Incident("x", 0, 0, 0.5) }, 1),
            "an incident needs a start ≥ 0 and a positive length");
        Invalid("incident", () => ErrorSeries.Simulate(1, 100, 0, new[] { new Incident("x", -1, 5, 0.5) }, 1));
        // Start 0 and length 1 are allowed.
        Assert.Equal(100, ErrorSeries.Simulate(1, 100, 0, new[] { new Incident("x", 0, 1, 1.0) }, 1).TotalErrors);

        var s = Day();
        OutOfRange("end", () => s.Ratio(0, 5));
        OutOfRange("end", () => s.Ratio(s.Minutes + 1, 5));
        OutOfRange("window", () => s.Ratio(10, 0));
        OutOfRange("end", () => s.ErrorsUpTo(-1));
        OutOfRange("end", () => s.ErrorsUpTo(s.Minutes + 1));
        OutOfRange("slo", () => s.BudgetRemainingByHour(1));
        OutOfRange("slo", () => s.BudgetRemainingByHour(-0.1));

        Null("rng", () => Sampling.Binomial(null!, 10, 0.5));
        OutOfRange("p", () => Sampling.Binomial(new Random(1), 10, 1.5));
        OutOfRange("p", () => Sampling.Binomial(new Random(1), 10, -0.5));
    }

    [Fact]
    public void Percentiles_reject_null_inputs_empty_values_and_out_of_range_counts_and_quantiles()
    {
        OutOfRange("hosts", () => Percentiles.SampleHosts(0, 10, 0, 1, 1));
        OutOfRange("hosts", () => Percentiles.SampleHosts(1001, 10, 0, 1, 1));
        OutOfRange("perHost", () => Percentiles.SampleHosts(2, 0, 0, 1, 1));
        OutOfRange("perHost", () => Percentiles.SampleHosts(2, 1_000_001, 0, 1, 1));
        OutOfRange("slowHosts", () => Percentiles.SampleHosts(2, 10, 3, 1, 1));
        OutOfRange("slowHosts", () => Percentiles.SampleHosts(2, 10, -1, 1, 1));
        OutOfRange("slowFactor", () => Percentiles.SampleHosts(2, 10, 1, 0.5, 1));
        OutOfRange("slowFactor", () => Percentiles.SampleHosts(2, 10, 1, 1001, 1));

        Null("values", () => Percentiles.Exact(null!, 0.5));
        Invalid("values", () => Percentiles.Exact(Array.Empty<double>(), 0.5), "no values");
        OutOfRange("q", () => Percentiles.Exact(new[] { 1.0 }, 1.5));
        OutOfRange("q", () => Percentiles.Exact(new[] { 1.0 }, -0.1));
        Null("ms", () => Percentiles.Histogram(null!));
        Null("perHost", () => Percentiles.Merged(null!, 0.5));
        OutOfRange("q", () => Percentiles.Merged(new[] { Percentiles.Histogram(new[] { 1.0 }) }, 1.5));
        Null("h", () => Percentiles.Quantile(null!, 0.5));
        OutOfRange("q", () => Percentiles.Quantile(Percentiles.Histogram(new[] { 1.0 }), -0.5));
    }

    [Fact]
    public void PromRate_and_PromRules_reject_null_series_and_non_positive_ranges()
    {
        var one = new List<PromSample> { new(0, 1) };
        Null("series", () => PromRate.Rate(null!, 10, 10));
        Invalid("rangeMs", () => PromRate.Rate(one, 10, 0), "the range must be positive");
        Invalid("rangeMs", () => PromRate.Rate(one, 10, -5));
        Null("series", () => PromRate.ErrorRatio(null!, one, 10, 10));
        Null("series", () => PromRate.ErrorRatio(one, null!, 10, 10));
        OutOfRange("d", () => PromRate.Duration(TimeSpan.Zero));
        OutOfRange("d", () => PromRate.Duration(TimeSpan.FromSeconds(-1)));
        OutOfRange("d", () => PromRuleSet.Record(TimeSpan.Zero));

        var rules = PromRuleSet.Live();
        Null("a", () => rules.Threshold(null!));
        Null("a", () => rules.Fires(null!, one, one, 0));

        Null("rules", () => new PromtoolCase(null!, 10, 100, _ => 0));
        OutOfRange("minutes", () => new PromtoolCase(rules, 1, 100, _ => 0));
        OutOfRange("minutes", () => new PromtoolCase(rules, 20_001, 100, _ => 0));
        OutOfRange("requestsPerMinute", () => new PromtoolCase(rules, 10, 0, _ => 0));
        Null("errorRatio", () => new PromtoolCase(rules, 10, 100, null!));
        OutOfRange("errorRatio", () => new PromtoolCase(rules, 10, 100, m => m == 9 ? 1.5 : 0));
        OutOfRange("errorRatio", () => new PromtoolCase(rules, 10, 100, _ => -0.1));
        var c = new PromtoolCase(rules, 2, 100, _ => 0);
        Null("promtool", () => c.Run(null!));
        Invalid("promtool", () => c.Run(""));
    }

    [Fact]
    public void PrometheusApi_rejects_empty_urls_groups_rules_experiments_selectors_and_queries()
    {
        Null("url", () => PrometheusApi.TryConnect(null!, out _));
        Invalid("url", () => PrometheusApi.TryConnect("", out _));
        using var fake = new FakePrometheus();
        using var api = PrometheusApi.TryConnect(fake.Url, out string why)!;
        Assert.True(api is not null, why);
        Null("group", () => api.EnsureRules(null!, "groups: []"));
        Invalid("group", () => api.EnsureRules("", "groups: []"));
        Invalid("yaml", () => api.EnsureRules("g", ""));
        Null("yaml", () => api.EnsureRules("g", null!));
        Null("exp", () => api.AddTarget(null!, 9000));
        Invalid("exp", () => api.AddTarget("", 9000));
        OutOfRange("port", () => api.AddTarget("e", 0));
        OutOfRange("port", () => api.AddTarget("e", 65536));
        Assert.Empty(Directory.GetFiles(fake.TargetsDir));
        Invalid("exp", () => api.RemoveTarget(""));
        Null("exp", () => api.RemoveTarget(null!));
        Invalid("selector", () => api.Samples("", TimeSpan.FromSeconds(5)));
        Null("selector", () => api.Samples(null!, TimeSpan.FromSeconds(5)));
        OutOfRange("d", () => api.Samples("up", TimeSpan.Zero));
        Invalid("query", () => api.Scalar(""));
        Null("query", () => api.Scalar(null!));
        Assert.Empty(fake.Queries);   // no guard let a request through
        Assert.Equal(0, fake.Reloads);

        Null("prom", () => LiveAlertExperiment.Run(null!, TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.Zero));
        OutOfRange("healthy", () => LiveAlertExperiment.Run(api, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1), TimeSpan.Zero));
        OutOfRange("healthy", () => LiveAlertExperiment.Run(api, TimeSpan.FromSeconds(31), TimeSpan.FromSeconds(1), TimeSpan.Zero));
        OutOfRange("fault", () => LiveAlertExperiment.Run(api, TimeSpan.Zero, TimeSpan.FromSeconds(0.09), TimeSpan.Zero));
        OutOfRange("fault", () => LiveAlertExperiment.Run(api, TimeSpan.Zero, TimeSpan.FromSeconds(31), TimeSpan.Zero));
        OutOfRange("after", () => LiveAlertExperiment.Run(api, TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1)));
        OutOfRange("after", () => LiveAlertExperiment.Run(api, TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(31)));
        OutOfRange("failEvery", () => LiveAlertExperiment.Run(api, TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.Zero, 0));
        OutOfRange("failEvery", () => LiveAlertExperiment.Run(api, TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.Zero, 1001));
        Assert.Empty(fake.Queries);
    }

    [Fact]
    public void Services_and_traces_reject_null_callbacks_bad_ports_and_out_of_range_counts()
    {
        Null("services", () => LoopbackApp.Start(null!, _ => { }));
        Null("map", () => LoopbackApp.Start(_ => { }, null!));
        bool built = false;
        OutOfRange("port", () => LoopbackApp.Start(_ => built = true, _ => built = true, -1));
        OutOfRange("port", () => LoopbackApp.Start(_ => built = true, _ => built = true, 65536));
        Assert.False(built);   // refused before anything was built
        OutOfRange("services", () => TraceChain.Run(0));
        OutOfRange("services", () => TraceChain.Run(7));
        Null("header", () => TraceParent.DotNetAccepts(null!));

        OutOfRange("n", () => TraceSampling.Generate(0, 0.1, 1));
        OutOfRange("n", () => TraceSampling.Generate(10_000_001, 0.1, 1));
        OutOfRange("errorRate", () => TraceSampling.Generate(10, 1.5, 1));
        OutOfRange("errorRate", () => TraceSampling.Generate(10, -0.5, 1));
        var t = TraceSampling.Generate(10, 0.1, 1);
        Null("traces", () => TraceSampling.Head(null!, 0.1, 100, 1));
        OutOfRange("rate", () => TraceSampling.Head(t, 1.5, 100, 1));
        OutOfRange("rate", () => TraceSampling.Head(t, -0.1, 100, 1));
        OutOfRange("slowMs", () => TraceSampling.Head(t, 0.1, 0, 1));
        Null("traces", () => TraceSampling.Tail(null!, 0.1, 100, 1));
        OutOfRange("rate", () => TraceSampling.Tail(t, 1.5, 100, 1));
        OutOfRange("rate", () => TraceSampling.Tail(t, -0.1, 100, 1));
        OutOfRange("slowMs", () => TraceSampling.Tail(t, 0.1, 0, 1));
    }

    [Fact]
    public void MetricsService_refuses_a_negative_FailEvery_by_name()
    {
        using var svc = new MetricsService();
        OutOfRange("value", () => svc.FailEvery = -1);
        Assert.Equal(0, svc.FailEvery);
        svc.FailEvery = 3;
        Assert.Equal(3, svc.FailEvery);
    }
}
