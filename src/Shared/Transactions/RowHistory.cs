using System.Globalization;

namespace SystemDesign.Transactions;

public enum RowActionKind { Insert, Update, Delete, Commit, Abort, Snapshot, EndSnapshot }

/// <summary>
/// One step of a row's history. Writes run in a new writer transaction that commits at once, unless
/// <see cref="Open"/> (it stays in progress until a later commit or abort) or <see cref="AbortNow"/>.
/// </summary>
public sealed record RowAction(RowActionKind Kind, long Value = 0, string? Name = null, bool Open = false, bool AbortNow = false)
{
    public override string ToString() => Kind switch
    {
        RowActionKind.Insert or RowActionKind.Update => $"{Kind.ToString().ToLowerInvariant()} {Value}{Suffix}",
        RowActionKind.Delete => "delete" + Suffix,
        RowActionKind.Snapshot => $"snapshot {Name}",
        RowActionKind.EndSnapshot => $"end {Name}",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    private string Suffix => Open ? " open" : AbortNow ? " abort" : "";
}

/// <summary>One heap version of the row after a step, with the hidden columns and who can see it.</summary>
public sealed record RowVersion(string Ctid, long Balance, string Xmin, string XminStatus, string Xmax, string XmaxStatus,
    string NextCtid, string SeenBy, string State)
{
    /// <summary>Everything both systems must agree on (the vacuum state is the simulation's own view).</summary>
    public string Shape => $"{Ctid} {Balance} xmin={Xmin}:{XminStatus} xmax={Xmax}:{XmaxStatus} t_ctid={NextCtid} seen by [{SeenBy}]";
}

/// <summary>The row's versions after one action, and the version each open snapshot (and a new one) sees.</summary>
public sealed record RowStep(int Step, string Action, IReadOnlyList<RowVersion> Versions, IReadOnlyDictionary<string, string> Visible);

/// <summary>A flattened row for tables: one line per version per step.</summary>
public sealed record RowVersionRow(int Step, string Action, string Ctid, long Balance, string Xmin, string Xmax, string TCtid, string SeenBy, string State);

/// <summary>A version's description on both systems.</summary>
public sealed record RowComparison(int Step, string Action, string Simulation, string PostgreSQL, bool Agree);

/// <summary>
/// The visualizer's script language and its simulation: one row (id 42) is inserted, updated, deleted by
/// successive writer transactions while named repeatable-read snapshots are opened and closed. After each action
/// the heap shows every version with xmin/xmax/t_ctid, and which version each snapshot sees. Writer transactions
/// are labelled T1, T2, … in the order they got their XIDs, so the labels mean the same on PostgreSQL.
/// </summary>
public static class RowHistory
{
    public const int RowId = 42;
    public const string NewSnapshot = "new";

    /// <summary>The default story: insert, a snapshot, an update, an update rolled back, a second snapshot, an update, a delete.</summary>
    public const string DefaultScript = "insert 100; snapshot S1; update 200; update 300 open; abort; snapshot S2; update 400; delete";

