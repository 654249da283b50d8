using System.Diagnostics;
using Npgsql;
using SystemDesign.RealSystems;

namespace SystemDesign.Replication;

/// <summary>A read on the standby right after a commit on the primary, with replay paused and after it resumed.</summary>
/// <param name="OldValue">The row's value the standby had replayed before the experiment.</param>
/// <param name="NewValue">The value the primary committed while replay was paused.</param>
/// <param name="ReadWhilePaused">What a standby read returned right after that commit, replay paused.</param>
/// <param name="ReceivedWhilePaused">Whether the standby had received (flushed) the commit's WAL when it was read.</param>
/// <param name="UnreplayedBytes">Commit LSN minus the standby's replay LSN at that read: WAL received, not applied.</param>
/// <param name="ReadAfterResume">What a standby read returned once replay resumed and reached the commit.</param>
/// <param name="CatchUp">From resuming replay until the standby had replayed the commit.</param>
/// <param name="PauseStateAfter">pg_get_wal_replay_pause_state() at the end ("not paused" when healthy).</param>
public sealed record PausedReplayRead(long OldValue, long NewValue, long ReadWhilePaused, bool ReceivedWhilePaused,
    long UnreplayedBytes, long ReadAfterResume, TimeSpan CatchUp, string PauseStateAfter);

/// <summary>Commits on the primary with the standby synchronous and its replay paused.</summary>
/// <param name="SyncState">pg_stat_replication.sync_state while synchronous ("sync").</param>
/// <param name="OnCommit">How long a commit under synchronous_commit = on took, replay paused.</param>
/// <param name="OnWritten">The value that commit wrote.</param>
/// <param name="StandbyReadAfterOn">What a standby read returned right after that commit.</param>
/// <param name="PauseHeld">From starting the remote_apply commit until the experiment sent pg_wal_replay_resume().</param>
/// <param name="RemoteApplyDoneWhilePaused">Whether the remote_apply commit returned before replay resumed.</param>
/// <param name="RemoteApplyCommit">How long the remote_apply commit took, from its start until it returned.</param>
/// <param name="StandbyReadAfterRemoteApply">What a standby read returned right after the remote_apply commit returned.</param>
/// <param name="RemoteApplyWritten">The value the remote_apply commit wrote.</param>
/// <param name="SyncStateAfter">sync_state after the experiment undid synchronous_standby_names ("async").</param>
public sealed record SynchronousPausedCommits(string SyncState, TimeSpan OnCommit, long OnWritten, long StandbyReadAfterOn,
    TimeSpan PauseHeld, bool RemoteApplyDoneWhilePaused, TimeSpan RemoteApplyCommit, long StandbyReadAfterRemoteApply,
    long RemoteApplyWritten, string SyncStateAfter);

/// <summary>Writes on the primary, each read back at once on the standby, with and without waiting for the commit's LSN.</summary>
/// <param name="Writes">Writes per pass.</param>
/// <param name="StaleWithoutWait">Reads, issued right after the commit returned, that missed it.</param>
/// <param name="StaleWithWait">Reads issued after pg_last_wal_replay_lsn() reached the commit's LSN that missed it.</param>
/// <param name="Waits">How long each LSN wait took (the lag, charged as read latency).</param>
/// <param name="TimedOut">LSN waits that hit their timeout (the read then went ahead and counts if stale).</param>
public sealed record ReadYourWritesOnStandby(int Writes, int StaleWithoutWait, int StaleWithWait, IReadOnlyList<TimeSpan> Waits,
    int TimedOut)
{
    public double MeanWaitMs => Waits.Count == 0 ? 0 : Waits.Average(w => w.TotalMilliseconds);
    public double MaxWaitMs => Waits.Count == 0 ? 0 : Waits.Max(w => w.TotalMilliseconds);
}

/// <summary>WAL the primary keeps for the standby's replication slot while the standby is stopped.</summary>
/// <param name="RetainedBefore">Slot-retained bytes before the stop (the standby had confirmed almost everything).</param>
/// <param name="WalWritten">WAL the primary wrote while the standby was stopped (server LSN difference).</param>
/// <param name="RetainedWhileStopped">Slot-retained bytes at the end of the stop.</param>
/// <param name="RetainedAfter">Slot-retained bytes once the standby ran again and caught up.</param>
/// <param name="CatchUp">From resuming the standby until it had replayed everything written meanwhile.</param>
/// <param name="Stopped">How long the standby was stopped.</param>
/// <param name="SlotReleased">From the catch-up until the slot's restart_lsn had moved past the stop's WAL.</param>
public sealed record SlotRetention(long RetainedBefore, long WalWritten, long RetainedWhileStopped, long RetainedAfter,
    TimeSpan CatchUp, TimeSpan Stopped, TimeSpan SlotReleased);

