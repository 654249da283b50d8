using System.Net;
using System.Net.Sockets;
using Npgsql;
using SystemDesign.RealSystems;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.RealSystems;

/// <summary>
/// Every argument guard of the RealSystems area's public entries: the exception type and the parameter it names,
/// one step outside each bound, and the bound itself accepted where that costs no server and no script run.
/// The guards run before the registry script, a connection or a request: the tests need no server. An accepted
/// input is sent to a port nobody listens on, or to a PostgreSQL connection that was never opened.
/// </summary>
public sealed class RealSystemsGuardTests
{
    private const string Nowhere = "http://127.0.0.1:1";
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static void Unreachable(Action act) => Assert.ThrowsAny<HttpRequestException>(act);

    [Fact]
    public void The_etcd_client_refuses_no_endpoints_and_request_timeouts_outside_a_minute()
    {
        Null("endpoints", () => new EtcdCluster(null!));
        Invalid("endpoints", () => new EtcdCluster([]), "endpoints must contain at least one element.");
        const string range = "requestTimeout must be in (0, 1 min]";
        Invalid("requestTimeout", () => new EtcdCluster([Nowhere], TimeSpan.Zero), range);
        Invalid("requestTimeout", () => new EtcdCluster([Nowhere], TimeSpan.FromMinutes(1) + Tick), range);
        new EtcdCluster([Nowhere], Tick).Dispose();
        using var longest = new EtcdCluster([Nowhere + "/"], TimeSpan.FromMinutes(1));
        Assert.Equal([Nowhere], longest.Endpoints);
    }

    [Fact]
    public void The_etcd_client_refuses_empty_keys_names_and_endpoints_and_timeouts_outside_their_ranges()
    {
        using var etcd = new EtcdCluster([Nowhere]);
        const string oneMinute = "timeout must be in (0, 1 min]", twoMinutes = "timeout must be in (0, 2 min]";
        Invalid("timeout", () => etcd.Statuses(TimeSpan.Zero), oneMinute);
        Invalid("timeout", () => etcd.Statuses(TimeSpan.FromMinutes(1) + Tick), oneMinute);
        Assert.Empty(etcd.Statuses(TimeSpan.FromMinutes(1)));       // nobody answers: an empty list, not an error
        Assert.Empty(etcd.Statuses(Tick));
        Assert.Empty(etcd.Statuses());
        Invalid("timeout", () => etcd.WaitForLeader(0, TimeSpan.Zero), twoMinutes);
        Invalid("timeout", () => etcd.WaitForLeader(0, TimeSpan.FromMinutes(2) + Tick), twoMinutes);
        Assert.Null(etcd.WaitForLeader(0, Tick));
        Null("endpoint", () => etcd.Status(null!));
        Invalid("endpoint", () => etcd.Status(""));
        Unreachable(() => etcd.Status(Nowhere));
        Null("key", () => etcd.Put(null!, "v"));
        Invalid("key", () => etcd.Put("", "v"));
        Null("value", () => etcd.Put("k", null!));
        Invalid("endpoint", () => etcd.Put("k", "v", ""));
        Unreachable(() => etcd.Put("k", "", lease: 7));
        Null("key", () => etcd.Get(null!));
        Invalid("key", () => etcd.Get(""));
        Invalid("endpoint", () => etcd.Get("k", ""));
        Unreachable(() => etcd.Get("k", serializable: true));
        Null("prefix", () => etcd.DeletePrefix(null!));
        Invalid("prefix", () => etcd.DeletePrefix(""));
        Invalid("endpoint", () => etcd.DeletePrefix("p/", ""));
        Unreachable(() => etcd.DeletePrefix("p/"));
        OutOfRange("ttlSeconds", () => etcd.GrantLease(0));
        OutOfRange("ttlSeconds", () => etcd.GrantLease(3601));
        Unreachable(() => etcd.GrantLease(1));
        Unreachable(() => etcd.GrantLease(3600));
        Invalid("endpoint", () => etcd.KeepAlive(1, ""));
        Invalid("endpoint", () => etcd.RevokeLease(1, ""));
        Null("name", () => etcd.Lock(null!, 1));
        Invalid("name", () => etcd.Lock("", 1));
        Invalid("endpoint", () => etcd.Lock("n", 1, ""));
        Null("key", () => etcd.Unlock(null!));
        Invalid("key", () => etcd.Unlock(""));
        Invalid("endpoint", () => etcd.Unlock("k", ""));
        Null("memberName", () => etcd.EndpointOf(null!));
        Invalid("memberName", () => etcd.EndpointOf(""));
        var none = Assert.Throws<InvalidOperationException>(() => etcd.EndpointOf("etcd1"));
        Assert.Equal("no etcd member answers", none.Message);
    }

