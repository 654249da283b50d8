namespace SystemDesign.Replication;

/// <summary>
/// A period during which the primary commits at <paramref name="Rate"/> writes per second instead of the
/// base rate: a batch job, a backfill, a traffic spike. Times are seconds on the simulation's virtual clock.
/// </summary>
public sealed record Burst(double Start, double Duration, double Rate)
{
    public double End => Start + Duration;
}

/// <summary>
/// A read-only query on the replica that conflicts with WAL replay (it holds a snapshot that a replayed
/// VACUUM cleanup record would invalidate, or a lock a replayed DROP needs). It starts at
/// <paramref name="Start"/> and would run for <paramref name="QueryDuration"/> seconds; the first record
/// replay reaches after it started waits for it, up to <see cref="ReplicationOptions.MaxStandbyStreamingDelay"/>.
/// </summary>
public sealed record ReplayConflict(double Start, double QueryDuration);

/// <summary>
/// A latency spike on the link: records handed to the network from <paramref name="Start"/> for
/// <paramref name="Duration"/> seconds take <paramref name="ExtraDelay"/> seconds longer one way (a congested
/// path, a retransmission timeout, a route change). TCP delivers in order, so records sent just after the
/// spike wait behind the delayed ones (head-of-line blocking).
/// </summary>
public sealed record DelaySpike(double Start, double Duration, double ExtraDelay)
{
    public double End => Start + Duration;
}

/// <summary>
/// What one run of <see cref="ReplicationSimulator"/> models: a primary committing Poisson writes (one WAL
/// record each), a WAL sender streaming every record as soon as it is committed over a link with a one-way
/// delay (and optionally a bandwidth), a WAL receiver that writes records on arrival and fsyncs them in
/// batches, and one startup process replaying flushed records in order at a fixed rate, as a PostgreSQL
/// physical standby does. Rates are per second, times in seconds.
/// </summary>
public sealed record ReplicationOptions
{
    /// <summary>Base commit rate of the primary, writes/s (Poisson arrivals).</summary>
    public double WriteRate { get; init; } = 800;

    /// <summary>Records/s the replica's single replay process applies (service time 1/ReplayRate, fixed).</summary>
    public double ReplayRate { get; init; } = 1000;

    /// <summary>One-way network delay from primary to replica (and back, for acknowledgements), s.</summary>
    public double NetworkDelay { get; init; } = 0.020;

