using System.Threading.RateLimiting;

namespace SystemDesign.Caching;

/// <summary>
/// Segmented sliding window, as System.Threading.RateLimiting's SlidingWindowRateLimiter counts: the window
/// is split into <c>segments</c>; a request is counted in the segment it falls in, and a segment's count is
/// freed when it slides out of the window. Our own implementation, to compare decision for decision.
/// </summary>
public sealed class SegmentedSlidingWindow : IRateLimiter
{
    private readonly int[] _perSegment;
    private long _segment;

    public SegmentedSlidingWindow(int limit, double windowSeconds, int segments)
    {
        Limit = Guard.InRange(limit, 1, 100_000_000);
        WindowSeconds = Guard.InRange(windowSeconds, 1e-6, 86_400);
        _perSegment = new int[Guard.InRange(segments, 1, 10_000)];
    }

    public string Name => $"sliding window, {_perSegment.Length} segments";
    public int Limit { get; }
    public double WindowSeconds { get; }
    private double SegmentSeconds => WindowSeconds / _perSegment.Length;

    public bool TryAcquire(double t)
    {
        Slide(t);
        if (_perSegment.Sum() >= Limit) return false;
        _perSegment[_segment % _perSegment.Length]++;
        return true;
    }

    public int Remaining(double t) { Slide(t); return Limit - _perSegment.Sum(); }

    public double SecondsUntilNext(double t) =>
        Remaining(t) > 0 ? 0 : (Math.Floor(t / SegmentSeconds) + 1) * SegmentSeconds - t;

    private void Slide(double t)
    {
        long k = (long)Math.Floor(t / SegmentSeconds);
        for (long s = _segment + 1; s <= k && s <= _segment + _perSegment.Length; s++) _perSegment[s % _perSegment.Length] = 0;
        _segment = Math.Max(_segment, k);
    }
}

/// <summary>Requests admitted from one burst by .NET's limiter and by ours, at the same measured time.</summary>
public sealed record BurstComparison(string Limiter, int Burst, double AtMs, int DotNetAdmitted, int OursAdmitted);

/// <summary>
/// System.Threading.RateLimiting beside our limiters. Its replenishing limiters read the wall clock even
/// when replenished by hand (<c>AutoReplenishment = false</c>), so they cannot replay a virtual-time trace;
/// instead both receive the same bursts in real time, ours fed the measured time of each request.
/// </summary>
public static class DotNetLimiters
{
    /// <summary>
    /// Bursts of 2·limit requests separated by the given pauses (ms) through .NET's FixedWindowRateLimiter
    /// and TokenBucketRateLimiter (limit per <paramref name="windowMs"/>) and ours.
    /// </summary>
    public static IReadOnlyList<BurstComparison> RealTimeBursts(int limit, int windowMs, IReadOnlyList<int> pausesMs)
    {
        Guard.InRange(limit, 1, 10_000);
        Guard.InRange(windowMs, 10, 10_000);
        Guard.NotNull(pausesMs);
        var window = TimeSpan.FromMilliseconds(windowMs);
        using var netFixed = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
            { PermitLimit = limit, Window = window, QueueLimit = 0, AutoReplenishment = false });
        using var netBucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit, TokensPerPeriod = limit, ReplenishmentPeriod = window, QueueLimit = 0,
            AutoReplenishment = false,
        });
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var ours = new (string Name, ReplenishingRateLimiter Net, IRateLimiter Mine)[]
        {
            ("fixed window", netFixed, new FixedWindow(limit, windowMs / 1000.0)),
            ("token bucket", netBucket, new TokenBucket(limit, limit * 1000.0 / windowMs)),
        };
        var rows = new List<BurstComparison>();
        for (int b = 0; b <= pausesMs.Count; b++)
        {
            if (b > 0) Thread.Sleep(Guard.InRange(pausesMs[b - 1], 0, 10_000));
            foreach (var (name, net, mine) in ours)
            {
                net.TryReplenish();
                double at = sw.Elapsed.TotalSeconds;
                int n = 0, m = 0;
                for (int i = 0; i < 2 * limit; i++)
                {
                    using (var lease = net.AttemptAcquire(1)) if (lease.IsAcquired) n++;
                    if (mine.TryAcquire(at)) m++;
                }
                rows.Add(new BurstComparison(name, b, at * 1000, n, m));
            }
        }
        return rows;
    }
}
