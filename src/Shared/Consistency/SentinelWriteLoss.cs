using System.Diagnostics;
using System.Globalization;
using SystemDesign.RealSystems;

namespace SystemDesign.Consistency;

/// <summary>What the writer of <see cref="SentinelWriteLoss.Run"/> does to protect its writes.</summary>
public enum SentinelWriteGuard
{
    /// <summary>Plain asynchronous replication: an OK means the primary applied the write.</summary>
    None,

    /// <summary>After each write, <c>WAIT 1 timeout</c>: the client learns how many replicas acknowledged it.</summary>
    Wait1,

    /// <summary><c>min-replicas-to-write 1</c> and <c>min-replicas-max-lag</c> on the nodes: a primary that has
    /// no replica acknowledging within the lag refuses writes (NOREPLICAS).</summary>
    MinReplicas,
}

/// <summary>One write of the writer: its sequence number, when the reply to the write itself came (ms from
/// the start of the run; a WAIT that follows may return later), the outcome ("ok", "refused" for NOREPLICAS, "failed" for no reply or another error) and, with
/// <see cref="SentinelWriteGuard.Wait1"/>, the number WAIT returned.</summary>
public sealed record SentinelWrite(long Seq, double AtMs, string Outcome, int? Replicas)
{
    public bool Acked => Outcome == "ok";
}

/// <summary>The timeline and the writes of one <see cref="SentinelWriteLoss.Run"/>; times in ms from the
/// start of the run. <see cref="Survivors"/> are the sequence numbers on the new primary once the old one
/// has rejoined as its replica.</summary>
public sealed record SentinelLossRun(
    SentinelWriteGuard Guard, string OldPrimary, string NewPrimary, double PausedAtMs, double FailoverAtMs,
    double ResumedAtMs, double WriterStoppedAtMs, string WriterStoppedBy, double RejoinedAtMs,
    IReadOnlyList<SentinelWrite> Writes, IReadOnlySet<long> Survivors, bool OldPrimaryIsReplicaAgain)
{
    public IReadOnlyList<SentinelWrite> Acked => Writes.Where(w => w.Acked).ToList();

    /// <summary>Acknowledged writes missing from the new primary.</summary>
    public IReadOnlyList<SentinelWrite> Lost => Acked.Where(w => !Survivors.Contains(w.Seq)).ToList();

    /// <summary>Acknowledged by the old primary after it was resumed, while it still believed it was primary.</summary>
    public IReadOnlyList<SentinelWrite> AckedAfterResume => Acked.Where(w => w.AtMs >= ResumedAtMs).ToList();

    /// <summary>Acknowledged before the pause (a paused server answers nothing) yet missing.</summary>
    public int LostBeforePause => Lost.Count(w => w.AtMs < ResumedAtMs);

    /// <summary>Writes refused with NOREPLICAS.</summary>
    public int Refused => Writes.Count(w => w.Outcome == "refused");

    /// <summary>Writes acknowledged per second in the second half of the time before the pause (the first half
    /// includes connecting and warming up).</summary>
    public double RateBeforePausePerSecond => PausedAtMs <= 0 ? 0
        : 1000.0 * Acked.Count(w => w.AtMs >= PausedAtMs / 2 && w.AtMs < PausedAtMs) / (PausedAtMs / 2);

    /// <summary>From the resume until the old primary stopped taking writes from this client (demoted:
    /// Sentinel reconfigured it and closed its clients' connections).</summary>
    public double StaleWindowMs => WriterStoppedAtMs - ResumedAtMs;

    /// <summary>One row for a table: counts, the pause until the promotion, the stale window and the rate.</summary>
    public SentinelLossSummary Summary() => new(Guard.ToString(), Acked.Count, AckedAfterResume.Count, Lost.Count,
        LostBeforePause, Refused, Math.Round(FailoverAtMs - PausedAtMs), Math.Round(StaleWindowMs),
        Math.Round(RateBeforePausePerSecond));
}

/// <summary>See <see cref="SentinelLossRun.Summary"/>.</summary>
public sealed record SentinelLossSummary(string Writer, int Acked, int AckedAfterResume, int Lost, int LostBeforePause,
    int Refused, double PausedUntilPromotedMs, double StaleWindowMs, double WritesPerSecondBeforePause);

