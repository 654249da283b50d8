using System.Diagnostics;
using System.Net.Sockets;

namespace SystemDesign.LoadBalancing;

/// <summary>
/// A real load balancer (HAProxy or nginx) run for one experiment: its configuration, pid, socket and logs in a
/// fresh folder under $SDN_STATE_DIR (or the temp folder), listening on 127.0.0.1 only, in the foreground as a
/// child process; as root, it runs as the unprivileged <c>sdn</c> account when that exists. Dispose kills it
/// and removes the folder, so a cell that uses <c>using</c> can be re-run.
/// </summary>
public sealed class ProxyProcess : IDisposable
{
    private readonly Process process;

    private ProxyProcess(Process process, string folder, int port)
    {
        this.process = process;
        Folder = folder;
        Port = port;
    }

    /// <summary>The experiment's folder (configuration, logs, sockets).</summary>
    public string Folder { get; }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>Its URL on loopback.</summary>
    public string Url => $"http://127.0.0.1:{Port}/";

    /// <summary>Whether the process is still running.</summary>
    public bool Running => !process.HasExited;

    /// <summary>Starts HAProxy with the configuration that <paramref name="config"/> writes for a first port
    /// ({dir} is replaced by the folder). Loopback ports here lie in the kernel's ephemeral range, so a port
    /// can be briefly taken by someone's outgoing connection: on "address in use" it retries 10 ports up.</summary>
    public static ProxyProcess StartHaproxy(string binary, Func<int, string> config, int port) =>
        Retry(port, p =>
        {
            string text = Guard.NotNull(config)(p);
            // HAProxy binds its admin socket after its ports, and listens on it later still (the file exists
            // before a connect succeeds: a loaded rehearsal was refused): ready once a connect succeeds, so that a
            // command sent right after the start finds it.
            return Start(binary, "haproxy", text, p, dir => ["-f", Path.Combine(dir, "haproxy.cfg"), "-db"],
                "haproxy.cfg", dir => !text.Contains("{dir}/admin.sock", StringComparison.Ordinal)
                    || AdminSocketAccepts(Path.Combine(dir, "admin.sock")));
        });

    /// <summary>Starts nginx (foreground, one process) with the configuration written for a first port.</summary>
    public static ProxyProcess StartNginx(string binary, Func<int, string> config, int port) =>
        Retry(port, p => Start(binary, "nginx", Guard.NotNull(config)(p), p,
            dir => ["-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-e", Path.Combine(dir, "error.log")],
            "nginx.conf"));

