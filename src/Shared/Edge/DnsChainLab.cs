using System.Diagnostics;
using System.Globalization;
using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace SystemDesign.Edge;

/// <summary>What one query to the real resolver returned.</summary>
/// <param name="Rcode">NOERROR, NXDOMAIN, …</param>
/// <param name="Ttl">the answer's TTL, or for a negative answer the SOA's TTL in the authority section (what
/// the resolver will keep caching it for); −1 when absent.</param>
/// <param name="Ms">time from send to answer, milliseconds.</param>
/// <param name="Upstream">queries the root, TLD and authoritative servers received meanwhile.</param>
public sealed record ChainQuery(string Name, string Rcode, string Address, int Ttl, double Ms, UpstreamCounts Upstream);

/// <summary>One step of a plan run on the real chain and on the model at the same moment.</summary>
public sealed record ChainPlanRow(string Step, double AtSeconds, ChainQuery Real, RecursiveAnswer Model)
{
    /// <summary>"root/TLD/auth" queries the real servers counted.</summary>
    public string RealHops => $"{Real.Upstream.Root}/{Real.Upstream.Tld}/{Real.Upstream.Authoritative}";

    /// <summary>"root/TLD/auth" queries the model sent.</summary>
    public string ModelHops => string.Join("/", new[] { "root", "tld", "auth" }
        .Select(s => Model.Queries.Count(q => q.Server == s)));
}

/// <summary>Queries counted by each authoritative server (Knot's mod-stats).</summary>
public sealed record UpstreamCounts(int Root, int Tld, int Authoritative)
{
    public int Total => Root + Tld + Authoritative;
    public static UpstreamCounts operator -(UpstreamCounts a, UpstreamCounts b) =>
        new(a.Root - b.Root, a.Tld - b.Tld, a.Authoritative - b.Authoritative);
}

