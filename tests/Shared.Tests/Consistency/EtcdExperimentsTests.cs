using SystemDesign.Consistency;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Consistency;

[Collection("real clusters")]
public sealed class EtcdExperimentsTests(Xunit.Abstractions.ITestOutputHelper log)
{
    [Fact]
    public void The_model_elects_within_the_window_its_timers_allow()
    {
        var times = EtcdExperiments.ModelTimesToElect(500, 50, 100);
        Assert.Equal(100, times.Count);
        // Earliest: a timeout of T after the last heartbeat, sent up to H before the crash; latest: 2T plus
        // a few message delays (and, rarely, a split vote: then one more timeout).
        Assert.InRange(times.Min(), 500 - 50, 600);
        Assert.InRange(times.Max(), 800, 2 * 1000 + 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => EtcdExperiments.ModelTimesToElect(500, 50, 0));
    }

    [Fact]
    public void The_election_window_widens_the_models_range_by_the_tick_and_one_lost_round()
    {
        Assert.Equal((350.0, 2300.0), EtcdExperiments.ElectionWindow(new[] { 450.0, 900, 1200 }, 500));
        Assert.Equal((-90.0, 2110.0), EtcdExperiments.ElectionWindow(new[] { 10.0 }, 1000));
        OutOfRange("electionTimeoutMs", () => EtcdExperiments.ElectionWindow(new[] { 1.0 }, 9.99));
        OutOfRange("electionTimeoutMs", () => EtcdExperiments.ElectionWindow(new[] { 1.0 }, 60_001));
        Invalid("modelTimes", () => EtcdExperiments.ElectionWindow(Array.Empty<double>(), 500));
        Null("modelTimes", () => EtcdExperiments.ElectionWindow(null!, 500));
    }

    [Fact]
    public void A_serializable_read_is_stale_only_when_it_answered_a_value_other_than_the_committed_one()
    {
        var r = new EtcdIsolatedReads("etcd2", "v2", "v1", 1, false, "timeout", 400, 5, true);
        Assert.True(r.Stale);
        Assert.False((r with { SerializableValue = "v2" }).Stale);
        Assert.False((r with { SerializableValue = null }).Stale);
    }

    [Fact]
    public void A_cluster_that_does_not_answer_is_not_healthy()
    {
        using var nobody = new EtcdCluster(["http://127.0.0.1:9"], TimeSpan.FromMilliseconds(300));
        Assert.False(EtcdExperiments.IsHealthy(nobody));
    }

    [SkippableFact]
    public void Pausing_the_etcd_leader_elects_another_within_the_model_window_and_heals()
    {
        using var etcd = RealSystem.RequireEtcd();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = EtcdExperiments.PauseLeader(etcd, TimeSpan.FromSeconds(10));
        log.WriteLine($"{r} in {watch.ElapsedMilliseconds} ms");
        Assert.NotEqual(r.OldLeader, r.NewLeader);
        var names = etcd.Members().Select(m => m.Name).ToList();
        Assert.Contains(r.OldLeader, names);
        Assert.Contains(r.NewLeader, names);
        Assert.True(r.TermAfter > r.TermBefore);
        Assert.True(r.TermBefore > 0);
        Assert.InRange(r.HealthyAgainMs, 0, 20_000);
        // The same window notebook 02 checks: the model's [min, max] plus etcd's one lost round (a CI run
        // on a loaded machine took 2,416 ms with the term up by 2, outside the model's max alone).
        var (lo, hi) = EtcdExperiments.ElectionWindow(EtcdExperiments.ModelTimesToElect(500, 50, 200), 500);
        Assert.InRange(r.ElectedAfterMs, lo, hi);
        Assert.True(r.HealthyAfter);
        // Healthy again, checked in process and by the registry before it returned; on a loaded machine a slow
        // heartbeat can start another election just after, so allow the members a moment to agree again.
        var settle = System.Diagnostics.Stopwatch.StartNew();
        while (!EtcdExperiments.IsHealthy(etcd) && settle.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(50);
        Assert.True(EtcdExperiments.IsHealthy(etcd));
    }

    [SkippableFact]
    public void An_isolated_follower_answers_serializable_reads_stale_and_not_linearizable_ones()
    {
        using var etcd = RealSystem.RequireEtcd();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = EtcdExperiments.IsolatedFollowerReads(etcd, "sdntest/iso", "v1", "v2", TimeSpan.FromMilliseconds(400));
        log.WriteLine($"{r} in {watch.ElapsedMilliseconds} ms");
        // It answers from its own copy: stale (v1) unless it applied the buffered write on waking (v2).
        Assert.Contains(r.SerializableValue, new[] { "v1", "v2" });
        Assert.Equal(r.SerializableValue == "v1", r.Stale);
        Assert.False(r.LinearizableAnswered);
        Assert.Equal("v2", r.Current);
        Assert.Contains(r.Isolated, etcd.Members().Select(m => m.Name));
        // It waited out its whole timeout, where the same read on the healthy member took a moment.
        Assert.Equal("no answer within 400 ms", r.LinearizableError);
        Assert.InRange(r.LinearizableWaitedMs, 350, 10_000);
        Assert.InRange(r.LinearizableHealthyMs, 0.001, 350);
        Assert.InRange(r.SerializableMs, 0.001, 350);
        Assert.True(r.HealthyAfter);
        Assert.Null(etcd.Get("sdntest/iso").Value);
    }
}