/// <summary>
/// Asynchronous replication loses acknowledged writes on a Sentinel failover, measured on the real primary +
/// replica + three Sentinels (registry service <c>redis-sentinel</c>). A writer on its own connection to the
/// primary (it does not follow Sentinel) appends sequence numbers to a list; the primary is paused (SIGSTOP)
/// until the Sentinels promote the replica, then resumed: it still believes it is the primary and
/// acknowledges the writer's writes until a Sentinel reconfigures it as a replica of the new primary, which
/// discards its copy (a full resynchronisation). The writes that survived are read from the new primary.
/// </summary>
public static class SentinelWriteLoss
{
    private const string Service = "redis-sentinel";

    /// <summary>The Sentinel timers the experiment shortens (SENTINEL DEBUG) and their values during it: a
    /// Sentinel reconfigures a returning old primary only after 4 publish periods (default 2 s each) and
    /// learns its role from INFO, sent every info period (default 10 s) to a healthy-looking instance.</summary>
    public static readonly IReadOnlyDictionary<string, int> ShortTimers = new Dictionary<string, int>
    {
        ["publish-period"] = 100, ["info-period"] = 100, ["ask-period"] = 100,
    };

    /// <summary>
    /// One failover with a writer running through it. The writer writes for <paramref name="warmup"/>, then
    /// the primary is paused until the Sentinels name the replica, then resumed; the writer keeps writing to
    /// the old primary until it is demoted (its connection closed, or READONLY). The Sentinel timers in
    /// <see cref="ShortTimers"/> and, for <see cref="SentinelWriteGuard.MinReplicas"/>, the nodes'
    /// min-replicas settings are set for the run and restored in <c>finally</c>; the key is deleted at the
    /// start and the end. Runs under <see cref="Faults.Experiment"/> and ends with the set healthy.
    /// </summary>
    public static SentinelLossRun Run(RedisSentinelSet set, string key, SentinelWriteGuard guard,
        TimeSpan? warmup = null, int waitTimeoutMs = 100, int maxLagSeconds = 1)
    {
        Guard.NotNull(set);
        Guard.NotEmpty(key);
        Guard.InRange(waitTimeoutMs, 1, 5000);
        Guard.InRange(maxLagSeconds, 1, 60);
        var warm = warmup ?? TimeSpan.FromMilliseconds(300);
        Guard.That(warm > TimeSpan.Zero && warm <= TimeSpan.FromSeconds(10), "warmup must be in (0, 10 s]",
            nameof(warmup));

        using var experiment = Faults.Experiment(Service, TimeSpan.FromSeconds(60), set.Health);
        string old = set.Primary() ?? throw new InvalidOperationException("the Sentinels name no primary");
        string replica = set.Other(old);
        var savedTimers = set.Sentinels.ToDictionary(s => s, s => SentinelTimers(s));
        var savedNodes = set.Nodes.ToDictionary(n => n, n => MinReplicaSettings(n));
        var watch = Stopwatch.StartNew();
        var writes = new List<SentinelWrite>();
        string stoppedBy = "";
        double stoppedAt = 0, pausedAt, failoverAt, resumedAt;
        string newPrimary;
        bool rejoined;
        double rejoinedAt;
        try
        {
            foreach (var s in set.Sentinels) SetTimers(s, ShortTimers);
            if (guard == SentinelWriteGuard.MinReplicas)
                foreach (var n in set.Nodes)
                    SetMinReplicas(n, ("min-replicas-to-write", "1"),
                        ("min-replicas-max-lag", maxLagSeconds.ToString(CultureInfo.InvariantCulture)));
            using (var admin = new RespClient(old, TimeSpan.FromSeconds(10))) DeleteReplicated(admin, key);

            using var client = new RespClient(old, TimeSpan.FromSeconds(30));
            using var stop = new CancellationTokenSource();
            var writer = new Thread(() =>
            {
                (stoppedBy, stoppedAt) = Write(client, key, guard, waitTimeoutMs, writes, watch, stop.Token);
            }) { IsBackground = true, Name = "sentinel-writer" };
            writer.Start();
            Thread.Sleep(warm);
            if (!writer.IsAlive) throw new InvalidOperationException($"the writer stopped before the pause: {stoppedBy}");

            pausedAt = watch.Elapsed.TotalMilliseconds;
            (string Primary, TimeSpan After)? failover;
            using (Faults.Pause(Service, RedisSentinelSet.MemberOf(old), TimeSpan.FromSeconds(30)))
            {
                failover = set.WaitForFailover(old, TimeSpan.FromSeconds(25));
                failoverAt = watch.Elapsed.TotalMilliseconds;
                // Taken before the SIGCONT: the paused node can acknowledge nothing until then.
                resumedAt = watch.Elapsed.TotalMilliseconds;
            }
            newPrimary = failover?.Primary ?? throw new TimeoutException($"no failover within 25 s of pausing {old}");
            if (!writer.Join(TimeSpan.FromSeconds(30)))
            {
                stop.Cancel();
                writer.Join(TimeSpan.FromSeconds(35));
                throw new TimeoutException($"{old} still took writes 30 s after the resume: not demoted");
            }
            rejoined = WaitUntil(() => RejoinedAsReplica(old), TimeSpan.FromSeconds(30));
            rejoinedAt = watch.Elapsed.TotalMilliseconds;
            // With the short timers still set: restored first, a Sentinel would learn that the old primary is
            // now a replica from INFO only every 10 s (the default info period).
            experiment.EnsureHealthy(set.Health, TimeSpan.FromSeconds(30));
        }
        finally
        {
            foreach (var (s, timers) in savedTimers) TrySetTimers(s, timers);
            if (guard == SentinelWriteGuard.MinReplicas)
                foreach (var (n, settings) in savedNodes) TryRestoreMinReplicas(n, settings);
        }
        // Read from the primary of now. With down-after-milliseconds at 1 s, a node starved on a loaded machine can
        // be failed over once more after the set was healthy (a CI run's WAIT was refused by newPrimary, a replica
        // again by then); the set was healthy, so the node that took over holds the same list.
        string current = newPrimary;
        WaitUntil(() => RedisSentinelSet.Role(current = set.Primary() ?? newPrimary) == "master",
            TimeSpan.FromSeconds(10));
        var survivors = new HashSet<long>();
        using (var reader = new RespClient(current, TimeSpan.FromSeconds(10)))
        {
            var items = reader.Send("LRANGE", key, 0, -1).Items ?? [];
            foreach (var item in items) survivors.Add(long.Parse(item.Text!, CultureInfo.InvariantCulture));
            DeleteReplicated(reader, key);
        }
        return new SentinelLossRun(guard, old, newPrimary, pausedAt, failoverAt, resumedAt, stoppedAt, stoppedBy,
            rejoinedAt, writes, survivors, rejoined);
    }

