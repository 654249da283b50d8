namespace SystemDesign.Consistency;

/// <summary>What a register operation does.</summary>
public enum OpKind
{
    Read,
    Write,
}

/// <summary>
/// One operation on a single register as a client saw it: when it was invoked, when its response came back,
/// and the value written or read. A consistency checker only ever sees this outside view, which is the point:
/// linearizability is a property of what clients observe, not of how replicas are built. An operation whose
/// response never came (a write whose coordinator crashed) has <see cref="Response"/> = +∞: it may or may not
/// have taken effect.
/// </summary>
public readonly record struct RegisterOp(int Client, OpKind Kind, long Value, double Invoke, double Response)
{
    public bool Pending => double.IsPositiveInfinity(Response);

    public static RegisterOp Write(int client, long value, double invoke, double response) => new(client, OpKind.Write, value, invoke, response);

    public static RegisterOp Read(int client, long value, double invoke, double response) => new(client, OpKind.Read, value, invoke, response);

    public override string ToString()
        => $"c{Client} {(Kind == OpKind.Write ? "W" : "R")}({Value}) [{Invoke:0.##}, {(Pending ? "∞" : Response.ToString("0.##"))}]";
}

/// <summary>The verdict of a consistency check.</summary>
/// <param name="Holds">whether some legal order exists.</param>
/// <param name="Order">indices into the checked history, in a legal order (empty when none exists);
/// pending writes that never took effect are left out.</param>
/// <param name="StatesExplored">search states visited: the cost of the check.</param>
public sealed record ConsistencyVerdict(bool Holds, IReadOnlyList<int> Order, long StatesExplored);

/// <summary>
/// Decides whether a history of single-register operations is linearizable (Herlihy &amp; Wing) or sequentially
/// consistent (Lamport), by the Wing &amp; Gong search: try every operation that may come next, apply it to a model
/// register, backtrack on a read that returns the wrong value, and remember visited (set of done operations,
/// register value) states so each is explored once (Lowe's memoisation). Linearizability may only pick an
/// operation that no unfinished operation precedes in real time; sequential consistency drops real time and keeps
/// only each client's program order, which is why it admits stale reads that linearizability rejects.
/// </summary>
public static class ConsistencyChecker
{
    /// <summary>Whether <paramref name="history"/> is linearizable for a register that starts at <paramref name="initial"/>.</summary>
    /// <param name="maxStates">a budget: the search throws <see cref="InvalidOperationException"/> past it rather than run for hours.</param>
    public static ConsistencyVerdict Linearizable(IReadOnlyList<RegisterOp> history, long initial = 0, long maxStates = 2_000_000)
        => Search(history, initial, maxStates, realTime: true);

    /// <summary>Whether some total order respecting each client's program order (but not real time) explains every read.</summary>
    public static ConsistencyVerdict SequentiallyConsistent(IReadOnlyList<RegisterOp> history, long initial = 0, long maxStates = 2_000_000)
        => Search(history, initial, maxStates, realTime: false);

