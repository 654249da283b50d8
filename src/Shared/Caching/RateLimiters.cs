namespace SystemDesign.Caching;

/// <summary>A rate limiter in virtual time: <see cref="TryAcquire"/> decides one request at time t (seconds).</summary>
public interface IRateLimiter
{
    string Name { get; }
    /// <summary>Requests allowed per <see cref="WindowSeconds"/> in steady state.</summary>
    int Limit { get; }
    double WindowSeconds { get; }
    bool TryAcquire(double t);
    /// <summary>Requests that would still be allowed right now (for X-RateLimit-Remaining).</summary>
    int Remaining(double t);
    /// <summary>Seconds until at least one more request is allowed (0 if one is allowed now).</summary>
    double SecondsUntilNext(double t);
}

/// <summary>
/// Token bucket: holds up to <c>capacity</c> tokens, refilled at <c>ratePerSecond</c>; a request takes one.
/// Continuous refill by default; with <c>refillPeriod</c> &gt; 0 the tokens arrive in steps at multiples of
/// the period (what System.Threading.RateLimiting's TokenBucketRateLimiter does). Over any span s it
/// admits at most capacity + rate·s requests.
/// </summary>
public sealed class TokenBucket : IRateLimiter
{
    private double _tokens, _last;

    public TokenBucket(int capacity, double ratePerSecond, double refillPeriod = 0)
    {
        Limit = Guard.InRange(capacity, 1, 100_000_000);
        Rate = Guard.InRange(ratePerSecond, 1e-9, 1e9);
        RefillPeriod = Guard.InRange(refillPeriod, 0.0, 86_400);
        _tokens = capacity;
    }

    public string Name => "token bucket";
    public int Limit { get; }
    public double Rate { get; }
    public double RefillPeriod { get; }
    public double WindowSeconds => Limit / Rate;

    public bool TryAcquire(double t)
    {
        Refill(t);
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    public int Remaining(double t) { Refill(t); return (int)Math.Floor(_tokens); }

    public double SecondsUntilNext(double t)
    {
        Refill(t);
        if (_tokens >= 1) return 0;
        if (RefillPeriod == 0) return (1 - _tokens) / Rate;
        double perStep = Rate * RefillPeriod;
        int steps = (int)Math.Ceiling((1 - _tokens) / perStep);
        return (Math.Floor(t / RefillPeriod) + steps) * RefillPeriod - t;
    }

    private void Refill(double t)
    {
        Guard.That(t >= _last, $"time must not go backwards (t = {t}, last = {_last})", nameof(t));
        if (RefillPeriod == 0)
            _tokens = Math.Min(Limit, _tokens + (t - _last) * Rate);
        else
        {
            long steps = (long)Math.Floor(t / RefillPeriod) - (long)Math.Floor(_last / RefillPeriod);
            _tokens = Math.Min(Limit, _tokens + steps * Rate * RefillPeriod);
        }
        _last = t;
    }
}

/// <summary>Fixed window: at most <c>limit</c> requests per aligned window [k·W, (k+1)·W).</summary>
public sealed class FixedWindow(int limit, double windowSeconds) : IRateLimiter
{
    private long _window = long.MinValue;
    private int _count;

    public string Name => "fixed window";
    public int Limit { get; } = Guard.InRange(limit, 1, 100_000_000);
    public double WindowSeconds { get; } = Guard.InRange(windowSeconds, 1e-6, 86_400);

    public bool TryAcquire(double t)
    {
        Roll(t);
        if (_count >= Limit) return false;
        _count++;
        return true;
    }

    public int Remaining(double t) { Roll(t); return Limit - _count; }

    public double SecondsUntilNext(double t) { Roll(t); return _count < Limit ? 0 : (_window + 1) * WindowSeconds - t; }

    private void Roll(double t)
    {
        long w = (long)Math.Floor(t / WindowSeconds);
        if (w != _window) { _window = w; _count = 0; }
    }
}

/// <summary>
/// Sliding-window log: keeps the time of every counted request and allows one when fewer than
/// <c>limit</c> lie in (t − W, t]. Exact, O(limit) memory per client. With <c>countRejected</c> a refused
/// request is logged too, as the guide's MULTI/ZADD script does: a client that keeps retrying then keeps
/// itself locked out.
/// </summary>
public sealed class SlidingLog(int limit, double windowSeconds, bool countRejected = false) : IRateLimiter
{
    private readonly Queue<double> _log = new();

    public string Name => countRejected ? "sliding log (logs refusals too)" : "sliding log";
    public int Limit { get; } = Guard.InRange(limit, 1, 10_000_000);
    public double WindowSeconds { get; } = Guard.InRange(windowSeconds, 1e-6, 86_400);

    public bool TryAcquire(double t)
    {
        Trim(t);
        bool ok = _log.Count < Limit;
        if (ok || countRejected) _log.Enqueue(t);
        return ok;
    }

    public int Remaining(double t) { Trim(t); return Math.Max(0, Limit - _log.Count); }

    public double SecondsUntilNext(double t)
    {
        Trim(t);
        if (_log.Count < Limit) return 0;
        return _log.ElementAt(_log.Count - Limit) + WindowSeconds - t;
    }

    private void Trim(double t)
    {
        while (_log.Count > 0 && _log.Peek() <= t - WindowSeconds) _log.Dequeue();
    }
}

/// <summary>
/// Sliding-window counter (Cloudflare's approximation): two fixed-window counts, weighted by how much of
/// the previous window still overlaps the sliding one: estimate = previous·(1 − elapsed/W) + current.
/// O(1) memory; it assumes the previous window's requests were spread evenly, so it can admit a little more
/// or less than the exact log.
/// </summary>
public sealed class SlidingWindowCounter(int limit, double windowSeconds) : IRateLimiter
{
    private long _window = long.MinValue;
    private int _current, _previous;