    /// <summary>Deletes the key on the primary and waits until the replica has acknowledged it (WAIT): a node
    /// that has just rejoined reports its link up while it may still be catching up for a few hundred ms
    /// (seen at load 30), and the next experiment must start from a replica in step with its primary.</summary>
    private static void DeleteReplicated(RespClient primary, string key)
    {
        primary.Send("DEL", key);
        var acked = primary.Send("WAIT", 1, 5000);
        if (acked.IsError || acked.Integer < 1)
            throw new TimeoutException($"{primary.Endpoint}: the replica did not acknowledge within 5 s ({acked})");
    }

    /// <summary>The writer loop: one write at a time (then WAIT with <see cref="SentinelWriteGuard.Wait1"/>),
    /// until the server closes the connection, answers READONLY, or the token is cancelled.</summary>
    private static (string StoppedBy, double AtMs) Write(RespClient client, string key, SentinelWriteGuard guard,
        int waitTimeoutMs, List<SentinelWrite> writes, Stopwatch watch, CancellationToken token)
    {
        for (long seq = 1; !token.IsCancellationRequested; seq++)
        {
            try
            {
                var reply = client.Send("RPUSH", key, seq);
                double at = watch.Elapsed.TotalMilliseconds; // the write's own reply, before any WAIT
                int? replicas = null;
                if (!reply.IsError && guard == SentinelWriteGuard.Wait1)
                {
                    var w = client.Send("WAIT", 1, waitTimeoutMs);
                    replicas = w.IsError ? null : (int)w.Integer;
                }
                string outcome = !reply.IsError ? "ok" : reply.ErrorCode == "NOREPLICAS" ? "refused" : "failed";
                lock (writes) writes.Add(new SentinelWrite(seq, at, outcome, replicas));
                if (reply.ErrorCode == "READONLY") return ("READONLY: demoted", at);
            }
            catch (IOException)
            {
                double at = watch.Elapsed.TotalMilliseconds;
                lock (writes) writes.Add(new SentinelWrite(seq, at, "failed", null));
                return ("connection closed", at);
            }
        }
        return ("stopped", watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>The node reports itself a replica whose link to its primary is up (synchronised).</summary>
    private static bool RejoinedAsReplica(string node)
    {
        try
        {
            using var c = new RespClient(node, TimeSpan.FromSeconds(2));
            string info = c.Send("INFO", "replication").Text ?? "";
            return info.Contains("role:slave", StringComparison.Ordinal)
                && info.Contains("master_link_status:up", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or TimeoutException or System.Net.Sockets.SocketException) { return false; }
    }

    internal static Dictionary<string, int> SentinelTimers(string sentinel)
    {
        using var c = new RespClient(sentinel, TimeSpan.FromSeconds(5));
        var items = c.Send("SENTINEL", "DEBUG").Items ?? [];
        var all = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i + 1 < items.Count; i += 2)
            if (int.TryParse(items[i + 1].Text ?? items[i + 1].Integer.ToString(CultureInfo.InvariantCulture),
                    NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                all[items[i].Text!.ToLowerInvariant()] = v;
        return ShortTimers.Keys.Where(all.ContainsKey).ToDictionary(k => k, k => all[k]);
    }

    private static void SetTimers(string sentinel, IReadOnlyDictionary<string, int> timers)
    {
        using var c = new RespClient(sentinel, TimeSpan.FromSeconds(5));
        var args = new List<object> { "SENTINEL", "DEBUG" };
        foreach (var (k, v) in timers) { args.Add(k); args.Add(v); }
        var reply = c.Send(args.ToArray());
        if (reply.IsError) throw new InvalidOperationException($"{sentinel}: SENTINEL DEBUG failed: {reply.Text}");
    }

    private static void TrySetTimers(string sentinel, IReadOnlyDictionary<string, int> timers)
    {
        try { SetTimers(sentinel, timers); }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException
                                   or System.Net.Sockets.SocketException) { }
    }

    private static Dictionary<string, string> MinReplicaSettings(string node)
    {
        using var c = new RespClient(node, TimeSpan.FromSeconds(5));
        var result = new Dictionary<string, string>();
        foreach (var name in new[] { "min-replicas-to-write", "min-replicas-max-lag" })
        {
            var items = c.Send("CONFIG", "GET", name).Items ?? [];
            if (items.Count == 2) result[name] = items[1].Text ?? "";
        }
        return result;
    }

    private static void SetMinReplicas(string node, params (string Name, string Value)[] settings)
    {
        using var c = new RespClient(node, TimeSpan.FromSeconds(5));
        foreach (var (name, value) in settings)
        {
            var reply = c.Send("CONFIG", "SET", name, value);
            if (reply.IsError) throw new InvalidOperationException($"{node}: CONFIG SET {name} failed: {reply.Text}");
        }
    }

    /// <summary>Restores the settings and rewrites the node's config file: a Sentinel's reconfiguration
    /// (REPLICAOF + CONFIG REWRITE) during the run may have written the experiment's values into it.</summary>
    private static void TryRestoreMinReplicas(string node, Dictionary<string, string> settings)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                SetMinReplicas(node, settings.Select(kv => (kv.Key, kv.Value)).ToArray());
                using var c = new RespClient(node, TimeSpan.FromSeconds(5));
                c.Send("CONFIG", "REWRITE");
                return;
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException
                                       or System.Net.Sockets.SocketException)
            {
                Thread.Sleep(250); // a node just resumed or resynchronising may not answer at once
            }
        }
    }

    private static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (condition()) return true;
            Thread.Sleep(20);
        }
        return condition();
    }
}