    private static ConsistencyVerdict Search(IReadOnlyList<RegisterOp> history, long initial, long maxStates, bool realTime)
    {
        Guard.NotNull(history);
        Guard.InRange(maxStates, 1, long.MaxValue);
        for (int i = 0; i < history.Count; i++)
        {
            var op = history[i];
            Guard.That(double.IsFinite(op.Invoke), $"history[{i}].Invoke must be finite; got {op.Invoke}.", nameof(history));
            Guard.That(op.Response >= op.Invoke, $"history[{i}] responds at {op.Response} before its invocation at {op.Invoke}.", nameof(history));
            Guard.That(op.Client >= 0, $"history[{i}].Client must be 0 or more; got {op.Client}.", nameof(history));
        }

        // A read that never returned constrains nothing; drop it. Sort the rest by invocation.
        var index = Enumerable.Range(0, history.Count)
            .Where(i => !(history[i].Kind == OpKind.Read && history[i].Pending))
            .OrderBy(i => history[i].Invoke).ThenBy(i => i).ToArray();
        var ops = index.Select(i => history[i]).ToArray();
        int n = ops.Length;
        int mustDo = ops.Count(o => !o.Pending);

        // Program order per client, for sequential consistency: position of each op in its client's list.
        var byClient = ops.Select((o, i) => (o.Client, i)).GroupBy(x => x.Client).ToDictionary(g => g.Key, g => g.Select(x => x.i).ToArray());

        var done = new Bits(n);
        var visited = new HashSet<StateKey>();
        var path = new List<(int Op, long Before)>();
        var frames = new List<(int[] Candidates, int Next)>();
        long value = initial;
        int completedDone = 0;
        long states = 0;

        frames.Add((Candidates(), 0));
        while (true)
        {
            if (completedDone == mustDo)
            {
                var order = path.Select(p => index[p.Op]).ToArray();
                return new ConsistencyVerdict(true, order, states);
            }
            if (frames.Count == 0) return new ConsistencyVerdict(false, Array.Empty<int>(), states);

            var (cands, next) = frames[^1];
            if (next == cands.Length)
            {
                frames.RemoveAt(frames.Count - 1);
                if (path.Count > 0)
                {
                    var (last, before) = path[^1];
                    path.RemoveAt(path.Count - 1);
                    done.Clear(last);
                    value = before;
                    if (!ops[last].Pending) completedDone--;
                }
                continue;
            }
            frames[^1] = (cands, next + 1);

            int c = cands[next];
            var op = ops[c];
            if (op.Kind == OpKind.Read && op.Value != value) continue;
            long after = op.Kind == OpKind.Write ? op.Value : value;
            done.Set(c);
            if (!visited.Add(new StateKey(done.Snapshot(), after)))
            {
                done.Clear(c);
                continue;
            }
            if (++states > maxStates)
                throw new InvalidOperationException($"the consistency search passed maxStates = {maxStates}; check a shorter history or raise the budget.");
            path.Add((c, value));
            value = after;
            if (!op.Pending) completedDone++;
            frames.Add((Candidates(), 0));
        }

        int[] Candidates()
        {
            var list = new List<int>();
            if (realTime)
            {
                // An op may go next unless some unfinished op responded before it was invoked. Ops are sorted by
                // invocation, so once an invocation passes the smallest pending response no later op qualifies.
                double minResponse = double.PositiveInfinity;
                for (int i = done.FirstClear(0); i < n; i = done.FirstClear(i + 1))
                {
                    if (ops[i].Invoke > minResponse) break;
                    minResponse = Math.Min(minResponse, ops[i].Response);
                }
                for (int i = done.FirstClear(0); i < n && ops[i].Invoke <= minResponse; i = done.FirstClear(i + 1))
                    list.Add(i);
            }
            else
            {
                foreach (var seq in byClient.Values)
                {
                    int first = Array.FindIndex(seq, i => !done.Get(i));
                    if (first >= 0) list.Add(seq[first]);
                }
            }
            return list.ToArray();
        }
    }

    private readonly struct StateKey(ulong[] bits, long value) : IEquatable<StateKey>
    {
        private readonly ulong[] _bits = bits;
        private readonly long _value = value;
        private readonly int _hash = HashCode.Combine(Bits.Hash(bits), value);

        public bool Equals(StateKey other) => _hash == other._hash && _value == other._value && _bits.AsSpan().SequenceEqual(other._bits);
        public override bool Equals(object? obj) => obj is StateKey k && Equals(k);
        public override int GetHashCode() => _hash;
    }

    private sealed class Bits(int n)
    {
        private readonly ulong[] _w = new ulong[(n + 63) / 64];
        private readonly int _n = n;

        public void Set(int i) => _w[i >> 6] |= 1UL << (i & 63);
        public void Clear(int i) => _w[i >> 6] &= ~(1UL << (i & 63));
        public bool Get(int i) => (_w[i >> 6] & (1UL << (i & 63))) != 0;
        public ulong[] Snapshot() => (ulong[])_w.Clone();

        /// <summary>The first index ≥ from whose bit is clear, or n.</summary>
        public int FirstClear(int from)
        {
            for (int i = from; i < _n;)
            {
                ulong free = ~_w[i >> 6] >> (i & 63);
                if (free != 0)
                {
                    int j = i + System.Numerics.BitOperations.TrailingZeroCount(free);
                    return Math.Min(j, _n);
                }
                i = ((i >> 6) + 1) << 6;
            }
            return _n;
        }

        public static int Hash(ulong[] w)
        {
            var h = new HashCode();
            foreach (var x in w) h.Add(x);
            return h.ToHashCode();
        }
    }
}
