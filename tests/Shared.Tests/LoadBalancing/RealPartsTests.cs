using System.Diagnostics;
using SystemDesign.LoadBalancing;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.LoadBalancing;

/// <summary>The tests that start Kestrel backends, HAProxy, nginx or YARP: one at a time (they share the
/// process-wide RealLab backends and the SDN_LB_PORT variable), on ports of <see cref="LbPorts"/>.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealPartsCollection : ICollectionFixture<ProxyLeftovers>
{
    public const string Name = "LoadBalancing real parts";
}

/// <summary>After the real-part tests: kills any HAProxy or nginx this test process started that is still
/// running (a mutant of ProxyProcess.Dispose would leave them behind, listening) and removes their folders.
/// Only processes whose command line names a folder of this process (…/haproxy-&lt;pid&gt;-…) are touched.</summary>
public sealed class ProxyLeftovers : IDisposable
{
    private static readonly System.Text.RegularExpressions.Regex Folder =
        new(@"/(?:haproxy|nginx)-(\d+)-[0-9a-f]+/", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Also at the start: proxies whose creating test process is gone (one Stryker stopped after a
    /// timeout never ran Dispose) are orphans nobody else will stop.</summary>
    public ProxyLeftovers() => Kill(owner => !Directory.Exists($"/proc/{owner}"));

    public void Dispose()
    {
        Kill(owner => owner == Environment.ProcessId);
        string[] marks = [$"/haproxy-{Environment.ProcessId}-", $"/nginx-{Environment.ProcessId}-"];
        if (!Directory.Exists(Real.StateRoot)) return;
        foreach (var m in marks)
            foreach (var dir in Directory.GetDirectories(Real.StateRoot, m.Trim('/') + "*"))
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Kills the HAProxy/nginx processes (and their runuser parents) running from a folder of
    /// <see cref="Real.StateRoot"/> whose creating process id satisfies <paramref name="mine"/>.</summary>
    private static void Kill(Func<int, bool> mine)
    {
        string root = Real.StateRoot + "/";
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            string cmd;
            try { cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            int at = cmd.IndexOf(root, StringComparison.Ordinal);
            if (at < 0) continue;
            var m = Folder.Match(cmd, at + root.Length - 1);
            if (!m.Success || !int.TryParse(m.Groups[1].Value, out int owner) || !mine(owner)) continue;
            try { using var p = Process.GetProcessById(pid); p.Kill(); p.WaitForExit(2_000); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException
                or System.ComponentModel.Win32Exception) { }
        }
    }
}

internal static class Real
{
    public const string Haproxy = "/usr/sbin/haproxy";
    public const string Nginx = "/usr/sbin/nginx";

    public static KestrelBackends Two(double serviceMs = 1, int capacity = 4, int w0 = 2, int w1 = 1) =>
        Warm(KestrelBackends.Start(
            [new BackendSpec("x", serviceMs, capacity, w0), new BackendSpec("y", serviceMs, capacity, w1)],
            LbPorts.Block(2)));

    /// <summary>One /health request to each backend, so that the first health check of a proxy does not pay
    /// for compiling the endpoint (a check slower than its 100 ms timeout fails).</summary>
    public static KestrelBackends Warm(KestrelBackends kb)
    {
        for (int i = 0; i < kb.Count; i++) Get($"http://127.0.0.1:{kb.Port(i)}/health");
        return kb;
    }

    /// <summary>Polls a condition every 10 ms for up to 5 s; fails the test when it never holds.</summary>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.ElapsedMilliseconds < 5_000, $"not within 5 s: {what}");
            Thread.Sleep(10);
        }
    }

    public static string Get(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return http.GetStringAsync(url).GetAwaiter().GetResult();
    }

    /// <summary>The account owning a file (stat -c %U).</summary>
    public static string Owner(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%U", path])
            { RedirectStandardOutput = true })!;
        string owner = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return owner;
    }

    /// <summary>The account ProxyProcess runs the balancers as: sdn when root and sdn exists.</summary>
    public static string ServiceAccount =>
        Environment.UserName == "root" && File.Exists("/usr/sbin/runuser")
        && File.ReadLines("/etc/passwd").Any(l => l.StartsWith("sdn:", StringComparison.Ordinal))
            ? "sdn" : Environment.UserName;

    public static string StateRoot => Environment.GetEnvironmentVariable("SDN_STATE_DIR") is { Length: > 0 } s
        ? Path.Combine(s, "nb09") : Path.Combine(Path.GetTempPath(), "sdn-nb09");
}