    [Fact]
    public void Faults_refuse_empty_services_and_members_and_pauses_and_waits_outside_their_ranges()
    {
        const string pause = "maxPause must be in (0, 2 min]";
        Invalid("maxPause", () => Faults.Pause("s", "m", TimeSpan.Zero), pause);
        Invalid("maxPause", () => Faults.Pause("s", "m", TimeSpan.FromMinutes(2) + Tick), pause);
        // Accepted pauses get as far as the member lookup, which refuses the empty service (no script runs).
        Invalid("service", () => Faults.Pause("", "m", TimeSpan.FromMinutes(2)));
        Invalid("service", () => Faults.Pause("", "m", Tick));
        Null("service", () => Faults.Pause(null!, "m"));
        Invalid("member", () => Faults.Pause("s", ""));
        Null("member", () => Faults.Pause("s", null!));
        Null("body", () => Faults.WhilePaused<int>("s", "m", Second, null!));
        Invalid("maxPause", () => Faults.WhilePaused("s", "m", TimeSpan.Zero, () => 1), pause);
        Invalid("service", () => Faults.Resume("", "m"));
        Invalid("member", () => Faults.Resume("s", ""));
        Invalid("service", () => Faults.Kill("", "m"));
        Invalid("member", () => Faults.Kill("s", ""));
        Invalid("service", () => Faults.KillWithChildren("", "m"));
        Invalid("member", () => Faults.KillWithChildren("s", ""));
        const string fiveMinutes = "timeout must be in (0, 5 min]";
        Invalid("timeout", () => Faults.Restart("s", TimeSpan.Zero), fiveMinutes);
        Invalid("timeout", () => Faults.Restart("s", TimeSpan.FromMinutes(5) + Tick), fiveMinutes);
        Invalid("service", () => Faults.Restart("", TimeSpan.FromMinutes(5)));
        Invalid("service", () => Faults.Restart("", Tick, () => null));
        Invalid("service", () => Faults.EnsureHealthy("", Second));
        Null("service", () => Faults.EnsureHealthy(null!, Second));
        const string wait = "wait must be in (0, 5 min]";
        Invalid("wait", () => Faults.Experiment("s", TimeSpan.Zero), wait);
        Invalid("wait", () => Faults.Experiment("s", TimeSpan.FromMinutes(5) + Tick), wait);
        Invalid("service", () => Faults.Experiment("", TimeSpan.FromMinutes(5)));
        Invalid("service", () => Faults.Experiment("", Tick));
        OutOfRange("pid", () => Faults.IsStopped(0));
        Assert.False(Faults.IsStopped(1));
        Assert.False(Faults.IsStopped(Environment.ProcessId));
        Invalid("service", () => Faults.MarkHealthy(""));
        Null("service", () => Faults.MarkHealthy(null!));
    }

