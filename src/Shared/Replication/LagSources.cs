namespace SystemDesign.Replication;

/// <summary>
/// One scenario of the lag-sources table: the lag a reader sees and where the WAL is held back.
/// </summary>
/// <param name="Scenario">What the run changed.</param>
/// <param name="MeanVisibleMs">Mean time from commit to visibility on the replica, ms.</param>
/// <param name="MaxStalenessS">Largest age of a write a replica read missed, s.</param>
/// <param name="MaxBacklog">Largest primary − replay, records.</param>
/// <param name="MaxUnsent">Largest primary − sent (WAL not yet on the wire), records.</param>
/// <param name="MaxSentMinusReplay">Largest sent − replay (the guide's metric), records.</param>
/// <param name="ReplayBlockedS">How long a conflicting query held replay, s (0 without one).</param>
/// <param name="QueryCancelled">Whether the conflicting query was cancelled.</param>
public sealed record LagSourceRow(string Scenario, double MeanVisibleMs, double MaxStalenessS, int MaxBacklog,
    int MaxUnsent, int MaxSentMinusReplay, double ReplayBlockedS, bool QueryCancelled);

/// <summary>One point of a round-trip sweep: the lag and the unsent WAL at the end of the writes.</summary>
/// <param name="OneWayMs">One-way network delay, ms.</param>
/// <param name="MeanVisibleMs">Mean time from commit to visibility, ms.</param>
/// <param name="UnsentAtEnd">primary − sent when the primary stops writing, records.</param>
/// <param name="StalenessAtEndS">Age of the oldest write a replica read misses at that instant, s.</param>
public sealed record RttPoint(double OneWayMs, double MeanVisibleMs, int UnsentAtEnd, double StalenessAtEndS);

/// <summary>Summaries of simulator runs for the "which causes make lag grow" experiments.</summary>
public static class LagSources
{
    /// <summary>Runs <paramref name="options"/> and summarises the trace, sampling positions every 10 ms.</summary>
    public static LagSourceRow Summarize(string scenario, ReplicationOptions options)
    {
        Guard.NotEmpty(scenario);
        var t = ReplicationSimulator.Run(Guard.NotNull(options));
        Guard.That(t.Count > 0, "the run committed no writes.", nameof(options));
        var ss = t.Samples(0, t.Replayed[^1], 0.01);
        var c = t.Conflicts.FirstOrDefault();
        return new LagSourceRow(scenario,
            Enumerable.Range(0, t.Count).Average(t.VisibilityLag) * 1000,
            ss.Max(s => s.Staleness), ss.Max(s => s.LagRecords),
            ss.Max(s => s.Primary - s.Sent), ss.Max(s => s.Sent - s.Replay),
            c?.Blocked ?? 0, c?.Cancelled ?? false);
    }

    /// <summary>Runs <paramref name="options"/> once per one-way delay (ms) and reports lag and unsent WAL.</summary>
    public static IReadOnlyList<RttPoint> RttSweep(ReplicationOptions options, IReadOnlyList<double> oneWayMs)
    {
        Guard.NotNull(options);
        Guard.NotNull(oneWayMs);
        Guard.InRange(oneWayMs.Count, 1, 200, nameof(oneWayMs));
        return oneWayMs.Select(ms =>
        {
            var t = ReplicationSimulator.Run(options with { NetworkDelay = Guard.InRange(ms, 0, 60_000, nameof(oneWayMs)) / 1000 });
            double end = options.Duration;
            return new RttPoint(ms, Enumerable.Range(0, t.Count).Average(t.VisibilityLag) * 1000,
                t.PrimaryLsn(end) - t.SentLsn(end), t.Staleness(end));
        }).ToArray();
    }
}
