using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SystemDesign.RealSystems;

/// <summary>
/// Faults injected into a member of a registry service (<see cref="Services"/>): pause (SIGSTOP) and resume
/// (SIGCONT), kill (SIGKILL) and restart. A pause always ends: disposing the handle resumes the member, and
/// a timer resumes it anyway after <c>maxPause</c>, so a cell that throws or hangs cannot leave a server
/// frozen; <c>services.sh start</c> also resumes a paused member. A pause stops the member's process and its
/// children (PostgreSQL's postmaster and backends together). Under root the servers run as the `sdn`
/// account, which root may signal; a non-root user runs them as itself. Linux only.
/// </summary>
public static class Faults
{
    private const int SIGKILL = 9, SIGCONT = 18, SIGSTOP = 19;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>Pauses a member (SIGSTOP to it and its children) until the returned handle is disposed,
    /// or at the latest after <paramref name="maxPause"/> (default 30 s).</summary>
    public static PausedMember Pause(string service, string member, TimeSpan? maxPause = null)
    {
        var max = maxPause ?? TimeSpan.FromSeconds(30);
        Guard.That(max > TimeSpan.Zero && max <= TimeSpan.FromMinutes(2),
            "maxPause must be in (0, 2 min]", nameof(maxPause));
        var target = Services.Running(service, member);
        int pid = RunningPid(target);
        var listed = WithChildren(pid);
        Interlocked.Increment(ref _faults);
        // A child may exit between the listing and its SIGSTOP (a PostgreSQL backend ending its session:
        // ESRCH, seen once in CI); the member itself must be there.
        try
        {
            foreach (int p in listed) Signal(p, SIGSTOP, ignoreGone: p != pid);
        }
        catch
        {
            Continue(listed); // never leave half a member stopped behind an exception
            throw;
        }
        var pids = listed.Where(p => p == pid || ProcessState(p) is not null).ToList();
        // kill() returns before the stop is delivered: a multi-threaded server (etcd) reaches state T once
        // the kernel has stopped every thread. Wait for it (≤ 1 s), so "paused" means paused when we return.
        var delivered = System.Diagnostics.Stopwatch.StartNew();
        while (!pids.All(IsStopped) && delivered.Elapsed < TimeSpan.FromSeconds(1)) Thread.Sleep(1);
        return new PausedMember(target, pids, max);
    }

    /// <summary>Runs <paramref name="body"/> with a member paused, resuming it in <c>finally</c>.</summary>
    public static T WhilePaused<T>(string service, string member, TimeSpan maxPause, Func<T> body)
    {
        Guard.NotNull(body);
        using var pause = Pause(service, member, maxPause);
        return body();
    }

    /// <summary>Resumes a member (SIGCONT to it and its children), paused by anyone; no effect when it runs.</summary>
    public static void Resume(string service, string member)
    {
        var target = Services.Running(service, member);
        Interlocked.Increment(ref _faults);
        if (target.Pid is int pid) foreach (int p in WithChildren(pid)) Signal(p, SIGCONT, ignoreGone: true);
    }