/// <summary>
/// A real resolution chain on loopback, started for one experiment and stopped by <see cref="Dispose"/>: three
/// Knot DNS servers on three 127.x.y.z addresses, port 53 (a referral carries addresses, never ports, so the TLD
/// and authoritative servers must listen on 53), serving a root zone, the TLD <c>test</c> and the zones
/// <c>example.test</c> and <c>other.test</c>; and Unbound as the recursive resolver, on a port above 1024, with root
/// hints naming the first server. Knot binds port 53 as root and then runs as the <c>sdn</c> account (or
/// <c>nobody</c>); Unbound drops to the same account. Files live in a fresh folder under the state directory.
/// </summary>
public sealed class DnsChainLab : IDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string _dir;
    private readonly IPAddress[] _servers;
    private readonly LookupClient _client;

    /// <summary>The zone contents. <c>example.test</c>: SOA TTL <paramref name="ExampleSoaTtl"/>, MINIMUM 60;
    /// <c>other.test</c>: SOA TTL 60, MINIMUM <paramref name="OtherSoaMinimum"/>; <c>www.example.test</c> has TTL
    /// <paramref name="WwwTtl"/>, <c>api.example.test</c> 300. Delegations 2 days, root NS 6 days.</summary>
    public sealed record Zones(int WwwTtl = 2, int ExampleSoaTtl = 2, int OtherSoaMinimum = 2);

    private DnsChainLab(string dir, IPAddress[] servers, IPEndPoint resolver)
    {
        _dir = dir;
        _servers = servers;
        Resolver = resolver;
        _client = new LookupClient(new LookupClientOptions(new NameServer(resolver))
        {
            UseCache = false, Retries = 0, Timeout = TimeSpan.FromSeconds(3), UseTcpFallback = true,
            ContinueOnDnsError = true, ThrowDnsErrors = false,
        });
    }

    public IPEndPoint Resolver { get; }

    /// <summary>The resolver address: $SDN_DNS_RESOLVER ("127.0.0.1:port", the port above 1024), else 127.0.0.1:45353.</summary>
    public static string ResolverSetting => Environment.GetEnvironmentVariable("SDN_DNS_RESOLVER") ?? "127.0.0.1:45353";

    /// <summary>Starts the chain, or returns null with the reason in <paramref name="whyNot"/>.</summary>
    public static DnsChainLab? TryStart(Zones zones, out string whyNot)
    {
        Guard.NotNull(zones);
        Guard.InRange(zones.WwwTtl, 1, 86_400);
        Guard.InRange(zones.ExampleSoaTtl, 1, 86_400);
        Guard.InRange(zones.OtherSoaMinimum, 1, 86_400);
        if (!IPEndPoint.TryParse(ResolverSetting, out var resolver) || resolver.Port <= 1024
            || !IPAddress.IsLoopback(resolver.Address))
        {
            whyNot = $"SDN_DNS_RESOLVER={ResolverSetting} is not a loopback address with a port above 1024";
            return null;
        }
        foreach (var tool in new[] { "knotd", "knotc", "unbound" })
            if (Which(tool) is null)
            {
                whyNot = $"`{tool}` is not installed (Debian packages knot, unbound)";
                return null;
            }
        if (Environment.UserName != "root")
        {
            whyNot = "the authoritative servers must bind port 53 (referrals carry no port), which needs root";
            return null;
        }
        // Three addresses derived from the resolver's port, so concurrent labs on other ports do not collide.
        var servers = Enumerable.Range(1, 3).Select(i =>
            new IPAddress(new byte[] { 127, (byte)(resolver.Port >> 8), (byte)(resolver.Port & 255), (byte)i })).ToArray();
        // Start deletes this folder: its name is never empty, so the state folder itself is never the one removed.
        string dir = Path.Combine(StateDir(), "dns-chain-" + resolver.Port.ToString(CultureInfo.InvariantCulture));
        var lab = new DnsChainLab(dir, servers, resolver);
        try
        {
            lab.Start(zones);
            whyNot = "";
            return lab;
        }
        catch (Exception e)
        {
            lab.Dispose();
            whyNot = e.Message;
            return null;
        }
    }

    internal static string StateDir() =>
        Environment.GetEnvironmentVariable("SDN_STATE_DIR") is { Length: > 0 } s ? s : Path.Combine(Path.GetTempPath(), "sdn");

    internal static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin")
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    internal static string RunAs() => Environment.UserName != "root" ? ""
        : File.ReadAllLines("/etc/passwd").Any(l => l.StartsWith("sdn:", StringComparison.Ordinal)) ? "sdn" : "nobody";

    private void Start(Zones z)
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        Directory.CreateDirectory(_dir);
        OpenUp(_dir);
        string user = RunAs();
        string[] apex = [".", "test", "example.test", "other.test"];
        string[] names = ["root", "tld", "domain"];
        var a = _servers.Select(s => s.ToString()).ToArray();
        Write("root.zone", $"""
            $TTL 518400
            .  86400 IN SOA a.root-servers.test. admin.test. 1 1800 900 604800 86400
            .  IN NS a.root-servers.test.
            a.root-servers.test. IN A {a[0]}
            test. 172800 IN NS ns.nic.test.
            ns.nic.test. 172800 IN A {a[1]}
            """);
        Write("test.zone", $"""
            $TTL 172800
            test. 900 IN SOA ns.nic.test. admin.test. 1 1800 900 604800 86400
            test. IN NS ns.nic.test.
            ns.nic.test. IN A {a[1]}
            example.test. IN NS ns1.example.test.
            ns1.example.test. IN A {a[2]}
            other.test. IN NS ns1.example.test.
            """);
        Write("example.zone", $"""
            $TTL 172800
            example.test. {z.ExampleSoaTtl} IN SOA ns1.example.test. admin.example.test. 1 1800 900 604800 60
            example.test. IN NS ns1.example.test.
            ns1.example.test. IN A {a[2]}
            www.example.test. {z.WwwTtl} IN A 192.0.2.10
            api.example.test. 300 IN A 192.0.2.11
            """);
        Write("other.zone", $"""
            $TTL 172800
            other.test. 60 IN SOA ns1.example.test. admin.example.test. 1 1800 900 604800 {z.OtherSoaMinimum}
            other.test. IN NS ns1.example.test.
            www.other.test. 300 IN A 192.0.2.20
            """);
        var zoneFiles = new[] { new[] { (".", "root.zone") }, new[] { ("test", "test.zone") },
            new[] { ("example.test", "example.zone"), ("other.test", "other.zone") } };
        for (int i = 0; i < 3; i++)
        {
            string d = Path.Combine(_dir, names[i]);
            Directory.CreateDirectory(d);
            OpenUp(d);
            string zoneList = string.Join("\n", zoneFiles[i].Select(zf =>
                $"  - domain: \"{zf.Item1}\"\n    file: \"{Path.Combine(_dir, zf.Item2)}\""));
            Write($"{names[i]}/knot.conf", $"""
                server:
                    rundir: "{d}"
                    {(user == "" ? "" : $"user: {user}")}
                    listen: {a[i]}@53
                    udp-workers: 1
                    tcp-workers: 1
                    background-workers: 1
                control:
                    listen: "{d}/knot.sock"
                    timeout: 2
                log:
                  - target: "{d}/knot.log"
                    any: info
                database:
                    storage: "{d}"
                mod-stats:
                  - id: s
                template:
                  - id: default
                    storage: "{_dir}"
                    global-module: mod-stats/s
                zone:
                {zoneList}
                """);
            Spawn(Which("knotd")!, $"-c {d}/knot.conf", Path.Combine(d, "knot.out"));
        }
        Write("root.hints", $". 3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A {a[0]}\n");
        Write("unbound.conf", $"""
            server:
              interface: {Resolver.Address}@{Resolver.Port}
              port: {Resolver.Port}
              do-ip6: no
              do-daemonize: no
              username: "{user}"
              chroot: ""
              directory: "{_dir}"
              pidfile: "{_dir}/unbound.pid"
              use-syslog: no
              logfile: "{_dir}/unbound.log"
              root-hints: "{_dir}/root.hints"
              do-not-query-localhost: no
              local-zone: "test." nodefault
              access-control: 127.0.0.0/8 allow
              module-config: "iterator"
              qname-minimisation: no
              num-threads: 1
              target-fetch-policy: "0 0 0 0 0"
              prefetch: no
              outgoing-range: 64
              msg-cache-size: 4m
              rrset-cache-size: 4m
            """);
        for (int i = 0; i < 3; i++)
        {
            var (server, zone) = (_servers[i], zoneFiles[i][0].Item1);
            WaitFor(() => Answers(new IPEndPoint(server, 53), zone, QueryType.SOA, recursion: false),
                $"the Knot server on {server}:53", names);
        }
        Spawn(Which("unbound")!, $"-d -c {_dir}/unbound.conf", Path.Combine(_dir, "unbound.out"));
        // A short timeout while Unbound starts: a query sent before it binds is lost, and the lab's own client
        // would wait its full 3 s for the answer.
        WaitFor(() => Answers(Resolver, "localhost", QueryType.A, recursion: true), $"Unbound on {Resolver}",
            ["unbound"]);
        _last = Counts();
    }

    private static bool Answers(IPEndPoint server, string name, QueryType type, bool recursion)
    {
        var client = new LookupClient(new LookupClientOptions(new NameServer(server))
        {
            UseCache = false, Retries = 0, Timeout = TimeSpan.FromMilliseconds(300), Recursion = recursion,
            ContinueOnDnsError = true, ThrowDnsErrors = false,
        });
        try { return !client.Query(name, type).HasError; }
        catch (DnsResponseException) { return false; }
    }

    private void WaitFor(Func<bool> ready, string what, string[] logs)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(8))
        {
            try { if (ready()) return; } catch (DnsResponseException) { }
            if (_processes.FirstOrDefault(p => p.HasExited) is { } dead)
            {
                // HasExited turns true before the output handlers have written its last lines; WaitForExit()
                // without a timeout returns once both redirected streams are drained (a run read an empty tail).
                dead.WaitForExit();
                throw new InvalidOperationException($"{what} exited: {Tail(logs)}");
            }
            Thread.Sleep(30);
        }
        throw new InvalidOperationException($"{what} did not answer within 8 s: {Tail(logs)}");
    }

    private string Tail(string[] names)
    {
        var lines = names.SelectMany(n => new[] { Path.Combine(_dir, n, "knot.out"), Path.Combine(_dir, "unbound.out"),
            Path.Combine(_dir, "unbound.log") }).Distinct().Where(File.Exists)
            .SelectMany(f => File.ReadAllLines(f).TakeLast(2));
        return string.Join(" | ", lines);
    }

    private UpstreamCounts? _last;

    /// <summary>
    /// Runs each step at its time (seconds from the start of the plan, waiting as needed; a step may run later
    /// when the machine is slow) on the real resolver, and on <paramref name="model"/> at the moment it really
    /// ran. Unbound keeps time in whole seconds, so a record with TTL T expires between T − 1 and T seconds after
    /// it was stored: a plan checks "still cached" well within T − 1 and "expired" after T.
    /// </summary>
    public IReadOnlyList<ChainPlanRow> RunPlan(IEnumerable<(string Step, string Name, double AtSeconds)> plan,
        RecursiveResolverModel model)
    {
        Guard.NotNull(plan);
        Guard.NotNull(model);
        // Every step is checked before the first query goes out.
        var steps = plan.ToList();
        foreach (var (_, _, at) in steps) Guard.InRange(at, 0, 30, nameof(plan));
        var rows = new List<ChainPlanRow>();
        var clock = Stopwatch.StartNew();
        foreach (var (step, name, at) in steps)
        {
            var wait = TimeSpan.FromSeconds(at) - clock.Elapsed;
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            // The model sees the moment the query really went out (steps can run late, never early).
            double now = clock.Elapsed.TotalSeconds;
            rows.Add(new ChainPlanRow(step, Math.Round(now, 2), Query(name), model.Resolve(name, now)));
        }
        return rows;
    }

    /// <summary>Time of one query, in milliseconds, without reading the servers' counters.</summary>
    public double QueryMs(string name)
    {
        Guard.NotEmpty(name);
        var sw = Stopwatch.StartNew();
        _client.Query(name, QueryType.A);
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>Queries the resolver for the A record of <paramref name="name"/>, and counts the queries the
    /// authoritative servers received since the previous <see cref="Query"/> (nothing else queries them).</summary>
    public ChainQuery Query(string name)
    {
        Guard.NotEmpty(name);
        var before = _last ?? Counts();
        _client.Query("localhost", QueryType.A);   // wakes Unbound's event loop (and its clock) first
        var sw = Stopwatch.StartNew();
        var r = _client.Query(name, QueryType.A);
        double ms = sw.Elapsed.TotalMilliseconds;
        var after = _last = SettledCounts();
        var a = r.Answers.ARecords().FirstOrDefault();
        int ttl = a?.TimeToLive ?? r.Authorities.OfType<SoaRecord>().FirstOrDefault()?.TimeToLive ?? -1;
        string rcode = r.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError => "NOERROR",
            DnsHeaderResponseCode.NotExistentDomain => "NXDOMAIN",
            DnsHeaderResponseCode.ServerFailure => "SERVFAIL",
            DnsHeaderResponseCode.Refused => "REFUSED",
            var other => other.ToString(),
        };
        return new ChainQuery(name, rcode, a?.Address.ToString() ?? "", ttl, ms, after - before);
    }

    // A server bumps its counter just after it sends the answer: read until two reads 20 ms apart agree.
    private UpstreamCounts SettledCounts()
    {
        var previous = Counts();
        for (int i = 0; i < 5; i++)
        {
            Thread.Sleep(20);
            var next = Counts();
            if (next == previous) return next;
            previous = next;
        }
        return previous;
    }

    /// <summary>Queries each authoritative server has answered so far (Knot's mod-stats counters).</summary>
    public UpstreamCounts Counts()
    {
        var reads = new[] { "root", "tld", "domain" }
            .Select(s => Task.Run(() => KnotQueries(Path.Combine(_dir, s, "knot.sock")))).ToArray();
        int[] n = reads.Select(t => t.GetAwaiter().GetResult()).ToArray();
        return new UpstreamCounts(n[0], n[1], n[2]);
    }

    private static int KnotQueries(string socket)
    {
        var psi = new ProcessStartInfo(Which("knotc")!, ["-s", socket, "stats", "mod-stats.server-operation"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit(5000);
        // "mod-stats.server-operation[query] = 3"; absent until the first query.
        var line = output.Split('\n').FirstOrDefault(l => l.Contains("[query]", StringComparison.Ordinal));
        return line is null ? 0 : int.Parse(line[(line.LastIndexOf('=') + 1)..].Trim(), CultureInfo.InvariantCulture);
    }

    private void Spawn(string file, string args, string output)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        _processes.Add(p);
        var log = new StreamWriter(output) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
    }

    private void Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.Replace("\r", "") + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    internal static void OpenUp(string dir)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
    }

    /// <summary>Stops every process this lab started (and only those).</summary>
    public void Dispose()
    {
        // Knot and Unbound run in the foreground with no children: signal all four, then wait for them together.
        foreach (var p in _processes)
            try { if (!p.HasExited) p.Kill(); }
            catch (InvalidOperationException) { }
        foreach (var p in _processes)
        {
            try { p.WaitForExit(3000); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        _processes.Clear();
    }
}
