namespace SystemDesign.Resilience;

/// <summary>The three states of a circuit breaker.</summary>
public enum BreakerState { Closed, Open, HalfOpen }

/// <summary>One state change, at a time since the start of the run.</summary>
public sealed record Transition(TimeSpan At, BreakerState From, BreakerState To)
{
    /// <inheritdoc/>
    public override string ToString() => $"{At.TotalSeconds:F2}s {From}→{To}";
}

/// <summary>
/// A breaker's settings, named as Polly v8 names them: it opens on a failure when, over the last
/// SamplingDuration, at least MinimumThroughput calls were seen and the failure share is at least
/// FailureRatio; it stays open for BreakDuration; then one probe call decides (success closes, failure opens).
/// </summary>
public sealed record BreakerOptions(double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration,
    TimeSpan BreakDuration)
{
    /// <summary>Polly's defaults: 10%, 100 calls, 30 s, 5 s.</summary>
    public static BreakerOptions PollyDefaults => new(0.1, 100, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));

    /// <summary>Validates the ranges Polly accepts.</summary>
    public BreakerOptions Validate()
    {
        Guard.InRange(FailureRatio, 0, 1, nameof(FailureRatio));
        Guard.InRange(MinimumThroughput, 2, int.MaxValue, nameof(MinimumThroughput));
        Guard.InRange(SamplingDuration.TotalSeconds, 0.5, 86_400, nameof(SamplingDuration));
        Guard.InRange(BreakDuration.TotalSeconds, 0.5, 86_400, nameof(BreakDuration));
        return this;
    }
}

/// <summary>
/// Our circuit breaker, written from the pattern's description (Nygard; Fowler) with the failure-ratio
/// trip rule Polly v8 documents. The sampling window is cut into 10 buckets, each opened by the first
/// call at least SamplingDuration/10 after the previous bucket opened; a bucket is forgotten once
/// SamplingDuration has passed since it opened. Not thread-safe: callers serialize (the chain does).
/// </summary>
public sealed class CircuitBreaker
{
    private const int Buckets = 10;
    private readonly BreakerOptions options;
    private readonly TimeProvider clock;
    private readonly DateTimeOffset start;
    private readonly List<(DateTimeOffset Opened, int Ok, int Failed)> buckets = new();
    private readonly List<Transition> transitions = new();
    private DateTimeOffset openUntil;

    /// <summary>A breaker on the given clock (the system clock when null).</summary>
    public CircuitBreaker(BreakerOptions options, TimeProvider? clock = null)
    {
        this.options = Guard.NotNull(options).Validate();
        this.clock = clock ?? TimeProvider.System;
        start = this.clock.GetUtcNow();
    }

    /// <summary>The current state.</summary>
    public BreakerState State { get; private set; } = BreakerState.Closed;

    /// <summary>Every state change so far.</summary>
    public IReadOnlyList<Transition> Transitions => transitions;

    /// <summary>Calls refused without reaching the dependency.</summary>
    public int Rejected { get; private set; }

    /// <summary>
    /// Asks to make a call. Open and past its break: becomes half-open and lets this one call through as
    /// the probe. Open, or half-open with a probe in flight: refuses (fail fast).
    /// </summary>
    public bool TryAcquire()
    {
        var now = clock.GetUtcNow();
        if (State == BreakerState.Open && now >= openUntil)
        {
            Move(BreakerState.HalfOpen, now);
            return true;
        }
        if (State == BreakerState.Closed) return true;
        Rejected++;
        return false;
    }

    /// <summary>Records the outcome of a call that <see cref="TryAcquire"/> let through.</summary>
    public void Record(bool success)
    {
        var now = clock.GetUtcNow();
        if (State == BreakerState.HalfOpen)
        {
            if (success) { Move(BreakerState.Closed, now); buckets.Clear(); }
            else Open(now);
            return;
        }
        if (State != BreakerState.Closed) { Count(now, success); return; }   // a late result: counted only
        Count(now, success);
        if (success) return;
        int ok = buckets.Sum(b => b.Ok), failed = buckets.Sum(b => b.Failed);
        int total = ok + failed;
        // As a share, not failed ≥ ratio·total: 0.1·30 is 3.0000000000000004 in doubles.
        if (total >= options.MinimumThroughput && (double)failed / total >= options.FailureRatio) Open(now);
    }

    /// <summary>Runs <paramref name="call"/> through the breaker: null when refused, else its success.</summary>
    public bool? Execute(Func<bool> call)
    {
        Guard.NotNull(call);
        if (!TryAcquire()) return null;
        bool ok;
        try { ok = call(); }
        catch (Exception) { ok = false; }
        Record(ok);
        return ok;
    }

    private void Count(DateTimeOffset now, bool success)
    {
        var width = TimeSpan.FromTicks(options.SamplingDuration.Ticks / Buckets);
        if (buckets.Count == 0 || now - buckets[^1].Opened >= width) buckets.Add((now, 0, 0));
        while (now - buckets[0].Opened >= options.SamplingDuration) buckets.RemoveAt(0);
        var last = buckets[^1];
        buckets[^1] = success ? last with { Ok = last.Ok + 1 } : last with { Failed = last.Failed + 1 };
    }

    private void Open(DateTimeOffset now)
    {
        openUntil = now + options.BreakDuration;
        Move(BreakerState.Open, now);
    }

    private void Move(BreakerState to, DateTimeOffset now)
    {
        transitions.Add(new Transition(now - start, State, to));
        State = to;
    }
}
