using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace SystemDesign.RealSystems;

/// <summary>One row of the primary's pg_stat_replication for the standby.</summary>
public sealed record ReplicationRow(string ApplicationName, string State, string SyncState, ulong SentLsn, ulong WriteLsn,
    ulong FlushLsn, ulong ReplayLsn, TimeSpan? WriteLag, TimeSpan? FlushLag, TimeSpan? ReplayLag);

/// <summary>
/// The PostgreSQL primary/standby pair of the registry (services <c>postgres</c> and <c>postgres-standby</c>):
/// switching the standby synchronous for one experiment, pausing and resuming replay on the standby, reading
/// LSNs and waiting for the standby to replay a commit (read-your-writes). The standby's application_name
/// is <see cref="StandbyName"/>. Everything an experiment changes on the primary is undone by disposing the
/// handle it got, and <c>services.sh start postgres</c> clears a synchronous setting left behind.
/// </summary>
public static class StandbyControl
{
    /// <summary>The standby's application_name (and its replication slot's name).</summary>
    public const string StandbyName = "sdn_standby";

    /// <summary>Makes the standby synchronous on the primary (synchronous_standby_names = 'sdn_standby', by
    /// ALTER SYSTEM and a reload) until the handle is disposed, which restores asynchronous replication.
    /// Commits then wait as their session's synchronous_commit says (see <see cref="SetSynchronousCommit"/>).</summary>
    public static IDisposable SynchronousStandby(NpgsqlConnection primary)
    {
        Guard.NotNull(primary);
        Exec(primary, $"ALTER SYSTEM SET synchronous_standby_names = '{StandbyName}'");
        Exec(primary, "SELECT pg_reload_conf()");
        WaitFor(() => Scalar<string>(primary, "SHOW synchronous_standby_names") == StandbyName, TimeSpan.FromSeconds(5),
            "the primary did not load synchronous_standby_names");
        // A commit waits only once the checkpointer has read the new setting too (it sets the shared flag that
        // commits test, WalSndCtl->sync_standbys_defined); under load it can lag the reload, and then a commit
        // returns at once. It handles a pending reload before it runs a requested checkpoint.
        Exec(primary, "CHECKPOINT");
        string cs = primary.ConnectionString;
        return new Undo(() =>
        {
            // A fresh connection: the experiment's may be broken or busy by now.
            using var c = new NpgsqlConnection(cs);
            c.Open();
            Exec(c, "ALTER SYSTEM RESET synchronous_standby_names");
            Exec(c, "SELECT pg_reload_conf()");
            WaitFor(() => Scalar<string>(c, "SHOW synchronous_standby_names") == "", TimeSpan.FromSeconds(5),
                "the primary did not reload synchronous_standby_names");
            Exec(c, "CHECKPOINT"); // as above: commits stop waiting once the checkpointer has the reset
        });
    }

    /// <summary>Sets this session's synchronous_commit: off, local, remote_write, on (remote flush) or remote_apply.</summary>
    public static void SetSynchronousCommit(NpgsqlConnection session, string level)
    {
        Guard.NotNull(session);
        Guard.That(level is "off" or "local" or "remote_write" or "on" or "remote_apply",
            $"unknown synchronous_commit level '{level}'", nameof(level));
        Exec(session, $"SET synchronous_commit = {level}");
    }

    /// <summary>Pauses WAL replay on the standby (pg_wal_replay_pause) until the handle is disposed; waits
    /// until the pause has taken effect. WAL still arrives and is flushed; it is just not applied.</summary>
    public static IDisposable PauseReplay(NpgsqlConnection standby)
    {
        Guard.NotNull(standby);
        Exec(standby, "SELECT pg_wal_replay_pause()");
        WaitFor(() => Scalar<string>(standby, "SELECT pg_get_wal_replay_pause_state()") == "paused", TimeSpan.FromSeconds(5),
            "replay did not pause");
        string cs = standby.ConnectionString;
        return new Undo(() =>
        {
            using var c = new NpgsqlConnection(cs);
            c.Open();
            Exec(c, "SELECT pg_wal_replay_resume()");
        });
    }