    /// <summary>Kills a member with SIGKILL (no clean shutdown) and waits up to 10 s until it is gone.</summary>
    public static void Kill(string service, string member)
    {
        var target = Services.Running(service, member);
        int pid = RunningPid(target);
        Interlocked.Increment(ref _faults);
        Signal(pid, SIGCONT, ignoreGone: true); // a paused process dies either way; this keeps children sane
        Signal(pid, SIGKILL, ignoreGone: true);
        var watch = Stopwatch.StartNew();
        while (Alive(pid) && watch.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(50);
        if (Alive(pid)) throw new TimeoutException($"{service} {member} (pid {pid}) still alive 10 s after SIGKILL");
    }

    /// <summary>Kills a member and every process it started (PostgreSQL's postmaster and its backends) with
    /// SIGKILL, as a machine crash would, and waits up to 10 s until all are gone: killing only a postmaster
    /// leaves backends attached to its shared memory for a moment, and a restart in that window is refused.</summary>
    public static void KillWithChildren(string service, string member)
    {
        var target = Services.Running(service, member);
        var tree = WithChildren(RunningPid(target));
        Interlocked.Increment(ref _faults);
        foreach (int p in tree) Signal(p, SIGKILL, ignoreGone: true);
        var watch = Stopwatch.StartNew();
        // The member until reaped, not only dead: PostgreSQL refuses to start while its old postmaster's pid exists,
        // even as a zombie. Its children only until dead: a zombie holds no port and no shared memory, and orphans
        // wait for PID 1 to reap them, which on some machines (a VM's init) takes 1–2 s.
        bool Gone() => ProcessState(tree[0]) is null && !tree.Any(Alive);
        while (!Gone() && watch.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
        if (!Gone()) throw new TimeoutException($"{service} {member}: processes still alive 10 s after SIGKILL");
    }

    /// <summary>Starts what of the service is down (a killed member comes back with its data) and waits
    /// until the whole service is healthy; throws when it is not within <paramref name="timeout"/>.</summary>
    /// <param name="check">an in-process check equivalent to the registry's (null when healthy, else why not),
    /// polled every 50 ms instead of running the registry's check (a shell script: a second on a loaded machine).</param>
    public static void Restart(string service, TimeSpan timeout, Func<string?>? check = null)
    {
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(5),
            "timeout must be in (0, 5 min]", nameof(timeout));
        Interlocked.Increment(ref _faults);
        Services.Start(service);
        if (check is null)
        {
            if (!Services.WaitHealthy(service, timeout))
                throw new TimeoutException($"{service} not healthy {timeout.TotalSeconds:0} s after a restart: {Services.Check(service).Why}");
            return;
        }
        var watch = Stopwatch.StartNew();
        string? why;
        while ((why = check()) is not null && watch.Elapsed < timeout) Thread.Sleep(50);
        if (why is not null)
            throw new TimeoutException($"{service} not healthy {timeout.TotalSeconds:0} s after a restart: {why}");
        MarkHealthy(service);
    }

    /// <summary>Waits until the service is healthy (members up, cluster formed); throws with the reason when
    /// it is not within <paramref name="timeout"/>. Fault experiments end with this.</summary>
    public static void EnsureHealthy(string service, TimeSpan timeout)
    {
        if (!WaitHealthy(service, timeout))
            throw new TimeoutException($"{service} not healthy after {timeout.TotalSeconds:0} s: {Services.Check(service).Why}");
    }

    // Faults injected by this process (pauses, resumes, kills, restarts), and per service the count at the
    // moment the registry's check last found it healthy, and when. A check that found the service healthy
    // less than RecentlyHealthy ago, with no fault injected since, is not repeated: each check runs
    // services.sh, which costs a second or more on a loaded machine.
    private static long _faults;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Faults, Stopwatch Since)> Healthy = new();
    internal static readonly TimeSpan RecentlyHealthy = TimeSpan.FromSeconds(5);

    internal static long FaultCount => Interlocked.Read(ref _faults);

    /// <summary>Like <see cref="Services.WaitHealthy"/>, but true at once when this process saw the service
    /// healthy within <see cref="RecentlyHealthy"/> and injected no fault since.</summary>
    /// <summary>Records that an in-process check equivalent to the registry's just found the service healthy.</summary>
    internal static void MarkHealthy(string service) => Healthy[Guard.NotEmpty(service)] = (FaultCount, Stopwatch.StartNew());

    internal static bool WaitHealthy(string service, TimeSpan timeout)
    {
        Guard.NotEmpty(service);
        if (Healthy.TryGetValue(service, out var seen) && seen.Faults == FaultCount && seen.Since.Elapsed < RecentlyHealthy)
            return true;
        long before = FaultCount;
        bool healthy = Services.WaitHealthy(service, timeout);
        if (healthy) Healthy[service] = (before, Stopwatch.StartNew());
        return healthy;
    }

