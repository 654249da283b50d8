namespace SystemDesign.Resilience;

/// <summary>
/// A TimeProvider whose time moves only when told (<see cref="Advance"/>, <see cref="SetTo"/>): the state
/// machine comparisons run in virtual time, so they are deterministic and take no wall time. Only the clock
/// is faked (GetUtcNow and GetTimestamp); Polly's circuit breaker reads nothing else.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long ticks;

    /// <summary>Time elapsed since the clock was created.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref ticks));

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => Epoch + Elapsed;

    /// <inheritdoc/>
    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by)
    {
        Guard.That(by >= TimeSpan.Zero, "the clock only moves forward", nameof(by));
        Interlocked.Add(ref ticks, by.Ticks);
    }

    /// <summary>Sets the elapsed time (never backwards).</summary>
    public void SetTo(TimeSpan elapsed)
    {
        Guard.That(elapsed >= Elapsed, "the clock only moves forward", nameof(elapsed));
        Interlocked.Exchange(ref ticks, elapsed.Ticks);
    }
}
