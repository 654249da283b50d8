using SystemDesign.Locking;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Locking;

public sealed class DistributedLockTests
{
    [Fact]
    public void Virtual_lock_service_has_set_nx_px_semantics()
    {
        var s = new VirtualLockService();
        Assert.True(s.TryAcquire("k", "a", 100, 0));
        Assert.False(s.TryAcquire("k", "b", 100, 50));
        Assert.False(s.Release("k", "b", 60));
        Assert.Equal("a", s.Holder("k", 99.9));
        Assert.Null(s.Holder("k", 100));
        Assert.True(s.TryAcquire("k", "b", 100, 100));
        Assert.False(s.Release("k", "a", 120)); // a's lock expired: its release must not delete b's
        Assert.True(s.Release("k", "b", 120));
    }

    [Theory]
    [InlineData(35_000, true)]
    [InlineData(10_000, false)]
    [InlineData(28_000, false)]
    [InlineData(29_000, true)] // wakes exactly at expiry: B gets the lock at 30 000 ms, A releases 1 ms later
    [InlineData(29_500, true)]
    public void A_pause_longer_than_the_remaining_lease_makes_two_holders(double pauseMs, bool twoHolders)
    {
        // A works 1 s, pauses, wakes and releases 1 ms later; B retries every ms and holds 5 ms.
        var r = PausedHolder.Run(30_000, pauseMs, fencing: true, workBeforePauseMs: 1000);
        Assert.Equal(twoHolders, r.TwoHolders);
        Assert.Equal(Math.Max(0, Math.Min(1000 + pauseMs + 1, r.BAcquiredAtMs + 5) - r.BAcquiredAtMs), r.OverlapMs, 6);
        // With fencing the stale write (A's, after B's) is rejected and B's value stays.
        bool aWroteAfterB = 1000 + pauseMs > r.BAcquiredAtMs + 0.5;
        Assert.Equal(!aWroteAfterB, r.StaleWrite.Accepted);
        Assert.Equal(aWroteAfterB ? "B" : "B", r.FinalValue);
    }

    [Fact]
    public void Without_fencing_the_paused_holder_overwrites_the_new_holder()
    {
        var fenced = PausedHolder.Run(30_000, 35_000, fencing: true, workBeforePauseMs: 1000);
        var unfenced = PausedHolder.Run(30_000, 35_000, fencing: false, workBeforePauseMs: 1000);
        Assert.Equal(("B", "A"), (fenced.FinalValue, unfenced.FinalValue));
        Assert.True(fenced.TokenB > fenced.TokenA);
        long next = 40;
        var fromCounter = PausedHolder.Run(100, 200, true, () => ++next);
        Assert.Equal((41, 42), (fromCounter.TokenA, fromCounter.TokenB));
        Assert.Throws<ArgumentOutOfRangeException>(() => PausedHolder.Run(0, 1, true));
    }

