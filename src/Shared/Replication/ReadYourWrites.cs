namespace SystemDesign.Replication;

/// <summary>Where a session's read after its own write goes, and what the write waits for.</summary>
public enum ReadPolicy
{
    /// <summary>Asynchronous commit, read the replica: no read-your-writes protection at all.</summary>
    Replica,
    /// <summary>Read the primary while the session's last write is younger than a window, the replica after.</summary>
    PrimaryWindow,
    /// <summary>Keep the commit LSN in the session; the replica read waits until pg_last_wal_replay_lsn() reaches it.</summary>
    WaitForLsn,
    /// <summary>synchronous_commit = remote_write: the commit waits until the standby has written the WAL (not fsynced, not replayed).</summary>
    SyncRemoteWrite,
    /// <summary>synchronous_commit = on with a synchronous standby: the commit waits until the standby has flushed the WAL.</summary>
    SyncOn,
    /// <summary>synchronous_commit = remote_apply: the commit waits until the standby has replayed the WAL.</summary>
    SyncRemoteApply,
}

/// <summary>A session that commits record <paramref name="Record"/> and reads it back <paramref name="ThinkTime"/> seconds after the commit is acknowledged.</summary>
public sealed record SessionRead(int Record, double ThinkTime);

/// <summary>One read-after-write: when the write was acknowledged, when the read was issued and served, where, and whether it missed the write.</summary>
public sealed record ReadOutcome(int Record, double Acknowledged, double IssuedAt, double ServedAt, bool FromPrimary, bool Stale,
    double AddedWriteLatency, double AddedReadLatency);

/// <summary>A policy's results over a session workload: stale-read rate and the latency it costs (write side and read side).</summary>
public sealed record PolicySummary(string Policy, int Reads, int StaleReads, double StaleRate, double PrimaryShare,
    double MeanAddedWriteMs, double P99AddedWriteMs, double MeanAddedReadMs, double P99AddedReadMs);

