namespace SystemDesign.Locking;

/// <summary>A fault injected between two clients' attempts in <see cref="Redlock.SplitBrain"/>.</summary>
public enum RedlockFault
{
    /// <summary>Nothing happens: the second client must be refused.</summary>
    None,

    /// <summary>The shared instance's clock jumps forward past the TTL (an NTP step): its key expires early.</summary>
    ClockJump,

    /// <summary>The shared instance crashes and restarts empty at once (no fsync, or a replica promoted before it got the key).</summary>
    RestartWithoutPersistence,

    /// <summary>The same crash, but the instance stays unavailable for a TTL before rejoining, as Redlock's authors require.</summary>
    DelayedRestart,
}

/// <summary>The outcome of <see cref="Redlock.SplitBrain"/>: both clients' attempts.</summary>
public sealed record SplitBrainRun(int Instances, RedlockFault Fault, RedlockAttempt A, RedlockAttempt B)
{
    /// <summary>Both clients believe they hold the lock at the same time: mutual exclusion is lost.</summary>
    public bool TwoHolders => A.Acquired && B.Acquired && B.StartMs + B.ElapsedMs < A.ValidUntilMs;
}

/// <summary>The outcome of <see cref="Redlock.DriftTrial"/>.</summary>
/// <param name="EarlyExpiries">acquired locks where some instance of the quorum let the key go while the client still trusted it.</param>
/// <param name="WorstMarginMs">the smallest time (over all acquired locks and their quorum) an instance still held the key after the client's validity ended; negative: it expired early.</param>
public sealed record RedlockDriftTrial(int Runs, double ActualDrift, double AssumedDrift, double TtlMs, int Acquired,
    int EarlyExpiries, double WorstMarginMs);

/// <summary>The result of one Redlock acquisition attempt.</summary>
/// <param name="LockedNodes">the instances where SET NX PX succeeded.</param>
/// <param name="ElapsedMs">time spent asking every instance, on the client's clock.</param>
/// <param name="ValidityMs">TTL − elapsed − drift: how long the client may act; the lock counts only when this is positive.</param>
/// <param name="TimedOutNodes">reachable instances that answered slower than the per-request timeout: counted as failed.</param>
public sealed record RedlockAttempt(string Client, bool Acquired, IReadOnlyList<int> LockedNodes, int Quorum, double StartMs, double ElapsedMs,
    double DriftMs, double ValidityMs, IReadOnlyList<int>? TimedOutNodes = null)
{
    /// <summary>Until when (client clock) the client may assume it holds the lock.</summary>
    public double ValidUntilMs => StartMs + ElapsedMs + Math.Max(0, ValidityMs);
}

/// <summary>
/// Redlock's arithmetic and a simulated set of independent Redis instances on a virtual clock. The algorithm
/// (as its authors describe it): ask all N instances in turn for SET key token NX PX ttl with a short
/// per-request timeout; the lock is acquired when a majority (N/2 + 1) said yes and the remaining validity,
/// TTL − elapsed − drift with drift = TTL·ρ + 2 ms, is positive; otherwise unlock every instance. The
/// simulation can slow, stop, partition, restart (without persistence) and jump the clock of single
/// instances, which is what the safety debate is about.
/// </summary>
public sealed class Redlock
{
    /// <summary>The default clock-drift factor ρ of the reference implementations (1%).</summary>
    public const double DefaultDriftFactor = 0.01;

    /// <summary>The fixed part of the drift allowance, in ms.</summary>
    public const double DriftConstantMs = 2;

    /// <summary>Votes needed among <paramref name="nodes"/> instances: a strict majority.</summary>
    public static int Quorum(int nodes) => Guard.Positive(nodes) / 2 + 1;

    /// <summary>Allowance for clock drift between processes: TTL·ρ + 2 ms.</summary>
    public static double DriftMs(double ttlMs, double driftFactor = DefaultDriftFactor)
    {
        Guard.Positive(ttlMs);
        Guard.InRange(driftFactor, 0, 1);
        return ttlMs * driftFactor + DriftConstantMs;
    }

    /// <summary>TTL − elapsed − drift.</summary>
    public static double ValidityMs(double ttlMs, double elapsedMs, double driftFactor = DefaultDriftFactor)
    {
        Guard.NonNegative(elapsedMs);
        return ttlMs - elapsedMs - DriftMs(ttlMs, driftFactor);
    }

    private sealed class Node
    {
        public double LatencyMs { get; set; } = 1;
        public double DownUntil { get; set; } = double.NegativeInfinity;
        public bool Down { get; set; }
        public double Rate { get; set; } = 1;
        public List<(double At, double Jump)> Jumps { get; } = [];
        public Dictionary<string, (string Token, double ExpiresLocal)> Keys { get; } = [];

        /// <summary>The instance's own clock: real time at its rate, plus every forward jump so far.</summary>
        public double Local(double t) => t * Rate + Jumps.Where(j => j.At <= t).Sum(j => j.Jump);

        public bool Reachable(double t) => !Down && t >= DownUntil;
    }

