namespace SystemDesign.Transactions;

public enum StepKind { Begin, Read, Scan, Write, WriteFrom, Add, Insert, Commit, Rollback }

/// <summary>
/// One statement of a scripted interleaving, run by transaction <see cref="Tx"/> against a table of
/// (k int primary key, v bigint). The same script runs on the simulation and on PostgreSQL.
/// </summary>
public sealed record ScriptStep(int Tx, StepKind Kind, int Key = 0, int KeyHigh = 0, long Value = 0, string? Var = null)
{
    public static ScriptStep Begin(int tx) => new(tx, StepKind.Begin);
    /// <summary>SELECT v WHERE k = key, remembered as <paramref name="into"/>.</summary>
    public static ScriptStep Read(int tx, int key, string into) => new(tx, StepKind.Read, key, Var: into);
    /// <summary>SELECT count(*), sum(v) WHERE k BETWEEN lo AND hi, remembered as into (count) and into.sum.</summary>
    public static ScriptStep Scan(int tx, int lo, int hi, string into) => new(tx, StepKind.Scan, lo, hi, Var: into);
    public static ScriptStep Write(int tx, int key, long value) => new(tx, StepKind.Write, key, Value: value);
    /// <summary>The application computes the new value from an earlier read: UPDATE SET v = {read} + delta.</summary>
    public static ScriptStep WriteFrom(int tx, int key, string read, long delta) => new(tx, StepKind.WriteFrom, key, Value: delta, Var: read);
    /// <summary>The database computes it: UPDATE SET v = v + delta.</summary>
    public static ScriptStep Add(int tx, int key, long delta) => new(tx, StepKind.Add, key, Value: delta);
    public static ScriptStep Insert(int tx, int key, long value) => new(tx, StepKind.Insert, key, Value: value);
    public static ScriptStep Commit(int tx) => new(tx, StepKind.Commit);
    public static ScriptStep Rollback(int tx) => new(tx, StepKind.Rollback);

    /// <summary>The statement as SQL, for tables.</summary>
    public string Sql => Kind switch
    {
        StepKind.Begin => "BEGIN",
        StepKind.Read => $"SELECT v WHERE k={Key}  → {Var}",
        StepKind.Scan => $"SELECT count(*), sum(v) WHERE k BETWEEN {Key} AND {KeyHigh}  → {Var}",
        StepKind.Write => $"UPDATE SET v={Value} WHERE k={Key}",
        StepKind.WriteFrom => $"UPDATE SET v={Var}{Value:+#;-#;+0} WHERE k={Key}",
        StepKind.Add => $"UPDATE SET v=v{Value:+#;-#;+0} WHERE k={Key}",
        StepKind.Insert => $"INSERT ({Key}, {Value})",
        StepKind.Commit => "COMMIT",
        _ => "ROLLBACK",
    };

    public override string ToString() => $"T{Tx}: {Sql}";
}

public enum Outcome
{
    /// <summary>The anomaly did not happen and every transaction that tried to commit did.</summary>
    Prevented,
    /// <summary>The anomaly did not happen because a transaction was rolled back with SQLSTATE 40001.</summary>
    Aborted,
    /// <summary>The anomaly happened.</summary>
    Occurs,
}

/// <summary>A transaction rolled back by the system, at script step <see cref="Step"/> (1-based).</summary>
public sealed record AbortInfo(int Tx, int Step, StepKind At, string SqlState, ConflictKind? Kind, string Message);

/// <summary>An interleaving that exposes one anomaly, with the test that tells whether it happened.</summary>
public sealed record Scenario(string Name, string Question, IReadOnlyList<(int Key, long Value)> Initial,
    IReadOnlyList<ScriptStep> Steps, Func<ScenarioRun, bool> Occurred)
{
    public int Transactions => Steps.Max(s => s.Tx);
    public override string ToString() => Name;
}

