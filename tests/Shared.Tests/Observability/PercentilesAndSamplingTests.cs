using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

public sealed class PercentilesTests
{
    private static readonly double[] Ten = { 5, 1, 4, 2, 3, 10, 9, 8, 7, 6 };

    [Fact]
    public void The_exact_quantile_is_the_nearest_rank_of_the_sorted_values()
    {
        Assert.Equal(1, Percentiles.Exact(Ten, 0));
        Assert.Equal(1, Percentiles.Exact(Ten, 0.05));
        Assert.Equal(1, Percentiles.Exact(Ten, 0.1));
        Assert.Equal(2, Percentiles.Exact(Ten, 0.11));
        Assert.Equal(5, Percentiles.Exact(Ten, 0.5));
        Assert.Equal(9, Percentiles.Exact(Ten, 0.9));
        Assert.Equal(10, Percentiles.Exact(Ten, 0.91));
        Assert.Equal(10, Percentiles.Exact(Ten, 1));
        Assert.Equal(7, Percentiles.Exact(new[] { 7.0 }, 0.5));
    }

    [Fact]
    public void Histograms_record_microseconds_rounded_and_at_least_one()
    {
        var h = Percentiles.Histogram(new[] { 0, 0.0004, 0.0016, 1.5 });
        Assert.Equal(4, h.TotalCount);
        Assert.Equal(0.001, Percentiles.Quantile(h, 0.25));   // 0 ms recorded as 1 µs
        Assert.Equal(0.001, Percentiles.Quantile(h, 0.5));    // 0.4 µs rounds to 0: 1 µs
        Assert.Equal(0.002, Percentiles.Quantile(h, 0.75));   // 1.6 µs rounds to 2
        Assert.Equal(1.5, Percentiles.Quantile(h, 1));        // below 2,048 µs a histogram is exact
        Assert.Equal(0, Percentiles.Histogram(Array.Empty<double>()).TotalCount);
    }

    [Fact]
    public void Merged_histograms_add_the_hosts_counts()
    {
        var hs = new[] { Percentiles.Histogram(new[] { 0.5, 1.0 }), Percentiles.Histogram(new[] { 1.5, 2.0 }) };
        Assert.Equal(1.0, Percentiles.Merged(hs, 0.5));
        Assert.Equal(1.5, Percentiles.Merged(hs, 0.75));
        Assert.Equal(2.0, Percentiles.Merged(hs, 1));
        Assert.Equal(0.5, Percentiles.Merged(hs, 0.25));
        Assert.Equal(1.0, Percentiles.Quantile(hs[0], 1));   // merging left the inputs alone
        // No values at all: refused by name (HdrHistogram itself would blame a "percentile" parameter).
        Assert.Equal("perHost", Assert.Throws<ArgumentException>(
            () => Percentiles.Merged(Array.Empty<HdrHistogram.LongHistogram>(), 0.5)).ParamName);
        Assert.Equal("perHost", Assert.Throws<ArgumentException>(
            () => Percentiles.Merged(new[] { Percentiles.Histogram(Array.Empty<double>()) }, 0.5)).ParamName);
        Assert.Equal("h", Assert.Throws<ArgumentException>(
            () => Percentiles.Quantile(Percentiles.Histogram(Array.Empty<double>()), 0.5)).ParamName);
    }

    [Fact]
    public void Sampled_hosts_are_log_normal_around_20_ms_and_the_last_ones_slower()
    {
        const int n = 4000;
        var hosts = Percentiles.SampleHosts(4, n, 2, 5, 1);
        Assert.Equal(4, hosts.Length);
        Assert.All(hosts, h => Assert.Equal(n, h.Length));
        // Median of log-normal samples: log error about 1.2533·σ/√n (σ = 0.5) — within 5 of those.
        double tol = 5 * 1.2533 * 0.5 / Math.Sqrt(n);
        double[] medians = hosts.Select(h => Percentiles.Exact(h, 0.5)).ToArray();
        Assert.InRange(Math.Log(medians[0] / 20), -tol, tol);
        Assert.InRange(Math.Log(medians[1] / 20), -tol, tol);
        Assert.InRange(Math.Log(medians[2] / 100), -tol, tol);
        Assert.InRange(Math.Log(medians[3] / 100), -tol, tol);
        foreach (var h in hosts)
        {
            var logs = h.Select(x => Math.Log(x)).ToArray();
            double mean = logs.Average(), sd = Math.Sqrt(logs.Sum(x => (x - mean) * (x - mean)) / (n - 1));
            Assert.InRange(sd, 0.5 - 5 * 0.5 / Math.Sqrt(2.0 * n), 0.5 + 5 * 0.5 / Math.Sqrt(2.0 * n));
        }
        Assert.Equal(hosts, Percentiles.SampleHosts(4, n, 2, 5, 1));
        // Pinned: seed 7, two hosts of three requests, the second five times slower.
        var pinned = Percentiles.SampleHosts(2, 3, 1, 5, 7);
        Assert.Equal(new[] { 28.07945764406933, 40.117896492398444, 16.151216611287374 }, pinned[0], new ToleranceComparer(1e-9));
        Assert.Equal(new[] { 115.15509424891368, 180.41869952226259, 164.42637691636463 }, pinned[1], new ToleranceComparer(1e-9));
        Assert.All(Percentiles.SampleHosts(3, 500, 0, 5, 2), h => Assert.InRange(Percentiles.Exact(h, 0.5), 15, 27));
        Assert.All(Percentiles.SampleHosts(3, 500, 3, 5, 2), h => Assert.InRange(Percentiles.Exact(h, 0.5), 75, 135));
    }
}

