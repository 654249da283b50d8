using SystemDesign.Consistency;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Consistency;

[Collection("real clusters")]
public sealed class SentinelWriteLossTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private static SentinelLossRun Synthetic(SentinelWriteGuard guard, params SentinelWrite[] writes) =>
        new(guard, "a:1", "a:2", PausedAtMs: 100, FailoverAtMs: 1100, ResumedAtMs: 1200, WriterStoppedAtMs: 1700,
            WriterStoppedBy: "connection closed", RejoinedAtMs: 2000, writes, new HashSet<long> { 0, 1, 2 }, true);

    [Fact]
    public void A_run_counts_what_was_acked_lost_and_refused()
    {
        var run = Synthetic(SentinelWriteGuard.None,
            new SentinelWrite(0, 10, "ok", null), new SentinelWrite(1, 50, "ok", null), new SentinelWrite(2, 90, "ok", null),
            new SentinelWrite(3, 99, "ok", null), // acked before the pause, never replicated
            new SentinelWrite(4, 1201, "ok", null), new SentinelWrite(5, 1300, "refused", null),
            new SentinelWrite(6, 1700, "failed", null));
        Assert.Equal(5, run.Acked.Count);
        Assert.Equal(new long[] { 3, 4 }, run.Lost.Select(w => w.Seq));
        Assert.Equal(new long[] { 4 }, run.AckedAfterResume.Select(w => w.Seq));
        Assert.Equal(1, run.LostBeforePause);
        Assert.Equal(1, run.Refused);
        Assert.Equal(60, run.RateBeforePausePerSecond, 6); // 3 acked in [50, 100) ms, the second half
        Assert.Equal(500, run.StaleWindowMs);
    }

    [Fact]
    public void A_runs_counts_are_exact_at_each_time_boundary_and_summarised_rounded()
    {
        var run = Synthetic(SentinelWriteGuard.Wait1,
            new SentinelWrite(0, 49.99, "ok", 1), // before the second half of the time before the pause
            new SentinelWrite(1, 50, "ok", 1),    // its first instant
            new SentinelWrite(2, 100, "ok", 1),   // the pause itself: no longer before it
            new SentinelWrite(3, 1200, "ok", 0),  // the resume itself: after it
            new SentinelWrite(4, 1250, "refused", null));
        Assert.Equal(20, run.RateBeforePausePerSecond, 9);
        Assert.Equal(new long[] { 3 }, run.AckedAfterResume.Select(w => w.Seq));
        Assert.Equal(new long[] { 3 }, run.Lost.Select(w => w.Seq));
        Assert.Equal(0, run.LostBeforePause);
        Assert.Equal(new SentinelLossSummary("Wait1", 4, 1, 1, 0, 1, 1000, 500, 20), run.Summary());
        var odd = run with { PausedAtMs = 100.4, FailoverAtMs = 1101, WriterStoppedAtMs = 1700.6 };
        Assert.Equal((1001.0, 501.0), (odd.Summary().PausedUntilPromotedMs, odd.Summary().StaleWindowMs));
        Assert.Equal(0, (run with { PausedAtMs = 0 }).RateBeforePausePerSecond);
        Assert.True(new SentinelWrite(0, 1, "ok", null).Acked);
        Assert.False(new SentinelWrite(0, 1, "failed", null).Acked);
    }

    [Fact]
    public void Arguments_are_validated()
    {
        var set = new RedisSentinelSet(["127.0.0.1:1", "127.0.0.1:2"], ["127.0.0.1:3"], "m");
        Assert.Throws<ArgumentException>(() => SentinelWriteLoss.Run(set, "", SentinelWriteGuard.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => SentinelWriteLoss.Run(set, "k", SentinelWriteGuard.Wait1, waitTimeoutMs: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SentinelWriteLoss.Run(set, "k", SentinelWriteGuard.MinReplicas, maxLagSeconds: 0));
    }

    [SkippableTheory]
    [InlineData(SentinelWriteGuard.None)]
    [InlineData(SentinelWriteGuard.Wait1)]
    [InlineData(SentinelWriteGuard.MinReplicas)]
    public void A_failover_loses_exactly_the_writes_the_stale_primary_acked_and_the_set_heals(SentinelWriteGuard guard)
    {
        var set = RealSystem.RequireRedisSentinel();
        var timersBefore = set.Sentinels.Select(SentinelWriteLoss.SentinelTimers).ToList();
        var run = SentinelWriteLoss.Run(set, "sdntest:loss", guard);
        log.WriteLine($"{guard}: {run.OldPrimary} → {run.NewPrimary}; paused {run.PausedAtMs:0}, failover {run.FailoverAtMs:0}, "
            + $"resumed {run.ResumedAtMs:0}, writer stopped {run.WriterStoppedAtMs:0} ({run.WriterStoppedBy}), rejoined {run.RejoinedAtMs:0}; "
            + $"acked {run.Acked.Count}, after resume {run.AckedAfterResume.Count}, lost {run.Lost.Count} "
            + $"(before pause {run.LostBeforePause}), refused {run.Refused}, rate {run.RateBeforePausePerSecond:0}/s");
        log.WriteLine("lost (seq@ms after the resume): " + string.Join(", ", run.Lost.Take(5).Select(w => $"{w.Seq}@{w.AtMs - run.ResumedAtMs:0.0}"))
            + "; last acked before the pause: " + string.Join(", ", run.Acked.Where(w => w.AtMs < run.ResumedAtMs).TakeLast(2).Select(w => $"{w.Seq}@{w.AtMs - run.PausedAtMs:0.0}"))
            + "; first after: " + string.Join(", ", run.Writes.Where(w => w.AtMs >= run.ResumedAtMs).Take(4).Select(w => $"{w.Seq}:{w.Outcome}@{w.AtMs - run.ResumedAtMs:0.0}")));
        Assert.NotEqual(run.OldPrimary, run.NewPrimary);
        Assert.Contains(run.OldPrimary, set.Nodes);
        Assert.Contains(run.NewPrimary, set.Nodes);
        Assert.True(run.OldPrimaryIsReplicaAgain);
        // The timers the run shortens, read before it: the Sentinels' own (longer) values.
        Assert.All(timersBefore, t => Assert.Equal(SentinelWriteLoss.ShortTimers.Keys.Order(), t.Keys.Order()));
        Assert.All(timersBefore, t => Assert.All(t.Values, v => Assert.True(v >= 1000, $"timer {v} ms")));
        Assert.InRange(run.PausedAtMs, 300, 10_000);                       // after the default 300 ms warm-up
        // The timeline in order, and the writer numbered its writes 1, 2, 3, … until it was stopped by the last one.
        Assert.True(run.PausedAtMs < run.FailoverAtMs && run.FailoverAtMs <= run.ResumedAtMs
            && run.ResumedAtMs < run.WriterStoppedAtMs && run.WriterStoppedAtMs <= run.RejoinedAtMs);
        Assert.Equal(Enumerable.Range(1, run.Writes.Count).Select(i => (long)i), run.Writes.Select(w => w.Seq));
        Assert.Contains(run.WriterStoppedBy, new[] { "connection closed", "READONLY: demoted" });
        // With the short timers the old primary is demoted within about half a second of the resume; with the
        // Sentinels' defaults it would take 4 publish periods of 2 s at least.
        Assert.InRange(run.StaleWindowMs, 0, 6000);
        Assert.Equal(("failed", run.WriterStoppedAtMs), (run.Writes[^1].Outcome, run.Writes[^1].AtMs));
        Assert.All(run.Writes, w => Assert.Contains(w.Outcome, new[] { "ok", "refused", "failed" }));
        if (guard == SentinelWriteGuard.Wait1) Assert.All(run.Acked, w => Assert.NotNull(w.Replicas));
        else Assert.All(run.Writes, w => Assert.Null(w.Replicas));
        Assert.True(run.Acked.Count(w => w.AtMs < run.PausedAtMs) > 0, "no writes before the pause");
        // Every write the stale primary acknowledged after the resume is gone: it never reached the new primary.
        // The first may be the write in flight when SIGSTOP landed: executed and replicated before, answered after.
        Assert.All(run.AckedAfterResume.Skip(1), w => Assert.DoesNotContain(w.Seq, run.Survivors));
        // Acknowledged before the pause yet lost: at most the write whose reply left before its replication
        // bytes as SIGSTOP landed (both leave in the same event-loop pass, the reply first).
        Assert.InRange(run.LostBeforePause, 0, 1);
        Assert.InRange(run.Lost.Count, run.AckedAfterResume.Count - 1, run.AckedAfterResume.Count + 1);
        switch (guard)
        {
            case SentinelWriteGuard.None:
                Assert.True(run.AckedAfterResume.Count > 0, "the stale primary acknowledged nothing after the resume");
                break;
            case SentinelWriteGuard.Wait1:
                Assert.Equal(0, run.Lost.Count(w => w.Replicas >= 1));
                Assert.All(run.AckedAfterResume.Skip(1), w => Assert.Equal(0, w.Replicas));
                break;
            case SentinelWriteGuard.MinReplicas:
                Assert.True(run.Refused > 0, "the stale primary refused nothing");
                // The woken primary still counts its replica as good until replicationCron (once a second)
                // refreshes the count: it may acknowledge writes for up to that long, never after a refusal.
                double firstRefusal = run.Writes.Where(w => w.Outcome == "refused").Min(w => w.AtMs);
                Assert.All(run.AckedAfterResume, w => Assert.True(w.AtMs < firstRefusal
                    && w.AtMs - run.ResumedAtMs <= 1_250, $"acked {w.AtMs - run.ResumedAtMs:F0} ms after the resume"));
                break;
        }
        Assert.Equal(timersBefore.Select(t => string.Join(",", t.OrderBy(kv => kv.Key))),
            set.Sentinels.Select(s => string.Join(",", SentinelWriteLoss.SentinelTimers(s).OrderBy(kv => kv.Key))));
        foreach (var node in set.Nodes)
        {
            using var c = new RespClient(node, TimeSpan.FromSeconds(5));
            Assert.Equal("0", c.Send("CONFIG", "GET", "min-replicas-to-write").Items![1].Text);
            Assert.Equal(0, c.Send("EXISTS", "sdntest:loss").Integer);
        }
        Assert.True(Services.Check("redis-sentinel").Healthy);
    }
}