/// <summary>What a scripted interleaving did on one system at one isolation level.</summary>
public sealed record ScenarioRun(Scenario Scenario, string System, IsolationLevel Level,
    IReadOnlyDictionary<string, long?> Values, IReadOnlyDictionary<int, long> Final, IReadOnlyList<AbortInfo> Aborts,
    int MaxSiReadLocks = 0)
{
    public bool AnomalyOccurred => Scenario.Occurred(this);

    public Outcome Outcome => AnomalyOccurred ? Outcome.Occurs
        : Aborts.Any(a => a.SqlState == SerializationFailureException.SqlState) ? Outcome.Aborted : Outcome.Prevented;

    public long? Value(string name) => Values.TryGetValue(name, out var v) ? v : null;

    public bool Committed(int tx) => Aborts.All(a => a.Tx != tx);

    /// <summary>"occurs", "prevented" or "40001 T2 at COMMIT (rw-dependencies)": equal cells mean equal behaviour.</summary>
    public string Cell => Outcome switch
    {
        Outcome.Occurs => "occurs",
        Outcome.Prevented => "prevented",
        _ => string.Join("; ", Aborts.Where(a => a.SqlState == SerializationFailureException.SqlState).Select(a =>
            $"40001 T{a.Tx} at {a.At.ToString().ToUpperInvariant()} ({(a.Kind == ConflictKind.ConcurrentUpdate ? "concurrent update" : "rw-dependencies")})")),
    };
}

/// <summary>The interleavings behind the anomaly matrix, each a short script of two transactions.</summary>
public static class Anomalies
{
    public const string DirtyRead = "dirty read";
    public const string NonRepeatableRead = "non-repeatable read";
    public const string Phantom = "phantom";
    public const string LostUpdate = "lost update";
    public const string LostUpdateAtomic = "lost update (v = v + Δ)";
    public const string WriteSkew = "write skew";
    public const string SsiReadAbort = "SSI abort at a read";

    /// <summary>T2 reads what T1 wrote and then rolled back.</summary>
    public static Scenario Dirty { get; } = new(DirtyRead,
        "Does T2 see T1's uncommitted 999?",
        [(1, 100)],
        [ScriptStep.Begin(1), ScriptStep.Begin(2), ScriptStep.Write(1, 1, 999), ScriptStep.Read(2, 1, "x"),
         ScriptStep.Rollback(1), ScriptStep.Commit(2)],
        r => r.Value("x") == 999);

    /// <summary>T1 reads a row twice; T2 changes it and commits in between.</summary>
    public static Scenario NonRepeatable { get; } = new(NonRepeatableRead,
        "Do T1's two reads of the same row differ?",
        [(1, 100)],
        [ScriptStep.Begin(1), ScriptStep.Begin(2), ScriptStep.Read(1, 1, "x1"), ScriptStep.Write(2, 1, 200),
         ScriptStep.Commit(2), ScriptStep.Read(1, 1, "x2"), ScriptStep.Commit(1)],
        r => r.Value("x1") != r.Value("x2"));

    /// <summary>T1 counts a range twice; T2 inserts into it and commits in between.</summary>
    public static Scenario Phantoms { get; } = new(Phantom,
        "Does T1's second count of k in [1,10] see T2's new row?",
        [(1, 100), (2, 100), (20, 100)],
        [ScriptStep.Begin(1), ScriptStep.Begin(2), ScriptStep.Scan(1, 1, 10, "n1"), ScriptStep.Insert(2, 5, 100),
         ScriptStep.Commit(2), ScriptStep.Scan(1, 1, 10, "n2"), ScriptStep.Commit(1)],
        r => r.Value("n1") != r.Value("n2"));

    /// <summary>Both read 100 and write back read + their delta: one increment disappears.</summary>
    public static Scenario Lost { get; } = new(LostUpdate,
        "Both add to x = 100 (+10, +20) by read-modify-write: does x end below 130 with both committed?",
        [(1, 100)],
        [ScriptStep.Begin(1), ScriptStep.Begin(2), ScriptStep.Read(1, 1, "a"), ScriptStep.Read(2, 1, "b"),
         ScriptStep.WriteFrom(1, 1, "a", 10), ScriptStep.Commit(1), ScriptStep.WriteFrom(2, 1, "b", 20), ScriptStep.Commit(2)],
        r => r.Committed(1) && r.Committed(2) && r.Final[1] != 130);

    /// <summary>The same two increments written as SET v = v + Δ: the database re-reads the row under its lock.</summary>
    public static Scenario LostAtomic { get; } = new(LostUpdateAtomic,
        "Both add to x = 100 with UPDATE SET v = v + Δ: does x end below 130 with both committed?",
        [(1, 100)],
        [ScriptStep.Begin(1), ScriptStep.Begin(2), ScriptStep.Read(1, 1, "a"), ScriptStep.Read(2, 1, "b"),
         ScriptStep.Add(1, 1, 10), ScriptStep.Commit(1), ScriptStep.Add(2, 1, 20), ScriptStep.Commit(2)],
        r => r.Committed(1) && r.Committed(2) && r.Final[1] != 130);

