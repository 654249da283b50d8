namespace SystemDesign.RealTime;

/// <summary>A character operation on a text: insert <see cref="Char"/> at <see cref="Pos"/>, delete the
/// character at <see cref="Pos"/>, or do nothing. <see cref="Site"/> breaks ties between concurrent inserts.</summary>
public readonly record struct TextOp(TextOpKind Kind, int Pos, char Char, int Site)
{
    public static TextOp Insert(int pos, char c, int site) => new(TextOpKind.Insert, pos, c, site);
    public static TextOp Delete(int pos, int site) => new(TextOpKind.Delete, pos, '\0', site);
    public static TextOp Noop(int site) => new(TextOpKind.Noop, 0, '\0', site);

    public override string ToString() => Kind switch
    {
        TextOpKind.Insert => $"ins({Pos},'{Char}')@{Site}",
        TextOpKind.Delete => $"del({Pos})@{Site}",
        _ => $"noop@{Site}",
    };
}

public enum TextOpKind { Insert, Delete, Noop }

/// <summary>Transforms <c>a</c> so it can be applied after the concurrent <c>b</c>.</summary>
public delegate TextOp OtTransform(TextOp a, TextOp b);

/// <summary>Operational transformation for single-character insert/delete, and its TP1 property check.</summary>
public static class Ot
{
    /// <summary>Applies an operation; a position outside the text throws.</summary>
    public static string Apply(string text, TextOp op)
    {
        Guard.NotNull(text);
        return op.Kind switch
        {
            TextOpKind.Insert => text.Insert(Guard.InRange(op.Pos, 0, text.Length, nameof(op)), op.Char.ToString()),
            TextOpKind.Delete => text.Remove(Guard.InRange(op.Pos, 0, text.Length - 1, nameof(op)), 1),
            _ => text,
        };
    }

    /// <summary>The textbook transform: an insert before (or at, losing the site tie-break) shifts right,
    /// a delete before shifts left, two deletes of the same character become one.</summary>
    public static TextOp Transform(TextOp a, TextOp b)
    {
        if (a.Kind == TextOpKind.Noop || b.Kind == TextOpKind.Noop) return a;
        if (b.Kind == TextOpKind.Insert)
        {
            bool shift = a.Kind == TextOpKind.Insert
                ? b.Pos < a.Pos || (b.Pos == a.Pos && b.Site < a.Site)
                : b.Pos <= a.Pos;
            return shift ? a with { Pos = a.Pos + 1 } : a;
        }
        // b deletes.
        if (b.Pos < a.Pos) return a with { Pos = a.Pos - 1 };
        if (b.Pos == a.Pos && a.Kind == TextOpKind.Delete) return TextOp.Noop(a.Site);
        return a;
    }

    /// <summary>No transformation at all: apply the remote operation at its original index.</summary>
    public static TextOp Identity(TextOp a, TextOp b) => a;

    /// <summary>The guide's rule taken literally: shift an insert by a concurrent insert at or before it,
    /// with no tie-break (both sides shift on equal positions).</summary>
    public static TextOp NoTieBreak(TextOp a, TextOp b)
    {
        if (a.Kind == TextOpKind.Insert && b.Kind == TextOpKind.Insert)
            return b.Pos <= a.Pos ? a with { Pos = a.Pos + 1 } : a;
        return Transform(a, b);
    }

    /// <summary>A random valid operation on <paramref name="text"/>.</summary>
    public static TextOp RandomOp(string text, int site, Random rng)
    {
        Guard.NotNull(text); Guard.NotNull(rng);
        if (text.Length == 0 || rng.Next(2) == 0)
            return TextOp.Insert(rng.Next(text.Length + 1), (char)('a' + rng.Next(26)), site);
        return TextOp.Delete(rng.Next(text.Length), site);
    }

