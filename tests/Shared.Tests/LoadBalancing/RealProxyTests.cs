using SystemDesign.LoadBalancing;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.LoadBalancing;

[Collection(RealPartsCollection.Name)]
public sealed class KestrelBackendsTests
{
    [Fact]
    public void Start_guards_name_their_parameters()
    {
        Null("specs", () => KestrelBackends.Start(null!, 30_000));
        Invalid("specs", () => KestrelBackends.Start([], 30_000));
        OutOfRange("basePort", () => KestrelBackends.Start([new BackendSpec("x", 1, 1)], 1023));
        OutOfRange("basePort", () => KestrelBackends.Start([new BackendSpec("x", 1, 1), new BackendSpec("y", 1, 1)],
            64_999));
        Null("s", () => KestrelBackends.Start([null!], 30_000));
    }

    [Fact]
    public void Backends_answer_with_their_name_count_their_work_and_stop_and_restart_on_their_port()
    {
        using var kb = Real.Two(serviceMs: 20);
        Assert.Equal(2, kb.Count);
        Assert.Equal(new[] { "x", "y" }, kb.Specs.Select(s => s.Name));
        Assert.Equal(kb.Port(0) + 1, kb.Port(1));
        Assert.True(kb.IsRunning(0) && kb.IsRunning(1));
        foreach (var bad in new[] { -1, 2 })
        {
            OutOfRange("i", () => kb.Port(bad));
            OutOfRange("i", () => kb.Stop(bad));
            OutOfRange("i", () => kb.Restart(bad));
            OutOfRange("i", () => kb.IsRunning(bad));
        }
        Assert.Equal(new[] { 0.0, 0 }, kb.MeanWorkMs);
        var run = LoadDriver.Run("direct", $"http://127.0.0.1:{kb.Port(1)}/any/path", requests: 4, clients: 1);
        Assert.All(run.Samples, s => Assert.Equal(("y", 200), (s.Backend, s.Status)));
        Assert.Equal("x", Real.Get($"http://127.0.0.1:{kb.Port(0)}/"));
        Assert.Equal("ok", Real.Get($"http://127.0.0.1:{kb.Port(0)}/health"));   // not counted
        Assert.Equal(new[] { 1, 4 }, kb.Served);
        Assert.All(kb.MeanWorkMs, w => Assert.InRange(w, 10, 500));   // Task.Delay on a coarse clock
        kb.ResetCounts();
        Assert.Equal(new[] { 0, 0 }, kb.Served);
        Assert.Equal(new[] { 0.0, 0 }, kb.MeanWorkMs);

        int port = kb.Port(1);
        kb.Stop(1);
        kb.Stop(1);   // stopping a stopped backend is harmless
        Assert.False(kb.IsRunning(1));
        Assert.False(LbPorts.Accepts(port));
        var down = LoadDriver.Run("direct", $"http://127.0.0.1:{port}/", requests: 2, clients: 1);
        Assert.All(down.Samples, s => Assert.Equal(("", 0), (s.Backend, s.Status)));
        kb.Restart(1);
        kb.Restart(1);
        Assert.True(kb.IsRunning(1));
        Assert.Equal(port, kb.Port(1));
        Assert.Equal("y", Real.Get($"http://127.0.0.1:{port}/"));
        Assert.Equal(new[] { 0, 1 }, kb.Served);
        kb.Dispose();
        Assert.False(kb.IsRunning(0) || kb.IsRunning(1));
        Assert.False(LbPorts.Accepts(port));
    }

    [Fact]
    public void A_backend_serves_at_most_its_capacity_at_once_and_queues_the_rest()
    {
        using var kb = KestrelBackends.Start([new BackendSpec("x", 40, 1)], LbPorts.Block(1));
        var run = LoadDriver.Run("direct", $"http://127.0.0.1:{kb.Port(0)}/", requests: 4, clients: 2,
            timeout: TimeSpan.FromSeconds(3));
        Assert.Equal(0, run.Errors);
        Assert.Equal(4, kb.Served[0]);
        // Two clients, one slot: one of the first two requests waited a whole service time for the other.
        Assert.InRange(run.Samples.Max(s => s.LatencyMs), 60, 3_000);
        // The work measured excludes that wait.
        Assert.InRange(kb.MeanWorkMs[0], 25, 150);
    }

