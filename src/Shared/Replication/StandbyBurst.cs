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
    Calibration Before, Calibration After, long MaxUnreceivedBytes, IReadOnlyList<BacklogSample> Samples)
{
    /// <summary>μ: bytes replayed per second with nothing else written, the mean of the two calibrations.</summary>
    public double ReplayRate => (Before.ReplayRate + After.ReplayRate) / 2;

    /// <summary>ρ = λ/μ during the drain.</summary>
    public double Utilisation => WriteRate / ReplayRate;

    /// <summary>The queue model's drain time, B/(μ − λ) (<see cref="LagTheory.DrainTime"/>); infinite when
    /// λ ≥ μ (the backlog never drains).</summary>
    public double PredictedDrainMs => Predict(ReplayRate);

    /// <summary>The model's drain time with μ at the slower and at the faster calibration: how far the
    /// prediction moves with the replay rate this machine showed within the run.</summary>
    public (double Low, double High) PredictedDrainRangeMs =>
        (Predict(Math.Max(Before.ReplayRate, After.ReplayRate)), Predict(Math.Min(Before.ReplayRate, After.ReplayRate)));

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
        TimeSpan sampleEvery)
    {
        Guard.NotNull(primary);
        Guard.NotNull(standby);
        Guard.That(pause >= TimeSpan.FromMilliseconds(50) && pause <= TimeSpan.FromSeconds(5),
            "pause must be in [50 ms, 5 s]", nameof(pause));
        Guard.That(sampleEvery >= TimeSpan.FromMilliseconds(5) && sampleEvery <= pause,
            "sampleEvery must be in [5 ms, pause]", nameof(sampleEvery));
        var writerConnection = new NpgsqlConnection(primary.ConnectionString);
        writerConnection.Open();
        StandbyControl.ResumeReplay(standby);
        Exec(primary, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (id bigserial, pad text)");
        using var writer = new Writer(writerConnection);
        try
        {
            CaughtUp(primary, standby);
            var before = Calibrate(primary, standby, writer, pause);
            // The burst: the writer keeps committing through the pause and the drain.
            var samples = new List<BacklogSample>();
            var clock = Stopwatch.StartNew();
            long backlog, maxUnreceived = 0;
            double drain, writeRate;
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
            drain = TimeToCatchUp(primary, standby, out ulong lsnAtCatchUp, samples, clock);
            writer.Run(false);
            writeRate = (lsnAtCatchUp - lsnAtResume) / (drain / 1_000);
            var after = Calibrate(primary, standby, writer, pause);
            return new StandbyBurstRun(pause.TotalMilliseconds, backlog, drain, writeRate, before, after,
                maxUnreceived, samples);
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
        return new Calibration(backlog, TimeToCatchUp(primary, standby, out _));
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
        List<BacklogSample>? samples = null, Stopwatch? clock = null)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Timeout)
        {
            lsn = StandbyControl.CurrentLsn(primary);
            ulong replayed = StandbyControl.ReplayLsn(standby);
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

        public Writer(NpgsqlConnection connection)
        {
            _connection = connection;
            Exec(_connection, "SET synchronous_commit = off");
            _thread = new Thread(Loop) { IsBackground = true, Name = "nb03 burst writer" };
            _thread.Start();
        }

        /// <summary>Switches the writer on or off; off returns once its current transaction has committed.</summary>
        public void Run(bool on)
        {
            if (on) { _on.Set(); return; }
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
                try { insert.ExecuteNonQuery(); }
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
