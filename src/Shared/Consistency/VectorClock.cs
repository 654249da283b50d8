namespace SystemDesign.Consistency;

/// <summary>How two events (or versions) relate under happens-before.</summary>
public enum Causality
{
    Equal,
    Before,
    After,
    Concurrent,
}

/// <summary>
/// An immutable vector clock: one counter per process. a happened before b exactly when a's vector is ≤ b's in
/// every entry and differs somewhere, so unlike a Lamport clock (one number, which orders concurrent events
/// arbitrarily) it can tell "b saw a" from "a and b never heard of each other" — the case a replicated store must
/// keep as siblings instead of silently dropping one (last-write-wins).
/// </summary>
public sealed class VectorClock : IEquatable<VectorClock>
{
    private readonly int[] _c;

    public VectorClock(int processes)
    {
        Guard.InRange(processes, 1, 1_000_000);
        _c = new int[processes];
    }

    private VectorClock(int[] counters) => _c = counters;

    public int Processes => _c.Length;

    public int this[int process] => _c[Guard.InRange(process, 0, _c.Length - 1)];

    /// <summary>The clock after a local event (or a send) at <paramref name="process"/>.</summary>
    public VectorClock Tick(int process)
    {
        Guard.InRange(process, 0, _c.Length - 1);
        var c = (int[])_c.Clone();
        c[process]++;
        return new VectorClock(c);
    }

    /// <summary>The entry-wise maximum: what a receiver knows after hearing from the sender.</summary>
    public VectorClock Merge(VectorClock other)
    {
        Guard.NotNull(other);
        Guard.That(other.Processes == Processes, $"both clocks must have {Processes} entries; got {other.Processes}.", nameof(other));
        var c = new int[_c.Length];
        for (int i = 0; i < c.Length; i++) c[i] = Math.Max(_c[i], other._c[i]);
        return new VectorClock(c);
    }

    /// <summary>How this clock's event relates to <paramref name="other"/>'s.</summary>
    public Causality Compare(VectorClock other)
    {
        Guard.NotNull(other);
        Guard.That(other.Processes == Processes, $"both clocks must have {Processes} entries; got {other.Processes}.", nameof(other));
        bool less = false, greater = false;
        for (int i = 0; i < _c.Length; i++)
        {
            if (_c[i] < other._c[i]) less = true;
            else if (_c[i] > other._c[i]) greater = true;
        }
        return (less, greater) switch
        {
            (false, false) => Causality.Equal,
            (true, false) => Causality.Before,
            (false, true) => Causality.After,
            _ => Causality.Concurrent,
        };
    }

    public bool Equals(VectorClock? other) => other is not null && _c.AsSpan().SequenceEqual(other._c);
    public override bool Equals(object? obj) => Equals(obj as VectorClock);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var x in _c) h.Add(x);
        return h.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(",", _c) + "]";
}

/// <summary>One event of a <see cref="CausalTrace"/>.</summary>
/// <param name="From">for a receive, the index of the matching send event; otherwise −1.</param>
public sealed record TraceEvent(int Index, int Process, string Kind, int From, VectorClock Vector, long Lamport);

/// <summary>The clocks of a <see cref="CausalTrace"/> judged against true happens-before, over every ordered pair.</summary>
/// <param name="VectorDisagreements">pairs where comparing vector clocks gives another relation than the truth.</param>
/// <param name="LamportBackwards">pairs with a → b whose Lamport timestamps are not L(a) &lt; L(b).</param>
/// <param name="LamportOrdersConcurrent">concurrent pairs whose Lamport timestamps differ (so they look ordered).</param>
public sealed record ClockComparison(long Pairs, long VectorDisagreements, long LamportBackwards, long ConcurrentPairs,
    long LamportOrdersConcurrent);

/// <summary>
/// A random message-passing execution with each event stamped by a vector clock and a Lamport clock, and the
/// ground truth to judge them by: happens-before computed directly as reachability in the event graph (program
/// order plus send→receive edges). Lets a notebook check that vector clocks recover happens-before exactly while
/// Lamport clocks only respect it in one direction.
/// </summary>
public sealed class CausalTrace
{
    private readonly ulong[][] _reach; // _reach[b] has bit a set when a happened before b

