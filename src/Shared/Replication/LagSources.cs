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

/// <summary>Steady-state visibility lag at one utilisation, simulated and from M/D/1.</summary>
/// <param name="Rho">Utilisation λ/μ.</param>
/// <param name="MeanMs">Simulated mean visibility lag after the warm-up, ms.</param>
/// <param name="StdErrMs">Its standard error from batch means, ms.</param>
/// <param name="TheoryMs">d + 1/μ + ρ/(2μ(1 − ρ)), ms.</param>
/// <param name="P99Ms">Simulated 99th percentile, ms.</param>
/// <param name="MinMs">Simulated minimum, ms.</param>
/// <param name="RelaxationS">The queue's relaxation time 1/(μ(1 − √ρ)²), s.</param>
/// <param name="BatchS">Length of one batch of the batch means, s.</param>
public sealed record SteadyStateRow(double Rho, double MeanMs, double StdErrMs, double TheoryMs, double P99Ms,
    double MinMs, double RelaxationS, double BatchS);

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

    /// <summary>
    /// Simulates Poisson writes at ρ·μ with an instant fsync (so replay is exactly an M/D/1 queue) for
    /// <paramref name="warmUp"/> + <paramref name="batches"/> × <paramref name="batchSeconds"/> seconds and
    /// summarises the visibility lag after the warm-up, with a batch-means standard error.
    /// </summary>
    public static SteadyStateRow SteadyState(double rho, double replayRate, double oneWayDelay, int seed,
        double warmUp = 2, int batches = 10, double batchSeconds = 1)
    {
        Guard.InRange(rho, 0.01, 0.999);
        Guard.InRange(warmUp, 0, 3600);
        Guard.InRange(batchSeconds, 0.01, 3600);
        Guard.InRange(batches, 2, 1000);
        var t = ReplicationSimulator.Run(new ReplicationOptions
        {
            WriteRate = rho * Guard.Positive(replayRate), ReplayRate = replayRate, NetworkDelay = oneWayDelay,
            FsyncTime = 0, Duration = warmUp + batches * batchSeconds, Seed = seed,
        });
        int first = t.FirstRecordAfter(warmUp); // the queue starts empty: skip the transient
        var lags = Enumerable.Range(first, t.Count - first).Select(t.VisibilityLag).ToArray();
        return new SteadyStateRow(rho, lags.Average() * 1000, LagTheory.BatchMeansStdErr(lags, batches) * 1000,
            LagTheory.MeanVisibilityLag(rho * replayRate, replayRate, oneWayDelay) * 1000,
            Notebook.Stats.Percentile(lags, 0.99) * 1000, lags.Min() * 1000,
            LagTheory.RelaxationTime(rho * replayRate, replayRate), batchSeconds);
    }
}
