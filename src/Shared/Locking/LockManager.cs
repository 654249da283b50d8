namespace SystemDesign.Locking;

/// <summary>Row lock modes: many readers share a row, a writer has it alone.</summary>
public enum LockMode
{
    Shared,
    Exclusive,
}

/// <summary>
/// What the lock manager does about deadlocks. <see cref="Detect"/> lets transactions wait and breaks a cycle
/// of the wait-for graph when one forms (what PostgreSQL, MySQL and SQL Server do). <see cref="WaitDie"/> and
/// <see cref="WoundWait"/> prevent cycles by timestamp (Rosenkrantz, Stearns and Lewis, 1978): only one
/// direction of waiting between an older and a younger transaction is allowed, so no cycle can ever form,
/// at the price of aborting some transactions that would never have deadlocked.
/// </summary>
public enum DeadlockPolicy
{
    /// <summary>Wait; when the new wait closes a cycle, abort a victim chosen by <see cref="VictimRule"/>.</summary>
    Detect,

    /// <summary>An older requester waits for younger blockers; a younger requester "dies" (aborts itself).</summary>
    WaitDie,

    /// <summary>An older requester "wounds" (aborts) younger blockers; a younger requester waits for older ones.</summary>
    WoundWait,
}

/// <summary>Which transaction of a detected cycle <see cref="DeadlockPolicy.Detect"/> aborts.</summary>
public enum VictimRule
{
    /// <summary>The transaction whose wait closed the cycle aborts itself: PostgreSQL's behaviour (the backend that runs the check is the one that errors out).</summary>
    Requester,

    /// <summary>The youngest transaction of the cycle (highest timestamp): what textbooks often describe.</summary>
    Youngest,
}

/// <summary>What became of a lock request.</summary>
public enum LockOutcome
{
    Granted,
    Waiting,
    Aborted,
}

/// <summary>One edge of the wait-for graph: <paramref name="Waiter"/> waits for <paramref name="Blocker"/> to release <paramref name="Row"/>.</summary>
public readonly record struct WaitEdge(int Waiter, int Blocker, int Row);

/// <summary>Why a transaction was aborted, and by whom.</summary>
/// <param name="Victim">the aborted transaction.</param>
/// <param name="Other">the transaction on the other side of the conflict: the blocker a wait-die requester would have waited for, the older requester that wounded a holder, or (detection) the requester whose wait closed the cycle.</param>
/// <param name="VictimWasRequester">true when the victim is the transaction that made the request.</param>
/// <param name="Cycle">the wait-for cycle (first transaction repeated at the end) when the abort broke a deadlock.</param>
/// <param name="YoungestOfCycle">for a deadlock victim, whether it was the youngest member of the cycle; null for the timestamp policies.</param>
public sealed record AbortRecord(int Victim, long VictimTimestamp, int Other, long OtherTimestamp, DeadlockPolicy Policy,
    bool VictimWasRequester, IReadOnlyList<int>? Cycle, bool? YoungestOfCycle = null)
{
    /// <summary>Whether the victim started after the other transaction (a larger timestamp is younger).</summary>
    public bool VictimIsYounger => VictimTimestamp > OtherTimestamp;
}

/// <summary>The wait-for graph at the moment a deadlock was detected, the cycle found and the transaction aborted.</summary>
public sealed record DeadlockSnapshot(IReadOnlyList<WaitEdge> Edges, IReadOnlyList<int> Cycle, int Victim);

/// <summary>The result of <see cref="LockManager.Request"/>.</summary>
/// <param name="Outcome">what became of the requester.</param>
/// <param name="Aborted">every transaction aborted by this request (the requester itself, wounded holders, a deadlock victim).</param>
/// <param name="Woken">transactions whose waiting request was granted because of those aborts.</param>
/// <param name="Cycle">the deadlock cycle this request closed, if any.</param>
public sealed record LockResult(LockOutcome Outcome, IReadOnlyList<int> Aborted, IReadOnlyList<int> Woken, IReadOnlyList<int>? Cycle);

