namespace SystemDesign.Replication;

/// <summary>What happened to one <see cref="ReplayConflict"/>: which record waited, from when to when, and whether the query was cancelled.</summary>
public sealed record ConflictOutcome(ReplayConflict Conflict, int Record, double BlockedFrom, double BlockedUntil, bool Cancelled)
{
    public double Blocked => BlockedUntil - BlockedFrom;
}

/// <summary>The replication positions at one instant, as pg_stat_replication and the standby's functions report them.</summary>
/// <param name="Time">Virtual time, s.</param>
/// <param name="Primary">pg_current_wal_lsn(): records committed on the primary.</param>
/// <param name="Sent">sent_lsn: records handed to the network.</param>
/// <param name="Flush">flush_lsn: records durable on the replica.</param>
/// <param name="Replay">replay_lsn / pg_last_wal_replay_lsn(): records visible to replica reads.</param>
/// <param name="LagRecords">Primary − Replay: the backlog, in records.</param>
/// <param name="Staleness">How long ago the oldest write a replica read cannot see was committed (0 when caught up), s.</param>
public sealed record LsnSample(double Time, int Primary, int Sent, int Flush, int Replay, int LagRecords, double Staleness);

/// <summary>
/// The per-record event times of one <see cref="ReplicationSimulator"/> run and the questions asked of them:
/// positions (LSNs) at any time, the time lags pg_stat_replication reports, how stale a replica read is, when
/// the replica drains a backlog. Record i has LSN i + 1; a position is the number of records that reached
/// that stage, so every array is non-decreasing and positions are found by binary search.
/// </summary>
public sealed class ReplicationTrace
{
    private readonly double[] _committed, _sent, _received, _flushed, _replayed;

    internal ReplicationTrace(ReplicationOptions options, double[] committed, double[] sent, double[] received,
        double[] flushed, double[] replayed, IReadOnlyList<ConflictOutcome> conflicts)
    {
        Options = options;
        (_committed, _sent, _received, _flushed, _replayed) = (committed, sent, received, flushed, replayed);
        Conflicts = conflicts;
    }

    public ReplicationOptions Options { get; }
    public int Count => _committed.Length;
    public IReadOnlyList<ConflictOutcome> Conflicts { get; }

    /// <summary>Local commit (WAL flushed on the primary), s.</summary>
    public IReadOnlyList<double> Committed => _committed;
    /// <summary>Handed to the network by the WAL sender, s.</summary>
    public IReadOnlyList<double> Sent => _sent;
    /// <summary>Written by the replica's WAL receiver (to the OS, not yet fsynced), s.</summary>
    public IReadOnlyList<double> Received => _received;
    /// <summary>Fsynced on the replica, s.</summary>
    public IReadOnlyList<double> Flushed => _flushed;
    /// <summary>Replayed: from this instant replica reads see the write, s.</summary>
    public IReadOnlyList<double> Replayed => _replayed;

    /// <summary>The LSN of record i (1-based, so a position equal to it means the record reached that stage).</summary>
    public static int Lsn(int record) => record + 1;

    public int PrimaryLsn(double t) => Position(_committed, t);
    public int SentLsn(double t) => Position(_sent, t);
    public int WriteLsn(double t) => Position(_received, t);
    public int FlushLsn(double t) => Position(_flushed, t);
    public int ReplayLsn(double t) => Position(_replayed, t);

    /// <summary>Whether a read on the replica at time t sees record i.</summary>
    public bool ReplicaSees(int record, double t) => ReplayLsn(t) >= Lsn(CheckRecord(record));

    /// <summary>
    /// pg_stat_replication's write_lag for record i: from the local commit until the primary hears that the
    /// replica wrote it. Like the server's, it includes the acknowledgement's trip back.
    /// </summary>
    public double WriteLag(int record) => _received[CheckRecord(record)] + Options.NetworkDelay - _committed[record];
    /// <summary>flush_lag for record i (includes the trip back).</summary>
    public double FlushLag(int record) => _flushed[CheckRecord(record)] + Options.NetworkDelay - _committed[record];
    /// <summary>replay_lag for record i (includes the trip back).</summary>
    public double ReplayLag(int record) => _replayed[CheckRecord(record)] + Options.NetworkDelay - _committed[record];
    /// <summary>How long after its commit record i becomes visible on the replica (no trip back).</summary>
    public double VisibilityLag(int record) => _replayed[CheckRecord(record)] - _committed[record];

    /// <summary>Primary − replay position at t, in records.</summary>
    public int LagRecords(double t) => PrimaryLsn(t) - ReplayLsn(t);

    /// <summary>Age at t of the oldest committed write a replica read cannot see yet; 0 when the replica is caught up.</summary>
    public double Staleness(double t)
    {
        int replay = ReplayLsn(t);
        return replay >= PrimaryLsn(t) ? 0 : t - _committed[replay];
    }

    /// <summary>
    /// The first instant at or after t when the replica has replayed everything it has flushed (its replay
    /// process goes idle): the end of a backlog drain.
    /// </summary>
    public double IdleAfter(double t)
    {
        Guard.NonNegative(t);
        int j = ReplayLsn(t);
        if (j == Count || _flushed[j] > t) return t;
        for (; j + 1 < Count; j++)
            if (_flushed[j + 1] > _replayed[j]) return _replayed[j];
        return _replayed[Count - 1];
    }

    public LsnSample Sample(double t)
    {
        int primary = PrimaryLsn(t), replay = ReplayLsn(t);
        return new LsnSample(t, primary, SentLsn(t), FlushLsn(t), replay, primary - replay, Staleness(t));
    }

    /// <summary>Samples every <paramref name="step"/> seconds from <paramref name="from"/> to <paramref name="to"/> inclusive (at most 100,000).</summary>
    public IReadOnlyList<LsnSample> Samples(double from, double to, double step)
    {
        Guard.NonNegative(from);
        Guard.That(to >= from, $"to ({to}) must be at least from ({from}).", nameof(to));
        Guard.Positive(step);
        Guard.That((to - from) / step <= 100_000, $"at most 100,000 samples: ({to} − {from}) / {step} is too many.", nameof(step));
        int n = (int)Math.Floor((to - from) / step + 1e-9) + 1;
        // from + k·step can land an ulp short of `to` (3.02…334 / 300 · 300 = 3.02…329): snap the last one to it,
        // or a record replayed at exactly `to` is missed.
        return Enumerable.Range(0, n).Select(k => Sample(k == n - 1 && to - (from + k * step) < step * 1e-6
            ? to : from + k * step)).ToArray();
    }

    /// <summary>Index of the first record committed at or after t (Count if none).</summary>
    public int FirstRecordAfter(double t) => Position(_committed, Math.BitDecrement(t));

    private int CheckRecord(int record) => Guard.InRange(record, 0, Count - 1, nameof(record));

    // Number of entries ≤ t in a non-decreasing array.
    private static int Position(double[] times, double t)
    {
        int lo = 0, hi = times.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (times[mid] <= t) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