[Collection(RealPartsCollection.Name)]
public sealed class LbConfigsTests
{
    [Fact]
    public void Balance_names_map_every_algorithm_to_haproxy_nginx_and_yarp()
    {
        Assert.Equal(new string?[] { "roundrobin", "roundrobin", "random(1)", "leastconn", null, "random(2)",
                "hdr(X-User)\n    hash-type consistent" },
            Enum.GetValues<Algorithm>().Select(LbConfigs.HaproxyBalance));
        Assert.Equal(new string?[] { "", "", "random;", "least_conn;", null, "random two least_conn;",
                "hash $http_x_user consistent;" },
            Enum.GetValues<Algorithm>().Select(LbConfigs.NginxBalance));
        Assert.Equal(new string?[] { "RoundRobin", null, "Random", "LeastRequests", null, "PowerOfTwoChoices", null },
            Enum.GetValues<Algorithm>().Select(YarpProxy.Policy));
        Assert.Equal(new[] { new HaproxyFront("a", 500, "roundrobin", true), new HaproxyFront("b", 501, "leastconn") },
            LbConfigs.Fronts(500, ("a", "roundrobin", true), ("b", "leastconn", false)));
        Assert.Equal(new HaproxyChecks(100, 3, 2, 0), new HaproxyChecks());
        Assert.Equal((100, 100), (LbConfigs.CheckTimeoutMs, LbConfigs.UnweightedWeight));
    }

    [Fact]
    public void Haproxy_configuration_is_exactly_this_text()
    {
        using var kb = Real.Two();
        int p0 = kb.Port(0), p1 = kb.Port(1);
        string head = """
            global
                nbthread 2
                maxconn 2000
                stats socket {dir}/admin.sock mode 600 level admin
            defaults

            """;
        string timeouts = """
                timeout connect 1s
                timeout client 10s
                timeout server 10s
                timeout check 100ms

            """;
        Assert.Equal(head + "    mode http\n" + timeouts + $$"""
            frontend fe_be
                bind 127.0.0.1:40000
                default_backend be
            backend be
                balance roundrobin
                option httpchk GET /health
                server x 127.0.0.1:{{p0}} id 1 weight 2 check inter 50 fall 4 rise 3 slowstart 700ms
                server y 127.0.0.1:{{p1}} id 2 weight 1 check inter 50 fall 4 rise 3 slowstart 700ms

            """, LbConfigs.Haproxy(kb, 40_000, "roundrobin", checks: new HaproxyChecks(50, 4, 3, 700)));
        // L4: mode tcp and no HTTP check (the servers keep a TCP check); slow start 0 writes none.
        Assert.Equal(head + "    mode tcp\n" + timeouts + $$"""
            frontend fe_be
                bind 127.0.0.1:40000
                default_backend be
            backend be
                balance leastconn
                server y 127.0.0.1:{{p1}} id 2 weight 1 check inter 100 fall 3 rise 2

            """, LbConfigs.Haproxy(kb, 40_000, "leastconn", tcp: true, checks: new HaproxyChecks(),
            without: new HashSet<int> { 0 }));
        // Several frontends; unweighted servers get the even weight; no checks.
        Assert.Equal(head + "    mode http\n" + timeouts + $$"""
            frontend fe_rr
                bind 127.0.0.1:40000
                default_backend rr
            backend rr
                balance roundrobin
                server x 127.0.0.1:{{p0}} id 1 weight 2
                server y 127.0.0.1:{{p1}} id 2 weight 1
            frontend fe_lc
                bind 127.0.0.1:40001
                default_backend lc
            backend lc
                balance leastconn
                server x 127.0.0.1:{{p0}} id 1 weight 100
                server y 127.0.0.1:{{p1}} id 2 weight 100

            """, LbConfigs.Haproxy(kb, LbConfigs.Fronts(40_000, ("rr", "roundrobin", true), ("lc", "leastconn", false))));
        Null("backends", () => LbConfigs.Haproxy(null!, 40_000, "roundrobin"));
        Null("backends", () => LbConfigs.Haproxy(null!, [new HaproxyFront("a", 40_000, "x")]));
        Invalid("fronts", () => LbConfigs.Haproxy(kb, Array.Empty<HaproxyFront>()));
        OutOfRange("Port", () => LbConfigs.Haproxy(kb, 1023, "roundrobin"));
        OutOfRange("Port", () => LbConfigs.Haproxy(kb, 65_536, "roundrobin"));
        Invalid("Balance", () => LbConfigs.Haproxy(kb, 40_000, ""));
    }

