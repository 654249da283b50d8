using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

/// <summary>
/// Alert evaluation on noise-free series (baseline 0, incidents of ratio 1: each minute has exactly 0 or 100
/// errors of 100 requests), where every firing minute can be worked out by hand.
/// </summary>
public sealed class BurnRateAlertsTests
{
    // 10× burn on a 99% SLO: threshold 0.1. Long window 60 min: fires from the 7th error minute in it (7/60 > 0.1);
    // short window 5 min: holds while one of its 5 minutes has errors (1/5 > 0.1).
    private static readonly BurnRule Fast = new("page", 10, 60, 5);
    private static readonly AlertPolicy FastPolicy = new("fast", new[] { Fast });

    [Fact]
    public void Episodes_are_attributed_to_a_significant_incident_within_its_linger_and_otherwise_false()
    {
        var s = ErrorSeries.Simulate(1, 100, 0, new[]
        {
            new Incident("real", 100, 10, 1.0),
            new Incident("after", 130, 8, 1.0, Significant: false),   // within real's end + 60: attributed to it
            new Incident("far", 600, 8, 1.0, Significant: false),     // a false alert
        }, 1);
        var r = BurnRateAlerts.Evaluate(s, FastPolicy, 0.99);
        Assert.Equal("fast", r.Policy);
        Assert.Equal(1440, r.Firing.Length);
        Assert.Equal(new[]
        {
            new AlertEpisode(106, 114, "real"), new AlertEpisode(130, 142, "real"), new AlertEpisode(606, 612, null),
        }, r.Episodes);
        Assert.Equal(1, r.FalseAlerts);
        Assert.Equal(8 + 12 + 6, r.FiringMinutes);
        Assert.False(r.Firing[105]);
        Assert.True(r.Firing[106]);
        Assert.True(r.Firing[113]);
        Assert.False(r.Firing[114]);
        Assert.Equal(new Dictionary<string, int?> { ["real"] = 7 }, r.DetectionMinutes);
        Assert.False(r.Episodes[0].False);
        Assert.True(r.Episodes[2].False);
    }

    [Fact]
    public void Detection_may_come_after_the_incident_within_the_linger_and_up_to_the_series_last_minute()
    {
        var s = ErrorSeries.Simulate(1, 100, 0, new[]
        {
            new Incident("brief", 100, 2, 1.0),                      // 2 error minutes: not enough alone
            new Incident("later", 130, 8, 1.0, Significant: false),  // 2 + 5 error minutes in the hour: fires
            new Incident("low", 300, 60, 0.0),                       // significant but harmless: never detected
            new Incident("end", 1420, 20, 1.0),                      // fires to the series' last minute
            new Incident("tail", 1436, 4, 1.0),                      // 4 minutes at the end, inside "end"'s alert
        }, 1);
        var r = BurnRateAlerts.Evaluate(s, FastPolicy, 0.99);
        Assert.Equal(new[] { new AlertEpisode(134, 142, "brief"), new AlertEpisode(1426, 1440, "end") }, r.Episodes);
        Assert.Equal(35, r.DetectionMinutes["brief"]);
        Assert.Null(r.DetectionMinutes["low"]);
        Assert.Equal(7, r.DetectionMinutes["end"]);
        Assert.Equal(1, r.DetectionMinutes["tail"]);
        Assert.True(r.Firing[1439]);
        Assert.Equal(0, r.FalseAlerts);
        Assert.Equal(4, r.DetectionMinutes.Count);
    }

    [Fact]
    public void An_incident_near_the_series_end_that_never_fires_has_no_detection()
    {
        var s = ErrorSeries.Simulate(1, 100, 0, new[] { new Incident("tail", 1436, 4, 1.0) }, 1);
        var r = BurnRateAlerts.Evaluate(s, FastPolicy, 0.99);
        Assert.Empty(r.Episodes);
        Assert.Equal(0, r.FiringMinutes);
        Assert.Null(r.DetectionMinutes["tail"]);
    }

    [Fact]
    public void The_linger_is_the_policys_longest_window()
    {
        // A second rule that never fires (burn 1000) but has a 3-hour long window: "later" starts 128 minutes
        // after "brief" ends, inside 180 minutes but outside 60.
        var s = ErrorSeries.Simulate(1, 100, 0, new[]
        {
            new Incident("brief", 100, 2, 1.0),
            new Incident("later", 230, 8, 1.0, Significant: false),
        }, 1);
        var lingering = new AlertPolicy("two", new[] { Fast, new BurnRule("never", 1000, 180, 180) });
        var r = BurnRateAlerts.Evaluate(s, lingering, 0.99);
        Assert.Equal(new[] { new AlertEpisode(236, 242, "brief") }, r.Episodes);
        Assert.Equal(137, r.DetectionMinutes["brief"]);
        var one = BurnRateAlerts.Evaluate(s, FastPolicy, 0.99);
        Assert.Equal(new[] { new AlertEpisode(236, 242, null) }, one.Episodes);
        Assert.Null(one.DetectionMinutes["brief"]);
        Assert.Equal(1, one.FalseAlerts);
    }