    private readonly Node[] _nodes;
    private readonly Dictionary<string, HashSet<int>> _cut = [];

    /// <param name="requestTimeoutMs">how long the client waits for an unreachable instance before moving on.</param>
    public Redlock(int nodes, double driftFactor = DefaultDriftFactor, double requestTimeoutMs = 5)
    {
        Guard.InRange(nodes, 1, 99);
        Guard.InRange(driftFactor, 0, 1);
        Guard.Positive(requestTimeoutMs);
        _nodes = Enumerable.Range(0, nodes).Select(_ => new Node()).ToArray();
        DriftFactor = driftFactor;
        RequestTimeoutMs = requestTimeoutMs;
    }

    public int Count => _nodes.Length;
    public double DriftFactor { get; }
    public double RequestTimeoutMs { get; }

    /// <summary>Round-trip time of a request to one instance.</summary>
    public void SetLatency(int node, double ms) => _nodes[Index(node)].LatencyMs = Guard.InRange(ms, 0, 1e9);

    /// <summary>
    /// The instance's clock runs at <paramref name="rate"/> times the client's (1.01: 1% fast). Redlock assumes
    /// every instance's rate differs from the client's by at most the drift factor ρ; the offset between clocks
    /// does not matter, because each instance only measures the TTL on its own clock.
    /// </summary>
    public void SetClockRate(int node, double rate) => _nodes[Index(node)].Rate = Guard.InRange(rate, 0.5, 2);

    /// <summary>When (client clock) instance <paramref name="node"/> lets the key go, or null when it holds none.</summary>
    public double? ExpiresAtMs(int node, string resource)
    {
        Guard.NotEmpty(resource);
        var n = _nodes[Index(node)];
        if (!n.Keys.TryGetValue(resource, out var held)) return null;
        // Solve Local(t) = ExpiresLocal, with the jumps that have happened so far.
        return (held.ExpiresLocal - n.Jumps.Sum(j => j.Jump)) / n.Rate;
    }

    /// <summary>Stops (or restarts) an instance; a stopped instance keeps its keys (it is unreachable, not wiped).</summary>
    public void SetDown(int node, bool down) => _nodes[Index(node)].Down = down;

    /// <summary>The client can no longer reach these instances (a network partition).</summary>
    public void Partition(string client, params int[] nodes)
    {
        Guard.NotEmpty(client);
        foreach (int n in nodes) Index(n);
        _cut[client] = [.. nodes];
    }

    /// <summary>The instance's clock jumps forward by <paramref name="jumpMs"/> at time <paramref name="atMs"/> (an NTP step, an operator): its keys expire early.</summary>
    public void JumpClock(int node, double atMs, double jumpMs)
    {
        Guard.NonNegative(atMs);
        Guard.Positive(jumpMs);
        _nodes[Index(node)].Jumps.Add((atMs, jumpMs));
    }

    /// <summary>
    /// The instance crashes at <paramref name="atMs"/> and comes back empty (no persistence, or a replica promoted
    /// before it received the key), refusing requests for <paramref name="unavailableMs"/>. Redlock's authors
    /// require unavailableMs ≥ TTL ("delayed restarts") for safety.
    /// </summary>
    public void Restart(int node, double atMs, double unavailableMs = 0)
    {
        Guard.NonNegative(atMs);
        Guard.NonNegative(unavailableMs);
        var n = _nodes[Index(node)];
        n.Keys.Clear();
        n.DownUntil = atMs + unavailableMs;
    }

    /// <summary>
    /// Asks every instance in order, starting at <paramref name="startMs"/>; releases everything on failure. An
    /// unreachable instance costs the per-request timeout; so does a reachable one slower than the timeout: the
    /// client stops waiting and counts it as failed (the SET may still land there; it expires with its TTL).
    /// </summary>
    public RedlockAttempt TryAcquire(string client, string resource, string token, double ttlMs, double startMs)
    {
        Guard.NotEmpty(client);
        Guard.NotEmpty(resource);
        Guard.NotEmpty(token);
        Guard.Positive(ttlMs);
        Guard.NonNegative(startMs);
        var cut = _cut.GetValueOrDefault(client) ?? [];
        double t = startMs;
        var locked = new List<int>();
        var timedOut = new List<int>();
        for (int i = 0; i < _nodes.Length; i++)
        {
            var n = _nodes[i];
            if (!n.Reachable(t) || cut.Contains(i))
            {
                t += RequestTimeoutMs;
                continue;
            }
            double local = n.Local(t);
            bool set = !n.Keys.TryGetValue(resource, out var held) || local >= held.ExpiresLocal;
            if (set) n.Keys[resource] = (token, local + ttlMs);
            if (n.LatencyMs > RequestTimeoutMs)
            {
                timedOut.Add(i);
                t += RequestTimeoutMs;
                continue;
            }
            if (set) locked.Add(i);
            t += n.LatencyMs;
        }
        double elapsed = t - startMs;
        double validity = ValidityMs(ttlMs, elapsed, DriftFactor);
        int quorum = Quorum(_nodes.Length);
        bool ok = locked.Count >= quorum && validity > 0;
        if (!ok) Release(resource, token, t);
        return new RedlockAttempt(client, ok, locked, quorum, startMs, elapsed, DriftMs(ttlMs, DriftFactor), validity, timedOut);
    }