    [Fact]
    public void Nginx_configuration_is_exactly_this_text()
    {
        using var kb = Real.Two();
        int p0 = kb.Port(0), p1 = kb.Port(1);
        string head = """
            daemon off;
            master_process off;
            pid {dir}/nginx.pid;
            error_log {dir}/error.log warn;
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path {dir}/client_body;
                proxy_temp_path {dir}/proxy;
                fastcgi_temp_path {dir}/fastcgi;
                uwsgi_temp_path {dir}/uwsgi;
                scgi_temp_path {dir}/scgi;

            """;
        static string Server(int f, int port) => $$"""
                    keepalive 64;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://be{{f}};
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }

            """;
        Assert.Equal(head + $$"""
                upstream be0 {
                    least_conn;
                    server 127.0.0.1:{{p0}} weight=2 slow_start=30s;
                    server 127.0.0.1:{{p1}} weight=1 slow_start=30s;

            """ + Server(0, 40_001) + "}\n", LbConfigs.Nginx(kb, 40_001, "least_conn;", "slow_start=30s"));
        Assert.Equal(head + $$"""
                upstream be0 {
                    server 127.0.0.1:{{p0}} weight=2;
                    server 127.0.0.1:{{p1}} weight=1;

            """ + Server(0, 40_001) + $$"""
                upstream be1 {
                    random;
                    server 127.0.0.1:{{p0}} weight=1;
                    server 127.0.0.1:{{p1}} weight=1;

            """ + Server(1, 40_002) + "}\n", LbConfigs.Nginx(kb, [(40_001, "", true), (40_002, "random;", false)]));
        Null("backends", () => LbConfigs.Nginx(null!, 40_000, ""));
        Invalid("fronts", () => LbConfigs.Nginx(kb, Array.Empty<(int, string, bool)>()));
        Null("serverExtra", () => LbConfigs.Nginx(kb, 40_000, "", null!));
        OutOfRange("fronts", () => LbConfigs.Nginx(kb, 1023, ""));
        OutOfRange("fronts", () => LbConfigs.Nginx(kb, 65_536, ""));
    }
}

public sealed class RealRunTests
{
    private static readonly Sample[] Samples =
    [
        new(0, "a", 10, 0, 200), new(1, "b", 30, 1, 200), new(0, "b", 20, 2, 200), new(2, "", 99, 3, 503),
        new(1, "b", 40, 4, 200), new(3, "", 5, 5, 0),
    ];

    [Fact]
    public void A_real_run_counts_shares_quantiles_and_users_over_successful_requests()
    {
        var run = new RealRun("lb", Samples);
        Assert.Equal(new[] { 1, 3, 0 }, run.CountsFor(["a", "b", "c"]));
        Assert.Equal(new[] { 0.25, 0.75, 0 }, run.SharesFor(["a", "b", "c"]));
        Assert.Equal(new[] { 0.0 }, new RealRun("lb", [Samples[3]]).SharesFor(["a"]));
        Assert.Equal(25, run.Quantile(0.5), 12);   // of 10, 20, 30, 40
        Assert.Equal(40, run.Quantile(1), 12);
        Assert.Equal(new Dictionary<int, string> { [0] = "b", [1] = "b" }, run.BackendOfUser());
        Assert.Equal(2, run.MaxBackendsPerUser);
        Assert.Equal(1, new RealRun("lb", [Samples[1], Samples[4], Samples[3]]).MaxBackendsPerUser);
        Assert.Equal(0, new RealRun("lb", [Samples[3], Samples[5]]).MaxBackendsPerUser);
        Assert.Equal(2, run.Errors);
    }

    [Fact]
    public void Moves_counts_users_whose_backend_changed_and_why()
    {
        var before = new RealRun("1", [new(0, "a", 1, 0, 200), new(1, "b", 1, 0, 200), new(2, "c", 1, 0, 200),
            new(3, "b", 1, 0, 200), new(4, "a", 1, 0, 200), new(5, "a", 1, 0, 503)]);
        var after = new RealRun("2", [new(0, "a", 1, 0, 200), new(1, "c", 1, 0, 200), new(2, "a", 1, 0, 200),
            new(3, "a", 1, 0, 200), new(6, "a", 1, 0, 200)]);
        // Common users 0–3: 1 and 3 were on b (removed) and moved; 2 moved although c stayed.
        Assert.Equal((4, 3, 2, 1), RealLab.Moves(before, after, "b"));
        Null("before", () => RealLab.Moves(null!, after, "b"));
        Null("after", () => RealLab.Moves(before, null!, "b"));
    }

    [Fact]
    public void A_row_shows_real_over_model_per_backend_and_rounds_the_overhead()
    {
        var r = new RealVsModel("haproxy", "RoundRobin", 100, [0.5, 0.25, 0.25], [0.4, 0.3, 0.3], 1.25, 9.5, 1.04,
            8.96, 0.123456, [1, 2, 3], 2);
        Assert.Equal(0.1, r.WorstShareGap, 12);
        var row = RealLab.Row(r);
        Assert.Equal(new RealRow("haproxy", $"{0.5:P0}/{0.4:P0}  {0.25:P0}/{0.3:P0}  {0.25:P0}/{0.3:P0}",
            $"{1.25:F1} / {1.04:F1}", $"{9.5:F1} / {8.96:F1}", 0.12, 2), row);
        Null("r", () => RealLab.Row(null!));
    }
}
