using System.Globalization;

namespace SystemDesign.Observability;

/// <summary>One raw sample: milliseconds since the Unix epoch and a value.</summary>
public readonly record struct PromSample(long Ms, double Value);

/// <summary>
/// PromQL's <c>rate()</c> as Prometheus 2.x computes it (promql/functions.go, extrapolatedRate): samples in the
/// closed range [t − range, t]; counter resets added back; the increase extrapolated to the range's edges when
/// the first/last sample lies within 1.1 average sample intervals of them (else by half an interval), never
/// below the counter's extrapolated zero; divided by the range in seconds. Null with fewer than two samples.
/// </summary>
public static class PromRate
{
    public static double? Rate(IReadOnlyList<PromSample> series, long evalMs, long rangeMs)
    {
        Guard.NotNull(series);
        Guard.That(rangeMs > 0, "the range must be positive", nameof(rangeMs));
        long start = evalMs - rangeMs;
        var s = series.Where(p => p.Ms >= start && p.Ms <= evalMs).OrderBy(p => p.Ms).ToList();
        if (s.Count < 2) return null;
        double result = s[^1].Value - s[0].Value, last = 0;
        foreach (var p in s) { if (p.Value < last) result += last; last = p.Value; }
        double toStart = (s[0].Ms - start) / 1000.0, toEnd = (evalMs - s[^1].Ms) / 1000.0;
        double sampled = (s[^1].Ms - s[0].Ms) / 1000.0, avg = sampled / (s.Count - 1);
        if (result > 0 && s[0].Value >= 0)
            toStart = Math.Min(toStart, sampled * (s[0].Value / result));
        double threshold = avg * 1.1, interval = sampled;
        interval += toStart < threshold ? toStart : avg / 2;
        interval += toEnd < threshold ? toEnd : avg / 2;
        return result * (interval / sampled) / (rangeMs / 1000.0);
    }

    /// <summary>
    /// The SLO error ratio as our recording rules write it: sum of the error series' rates over the sum of
    /// all series' rates; null when the error series has no rate (PromQL's empty result).
    /// </summary>
    public static double? ErrorRatio(IReadOnlyList<PromSample> errors, IReadOnlyList<PromSample> ok, long evalMs,
        long rangeMs)
    {
        double? e = Rate(errors, evalMs, rangeMs), o = Rate(ok, evalMs, rangeMs);
        if (e is null) return null;
        double total = e.Value + (o ?? 0);
        return e.Value / total;   // 0/0 is NaN, as in PromQL
    }

    /// <summary>A Prometheus duration literal: 3d, 6h, 30m, 5s, 500ms (whole milliseconds: at least 1 ms).</summary>
    public static string Duration(TimeSpan d)
    {
        long ms = (long)Guard.InRange(d.TotalMilliseconds, 1, double.MaxValue, nameof(d));
        foreach (var (unit, size) in new[] { ("d", 86_400_000L), ("h", 3_600_000L), ("m", 60_000L), ("s", 1000L) })
            if (ms % size == 0) return (ms / size).ToString(CultureInfo.InvariantCulture) + unit;
        return ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