    /// <summary>
    /// The on-call doctors: Alice (k=1) and Bob (k=2) are on call (v=1). Each checks that two are on call,
    /// then takes only themself off; neither sees the other's change.
    /// </summary>
    public static Scenario Skew { get; } = new(WriteSkew,
        "Alice and Bob each see 2 doctors on call and go off call: do both commit, leaving nobody on call?",
        [(1, 1), (2, 1)],
        [ScriptStep.Begin(1), ScriptStep.Begin(2), ScriptStep.Scan(1, 1, 2, "oncall1"), ScriptStep.Scan(2, 1, 2, "oncall2"),
         ScriptStep.Write(1, 1, 0), ScriptStep.Write(2, 2, 0), ScriptStep.Commit(1), ScriptStep.Commit(2)],
        r => r.Final[1] + r.Final[2] == 0);

    /// <summary>
    /// Three transactions, no anomaly in sight: T2 reads y, T3 overwrites y and commits, T2 writes x and commits,
    /// then T1 (whose snapshot predates both) reads x. T1 → T2 → T3 is a dangerous structure with T3 committed
    /// first, so SSI must roll back T1 at that read, although T1, T2, T3 in that order would have been fine:
    /// SSI's checks are conservative and do not wait for the commit.
    /// </summary>
    public static Scenario AbortAtRead { get; } = new(SsiReadAbort,
        "Is T1 rolled back at a plain read?",
        [(1, 100), (2, 100), (3, 100)],
        [ScriptStep.Begin(1), ScriptStep.Begin(2), ScriptStep.Begin(3), ScriptStep.Read(1, 3, "z"), ScriptStep.Read(2, 2, "y"),
         ScriptStep.Write(3, 2, 300), ScriptStep.Commit(3), ScriptStep.Write(2, 1, 200), ScriptStep.Commit(2),
         ScriptStep.Read(1, 1, "x"), ScriptStep.Commit(1)],
        r => false);

    /// <summary>The columns of the anomaly matrix, in order.</summary>
    public static IReadOnlyList<Scenario> All { get; } = [Dirty, NonRepeatable, Phantoms, Lost, LostAtomic, Skew];

    public static IReadOnlyList<IsolationLevel> Levels { get; } =
        [IsolationLevel.ReadUncommitted, IsolationLevel.ReadCommitted, IsolationLevel.RepeatableRead, IsolationLevel.Serializable];

    /// <summary>"READ COMMITTED" etc.</summary>
    public static string Sql(IsolationLevel level) => level switch
    {
        IsolationLevel.ReadUncommitted => "READ UNCOMMITTED",
        IsolationLevel.ReadCommitted => "READ COMMITTED",
        IsolationLevel.RepeatableRead => "REPEATABLE READ",
        IsolationLevel.Serializable => "SERIALIZABLE",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "unknown isolation level"),
    };

    /// <summary>Runs a script on a fresh <see cref="MvccStore"/>, every transaction at <paramref name="level"/>.</summary>
    public static ScenarioRun Simulate(Scenario scenario, IsolationLevel level, bool dirtyReadsAtReadUncommitted = false)
    {
        Guard.NotNull(scenario);
        var store = new MvccStore(dirtyReadsAtReadUncommitted: dirtyReadsAtReadUncommitted);
        var setup = store.Begin();
        foreach (var (k, v) in scenario.Initial) store.Insert(setup, k, v);
        store.Commit(setup);

        var txs = new Dictionary<int, MvccTransaction>();
        var values = new Dictionary<string, long?>();
        var aborts = new List<AbortInfo>();
        for (int i = 0; i < scenario.Steps.Count; i++)
        {
            var step = scenario.Steps[i];
            if (aborts.Any(a => a.Tx == step.Tx)) continue; // the client gave up on a failed transaction
            if (step.Kind == StepKind.Begin) { txs[step.Tx] = store.Begin(level); continue; }
            var tx = txs[step.Tx];
            try
            {
                switch (step.Kind)
                {
                    case StepKind.Read: values[step.Var!] = store.Read(tx, step.Key); break;
                    case StepKind.Scan:
                        var rows = store.Scan(tx, step.Key, step.KeyHigh);
                        values[step.Var!] = rows.Count;
                        values[step.Var + ".sum"] = rows.Sum(r => r.Value);
                        break;
                    case StepKind.Write: store.Update(tx, step.Key, step.Value); break;
                    case StepKind.WriteFrom: store.Update(tx, step.Key, (values[step.Var!] ?? 0) + step.Value); break;
                    case StepKind.Add: store.Add(tx, step.Key, step.Value); break;
                    case StepKind.Insert: store.Insert(tx, step.Key, step.Value); break;
                    case StepKind.Commit: store.Commit(tx); break;
                    case StepKind.Rollback: store.Rollback(tx); break;
                }
            }
            catch (SerializationFailureException e)
            {
                aborts.Add(new AbortInfo(step.Tx, i + 1, step.Kind, SerializationFailureException.SqlState, e.Kind, e.Message));
            }
        }
        var final = store.Begin();
        var state = store.Scan(final, int.MinValue, int.MaxValue).ToDictionary(r => r.Key, r => r.Value);
        store.Commit(final);
        return new ScenarioRun(scenario, "simulation", level, values, state, aborts);
    }

    /// <summary>The PostgreSQL error text for a conflict kind, to recognise it in a server's message.</summary>
    public static ConflictKind? KindOf(string message) =>
        message.Contains("concurrent update", StringComparison.OrdinalIgnoreCase) || message.Contains("concurrent delete", StringComparison.OrdinalIgnoreCase)
            ? ConflictKind.ConcurrentUpdate
            : message.Contains("read/write dependencies", StringComparison.OrdinalIgnoreCase) ? ConflictKind.ReadWriteDependencies : null;
}