/// <summary>
/// Experiments on the registry's real PostgreSQL primary and streaming standby (services <c>postgres</c> and
/// <c>postgres-standby</c>), for notebook 03: stale reads while replay is paused, what a synchronous standby's
/// <c>synchronous_commit</c> levels wait for, read-your-writes by LSN, and a replication slot's WAL retention.
/// Each uses the table nb03_standby (dropped at start and end) and undoes what it changed (replay resumed,
/// asynchronous replication restored, a paused standby resumed), also when it throws.
/// </summary>
public static class StandbyExperiments
{
    public const string Table = "nb03_standby";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Commits a new value with replay paused, reads it on the standby, resumes, reads again.</summary>
    public static PausedReplayRead StaleReadWhilePaused(NpgsqlConnection primary, NpgsqlConnection standby)
    {
        Guard.NotNull(primary);
        Guard.NotNull(standby);
        Reset(primary, standby);
        try
        {
            long unreplayed;
            bool received;
            long whilePaused;
            ulong lsn;
            using (StandbyControl.PauseReplay(standby))
            {
                Exec(primary, $"UPDATE {Table} SET v = 2 WHERE id = 1");
                lsn = StandbyControl.CurrentLsn(primary);
                received = WaitUntil(() => StandbyControl.ReceiveLsn(standby) >= lsn, Timeout);
                whilePaused = Read(standby);
                unreplayed = (long)lsn - (long)StandbyControl.ReplayLsn(standby);
            }
            var catchUp = StandbyControl.WaitForReplay(standby, lsn, Timeout)
                ?? throw new TimeoutException($"the standby did not replay the commit within {Timeout.TotalSeconds:0} s of resuming");
            return new PausedReplayRead(1, 2, whilePaused, received, unreplayed, Read(standby), catchUp,
                StandbyControl.ReplayPauseState(standby));
        }
        finally
        {
            StandbyControl.ResumeReplay(standby);
            Exec(primary, $"DROP TABLE IF EXISTS {Table}");
        }
    }

    /// <summary>
    /// Makes the standby synchronous and pauses its replay. Commits once under synchronous_commit = on and
    /// reads the standby; then starts a remote_apply commit on a second connection (a background task), holds
    /// the pause for <paramref name="hold"/>, resumes replay and times the commit. Restores asynchronous
    /// replication at the end.
    /// </summary>
    public static SynchronousPausedCommits SynchronousCommitsWhilePaused(NpgsqlConnection primary, NpgsqlConnection standby,
        TimeSpan hold)
    {
        Guard.NotNull(primary);
        Guard.NotNull(standby);
        Guard.That(hold >= TimeSpan.FromMilliseconds(50) && hold <= TimeSpan.FromSeconds(5), "hold must be in [50 ms, 5 s]",
            nameof(hold));
        Reset(primary, standby);
        using var writer = new NpgsqlConnection(primary.ConnectionString);
        writer.Open();
        try
        {
            string syncState;
            TimeSpan onCommit, held, applyCommit = TimeSpan.Zero;
            long afterOn, afterApply;
            bool doneWhilePaused;
            using (StandbyControl.SynchronousStandby(primary))
            {
                if (!WaitUntil(() => StandbyControl.Replication(primary)?.SyncState == "sync", Timeout))
                    throw new TimeoutException("the standby did not become synchronous");
                syncState = StandbyControl.Replication(primary)!.SyncState;
                Task commit;
                using (StandbyControl.PauseReplay(standby))
                {
                    StandbyControl.SetSynchronousCommit(writer, "on");
                    var watch = Stopwatch.StartNew();
                    Exec(writer, $"UPDATE {Table} SET v = 2 WHERE id = 1");
                    onCommit = watch.Elapsed;
                    afterOn = Read(standby);

                    StandbyControl.SetSynchronousCommit(writer, "remote_apply");
                    var applyWatch = Stopwatch.StartNew();
                    commit = Task.Run(() =>
                    {
                        Exec(writer, $"UPDATE {Table} SET v = 3 WHERE id = 1");
                        applyCommit = applyWatch.Elapsed;
                    });
                    doneWhilePaused = commit.Wait(hold);
                    // Resume on this connection (the handle's undo opens a new one, which takes time).
                    held = applyWatch.Elapsed;
                    StandbyControl.ResumeReplay(standby);
                }
                // Replay resumed (the pause handle is disposed): the commit must return now.
                if (!commit.Wait(Timeout))
                    throw new TimeoutException($"the remote_apply commit did not return within {Timeout.TotalSeconds:0} s of resuming replay");
                afterApply = Read(standby);
            }
            if (!WaitUntil(() => StandbyControl.Replication(primary)?.SyncState == "async", Timeout))
                throw new TimeoutException("the standby did not return to asynchronous");
            return new SynchronousPausedCommits(syncState, onCommit, 2, afterOn, held, doneWhilePaused, applyCommit, afterApply, 3,
                StandbyControl.Replication(primary)!.SyncState);
        }
        finally
        {
            StandbyControl.ResumeReplay(standby);
            Exec(primary, $"DROP TABLE IF EXISTS {Table}");
        }
    }

