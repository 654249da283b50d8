namespace SystemDesign.Consistency;

/// <summary>How the replicated register answers clients.</summary>
public enum ReplicationMode
{
    /// <summary>CP, idealised: every read and write needs a majority of replicas reachable, otherwise the client gets
    /// an error. A write updates every reachable replica at one instant and no leader is modelled, so this is an
    /// idealised majority register: its "no stale read" is an assumption of the model, not a measurement of etcd,
    /// ZooKeeper or any real consensus system.</summary>
    CpMajority,

    /// <summary>Writes need a majority, reads are served by the client's own replica, like etcd's serializable reads:
    /// the minority side stays readable but its reads go stale. (ZooKeeper also reads locally, but a ZooKeeper
    /// server that loses its quorum stops serving, unless read-only mode is turned on, which it is not by
    /// default.)</summary>
    CpLocalReads,

    /// <summary>AP: any reachable replica answers; writes replicate asynchronously and conflicts resolve by last-write-wins.</summary>
    Ap,
}

/// <summary>
/// The experiment: a counter register on <see cref="Replicas"/> replicas, clients on both sides of a partition that
/// puts the replicas listed in <see cref="SideB"/> on side B (the rest on side A) from <see cref="PartitionStart"/>
/// until <see cref="PartitionEnd"/> (ms of virtual time). Each client alternates think time and one operation: a
/// read, or an increment (read-modify-write at the replica that serves it).
/// </summary>
public sealed record PartitionOptions
{
    public int Replicas { get; init; } = 5;
    public IReadOnlyList<int> SideB { get; init; } = [3, 4];
    public double PartitionStart { get; init; } = 2000;
    public double PartitionEnd { get; init; } = 6000;
    public double Duration { get; init; } = 8000;
    public int ClientsPerSide { get; init; } = 3;
    /// <summary>Operations per second per client (mean of exponential think times).</summary>
    public double OpsPerSecond { get; init; } = 20;
    public double ReadFraction { get; init; } = 0.7;
    /// <summary>One-way delay between a client and the replica serving it.</summary>
    public Delay RequestDelay { get; init; } = Delay.Uniform(1, 5);
    /// <summary>AP only: mean of the exponential delay before a write reaches another replica; 0 = instant within a side.</summary>
    public double ReplicationDelayMean { get; init; } = 10;
    /// <summary>AP only: each replica's clock is off by a uniform amount in ±this (ms); last-write-wins uses those clocks.</summary>
    public double MaxClockSkew { get; init; }
    /// <summary>Width of the time windows the per-side statistics are counted in.</summary>
    public double Window { get; init; } = 250;
    public int Seed { get; init; } = 1;
}

/// <summary>One client operation as the simulation saw it.</summary>
/// <param name="Side">the client's side (0 = A, 1 = B).</param>
/// <param name="Version">id of the version written or read (0 = the initial one).</param>
/// <param name="Counter">the counter value written or read.</param>
/// <param name="Effect">when the operation reached the replica(s) that served it.</param>
/// <param name="Stale">a read that returned a version older (in real time) than the newest write acknowledged before the read began.</param>
public sealed record SimOp(int Id, int Client, int Side, OpKind Kind, double Invoke, double Effect, double Response, bool Ok,
    long Version, long Counter, bool Stale);

/// <summary>Per-side counts for one time window (operations counted by invocation time).</summary>
public sealed record SideWindow(double Start, int Side, int Requests, int Succeeded, int Reads, int StaleReads)
{
    public double Availability => Requests == 0 ? 1 : (double)Succeeded / Requests;
    public double StaleRate => Reads == 0 ? 0 : (double)StaleReads / Reads;
}

/// <summary>One row of <see cref="PartitionRun.Summary"/>.</summary>
public sealed record PhaseSummary(string Mode, string Side, string Phase, int Requests, double Availability, double StaleRate);

/// <summary>The outcome of one <see cref="PartitionSimulation"/> run.</summary>
public sealed class PartitionRun
{
    internal PartitionRun(ReplicationMode mode, PartitionOptions options, IReadOnlyList<SimOp> ops, long finalCounter,
        bool converged, int concurrentMerges)
    {
        Mode = mode;
        Options = options;
        Ops = ops;
        FinalCounter = finalCounter;
        Converged = converged;
        ConcurrentMerges = concurrentMerges;
        AckedIncrements = ops.Count(o => o.Ok && o.Kind == OpKind.Write);
    }