    [Fact]
    public void A_first_start_on_a_taken_port_moves_ten_ports_up_and_a_restart_keeps_it()
    {
        int first = LbPorts.Block(1);
        using (LbPorts.Occupy(first))
        {
            using var kb = KestrelBackends.Start([new BackendSpec("x", 1, 1)], first);
            Assert.Equal(first + 10, kb.Port(0));
            Assert.Equal("x", Real.Get($"http://127.0.0.1:{first + 10}/"));
            kb.Stop(0);
            kb.Restart(0);
            Assert.Equal(first + 10, kb.Port(0));
            Assert.Equal("x", Real.Get($"http://127.0.0.1:{first + 10}/"));
        }
    }

    [Fact]
    public void A_set_whose_backend_cannot_bind_after_five_tries_stops_the_others_and_throws()
    {
        int first = LbPorts.Block(20);
        var taken = Enumerable.Range(0, 5).Select(k => LbPorts.Occupy(first + 1 + 10 * k)).ToArray();
        try
        {
            Assert.ThrowsAny<Exception>(() => KestrelBackends.Start(
                [new BackendSpec("a", 1, 1), new BackendSpec("b", 1, 1)], first));
            Assert.False(LbPorts.Accepts(first), "the backend that did start was stopped again");
        }
        finally
        {
            foreach (var t in taken) t.Dispose();
        }
    }

    [Fact]
    public void A_restart_waits_for_its_own_port_to_come_free()
    {
        using var kb = KestrelBackends.Start([new BackendSpec("x", 1, 1)], LbPorts.Block(1));
        int port = kb.Port(0);
        kb.Stop(0);
        var taken = LbPorts.Occupy(port);
        var restart = Task.Run(() => kb.Restart(0));
        Thread.Sleep(150);
        Assert.False(restart.IsCompleted);
        taken.Dispose();
        Assert.True(restart.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(port, kb.Port(0));
        Assert.Equal("x", Real.Get($"http://127.0.0.1:{port}/"));
    }
}

[Collection(RealPartsCollection.Name)]
public sealed class ProxyProcessTests
{
    [Fact]
    public void Start_guards_name_their_parameters()
    {
        Null("config", () => ProxyProcess.StartHaproxy(Real.Haproxy, null!, 30_000));
        Null("config", () => ProxyProcess.StartNginx(Real.Nginx, null!, 30_000));
        Invalid("binary", () => ProxyProcess.StartHaproxy("", _ => "global", 30_000));
        Null("binary", () => ProxyProcess.StartNginx(null!, _ => "events {}", 30_000));
        Invalid("config", () => ProxyProcess.StartHaproxy(Real.Haproxy, _ => "", 30_000));
        OutOfRange("port", () => ProxyProcess.StartHaproxy(Real.Haproxy, _ => "global", 1023));
        OutOfRange("port", () => ProxyProcess.StartNginx(Real.Nginx, _ => "events {}", 65_536));
    }

