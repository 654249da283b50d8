using SystemDesign.Fencing;
using SystemDesign.Locking;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Locking;

// With the other etcd experiments: one that pauses the leader must not run beside these 2-second requests.
[Collection("real clusters")]
public sealed class EtcdLeaseLockTests
{
    [SkippableFact]
    public void Acquire_refuses_a_second_holder_and_release_only_deletes_the_holders_key()
    {
        using var etcd = RealSystem.RequireEtcd();
        using var lk = new EtcdLeaseLock(etcd.Endpoints[0], "sdntest/lease-lock");
        lk.Clear();
        var a = lk.TryAcquire("A", 5);
        Assert.NotNull(a);
        Assert.Equal(("A", 5L), (a!.Holder, a.TtlSeconds));
        Assert.NotEqual(0, a.Lease);
        int leases = Leases(lk.Endpoint);
        Assert.Null(lk.TryAcquire("B", 5));
        Assert.Equal(leases, Leases(lk.Endpoint)); // the refused attempt's lease was revoked at once
        Assert.Equal("A", lk.Read(lk.Key));
        var stale = a! with { Token = a.Token - 1 };
        Assert.False(lk.WriteIfHolder("sdntest/lease-data", "x", stale.Token));
        Assert.True(lk.WriteIfHolder("sdntest/lease-data", "A", a.Token));
        Assert.Equal("A", lk.Read("sdntest/lease-data"));
        Assert.Equal(5, lk.KeepAlive(a));
        Assert.True(lk.Release(a));
        Assert.Null(lk.Read(lk.Key));
        var b = lk.TryAcquire("B", 5);
        Assert.NotNull(b);
        Assert.True(b!.Token > a.Token);
        Assert.False(lk.Release(a)); // A's key is gone: its release must not delete B's
        Assert.Equal("B", lk.Read(lk.Key));
        Assert.True(lk.Release(b));
        Assert.Equal(0, lk.KeepAlive(b)); // released: its lease was revoked
        lk.Clear("sdntest/lease-data");
        Assert.Null(lk.Read("sdntest/lease-data"));
        var c = lk.TryAcquire("C", 5)!;
        lk.Clear();
        Assert.Null(lk.Read(lk.Key)); // Clear deletes the lock key whoever holds it…
        Assert.Equal(5, lk.KeepAlive(c)); // … and leaves the lease
        Assert.False(lk.Release(c));
    }

    private static int Leases(string endpoint)
    {
        using var http = new HttpClient();
        using var response = http.PostAsync(endpoint + "/v3/lease/leases", new StringContent("{}"))
            .GetAwaiter().GetResult();
        string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        return System.Text.Json.Nodes.JsonNode.Parse(text)?["leases"]?.AsArray().Count ?? 0;
    }

    [SkippableFact]
    public void A_paused_holder_run_whose_b_cannot_acquire_in_time_says_so()
    {
        using var etcd = RealSystem.RequireEtcd();
        using var lk = new EtcdLeaseLock(etcd.Endpoints[2], "sdntest/lease-timeout");
        var e = Assert.Throws<TimeoutException>(() => lk.PausedHolder("sdntest/lease-timeout-data", 1,
            TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(1)));
        Assert.Equal("B did not acquire sdntest/lease-timeout within 0 s", e.Message);
        Assert.Equal("A", lk.Read("sdntest/lease-timeout-data")); // A wrote before B gave up
        lk.Clear("sdntest/lease-timeout-data");
    }