    public ReplicationMode Mode { get; }
    public PartitionOptions Options { get; }
    public IReadOnlyList<SimOp> Ops { get; }

    /// <summary>Increments that clients were told succeeded.</summary>
    public int AckedIncrements { get; }

    /// <summary>The counter every replica holds once all replication has been delivered.</summary>
    public long FinalCounter { get; }

    /// <summary>Acknowledged increments the final state does not reflect: what last-write-wins threw away.</summary>
    public long LostUpdates => AckedIncrements - FinalCounter;

    /// <summary>Whether all replicas hold the same version at the end.</summary>
    public bool Converged { get; }

    /// <summary>AP only: replication messages whose version vector was concurrent with the receiver's (a conflict
    /// vector clocks detect and last-write-wins resolves by discarding one side).</summary>
    public int ConcurrentMerges { get; }

    /// <summary>Per-window, per-side counts; windows with no requests on a side are left out.</summary>
    public IReadOnlyList<SideWindow> Windows()
    {
        double w = Options.Window;
        return Ops.GroupBy(o => ((int)Math.Floor(o.Invoke / w), o.Side))
            .Select(g => new SideWindow(g.Key.Item1 * w, g.Key.Side, g.Count(), g.Count(o => o.Ok),
                g.Count(o => o.Ok && o.Kind == OpKind.Read), g.Count(o => o.Stale)))
            .OrderBy(s => s.Side).ThenBy(s => s.Start).ToList();
    }

    /// <summary>
    /// Per side, before / during / after the partition: requests, availability, stale-read rate. Operations whose
    /// request was in flight when the partition started or healed (invoked within <paramref name="margin"/> ms of
    /// either edge) are left out, so that each phase shows one network state.
    /// </summary>
    public IReadOnlyList<PhaseSummary> Summary(double margin = 10)
    {
        Guard.NonNegative(margin);
        var o = Options;
        var phases = new[] { ("before", 0.0, o.PartitionStart - margin), ("during", o.PartitionStart + margin, o.PartitionEnd - margin), ("after", o.PartitionEnd + margin, o.Duration) };
        return (from side in new[] { 0, 1 }
                from p in phases
                let ops = Ops.Where(x => x.Side == side && x.Invoke >= p.Item2 && x.Invoke < p.Item3).ToList()
                let reads = ops.Where(x => x.Ok && x.Kind == OpKind.Read).ToList()
                select new PhaseSummary(Mode.ToString(), side == 0 ? "A" : "B", p.Item1, ops.Count,
                    ops.Count == 0 ? 1 : (double)ops.Count(x => x.Ok) / ops.Count,
                    reads.Count == 0 ? 0 : (double)reads.Count(x => x.Stale) / reads.Count)).ToList();
    }

    /// <summary>Share of requests from <paramref name="side"/> invoked in [from, to) that succeeded.</summary>
    public double Availability(int side, double from, double to)
    {
        ValidateRange(side, from, to);
        var ops = Ops.Where(o => o.Side == side && o.Invoke >= from && o.Invoke < to).ToList();
        return ops.Count == 0 ? 1 : (double)ops.Count(o => o.Ok) / ops.Count;
    }

    /// <summary>Share of successful reads from <paramref name="side"/> invoked in [from, to) that were stale.</summary>
    public double StaleRate(int side, double from, double to)
    {
        ValidateRange(side, from, to);
        var reads = Ops.Where(o => o.Side == side && o.Ok && o.Kind == OpKind.Read && o.Invoke >= from && o.Invoke < to).ToList();
        return reads.Count == 0 ? 0 : (double)reads.Count(o => o.Stale) / reads.Count;
    }

    /// <summary>As <see cref="StaleRate"/>, with the number of reads it was counted over (for its standard error).</summary>
    public (double Rate, int Reads) StaleShare(int side, double from, double to)
    {
        ValidateRange(side, from, to);
        var reads = Ops.Where(o => o.Side == side && o.Ok && o.Kind == OpKind.Read && o.Invoke >= from && o.Invoke < to).ToList();
        return (reads.Count == 0 ? 0 : (double)reads.Count(o => o.Stale) / reads.Count, reads.Count);
    }

    /// <summary>The successful operations as a register history (value = version id) for <see cref="ConsistencyChecker"/>.
    /// Failed operations are dropped: they had no effect.</summary>
    public IReadOnlyList<RegisterOp> RegisterHistory(double from = 0, double to = double.PositiveInfinity)
    {
        ValidateRange(0, from, to);
        return Ops.Where(o => o.Ok && o.Invoke >= from && o.Invoke < to)
            .Select(o => new RegisterOp(o.Client, o.Kind, o.Version, o.Invoke, o.Response)).ToList();
    }