public sealed class TraceSamplingTests
{
    // Errors: 0 and 3. Slow (> 200 ms): 1 and 3; trace 2 at exactly 200 ms is not slow.
    private static readonly TraceSummary[] Five =
    {
        new(0, true, 10), new(1, false, 300), new(2, false, 200), new(3, true, 500), new(4, false, 50),
    };

    [Fact]
    public void Generated_traces_have_the_error_rate_and_log_normal_durations_around_50_ms()
    {
        const int n = 20_000;
        var t = TraceSampling.Generate(n, 0.1, 1);
        Assert.Equal(Enumerable.Range(0, n), t.Select(x => x.Id));
        double errors = t.Count(x => x.Error) / (double)n, se = Math.Sqrt(0.1 * 0.9 / n);
        Assert.InRange(errors, 0.1 - 5 * se, 0.1 + 5 * se);
        double tol = 5 * 1.2533 * 0.6 / Math.Sqrt(n);
        Assert.InRange(Math.Log(Percentiles.Exact(t.Select(x => x.DurationMs), 0.5) / 50), -tol, tol);
        var logs = t.Select(x => Math.Log(x.DurationMs)).ToArray();
        double mean = logs.Average(), sd = Math.Sqrt(logs.Sum(x => (x - mean) * (x - mean)) / (n - 1));
        Assert.InRange(sd, 0.6 - 5 * 0.6 / Math.Sqrt(2.0 * n), 0.6 + 5 * 0.6 / Math.Sqrt(2.0 * n));
        Assert.Equal(t, TraceSampling.Generate(n, 0.1, 1));
        // Pinned: the first traces of seed 7 (Box–Muller from two draws, then the error draw).
        var pinned = TraceSampling.Generate(8, 0.5, 7);
        Assert.Equal(new[] { false, false, false, false, false, true, false, true }, pinned.Select(x => x.Error));
        Assert.Equal(new[] { 75.12776476126245, 43.846435182187314, 59.225643819399075, 16.329105895749073,
            82.28248068801187, 61.41845439883471, 164.29142487643634, 71.09080261628584 },
            pinned.Select(x => Math.Round(x.DurationMs, 9)), new ToleranceComparer(1e-9));
        Assert.DoesNotContain(TraceSampling.Generate(1000, 0, 1), x => x.Error);
        Assert.All(TraceSampling.Generate(1000, 1, 1), x => Assert.True(x.Error));
    }

    [Fact]
    public void Head_sampling_keeps_none_at_rate_0_all_at_rate_1_and_counts_what_it_kept()
    {
        Assert.Equal(new SamplingResult("head", 0, 0, 2, 0, 2), TraceSampling.Head(Five, 0, 200, 1));
        Assert.Equal(new SamplingResult("head", 5, 2, 2, 2, 2), TraceSampling.Head(Five, 1, 200, 1));
        // Slow is strictly above slowMs.
        Assert.Equal(new SamplingResult("head", 5, 2, 2, 3, 3), TraceSampling.Head(Five, 1, 199, 1));
        var t = TraceSampling.Generate(20_000, 0.01, 3);
        var h = TraceSampling.Head(t, 0.3, 100, 4);
        double se = Math.Sqrt(0.3 * 0.7 * 20_000);
        Assert.InRange(h.Kept, 6000 - 5 * se, 6000 + 5 * se);
        Assert.Equal(h, TraceSampling.Head(t, 0.3, 100, 4));
    }

    [Fact]
    public void Tail_sampling_keeps_the_interesting_traces_first_within_the_budget()
    {
        // Budget 2 (0.4 × 5): the first two interesting traces (0 error, 1 slow), nothing else.
        Assert.Equal(new SamplingResult("tail", 2, 1, 2, 1, 2), TraceSampling.Tail(Five, 0.4, 200, 1));
        // Budget 4: all three interesting and one of the two others.
        Assert.Equal(new SamplingResult("tail", 4, 2, 2, 2, 2), TraceSampling.Tail(Five, 0.8, 200, 1));
        Assert.Equal(new SamplingResult("tail", 5, 2, 2, 2, 2), TraceSampling.Tail(Five, 1, 200, 1));
        Assert.Equal(new SamplingResult("tail", 0, 0, 2, 0, 2), TraceSampling.Tail(Five, 0, 200, 1));
        // Budget 3: the three interesting ones; trace 2 (exactly 200 ms) is not among them.
        Assert.Equal(new SamplingResult("tail", 3, 2, 2, 2, 2), TraceSampling.Tail(Five, 0.6, 200, 1));
        // Budget round(3.5) = 4; slowMs 199 makes trace 2 interesting too: four interesting, no random ones.
        Assert.Equal(new SamplingResult("tail", 4, 2, 2, 3, 3), TraceSampling.Tail(Five, 0.7, 199, 1));
    }
}

internal sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(double obj) => 0;
}