    [Fact]
    public void Haproxy_runs_in_its_own_folder_as_the_service_account_balances_and_reports_its_servers()
    {
        using var kb = Real.Two(w0: 2, w1: 1);
        int first = LbPorts.Block(2);
        string folder;
        int port;
        using (var lb = ProxyProcess.StartHaproxy(Real.Haproxy, p => LbConfigs.Haproxy(kb,
                   LbConfigs.Fronts(p, ("rr", "roundrobin", true), ("lc", "leastconn", false)),
                   checks: new HaproxyChecks(InterMs: 50, Fall: 2, Rise: 1)), first))
        {
            folder = lb.Folder;
            port = lb.Port;
            // Started means ready: the port accepts and the admin socket answers.
            Assert.True(File.Exists(Path.Combine(folder, "admin.sock")));
            Assert.Contains("Name: HAProxy", lb.HaproxyCommand("show info"));
            Assert.Equal(first, port);
            Assert.Equal($"http://127.0.0.1:{first}/", lb.Url);
            Assert.True(lb.Running);
            Assert.Equal(Real.StateRoot, Path.GetDirectoryName(folder));
            Assert.StartsWith($"haproxy-{Environment.ProcessId}-", Path.GetFileName(folder), StringComparison.Ordinal);
            Assert.Equal(40, Path.GetFileName(folder).Length);
            string cfg = File.ReadAllText(Path.Combine(folder, "haproxy.cfg"));
            Assert.Contains($"stats socket {folder}/admin.sock mode 600", cfg);
            Assert.DoesNotContain("{dir}", cfg);
            Assert.Equal(Real.ServiceAccount, Real.Owner(Path.Combine(folder, "admin.sock")));
            Invalid("command", () => lb.HaproxyCommand(""));

            Real.WaitUntil(() => lb.HaproxyServers("rr").Values.Concat(lb.HaproxyServers("lc").Values)
                .All(s => s.Status.StartsWith("UP", StringComparison.Ordinal)), "every server UP");
            var rr = lb.HaproxyServers("rr");
            Assert.Equal(new[] { "x", "y" }, rr.Keys.Order());
            Assert.Equal((2, 1), (rr["x"].Weight, rr["y"].Weight));
            Assert.All(rr.Values, s => Assert.InRange(s.Health, 1, 2));   // rise … rise + fall − 1
            var lc = lb.HaproxyServers("lc");
            Assert.Equal((100, 100), (lc["x"].Weight, lc["y"].Weight));
            Assert.Empty(lb.HaproxyServers());   // no section "be" here

            var run = LoadDriver.Run("haproxy", lb.Url, requests: 30, clients: 1);
            Assert.Equal(new[] { 20, 10 }, run.CountsFor(["x", "y"]));
            var run2 = LoadDriver.Run("haproxy", $"http://127.0.0.1:{first + 1}/", requests: 10, clients: 1);
            Assert.Equal(0, run2.Errors);
        }
        Assert.False(Directory.Exists(folder));
        // Killed: HAProxy (a grandchild under runuser) closes its listener a moment later.
        Real.WaitUntil(() => !LbPorts.Accepts(port), "the killed HAProxy's port refuses connections");
    }