    private static ProxyProcess Retry(int port, Func<int, ProxyProcess> start)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return start(port + 10 * attempt);
            }
            catch (InvalidOperationException e) when (attempt < 4 && e.Message.Contains("in use",
                StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    /// <summary>Runs <c>nginx -t</c> on a configuration: (accepted, nginx's message).</summary>
    public static (bool Accepted, string Message) TestNginx(string binary, string config)
    {
        string dir = NewFolder("nginx-t");
        try
        {
            File.WriteAllText(Path.Combine(dir, "nginx.conf"), config.Replace("{dir}", dir));
            var psi = Command(binary, ["-t", "-p", dir, "-c", Path.Combine(dir, "nginx.conf"),
                "-e", Path.Combine(dir, "error.log")]);
            psi.RedirectStandardError = true;
            psi.RedirectStandardOutput = true;
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit(5_000);
            return (p.ExitCode == 0, err.Trim());
        }
        finally
        {
            TryDelete(dir);
        }
    }

    private static ProxyProcess Start(string binary, string name, string config, int port,
        Func<string, string[]> args, string file, Func<string, bool>? ready = null)
    {
        Guard.NotEmpty(binary);
        Guard.NotEmpty(config);
        Guard.InRange(port, 1024, 65_535);
        string dir = NewFolder(name);
        File.WriteAllText(Path.Combine(dir, file), config.Replace("{dir}", dir));
        var psi = Command(binary, args(dir));
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        var p = new Process { StartInfo = psi };
        var output = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var proxy = new ProxyProcess(p, dir, port);
        var deadline = Stopwatch.StartNew();
        while (deadline.ElapsedMilliseconds < 5_000)
        {
            if (p.HasExited) break;
            if (Accepts(port) && (ready is null || ready(dir))) return proxy;
            Thread.Sleep(10);
        }
        // An exited process's last lines may still be on their way to the handlers above: wait for the end of
        // its output, or the message (and the "in use" test of Retry) would miss why it exited.
        if (p.HasExited) p.WaitForExit();
        string log;
        lock (output) log = output.ToString();
        proxy.Dispose();
        throw new InvalidOperationException($"{name} did not start on 127.0.0.1:{port}: {log.Trim()}");
    }

    private static ProcessStartInfo Command(string binary, string[] args)
    {
        var psi = new ProcessStartInfo { UseShellExecute = false };
        if (AsServiceAccount())
        {
            psi.FileName = "runuser";
            foreach (var a in new[] { "-u", "sdn", "--", binary }) psi.ArgumentList.Add(a);
        }
        else psi.FileName = binary;
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    private static bool AsServiceAccount() =>
        Environment.UserName == "root" && File.Exists("/usr/sbin/runuser")
        && File.ReadLines("/etc/passwd").Any(l => l.StartsWith("sdn:", StringComparison.Ordinal));

    private static string NewFolder(string name)
    {
        string root = Environment.GetEnvironmentVariable("SDN_STATE_DIR") is { Length: > 0 } s
            ? Path.Combine(s, "nb09") : Path.Combine(Path.GetTempPath(), "sdn-nb09");
        Directory.CreateDirectory(root);
        string dir = Path.Combine(root, $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows())
        {
            // The service account must write its logs and sockets here.
            File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        }
        return dir;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var c = new TcpClient();
            return c.ConnectAsync("127.0.0.1", port).Wait(200) && c.Connected;
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    }

    private static bool AdminSocketAccepts(string path)
    {
        if (!File.Exists(path)) return false;
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { s.Connect(new UnixDomainSocketEndPoint(path)); return true; }
        catch (SocketException) { return false; }
    }

    /// <summary>Sends one command to HAProxy's admin socket ({dir}/admin.sock) and returns the reply.</summary>
    public string HaproxyCommand(string command)
    {
        Guard.NotEmpty(command);
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(Path.Combine(Folder, "admin.sock")));
        s.Send(System.Text.Encoding.ASCII.GetBytes(command + "\n"));
        var buffer = new byte[65_536];
        var sb = new System.Text.StringBuilder();
        int n;
        while ((n = s.Receive(buffer)) > 0) sb.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        return sb.ToString();
    }

    /// <summary>HAProxy's view of each server of a backend section: name → status (UP, DOWN, …), effective
    /// weight and check health counter (rise + fall − 1 when fully up).</summary>
    public Dictionary<string, (string Status, int Weight, int Health)> HaproxyServers(string backend = "be")
    {
        var lines = HaproxyCommand("show stat").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        int sv = Array.IndexOf(header, "svname"), px = Array.IndexOf(header, "pxname"),
            st = Array.IndexOf(header, "status"), w = Array.IndexOf(header, "weight"),
            h = Array.IndexOf(header, "check_health");
        return lines.Skip(1).Select(l => l.Split(','))
            .Where(f => f.Length > st && f[px] == backend && f[sv] is not "BACKEND" and not "FRONTEND")
            .ToDictionary(f => f[sv], f => (f[st], int.TryParse(f[w], out int x) ? x : 0,
                int.TryParse(f[h], out int y) ? y : 0));
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(2_000);
            }
        }
        catch (InvalidOperationException) { /* never started or already reaped */ }
        process.Dispose();
        TryDelete(Folder);
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
