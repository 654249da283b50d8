namespace SystemDesign.Observability;

/// <summary>
/// An incident: from <paramref name="StartMinute"/> for <paramref name="Minutes"/> minutes a share
/// <paramref name="ErrorRatio"/> of requests fail. <paramref name="Significant"/>: worth a page or a ticket
/// (an alert during it is a true alert); a blip that is not significant only tempts a noisy rule.
/// </summary>
public sealed record Incident(string Name, int StartMinute, int Minutes, double ErrorRatio, bool Significant = true)
{
    public int EndMinute => StartMinute + Minutes;
}

/// <summary>
/// Requests and errors per minute over a period: a steady request rate, a baseline error ratio with binomial
/// noise, and incidents on top. Prefix sums give the error ratio over any trailing window in O(1).
/// </summary>
public sealed class ErrorSeries
{
    private readonly long[] _reqPrefix, _errPrefix;

    public int Minutes { get; }
    public int RequestsPerMinute { get; }
    public double BaseErrorRatio { get; }
    public IReadOnlyList<Incident> Incidents { get; }
    public long[] Errors { get; }

    private ErrorSeries(int minutes, int rpm, double baseRatio, IReadOnlyList<Incident> incidents, long[] errors)
    {
        Minutes = minutes; RequestsPerMinute = rpm; BaseErrorRatio = baseRatio; Incidents = incidents; Errors = errors;
        _reqPrefix = new long[minutes + 1]; _errPrefix = new long[minutes + 1];
        for (int i = 0; i < minutes; i++)
        {
            _reqPrefix[i + 1] = _reqPrefix[i] + rpm;
            _errPrefix[i + 1] = _errPrefix[i] + errors[i];
        }
    }

    /// <summary>The error ratio a minute has in expectation: the largest of the baseline and any incident.</summary>
    public static double TrueRatio(int minute, double baseRatio, IReadOnlyList<Incident> incidents)
    {
        double r = baseRatio;
        foreach (var i in incidents)
            if (minute >= i.StartMinute && minute < i.EndMinute) r = Math.Max(r, i.ErrorRatio);
        return r;
    }

    /// <summary>Simulates <paramref name="days"/> days minute by minute (binomial errors, seeded).</summary>
    public static ErrorSeries Simulate(double days, int requestsPerMinute, double baseErrorRatio,
        IReadOnlyList<Incident> incidents, int seed)
    {
        Guard.InRange(days, 1.0 / 24, 400);
        Guard.InRange(requestsPerMinute, 1, 10_000_000);
        Guard.InRange(baseErrorRatio, 0, 1);
        Guard.NotNull(incidents);
        foreach (var i in incidents)
        {
            Guard.InRange(i.ErrorRatio, 0, 1, "incident.ErrorRatio");
            Guard.That(i.Minutes > 0 && i.StartMinute >= 0, "an incident needs a start ≥ 0 and a positive length", "incident");
        }
        int minutes = (int)Math.Round(days * 24 * 60);
        var rng = new Random(seed);
        var errors = new long[minutes];
        for (int m = 0; m < minutes; m++)
            errors[m] = Sampling.Binomial(rng, requestsPerMinute, TrueRatio(m, baseErrorRatio, incidents));
        return new ErrorSeries(minutes, requestsPerMinute, baseErrorRatio, incidents, errors);
    }

    /// <summary>Error ratio over the <paramref name="window"/> minutes ending with minute <paramref name="end"/> (exclusive).</summary>
    public double Ratio(int end, int window)
    {
        Guard.InRange(end, 1, Minutes);
        Guard.Positive(window);
        int start = Math.Max(0, end - window);
        long req = _reqPrefix[end] - _reqPrefix[start];
        return req == 0 ? 0 : (double)(_errPrefix[end] - _errPrefix[start]) / req;
    }

    public long TotalRequests => _reqPrefix[Minutes];
    public long TotalErrors => _errPrefix[Minutes];
    public long ErrorsUpTo(int end) => _errPrefix[Guard.InRange(end, 0, Minutes)];

    /// <summary>Expected errors over the whole series, and the binomial standard deviation of that count.</summary>
    public (double Mean, double StdDev) ExpectedErrors()
    {
        double mean = 0, variance = 0;
        for (int m = 0; m < Minutes; m++)
        {
            double p = TrueRatio(m, BaseErrorRatio, Incidents);
            mean += RequestsPerMinute * p; variance += RequestsPerMinute * p * (1 - p);
        }
        return (mean, Math.Sqrt(variance));
    }

    /// <summary>Remaining share of the period's budget after each hour (1 at the start, negative once overspent).</summary>
    public (double[] Days, double[] Remaining) BudgetRemainingByHour(double slo)
    {
        Guard.InRange(slo, 0, 0.999999);
        double budget = (1 - slo) * TotalRequests;
        int hours = Minutes / 60;
        var d = new double[hours + 1]; var r = new double[hours + 1];
        for (int h = 0; h <= hours; h++) { d[h] = h / 24.0; r[h] = 1 - ErrorsUpTo(h * 60) / budget; }
        return (d, r);
    }
}

/// <summary>Seeded sampling helpers.</summary>
public static class Sampling
{
    /// <summary>A Binomial(n, p) draw: exact inversion while n·p is small, else the normal approximation.</summary>
    public static long Binomial(Random rng, long n, double p)
    {
        Guard.NotNull(rng);
        Guard.InRange(p, 0, 1);
        if (p == 0 || n == 0) return 0;
        if (p == 1) return n;
        if (p > 0.5) return n - Binomial(rng, n, 1 - p);
        double mean = n * p;
        if (mean < 30)
        {
            // Inversion over the pmf, built by the recurrence P(k+1) = P(k)·(n−k)/(k+1)·p/(1−p).
            double u = rng.NextDouble(), q = 1 - p, pk = Math.Pow(q, n), cdf = pk;
            long k = 0;
            while (u > cdf && k < n) { pk *= (double)(n - k) / (k + 1) * p / q; k++; cdf += pk; }
            return k;
        }
        double z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        return Math.Clamp((long)Math.Round(mean + z * Math.Sqrt(mean * (1 - p))), 0, n);
    }
}