    /// <summary>TP1 over <paramref name="cases"/> random (text, a, b) with a and b from different sites:
    /// apply(apply(s,a), T(b,a)) must equal apply(apply(s,b), T(a,b)).</summary>
    public static Tp1Result CheckTp1(OtTransform transform, int cases, int seed, int maxLength = 6)
    {
        Guard.NotNull(transform); Guard.InRange(cases, 1, 10_000_000); Guard.InRange(maxLength, 0, 1000);
        var rng = new Random(seed);
        int failures = 0;
        string? example = null;
        for (int i = 0; i < cases; i++)
        {
            var s = new string(Enumerable.Range(0, rng.Next(maxLength + 1))
                .Select(_ => (char)('A' + rng.Next(4))).ToArray());
            var a = RandomOp(s, 1, rng);
            var b = RandomOp(s, 2, rng);
            string left, right;
            try
            {
                left = Apply(Apply(s, a), transform(b, a));
                right = Apply(Apply(s, b), transform(a, b));
            }
            catch (ArgumentOutOfRangeException)
            {
                left = "<invalid position>"; right = "";
            }
            if (left == right) continue;
            failures++;
            example ??= $"\"{s}\" with {a} ∥ {b}: site 1 gets \"{left}\", site 2 gets \"{right}\"";
        }
        return new Tp1Result(cases, failures, example);
    }
}

/// <summary>Outcome of a TP1 property check.</summary>
public sealed record Tp1Result(int Cases, int Failures, string? Counterexample);

/// <summary>An element id of the sequence CRDT: a Lamport counter and the site that made it.</summary>
public readonly record struct ElementId(long Counter, int Site) : IComparable<ElementId>
{
    public int CompareTo(ElementId other) =>
        Counter != other.Counter ? Counter.CompareTo(other.Counter) : Site.CompareTo(other.Site);
    public override string ToString() => $"{Counter}.{Site}";
}

/// <summary>A CRDT operation: insert <see cref="Char"/> with id <see cref="Id"/> after <see cref="After"/>
/// (null = start of text), or delete (tombstone) <see cref="Id"/>.</summary>
public sealed record RgaOp(bool IsInsert, ElementId Id, ElementId? After, char Char);

/// <summary>A replicated growable array (RGA): each character has a unique id and is placed after its
/// anchor, skipping concurrent siblings with larger ids; deletes leave tombstones. Operations whose anchor or
/// target has not arrived wait in a buffer, so any delivery order converges.</summary>
public sealed class RgaReplica
{
    private sealed class Node(ElementId id, char c)
    {
        public ElementId Id = id; public char Char = c; public bool Deleted;
    }

    private readonly List<Node> nodes = new();
    private readonly Dictionary<ElementId, Node> byId = new();
    private readonly List<RgaOp> pending = new();
    private long clock;

    public RgaReplica(int site) => Site = Guard.NonNegative(site);

    public int Site { get; }

    /// <summary>Operations waiting for their anchor or target.</summary>
    public int Pending => pending.Count;

    /// <summary>The visible text.</summary>
    public string Text => new(nodes.Where(n => !n.Deleted).Select(n => n.Char).ToArray());

    /// <summary>Inserts <paramref name="c"/> at visible index <paramref name="index"/>; returns the op to broadcast.</summary>
    public RgaOp LocalInsert(int index, char c)
    {
        var visible = nodes.Where(n => !n.Deleted).ToList();
        Guard.InRange(index, 0, visible.Count);
        var op = new RgaOp(true, new ElementId(++clock, Site), index == 0 ? null : visible[index - 1].Id, c);
        Receive(op);
        return op;
    }

    /// <summary>Deletes the character at visible index <paramref name="index"/>; returns the op to broadcast.</summary>
    public RgaOp LocalDelete(int index)
    {
        var visible = nodes.Where(n => !n.Deleted).ToList();
        Guard.InRange(index, 0, visible.Count - 1);
        var op = new RgaOp(false, visible[index].Id, null, '\0');
        Receive(op);
        return op;
    }