    [SkippableFact]
    public void A_holder_that_stops_refreshing_loses_the_lock_after_the_ttl_and_its_stale_write_is_fenced()
    {
        using var etcd = RealSystem.RequireEtcd();
        using var lk = new EtcdLeaseLock(etcd.Endpoints[1], "sdntest/lease-paused");
        var run = lk.PausedHolder("sdntest/lease-paused-data", 1, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));
        Assert.True(run.BRefusedWhileAHeld);
        Assert.True(run.TokenB > run.TokenA);
        Assert.InRange(run.BAcquiredAfterRefreshMs, 1_000 * run.TtlSeconds - run.LastRefreshRoundTripMs, run.LatestAcquireMs);
        Assert.Equal(0, run.ATtlOnWake);
        Assert.False(run.FencedStale.Accepted);
        Assert.Equal("B", run.FencedFinal);
        Assert.True(run.UnfencedStale.Accepted);
        Assert.Equal("A", run.UnfencedFinal);
        Assert.False(run.EtcdStaleApplied);
        Assert.True(run.EtcdBApplied);
        Assert.Equal("B", run.EtcdFinal);
        Assert.Null(lk.Read(lk.Key));
        Assert.Null(lk.Read("sdntest/lease-paused-data"));
        Assert.Equal((1L, 50.0), (run.TtlSeconds, run.PollMs));
        Assert.True(run.BAttempts > 1 && run.SlowestAttemptMs > 0 && run.LastRefreshRoundTripMs > 0, $"{run}");
        Assert.Equal(new FencedWrite(false, run.TokenA, run.TokenB), run.FencedStale);
        Assert.Equal(new FencedWrite(true, run.TokenA, run.TokenB), run.UnfencedStale);
        string a = run.TokenA.ToString(), b = run.TokenB.ToString();
        Assert.Equal(
        [
            ("A", "lease TTL 1 s, txn create_revision == 0 → put", $"acquired, token {a}"),
            ("A", "keep-alive, then pauses (no more keep-alives)", $"round trip {run.LastRefreshRoundTripMs:F1} ms"),
            ("A", $"writes with token {a}", "accepted"),
            ("B", "txn create_revision == 0", "refused: A's key exists"),
            ("B", $"txn create_revision == 0 (attempt {run.BAttempts})", $"acquired, token {b}"),
            ("B", $"writes with token {b}", "accepted"),
            ("A", "wakes up: keep-alive", "TTL 0: its lease is gone (if it asks)"),
            ("A", $"writes with token {a}: fenced store / unfenced / etcd txn", "rejected / accepted / rejected"),
            ("B", "release (txn create_revision == token → delete)", "released"),
        ], run.Events.Select(e => (e.Client, e.What, e.Outcome)));
        Assert.Equal(run.Events.Select(e => e.AtMs).Order(), run.Events.Select(e => e.AtMs));
        Assert.All(run.Events, e => Assert.Equal(Math.Round(e.AtMs, 1), e.AtMs));
    }

    [SkippableFact]
    public void The_lock_works_with_a_follower_paused_and_the_cluster_is_healthy_after()
    {
        using var etcd = RealSystem.RequireEtcd();
        var run = EtcdLockFaults.WithFollowerPaused(etcd, "sdntest/lease-fault", 2);
        Assert.True(run.PausedMemberStopped);
        Assert.True(run.PausedMemberSilent);
        Assert.True(run.RefusedWhileHeld);
        Assert.True(run.Released1 && run.Released2);
        Assert.True(run.Token2 > run.Token1);
        Assert.True(run.HealthyAfter);
        Assert.Equal(3, new[] { run.Leader, run.Paused, run.AskedMember }.Distinct().Count());
        Assert.True(run.SlowestOpMs > 0 && run.PausedForMs > 0, $"{run}");
        Assert.Equal("up", Services.Member("etcd", run.Paused).State);
    }

    [Fact]
    public void Arguments_are_validated()
    {
        Assert.ThrowsAny<ArgumentException>(() => new EtcdLeaseLock("", "k"));
        Assert.ThrowsAny<ArgumentException>(() => new EtcdLeaseLock("http://127.0.0.1:1", ""));
        using var lk = new EtcdLeaseLock("http://127.0.0.1:1", "k");
        Assert.ThrowsAny<ArgumentException>(() => lk.TryAcquire("A", 0));
        Assert.ThrowsAny<ArgumentException>(() => lk.PausedHolder("d", 1, TimeSpan.Zero, TimeSpan.FromSeconds(1)));
    }
}
