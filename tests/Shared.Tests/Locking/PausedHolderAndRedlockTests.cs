using SystemDesign.Fencing;
using SystemDesign.Locking;

namespace SystemDesign.Tests.Locking;

/// <summary>The virtual-clock lock experiments read event by event, bar by bar, and attempt by attempt.</summary>
public sealed class PausedHolderAndRedlockTests
{
    [Fact]
    public void A_holder_paused_past_its_ttl_is_fenced_and_its_late_release_deletes_nothing()
    {
        var r = PausedHolder.Run(100, 200, fencing: true, workBeforePauseMs: 10);
        Assert.Equal(
        [
            new LeaseEvent(0, "A", "SET NX PX 100", "acquired, fencing token 1"),
            new LeaseEvent(10, "A", "process pauses (GC)", "for 200 ms"),
            new LeaseEvent(100, "B", "SET NX PX 100", "acquired, fencing token 2"),
            new LeaseEvent(100.5, "B", "writes with token 2", "accepted"),
            new LeaseEvent(105, "B", "release (compare-and-delete)", "released"),
            new LeaseEvent(210, "A", "wakes up, writes with token 1", "rejected: the store has seen token 2"),
            new LeaseEvent(211, "A", "release (compare-and-delete)", "not its lock any more: nothing deleted"),
        ], r.Events);
        Assert.Equal((100.0, 200.0, true, 1L, 2L, 100.0, 5.0, true, "B"),
            (r.TtlMs, r.PauseMs, r.Fencing, r.TokenA, r.TokenB, r.BAcquiredAtMs, r.OverlapMs, r.TwoHolders,
                r.FinalValue));
        Assert.Equal(new FencedWrite(false, 1, 2), r.StaleWrite);
        Assert.Equal(
        [
            new TimelineBar("A believes it holds", 0, 211, "believes it holds the lock"),
            new TimelineBar("A per the lock service", 0, 100, "holds per the lock service"),
            new TimelineBar("A running", 0, 10, "running"),
            new TimelineBar("A running", 210, 211, "running"),
            new TimelineBar("B believes it holds", 100, 105, "believes it holds the lock"),
            new TimelineBar("B per the lock service", 100, 105, "holds per the lock service"),
            new TimelineBar("B running", 100, 105, "running"),
        ], r.Bars);
        Assert.Equal(
        [
            new TimelineMark("A running", 210, "write #1", "write rejected", false),
            new TimelineMark("B running", 100.5, "write #2", "write accepted", true),
        ], r.Marks);

        var unfenced = PausedHolder.Run(100, 200, fencing: false, workBeforePauseMs: 10);
        Assert.Equal(("A", new FencedWrite(true, 1, 2)), (unfenced.FinalValue, unfenced.StaleWrite));
        Assert.Equal(new LeaseEvent(210, "A", "wakes up, writes with token 1", "accepted"), unfenced.Events[5]);
        Assert.Equal(new TimelineMark("A running", 210, "write #1", "write accepted", true), unfenced.Marks[0]);
    }

    [Fact]
    public void A_short_pause_releases_first_and_b_takes_the_lock_at_that_instant_without_overlap()
    {
        var r = PausedHolder.Run(100, 20, fencing: true, workBeforePauseMs: 10);
        Assert.Equal(
        [
            new LeaseEvent(0, "A", "SET NX PX 100", "acquired, fencing token 1"),
            new LeaseEvent(10, "A", "process pauses (GC)", "for 20 ms"),
            new LeaseEvent(30, "A", "wakes up, writes with token 1", "accepted"),
            new LeaseEvent(31, "A", "release (compare-and-delete)", "released"),
            new LeaseEvent(31, "B", "SET NX PX 100", "acquired, fencing token 2"),
            new LeaseEvent(31.5, "B", "writes with token 2", "accepted"),
            new LeaseEvent(36, "B", "release (compare-and-delete)", "released"),
        ], r.Events);
        Assert.Equal((31.0, 0.0, false, "B"), (r.BAcquiredAtMs, r.OverlapMs, r.TwoHolders, r.FinalValue));
        Assert.Equal(new FencedWrite(true, 1, 1), r.StaleWrite);
        Assert.Equal(new TimelineBar("A per the lock service", 0, 31, "holds per the lock service"), r.Bars[1]);
        Assert.Equal(new TimelineMark("A running", 30, "write #1", "write accepted", true), r.Marks[0]);
    }