    public string Name => "sliding-window counter";
    public int Limit { get; } = Guard.InRange(limit, 1, 100_000_000);
    public double WindowSeconds { get; } = Guard.InRange(windowSeconds, 1e-6, 86_400);

    public bool TryAcquire(double t)
    {
        if (Estimate(t) >= Limit) return false;
        _current++;
        return true;
    }

    public int Remaining(double t) => Math.Max(0, (int)Math.Floor(Limit - Estimate(t)));

    public double SecondsUntilNext(double t)
    {
        double est = Estimate(t);
        if (est < Limit) return 0;
        if (_previous == 0) return (_window + 1) * WindowSeconds - t;
        // previous·(1 − f) + current < limit  ⇔  f > 1 − (limit − current)/previous
        double f = 1 - (Limit - _current) / (double)_previous;
        double at = _window * WindowSeconds + Math.Min(1, f) * WindowSeconds;
        return Math.Max(1e-9, at - t);
    }

    private double Estimate(double t)
    {
        long w = (long)Math.Floor(t / WindowSeconds);
        if (w != _window)
        {
            _previous = w == _window + 1 ? _current : 0;
            _current = 0;
            _window = w;
        }
        double elapsed = t / WindowSeconds - w;
        return _previous * (1 - elapsed) + _current;
    }
}

/// <summary>Traces and measurements for rate limiters.</summary>
public static class RateLimiting
{
    /// <summary>Fresh limiters of the four kinds for "limit requests per window".</summary>
    public static IRateLimiter[] All(int limit, double windowSeconds) =>
    [
        new TokenBucket(limit, limit / windowSeconds),
        new FixedWindow(limit, windowSeconds),
        new SlidingLog(limit, windowSeconds),
        new SlidingWindowCounter(limit, windowSeconds),
    ];

    /// <summary>
    /// The fixed window's worst case: <c>limit</c> requests just before a window boundary and
    /// <c>limit</c> more just after, each burst spread over <c>spreadSeconds</c>, then a steady trickle.
    /// </summary>
    public static double[] BoundaryBurst(int limit, double windowSeconds, double spreadSeconds)
    {
        Guard.InRange(limit, 1, 1_000_000);
        Guard.InRange(spreadSeconds, 0.0, windowSeconds / 2);
        double b = 10 * windowSeconds; // a boundary well after the start
        var before = Enumerable.Range(0, limit).Select(i => b - spreadSeconds + spreadSeconds * i / limit);
        var after = Enumerable.Range(0, limit).Select(i => b + spreadSeconds * i / limit);
        return before.Concat(after).ToArray();
    }

    /// <summary>Poisson arrivals at <paramref name="ratePerSecond"/> over <paramref name="seconds"/>.</summary>
    public static double[] Poisson(double ratePerSecond, double seconds, int seed)
    {
        Guard.InRange(ratePerSecond, 1e-6, 1e7);
        Guard.InRange(seconds, 1e-6, 1e6);
        var rng = new Random(seed);
        var times = new List<double>();
        for (double t = -Math.Log(1 - rng.NextDouble()) / ratePerSecond; t < seconds;
             t += -Math.Log(1 - rng.NextDouble()) / ratePerSecond)
            times.Add(t);
        return times.ToArray();
    }

    /// <summary>Decisions of <paramref name="limiter"/> for requests at the (sorted) times.</summary>
    public static bool[] Decide(IRateLimiter limiter, IReadOnlyList<double> times)
    {
        Guard.NotNull(limiter);
        Guard.NotNull(times);
        return times.Select(limiter.TryAcquire).ToArray();
    }

    /// <summary>The most allowed requests in any interval of length <paramref name="span"/> (half-open).</summary>
    public static int MaxAllowedInAnySpan(IReadOnlyList<double> times, IReadOnlyList<bool> allowed, double span)
    {
        Guard.NotNull(times);
        Guard.NotNull(allowed);
        Guard.That(times.Count == allowed.Count, "one decision per time", nameof(allowed));
        var ok = times.Where((_, i) => allowed[i]).ToArray();
        int best = 0, lo = 0;
        for (int hi = 0; hi < ok.Length; hi++)
        {
            while (ok[hi] - ok[lo] >= span) lo++;
            best = Math.Max(best, hi - lo + 1);
        }
        return best;
    }

    /// <summary>
    /// Response headers for one decision: the IETF draft's <c>RateLimit-Limit/Remaining/Reset</c> and the
    /// older <c>X-RateLimit-*</c>, plus <c>Retry-After</c> (whole seconds, rounded up) on a 429.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Headers(IRateLimiter limiter, double t, bool allowed)
    {
        Guard.NotNull(limiter);
        int remaining = limiter.Remaining(t);
        int reset = (int)Math.Ceiling(limiter.SecondsUntilNext(t));
        var h = new Dictionary<string, string>
        {
            ["Status"] = allowed ? "200" : "429",
            ["X-RateLimit-Limit"] = limiter.Limit.ToString(),
            ["X-RateLimit-Remaining"] = remaining.ToString(),
            ["X-RateLimit-Reset"] = reset.ToString(),
        };
        if (!allowed) h["Retry-After"] = Math.Max(1, reset).ToString();
        return h;
    }
}