/// <summary>One row of an anomaly matrix: an isolation level and the outcome of each standard scenario.</summary>
public sealed record MatrixRow(string Level, string DirtyRead, string NonRepeatableRead, string Phantom, string LostUpdate,
    string LostUpdateAtomic, string WriteSkew);

/// <summary>One cell of two matrices side by side.</summary>
public sealed record CellComparison(string Level, string Anomaly, string Simulation, string PostgreSQL, bool Agree);

/// <summary>Outcomes of every scenario at every isolation level on one system.</summary>
public sealed class AnomalyMatrix
{
    private readonly Dictionary<(IsolationLevel, string), ScenarioRun> _cells = new();

    public AnomalyMatrix(string system, IEnumerable<ScenarioRun> runs)
    {
        System = Guard.NotEmpty(system);
        foreach (var r in Guard.NotNull(runs)) _cells[(r.Level, r.Scenario.Name)] = r;
        Guard.That(_cells.Count > 0, "a matrix needs at least one run.", nameof(runs));
    }

    public string System { get; }

    public IEnumerable<ScenarioRun> Runs => _cells.Values;

    public ScenarioRun this[IsolationLevel level, string scenario] =>
        _cells.TryGetValue((level, Guard.NotEmpty(scenario)), out var run) ? run
            : throw new ArgumentException($"no run for {scenario} at {level} in the {System} matrix.", nameof(scenario));

    /// <summary>Every standard scenario at every level on a fresh simulated store.</summary>
    public static AnomalyMatrix Simulate(bool dirtyReadsAtReadUncommitted = false, string? name = null) =>
        new(name ?? "simulation", Anomalies.Levels.SelectMany(l => Anomalies.All.Select(s => Anomalies.Simulate(s, l, dirtyReadsAtReadUncommitted))));

    public IReadOnlyList<MatrixRow> Rows() => Anomalies.Levels.Where(l => _cells.ContainsKey((l, Anomalies.DirtyRead))).Select(l =>
        new MatrixRow(Anomalies.Sql(l), this[l, Anomalies.DirtyRead].Cell, this[l, Anomalies.NonRepeatableRead].Cell,
            this[l, Anomalies.Phantom].Cell, this[l, Anomalies.LostUpdate].Cell, this[l, Anomalies.LostUpdateAtomic].Cell,
            this[l, Anomalies.WriteSkew].Cell)).ToList();

    /// <summary>0 = prevented, 1 = rolled back with 40001, 2 = anomaly occurs; rows are levels, columns scenarios.</summary>
    public double[][] Codes(IReadOnlyList<IsolationLevel> levels, IReadOnlyList<Scenario> scenarios) =>
        levels.Select(l => scenarios.Select(s => (double)(int)this[l, s.Name].Outcome).ToArray()).ToArray();

    /// <summary>Cell-by-cell comparison; every cell present in both matrices.</summary>
    public static IReadOnlyList<CellComparison> Compare(AnomalyMatrix a, AnomalyMatrix b)
    {
        Guard.NotNull(a);
        Guard.NotNull(b);
        return a._cells.Keys.Where(b._cells.ContainsKey).OrderBy(k => k.Item1)
            .ThenBy(k => Anomalies.All.ToList().FindIndex(s => s.Name == k.Item2))
            .Select(k => new CellComparison(Anomalies.Sql(k.Item1), k.Item2, a._cells[k].Cell, b._cells[k].Cell, a._cells[k].Cell == b._cells[k].Cell))
            .ToList();
    }
}