/// <summary>
/// Read-your-writes strategies evaluated on a replication trace. Each session's write is one record of the
/// trace; whether its read is stale is decided by the replica's replay position at the instant the read is
/// served (<see cref="ReplicationTrace.ReplicaSees"/>), never by a shortcut formula, so the notebook can
/// compare the outcome with what the lags predict.
/// </summary>
public static class ReadYourWrites
{
    /// <summary><paramref name="count"/> sessions on uniformly chosen records, think times exponential with the given mean (0: read at once).</summary>
    public static IReadOnlyList<SessionRead> Sessions(ReplicationTrace trace, int count, double meanThinkTime, int seed)
    {
        Guard.NotNull(trace);
        Guard.That(trace.Count > 0, "the trace has no records to read back.", nameof(trace));
        Guard.InRange(count, 1, 1_000_000);
        Guard.InRange(meanThinkTime, 0, 3600);
        var rng = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => new SessionRead(rng.Next(trace.Count), meanThinkTime == 0 ? 0 : ReplicationSimulator.Exponential(rng, 1 / meanThinkTime)))
            .OrderBy(s => s.Record)
            .ToArray();
    }

    /// <summary>Serves every session's read under one policy and says whether it saw the session's write.</summary>
    /// <param name="trace">The replication run the sessions' writes belong to.</param>
    /// <param name="sessions">Which records are read back, and after how long.</param>
    /// <param name="policy">Where reads go and what commits wait for.</param>
    /// <param name="window">For <see cref="ReadPolicy.PrimaryWindow"/>: how long after a write reads go to the primary, s.</param>
    public static IReadOnlyList<ReadOutcome> Evaluate(ReplicationTrace trace, IReadOnlyList<SessionRead> sessions, ReadPolicy policy, double window = 1)
    {
        Guard.NotNull(trace);
        Guard.NotNull(sessions);
        Guard.That(Enum.IsDefined(policy), $"unknown policy {policy}.", nameof(policy));
        Guard.InRange(window, 0, 86_400);
        double d = trace.Options.NetworkDelay;
        var outcomes = new ReadOutcome[sessions.Count];
        for (int k = 0; k < sessions.Count; k++)
        {
            var (i, think) = sessions[k];
            Guard.InRange(i, 0, trace.Count - 1, "session.Record");
            Guard.That(think >= 0, $"think time must be 0 or more; got {think}.", "session.ThinkTime");
            double commit = trace.Committed[i];
            // The primary hears of each stage one network delay after it happens on the standby.
            double ack = policy switch
            {
                ReadPolicy.SyncRemoteWrite => trace.Received[i] + d,
                ReadPolicy.SyncOn => trace.Flushed[i] + d,
                ReadPolicy.SyncRemoteApply => trace.Replayed[i] + d,
                _ => commit,
            };
            double issued = ack + think;
            bool primary = policy == ReadPolicy.PrimaryWindow && think < window;
            double served = policy == ReadPolicy.WaitForLsn ? Math.Max(issued, trace.Replayed[i]) : issued;
            bool stale = !primary && !trace.ReplicaSees(i, served);
            outcomes[k] = new ReadOutcome(i, ack, issued, served, primary, stale, ack - commit, served - issued);
        }
        return outcomes;
    }

    /// <summary>
    /// The stale-read rate the window policy should have if think times are exponential with mean m and
    /// independent of the lag: a session whose write has visibility lag L reads stale when W ≤ T &lt; L, with
    /// probability e^(−W/m) − e^(−L/m) for L &gt; W (else 0). Returns the mean over the sessions' records and its
    /// standard error √(Σ p(1 − p))/n (independent Bernoulli reads).
    /// </summary>
    public static (double Mean, double StdErr) ExpectedWindowStaleRate(ReplicationTrace trace, IReadOnlyList<SessionRead> sessions,
        double meanThinkTime, double window)
    {
        Guard.NotNull(trace);
        Guard.NotNull(sessions);
        Guard.That(sessions.Count > 0, "no sessions.", nameof(sessions));
        Guard.Positive(meanThinkTime);
        Guard.InRange(window, 0, 86_400);
        double sum = 0, variance = 0;
        foreach (var s in sessions)
        {
            double lag = trace.VisibilityLag(s.Record);
            double p = lag > window ? Math.Exp(-window / meanThinkTime) - Math.Exp(-lag / meanThinkTime) : 0;
            sum += p;
            variance += p * (1 - p);
        }
        return (sum / sessions.Count, Math.Sqrt(variance) / sessions.Count);
    }

    public static PolicySummary Summarize(string policy, IReadOnlyList<ReadOutcome> outcomes)
    {
        Guard.NotEmpty(policy);
        Guard.NotNull(outcomes);
        Guard.That(outcomes.Count > 0, "no reads to summarise.", nameof(outcomes));
        var write = outcomes.Select(o => o.AddedWriteLatency * 1000).ToArray();
        var read = outcomes.Select(o => o.AddedReadLatency * 1000).ToArray();
        int stale = outcomes.Count(o => o.Stale);
        return new PolicySummary(policy, outcomes.Count, stale, (double)stale / outcomes.Count,
            (double)outcomes.Count(o => o.FromPrimary) / outcomes.Count,
            write.Average(), Notebook.Stats.Percentile(write, 0.99), read.Average(), Notebook.Stats.Percentile(read, 0.99));
    }

    /// <summary>How the notebook names a policy.</summary>
    public static string Describe(ReadPolicy policy, double window = 1) => policy switch
    {
        ReadPolicy.Replica => "async, read replica",
        ReadPolicy.PrimaryWindow => $"primary for {window * 1000:0} ms after a write",
        ReadPolicy.WaitForLsn => "replica waits for session LSN",
        ReadPolicy.SyncRemoteWrite => "synchronous_commit = remote_write",
        ReadPolicy.SyncOn => "synchronous_commit = on (flush)",
        ReadPolicy.SyncRemoteApply => "synchronous_commit = remote_apply",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown policy"),
    };
}