    [Fact]
    public void A_rule_holds_only_when_both_windows_strictly_exceed_burn_times_one_minus_slo()
    {
        // 60 minutes, one minute of errors (minute 5). Burn 0.2 on an SLO of 0.5: threshold exactly 0.1.
        var s = ErrorSeries.Simulate(1.0 / 24, 100, 0, new[] { new Incident("x", 5, 1, 1.0) }, 1);
        Assert.Equal(0.1, s.Ratio(10, 10));
        Assert.False(BurnRateAlerts.Holds(s, new BurnRule("t", 0.2, 10, 10), 0.5, 10));   // equal: not above
        Assert.True(BurnRateAlerts.Holds(s, new BurnRule("t", 0.19, 10, 10), 0.5, 10));
        // One window exactly at the threshold, the other above it (minutes 5..9: 0.2): still not above in both.
        Assert.Equal(0.2, s.Ratio(10, 5));
        Assert.False(BurnRateAlerts.Holds(s, new BurnRule("t", 0.2, 10, 5), 0.5, 10));
        Assert.False(BurnRateAlerts.Holds(s, new BurnRule("t", 0.2, 5, 10), 0.5, 10));
        Assert.False(BurnRateAlerts.Holds(s, new BurnRule("t", 0.1, 10, 2), 0.5, 10));    // short window clean
        Assert.False(BurnRateAlerts.Holds(s, new BurnRule("t", 0.1, 2, 10), 0.5, 10));    // long window clean
        Assert.True(BurnRateAlerts.Holds(s, new BurnRule("t", 0.1, 2, 10), 0.5, 6));
        Assert.True(BurnRateAlerts.Holds(s, new BurnRule("t", 0.1, 10, 2), 0.5, 6));
        Assert.False(BurnRateAlerts.Holds(s, new BurnRule("t", 0.1, 10, 2), 0.5, 5));     // before the errors
    }

    [Fact]
    public void The_workbook_policy_and_a_threshold_policy_have_the_documented_rules()
    {
        var wb = AlertPolicy.Workbook;
        Assert.Equal("multi-window, multi-burn-rate (Workbook)", wb.Name);
        Assert.Equal(new[]
        {
            new BurnRule("page", 14.4, 60, 5), new BurnRule("page", 6, 360, 30), new BurnRule("ticket", 1, 4320, 360),
        }, wb.Rules);
        Assert.Equal(new[] { 0.02, 0.05, 0.1 }, wb.Rules.Select(r => Math.Round(r.BudgetSpentToFire(), 12)));
        Assert.Equal(14.4 * 60 / (28.0 * 1440), wb.Rules[0].BudgetSpentToFire(28), 12);

        var th = AlertPolicy.Threshold(0.01, 5, 0.999);
        Assert.Equal($"error ratio over 5 min > {0.01:P2}", th.Name);
        var rule = Assert.Single(th.Rules);
        Assert.Equal("page", rule.Severity);
        Assert.Equal(10, rule.BurnRate, 9);
        Assert.Equal(5, rule.LongMinutes);
        Assert.Equal(5, rule.ShortMinutes);
        Assert.Equal(0.5 / 0.5, AlertPolicy.Threshold(0.5, 30, 0.5).Rules[0].BurnRate);
    }