    /// <summary>Compare-and-delete on every instance.</summary>
    public void Release(string resource, string token, double atMs)
    {
        Guard.NotEmpty(resource);
        foreach (var n in _nodes)
            if (n.Keys.TryGetValue(resource, out var held) && held.Token == token) n.Keys.Remove(resource);
    }

    /// <summary>Which token instance <paramref name="node"/> says holds the resource at <paramref name="atMs"/>, or null.</summary>
    public string? Holder(int node, string resource, double atMs)
    {
        var n = _nodes[Index(node)];
        return n.Keys.TryGetValue(resource, out var held) && n.Local(atMs) < held.ExpiresLocal ? held.Token : null;
    }

    /// <summary>
    /// Two clients, one lock, <paramref name="instances"/> instances. A reaches every instance but the last
    /// ⌊N/2⌋, B every instance but the first ⌊N/2⌋ (a partition), so with N = 5 A locks 0, 1, 2 and B can only
    /// reach 2, 3, 4: they share instance 2 (with N = 1 they share the only one). A acquires at t = 0; at
    /// t = 100 ms the fault hits the shared instance; B tries at t = 200 ms.
    /// </summary>
    public static SplitBrainRun SplitBrain(int instances, RedlockFault fault, double ttlMs = 10_000)
    {
        Guard.InRange(instances, 1, 99);
        Guard.InRange(ttlMs, 300, 1e9);
        var r = new Redlock(instances);
        int cut = instances / 2;
        if (cut > 0)
        {
            r.Partition("A", Enumerable.Range(instances - cut, cut).ToArray());
            r.Partition("B", Enumerable.Range(0, cut).ToArray());
        }
        int shared = cut;
        var a = r.TryAcquire("A", "resource", "token-A", ttlMs, 0);
        switch (fault)
        {
            case RedlockFault.ClockJump: r.JumpClock(shared, 100, 2 * ttlMs); break;
            case RedlockFault.RestartWithoutPersistence: r.Restart(shared, 100); break;
            case RedlockFault.DelayedRestart: r.Restart(shared, 100, ttlMs); break;
        }
        var b = r.TryAcquire("B", "resource", "token-B", ttlMs, 200);
        return new SplitBrainRun(instances, fault, a, b);
    }

    /// <summary>
    /// Redlock's safety under clock drift, measured: <paramref name="runs"/> acquisitions on
    /// <paramref name="instances"/> instances whose clocks run at rates drawn uniformly from
    /// 1 ± <paramref name="actualDrift"/> relative to the client's, with latencies uniform in 1 ms …
    /// <paramref name="requestTimeoutMs"/>·1.2 (some time out). For each acquired lock, compares the moment the
    /// client stops trusting it (start + elapsed + validity) with the moment each instance of its quorum lets the
    /// key go. The client assumes drift ρ = <paramref name="assumedDrift"/>.
    /// </summary>
    public static RedlockDriftTrial DriftTrial(int runs, double actualDrift, double assumedDrift = DefaultDriftFactor,
        double ttlMs = 10_000, int instances = 5, double requestTimeoutMs = 50, int seed = 6)
    {
        Guard.InRange(runs, 1, 1_000_000);
        Guard.InRange(actualDrift, 0, 0.5);
        Guard.InRange(assumedDrift, 0, 0.5);
        Guard.Positive(ttlMs);
        Guard.InRange(instances, 1, 99);
        Guard.Positive(requestTimeoutMs);
        var rng = new Random(seed);
        int acquired = 0, early = 0;
        double worst = double.PositiveInfinity;
        for (int run = 0; run < runs; run++)
        {
            var r = new Redlock(instances, assumedDrift, requestTimeoutMs);
            for (int i = 0; i < instances; i++)
            {
                r.SetClockRate(i, 1 + actualDrift * (2 * rng.NextDouble() - 1));
                r.SetLatency(i, 1 + rng.NextDouble() * (1.2 * requestTimeoutMs - 1));
            }
            var a = r.TryAcquire("client", "resource", "token", ttlMs, 0);
            if (!a.Acquired) continue;
            acquired++;
            // Margin: how long each instance of the quorum still holds the key after the client stops trusting it.
            double margin = a.LockedNodes.Min(i => r.ExpiresAtMs(i, "resource")!.Value) - a.ValidUntilMs;
            worst = Math.Min(worst, margin);
            if (margin < 0) early++;
        }
        return new RedlockDriftTrial(runs, actualDrift, assumedDrift, ttlMs, acquired, early,
            acquired == 0 ? double.NaN : worst);
    }

    private int Index(int node) => Guard.InRange(node, 0, _nodes.Length - 1, nameof(node));
}
