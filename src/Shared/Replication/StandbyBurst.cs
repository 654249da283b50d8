using System.Diagnostics;
using Npgsql;
using SystemDesign.RealSystems;

namespace SystemDesign.Replication;

/// <summary>One sample of the burst: WAL the primary has written that the standby has not replayed (the
/// backlog) and not even received, <paramref name="Ms"/> after the burst began.</summary>
public sealed record BacklogSample(double Ms, long BacklogBytes, long UnreceivedBytes, bool Paused);

/// <summary>
/// A write burst against the real streaming standby (see <see cref="StandbyBurst.Run"/>). Rates are WAL bytes
/// per second: λ the writer's during the drain, μ the standby's replay rate measured on a calibration backlog
/// drained with no writes.
/// </summary>
public sealed record StandbyBurstRun(double PauseMs, long BacklogBytes, double DrainMs, double WriteRate,
    IReadOnlyList<Calibration> Calibrations, double PollMs, long MaxUnreceivedBytes,
    IReadOnlyList<BacklogSample> Samples)
{
    /// <summary>μ: bytes replayed per second with nothing else written, the mean of the calibrations.</summary>
    public double ReplayRate => Calibrations.Average(c => c.ReplayRate);

    /// <summary>ρ = λ/μ during the drain.</summary>
    public double Utilisation => WriteRate / ReplayRate;

    /// <summary>The queue model's drain time, B/(μ − λ) (<see cref="LagTheory.DrainTime"/>); infinite when
    /// λ ≥ μ (the backlog never drains).</summary>
    public double PredictedDrainMs => Predict(ReplayRate);

    /// <summary>
    /// The model's drain time with μ at the fastest and at the slowest calibration, widened by two of the
    /// slowest poll round trips (the drain's end is seen one poll late at worst, its start one poll early):
    /// the band the measured drain must fall in if replay ran at a rate this machine showed within the run.
    /// </summary>
    public (double Low, double High) PredictedDrainBandMs =>
        (Predict(Calibrations.Max(c => c.ReplayRate)) - 2 * PollMs,
         Predict(Calibrations.Min(c => c.ReplayRate)) + 2 * PollMs);

    /// <summary>Share of the backlog the standby had already received at the last sample before the resume:
    /// 1 if the WAL receiver kept streaming while replay was paused, 0 if it had stopped with replay.</summary>
    public double ReceivedShareAtResume => Samples.Last(s => s.Paused) is var last && last.BacklogBytes > 0
        ? 1 - (double)last.UnreceivedBytes / last.BacklogBytes
        : 0;

    /// <summary>The queue model's backlog <paramref name="ms"/> after the burst began: growing at the writer's
    /// rate while replay is paused, then falling at μ − λ with μ the mean idle calibration.</summary>
    public double ModelBacklogBytes(double ms) => ms <= PauseMs
        ? BacklogBytes * Math.Max(0, ms) / PauseMs
        : Math.Max(0, BacklogBytes - (ReplayRate - WriteRate) * (ms - PauseMs) / 1_000);

    /// <summary>What the drain would take if the writes stopped at the resume, B/μ.</summary>
    public double DrainWithoutWritesMs => 1_000 * BacklogBytes / ReplayRate;

    private double Predict(double replayRate) => WriteRate < replayRate
        ? 1_000 * LagTheory.DrainTime(BacklogBytes, WriteRate, replayRate)
        : double.PositiveInfinity;
}

/// <summary>A backlog built with replay paused and drained with no writes: μ = bytes / time.</summary>
public sealed record Calibration(long BacklogBytes, double DrainMs)
{
    public double ReplayRate => BacklogBytes / (DrainMs / 1_000);
}

