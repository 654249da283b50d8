using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

public sealed class ErrorBudgetTests
{
    [Fact]
    public void Budget_minutes_follow_one_minus_slo()
    {
        Assert.Equal(43.2, ErrorBudget.Minutes(0.999, 30), 9);
        Assert.Equal(43.83, ErrorBudget.Minutes(0.999, ErrorBudget.AverageMonthDays), 2);
        Assert.Equal(ErrorBudget.AverageMonthDays, ErrorBudget.MeanCalendarMonthDays(1601), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorBudget.Minutes(1.5, 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorBudget.Minutes(0.999, 0));
    }

    [Fact]
    public void The_budget_table_gives_30_day_and_average_month_minutes_and_year_hours()
    {
        var t = ErrorBudget.Table(new[] { 0.99, 0.999 });
        Assert.Equal(2, t.Count);
        Assert.Equal(0.99, t[0].Slo);
        Assert.Equal(432, t[0].ThirtyDayMinutes, 9);
        Assert.Equal(0.01 * 365.2425 / 12 * 1440, t[0].AverageMonthMinutes, 9);   // 438.291
        Assert.Equal(87.6, t[0].YearHours, 9);
        Assert.Equal(0.999, t[1].Slo);
        Assert.Equal(43.2, t[1].ThirtyDayMinutes, 9);
        Assert.Equal(43.8291, t[1].AverageMonthMinutes, 9);
        Assert.Equal(8.76, t[1].YearHours, 9);
        Assert.Empty(ErrorBudget.Table(Array.Empty<double>()));
        Assert.Equal(30.436875, ErrorBudget.AverageMonthDays, 12);
        Assert.Equal(0, ErrorBudget.Minutes(1, 30));
        Assert.Equal(1440, ErrorBudget.Minutes(0, 1));
    }

    [Fact]
    public void The_calendar_gives_the_same_mean_month_from_any_start_year()
    {
        Assert.Equal(146_097.0 / 4800, ErrorBudget.MeanCalendarMonthDays(), 12);
        Assert.Equal(146_097.0 / 4800, ErrorBudget.MeanCalendarMonthDays(1900), 12);
    }

    [Fact]
    public void A_budget_lasts_the_period_over_the_burn_rate()
    {
        Assert.Equal(30 / 14.4, ErrorBudget.DaysToExhaust(14.4), 12);
        Assert.Equal(14, ErrorBudget.DaysToExhaust(2, 28), 12);
        Assert.Equal(60, ErrorBudget.DaysToExhaust(0.5), 12);
    }

    [Fact]
    public void Binomial_sampler_has_the_right_mean()
    {
        var rng = new Random(1);
        foreach (var (n, p) in new[] { (1000L, 0.0002), (1000L, 0.02), (100_000L, 0.3), (50L, 0.9) })
        {
            double mean = Enumerable.Range(0, 4000).Average(_ => (double)Sampling.Binomial(rng, n, p));
            double se = Math.Sqrt(n * p * (1 - p) / 4000);
            Assert.InRange(mean, n * p - 5 * se, n * p + 5 * se);
        }
    }
}

public sealed class BurnRateTests
{
    [Fact]
    public void Workbook_rules_catch_incidents_without_false_alerts()
    {
        var s = ErrorSeries.Simulate(30, 1000, 0.0002, BurnRateAlerts.SampleMonth(), 7);
        var wb = BurnRateAlerts.Evaluate(s, AlertPolicy.Workbook, 0.999);
        Assert.Equal(0, wb.FalseAlerts);
        Assert.All(wb.DetectionMinutes.Values, d => Assert.NotNull(d));
        Assert.Equal(1, wb.DetectionMinutes["full outage, 20 min"]);
        var th = BurnRateAlerts.Evaluate(s, AlertPolicy.Threshold(0.01, 5, 0.999), 0.999);
        Assert.Equal(4, th.FalseAlerts);
        Assert.Null(th.DetectionMinutes["0.5% errors, 16 h"]);
    }

    [Fact]
    public void Detection_formula_matches_a_noise_free_series()
    {
        var rule = new BurnRule("page", 14.4, 60, 5);
        var s = ErrorSeries.Simulate(1, 1_000_000, 0, new[] { new Incident("x", 100, 200, 0.05) }, 1);
        var r = BurnRateAlerts.Evaluate(s, new AlertPolicy("p", new[] { rule }), 0.999);
        double f = BurnRateAlerts.DetectionMinutesFormula(rule, 0.999, 0.05, 0)!.Value; // 17.28
        Assert.Equal(Math.Ceiling(f), r.DetectionMinutes["x"]!.Value, 0);
        Assert.Null(BurnRateAlerts.DetectionMinutesFormula(rule, 0.999, 0.01, 0));
    }
}

public sealed class TraceAndPercentileTests
{
    [Fact]
    public void Our_parser_follows_the_probes_and_reports_where_dotnet_differs()
    {
        foreach (var (h, valid, rule) in TraceParent.Probes)
            Assert.True((TraceParent.Parse(h) is not null) == valid, rule);
        // Where .NET's own parser differs from the spec is notebook 14's table; here it must at least run.
        Assert.All(TraceParent.Probes, p => TraceParent.DotNetAccepts(p.Header));
    }

    [Fact]
    public void Merged_histograms_give_the_fleet_percentile_and_averages_do_not()
    {
        var hosts = Percentiles.SampleHosts(10, 20_000, 1, 5, 1);
        double exact = Percentiles.Exact(hosts.SelectMany(h => h), 0.99);
        double merged = Percentiles.Merged(hosts.Select(h => Percentiles.Histogram(h)), 0.99);
        Assert.InRange(merged / exact, 0.999, 1.001);
        double avg = hosts.Average(h => Percentiles.Exact(h, 0.99));
        Assert.True(Math.Abs(avg / exact - 1) > 0.2);
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Exact(new[] { 1.0 }, 1.5));
    }
}

[Collection(SerialCollection.Name)]
public sealed class TraceChainTests
{
    [Fact]
    public void Three_services_make_one_connected_span_tree()
    {
        var run = TraceChain.Run(3);
        Assert.Equal(7, run.Spans.Count);
        Assert.Equal(1, run.Spans.Count(s => s.ParentId is null));
        Assert.Equal(3, run.Headers.Count(h => TraceParent.Parse(h.TraceParent)?.TraceId == run.TraceId));
    }
}

public sealed class SamplingTests
{
    [Fact]
    public void Tail_keeps_every_error_within_the_same_budget()
    {
        var t = TraceSampling.Generate(20_000, 0.005, 1);
        var head = TraceSampling.Head(t, 0.05, 200, 2);
        var tail = TraceSampling.Tail(t, 0.05, 200, 2);
        Assert.Equal(tail.Errors, tail.ErrorsKept);
        Assert.Equal(1000, tail.Kept);
        Assert.InRange(head.Kept, 850, 1150);
        Assert.True(head.ErrorsKept < head.Errors / 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => TraceSampling.Head(t, 1.5, 200, 1));
    }
}