    /// <summary>Starts a fault experiment on a service: waits (up to <paramref name="wait"/>) until no other
    /// experiment, in this process or another (a notebook and the tests may run at once), is injecting faults
    /// into it, then until it is healthy. Disposing the handle waits (up to 30 s) until the service is healthy
    /// again and lets the next experiment in; call <c>FaultExperiment.EnsureHealthy</c> to check it.</summary>
    /// <param name="check">optional: an in-process check equivalent to the registry's (null when healthy, else
    /// why not), polled instead of running services.sh (see <see cref="FaultExperiment.EnsureHealthy(Func{string?}, TimeSpan?)"/>)</param>
    public static FaultExperiment Experiment(string service, TimeSpan? wait = null, Func<string?>? check = null)
    {
        var limit = wait ?? TimeSpan.FromSeconds(60);
        Guard.That(limit > TimeSpan.Zero && limit <= TimeSpan.FromMinutes(5),
            "wait must be in (0, 5 min]", nameof(wait));
        var members = Services.Layout(service);
        Guard.That(members.Count > 0, $"service {service} has no members");
        string path = Path.Combine(Path.GetTempPath(), $"sdn-fault-{Environment.UserName}-{service}-{members[0].Port}.lock");
        var watch = Stopwatch.StartNew();
        FileStream? held = null;
        while (held is null)
        {
            try { held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (watch.Elapsed < limit) { Thread.Sleep(100); }
        }
        var experiment = new FaultExperiment(service, held, check);
        try
        {
            if (check is null) EnsureHealthy(service, limit);
            else experiment.EnsureHealthy(check, limit);
        }
        catch
        {
            held.Dispose();
            throw;
        }
        return experiment;
    }

    /// <summary>True when the process exists and is stopped (state T).</summary>
    public static bool IsStopped(int pid) => ProcessState(Guard.Positive(pid)) == 'T';

    internal static char? ProcessState(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length ? stat[close + 2] : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static bool Alive(int pid) => ProcessState(pid) is char s && s != 'Z' && s != 'X';

    private static int RunningPid(ServiceMember target) =>
        target.Pid is int pid && Alive(pid)
            ? pid
            : throw new InvalidOperationException($"{target.Service} {target.Member} is not running: start it with `{Services.StartCommandFor(target.Service)}`");

    /// <summary>The process and its descendants (from /proc/*/stat parent ids).</summary>
    internal static IReadOnlyList<int> WithChildren(int root)
    {
        var parent = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int close = stat.LastIndexOf(')');
                var rest = stat[(close + 2)..].Split(' ');
                if (rest.Length > 1 && int.TryParse(rest[1], out int ppid)) parent[pid] = ppid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var result = new List<int> { root };
        for (int i = 0; i < result.Count; i++)
            result.AddRange(parent.Where(kv => kv.Value == result[i]).Select(kv => kv.Key));
        return result;
    }

    internal static void Signal(int pid, int signal, bool ignoreGone = false)
    {
        if (kill(pid, signal) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        if (ignoreGone && errno == 3) return; // ESRCH: gone already
        throw new InvalidOperationException(errno == 1
            ? $"not allowed to signal pid {pid} (EPERM): the servers run as another account; run as root or as the account that started them"
            : $"kill({pid}, {signal}) failed with errno {errno}");
    }

    internal static void Continue(IEnumerable<int> pids)
    {
        Interlocked.Increment(ref _faults);
        foreach (int p in pids) Signal(p, SIGCONT, ignoreGone: true);
    }
}

/// <summary>A paused member; disposing it (or the timer, after the maximum pause) resumes it.</summary>
public sealed class PausedMember : IDisposable
{
    private readonly IReadOnlyList<int> _pids;
    private readonly Timer _timer;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private int _resumed;

    internal PausedMember(ServiceMember member, IReadOnlyList<int> pids, TimeSpan max)
    {
        Member = member;
        _pids = pids;
        _timer = new Timer(_ => Resume(), null, max, Timeout.InfiniteTimeSpan);
    }

    public ServiceMember Member { get; }

    /// <summary>How long the member has been (or was) paused.</summary>
    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>True once resumed (by Dispose or by the timer).</summary>
    public bool Resumed => Volatile.Read(ref _resumed) == 1;

    public void Resume()
    {
        if (Interlocked.Exchange(ref _resumed, 1) == 1) return;
        _watch.Stop();
        Faults.Continue(_pids);
    }

    public void Dispose()
    {
        _timer.Dispose();
        Resume();
    }
}

/// <summary>A fault experiment's hold on a service (see <see cref="Faults.Experiment"/>).</summary>
public sealed class FaultExperiment : IDisposable
{
    private FileStream? _lock;
    private readonly Func<string?>? _check;

    internal FaultExperiment(string service, FileStream held, Func<string?>? check = null)
    {
        Service = service;
        _lock = held;
        _check = check;
    }

    public string Service { get; }

    /// <summary>Waits until the service is healthy again; throws with the reason after the timeout.</summary>
    public void EnsureHealthy(TimeSpan? timeout = null) => Faults.EnsureHealthy(Service, timeout ?? TimeSpan.FromSeconds(30));

    /// <summary>
    /// Like <see cref="EnsureHealthy(TimeSpan?)"/>, with an in-process check equivalent to the registry's
    /// (<paramref name="check"/> returns null when healthy, else why not), polled every 20 ms instead of running
    /// services.sh; once it passes, the service counts as just seen healthy, so disposing this handle and the
    /// next experiment's start do not check again (see <see cref="Faults.RecentlyHealthy"/>).
    /// </summary>
    public void EnsureHealthy(Func<string?> check, TimeSpan? timeout = null)
    {
        Guard.NotNull(check);
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        Guard.That(limit > TimeSpan.Zero && limit <= TimeSpan.FromMinutes(5),
            "timeout must be in (0, 5 min]", nameof(timeout));
        var watch = Stopwatch.StartNew();
        string? why;
        while ((why = check()) is not null && watch.Elapsed < limit) Thread.Sleep(20);
        if (why is not null) throw new TimeoutException($"{Service} not healthy after {limit.TotalSeconds:0} s: {why}");
        Faults.MarkHealthy(Service);
    }

    public void Dispose()
    {
        var held = Interlocked.Exchange(ref _lock, null);
        if (held is null) return;
        try
        {
            // The in-process check the experiment started with, when it has one (see Faults.Experiment).
            if (_check is null) Faults.WaitHealthy(Service, TimeSpan.FromSeconds(30));
            else
            {
                var watch = Stopwatch.StartNew();
                while (_check() is not null && watch.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(20);
            }
        }
        finally { held.Dispose(); }
    }
}