    [Fact]
    public void A_token_source_that_goes_backwards_gets_the_new_holders_write_rejected()
    {
        long[] tokens = [10, 5];
        int next = 0;
        var r = PausedHolder.Run(100, 20, fencing: true, () => tokens[next++], workBeforePauseMs: 10);
        Assert.Equal((10L, 5L, "A"), (r.TokenA, r.TokenB, r.FinalValue));
        Assert.Equal(new LeaseEvent(31.5, "B", "writes with token 5", "rejected"), r.Events[5]);
        Assert.Equal(new TimelineMark("B running", 31.5, "write #5", "write accepted", true), r.Marks[1]);
    }

    [Fact]
    public void B_holding_past_its_own_ttl_finds_nothing_to_release()
    {
        var r = PausedHolder.Run(10, 50, fencing: true, workBeforePauseMs: 1, retryMs: 4, bHoldMs: 20);
        // B retries at 4, 8, 12: A's lease ended at 10.
        Assert.Equal(12, r.BAcquiredAtMs);
        Assert.Contains(new LeaseEvent(32, "B", "release (compare-and-delete)", "not its lock any more"), r.Events);
        Assert.Equal(new TimelineBar("A per the lock service", 0, 10, "holds per the lock service"), r.Bars[1]);
        Assert.Equal(20, r.OverlapMs); // A believes until 52, B from 12 to 32
    }

    [Fact]
    public void The_split_brain_attempts_lock_the_shared_instance_twice()
    {
        var five = Redlock.SplitBrain(5, RedlockFault.ClockJump);
        Assert.Equal((5, RedlockFault.ClockJump, true), (five.Instances, five.Fault, five.TwoHolders));
        // A asks 0, 1, 2 (1 ms each) and waits 5 ms for each of 3 and 4; B the same from t = 200.
        Assert.Equal(("A", true, 3, 0.0, 13.0, 102.0, 9885.0, 9898.0),
            (five.A.Client, five.A.Acquired, five.A.Quorum, five.A.StartMs, five.A.ElapsedMs, five.A.DriftMs,
                five.A.ValidityMs, five.A.ValidUntilMs));
        Assert.Equal(("B", true, 3, 200.0, 13.0, 9885.0),
            (five.B.Client, five.B.Acquired, five.B.Quorum, five.B.StartMs, five.B.ElapsedMs, five.B.ValidityMs));
        Assert.Empty(five.A.TimedOutNodes!);
        var delayed = Redlock.SplitBrain(5, RedlockFault.DelayedRestart);
        Assert.Equal([3, 4], delayed.B.LockedNodes);
        Assert.Equal(5 + 5 + 5 + 1 + 1, delayed.B.ElapsedMs); // 0, 1 cut off and 2 still down: three timeouts
        var none = Redlock.SplitBrain(3, RedlockFault.None, 300);
        Assert.Equal([0, 1], none.A.LockedNodes);
        Assert.Equal([2], none.B.LockedNodes); // 1 is still A's: one of three, and released again
        Assert.Equal((300 - 7 - 5.0, 5.0), (none.A.ValidityMs, none.A.DriftMs));
        var single = Redlock.SplitBrain(1, RedlockFault.RestartWithoutPersistence, 300);
        Assert.Equal([0], single.A.LockedNodes);
        Assert.Equal([0], single.B.LockedNodes);
    }