    /// <summary>
    /// Two passes of <paramref name="writes"/> single-row commits on the primary, each followed by a read of the
    /// row on the standby: the first reads at once (the next statement after the commit), the second first waits until the standby has replayed the
    /// commit's LSN (pg_last_wal_replay_lsn() &gt;= pg_current_wal_lsn() taken after the commit). Counts stale reads.
    /// </summary>
    public static ReadYourWritesOnStandby ReadYourWrites(NpgsqlConnection primary, NpgsqlConnection standby, int writes,
        double waitTimeoutSeconds = 5)
    {
        Guard.NotNull(primary);
        Guard.NotNull(standby);
        Guard.InRange(writes, 1, 10_000);
        Guard.InRange(waitTimeoutSeconds, 0.01, 60);
        Reset(primary, standby);
        try
        {
            int staleAtOnce = 0, staleAfterWait = 0, timedOut = 0;
            var waits = new List<TimeSpan>(writes);
            long value = 1;
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i < writes; i++)
                {
                    value++;
                    Exec(primary, $"UPDATE {Table} SET v = {value} WHERE id = 1");
                    if (pass == 1)
                    {
                        ulong lsn = StandbyControl.CurrentLsn(primary);
                        var waited = StandbyControl.WaitForReplay(standby, lsn, TimeSpan.FromSeconds(waitTimeoutSeconds));
                        if (waited is { } w) waits.Add(w);
                        else timedOut++;
                    }
                    if (Read(standby) != value)
                    {
                        if (pass == 0) staleAtOnce++;
                        else staleAfterWait++;
                    }
                }
            return new ReadYourWritesOnStandby(writes, staleAtOnce, staleAfterWait, waits, timedOut);
        }
        finally
        {
            Exec(primary, $"DROP TABLE IF EXISTS {Table}");
        }
    }

    /// <summary>
    /// Stops the standby (SIGSTOP to its server processes, <see cref="Faults.Pause"/>), writes about
    /// <paramref name="rows"/> × 60 bytes of WAL on the primary, and reads how much WAL the standby's replication
    /// slot makes the primary keep; resumes the standby, waits until it has replayed everything and reads the
    /// slot again. The pause ends at the latest after 20 s, whatever happens.
    /// </summary>
    public static SlotRetention SlotRetentionWhileStopped(NpgsqlConnection primary, NpgsqlConnection standby, int rows)
    {
        Guard.NotNull(primary);
        Guard.NotNull(standby);
        Guard.InRange(rows, 100, 1_000_000);
        Reset(primary, standby);
        try
        {
            long before = StandbyControl.SlotRetainedBytes(primary);
            ulong start, end;
            long whileStopped;
            TimeSpan stopped;
            using (var pause = Faults.Pause("postgres-standby", "standby", TimeSpan.FromSeconds(20)))
            {
                start = StandbyControl.CurrentLsn(primary);
                Exec(primary, $"INSERT INTO {Table} SELECT g, g FROM generate_series(2, {rows + 1}) g");
                end = StandbyControl.CurrentLsn(primary);
                whileStopped = StandbyControl.SlotRetainedBytes(primary);
                stopped = pause.Elapsed;
            }
            var catchUp = StandbyControl.WaitForReplay(standby, end, Timeout)
                ?? throw new TimeoutException($"the standby did not catch up within {Timeout.TotalSeconds:0} s of resuming");
            long written = (long)(end - start);
            // The slot advances when the standby reports its flush position: wait for that report.
            var released = Stopwatch.StartNew();
            WaitUntil(() => StandbyControl.SlotRetainedBytes(primary) < written, Timeout);
            return new SlotRetention(before, written, whileStopped, StandbyControl.SlotRetainedBytes(primary), catchUp,
                stopped, released.Elapsed);
        }
        finally
        {
            Exec(primary, $"DROP TABLE IF EXISTS {Table}");
        }
    }

    private static void Reset(NpgsqlConnection primary, NpgsqlConnection standby)
    {
        StandbyControl.ResumeReplay(standby);
        Exec(primary, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (id int PRIMARY KEY, v bigint NOT NULL)");
        Exec(primary, $"INSERT INTO {Table} VALUES (1, 1)");
        if (StandbyControl.WaitForReplay(standby, StandbyControl.CurrentLsn(primary), Timeout) is null)
            throw new TimeoutException($"the standby did not replay the table's creation within {Timeout.TotalSeconds:0} s");
    }

    private static long Read(NpgsqlConnection standby)
    {
        using var cmd = standby.CreateCommand();
        cmd.CommandText = $"SELECT v FROM {Table} WHERE id = 1";
        return (long)cmd.ExecuteScalar()!;
    }

    private static void Exec(NpgsqlConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed >= timeout) return false;
            Thread.Sleep(2);
        }
        return true;
    }
}
