namespace SystemDesign.Observability;

/// <summary>
/// One alert condition on the error ratio: it holds at a minute when the ratio over the long window AND the
/// ratio over the short window both exceed <paramref name="BurnRate"/> × (1 − SLO). A single-window rule has
/// ShortMinutes = LongMinutes.
/// </summary>
public sealed record BurnRule(string Severity, double BurnRate, int LongMinutes, int ShortMinutes)
{
    /// <summary>Share of a period's budget spent before this rule can fire: burn × long / period.</summary>
    public double BudgetSpentToFire(double periodDays = 30) => BurnRate * LongMinutes / (periodDays * 24 * 60);
}

/// <summary>An alerting policy: fires when any of its rules holds.</summary>
public sealed record AlertPolicy(string Name, IReadOnlyList<BurnRule> Rules)
{
    /// <summary>The SRE Workbook's recommended starting point (Table 5-8) for a 30-day SLO.</summary>
    public static AlertPolicy Workbook { get; } = new("multi-window, multi-burn-rate (Workbook)", new[]
    {
        new BurnRule("page", 14.4, 60, 5),
        new BurnRule("page", 6, 6 * 60, 30),
        new BurnRule("ticket", 1, 3 * 24 * 60, 6 * 60),
    });

    /// <summary>A single threshold on the error ratio over one window.</summary>
    public static AlertPolicy Threshold(double errorRatio, int windowMinutes, double slo) =>
        new($"error ratio over {windowMinutes} min > {errorRatio:P2}",
            new[] { new BurnRule("page", Guard.Positive(errorRatio) / (1 - Guard.InRange(slo, 0, 0.999999)),
                Guard.Positive(windowMinutes), windowMinutes) });
}

/// <summary>A contiguous run of minutes in which an alert fired.</summary>
public sealed record AlertEpisode(int Start, int End, string? Incident)
{
    public bool False => Incident is null;
}

/// <summary>How a policy did on a series: when it detected each significant incident, and its false alerts.</summary>
public sealed record AlertReport(string Policy, bool[] Firing, IReadOnlyList<AlertEpisode> Episodes,
    IReadOnlyDictionary<string, int?> DetectionMinutes)
{
    public int FalseAlerts => Episodes.Count(e => e.False);
    public int FiringMinutes => Firing.Count(f => f);
}

/// <summary>Evaluates alert policies minute by minute over an <see cref="ErrorSeries"/>.</summary>
public static class BurnRateAlerts
{
    /// <summary>Does <paramref name="rule"/> hold at the end of minute <paramref name="end"/> (exclusive)?</summary>
    public static bool Holds(ErrorSeries s, BurnRule rule, double slo, int end)
    {
        Guard.NotNull(s); Guard.NotNull(rule);
        double threshold = rule.BurnRate * (1 - Guard.InRange(slo, 0, 0.999999));
        return s.Ratio(end, rule.LongMinutes) > threshold && s.Ratio(end, rule.ShortMinutes) > threshold;
    }

    /// <summary>
    /// Evaluates the policy once a minute. An episode is attributed to the first significant incident it
    /// overlaps, extended by the policy's longest window (an alert may legitimately linger that long after the
    /// incident); any other episode is a false alert. Detection: minutes from an incident's start to the first
    /// firing minute within that extended interval (null when never).
    /// </summary>
    public static AlertReport Evaluate(ErrorSeries s, AlertPolicy policy, double slo)
    {
        Guard.NotNull(s); Guard.NotNull(policy);
        Guard.That(policy.Rules.Count > 0, "a policy needs at least one rule", nameof(policy));
        var firing = new bool[s.Minutes];
        for (int m = 1; m <= s.Minutes; m++)
            firing[m - 1] = policy.Rules.Any(r => Holds(s, r, slo, m));
        int linger = policy.Rules.Max(r => r.LongMinutes);
        var significant = s.Incidents.Where(i => i.Significant).ToList();
        string? Attribute(int start, int end) => significant
            .FirstOrDefault(i => start < i.EndMinute + linger && end > i.StartMinute)?.Name;
        var episodes = new List<AlertEpisode>();
        for (int m = 0; m < s.Minutes; m++)
        {
            if (!firing[m]) continue;
            int start = m;
            while (m < s.Minutes && firing[m]) m++;
            episodes.Add(new AlertEpisode(start, m, Attribute(start, m)));
        }
        var detection = new Dictionary<string, int?>();
        foreach (var i in significant)
        {
            int? first = null;
            for (int m = i.StartMinute; m < Math.Min(s.Minutes, i.EndMinute + linger); m++)
                if (firing[m]) { first = m - i.StartMinute + 1; break; }
            detection[i.Name] = first;
        }
        return new AlertReport(policy.Name, firing, episodes, detection);
    }

    /// <summary>
    /// The formula for detection time: minutes after an incident of ratio e starts (over a baseline b) until
    /// the ratio over a window of W minutes exceeds the threshold t: W·(t − b)/(e − b), when e &gt; t; the short
    /// window's own delay is the same formula with its W. Null when the incident never gets there.
    /// </summary>
    public static double? DetectionMinutesFormula(BurnRule rule, double slo, double errorRatio, double baseRatio)
    {
        Guard.NotNull(rule);
        double t = rule.BurnRate * (1 - Guard.InRange(slo, 0, 0.999999));
        if (Guard.InRange(errorRatio, 0, 1) <= t) return null;
        Guard.InRange(baseRatio, 0, 1);
        double Delay(int w) => baseRatio >= t ? 0 : w * (t - baseRatio) / (errorRatio - baseRatio);
        return Math.Max(Delay(rule.LongMinutes), Delay(rule.ShortMinutes));
    }

    /// <summary>
    /// Standard deviation of the detection time (minutes) from binomial noise: at the crossing the long window
    /// holds about t·W·rpm errors (variance ≈ that count), and it grows by (e − b)·rpm errors a minute.
    /// </summary>
    public static double DetectionStdDevMinutes(BurnRule rule, double slo, double errorRatio, double baseRatio,
        int requestsPerMinute)
    {
        Guard.NotNull(rule);
        double t = rule.BurnRate * (1 - Guard.InRange(slo, 0, 0.999999));
        Guard.That(errorRatio > baseRatio, "the incident must raise the error ratio", nameof(errorRatio));
        return Math.Sqrt(t * rule.LongMinutes * Guard.Positive(requestsPerMinute))
            / ((errorRatio - baseRatio) * requestsPerMinute);
    }

    /// <summary>The month the notebook alerts on: a baseline, three real incidents and four short blips.</summary>
    public static IReadOnlyList<Incident> SampleMonth() => new[]
    {
        new Incident("full outage, 20 min", 3 * 1440 + 600, 20, 1.0),
        new Incident("2% errors, 2 h", 10 * 1440 + 200, 120, 0.02),
        new Incident("0.5% errors, 16 h", 17 * 1440 + 300, 960, 0.005),
        new Incident("blip 1", 6 * 1440 + 100, 4, 0.05, Significant: false),
        new Incident("blip 2", 13 * 1440 + 900, 3, 0.08, Significant: false),
        new Incident("blip 3", 21 * 1440 + 50, 5, 0.04, Significant: false),
        new Incident("blip 4", 26 * 1440 + 700, 2, 0.10, Significant: false),
    };
}