/// <summary>
/// A row lock manager: shared and exclusive locks, one FIFO wait queue per row, and a wait-for graph
/// (waiter → every holder or earlier waiter whose lock conflicts with its request). Locks are held to the end
/// of the transaction (strict two-phase locking). The queue is strict FIFO, also for a holder that upgrades
/// from shared to exclusive: it queues behind earlier waiters, so two readers that both upgrade deadlock, which
/// is the textbook upgrade deadlock. (PostgreSQL would instead move the upgrader ahead of waiters that are
/// waiting for it anyway; keeping strict FIFO makes every wait-for edge last until its blocker releases,
/// which is what makes the timestamp schemes provably cycle-free here.)
/// Deterministic and single-threaded: a scheduler decides who runs next.
/// </summary>
public sealed class LockManager(DeadlockPolicy policy = DeadlockPolicy.Detect, VictimRule victimRule = VictimRule.Requester)
{
    private sealed class Txn(int id, long timestamp)
    {
        public int Id { get; } = id;
        public long Timestamp { get; } = timestamp;
        public HashSet<int> Rows { get; } = [];
        public (int Row, LockMode Mode)? Waiting { get; set; }
    }

    private sealed class Row
    {
        public Dictionary<int, LockMode> Holders { get; } = [];
        public List<(int Txn, LockMode Mode)> Queue { get; } = [];
    }

    private readonly Dictionary<int, Txn> _txns = [];
    private readonly Dictionary<int, Row> _rows = [];
    private readonly List<AbortRecord> _aborts = [];
    private readonly HashSet<long> _timestamps = [];
    private readonly SortedSet<int> _queued = []; // rows with a non-empty wait queue: the only sources of edges

    public DeadlockPolicy Policy { get; } = policy;
    public VictimRule VictimRule { get; } = victimRule;

    /// <summary>Every abort so far, in order.</summary>
    public IReadOnlyList<AbortRecord> Aborts => _aborts;

    /// <summary>The wait-for graph as it was when the last deadlock was detected (before the victim was aborted), or null.</summary>
    public DeadlockSnapshot? LastDeadlock { get; private set; }

    /// <summary>How many cycles detection found (always 0 under the timestamp policies).</summary>
    public int DeadlocksDetected { get; private set; }

    /// <summary>Starts a transaction. Timestamps order transactions by age (smaller is older) and must be unique among active ones.</summary>
    public void Begin(int txn, long timestamp)
    {
        Guard.NonNegative(txn);
        Guard.InRange(timestamp, 0, long.MaxValue);
        if (_txns.ContainsKey(txn)) Guard.That(false, $"transaction {txn} is already active", nameof(txn));
        if (!_timestamps.Add(timestamp)) Guard.That(false, $"timestamp {timestamp} is already used by an active transaction", nameof(timestamp));
        _txns[txn] = new Txn(txn, timestamp);
    }

    public bool IsActive(int txn) => _txns.ContainsKey(txn);

    public bool IsWaiting(int txn) => _txns.TryGetValue(txn, out var t) && t.Waiting is not null;

    /// <summary>The mode in which <paramref name="txn"/> holds <paramref name="row"/>, or null.</summary>
    public LockMode? HeldMode(int txn, int row)
        => _rows.TryGetValue(row, out var r) && r.Holders.TryGetValue(txn, out var m) ? m : null;