    [Fact]
    public void A_fault_experiments_in_process_check_refuses_a_missing_check_and_timeouts_outside_5_min()
    {
        string path = Path.GetTempFileName();
        try
        {
            var held = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            using var experiment = new FaultExperiment("sdntest-guard", held, () => null);
            Null("check", () => experiment.EnsureHealthy((Func<string?>)null!));
            const string range = "timeout must be in (0, 5 min]";
            Invalid("timeout", () => experiment.EnsureHealthy(() => null, TimeSpan.Zero), range);
            Invalid("timeout", () => experiment.EnsureHealthy(() => null, TimeSpan.FromMinutes(5) + Tick), range);
            experiment.EnsureHealthy(() => null, TimeSpan.FromMinutes(5));
            experiment.EnsureHealthy(() => null, Tick);
            var e = Assert.Throws<TimeoutException>(() => experiment.EnsureHealthy(() => "down", Tick));
            Assert.Equal("sdntest-guard not healthy after 0 s: down", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Services_refuse_empty_names_ports_outside_1_to_65535_and_waits_outside_5_min()
    {
        Null("service", () => Services.StartCommandFor(null!));
        Invalid("service", () => Services.StartCommandFor(""));
        Assert.Equal("./scripts/services.sh start etcd", Services.StartCommandFor("etcd"));
        Null("service", () => Services.Status(null!));
        Invalid("service", () => Services.Status(""));
        Null("member", () => Services.Member("s", null!));
        Invalid("member", () => Services.Member("s", ""));
        Invalid("service", () => Services.Member("", "m"));
        OutOfRange("port", () => Services.MemberAtPort("s", 0));
        OutOfRange("port", () => Services.MemberAtPort("s", 65536));
        Invalid("service", () => Services.MemberAtPort("", 1));
        Invalid("service", () => Services.MemberAtPort("", 65535));
        Invalid("service", () => Services.Layout(""));
        Invalid("service", () => Services.Running("", "m"));
        Invalid("member", () => Services.Running("s", ""));
        Null("service", () => Services.Check(null!));
        Invalid("service", () => Services.Check(""));
        Invalid("service", () => Services.WaitHealthy("", Second));
        const string range = "timeout must be in (0, 5 min]";
        Invalid("timeout", () => Services.WaitHealthy("s", TimeSpan.Zero), range);
        Invalid("timeout", () => Services.WaitHealthy("s", TimeSpan.FromMinutes(5) + Tick), range);
        Null("service", () => Services.Start(null!));
        Invalid("service", () => Services.Start(""));
    }

    [Fact]
    public void The_sentinel_set_refuses_empty_node_lists_names_and_sync_timeouts_outside_100_ms_to_a_minute()
    {
        string[] nodes = ["127.0.0.1:1", "127.0.0.1:2"], sentinels = ["127.0.0.1:3"];
        Null("nodes", () => new RedisSentinelSet(null!, sentinels, "m"));
        Invalid("nodes", () => new RedisSentinelSet([], sentinels, "m"));
        Null("sentinels", () => new RedisSentinelSet(nodes, null!, "m"));
        Invalid("sentinels", () => new RedisSentinelSet(nodes, [], "m"));
        Null("masterName", () => new RedisSentinelSet(nodes, sentinels, null!));
        Invalid("masterName", () => new RedisSentinelSet(nodes, sentinels, ""));
        var set = new RedisSentinelSet(nodes, sentinels, "m");
        Null("node", () => set.Other(null!));
        Invalid("node", () => set.Other(""));
        Assert.Equal("127.0.0.1:2", set.Other("127.0.0.1:1"));
        Assert.Equal("127.0.0.1:1", set.Other("127.0.0.1:2"));
        Null("node", () => RedisSentinelSet.MemberOf(null!));
        Invalid("node", () => RedisSentinelSet.MemberOf(""));
        Null("node", () => RedisSentinelSet.ConnectNode(null!));
        Invalid("node", () => RedisSentinelSet.ConnectNode(""));
        OutOfRange("syncTimeoutMs", () => RedisSentinelSet.ConnectNode("127.0.0.1:1", 99));
        OutOfRange("syncTimeoutMs", () => RedisSentinelSet.ConnectNode("127.0.0.1:1", 60_001));
        Null("oldPrimary", () => set.WaitForFailover(null!, Second));
        Invalid("oldPrimary", () => set.WaitForFailover("", Second));
        const string range = "timeout must be in (0, 2 min]";
        Invalid("timeout", () => set.WaitForFailover("127.0.0.1:1", TimeSpan.Zero), range);
        Invalid("timeout", () => set.WaitForFailover("127.0.0.1:1", TimeSpan.FromMinutes(2) + Tick), range);
        Assert.Null(set.WaitForFailover("127.0.0.1:1", Tick));
    }

    [Fact]
    public void The_resp_client_refuses_endpoints_that_are_not_host_port_timeouts_outside_2_min_and_empty_commands()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);   // accepts into its backlog: enough to connect
        listener.Start();
        string endpoint = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        Null("endpoint", () => new RespClient(null!, Second));
        Invalid("endpoint", () => new RespClient("", Second));
        const string range = "timeout must be in (0, 2 min]", hostPort = "endpoint must be host:port";
        Invalid("timeout", () => new RespClient(endpoint, TimeSpan.Zero), range);
        Invalid("timeout", () => new RespClient(endpoint, TimeSpan.FromMinutes(2) + Tick), range);
        foreach (var bad in new[] { "nohost", ":6379", "host:", "host:port" })
            Invalid("endpoint", () => new RespClient(bad, Second), hostPort);
        using (var longest = new RespClient(endpoint, TimeSpan.FromMinutes(2)))
            Assert.Equal(endpoint, longest.Endpoint);
        using var c = new RespClient(endpoint, Second);
        Invalid("args", () => c.Send(), "a command needs at least its name");
        Invalid("args", () => c.Send(null!), "a command needs at least its name");
    }

    [Fact]
    public void Standby_control_refuses_missing_connections_unknown_commit_levels_and_timeouts_outside_a_minute()
    {
        using var closed = new NpgsqlConnection();   // never opened: an accepted input fails at its first command
        Null("primary", () => StandbyControl.SynchronousStandby(null!));
        Null("session", () => StandbyControl.SetSynchronousCommit(null!, "on"));
        foreach (var bad in new[] { "ON", "remote", "", "on; DROP TABLE t" })
            Invalid("level", () => StandbyControl.SetSynchronousCommit(closed, bad),
                $"unknown synchronous_commit level '{bad}'");
        foreach (var level in new[] { "off", "local", "remote_write", "on", "remote_apply" })
            Assert.Throws<InvalidOperationException>(() => StandbyControl.SetSynchronousCommit(closed, level));
        Null("standby", () => StandbyControl.PauseReplay(null!));
        Null("standby", () => StandbyControl.ResumeReplay(null!));
        Null("standby", () => StandbyControl.ReplayPauseState(null!));
        Null("primary", () => StandbyControl.CurrentLsn(null!));
        Null("standby", () => StandbyControl.ReplayLsn(null!));
        Null("standby", () => StandbyControl.ReceiveLsn(null!));
        Null("standby", () => StandbyControl.WaitForReplay(null!, 0, Second));
        const string range = "timeout must be in (0, 1 min]";
        Invalid("timeout", () => StandbyControl.WaitForReplay(closed, 0, TimeSpan.Zero), range);
        Invalid("timeout", () => StandbyControl.WaitForReplay(closed, 0, TimeSpan.FromMinutes(1) + Tick), range);
        var minute = TimeSpan.FromMinutes(1);
        Assert.Throws<InvalidOperationException>(() => StandbyControl.WaitForReplay(closed, 0, minute));
        Assert.Throws<InvalidOperationException>(() => StandbyControl.WaitForReplay(closed, 0, Tick));
        Null("primary", () => StandbyControl.Replication(null!));
        Null("primary", () => StandbyControl.SlotRetainedBytes(null!));
    }
}