    [Fact]
    public void The_detection_formula_is_window_times_distance_to_threshold_over_the_incidents_rise()
    {
        var rule = new BurnRule("page", 14.4, 60, 5);   // threshold 0.0144 at 99.9%
        Assert.Equal(17.28, BurnRateAlerts.DetectionMinutesFormula(rule, 0.999, 0.05, 0)!.Value, 9);
        Assert.Equal(6.6, BurnRateAlerts.DetectionMinutesFormula(rule, 0.999, 0.05, 0.01)!.Value, 9);
        // The larger of the two windows' delays, whichever window is longer.
        Assert.Equal(17.28, BurnRateAlerts.DetectionMinutesFormula(new BurnRule("x", 14.4, 5, 60), 0.999, 0.05, 0)!.Value, 9);
        // A baseline already above the threshold: no delay.
        Assert.Equal(0, BurnRateAlerts.DetectionMinutesFormula(rule, 0.999, 0.05, 0.02)!.Value);
        // Burn 0.2 at SLO 0.5: threshold exactly 0.1; an incident at exactly 0.1 never exceeds it.
        var exact = new BurnRule("t", 0.2, 10, 10);
        Assert.Null(BurnRateAlerts.DetectionMinutesFormula(exact, 0.5, 0.1, 0));
        Assert.Equal(5, BurnRateAlerts.DetectionMinutesFormula(exact, 0.5, 0.2, 0)!.Value, 12);
        // The base ratio is only checked once the incident exceeds the threshold.
        Assert.Null(BurnRateAlerts.DetectionMinutesFormula(exact, 0.5, 0.05, 7));
    }

    [Fact]
    public void The_detection_spread_is_the_binomial_sd_at_the_crossing_over_the_error_growth_per_minute()
    {
        var rule = new BurnRule("page", 14.4, 60, 5);
        Assert.Equal(Math.Sqrt(864) / 50, BurnRateAlerts.DetectionStdDevMinutes(rule, 0.999, 0.05, 0, 1000), 12);
        Assert.Equal(Math.Sqrt(864) / 40, BurnRateAlerts.DetectionStdDevMinutes(rule, 0.999, 0.05, 0.01, 1000), 12);
        Assert.Equal(Math.Sqrt(86.4) / 5, BurnRateAlerts.DetectionStdDevMinutes(rule, 0.999, 0.05, 0, 100), 12);
    }

    [Fact]
    public void The_sample_month_has_three_significant_incidents_and_four_blips()
    {
        var m = BurnRateAlerts.SampleMonth();
        Assert.Equal(new[]
        {
            new Incident("full outage, 20 min", 4920, 20, 1.0),
            new Incident("2% errors, 2 h", 14_600, 120, 0.02),
            new Incident("0.5% errors, 16 h", 24_780, 960, 0.005),
            new Incident("blip 1", 8740, 4, 0.05, false),
            new Incident("blip 2", 19_620, 3, 0.08, false),
            new Incident("blip 3", 30_290, 5, 0.04, false),
            new Incident("blip 4", 38_140, 2, 0.10, false),
        }, m);
    }
}

public sealed class BurnRateBoundaryTests
{
    private static readonly BurnRule Fast = new("page", 10, 60, 5);

    // "brief" (significant, 2 error minutes) ends at 102; with a 180-minute linger its interval ends at 282. A
    // non-significant 8-minute blip starting at s first fires at s + 6 (its 7th error minute in the hour).
    private static AlertReport WithBlipAt(int blipStart, params Incident[] more)
    {
        var s = ErrorSeries.Simulate(1, 100, 0, new[]
        {
            new Incident("brief", 100, 2, 1.0), new Incident("blip", blipStart, 8, 1.0, Significant: false),
        }.Concat(more).ToArray(), 1);
        return BurnRateAlerts.Evaluate(s, new AlertPolicy("two", new[] { Fast, new BurnRule("never", 1000, 180, 180) }), 0.99);
    }

    [Fact]
    public void An_episode_starting_at_the_incidents_end_plus_linger_is_no_longer_attributed_to_it()
    {
        var inside = WithBlipAt(275);   // fires from 281, the last minute of brief's interval
        Assert.Equal(new[] { new AlertEpisode(281, 287, "brief") }, inside.Episodes);
        Assert.Equal(182, inside.DetectionMinutes["brief"]);
        var outside = WithBlipAt(276);  // fires from 282: outside
        Assert.Equal(new[] { new AlertEpisode(282, 288, null) }, outside.Episodes);
        Assert.Null(outside.DetectionMinutes["brief"]);
        Assert.Equal(1, outside.FalseAlerts);
    }

    [Fact]
    public void An_episode_ending_where_a_significant_incident_starts_is_not_attributed_to_it()
    {
        // The blip at 600 fires 606..611 (episode end 612); a harmless significant incident starts at 612, another at 611.
        var at = WithBlipAt(600, new Incident("quiet", 612, 30, 0.0));
        Assert.Equal(new[] { new AlertEpisode(606, 612, null) }, at.Episodes);
        Assert.Null(at.DetectionMinutes["quiet"]);
        var before = WithBlipAt(600, new Incident("quiet", 611, 30, 0.0));
        Assert.Equal(new[] { new AlertEpisode(606, 612, "quiet") }, before.Episodes);
        Assert.Equal(1, before.DetectionMinutes["quiet"]);
    }
}