    public IReadOnlyList<TraceEvent> Events { get; }

    private CausalTrace(IReadOnlyList<TraceEvent> events, ulong[][] reach)
    {
        Events = events;
        _reach = reach;
    }

    /// <summary>
    /// Generates <paramref name="events"/> events over <paramref name="processes"/> processes: each step a random
    /// process either sends a message (probability <paramref name="sendProbability"/>), receives one waiting for it,
    /// or does a local step.
    /// </summary>
    public static CausalTrace Generate(int processes, int events, double sendProbability, Random rng)
    {
        Guard.InRange(processes, 2, 64);
        Guard.InRange(events, 1, 5000);
        Guard.InRange(sendProbability, 0, 1);
        Guard.NotNull(rng);
        var clocks = Enumerable.Range(0, processes).Select(_ => new VectorClock(processes)).ToArray();
        var lamport = new long[processes];
        var last = Enumerable.Repeat(-1, processes).ToArray();
        var inbox = Enumerable.Range(0, processes).Select(_ => new List<int>()).ToArray();
        var list = new List<TraceEvent>();
        var reach = new List<ulong[]>();
        int words = (events + 63) / 64;

        for (int e = 0; e < events; e++)
        {
            int p = rng.Next(processes);
            int from = -1;
            string kind;
            if (inbox[p].Count > 0 && rng.NextDouble() < 0.5)
            {
                int k = rng.Next(inbox[p].Count);
                from = inbox[p][k];
                inbox[p].RemoveAt(k);
                var send = list[from];
                clocks[p] = clocks[p].Merge(send.Vector).Tick(p);
                lamport[p] = Math.Max(lamport[p], send.Lamport) + 1;
                kind = "receive";
            }
            else
            {
                clocks[p] = clocks[p].Tick(p);
                lamport[p]++;
                kind = rng.NextDouble() < sendProbability ? "send" : "local";
            }

            var r = new ulong[words];
            foreach (int pred in new[] { last[p], from })
            {
                if (pred < 0) continue;
                var pr = reach[pred];
                for (int w = 0; w < words; w++) r[w] |= pr[w];
                r[pred >> 6] |= 1UL << (pred & 63);
            }
            reach.Add(r);
            list.Add(new TraceEvent(e, p, kind, from, clocks[p], lamport[p]));
            last[p] = e;
            if (kind == "send")
            {
                int to = rng.Next(processes - 1);
                if (to >= p) to++;
                inbox[to].Add(e);
            }
        }
        return new CausalTrace(list, reach.ToArray());
    }

    /// <summary>Ground truth: a happened before b (a path of program-order and message edges leads from a to b).</summary>
    public bool HappenedBefore(int a, int b)
    {
        Guard.InRange(a, 0, Events.Count - 1);
        Guard.InRange(b, 0, Events.Count - 1);
        return (_reach[b][a >> 6] & (1UL << (a & 63))) != 0;
    }

    /// <summary>Ground-truth relation of a to b.</summary>
    public Causality Truth(int a, int b)
        => a == b ? Causality.Equal : HappenedBefore(a, b) ? Causality.Before : HappenedBefore(b, a) ? Causality.After : Causality.Concurrent;

    /// <summary>Compares the vector and Lamport clocks with the ground truth on every ordered pair of distinct events.</summary>
    public ClockComparison CompareClocks()
    {
        long pairs = 0, vectorWrong = 0, lamportBackwards = 0, concurrent = 0, lamportOrders = 0;
        for (int a = 0; a < Events.Count; a++)
            for (int b = 0; b < Events.Count; b++)
            {
                if (a == b) continue;
                pairs++;
                var truth = Truth(a, b);
                if (Events[a].Vector.Compare(Events[b].Vector) != truth) vectorWrong++;
                if (truth == Causality.Before && Events[a].Lamport >= Events[b].Lamport) lamportBackwards++;
                if (truth != Causality.Concurrent) continue;
                concurrent++;
                if (Events[a].Lamport != Events[b].Lamport) lamportOrders++;
            }
        return new ClockComparison(pairs, vectorWrong, lamportBackwards, concurrent, lamportOrders);
    }
}