    [Fact]
    public void Redlock_arithmetic()
    {
        Assert.Equal([1, 2, 2, 3, 3, 4], Enumerable.Range(1, 6).Select(Redlock.Quorum));
        Assert.Equal(102, Redlock.DriftMs(10_000));
        Assert.Equal(10_000 - 30 - 102, Redlock.ValidityMs(10_000, 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => Redlock.Quorum(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Redlock.DriftMs(100, 2));
    }

    [Fact]
    public void Redlock_needs_a_majority_and_positive_validity()
    {
        var r = new Redlock(5);
        var ok = r.TryAcquire("A", "res", "a", 10_000, 0);
        Assert.True(ok.Acquired);
        Assert.Equal(5, ok.LockedNodes.Count);
        Assert.Equal(5, ok.ElapsedMs); // 1 ms per instance
        Assert.Equal(10_000 - 5 - 102, ok.ValidityMs);
        Assert.False(r.TryAcquire("B", "res", "b", 10_000, 10).Acquired);
        r.Release("res", "a", 20);

        var down = new Redlock(5);
        down.SetDown(0, true);
        down.SetDown(1, true);
        Assert.True(down.TryAcquire("A", "res", "a", 10_000, 0).Acquired);
        down.Release("res", "a", 1);
        down.SetDown(2, true);
        var minority = down.TryAcquire("A", "res", "a", 10_000, 0);
        Assert.False(minority.Acquired);
        Assert.Null(down.Holder(3, "res", 20)); // a failed attempt unlocks what it got

        var slow = new Redlock(5, requestTimeoutMs: 50);
        for (int i = 0; i < 5; i++) slow.SetLatency(i, 30);
        var late = slow.TryAcquire("A", "res", "a", 150, 0); // 150 ms elapsed, drift 3.5 ms
        Assert.Equal(5, late.LockedNodes.Count);
        Assert.False(late.Acquired);
        Assert.True(late.ValidityMs <= 0);
    }

    [Fact]
    public void A_request_slower_than_the_timeout_counts_as_failed()
    {
        var r = new Redlock(5, requestTimeoutMs: 50);
        r.SetLatency(0, 2_000);
        r.SetLatency(1, 60);
        var two = r.TryAcquire("A", "res", "a", 10_000, 0);
        Assert.True(two.Acquired); // 3 of 5 answered in time
        Assert.Equal([2, 3, 4], two.LockedNodes);
        Assert.Equal([0, 1], two.TimedOutNodes);
        Assert.Equal(50 + 50 + 3, two.ElapsedMs); // the client waited 50 ms for each slow one, not 2 s
        r.Release("res", "a", 200);
        r.SetLatency(2, 51);
        var three = r.TryAcquire("A", "res", "a", 10_000, 300);
        Assert.False(three.Acquired);
        Assert.Equal(3, three.TimedOutNodes!.Count);
        Assert.All(Enumerable.Range(0, 5), i => Assert.Null(r.Holder(i, "res", 500))); // released everywhere
        Assert.Throws<ArgumentOutOfRangeException>(() => new Redlock(5, requestTimeoutMs: 0));
    }

    [Fact]
    public void Clock_rates_move_expiry_and_drift_within_rho_is_safe()
    {
        var r = new Redlock(1);
        r.SetClockRate(0, 1.25);
        r.TryAcquire("A", "res", "a", 1_000, 0);
        Assert.Equal(800, r.ExpiresAtMs(0, "res")!.Value, 9); // a 25% fast clock ends a 1 s TTL at 0.8 s
        Assert.Equal("a", r.Holder(0, "res", 799));
        Assert.Null(r.Holder(0, "res", 800));
        Assert.Null(r.ExpiresAtMs(0, "other"));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.SetClockRate(0, 0));

        var safe = Redlock.DriftTrial(500, actualDrift: 0.01, seed: 3);
        Assert.True(safe.Acquired > 400);
        Assert.Equal(0, safe.EarlyExpiries);
        Assert.True(safe.WorstMarginMs >= 0);
        var unsafeRuns = Redlock.DriftTrial(500, actualDrift: 0.03, seed: 3);
        Assert.True(unsafeRuns.EarlyExpiries > 0);
        Assert.True(unsafeRuns.WorstMarginMs < 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => Redlock.DriftTrial(0, 0.01));
    }

    [Fact]
    public void A_clock_jump_or_a_restart_without_persistence_gives_two_majorities()
    {
        foreach (var fault in new[] { "jump", "restart", "delayed restart" })
        {
            var r = new Redlock(5);
            r.Partition("A", 3, 4);
            r.Partition("B", 0, 1);
            var a = r.TryAcquire("A", "res", "a", 10_000, 0);
            if (fault == "jump") r.JumpClock(2, 100, 20_000);
            else r.Restart(2, 100, fault == "restart" ? 0 : 10_000);
            var b = r.TryAcquire("B", "res", "b", 10_000, 200);
            Assert.True(a.Acquired);
            Assert.Equal(fault != "delayed restart", b.Acquired);
        }
    }

    [Fact]
    public void Split_brain_scenarios()
    {
        foreach (int n in new[] { 1, 3, 5, 7 })
        {
            Assert.False(Redlock.SplitBrain(n, RedlockFault.None).TwoHolders);
            Assert.True(Redlock.SplitBrain(n, RedlockFault.RestartWithoutPersistence).TwoHolders);
            Assert.True(Redlock.SplitBrain(n, RedlockFault.ClockJump).TwoHolders);
            Assert.False(Redlock.SplitBrain(n, RedlockFault.DelayedRestart).TwoHolders);
        }
        var five = Redlock.SplitBrain(5, RedlockFault.ClockJump);
        Assert.Equal([0, 1, 2], five.A.LockedNodes);
        Assert.Equal([2, 3, 4], five.B.LockedNodes);
        Assert.Throws<ArgumentOutOfRangeException>(() => Redlock.SplitBrain(0, RedlockFault.None));
    }

    [SkippableFact]
    public void Release_races_on_the_real_server()
    {
        using var redis = RealSystem.RequireRedis();
        var l = new RedisLock(redis.GetDatabase(), "nb06:test:races");
        var rows = l.ReleaseRaces(TimeSpan.FromMilliseconds(20), new Random(3));
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(r.Release.StartsWith("Lua"), r.BStillHoldsLock));
        Assert.All(rows, r => Assert.Equal(!r.BStillHoldsLock, r.ADeletedAKey));
        Assert.Null(l.Holder());
    }

    [SkippableFact]
    public void Redis_lock_on_the_real_server()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        var l = new RedisLock(db, "nb06:test:lock");
        l.Clear();
        try
        {
            string a = RedisLock.NewToken(new Random(1)), b = RedisLock.NewToken(new Random(2));
            Assert.Equal(32, a.Length);
            Assert.NotEqual(a, RedisLock.NewToken());
            Assert.True(l.TryAcquire(a, TimeSpan.FromSeconds(30)));
            Assert.False(l.TryAcquire(b, TimeSpan.FromSeconds(30)));
            Assert.InRange(l.TimeToLive()!.Value.TotalMilliseconds, 1, 30_000);
            Assert.False(l.Release(b));
            Assert.Equal(a, l.Holder());
            Assert.True(l.Extend(a, TimeSpan.FromSeconds(60)));
            Assert.False(l.Extend(b, TimeSpan.FromSeconds(60)));
            Assert.True(l.Release(a));
            Assert.Null(l.Holder());
            Assert.True(l.TryAcquire(b, TimeSpan.FromSeconds(30)));
            Assert.True(l.UnsafeRelease()); // deletes b's lock without asking whose it is
            long t1 = l.NextFencingToken(), t2 = l.NextFencingToken();
            Assert.Equal(t1 + 1, t2);
            Assert.Throws<ArgumentOutOfRangeException>(() => l.TryAcquire(a, TimeSpan.Zero));
            Assert.Throws<ArgumentException>(() => l.Release(""));
        }
        finally
        {
            l.Clear();
        }
    }
}
