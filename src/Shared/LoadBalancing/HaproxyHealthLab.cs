using System.Diagnostics;

namespace SystemDesign.LoadBalancing;

/// <summary>What HAProxy's health checks did when a backend was stopped and started again: time until
/// marked DOWN, time until UP after the restart, and the effective weight sampled during slow start.</summary>
public sealed record HealthRun(double DownAfterMs, double UpAfterMs, IReadOnlyList<(double Ms, int Weight)> Ramp,
    int FullWeight, double PhaseMs, double RestartMs);

/// <summary>Drives a failure and a recovery of one Kestrel backend behind HAProxy and watches HAProxy's admin
/// socket (<c>show stat</c>) every few milliseconds.</summary>
public static class HaproxyHealthLab
{
    /// <summary>Stops backend <paramref name="index"/>, waits for HAProxy to mark it DOWN, restarts it, waits
    /// for UP, then samples its weight for <paramref name="rampMs"/> (slow start). Gives up after 5 s per step.</summary>
    public static HealthRun FailAndRecover(ProxyProcess haproxy, KestrelBackends backends, int index,
        HaproxyChecks checks, string section = "be", double rampMs = 0, int pollMs = 5, double phaseMs = 0)
    {
        Guard.NotNull(checks);
        Guard.NotNull(haproxy);
        Guard.NotNull(backends);
        Guard.InRange(index, 0, backends.Count - 1);
        Guard.InRange(rampMs, 0, 5_000);
        Guard.InRange(pollMs, 1, 100);
        Guard.InRange(phaseMs, 0, checks.InterMs);
        string name = backends.Specs[index].Name;
        int full = haproxy.HaproxyServers(section)[name].Weight;
        // HAProxy starts a server UP with its health counter at `rise`, so one failed check would take it
        // down; wait until it has passed fall − 1 more checks (counter at rise + fall − 1).
        WaitFor(() => haproxy.HaproxyServers(section)[name].Health >= checks.Rise + checks.Fall - 1, pollMs);
        // The wait above ends just after a check: stopping phaseMs later puts the failure at that phase.
        Thread.Sleep(TimeSpan.FromMilliseconds(phaseMs));
        // Times run from the moment the stop (restart) begins: Kestrel closes its listener at once, then
        // drains HAProxy's idle kept-alive connections while checks already fail.
        var clock = Stopwatch.StartNew();
        backends.Stop(index);
        WaitFor(() => haproxy.HaproxyServers(section)[name].Status.StartsWith("DOWN"), pollMs);
        double down = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        backends.Restart(index);
        double restart = clock.Elapsed.TotalMilliseconds;
        WaitFor(() => haproxy.HaproxyServers(section)[name].Status.StartsWith("UP"), pollMs);
        double up = clock.Elapsed.TotalMilliseconds;
        var ramp = new List<(double, int)>();
        var since = Stopwatch.StartNew();
        while (since.Elapsed.TotalMilliseconds < rampMs && (ramp.Count == 0 || ramp[^1].Item2 < full))
        {
            ramp.Add((since.Elapsed.TotalMilliseconds, haproxy.HaproxyServers(section)[name].Weight));
            Thread.Sleep(pollMs * 4);
        }
        return new HealthRun(down, up, ramp, full, phaseMs, restart);
    }

    private static double WaitFor(Func<bool> condition, int pollMs)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.ElapsedMilliseconds > 5_000)
                throw new TimeoutException("HAProxy did not change the server's state within 5 s");
            Thread.Sleep(pollMs);
        }
        return clock.Elapsed.TotalMilliseconds;
    }
}