    /// <summary>Asks for a lock. The transaction must be active and not already waiting.</summary>
    public LockResult Request(int txn, int row, LockMode mode)
    {
        // Messages are built only on failure: this is the simulator's hot path.
        if (!_txns.TryGetValue(txn, out var t)) Guard.That(false, $"transaction {txn} is not active (Begin it first)", nameof(txn));
        Guard.NonNegative(row);
        if (t!.Waiting is not null) Guard.That(false, $"transaction {txn} is waiting for row {t.Waiting?.Row} and cannot ask for another lock", nameof(txn));
        var r = RowOf(row);

        if (r.Holders.TryGetValue(txn, out var held) && (held == LockMode.Exclusive || held == mode))
            return new LockResult(LockOutcome.Granted, [], [], null);
        if (r.Queue.Count == 0 && CompatibleWithHolders(r, txn, mode))
        {
            Grant(r, t, row, mode);
            return new LockResult(LockOutcome.Granted, [], [], null);
        }

        var blockers = Blockers(r, txn, mode, r.Queue.Count);
        var aborted = new List<int>();
        var woken = new List<int>();
        switch (Policy)
        {
            case DeadlockPolicy.WaitDie:
                // Wait only for younger transactions; otherwise die, before ever waiting.
                var older = blockers.Where(b => _txns[b].Timestamp < t.Timestamp).OrderBy(b => _txns[b].Timestamp).ToList();
                if (older.Count > 0)
                {
                    Record(t, _txns[older[0]], requester: true, cycle: null);
                    aborted.Add(txn);
                    woken.AddRange(AbortInternal(txn));
                    return new LockResult(LockOutcome.Aborted, aborted, woken, null);
                }
                Enqueue(r, t, row, mode);
                return new LockResult(LockOutcome.Waiting, aborted, woken, null);

            case DeadlockPolicy.WoundWait:
                Enqueue(r, t, row, mode);
                // Abort every younger transaction in the way; keep waiting for the older ones.
                foreach (int b in blockers.Where(b => _txns[b].Timestamp > t.Timestamp).OrderBy(b => b))
                {
                    Record(_txns[b], t, requester: false, cycle: null);
                    aborted.Add(b);
                    woken.AddRange(AbortInternal(b));
                }
                return new LockResult(t.Waiting is null ? LockOutcome.Granted : LockOutcome.Waiting, aborted, woken.Where(w => w != txn).ToList(), null);

            default:
                Enqueue(r, t, row, mode);
                // A new wait can close several cycles at once, all through the requester. Aborting the requester
                // breaks them all; aborting another member breaks only its own, so look again until none is left.
                IReadOnlyList<int>? first = null;
                while (t.Waiting is not null && FindCycleFrom(txn) is { } cycle)
                {
                    first ??= cycle;
                    DeadlocksDetected++;
                    int victim = VictimRule == VictimRule.Requester
                        ? txn
                        : cycle.Distinct().OrderByDescending(c => _txns[c].Timestamp).First();
                    LastDeadlock = new DeadlockSnapshot(Edges(), cycle, victim);
                    Record(_txns[victim], t, requester: victim == txn, cycle);
                    aborted.Add(victim);
                    woken.AddRange(AbortInternal(victim));
                    if (victim == txn)
                        return new LockResult(LockOutcome.Aborted, aborted, woken, first);
                }
                return new LockResult(t.Waiting is null ? LockOutcome.Granted : LockOutcome.Waiting, aborted,
                    woken.Where(w => w != txn && !aborted.Contains(w)).ToList(), first);
        }
    }

    /// <summary>Commits: releases every lock and grants waiters in queue order. Returns the transactions that were granted.</summary>
    public IReadOnlyList<int> Commit(int txn)
    {
        if (!_txns.TryGetValue(txn, out var t)) Guard.That(false, $"transaction {txn} is not active", nameof(txn));
        if (t!.Waiting is not null) Guard.That(false, $"transaction {txn} is waiting and cannot commit", nameof(txn));
        return AbortInternal(txn);
    }

    /// <summary>Aborts from outside (a client gave up): releases everything. Returns the transactions that were granted.</summary>
    public IReadOnlyList<int> Abort(int txn)
    {
        if (!_txns.ContainsKey(txn)) Guard.That(false, $"transaction {txn} is not active", nameof(txn));
        return AbortInternal(txn);
    }

    /// <summary>The current wait-for graph.</summary>
    public IReadOnlyList<WaitEdge> Edges()
    {
        var edges = new List<WaitEdge>();
        foreach (int rowId in _queued)
            for (int i = 0, n = _rows[rowId].Queue.Count; i < n; i++)
            {
                var r = _rows[rowId];
                foreach (int b in Blockers(r, r.Queue[i].Txn, r.Queue[i].Mode, i))
                    edges.Add(new WaitEdge(r.Queue[i].Txn, b, rowId));
            }
        return edges;
    }

    /// <summary>A cycle through <paramref name="txn"/> (first element repeated at the end), or null.</summary>
    public IReadOnlyList<int>? FindCycleFrom(int txn) => WaitForGraph.CycleThrough(BlockersOf, txn);