    /// <summary>Applies a local or remote operation (idempotent), buffering it until it is applicable.</summary>
    public void Receive(RgaOp op)
    {
        Guard.NotNull(op);
        pending.Add(op);
        // Each pass applies, in arrival order, every op that has become applicable; until a pass applies none.
        while (pending.RemoveAll(TryApply) > 0) { }
    }

    private bool TryApply(RgaOp op)
    {
        if (!op.IsInsert)
        {
            if (!byId.TryGetValue(op.Id, out var target)) return false;
            target.Deleted = true;
            return true;
        }
        if (byId.ContainsKey(op.Id)) return true;
        int at;
        if (op.After is { } anchor)
        {
            if (!byId.TryGetValue(anchor, out var a)) return false;
            at = nodes.IndexOf(a) + 1;
        }
        else at = 0;
        while (at < nodes.Count && nodes[at].Id.CompareTo(op.Id) > 0) at++;
        var node = new Node(op.Id, op.Char);
        nodes.Insert(at, node);
        byId[op.Id] = node;
        clock = Math.Max(clock, op.Id.Counter);
        return true;
    }
}

/// <summary>Convergence experiments for the sequence CRDT and for last-writer-wins on the whole text.</summary>
public static class Convergence
{
    /// <summary><paramref name="replicas"/> replicas each make <paramref name="opsPerReplica"/> concurrent
    /// edits per round; every op is then delivered to every other replica in an independent random order.
    /// Returns the number of trials whose replicas ended with different texts, and one example.</summary>
    public static ConvergenceResult Rga(int trials, int replicas, int rounds, int opsPerReplica, int seed)
    {
        Guard.InRange(trials, 1, 100_000); Guard.InRange(replicas, 2, 20);
        Guard.InRange(rounds, 1, 100); Guard.InRange(opsPerReplica, 1, 100);
        var rng = new Random(seed);
        int diverged = 0, totalOps = 0;
        string? example = null, sample = null;
        for (int t = 0; t < trials; t++)
        {
            var rs = Enumerable.Range(0, replicas).Select(i => new RgaReplica(i)).ToArray();
            for (int r = 0; r < rounds; r++)
            {
                var made = new List<(int From, RgaOp Op)>();
                foreach (var rep in rs)
                    for (int k = 0; k < opsPerReplica; k++)
                    {
                        int len = rep.Text.Length;
                        made.Add((rep.Site, len == 0 || rng.Next(3) > 0
                            ? rep.LocalInsert(rng.Next(len + 1), (char)('a' + rng.Next(26)))
                            : rep.LocalDelete(rng.Next(len))));
                    }
                totalOps += made.Count;
                foreach (var rep in rs)
                    foreach (var (from, op) in made.Where(m => m.From != rep.Site).OrderBy(_ => rng.Next()))
                        rep.Receive(op);
            }
            sample ??= rs[0].Text;
            if (Disagreement(rs) is { } texts)
            {
                diverged++;
                example ??= texts;
            }
        }
        return new ConvergenceResult(trials, totalOps, diverged, example, sample);
    }

    /// <summary>The replicas' distinct texts joined by " | " when they differ or any replica still has
    /// operations waiting; null when they have converged.</summary>
    internal static string? Disagreement(IReadOnlyList<RgaReplica> replicas) =>
        Disagreement(replicas.Select(x => x.Text), waiting: replicas.Any(x => x.Pending > 0));

    /// <summary>The one divergence detector of both experiments (so the plain-index control, which must
    /// diverge, also shows that the detector behind the CRDT's zero can fire): the distinct final texts
    /// joined by " | " when there is more than one or an operation is still waiting; null otherwise.</summary>
    internal static string? Disagreement(IEnumerable<string> finals, bool waiting = false)
    {
        var texts = finals.Distinct().ToList();
        return texts.Count > 1 || waiting ? string.Join(" | ", texts) : null;
    }

