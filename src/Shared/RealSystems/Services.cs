using System.Collections.Concurrent;
using System.Diagnostics;

namespace SystemDesign.RealSystems;

/// <summary>One process of a service, as <c>./scripts/services.sh status --tsv</c> reports it.</summary>
/// <param name="State">"up", "paused" (stopped by SIGSTOP) or "down".</param>
public sealed record ServiceMember(string Service, string Member, int Port, int? Pid, string State)
{
    public bool Up => State == "up";
    public bool Paused => State == "paused";
}

/// <summary>
/// The service registry (<c>scripts/services.sh</c> and one file per service in <c>scripts/services.d/</c>)
/// seen from C#: which members a service has, their ports and pids, whether the service is healthy (its
/// cluster formed), and starting what is down. The script runs with this process's environment, so it
/// acts on the same ports and data folder (SDN_STATE_DIR, SDN_*_PORT) as the connection variables.
/// </summary>
public static class Services
{
    /// <summary>The command that starts one service, as the skip lines print it.</summary>
    public static string StartCommandFor(string service) => $"{Servers.StartCommand} {Guard.NotEmpty(service)}";

    /// <summary>scripts/services.sh of this repository: $SDN_SERVICES_SCRIPT, else found by walking up from
    /// the library's folder and the current directory. Null when there is none (a copy of the library alone).</summary>
    public static string? ScriptPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("SDN_SERVICES_SCRIPT") is { Length: > 0 } set) return set;
            var starts = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(Services).Assembly.Location), Environment.CurrentDirectory };
            foreach (var start in starts)
            {
                for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(dir.FullName, "scripts", "services.sh");
                    if (File.Exists(candidate) && Directory.Exists(Path.Combine(dir.FullName, "scripts", "services.d"))) return candidate;
                }
            }
            return null;
        }
    }

    /// <summary>The members of a service with port, pid and state.</summary>
    public static IReadOnlyList<ServiceMember> Status(string service)
    {
        Guard.NotEmpty(service);
        var (code, output) = Run(TimeSpan.FromSeconds(30), "status", "--tsv", service);
        if (code != 0) throw new InvalidOperationException($"services.sh status {service} failed: {output.Trim()}");
        var members = new List<ServiceMember>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('\t');
            if (f.Length != 5 || !int.TryParse(f[2], out int port)) continue;
            int? pid = int.TryParse(f[3], out int p) ? p : null;
            members.Add(new ServiceMember(f[0], f[1], port, pid, f[4]));
        }
        Remember(service, members);
        return members;
    }

    /// <summary>One member of a service (for example "redis-sentinel", "node1"); throws when there is no such member.</summary>
    public static ServiceMember Member(string service, string member)
    {
        Guard.NotEmpty(member);
        return Status(service).FirstOrDefault(m => m.Member == member)
            ?? throw new ArgumentException($"service {service} has no member '{member}'", nameof(member));
    }

    /// <summary>The member listening on a port (for example the Redis node Sentinel names as primary).</summary>
    public static ServiceMember MemberAtPort(string service, int port)
    {
        Guard.InRange(port, 1, 65535);
        return Status(service).FirstOrDefault(m => m.Port == port)
            ?? throw new ArgumentException($"service {service} has no member on port {port}", nameof(port));
    }

    // What the script last reported, per service and environment (the SDN_* variables decide ports and the
    // data folder): the members' names and ports, which do not change while the environment does not, and
    // each member's pid with its start time, so that a later lookup can tell the same process still runs.
    private static readonly ConcurrentDictionary<string, IReadOnlyList<(ServiceMember Member, ulong? Start)>> Known = new();

    private static string KnownKey(string service)
    {
        var vars = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("SDN_", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}");
        return service + "\n" + string.Join("\n", vars);
    }

    private static void Remember(string service, IReadOnlyList<ServiceMember> members) =>
        Known[KnownKey(service)] = members.Select(m => (m, m.Pid is int p ? StartTime(p) : null)).ToList();

    /// <summary>The members' names and ports (pids and states as last seen): from the last status this
    /// process read in the same environment, else from the script.</summary>
    internal static IReadOnlyList<ServiceMember> Layout(string service)
    {
        Guard.NotEmpty(service);
        return Known.TryGetValue(KnownKey(service), out var known) && known.Count > 0
            ? known.Select(k => k.Member).ToList()
            : Status(service);
    }

    /// <summary>A member with its pid, for signalling it: the pid last seen when that process (same pid, same
    /// start time) is still alive, its state read from /proc; otherwise from the script, as <see cref="Member"/>.</summary>
    internal static ServiceMember Running(string service, string member)
    {
        Guard.NotEmpty(service);
        Guard.NotEmpty(member);
        if (Known.TryGetValue(KnownKey(service), out var known)
            && known.FirstOrDefault(k => k.Member.Member == member) is { Member: { Pid: int pid } m, Start: ulong start }
            && StartTime(pid) == start && Faults.ProcessState(pid) is char state && state != 'Z' && state != 'X')
            return m with { State = state == 'T' ? "paused" : "up" };
        return Member(service, member);
    }

    /// <summary>The start time of a process (field 22 of /proc/PID/stat, in clock ticks since boot), or null.</summary>
    internal static ulong? StartTime(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return rest.Length > 19 && ulong.TryParse(rest[19], out ulong t) ? t : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Whether the whole service is healthy (every member up and, for a cluster, formed), and if
    /// not, the script's one line saying why.</summary>
    public static (bool Healthy, string Why) Check(string service)
    {
        Guard.NotEmpty(service);
        var (code, output) = Run(TimeSpan.FromSeconds(30), "check", service);
        return (code == 0, output.Trim());
    }

    /// <summary>Polls <see cref="Check"/> until the service is healthy or the timeout passes; returns whether it is.</summary>
    public static bool WaitHealthy(string service, TimeSpan timeout)
    {
        Guard.NotEmpty(service);
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(5),
            "timeout must be in (0, 5 min]", nameof(timeout));
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (Check(service).Healthy) return true;
            if (watch.Elapsed >= timeout) return false;
            Thread.Sleep(200);
        }
    }

    /// <summary>Starts whatever of the service is not running (<c>services.sh start NAME</c>, which also resumes a
    /// paused member) and waits until it is healthy; throws with the script's output when it cannot.</summary>
    public static void Start(string service)
    {
        Guard.NotEmpty(service);
        var (code, output) = Run(TimeSpan.FromMinutes(3), "start", service);
        if (code != 0) throw new InvalidOperationException($"services.sh start {service} failed (exit {code}): {output.Trim()}");
    }

    internal static (int Code, string Output) Run(TimeSpan timeout, params string[] args)
    {
        string script = ScriptPath ?? throw new InvalidOperationException(
            "scripts/services.sh not found above the library's folder or the current directory; set SDN_SERVICES_SCRIPT");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not run bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"services.sh {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