    /// <summary>
    /// Parses "insert 100; snapshot S1; update 200 open; commit; update 300 abort; end S1; delete".
    /// Writes while a writer is open are rejected (PostgreSQL would make them wait for its row lock).
    /// </summary>
    public static IReadOnlyList<RowAction> Parse(string script)
    {
        Guard.NotEmpty(script);
        var actions = new List<RowAction>();
        bool open = false, exists = false, pendingExists = false;
        var snapshots = new HashSet<string>();
        foreach (var raw in script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var w = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string verb = w[0].ToLowerInvariant();
            string Bad(string why) => $"'{raw}': {why}. Actions: insert N, update N, delete (each optionally 'open' or 'abort'), commit, abort, snapshot NAME, end NAME.";
            bool isOpen = w.Length > 0 && w[^1].Equals("open", StringComparison.OrdinalIgnoreCase);
            bool isAbort = w.Length > 1 && w[^1].Equals("abort", StringComparison.OrdinalIgnoreCase);
            RowAction action;
            switch (verb)
            {
                case "insert" or "update":
                    Guard.That(w.Length >= 2 && long.TryParse(w[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out _), Bad("needs a whole number"), nameof(script));
                    long value = long.Parse(w[1], CultureInfo.InvariantCulture);
                    Guard.That(value is >= int.MinValue and <= int.MaxValue, Bad("the balance must fit a 32-bit integer"), nameof(script));
                    action = new RowAction(verb == "insert" ? RowActionKind.Insert : RowActionKind.Update, value, Open: isOpen, AbortNow: isAbort);
                    break;
                case "delete":
                    action = new RowAction(RowActionKind.Delete, Open: isOpen, AbortNow: isAbort);
                    break;
                case "commit" or "abort":
                    Guard.That(open, Bad("there is no open writer"), nameof(script));
                    action = new RowAction(verb == "commit" ? RowActionKind.Commit : RowActionKind.Abort);
                    break;
                case "snapshot" or "end":
                    Guard.That(w.Length == 2 && w[1].All(char.IsLetterOrDigit) && w[1] != NewSnapshot, Bad("needs a name of letters and digits"), nameof(script));
                    Guard.That(verb == "snapshot" ? !snapshots.Contains(w[1]) : snapshots.Contains(w[1]),
                        Bad(verb == "snapshot" ? "that snapshot is already open" : "no open snapshot has that name"), nameof(script));
                    Guard.That(verb == "end" || snapshots.Count < 4, Bad("at most 4 snapshots may be open"), nameof(script));
                    if (verb == "snapshot") snapshots.Add(w[1]); else snapshots.Remove(w[1]);
                    action = new RowAction(verb == "snapshot" ? RowActionKind.Snapshot : RowActionKind.EndSnapshot, Name: w[1]);
                    break;
                default:
                    throw new ArgumentException(Bad("unknown action"), nameof(script));
            }
            if (action.Kind is RowActionKind.Insert or RowActionKind.Update or RowActionKind.Delete)
            {
                Guard.That(!open, Bad("a writer is still open, and PostgreSQL would make this one wait for its row lock: commit or abort it first"), nameof(script));
                Guard.That(action.Kind == RowActionKind.Insert ? !exists : exists,
                    Bad(action.Kind == RowActionKind.Insert ? "row 42 already exists" : "row 42 does not exist"), nameof(script));
                open = action.Open;
                if (!action.Open && !action.AbortNow) exists = action.Kind != RowActionKind.Delete;
                if (action.Open) pendingExists = action.Kind != RowActionKind.Delete;
            }
            else if (action.Kind is RowActionKind.Commit or RowActionKind.Abort)
            {
                if (action.Kind == RowActionKind.Commit) exists = pendingExists;
                open = false;
            }
            actions.Add(action);
        }
        Guard.That(actions.Count <= 40, $"at most 40 actions; got {actions.Count}.", nameof(script));
        return actions;
    }

    /// <summary>Runs the actions on an <see cref="MvccStore"/> and describes the heap after each one.</summary>
    public static IReadOnlyList<RowStep> Simulate(IReadOnlyList<RowAction> actions)
    {
        Guard.NotNull(actions);
        var store = new MvccStore();
        var labels = new Dictionary<uint, string>();
        var snapshots = new Dictionary<string, MvccTransaction>();
        MvccTransaction? writer = null;
        var steps = new List<RowStep>();
        for (int i = 0; i < actions.Count; i++)
        {
            var a = actions[i];
            switch (a.Kind)
            {
                case RowActionKind.Insert or RowActionKind.Update or RowActionKind.Delete:
                    writer = store.Begin();
                    if (a.Kind == RowActionKind.Insert) store.Insert(writer, RowId, a.Value);
                    else if (a.Kind == RowActionKind.Update) store.Update(writer, RowId, a.Value);
                    else store.Delete(writer, RowId);
                    labels.TryAdd(writer.Xid, $"T{labels.Count + 1}");
                    if (a.AbortNow) { store.Rollback(writer); writer = null; }
                    else if (!a.Open) { store.Commit(writer); writer = null; }
                    break;
                case RowActionKind.Commit: store.Commit(writer!); writer = null; break;
                case RowActionKind.Abort: store.Rollback(writer!); writer = null; break;
                case RowActionKind.Snapshot:
                    var reader = store.Begin(IsolationLevel.RepeatableRead);
                    store.Read(reader, RowId);
                    snapshots[a.Name!] = reader;
                    break;
                case RowActionKind.EndSnapshot:
                    store.Commit(snapshots[a.Name!]);
                    snapshots.Remove(a.Name!);
                    break;
            }
            var visible = snapshots.ToDictionary(s => s.Key, s => store.VisibleVersion(s.Value, RowId)?.ToString() ?? "—");
            visible[NewSnapshot] = store.VisibleVersion(store.TakeSnapshot(), RowId)?.ToString() ?? "—";
            string Label(uint xid) => xid == 0 ? "0" : labels.GetValueOrDefault(xid, xid.ToString(CultureInfo.InvariantCulture));
            string Status(uint xid) => xid == 0 ? "" : Describe(store.StatusOf(xid));
            var versions = store.Versions(RowId).Select(t => new RowVersion(t.Ctid.ToString(), t.Value, Label(t.Xmin), Status(t.Xmin),
                Label(t.Xmax), Status(t.Xmax), t.Next.ToString(), SeenBy(visible, t.Ctid.ToString()), Describe(t.State))).ToList();
            steps.Add(new RowStep(i + 1, a.ToString(), versions, visible));
        }
        return steps;
    }

    internal static string SeenBy(IReadOnlyDictionary<string, string> visible, string ctid) =>
        string.Join(",", visible.Where(v => v.Value == ctid).Select(v => v.Key).OrderBy(k => k == NewSnapshot ? "~" : k, StringComparer.Ordinal));

    internal static string Describe(TransactionStatus s) => s switch
    {
        TransactionStatus.Committed => "committed",
        TransactionStatus.Aborted => "aborted",
        _ => "in progress",
    };

    private static string Describe(TupleState s) => s switch
    {
        TupleState.Live => "live",
        TupleState.InsertInProgress => "insert in progress",
        TupleState.DeleteInProgress => "delete in progress",
        TupleState.RecentlyDead => "recently dead",
        _ => "dead",
    };

    /// <summary>One line per version per step, for a table.</summary>
    public static IReadOnlyList<RowVersionRow> Table(IReadOnlyList<RowStep> steps) => Guard.NotNull(steps)
        .SelectMany(s => s.Versions.Select(v => new RowVersionRow(s.Step, s.Action, v.Ctid, v.Balance,
            $"{v.Xmin} ({v.XminStatus})", v.Xmax == "0" ? "0" : $"{v.Xmax} ({v.XmaxStatus})", v.NextCtid, v.SeenBy, v.State)))
        .ToList();

    /// <summary>Version by version, step by step: do the two histories have the same shape?</summary>
    public static IReadOnlyList<RowComparison> Compare(IReadOnlyList<RowStep> simulation, IReadOnlyList<RowStep> postgres)
    {
        Guard.NotNull(simulation);
        Guard.NotNull(postgres);
        Guard.That(simulation.Count == postgres.Count, $"both histories need the same number of steps; got {simulation.Count} and {postgres.Count}.", nameof(postgres));
        var rows = new List<RowComparison>();
        for (int i = 0; i < simulation.Count; i++)
        {
            var s = simulation[i].Versions;
            var p = postgres[i].Versions;
            for (int v = 0; v < Math.Max(s.Count, p.Count); v++)
            {
                string a = v < s.Count ? s[v].Shape : "(none)", b = v < p.Count ? p[v].Shape : "(none)";
                rows.Add(new RowComparison(i + 1, simulation[i].Action, a, b, a == b));
            }
        }
        return rows;
    }

    /// <summary>State codes per version (rows, by ctid) and step (columns) for a heat map: 0 absent … 4 live.</summary>
    public static (string[] Ctids, string[] Steps, double[][] Z) StateGrid(IReadOnlyList<RowStep> steps)
    {
        Guard.NotNull(steps);
        var ctids = steps.SelectMany(s => s.Versions.Select(v => v.Ctid)).Distinct().OrderBy(c => Ctid.Parse(c).Page).ThenBy(c => Ctid.Parse(c).Item).ToArray();
        var z = ctids.Select(c => steps.Select(s => s.Versions.FirstOrDefault(v => v.Ctid == c) is { } v ? Code(v.State) : 0.0).ToArray()).ToArray();
        return (ctids, steps.Select(s => $"{s.Step}: {s.Action}").ToArray(), z);
    }

    /// <summary>The codes <see cref="StateGrid"/> uses, as a legend.</summary>
    public const string StateLegend = "0 = no tuple, 1 = dead, 2 = recently dead (a snapshot may need it), 3 = being written, 4 = live";

    private static double Code(string state) => state switch
    {
        "dead" => 1,
        "recently dead" => 2,
        "insert in progress" or "delete in progress" => 3,
        "live" => 4,
        _ => 0,
    };
}