    [Fact]
    public void A_key_is_free_again_exactly_at_its_local_expiry_and_a_jump_counts_from_its_instant()
    {
        var r = new Redlock(1);
        Assert.Equal((1, 0.01, 5.0), (r.Count, r.DriftFactor, r.RequestTimeoutMs));
        var a = r.TryAcquire("A", "res", "a", 100, 0);
        Assert.Equal((true, 1.0, 96.0), (a.Acquired, a.ElapsedMs, a.ValidityMs)); // 100 − 1 − (1 + 2)
        Assert.False(r.TryAcquire("B", "res", "b", 100, 99).Acquired);
        Assert.Equal("a", r.Holder(0, "res", 99));
        Assert.True(r.TryAcquire("B", "res", "b", 100, 100).Acquired);
        Assert.Equal(("b", (string?)null), (r.Holder(0, "res", 199.9), r.Holder(0, "res", 200)));

        var j = new Redlock(1);
        j.TryAcquire("A", "res", "a", 1000, 0);
        j.JumpClock(0, 500, 600);
        Assert.Equal(("a", (string?)null), (j.Holder(0, "res", 499), j.Holder(0, "res", 500)));
        Assert.Equal(400, j.ExpiresAtMs(0, "res"));
        j.Release("res", "other", 0);
        Assert.NotNull(j.ExpiresAtMs(0, "res")); // someone else's token deletes nothing
        j.Release("res", "a", 0);
        Assert.Null(j.ExpiresAtMs(0, "res"));
    }

    [Fact]
    public void Restarts_stopped_instances_partitions_and_slow_answers_each_cost_what_they_should()
    {
        var r = new Redlock(1, requestTimeoutMs: 5);
        r.TryAcquire("A", "res", "a", 1000, 0);
        r.Restart(0, 100, 50);
        Assert.Null(r.Holder(0, "res", 100)); // restarted empty
        var early = r.TryAcquire("B", "res", "b", 1000, 149.5);
        Assert.Equal((false, 5.0), (early.Acquired, early.ElapsedMs));
        Assert.True(r.TryAcquire("B", "res", "b", 1000, 150).Acquired);

        var down = new Redlock(3, 0, 50);
        down.TryAcquire("A", "res", "a", 1000, 0);
        down.SetDown(0, true);
        down.SetDown(0, false);
        Assert.Equal("a", down.Holder(0, "res", 10)); // a stopped instance keeps its keys
        down.Release("res", "a", 10);
        down.Partition("A", 2);
        var cut = down.TryAcquire("A", "res", "a", 1000, 20);
        var other = down.TryAcquire("B", "res", "b", 1000, 100);
        Assert.Equal([0, 1], cut.LockedNodes);
        Assert.Equal((true, 52.0, 2.0, 946.0), (cut.Acquired, cut.ElapsedMs, cut.DriftMs, cut.ValidityMs)); // ρ = 0
        Assert.False(other.Acquired); // B is not cut off, but A holds two of three
        Assert.Equal([2], other.LockedNodes);
        Assert.Null(down.Holder(2, "res", 101)); // a failed attempt unlocks what it got

        var slow = new Redlock(3, 0.01, 50);
        slow.SetLatency(0, 60);
        var landed = slow.TryAcquire("A", "res", "a", 1000, 0);
        Assert.Equal([1, 2], landed.LockedNodes);
        Assert.Equal([0], landed.TimedOutNodes!);
        Assert.Equal((52.0, 936.0), (landed.ElapsedMs, landed.ValidityMs));
        Assert.True(landed.Acquired);
        Assert.Equal("a", slow.Holder(0, "res", 100)); // the slow SET landed even though the client gave up on it
        slow.SetLatency(0, 50); // exactly the timeout: answered in time
        slow.Release("res", "a", 200);
        Assert.Equal([0, 1, 2], slow.TryAcquire("A", "res", "a", 1000, 300).LockedNodes);
    }

    [Theory]
    [InlineData(200, 0.03, 0.01, 10_000, 5, 50, 3, "198/137/-189.1019911832991")]
    [InlineData(100, 0.01, 0.02, 5_000, 3, 20, 8, "92/0/56.914221422051924")]
    [InlineData(3, 0, 0.01, 1, 5, 50, 6, "0/0/NaN")]
    public void A_drift_trial_counts_exactly(int runs, double actual, double assumed, double ttl, int instances,
        double timeout, int seed, string expected)
    {
        var t = Redlock.DriftTrial(runs, actual, assumed, ttl, instances, timeout, seed);
        Assert.Equal((runs, actual, assumed, ttl), (t.Runs, t.ActualDrift, t.AssumedDrift, t.TtlMs));
        Assert.Equal(expected, $"{t.Acquired}/{t.EarlyExpiries}/{t.WorstMarginMs:R}");
    }
}