    /// <summary>Resumes replay on the standby (no effect when it is not paused).</summary>
    public static void ResumeReplay(NpgsqlConnection standby) => Exec(Guard.NotNull(standby), "SELECT pg_wal_replay_resume()");

    /// <summary>"not paused", "pause requested" or "paused".</summary>
    public static string ReplayPauseState(NpgsqlConnection standby) =>
        Scalar<string>(Guard.NotNull(standby), "SELECT pg_get_wal_replay_pause_state()");

    /// <summary>The primary's current WAL insert position (pg_current_wal_lsn), as a byte position.</summary>
    public static ulong CurrentLsn(NpgsqlConnection primary) =>
        (ulong)Scalar<NpgsqlLogSequenceNumber>(Guard.NotNull(primary), "SELECT pg_current_wal_lsn()");

    /// <summary>The last WAL position the standby replayed (pg_last_wal_replay_lsn).</summary>
    public static ulong ReplayLsn(NpgsqlConnection standby) =>
        (ulong)Scalar<NpgsqlLogSequenceNumber>(Guard.NotNull(standby), "SELECT pg_last_wal_replay_lsn()");

    /// <summary>The last WAL position the standby received and flushed (pg_last_wal_receive_lsn).</summary>
    public static ulong ReceiveLsn(NpgsqlConnection standby) =>
        (ulong)Scalar<NpgsqlLogSequenceNumber>(Guard.NotNull(standby), "SELECT pg_last_wal_receive_lsn()");

    /// <summary>Waits until the standby has replayed <paramref name="lsn"/> (read-your-writes: take the LSN after
    /// your commit, wait for it on the standby, then read). Returns how long that took, or null after the timeout.</summary>
    public static TimeSpan? WaitForReplay(NpgsqlConnection standby, ulong lsn, TimeSpan timeout)
    {
        Guard.NotNull(standby);
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(1),
            "timeout must be in (0, 1 min]", nameof(timeout));
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (ReplayLsn(standby) >= lsn) return watch.Elapsed;
            if (watch.Elapsed >= timeout) return null;
            Thread.Sleep(2);
        }
    }

    /// <summary>The primary's pg_stat_replication row for the standby, or null when it is not connected.</summary>
    public static ReplicationRow? Replication(NpgsqlConnection primary)
    {
        Guard.NotNull(primary);
        using var cmd = primary.CreateCommand();
        cmd.CommandText = "SELECT application_name, state, sync_state, sent_lsn, write_lsn, flush_lsn, replay_lsn, "
            + "write_lag, flush_lag, replay_lag FROM pg_stat_replication WHERE application_name = @name";
        cmd.Parameters.AddWithValue("name", StandbyName);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        ulong Lsn(int i) => r.IsDBNull(i) ? 0 : (ulong)r.GetFieldValue<NpgsqlLogSequenceNumber>(i);
        TimeSpan? Lag(int i) => r.IsDBNull(i) ? null : r.GetTimeSpan(i);
        return new ReplicationRow(r.GetString(0), r.GetString(1), r.GetString(2), Lsn(3), Lsn(4), Lsn(5), Lsn(6), Lag(7), Lag(8), Lag(9));
    }

    /// <summary>Bytes of WAL the primary keeps for the standby's slot (restart_lsn to the current position):
    /// grows while the standby is stopped.</summary>
    public static long SlotRetainedBytes(NpgsqlConnection primary) =>
        Scalar<long>(Guard.NotNull(primary), "SELECT COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint "
            + $"FROM pg_replication_slots WHERE slot_name = '{StandbyName}'");

    private static void Exec(NpgsqlConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static T Scalar<T>(NpgsqlConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new InvalidOperationException($"no row from: {sql}");
        return r.GetFieldValue<T>(0);
    }

    private static void WaitFor(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed >= timeout) throw new TimeoutException(what + $" within {timeout.TotalSeconds:0} s");
            Thread.Sleep(10);
        }
    }

    private sealed class Undo(Action undo) : IDisposable
    {
        private Action? _undo = undo;
        public void Dispose() => Interlocked.Exchange(ref _undo, null)?.Invoke();
    }
}