    /// <summary>Records/s the link can carry; infinity means the link is never the bottleneck.</summary>
    public double LinkRate { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// Bytes of WAL per record (per commit). Only the TCP window cap uses it: the walsender's one TCP stream
    /// carries at most <see cref="TcpWindowBytes"/> per round trip.
    /// </summary>
    public double WalBytesPerRecord { get; init; } = 500;

    /// <summary>
    /// The TCP window of the walsender's single connection, bytes; infinity (the default) means the window is
    /// never the bottleneck. A window-limited stream carries at most window / RTT bytes per second (the
    /// bandwidth-delay product), so the link's record rate is capped at
    /// TcpWindowBytes / (2·(NetworkDelay + spike + Jitter) · WalBytesPerRecord).
    /// </summary>
    public double TcpWindowBytes { get; init; } = double.PositiveInfinity;

    /// <summary>Mean of an exponential extra one-way delay drawn per record (random jitter), s; delivery stays in order.</summary>
    public double Jitter { get; init; }

    /// <summary>Periods of extra one-way delay; they must not overlap.</summary>
    public IReadOnlyList<DelaySpike> DelaySpikes { get; init; } = [];

    /// <summary>Time of one fsync on the replica; records received during a flush wait for the next one, s.</summary>
    public double FsyncTime { get; init; } = 0.001;

    /// <summary>How long the primary commits writes, s. The simulation then runs until the replica caught up.</summary>
    public double Duration { get; init; } = 10;

    /// <summary>Periods of a different write rate; they must not overlap and must lie within the duration.</summary>
    public IReadOnlyList<Burst> Bursts { get; init; } = [];

    /// <summary>Replica queries that block replay.</summary>
    public IReadOnlyList<ReplayConflict> Conflicts { get; init; } = [];

    /// <summary>
    /// PostgreSQL's max_standby_streaming_delay in seconds: how long after the conflicting WAL was received
    /// replay may wait for a conflicting query before cancelling it. 0 cancels at once; infinity is the
    /// server's −1 (wait for the query however long it runs). The server's default is 30 s.
    /// </summary>
    public double MaxStandbyStreamingDelay { get; init; } = 30;

    public int Seed { get; init; } = 1;

    /// <summary>The write rate in force at time t.</summary>
    public double RateAt(double t)
    {
        foreach (var b in Bursts)
            if (t >= b.Start && t < b.End) return b.Rate;
        return WriteRate;
    }

    /// <summary>Extra one-way delay of a spike in force at time t (0 outside spikes).</summary>
    public double SpikeAt(double t)
    {
        for (int i = 0; i < DelaySpikes.Count; i++)
            if (t >= DelaySpikes[i].Start && t < DelaySpikes[i].End) return DelaySpikes[i].ExtraDelay;
        return 0;
    }

    /// <summary>
    /// Records/s the link can carry at time t: the smaller of <see cref="LinkRate"/> and the window cap
    /// TcpWindowBytes / (RTT · WalBytesPerRecord), with RTT = 2·(NetworkDelay + spike + Jitter).
    /// </summary>
    public double LinkCapacityAt(double t)
    {
        if (double.IsPositiveInfinity(TcpWindowBytes)) return LinkRate;
        double rtt = 2 * (NetworkDelay + SpikeAt(t) + Jitter);
        double window = double.IsPositiveInfinity(TcpWindowBytes) || rtt <= 0
            ? double.PositiveInfinity
            : TcpWindowBytes / (rtt * WalBytesPerRecord);
        return Math.Min(LinkRate, window);
    }

    internal void Validate()
    {
        Guard.InRange(WriteRate, 0, 1e6, nameof(WriteRate));
        Guard.InRange(ReplayRate, 1e-3, 1e7, nameof(ReplayRate));
        Guard.InRange(NetworkDelay, 0, 3600, nameof(NetworkDelay));
        Guard.That(LinkRate > 0 && !double.IsNaN(LinkRate), $"{nameof(LinkRate)} must be greater than 0 (infinity for an unlimited link); got {LinkRate}.", nameof(LinkRate));
        Guard.InRange(FsyncTime, 0, 10, nameof(FsyncTime));
        Guard.InRange(WalBytesPerRecord, 1, 1e9, nameof(WalBytesPerRecord));
        Guard.That(TcpWindowBytes >= 1 && !double.IsNaN(TcpWindowBytes), $"{nameof(TcpWindowBytes)} must be at least 1 byte (infinity for no window cap); got {TcpWindowBytes}.", nameof(TcpWindowBytes));
        Guard.InRange(Jitter, 0, 3600, nameof(Jitter));
        Guard.NotNull(DelaySpikes, nameof(DelaySpikes));
        var spikes = DelaySpikes.OrderBy(s => s.Start).ToArray();
        for (int i = 0; i < spikes.Length; i++)
        {
            Guard.InRange(spikes[i].Start, 0, 86_400, "DelaySpike.Start");
            Guard.InRange(spikes[i].Duration, 1e-6, 86_400, "DelaySpike.Duration");
            Guard.InRange(spikes[i].ExtraDelay, 0, 3600, "DelaySpike.ExtraDelay");
            Guard.That(i == 0 || spikes[i - 1].End <= spikes[i].Start, "delay spikes must not overlap.", nameof(DelaySpikes));
        }
        Guard.InRange(Duration, 1e-3, 86_400, nameof(Duration));
        Guard.That(MaxStandbyStreamingDelay >= 0, $"{nameof(MaxStandbyStreamingDelay)} must be 0 or more seconds (infinity waits forever); got {MaxStandbyStreamingDelay}.", nameof(MaxStandbyStreamingDelay));
        Guard.NotNull(Bursts, nameof(Bursts));
        Guard.NotNull(Conflicts, nameof(Conflicts));
        var sorted = Bursts.OrderBy(b => b.Start).ToArray();
        for (int i = 0; i < sorted.Length; i++)
        {
            var b = sorted[i];
            Guard.InRange(b.Start, 0, Duration, "Burst.Start");
            Guard.InRange(b.Duration, 1e-6, Duration - b.Start, "Burst.Duration");
            Guard.InRange(b.Rate, 0, 1e6, "Burst.Rate");
            Guard.That(i == 0 || sorted[i - 1].End <= b.Start, $"bursts must not overlap: one ends at {(i > 0 ? sorted[i - 1].End : 0)} s, the next starts at {b.Start} s.", nameof(Bursts));
        }
        foreach (var c in Conflicts)
        {
            Guard.InRange(c.Start, 0, Duration, "ReplayConflict.Start");
            Guard.InRange(c.QueryDuration, 0, 86_400, "ReplayConflict.QueryDuration");
        }
        // The expected number of records bounds memory and run time: keep a notebook cell fast and safe.
        double expected = WriteRate * Duration + Bursts.Sum(b => (b.Rate - WriteRate) * b.Duration);
        Guard.That(expected <= 5_000_000, $"the options produce about {expected:N0} WAL records; keep rate × duration at most 5,000,000.", nameof(WriteRate));
    }
}
