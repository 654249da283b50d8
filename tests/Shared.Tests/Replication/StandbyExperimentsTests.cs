using SystemDesign.RealSystems;
using SystemDesign.Replication;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Replication;

/// <summary>Notebook 03's experiments on the real primary + streaming standby; skipped when either is down.</summary>
[Collection("real clusters")]
public sealed class StandbyExperimentsTests(Xunit.Abstractions.ITestOutputHelper log)
{
    // Every experiment drops its table at the end, also when it succeeded.
    private static void Dropped(Npgsql.NpgsqlConnection primary)
    {
        using var cmd = new Npgsql.NpgsqlCommand($"SELECT to_regclass('{StandbyExperiments.Table}') IS NULL", primary);
        Assert.True((bool)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void Arguments_are_validated()
    {
        Assert.Throws<ArgumentNullException>(() => StandbyExperiments.StaleReadWhilePaused(null!, null!));
        Assert.Throws<ArgumentNullException>(() => StandbyExperiments.ReadYourWrites(null!, null!, 10));
    }

    [SkippableFact]
    public void A_standby_read_is_stale_while_replay_is_paused_and_current_after_resume()
    {
        using var primary = RealSystem.RequirePostgres();
        using var standby = RealSystem.RequirePostgresStandby();
        var r = StandbyExperiments.StaleReadWhilePaused(primary, standby);
        Assert.True(r.ReceivedWhilePaused);
        Assert.Equal(r.OldValue, r.ReadWhilePaused);
        Assert.True(r.UnreplayedBytes > 0);
        Assert.Equal(r.NewValue, r.ReadAfterResume);
        Assert.Equal("not paused", r.PauseStateAfter);
        Assert.Equal((1L, 2L), (r.OldValue, r.NewValue));
        Assert.InRange(r.CatchUp, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Dropped(primary);
    }

    [SkippableFact]
    public void On_returns_while_replay_is_paused_and_remote_apply_waits_for_the_resume()
    {
        using var primary = RealSystem.RequirePostgres();
        using var standby = RealSystem.RequirePostgresStandby();
        var hold = TimeSpan.FromMilliseconds(300);
        var r = StandbyExperiments.SynchronousCommitsWhilePaused(primary, standby, hold);
        Assert.Equal("sync", r.SyncState);
        Assert.True(r.OnCommit < hold, $"on took {r.OnCommit}");
        Assert.Equal(1L, r.StandbyReadAfterOn);
        Assert.False(r.RemoteApplyDoneWhilePaused);
        Assert.True(r.RemoteApplyCommit >= r.PauseHeld, $"{r.RemoteApplyCommit} < {r.PauseHeld}");
        Assert.Equal(r.RemoteApplyWritten, r.StandbyReadAfterRemoteApply);
        Assert.Equal("async", r.SyncStateAfter);
        Assert.Equal((2L, 3L), (r.OnWritten, r.RemoteApplyWritten));
        // Task.Wait(hold) counts on a millisecond tick and may return up to a tick or two before the stopwatch.
        Assert.True(r.PauseHeld >= hold - TimeSpan.FromMilliseconds(5), $"held {r.PauseHeld}");
        Dropped(primary);
        Assert.Throws<ArgumentException>(() => StandbyExperiments.SynchronousCommitsWhilePaused(primary, standby, TimeSpan.Zero));
    }

    [SkippableFact]
    public void Waiting_for_the_commit_lsn_removes_stale_reads()
    {
        using var primary = RealSystem.RequirePostgres();
        using var standby = RealSystem.RequirePostgresStandby();
        var r = StandbyExperiments.ReadYourWrites(primary, standby, 100);
        Assert.Equal(0, r.StaleWithWait);
        Assert.Equal(0, r.TimedOut);
        Assert.Equal(100, r.Waits.Count);
        Assert.InRange(r.StaleWithoutWait, 0, 100);
        Assert.Equal(100, r.Writes);
        Assert.True(r.MeanWaitMs <= r.MaxWaitMs && r.MaxWaitMs < 5000, $"{r.MeanWaitMs} / {r.MaxWaitMs} ms");
        Dropped(primary);
        Assert.All(r.Waits, w => Assert.InRange(w, TimeSpan.Zero, TimeSpan.FromSeconds(5)));
    }

    [SkippableFact]
    public void The_slot_retains_the_wal_written_while_the_standby_is_stopped()
    {
        using var primary = RealSystem.RequirePostgres();
        using var standby = RealSystem.RequirePostgresStandby();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = StandbyExperiments.SlotRetentionWhileStopped(primary, standby, 20_000);
        log.WriteLine($"{r} in {watch.Elapsed}");
        Assert.True(r.RetainedWhileStopped >= r.WalWritten, $"{r.RetainedWhileStopped} < {r.WalWritten}");
        Assert.True(r.RetainedAfter < r.WalWritten, $"{r.RetainedAfter} ≥ {r.WalWritten}");
        Assert.True(r.RetainedBefore < r.WalWritten, $"{r.RetainedBefore} ≥ {r.WalWritten}");
        Assert.True(r.WalWritten > 20_000 * 60, $"{r.WalWritten} bytes for 20,000 rows");
        Assert.True(r.Stopped > TimeSpan.Zero && r.Stopped < TimeSpan.FromSeconds(20), $"stopped {r.Stopped}");
        Assert.True(r.CatchUp >= TimeSpan.Zero && r.SlotReleased >= TimeSpan.Zero);
        Dropped(primary);
        Assert.True(Services.WaitHealthy("postgres-standby", TimeSpan.FromSeconds(30)));
    }
}
