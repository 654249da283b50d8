using HdrHistogram;

namespace SystemDesign.Observability;

/// <summary>
/// Per-host latency samples and the ways to get a fleet-wide percentile from them: exactly (sort the merged
/// samples), by merging HdrHistograms (3 significant digits), or wrongly, by averaging per-host percentiles.
/// </summary>
public static class Percentiles
{
    /// <summary>
    /// Latencies (ms) of <paramref name="hosts"/> hosts, <paramref name="perHost"/> requests each: log-normal
    /// with median 20 ms and σ = 0.5, except the last <paramref name="slowHosts"/> hosts whose median is
    /// <paramref name="slowFactor"/> times larger (a bad deploy, a noisy neighbour). Seeded.
    /// </summary>
    public static double[][] SampleHosts(int hosts, int perHost, int slowHosts, double slowFactor, int seed)
    {
        Guard.InRange(hosts, 1, 1000); Guard.InRange(perHost, 1, 1_000_000);
        Guard.InRange(slowHosts, 0, hosts); Guard.InRange(slowFactor, 1, 1000);
        var rng = new Random(seed);
        return Enumerable.Range(0, hosts).Select(h =>
        {
            double median = 20 * (h >= hosts - slowHosts ? slowFactor : 1);
            return Enumerable.Range(0, perHost).Select(_ =>
            {
                double z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                return median * Math.Exp(0.5 * z);
            }).ToArray();
        }).ToArray();
    }

    /// <summary>The exact q-quantile by nearest rank (the smallest value with at least q of the data at or below).</summary>
    public static double Exact(IEnumerable<double> values, double q)
    {
        var v = Guard.NotNull(values).Order().ToArray();
        Guard.That(v.Length > 0, "no values", nameof(values));
        Guard.InRange(q, 0, 1);
        return v[Math.Max(0, (int)Math.Ceiling(q * v.Length) - 1)];
    }

    /// <summary>An HdrHistogram of the values in microseconds (1 µs to 1 h, 3 significant digits).</summary>
    public static LongHistogram Histogram(IEnumerable<double> ms)
    {
        var h = new LongHistogram(3_600_000_000L, 3);
        foreach (var x in Guard.NotNull(ms)) h.RecordValue(Math.Max(1, (long)Math.Round(x * 1000)));
        return h;
    }

    /// <summary>The fleet-wide q-quantile (ms) from the per-host histograms added together.</summary>
    public static double Merged(IEnumerable<LongHistogram> perHost, double q)
    {
        var total = new LongHistogram(3_600_000_000L, 3);
        foreach (var h in Guard.NotNull(perHost)) total.Add(h);
        Guard.That(total.TotalCount > 0, "the histograms hold no values", nameof(perHost));
        return total.GetValueAtPercentile(Guard.InRange(q, 0, 1) * 100) / 1000.0;
    }

    /// <summary>The q-quantile of one histogram, in ms.</summary>
    public static double Quantile(LongHistogram h, double q)
    {
        Guard.That(Guard.NotNull(h).TotalCount > 0, "the histogram holds no values", nameof(h));
        return h.GetValueAtPercentile(Guard.InRange(q, 0, 1) * 100) / 1000.0;
    }
}
