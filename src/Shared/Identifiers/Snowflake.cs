namespace SystemDesign.Identifiers;

/// <summary>A millisecond clock the generator reads, and can wait on when a millisecond's IDs run out.</summary>
public interface IMillisecondClock
{
    /// <summary>Milliseconds since the Unix epoch.</summary>
    long NowMs { get; }

    /// <summary>Returns once <see cref="NowMs"/> ≥ <paramref name="ms"/>.</summary>
    void WaitUntil(long ms);
}

/// <summary>
/// A clock that only moves when told: experiments and tests run millions of IDs deterministically, and
/// "waiting for the next millisecond" just advances it (and is counted).
/// </summary>
public sealed class VirtualClock(long startMs) : IMillisecondClock
{
    public long NowMs { get; private set; } = startMs;

    /// <summary>How many times a caller had to wait.</summary>
    public int Waits { get; private set; }

    public void Advance(long ms)
    {
        Guard.InRange(ms, 0, long.MaxValue - NowMs);
        NowMs += ms;
    }

    /// <summary>Sets the time, backwards too (to show what a clock step back does).</summary>
    public void Set(long ms) => NowMs = Guard.InRange(ms, 0, long.MaxValue);

    public void WaitUntil(long ms)
    {
        if (ms <= NowMs) return;
        Waits++;
        NowMs = ms;
    }
}

/// <summary>The wall clock, spinning (yielding) to wait: for real use, never in checks.</summary>
public sealed class SystemClock : IMillisecondClock
{
    public static readonly SystemClock Instance = new();

    public long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public void WaitUntil(long ms)
    {
        while (NowMs < ms) Thread.Yield();
    }
}

/// <summary>The three fields of a Snowflake ID.</summary>
public readonly record struct SnowflakeParts(long TimestampMs, int Machine, int Sequence);

/// <summary>
/// Twitter's Snowflake layout: 1 unused sign bit, 41 bits of milliseconds since a custom epoch, 10 bits of
/// machine id, 12 bits of sequence. IDs are unique without coordination (the machine id separates nodes),
/// sortable by time, and one node makes at most 4096 per millisecond: the 4097th waits for the next one.
/// </summary>
public sealed class SnowflakeGenerator
{
    public const int TimestampBits = 41;
    public const int MachineBits = 10;
    public const int SequenceBits = 12;
    public const int MaxMachine = (1 << MachineBits) - 1;
    public const int IdsPerMillisecond = 1 << SequenceBits;
    public const long MaxTimestamp = (1L << TimestampBits) - 1;

    /// <summary>Twitter's epoch, 2010-11-04T01:42:54.657Z.</summary>
    public const long TwitterEpochMs = 1288834974657;

    private readonly IMillisecondClock _clock;
    private long _lastMs = -1;
    private int _sequence;

    public SnowflakeGenerator(int machine, IMillisecondClock clock, long epochMs = TwitterEpochMs)
    {
        Machine = Guard.InRange(machine, 0, MaxMachine);
        _clock = Guard.NotNull(clock);
        EpochMs = Guard.InRange(epochMs, 0, long.MaxValue - MaxTimestamp);
    }

    public int Machine { get; }

    public long EpochMs { get; }

    /// <summary>How many times the sequence ran out and the generator waited for the next millisecond.</summary>
    public int Exhaustions { get; private set; }

    /// <summary>Years of timestamps 41 bits give: 2⁴¹ ms ≈ 69.7 Julian years after the epoch.</summary>
    public static double LifetimeYears => (MaxTimestamp + 1) / (365.25 * 24 * 3600 * 1000);

    /// <summary>
    /// The next ID. Throws when the clock went backwards (an ID could repeat) or the 41 bits are exhausted.
    /// </summary>
    public long Next()
    {
        long now = _clock.NowMs;
        if (now < _lastMs)
            throw new InvalidOperationException($"the clock went back {_lastMs - now} ms; refusing to issue IDs that could repeat until it reaches {_lastMs}.");
        if (now == _lastMs)
        {
            _sequence = (_sequence + 1) & (IdsPerMillisecond - 1);
            if (_sequence == 0)
            {
                Exhaustions++;
                _clock.WaitUntil(_lastMs + 1);
                now = _clock.NowMs;
            }
        }
        else
        {
            _sequence = 0;
        }
        long elapsed = now - EpochMs;
        if (elapsed < 0 || elapsed > MaxTimestamp)
            throw new InvalidOperationException($"the clock ({now} ms) is outside the {TimestampBits}-bit range after the epoch {EpochMs} ms.");
        _lastMs = now;
        return (elapsed << (MachineBits + SequenceBits)) | ((long)Machine << SequenceBits) | (long)_sequence;
    }

    /// <summary>The fields of an ID (timestamp as Unix milliseconds, given the epoch it was made with).</summary>
    public static SnowflakeParts Decode(long id, long epochMs = TwitterEpochMs)
    {
        Guard.InRange(id, 0, long.MaxValue);
        return new SnowflakeParts((id >> (MachineBits + SequenceBits)) + epochMs,
            (int)((id >> SequenceBits) & MaxMachine), (int)(id & (IdsPerMillisecond - 1)));
    }
}