    /// <summary>The same concurrent edits applied as plain index operations in arrival order (no OT, no ids):
    /// the replicas diverge.</summary>
    public static ConvergenceResult PlainIndexes(int trials, int replicas, int opsPerReplica, int seed)
    {
        Guard.InRange(trials, 1, 100_000); Guard.InRange(replicas, 2, 20); Guard.InRange(opsPerReplica, 1, 100);
        var rng = new Random(seed);
        int diverged = 0;
        string? example = null, sample = null;
        for (int t = 0; t < trials; t++)
        {
            string start = "abcdefgh";
            var local = Enumerable.Range(0, replicas).Select(site =>
            {
                var ops = new List<TextOp>(); string s = start;
                for (int k = 0; k < opsPerReplica; k++) { var op = Ot.RandomOp(s, site, rng); ops.Add(op); s = Ot.Apply(s, op); }
                return (Ops: ops, Text: s);
            }).ToArray();
            var finals = new List<string>();
            for (int site = 0; site < replicas; site++)
            {
                string s = local[site].Text;
                foreach (var op in Enumerable.Range(0, replicas).Where(o => o != site)
                             .SelectMany(o => local[o].Ops).OrderBy(_ => rng.Next()))
                {
                    var clamped = op.Kind == TextOpKind.Insert ? op with { Pos = Math.Min(op.Pos, s.Length) }
                        : s.Length == 0 ? TextOp.Noop(op.Site) : op with { Pos = Math.Min(op.Pos, s.Length - 1) };
                    s = Ot.Apply(s, clamped);
                }
                finals.Add(s);
            }
            sample ??= finals[0];
            if (Disagreement(finals) is { } texts) { diverged++; example ??= texts; }
        }
        return new ConvergenceResult(trials, trials * replicas * opsPerReplica, diverged, example, sample);
    }

    /// <summary>Two users edit the same text concurrently; last-writer-wins on the whole document keeps the
    /// later save. Returns how many of the two users' inserted characters survive under LWW and under the
    /// CRDT merge.</summary>
    public static LwwLoss LastWriterWins(string start, string insertA, int posA, string insertB, int posB)
    {
        Guard.NotNull(start); Guard.NotEmpty(insertA); Guard.NotEmpty(insertB);
        Guard.InRange(posA, 0, start.Length); Guard.InRange(posB, 0, start.Length);
        string a = start.Insert(posA, insertA), b = start.Insert(posB, insertB);
        string lww = b; // B saved last.
        var ra = new RgaReplica(1); var rb = new RgaReplica(2);
        var seedOps = new List<RgaOp>();
        for (int i = 0; i < start.Length; i++) seedOps.Add(ra.LocalInsert(i, start[i]));
        foreach (var op in seedOps) rb.Receive(op);
        var opsA = insertA.Select((c, i) => ra.LocalInsert(posA + i, c)).ToList();
        var opsB = insertB.Select((c, i) => rb.LocalInsert(posB + i, c)).ToList();
        foreach (var op in opsB) ra.Receive(op);
        foreach (var op in opsA) rb.Receive(op);
        int Survivors(string merged) => Count(merged, start, insertA) + Count(merged, start, insertB);
        return new LwwLoss(a, b, lww, ra.Text, rb.Text, insertA.Length + insertB.Length,
            Survivors(lww), Survivors(ra.Text));
    }

    private static int Count(string merged, string start, string inserted) =>
        merged.Contains(inserted, StringComparison.Ordinal) ? inserted.Length : 0;
}

/// <summary>Outcome of a convergence experiment.</summary>
public sealed record ConvergenceResult(int Trials, int Operations, int Diverged, string? Example, string? Sample);

/// <summary>What last-writer-wins keeps of two concurrent edits, beside the CRDT merge.</summary>
public sealed record LwwLoss(string UserA, string UserB, string Lww, string CrdtAtA, string CrdtAtB,
    int InsertedChars, int LwwKept, int CrdtKept);