/// <summary>
/// Replication lag under a write burst on the real primary + streaming standby (registry service
/// <c>postgres-standby</c>), beside the queue model of <see cref="LagTheory"/>. Replay is paused while a
/// writer commits steadily, so a backlog of WAL builds that the standby has received but not applied; then
/// replay resumes while the writer keeps going, and the drain is timed. A calibration run first drains a
/// backlog with no writes to measure the replay rate μ. Uses the table nb03_burst (dropped at start and end)
/// and always resumes replay.
/// </summary>
public static class StandbyBurst
{
    public const string Table = "nb03_burst";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static StandbyBurstRun Run(NpgsqlConnection primary, NpgsqlConnection standby, TimeSpan pause,
        TimeSpan sampleEvery, double statementsPerSecond = 0)
    {
        Guard.NotNull(primary);
        Guard.NotNull(standby);
        Guard.That(pause >= TimeSpan.FromMilliseconds(50) && pause <= TimeSpan.FromSeconds(5),
            "pause must be in [50 ms, 5 s]", nameof(pause));
        Guard.That(sampleEvery >= TimeSpan.FromMilliseconds(5) && sampleEvery <= pause,
            "sampleEvery must be in [5 ms, pause]", nameof(sampleEvery));
        Guard.That(statementsPerSecond is >= 0 and <= 10_000,
            "statementsPerSecond must be in [0, 10 000] (0: as fast as the server takes them)",
            nameof(statementsPerSecond));
        // The calibration backlogs are built flat out: 200 ms gives megabytes, far above one poll's resolution.
        var calibration = TimeSpan.FromMilliseconds(Math.Min(200, pause.TotalMilliseconds));
        var writerConnection = new NpgsqlConnection(primary.ConnectionString);
        writerConnection.Open();
        StandbyControl.ResumeReplay(standby);
        Exec(primary, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (id bigserial, pad text)");
        using var writer = new Writer(writerConnection);
        try
        {
            CaughtUp(primary, standby);
            var calibrations = new List<Calibration> { Calibrate(primary, standby, writer, calibration) };
            // The burst: the writer keeps committing through the pause and the drain.
            var samples = new List<BacklogSample>();
            var clock = Stopwatch.StartNew();
            long backlog, maxUnreceived = 0;
            double drain, writeRate;
            writer.StatementsPerSecond = statementsPerSecond;
            writer.Run(true);
            using (StandbyControl.PauseReplay(standby))
            {
                while (clock.Elapsed < pause)
                {
                    var s = Sample(primary, standby, clock, paused: true);
                    samples.Add(s);
                    maxUnreceived = Math.Max(maxUnreceived, s.UnreceivedBytes);
                    Thread.Sleep(sampleEvery);
                }
                backlog = Backlog(primary, standby);
            }
            ulong lsnAtResume = StandbyControl.CurrentLsn(primary);
            drain = TimeToCatchUp(primary, standby, out ulong lsnAtCatchUp, samples, clock, out double pollMs);
            writer.Run(false);
            writer.StatementsPerSecond = 0;
            writeRate = (lsnAtCatchUp - lsnAtResume) / (drain / 1_000);
            calibrations.Add(Calibrate(primary, standby, writer, calibration));
            calibrations.Add(Calibrate(primary, standby, writer, calibration));
            return new StandbyBurstRun(pause.TotalMilliseconds, backlog, drain, writeRate, calibrations,
                pollMs, maxUnreceived, samples);
        }
        finally
        {
            writer.Run(false);
            StandbyControl.ResumeReplay(standby);
            Exec(primary, $"DROP TABLE IF EXISTS {Table}");
        }
    }

    /// <summary>A backlog built with replay paused, then drained with no writes: μ = B / T.</summary>
    private static Calibration Calibrate(NpgsqlConnection primary, NpgsqlConnection standby, Writer writer,
        TimeSpan pause)
    {
        long backlog;
        using (StandbyControl.PauseReplay(standby))
        {
            writer.Run(true);
            Thread.Sleep(pause);
            writer.Run(false);
            backlog = Backlog(primary, standby);
        }
        return new Calibration(backlog, TimeToCatchUp(primary, standby, out _, null, null, out _));
    }

    private static BacklogSample Sample(NpgsqlConnection primary, NpgsqlConnection standby, Stopwatch clock,
        bool paused)
    {
        ulong written = StandbyControl.CurrentLsn(primary);
        ulong received = StandbyControl.ReceiveLsn(standby), replayed = StandbyControl.ReplayLsn(standby);
        return new BacklogSample(clock.Elapsed.TotalMilliseconds, Gap(written, replayed), Gap(written, received),
            paused);
    }

    private static long Backlog(NpgsqlConnection primary, NpgsqlConnection standby) =>
        Gap(StandbyControl.CurrentLsn(primary), StandbyControl.ReplayLsn(standby));

    private static long Gap(ulong ahead, ulong behind) => ahead > behind ? (long)(ahead - behind) : 0;

    /// <summary>
    /// Milliseconds from now until the standby has replayed everything the primary had written when a poll
    /// began (the primary's LSN is read first, then the standby's): the end of the busy period.
    /// </summary>
    private static double TimeToCatchUp(NpgsqlConnection primary, NpgsqlConnection standby, out ulong lsn,
        List<BacklogSample>? samples, Stopwatch? clock, out double slowestPollMs)
    {
        var watch = Stopwatch.StartNew();
        slowestPollMs = 0;
        while (watch.Elapsed < Timeout)
        {
            double pollStart = watch.Elapsed.TotalMilliseconds;
            lsn = StandbyControl.CurrentLsn(primary);
            ulong replayed = StandbyControl.ReplayLsn(standby);
            slowestPollMs = Math.Max(slowestPollMs, watch.Elapsed.TotalMilliseconds - pollStart);
            if (samples is not null && clock is not null)
                samples.Add(new BacklogSample(clock.Elapsed.TotalMilliseconds, Gap(lsn, replayed), 0, false));
            if (replayed >= lsn) return watch.Elapsed.TotalMilliseconds;
            Thread.Sleep(1);
        }
        throw new TimeoutException($"the standby did not catch up within {Timeout.TotalSeconds:0} s");
    }

    private static void CaughtUp(NpgsqlConnection primary, NpgsqlConnection standby)
    {
        if (StandbyControl.WaitForReplay(standby, StandbyControl.CurrentLsn(primary), Timeout) is null)
            throw new TimeoutException($"the standby did not replay the table's creation within {Timeout.TotalSeconds:0} s");
    }

    private static void Exec(NpgsqlConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>A thread committing small insert transactions back to back while switched on.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly Thread _thread;
        private readonly ManualResetEventSlim _on = new(false);
        private volatile bool _stop;
        private int _busy; // 1 from checking the switch until the transaction committed
        private readonly Stopwatch _pace = new();
        private long _done;

        /// <summary>Statements per second while on; 0: as fast as the server takes them.</summary>
        public double StatementsPerSecond { get; set; }

        public Writer(NpgsqlConnection connection)
        {
            _connection = connection;
            // Each commit is flushed and shipped at once, so nothing waits for the WAL writer's timer.
            Exec(_connection, "SET synchronous_commit = local");
            _thread = new Thread(Loop) { IsBackground = true, Name = "nb03 burst writer" };
            _thread.Start();
        }

        /// <summary>Switches the writer on or off; off returns once its current transaction has committed.</summary>
        public void Run(bool on)
        {
            if (on) { _done = 0; _pace.Restart(); _on.Set(); return; }
            _on.Reset();
            var watch = Stopwatch.StartNew();
            while (Volatile.Read(ref _busy) == 1 && watch.Elapsed < Timeout) Thread.Sleep(1);
        }

        private void Loop()
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = $"INSERT INTO {Table} (pad) SELECT repeat('x', 200) FROM generate_series(1, 50)";
            while (!_stop)
            {
                Interlocked.Exchange(ref _busy, 1); // a full fence: the switch is read after this store
                if (!_on.IsSet)
                {
                    Volatile.Write(ref _busy, 0);
                    _on.Wait(50);
                    continue;
                }
                // Paced: statement n waits until n / StatementsPerSecond seconds since the writer was switched on.
                if (StatementsPerSecond > 0 && _done >= _pace.Elapsed.TotalSeconds * StatementsPerSecond)
                {
                    Volatile.Write(ref _busy, 0);
                    Thread.Sleep(1);
                    continue;
                }
                try { insert.ExecuteNonQuery(); _done++; }
                catch (NpgsqlException) when (_stop) { return; }
                finally { Volatile.Write(ref _busy, 0); }
            }
        }

        public void Dispose()
        {
            _stop = true;
            _on.Set();
            _thread.Join(Timeout);
            _connection.Dispose();
            _on.Dispose();
        }
    }
}