    private static void ValidateRange(int side, double from, double to)
    {
        Guard.InRange(side, 0, 1);
        Guard.That(!double.IsNaN(from) && !double.IsNaN(to) && from <= to, $"need from ≤ to; got [{from}, {to}).", nameof(to));
    }
}

/// <summary>
/// A discrete-event simulation (virtual clock, seeded) of one replicated register under a network partition, run
/// in CP or AP mode with the same client workload, so that what each choice costs — errors on one side, or stale
/// reads and lost updates — can be counted side by side.
/// </summary>
public static class PartitionSimulation
{
    private sealed record Version(long Id, long Counter, double Time, double Ts, VectorClock Vv);

    public static PartitionRun Run(ReplicationMode mode, PartitionOptions options)
    {
        Guard.NotNull(options);
        var o = options;
        Guard.InRange(o.Replicas, 1, 15, nameof(o.Replicas));
        Guard.NotNull(o.SideB, nameof(o.SideB));
        foreach (int r in o.SideB) Guard.InRange(r, 0, o.Replicas - 1, nameof(o.SideB));
        Guard.That(o.SideB.Distinct().Count() == o.SideB.Count, "SideB must not list a replica twice", nameof(o.SideB));
        Guard.InRange(o.Duration, 1, 600_000, nameof(o.Duration));
        Guard.InRange(o.PartitionStart, 0, o.Duration, nameof(o.PartitionStart));
        Guard.InRange(o.PartitionEnd, o.PartitionStart, o.Duration, nameof(o.PartitionEnd));
        Guard.InRange(o.ClientsPerSide, 1, 50, nameof(o.ClientsPerSide));
        Guard.InRange(o.OpsPerSecond, 0.01, 1000, nameof(o.OpsPerSecond));
        Guard.InRange(o.ReadFraction, 0, 1, nameof(o.ReadFraction));
        Guard.NotNull(o.RequestDelay, nameof(o.RequestDelay));
        Guard.InRange(o.ReplicationDelayMean, 0, 60_000, nameof(o.ReplicationDelayMean));
        Guard.InRange(o.MaxClockSkew, 0, 60_000, nameof(o.MaxClockSkew));
        Guard.InRange(o.Window, 1, o.Duration, nameof(o.Window));
        if (mode is not (ReplicationMode.CpMajority or ReplicationMode.CpLocalReads or ReplicationMode.Ap))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be CpMajority, CpLocalReads or Ap.");

        var rng = new Random(o.Seed);
        int n = o.Replicas, majority = Quorums.Majority(n);
        var sideOf = Enumerable.Range(0, n).Select(r => o.SideB.Contains(r) ? 1 : 0).ToArray();
        var sideReplicas = new[] { Enumerable.Range(0, n).Where(r => sideOf[r] == 0).ToArray(), Enumerable.Range(0, n).Where(r => sideOf[r] == 1).ToArray() };
        var skew = Enumerable.Range(0, n).Select(_ => (2 * rng.NextDouble() - 1) * o.MaxClockSkew).ToArray();
        var initial = new Version(0, 0, double.NegativeInfinity, double.NegativeInfinity, new VectorClock(n));
        var state = Enumerable.Repeat(initial, n).ToArray();

        var queue = new PriorityQueue<Action, (double, long)>();
        long seq = 0, nextVersion = 0;
        double now = 0;
        void At(double t, Action a) => queue.Enqueue(a, (t, seq++));
        bool Partitioned(double t) => t >= o.PartitionStart && t < o.PartitionEnd;
        int[] Reachable(int side, double t) => Partitioned(t) ? sideReplicas[side] : Enumerable.Range(0, n).ToArray();
        bool Later(Version a, Version b) => a.Ts != b.Ts ? a.Ts > b.Ts : a.Id > b.Id;

        var ops = new List<SimOp>();
        // Acknowledged writes in response order, with the running maximum of their effect times: a read invoked at t
        // is stale if it returns a version older than the newest write acknowledged before t.
        var ackTimes = new List<double>();
        var ackMaxEffect = new List<double>();
        int concurrentMerges = 0;
        int clients = 2 * o.ClientsPerSide;
        double think = 1000.0 / o.OpsPerSecond;

        void Invoke(int client)
        {
            double invoke = now;
            int side = client < o.ClientsPerSide ? 0 : 1;
            var kind = rng.NextDouble() < o.ReadFraction ? OpKind.Read : OpKind.Write;
            At(now + o.RequestDelay.Sample(rng), () => Effect(client, side, kind, invoke));
        }

        void Effect(int client, int side, OpKind kind, double invoke)
        {
            var reach = Reachable(side, now);
            bool ok;
            Version v = initial;
            if (mode == ReplicationMode.Ap)
            {
                ok = reach.Length > 0;
                if (ok)
                {
                    int r = reach[rng.Next(reach.Length)];
                    v = state[r];
                    if (kind == OpKind.Write)
                    {
                        v = new Version(++nextVersion, v.Counter + 1, now, now + skew[r], v.Vv.Tick(r));
                        state[r] = v;
                        var written = v;
                        for (int j = 0; j < n; j++)
                            if (j != r) Replicate(written, r, j, now + (o.ReplicationDelayMean > 0 ? -o.ReplicationDelayMean * Math.Log(1 - rng.NextDouble()) : 0));
                    }
                }
            }
            else if (mode == ReplicationMode.CpLocalReads && kind == OpKind.Read)
            {
                // The client's own replica: a fixed choice among those it can reach.
                ok = reach.Length > 0;
                if (ok) v = state[reach[client % reach.Length]];
            }
            else
            {
                ok = reach.Length >= majority;
                if (ok)
                {
                    v = reach.Select(r => state[r]).Aggregate((a, b) => Later(a, b) ? a : b);
                    if (kind == OpKind.Write)
                    {
                        long id = ++nextVersion;
                        v = new Version(id, v.Counter + 1, now, id, initial.Vv);
                        foreach (int r in reach) state[r] = v;
                    }
                }
            }

            var result = v;
            double effect = now;
            At(now + o.RequestDelay.Sample(rng), () => Respond(client, side, kind, invoke, effect, ok, result));
        }

        void Respond(int client, int side, OpKind kind, double invoke, double effect, bool ok, Version v)
        {
            bool stale = false;
            if (ok && kind == OpKind.Read)
            {
                int i = ackTimes.BinarySearch(invoke);
                int before = i >= 0 ? i : ~i; // acknowledgements strictly before the invocation
                while (before > 0 && ackTimes[before - 1] >= invoke) before--;
                stale = before > 0 && v.Time < ackMaxEffect[before - 1];
            }
            if (ok && kind == OpKind.Write)
            {
                ackTimes.Add(now);
                ackMaxEffect.Add(Math.Max(ackMaxEffect.Count > 0 ? ackMaxEffect[^1] : double.NegativeInfinity, v.Time));
            }
            ops.Add(new SimOp(0, client, side, kind, invoke, effect, now, ok, ok ? v.Id : -1, ok ? v.Counter : -1, stale));
            double next = now + -think * Math.Log(1 - rng.NextDouble());
            if (next < o.Duration) At(next, () => Invoke(client));
        }

        void Replicate(Version v, int from, int to, double t)
        {
            // A message that would cross the partition waits for the heal (hinted hand-off / anti-entropy).
            if (Partitioned(t) && sideOf[from] != sideOf[to]) t = o.PartitionEnd;
            At(t, () =>
            {
                var local = state[to];
                if (v.Vv.Compare(local.Vv) == Causality.Concurrent) concurrentMerges++;
                if (Later(v, local)) state[to] = v;
            });
        }

        // CP: replicas that sat in the minority catch up when the partition heals.
        if (mode != ReplicationMode.Ap && o.PartitionEnd > o.PartitionStart)
            At(o.PartitionEnd, () =>
            {
                var newest = state.Aggregate((a, b) => Later(a, b) ? a : b);
                for (int r = 0; r < n; r++) state[r] = newest;
            });

        for (int c = 0; c < clients; c++)
        {
            int client = c;
            At(rng.NextDouble() * think, () => Invoke(client));
        }
        while (queue.TryDequeue(out var action, out var key))
        {
            now = key.Item1;
            action();
        }

        var final = state.Aggregate((a, b) => Later(a, b) ? a : b);
        bool converged = state.All(s => s.Id == final.Id);
        var ordered = ops.OrderBy(x => x.Invoke).Select((x, i) => x with { Id = i }).ToList();
        return new PartitionRun(mode, o, ordered, final.Counter, converged, concurrentMerges);
    }
}