    [Fact]
    public void The_folders_lie_under_sdn_state_dir_when_it_is_set_and_the_service_account_may_write_there()
    {
        string state = Directory.CreateTempSubdirectory("sdn-lb-").FullName;
        File.SetUnixFileMode(state, (UnixFileMode)0b111_101_101);
        string? old = Environment.GetEnvironmentVariable("SDN_STATE_DIR");
        try
        {
            Environment.SetEnvironmentVariable("SDN_STATE_DIR", state);
            using var kb = Real.Two();
            using var ng = ProxyProcess.StartNginx(Real.Nginx, p => LbConfigs.Nginx(kb, p, ""), LbPorts.Block(1));
            Assert.Equal(Path.Combine(state, "nb09"), Path.GetDirectoryName(ng.Folder));
            Assert.Equal((UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit,
                File.GetUnixFileMode(Path.Combine(state, "nb09")));
            Assert.Equal((UnixFileMode)0b111_111_111, File.GetUnixFileMode(ng.Folder));
            Assert.Equal(0, LoadDriver.Run("nginx", ng.Url, requests: 2, clients: 1).Errors);
            // An empty variable counts as unset.
            Environment.SetEnvironmentVariable("SDN_STATE_DIR", "");
            using var other = ProxyProcess.StartNginx(Real.Nginx, p => LbConfigs.Nginx(kb, p, ""), LbPorts.Block(1));
            Assert.Equal(Path.Combine(Path.GetTempPath(), "sdn-nb09"), Path.GetDirectoryName(other.Folder));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SDN_STATE_DIR", old);
            try { Directory.Delete(state, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void A_proxy_that_cannot_start_reports_its_log_and_leaves_no_folder()
    {
        int port = LbPorts.Block(1);
        string prefix = $"haproxy-{Environment.ProcessId}-";
        int Folders() => Directory.Exists(Real.StateRoot)
            ? Directory.GetDirectories(Real.StateRoot, prefix + "*").Length : 0;
        int before = Folders();
        var e = Assert.Throws<InvalidOperationException>(() =>
            ProxyProcess.StartHaproxy(Real.Haproxy, _ => "this is no configuration\n", port));
        Assert.StartsWith($"haproxy did not start on 127.0.0.1:{port}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("this", e.Message[40..]);
        Assert.False(char.IsWhiteSpace(e.Message[^1]), "the log is trimmed");
        Assert.Equal(before, Folders());
    }

    [Fact]
    public void A_taken_proxy_port_moves_the_proxy_ten_ports_up()
    {
        using var kb = Real.Two();
        int first = LbPorts.Block(1);
        using (LbPorts.Occupy(first))
        {
            using var lb = ProxyProcess.StartHaproxy(Real.Haproxy, p => LbConfigs.Haproxy(kb, p, "roundrobin"), first);
            Assert.Equal(first + 10, lb.Port);
            Assert.Equal(0, LoadDriver.Run("haproxy", lb.Url, requests: 2, clients: 1).Errors);
        }
    }

    [Fact]
    public void Nginx_proxies_each_server_block_and_its_test_mode_checks_a_configuration()
    {
        using var kb = Real.Two(w0: 1, w1: 1);
        int first = LbPorts.Block(2);
        string folder;
        using (var ng = ProxyProcess.StartNginx(Real.Nginx,
                   p => LbConfigs.Nginx(kb, [(p, "", true), (p + 1, "random;", false)]), first))
        {
            folder = ng.Folder;
            Assert.StartsWith($"nginx-{Environment.ProcessId}-", Path.GetFileName(folder), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(folder, "nginx.conf")));
            var run = LoadDriver.Run("nginx", ng.Url, requests: 10, clients: 1);
            Assert.Equal(new[] { 5, 5 }, run.CountsFor(["x", "y"]));
            Assert.Equal(0, LoadDriver.Run("nginx", $"http://127.0.0.1:{first + 1}/", requests: 4, clients: 1).Errors);
            Assert.Equal(Real.ServiceAccount, Real.Owner(Path.Combine(folder, "error.log")));
        }
        Assert.False(Directory.Exists(folder));
        var ok = ProxyProcess.TestNginx(Real.Nginx, LbConfigs.Nginx(kb, 40_000, "least_conn;"));
        Assert.True(ok.Accepted, ok.Message);
        Assert.Contains("syntax is ok", ok.Message);
        Assert.False(char.IsWhiteSpace(ok.Message[^1]), "the message is trimmed");
        var bad = ProxyProcess.TestNginx(Real.Nginx, LbConfigs.Nginx(kb, 40_000, "no_such_directive;"));
        Assert.False(bad.Accepted);
        Assert.Contains("no_such_directive", bad.Message);
        Assert.Empty(Directory.GetDirectories(Real.StateRoot, $"nginx-t-{Environment.ProcessId}-*"));
    }
}

[Collection(RealPartsCollection.Name)]
public sealed class LoadDriverTests
{
    [Fact]
    public void Run_guards_name_their_parameters()
    {
        const string url = "http://127.0.0.1:1/";
        OutOfRange("users", () => LoadDriver.Run("b", url, 1, 1, users: -1));
        Null("url", () => LoadDriver.Run("b", null!, 1, 1));
        Invalid("url", () => LoadDriver.Run("b", "", 1, 1));
        OutOfRange("requests", () => LoadDriver.Run("b", url, 0, 1));
        OutOfRange("clients", () => LoadDriver.Run("b", url, 1, 0));
        OutOfRange("clients", () => LoadDriver.Run("b", url, 1, 1_001));
        OutOfRange("warmup", () => LoadDriver.Run("b", url, 1, 1, warmup: -1));
        Invalid("balancer", () => LoadDriver.Run("", url, 1, 1));
    }

    [Fact]
    public void Failures_are_samples_with_status_zero_or_the_proxys_status_and_no_backend()
    {
        int free = LbPorts.Block(1);
        var refused = LoadDriver.Run("none", $"http://127.0.0.1:{free}/", requests: 3, clients: 2);
        Assert.Equal("none", refused.Balancer);
        Assert.Equal(3, refused.Samples.Count);
        Assert.All(refused.Samples, s => Assert.Equal(("", 0), (s.Backend, s.Status)));
        Assert.Equal(3, refused.Errors);

        using var kb = KestrelBackends.Start([new BackendSpec("slow", 400, 4)], LbPorts.Block(1));
        var timedOut = LoadDriver.Run("slow", $"http://127.0.0.1:{kb.Port(0)}/", requests: 1, clients: 1,
            timeout: TimeSpan.FromMilliseconds(100));
        Assert.Equal(("", 0), (timedOut.Samples[0].Backend, timedOut.Samples[0].Status));

        using var lb = ProxyProcess.StartHaproxy(Real.Haproxy,
            p => LbConfigs.Haproxy(kb, p, "roundrobin", without: new HashSet<int> { 0 }), LbPorts.Block(1));
        var unavailable = LoadDriver.Run("haproxy", lb.Url, requests: 2, clients: 1);
        Assert.All(unavailable.Samples, s => Assert.Equal(("", 503), (s.Backend, s.Status)));
    }

    [Fact]
    public void Users_key_requests_by_number_and_reach_a_hashing_balancer_in_the_x_user_header()
    {
        using var kb = Real.Two();
        using var lb = ProxyProcess.StartHaproxy(Real.Haproxy,
            p => LbConfigs.Haproxy(kb, p, LbConfigs.HaproxyBalance(Algorithm.ConsistentHash)!), LbPorts.Block(1));
        var run = LoadDriver.Run("hash", lb.Url, requests: 48, clients: 3, warmup: 5, users: 12);
        Assert.Equal(48, run.Samples.Count);
        Assert.Equal(0, run.Errors);
        Assert.Equal(Enumerable.Range(0, 12), run.Samples.Select(s => s.Client).Distinct().Order());
        Assert.All(run.Samples.GroupBy(s => s.Client), g => Assert.Equal(4, g.Count()));
        Assert.Equal(1, run.MaxBackendsPerUser);
        Assert.Equal(2, run.BackendOfUser().Values.Distinct().Count());
        Assert.Equal(53, kb.Served.Sum());
        Assert.Equal(run.Samples.OrderBy(s => s.StartMs), run.Samples);
        // Milliseconds on the run's own clock: positive, and well inside the 5 s timeout of one request.
        Assert.All(run.Samples, s => Assert.InRange(s.LatencyMs, 1e-3, 5_000));
        Assert.All(run.Samples, s => Assert.InRange(s.StartMs, 0, 60_000));

        // Without users, client c is user c: 2 clients, 2 users, each stuck to one backend.
        var byClient = LoadDriver.Run("hash", lb.Url, requests: 12, clients: 2);
        Assert.All(byClient.Samples, s => Assert.InRange(s.Client, 0, 1));
        Assert.Equal(1, byClient.MaxBackendsPerUser);
        // One client, users 3: requests 0, 1, 2, 0, 1, 2 in order.
        var seq = LoadDriver.Run("hash", lb.Url, requests: 6, clients: 1, users: 3);
        Assert.Equal(new[] { 0, 1, 2, 0, 1, 2 }, seq.Samples.Select(s => s.Client));
    }
}

[Collection(RealPartsCollection.Name)]
public sealed class YarpProxyTests
{
    [Fact]
    public void Start_guards_name_their_parameters()
    {
        Null("backends", () => YarpProxy.Start(null!, ["RoundRobin"], 30_000));
        using var kb = KestrelBackends.Start([new BackendSpec("x", 1, 1)], LbPorts.Block(1));
        Invalid("policies", () => YarpProxy.Start(kb, [], 30_000));
        Null("policies", () => YarpProxy.Start(kb, null!, 30_000));
    }

    [Fact]
    public void Each_policy_listens_on_its_own_port_and_balances_as_named()
    {
        using var kb = Real.Two();
        int first = LbPorts.Block(2);
        using (LbPorts.Occupy(first + 1))
        {
            // The first policy starts on `first`, the second cannot: both move 10 up, the first one stopped.
            using var yarp = YarpProxy.Start(kb, ["RoundRobin", "FirstAlphabetical"], first);
            Assert.Equal(first + 10, yarp.Port);
            Assert.False(LbPorts.Accepts(first));
            Assert.Equal($"http://127.0.0.1:{first + 11}/", yarp.Url(1));
            var rr = LoadDriver.Run("yarp", yarp.Url(0), requests: 6, clients: 1);
            Assert.Equal(new[] { 3, 3 }, rr.CountsFor(["x", "y"]));
            var alpha = LoadDriver.Run("yarp", yarp.Url(1), requests: 4, clients: 1);
            Assert.Equal(new[] { 4, 0 }, alpha.CountsFor(["x", "y"]));
            yarp.Dispose();
            Assert.False(LbPorts.Accepts(first + 10));
            Assert.False(LbPorts.Accepts(first + 11));
        }
    }
}

[Collection(RealPartsCollection.Name)]
public sealed class RealLabTests2
{
    private static readonly BackendSpec[] Specs = [new("p", 2, 4, 3), new("q", 2, 4, 1)];

    private static T WithLbPort<T>(string? value, Func<T> body)
    {
        string? old = Environment.GetEnvironmentVariable("SDN_LB_PORT");
        Environment.SetEnvironmentVariable("SDN_LB_PORT", value);
        try { return body(); }
        finally { Environment.SetEnvironmentVariable("SDN_LB_PORT", old); }
    }

    private static T WithLbPort<T>(int port, Func<T> body) => WithLbPort(port.ToString(), body);

    [Fact]
    public void Ports_come_from_sdn_lb_port_or_the_default()
    {
        Assert.Equal((31_000, 31_050), WithLbPort(31_000, () => (RealLab.BackendPort, RealLab.ProxyPort)));
        Assert.Equal((27_100, 27_150), WithLbPort(null, () => (RealLab.BackendPort, RealLab.ProxyPort)));
        Assert.Equal(27_100, WithLbPort("nonsense", () => RealLab.BackendPort));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => WithLbPort(1023, () => RealLab.BackendPort));
        Assert.Equal("p", e.ParamName);
        Assert.Equal(64_000, WithLbPort(64_000, () => RealLab.BackendPort));
        Assert.Equal(1024, WithLbPort(1024, () => RealLab.BackendPort));
    }

    [Fact]
    public void Backends_are_started_once_per_specs_and_stopped_ones_come_back()
    {
        Null("specs", () => RealLab.Backends(null!));
        Invalid("specs", () => RealLab.Backends([]));
        int port = LbPorts.Block(4);
        var kb = WithLbPort(port, () => RealLab.Backends(Specs));
        Assert.Equal(port, kb.Port(0));
        Assert.Same(kb, RealLab.Backends(Specs.ToArray()));
        kb.Stop(1);
        Assert.Same(kb, RealLab.Backends(Specs));
        Assert.True(kb.IsRunning(1));
        var other = WithLbPort(port + 2, () => RealLab.Backends([new BackendSpec("z", 1, 1)]));
        Assert.NotSame(kb, other);
        Assert.False(kb.IsRunning(0));   // the old set was disposed
        Assert.Equal(port + 2, other.Port(0));
        other.Dispose();
    }

    [Fact]
    public void Overhead_is_latency_minus_the_time_inside_the_backend_measured_in_the_run()
    {
        var run = new RealRun("r", [new Sample(0, "a", 10, 0, 200, 7), new Sample(1, "a", 5, 0, 200, 4),
            new Sample(2, "", 99, 0, 0), new Sample(3, "a", 8, 0, 200)]);
        Assert.Equal(2.0, run.OverheadMs, 12);   // (10 − 7 + 5 − 4) / 2: failures and NaN left out
        Assert.True(double.IsNaN(new RealRun("r", [new Sample(0, "a", 10, 0, 200)]).OverheadMs));
        // One backend, one slot, 300 ms of work, two clients: the second waits ~300 ms in the backend's
        // queue. That wait is the backend's, not overhead: what is left is far below the service time.
        using var kb = KestrelBackends.Start([new BackendSpec("x", 300, 1)], LbPorts.Block(1));
        var real = LoadDriver.Run("direct", $"http://127.0.0.1:{kb.Port(0)}/", requests: 4, clients: 2);
        Assert.InRange(real.Quantile(1.0), 500, 5_000);
        // ≥ the work (less 10 ms: Task.Delay's timer can fire a tick early, 298.4 ms seen) and ≤ the latency.
        Assert.All(real.Samples, s => Assert.InRange(s.ServerMs, 290, s.LatencyMs));
        Assert.InRange(real.OverheadMs, 0.001, 150);
    }

    [Fact]
    public void Compare_runs_the_real_balancer_and_the_model_of_the_same_workload()
    {
        Null("backends", () => RealLab.Compare("b", "http://127.0.0.1:1/", Algorithm.RoundRobin, null!, false, 10, 1));
        Invalid("balancer", () => RealLab.Compare("", "http://127.0.0.1:1/", Algorithm.RoundRobin, null!, false, 10, 1));
        using var kb = KestrelBackends.Start(Specs, LbPorts.Block(2));
        OutOfRange("requests", () => RealLab.Compare("b", "http://127.0.0.1:1/", Algorithm.RoundRobin, kb, false, 9, 1));
        OutOfRange("clients", () => RealLab.Compare("b", "http://127.0.0.1:1/", Algorithm.RoundRobin, kb, false, 10, 0));
        Invalid("url", () => RealLab.Compare("b", "", Algorithm.RoundRobin, kb, false, 10, 1));
        string closed = $"http://127.0.0.1:{LbPorts.Block(1)}/";
        Invalid("url", () => RealLab.Compare("b", closed, Algorithm.RoundRobin, kb, false, 10, 1),
            $"no answer through {closed} carried X-Server-Ms (10 of 10 failed)");
        using var lb = ProxyProcess.StartHaproxy(Real.Haproxy, p => LbConfigs.Haproxy(kb, p, "roundrobin"),
            LbPorts.Block(1));
        var weighted = RealLab.Compare("haproxy", lb.Url, Algorithm.WeightedRoundRobin, kb, weighted: true,
            requests: 40, clients: 2);
        Assert.Equal(("haproxy", "WeightedRoundRobin", 40, 0), (weighted.Balancer, weighted.Algorithm,
            weighted.Requests, weighted.Errors));
        Assert.Equal(new[] { 0.75, 0.25 }, weighted.ModelShares);
        Assert.InRange(weighted.RealShares[0], 0.6, 0.9);
        Assert.Equal(1, weighted.RealShares.Sum(), 9);
        Assert.True(weighted.WorstShareGap < 0.15);
        Assert.All(weighted.WorkMs, w => Assert.InRange(w, 1.5, 200));
        Assert.True(weighted.OverheadMs > 0);
        // The model's backends take the measured work plus the overhead, and nobody queues (2 clients, 8 slots).
        Assert.InRange(weighted.ModelP50Ms, weighted.WorkMs.Min() + weighted.OverheadMs - 1e-9,
            weighted.WorkMs.Max() + weighted.OverheadMs + 1e-9);
        Assert.InRange(weighted.ModelP99Ms, weighted.ModelP50Ms, weighted.WorkMs.Max() + weighted.OverheadMs + 1e-9);
        Assert.True(weighted.RealP50Ms > 0 && weighted.RealP99Ms >= weighted.RealP50Ms);
        // Unweighted: the model gives every backend weight 1.
        var even = RealLab.Compare("haproxy", lb.Url, Algorithm.WeightedRoundRobin, kb, weighted: false,
            requests: 10, clients: 1);
        Assert.Equal(new[] { 0.5, 0.5 }, even.ModelShares);
    }
}

[Collection(RealPartsCollection.Name)]
public sealed class HaproxyHealthLabTests
{
    [Fact]
    public void A_stopped_backend_goes_down_comes_back_up_and_ramps_its_weight_during_slow_start()
    {
        var checks = new HaproxyChecks(InterMs: 40, Fall: 3, Rise: 1, SlowStartMs: 2_000);
        Null("checks", () => HaproxyHealthLab.FailAndRecover(null!, null!, 0, null!));
        Null("haproxy", () => HaproxyHealthLab.FailAndRecover(null!, null!, 0, checks));
        using var kb = Real.Warm(KestrelBackends.Start([new BackendSpec("x", 1, 4, 20), new BackendSpec("y", 1, 4, 20)],
            LbPorts.Block(2)));
        using var lb = ProxyProcess.StartHaproxy(Real.Haproxy, p => LbConfigs.Haproxy(kb, p, "roundrobin", checks: checks),
            LbPorts.Block(1));
        Null("backends", () => HaproxyHealthLab.FailAndRecover(lb, null!, 0, checks));
        OutOfRange("index", () => HaproxyHealthLab.FailAndRecover(lb, kb, 2, checks));
        OutOfRange("index", () => HaproxyHealthLab.FailAndRecover(lb, kb, -1, checks));
        OutOfRange("rampMs", () => HaproxyHealthLab.FailAndRecover(lb, kb, 0, checks, rampMs: 5_001));
        OutOfRange("pollMs", () => HaproxyHealthLab.FailAndRecover(lb, kb, 0, checks, pollMs: 0));
        OutOfRange("phaseMs", () => HaproxyHealthLab.FailAndRecover(lb, kb, 0, checks, phaseMs: 40.5));
        try
        {
            // A check that timed out while the fresh backends warmed up would have put y in slow start.
            Real.WaitUntil(() => lb.HaproxyServers()["y"] is { Weight: 20 } y && y.Status.StartsWith("UP"),
                "y UP at full weight");
            // Slow start of 2 s: over a 300 ms window the weight stays low (HAProxy raises it once a second).
            var run = HaproxyHealthLab.FailAndRecover(lb, kb, 1, checks, rampMs: 300, pollMs: 2, phaseMs: 10);
            Assert.Equal(20, run.FullWeight);
            Assert.Equal(10, run.PhaseMs);
            Assert.True(run.DownAfterMs > 0 && run.UpAfterMs > 0 && run.RestartMs >= 0);
            Assert.True(run.UpAfterMs >= run.RestartMs);
            Assert.True(run.Ramp.Count >= 2, "several weights sampled during slow start");
            Assert.All(run.Ramp, r => Assert.InRange(r.Weight, 0, 19));
            Assert.All(run.Ramp.Zip(run.Ramp.Skip(1)), p =>
            {
                Assert.True(p.Second.Ms > p.First.Ms);
                Assert.True(p.Second.Weight >= p.First.Weight);
            });
            Assert.InRange(run.Ramp[^1].Ms, 0, 300);
            Assert.True(kb.IsRunning(1));
            var yState = lb.HaproxyServers()["y"];
            Assert.True(yState.Status.StartsWith("UP", StringComparison.Ordinal), $"[{yState}]");
            // Without slow start the first sample is the full weight, and sampling stops there.
            using var plain = ProxyProcess.StartHaproxy(Real.Haproxy,
                p => LbConfigs.Haproxy(kb, p, "roundrobin", checks: checks with { SlowStartMs = 0 }), LbPorts.Block(1));
            var full = HaproxyHealthLab.FailAndRecover(plain, kb, 1, checks, rampMs: 2_000);
            Assert.Equal(0, full.PhaseMs);
            Assert.Equal((0.0, 20), Assert.Single(full.Ramp) with { Ms = 0 });
        }
        finally
        {
            for (int i = 0; i < kb.Count; i++) kb.Restart(i);
        }
    }
}