    /// <summary>Any cycle of the wait-for graph, or null: a deadlock nobody has broken.</summary>
    public IReadOnlyList<int>? FindAnyCycle()
        => WaitForGraph.AnyCycle(_txns.Values.Where(t => t.Waiting is not null).Select(t => t.Id).Order(), BlockersOf);

    /// <summary>The transactions <paramref name="txn"/> waits for (its out-edges), computed from the lock table on demand.</summary>
    private IReadOnlyList<int> BlockersOf(int txn)
    {
        if (!_txns.TryGetValue(txn, out var t) || t.Waiting is not { } w) return [];
        var r = _rows[w.Row];
        int position = r.Queue.FindIndex(q => q.Txn == txn);
        return Blockers(r, txn, w.Mode, position);
    }

    private Row RowOf(int row)
    {
        if (!_rows.TryGetValue(row, out var r)) _rows[row] = r = new Row();
        return r;
    }

    private static bool Conflicts(LockMode a, LockMode b) => a == LockMode.Exclusive || b == LockMode.Exclusive;

    private static bool CompatibleWithHolders(Row r, int txn, LockMode mode)
        => r.Holders.All(h => h.Key == txn || !Conflicts(h.Value, mode));

    /// <summary>Holders whose lock conflicts with the request, and earlier waiters (queue positions before <paramref name="position"/>) whose request conflicts.</summary>
    private static List<int> Blockers(Row r, int txn, LockMode mode, int position)
    {
        var set = new List<int>();
        foreach (var (h, m) in r.Holders)
            if (h != txn && Conflicts(m, mode)) set.Add(h);
        for (int i = 0; i < position; i++)
        {
            var (w, m) = r.Queue[i];
            if (w != txn && Conflicts(m, mode) && !set.Contains(w)) set.Add(w);
        }
        set.Sort();
        return set;
    }

    private static void Grant(Row r, Txn t, int row, LockMode mode)
    {
        r.Holders[t.Id] = r.Holders.TryGetValue(t.Id, out var held) && held == LockMode.Exclusive ? held : mode;
        t.Rows.Add(row);
    }

    private void Enqueue(Row r, Txn t, int row, LockMode mode)
    {
        r.Queue.Add((t.Id, mode));
        _queued.Add(row);
        t.Waiting = (row, mode);
    }

    private void Record(Txn victim, Txn other, bool requester, IReadOnlyList<int>? cycle)
        => _aborts.Add(new AbortRecord(victim.Id, victim.Timestamp, other.Id, other.Timestamp, Policy, requester, cycle,
            cycle?.All(c => _txns[c].Timestamp <= victim.Timestamp)));

    /// <summary>Removes the transaction everywhere and grants what its release makes grantable.</summary>
    private List<int> AbortInternal(int txn)
    {
        var t = _txns[txn];
        var touched = t.Rows.ToList();
        if (t.Waiting is { } w)
        {
            _rows[w.Row].Queue.RemoveAll(q => q.Txn == txn);
            if (_rows[w.Row].Queue.Count == 0) _queued.Remove(w.Row);
            touched.Add(w.Row);
        }
        foreach (int row in t.Rows) _rows[row].Holders.Remove(txn);
        _txns.Remove(txn);
        _timestamps.Remove(t.Timestamp);
        var woken = new List<int>();
        touched = touched.Distinct().Order().ToList(); // grant in row order: deterministic
        foreach (int row in touched) woken.AddRange(GrantWaiters(row));
        return woken;
    }

    /// <summary>Grants queued requests from the head while they are compatible with the holders (strict FIFO).</summary>
    private List<int> GrantWaiters(int row)
    {
        var r = _rows[row];
        var woken = new List<int>();
        while (r.Queue.Count > 0 && CompatibleWithHolders(r, r.Queue[0].Txn, r.Queue[0].Mode))
        {
            var (id, mode) = r.Queue[0];
            r.Queue.RemoveAt(0);
            var t = _txns[id];
            Grant(r, t, row, mode);
            t.Waiting = null;
            woken.Add(id);
        }
        if (r.Queue.Count == 0) _queued.Remove(row);
        if (r.Queue.Count == 0 && r.Holders.Count == 0) _rows.Remove(row);
        return woken;
    }
}
