using System.Runtime.CompilerServices;

namespace SystemDesign.Transactions;

/// <summary>
/// A single-table multi-version store that follows PostgreSQL's design closely enough to be compared with it
/// tuple by tuple: every write appends a heap tuple stamped with xmin/xmax, an update links the old version to
/// the new one through t_ctid, snapshots decide which version each transaction sees, vacuum removes what no
/// snapshot can see any more, and freezing protects old tuples from XID wraparound.
/// <para>
/// Isolation: read committed takes a snapshot per statement and, like PostgreSQL, re-applies an update to the
/// newest committed version; repeatable read keeps the first snapshot and fails with 40001 when a row it writes
/// was changed by a transaction it cannot see (first updater wins); serializable adds SSI: it records what each
/// transaction read, turns "T read a version that U overwrote" into an rw-antidependency T → U, and aborts a
/// transaction when two such edges meet at a pivot (T_in → pivot → T_out) and T_out committed first
/// (Ports and Grittner, VLDB 2012). With <c>dirtyReadsAtReadUncommitted</c> the weakest level reads
/// uncommitted data, as the SQL standard permits; PostgreSQL never does, which is the default here.
/// </para>
/// Not modelled: waiting for row locks (a write that would wait throws <see cref="RowLockedException"/>),
/// command ids within a transaction, subtransactions, indexes.
/// </summary>
public sealed class MvccStore
{
    // The notebooks load whatever build of the library is on disk, usually Debug, whose code the JIT does not
    // optimize; the hot paths of the simulations ask for full optimization so that cells stay fast either way.

    private sealed class Slot
    {
        public int Key;
        public long Value;
        public uint Xmin;
        public uint Xmax;
        public int Next;
        public bool Frozen;
    }

    private readonly List<Slot?> _heap = new();
    private readonly SortedSet<int> _free = new();
    private readonly Dictionary<int, List<int>> _chains = new();
    private readonly Dictionary<uint, TransactionStatus> _clog = new();
    private readonly Dictionary<uint, MvccTransaction> _byXid = new();
    private readonly List<MvccTransaction> _active = new();
    private readonly List<MvccTransaction> _serializable = new();
    private readonly bool _dirtyReads;
    private uint _nextXid;
    private long _clock;
    private int _nextId = 1;
    private MvccTransaction? _committing;
    private readonly Func<uint, bool> _isCommitted;

    /// <param name="tuplesPerPage">heap tuples per page, for ctids and page counts (226 fits a 2-integer row in 8 kB).</param>
    /// <param name="firstXid">the first XID handed out (≥ 3); start near 2^32 to watch the counter wrap.</param>
    /// <param name="dirtyReadsAtReadUncommitted">read uncommitted sees uncommitted versions, as the standard allows.</param>
    public MvccStore(int tuplesPerPage = 226, uint firstXid = Xid.FirstNormal, bool dirtyReadsAtReadUncommitted = false)
    {
        TuplesPerPage = Guard.InRange(tuplesPerPage, 1, 2048);
        Guard.That(Xid.IsNormal(firstXid), $"firstXid must be a normal XID (≥ {Xid.FirstNormal}); got {firstXid}.",
            nameof(firstXid));
        _nextXid = firstXid;
        _dirtyReads = dirtyReadsAtReadUncommitted;
        _isCommitted = IsCommitted;
    }

    public int TuplesPerPage { get; }

    /// <summary>The XID the next writing transaction will get.</summary>
    public uint NextXid => _nextXid;

    /// <summary>Heap line pointers in use or free: the table's size, which plain vacuum never shrinks.</summary>
    public int HeapSlots => _heap.Count;
    public int Pages => (_heap.Count + TuplesPerPage - 1) / TuplesPerPage;
    public int FreeSlots => _free.Count;

    /// <summary>Tuples whose deleting transaction committed, or whose inserting one aborted (n_dead_tup).</summary>
    public int DeadTuples { get; private set; }

    /// <summary>Tuples in the heap (live and dead).</summary>
    public int Tuples => _heap.Count - _free.Count;

    public IReadOnlyList<MvccTransaction> Active => _active;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public MvccTransaction Begin(IsolationLevel level = IsolationLevel.ReadCommitted)
    {
        if (level is < IsolationLevel.ReadUncommitted or > IsolationLevel.Serializable)
            throw new ArgumentException($"level must be one of {string.Join(", ", Enum.GetNames<IsolationLevel>())}; got {level}.", nameof(level));
        var tx = new MvccTransaction(_nextId++, level);
        _active.Add(tx);
        if (level == IsolationLevel.Serializable) _serializable.Add(tx);
        return tx;
    }

    /// <summary>The status PostgreSQL's commit log (pg_xact) holds for an XID.</summary>
    public TransactionStatus StatusOf(uint xid)
    {
        if (xid == Xid.Frozen || xid == Xid.Bootstrap) return TransactionStatus.Committed;
        return _clog.TryGetValue(xid, out var status) ? status
            : throw new ArgumentOutOfRangeException(nameof(xid), xid, $"xid {xid} was never assigned by this store.");
    }

    /// <summary>A snapshot as a new statement would take it now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Snapshot TakeSnapshot()
    {
        var running = new HashSet<uint>();
        uint xmin = _nextXid;
        foreach (var t in _active)
        {
            if (t.Xid == 0 || t == _committing) continue;
            running.Add(t.Xid);
            if (Xid.Precedes(t.Xid, xmin)) xmin = t.Xid;
        }
        return new Snapshot(xmin, _nextXid, running, validate: false);
    }

    // ----- reads -------------------------------------------------------------------------------------

    /// <summary>SELECT v WHERE k = key: the value of the version this transaction sees, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long? Read(MvccTransaction tx, int key)
    {
        var snap = StatementSnapshot(tx);
        var slot = VisibleSlot(snap, tx, key);
        if (tx.Level == IsolationLevel.Serializable)
        {
            tx.ReadKeys.Add(key);
            ConflictOut(tx, snap, key);
        }
        return slot is null ? null : _heap[slot.Value]!.Value;
    }

    /// <summary>SELECT k, v WHERE k BETWEEN lo AND hi: the rows this transaction sees, in key order.</summary>
    public IReadOnlyList<(int Key, long Value)> Scan(MvccTransaction tx, int lo, int hi)
    {
        Guard.That(lo <= hi, $"lo must not exceed hi; got {lo} > {hi}.", nameof(lo));
        var snap = StatementSnapshot(tx);
        var rows = new List<(int, long)>();
        var keys = _chains.Keys.Where(k => k >= lo && k <= hi).Order().ToList();
        foreach (int key in keys)
        {
            var slot = VisibleSlot(snap, tx, key);
            if (slot is not null) rows.Add((key, _heap[slot.Value]!.Value));
        }
        if (tx.Level == IsolationLevel.Serializable)
        {
            tx.ReadRanges.Add((lo, hi));
            foreach (int key in keys) ConflictOut(tx, snap, key);
        }
        return rows;
    }

    /// <summary>The version of <paramref name="key"/> a snapshot sees (as a reader with no XID), or null.</summary>
    public Ctid? VisibleVersion(Snapshot snapshot, int key)
    {
        Guard.NotNull(snapshot);
        var slot = VisibleSlot(snapshot, null, key);
        return slot is null ? null : CtidOf(slot.Value);
    }

    /// <summary>The version a transaction sees now, without recording a read (for displays).</summary>
    public Ctid? VisibleVersion(MvccTransaction tx, int key)
    {
        Guard.NotNull(tx);
        var snap = tx.Snapshot ?? TakeSnapshot();
        var slot = VisibleSlot(snap, tx, key);
        return slot is null ? null : CtidOf(slot.Value);
    }

    // ----- writes ------------------------------------------------------------------------------------

    /// <summary>INSERT (key, value). A live or in-doubt row with the same key is a unique violation or a wait.</summary>
    public void Insert(MvccTransaction tx, int key, long value)
    {
        StatementSnapshot(tx);
        if (_chains.TryGetValue(key, out var chain))
        {
            foreach (int s in chain)
            {
                var t = _heap[s]!;
                if (IsAborted(t.Xmin)) continue;
                if (IsRunningOther(tx, t.Xmin)) throw new RowLockedException(key, t.Xmin);
                bool deleted = t.Xmax != 0 && !IsAborted(t.Xmax);
                if (!deleted) throw new InvalidOperationException($"duplicate key value violates unique constraint: key {key} exists");
                if (IsRunningOther(tx, t.Xmax)) throw new RowLockedException(key, t.Xmax);
            }
        }
        EnsureXid(tx);
        int slot = Allocate(key, value, tx.Xid);
        Chain(key).Add(slot);
        tx.Created.Add(slot);
        ConflictIn(tx, key);
    }

    /// <summary>UPDATE SET v = value WHERE k = key; false when there is no row to update.</summary>
    public bool Update(MvccTransaction tx, int key, long value) => Modify(tx, key, _ => value, delete: false);

    /// <summary>UPDATE SET v = v + delta WHERE k = key: the addition uses the version the update lands on.</summary>
    public bool Add(MvccTransaction tx, int key, long delta) => Modify(tx, key, v => checked(v + delta), delete: false);

    /// <summary>DELETE WHERE k = key; false when there is no row to delete.</summary>
    public bool Delete(MvccTransaction tx, int key) => Modify(tx, key, v => v, delete: true);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Modify(MvccTransaction tx, int key, Func<long, long> newValue, bool delete)
    {
        var snap = StatementSnapshot(tx);
        int? target = WriteTarget(tx, snap, key);
        if (target is null)
        {
            if (tx.Level == IsolationLevel.Serializable) { tx.ReadKeys.Add(key); ConflictOut(tx, snap, key); }
            return false;
        }
        EnsureXid(tx);
        var old = _heap[target.Value]!;
        old.Xmax = tx.Xid;
        tx.Superseded.Add(target.Value);
        if (!delete)
        {
            int slot = Allocate(key, newValue(old.Value), tx.Xid);
            old = _heap[target.Value]!;
            old.Next = slot;
            Chain(key).Add(slot);
            tx.Created.Add(slot);
        }
        else
        {
            old.Next = target.Value;
        }
        ConflictIn(tx, key);
        return true;
    }

    /// <summary>
    /// The version a write lands on. Repeatable read and serializable demand that the version they see is the
    /// newest; read committed follows the update chain to the newest committed version (EvalPlanQual).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int? WriteTarget(MvccTransaction tx, Snapshot snap, int key)
    {
        int? seen = tx.Level == IsolationLevel.ReadUncommitted && _dirtyReads ? NewestSlot(tx, key) : VisibleSlot(snap, tx, key);
        if (seen is null) return null;
        int s = seen.Value;
        if (IsRunningOther(tx, _heap[s]!.Xmin)) throw new RowLockedException(key, _heap[s]!.Xmin);
        while (true)
        {
            var t = _heap[s]!;
            if (t.Xmax == 0 || IsAborted(t.Xmax) || t.Xmax == tx.Xid && tx.Xid != 0)
                return t.Xmax == tx.Xid && tx.Xid != 0 ? null : s;
            if (IsRunningOther(tx, t.Xmax)) throw new RowLockedException(key, t.Xmax);
            // Committed by a transaction this snapshot does not see.
            if (tx.Level >= IsolationLevel.RepeatableRead)
            {
                Abort(tx);
                throw new SerializationFailureException(tx.Id, ConflictKind.ConcurrentUpdate, $"row {key} was changed by xid {t.Xmax} after T{tx.Id}'s snapshot");
            }
            if (t.Next == s) return null; // deleted
            s = t.Next;
        }
    }

    // ----- commit and abort --------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Commit(MvccTransaction tx)
    {
        EnsureUsable(tx);
        if (tx.Level == IsolationLevel.Serializable)
        {
            _committing = tx;
            try
            {
                tx.CommitSeq = ++_clock;
                CheckDangerous(tx);
            }
            catch
            {
                tx.CommitSeq = -1;
                throw;
            }
            finally
            {
                _committing = null;
            }
        }
        else tx.CommitSeq = ++_clock;
        tx.Status = TransactionStatus.Committed;
        if (tx.Xid != 0)
        {
            _clog[tx.Xid] = TransactionStatus.Committed;
            DeadTuples += tx.Superseded.Count(s => s >= 0 && _heap[s] is { } t && t.Xmax == tx.Xid);
        }
        _active.Remove(tx);
        PruneSerializable();
    }

    public void Rollback(MvccTransaction tx)
    {
        Guard.NotNull(tx);
        Guard.That(tx.Status == TransactionStatus.InProgress, $"T{tx.Id} already ended ({tx.Status}).", nameof(tx));
        Abort(tx);
    }

    private void Abort(MvccTransaction tx)
    {
        tx.Status = TransactionStatus.Aborted;
        if (tx.Xid != 0)
        {
            _clog[tx.Xid] = TransactionStatus.Aborted;
            DeadTuples += tx.Created.Count(s => s >= 0 && _heap[s] is { } t && t.Xmin == tx.Xid);
        }
        _active.Remove(tx);
        PruneSerializable();
    }

    // ----- vacuum and freezing -----------------------------------------------------------------------

    /// <summary>
    /// The oldest XID any open transaction may still need (OldestXmin): tuples deleted by a transaction that
    /// committed before it are invisible to everyone and can be removed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public uint OldestXmin()
    {
        uint horizon = _nextXid;
        foreach (var t in _active)
        {
            if (t.Xid != 0 && Xid.Precedes(t.Xid, horizon)) horizon = t.Xid;
            if (t.Snapshot is { } s && Xid.Precedes(s.Xmin, horizon)) horizon = s.Xmin;
        }
        return horizon;
    }

    /// <summary>
    /// Plain VACUUM: frees the line pointers of dead tuples for reuse (the table keeps its size) and, with
    /// <paramref name="freezeMinAge"/>, freezes live tuples whose xmin is at least that old (VACUUM FREEZE is 0).
    /// Frozen tuples keep their raw xmin, as PostgreSQL does since 9.4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public VacuumReport Vacuum(int? freezeMinAge = null)
    {
        if (freezeMinAge is { } f) Guard.InRange(f, 0, 1_000_000_000, nameof(freezeMinAge));
        uint horizon = OldestXmin();
        int removed = 0, recentlyDead = 0, remaining = 0, frozen = 0;
        for (int s = 0; s < _heap.Count; s++)
        {
            var t = _heap[s];
            if (t is null) continue;
            var state = StateOf(t, horizon);
            if (state == TupleState.Dead)
            {
                _heap[s] = null;
                _free.Add(s);
                _chains[t.Key].Remove(s);
                if (_chains[t.Key].Count == 0) _chains.Remove(t.Key);
                removed++;
                continue;
            }
            remaining++;
            if (state == TupleState.RecentlyDead) recentlyDead++;
            if (freezeMinAge is { } minAge && !t.Frozen && state is TupleState.Live or TupleState.DeleteInProgress
                && Xid.Precedes(t.Xmin, horizon) && Xid.Age(_nextXid, t.Xmin) >= minAge)
            {
                t.Frozen = true;
                frozen++;
            }
        }
        DeadTuples -= removed;
        return new VacuumReport(removed, remaining, recentlyDead, frozen, _heap.Count, _free.Count, horizon);
    }

    /// <summary>
    /// VACUUM FULL: rewrites the table with only the tuples some snapshot may still need, so the file shrinks;
    /// PostgreSQL holds an ACCESS EXCLUSIVE lock meanwhile. Tuples move, so their ctids change.
    /// </summary>
    public VacuumReport VacuumFull()
    {
        var report = Vacuum();
        var keep = Enumerable.Range(0, _heap.Count).Where(s => _heap[s] is not null).ToList();
        var moved = keep.Select((old, i) => (old, i)).ToDictionary(p => p.old, p => p.i);
        var heap = keep.Select(s => _heap[s]!).ToList();
        for (int i = 0; i < heap.Count; i++) heap[i].Next = moved.TryGetValue(heap[i].Next, out int n) ? n : i; // a removed successor: point at itself
        _heap.Clear();
        _heap.AddRange(heap);
        _free.Clear();
        foreach (var chain in _chains.Values)
            for (int i = 0; i < chain.Count; i++) chain[i] = moved[chain[i]];
        foreach (var tx in _active)
        {
            for (int i = 0; i < tx.Created.Count; i++) tx.Created[i] = moved.GetValueOrDefault(tx.Created[i], -1);
            for (int i = 0; i < tx.Superseded.Count; i++) tx.Superseded[i] = moved.GetValueOrDefault(tx.Superseded[i], -1);
        }
        return report with { HeapSlots = _heap.Count, FreeSlots = 0 };
    }

    /// <summary>
    /// Burns <paramref name="count"/> XIDs as a busy server would (other sessions' transactions), without
    /// PostgreSQL's stop limit: the way to watch what the limit prevents.
    /// </summary>
    public void ConsumeXids(long count)
    {
        Guard.InRange(count, 0, Xid.Space - 1000);
        _nextXid = Xid.Add(_nextXid, count);
    }

    /// <summary>The oldest xmin among unfrozen live tuples (what relfrozenxid tracks), or null if all are frozen.</summary>
    public uint? OldestUnfrozenXmin()
    {
        uint? oldest = null;
        foreach (var t in _heap)
        {
            if (t is null || t.Frozen || IsAborted(t.Xmin)) continue;
            if (oldest is null || Xid.Precedes(t.Xmin, oldest.Value)) oldest = t.Xmin;
        }
        return oldest;
    }

    // ----- inspection --------------------------------------------------------------------------------

    /// <summary>Every tuple in the heap in ctid order, dead ones included: what pageinspect's heap_page_items shows.</summary>
    public IReadOnlyList<HeapTuple> Heap()
    {
        uint horizon = OldestXmin();
        var list = new List<HeapTuple>();
        for (int s = 0; s < _heap.Count; s++)
            if (_heap[s] is { } t)
                list.Add(new HeapTuple(CtidOf(s), t.Key, t.Value, t.Xmin, t.Xmax, CtidOf(t.Next), t.Frozen, StateOf(t, horizon)));
        return list;
    }

    /// <summary>The version chain of one key, oldest first.</summary>
    public IReadOnlyList<HeapTuple> Versions(int key) => Heap().Where(t => t.Key == key).ToList();

    public Ctid CtidOf(int slot) => new(slot / TuplesPerPage, slot % TuplesPerPage + 1);

    // ----- internals ---------------------------------------------------------------------------------

    private List<int> Chain(int key)
    {
        if (!_chains.TryGetValue(key, out var chain)) _chains[key] = chain = new List<int>();
        return chain;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Allocate(int key, long value, uint xmin)
    {
        int slot;
        if (_free.Count > 0)
        {
            slot = _free.Min;
            _free.Remove(slot);
        }
        else
        {
            slot = _heap.Count;
            _heap.Add(null);
        }
        _heap[slot] = new Slot { Key = key, Value = value, Xmin = xmin, Xmax = 0, Next = slot };
        return slot;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EnsureXid(MvccTransaction tx)
    {
        if (tx.Xid != 0) return;
        tx.Xid = _nextXid;
        _nextXid = Xid.Advance(_nextXid);
        _clog[tx.Xid] = TransactionStatus.InProgress;
        if (tx.Level == IsolationLevel.Serializable) _byXid[tx.Xid] = tx;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EnsureUsable(MvccTransaction tx)
    {
        Guard.NotNull(tx);
        if (tx.Status != TransactionStatus.InProgress)
            throw new ArgumentException($"T{tx.Id} already ended ({tx.Status}).", nameof(tx));
        if (!_active.Contains(tx)) throw new ArgumentException($"T{tx.Id} belongs to another store.", nameof(tx));
        if (tx.Doomed)
        {
            Abort(tx);
            throw new SerializationFailureException(tx.Id, ConflictKind.ReadWriteDependencies, $"T{tx.Id} was chosen as the pivot of a dangerous structure");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Snapshot StatementSnapshot(MvccTransaction tx)
    {
        EnsureUsable(tx);
        if (tx.Snapshot is null || tx.Level <= IsolationLevel.ReadCommitted)
        {
            tx.Snapshot = TakeSnapshot();
            if (tx.StartSeq < 0) tx.StartSeq = ++_clock;
        }
        return tx.Snapshot;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsAborted(uint xid) => Xid.IsNormal(xid) && _clog.TryGetValue(xid, out var s) && s == TransactionStatus.Aborted;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsCommitted(uint xid) => xid == Xid.Frozen || _clog.TryGetValue(xid, out var s) && s == TransactionStatus.Committed;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsRunningOther(MvccTransaction tx, uint xid) =>
        xid != tx.Xid && _clog.TryGetValue(xid, out var s) && s == TransactionStatus.InProgress;

    /// <summary>The snapshot sees the effects of xid: its own, or committed before the snapshot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool XidVisible(Snapshot snap, MvccTransaction? me, uint xid) =>
        me is not null && me.Xid != 0 && xid == me.Xid || snap.Sees(xid, _isCommitted);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TupleVisible(Snapshot snap, MvccTransaction? me, Slot t)
    {
        if (!t.Frozen && !XidVisible(snap, me, t.Xmin)) return false;
        if (t.Xmax == 0 || IsAborted(t.Xmax)) return true;
        if (me is not null && me.Xid != 0 && t.Xmax == me.Xid) return false;
        return !XidVisible(snap, me, t.Xmax);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int? VisibleSlot(Snapshot snap, MvccTransaction? me, int key)
    {
        if (me is { Level: IsolationLevel.ReadUncommitted } && _dirtyReads)
        {
            int? newest = NewestSlot(me, key);
            if (newest is null) return null;
            var t = _heap[newest.Value]!;
            return t.Xmax != 0 && !IsAborted(t.Xmax) ? null : newest;
        }
        if (!_chains.TryGetValue(key, out var chain)) return null;
        for (int i = chain.Count - 1; i >= 0; i--)
            if (TupleVisible(snap, me, _heap[chain[i]]!)) return chain[i];
        return null;
    }

    /// <summary>The newest version whose inserter did not abort (what a dirty reader sees).</summary>
    private int? NewestSlot(MvccTransaction me, int key)
    {
        if (!_chains.TryGetValue(key, out var chain)) return null;
        for (int i = chain.Count - 1; i >= 0; i--)
            if (!IsAborted(_heap[chain[i]]!.Xmin)) return chain[i];
        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private TupleState StateOf(Slot t, uint horizon)
    {
        if (IsAborted(t.Xmin)) return TupleState.Dead;
        if (!t.Frozen && StatusOf(t.Xmin) == TransactionStatus.InProgress) return TupleState.InsertInProgress;
        if (t.Xmax == 0 || IsAborted(t.Xmax)) return TupleState.Live;
        if (StatusOf(t.Xmax) == TransactionStatus.InProgress) return TupleState.DeleteInProgress;
        return Xid.Precedes(t.Xmax, horizon) ? TupleState.Dead : TupleState.RecentlyDead;
    }

    // ----- serializable snapshot isolation -----------------------------------------------------------

    /// <summary>A reader met versions written by transactions its snapshot cannot see: reader → writer.</summary>
    private void ConflictOut(MvccTransaction reader, Snapshot snap, int key)
    {
        if (!_chains.TryGetValue(key, out var chain)) return;
        bool added = false;
        foreach (int s in chain)
        {
            var t = _heap[s]!;
            foreach (uint xid in new[] { t.Xmin, t.Xmax })
            {
                if (!Xid.IsNormal(xid) || xid == reader.Xid || IsAborted(xid) || XidVisible(snap, reader, xid)) continue;
                if (_byXid.TryGetValue(xid, out var writer) && writer.Level == IsolationLevel.Serializable)
                    added |= AddEdge(reader, writer);
            }
        }
        if (added) CheckDangerous(reader);
    }

    /// <summary>A writer changed a key that concurrent serializable transactions had read: each reader → writer.</summary>
    private void ConflictIn(MvccTransaction writer, int key)
    {
        if (writer.Level != IsolationLevel.Serializable) return;
        bool added = false;
        foreach (var reader in _serializable)
        {
            if (reader == writer || reader.Status == TransactionStatus.Aborted || reader.Doomed) continue;
            if (reader.Status == TransactionStatus.Committed && reader.CommitSeq < writer.StartSeq) continue; // not concurrent
            if (reader.ReadKeys.Contains(key) || reader.ReadRanges.Any(r => key >= r.Lo && key <= r.Hi))
                added |= AddEdge(reader, writer);
        }
        if (added) CheckDangerous(writer);
    }

    private static bool AddEdge(MvccTransaction reader, MvccTransaction writer)
    {
        if (!reader.Out.Add(writer)) return false;
        writer.In.Add(reader);
        return true;
    }

    private bool Committed(MvccTransaction t) => t.Status == TransactionStatus.Committed || t == _committing;

    private bool Gone(MvccTransaction t) => t.Status == TransactionStatus.Aborted || t.Doomed;

    /// <summary>
    /// Looks for T_in → pivot → T_out with T_out committed before the other two. The pivot is sacrificed when it
    /// is still running (it then fails at its next statement or commit), else T_in; when the only one left to
    /// sacrifice is the transaction acting now, it fails immediately.
    /// </summary>
    private void CheckDangerous(MvccTransaction actor)
    {
        foreach (var pivot in _serializable.ToList())
        {
            if (Gone(pivot)) continue;
            foreach (var tOut in pivot.Out.ToList())
            {
                if (Gone(tOut) || !Committed(tOut)) continue;
                if (Committed(pivot) && pivot.CommitSeq < tOut.CommitSeq) continue;
                foreach (var tIn in pivot.In.ToList())
                {
                    if (Gone(tIn) || Gone(pivot)) continue;
                    if (tIn != tOut && Committed(tIn) && tIn.CommitSeq < tOut.CommitSeq) continue;
                    var victim = !Committed(pivot) ? pivot : !Committed(tIn) ? tIn : actor;
                    if (victim == actor)
                    {
                        Abort(actor);
                        throw new SerializationFailureException(actor.Id, ConflictKind.ReadWriteDependencies,
                            $"T{tIn.Id} → T{pivot.Id} → T{tOut.Id} with T{tOut.Id} committed first");
                    }
                    victim.Doomed = true;
                }
            }
        }
    }

    /// <summary>Forgets committed serializable transactions that no running one overlaps: they can take part in no new edge.</summary>
    private void PruneSerializable()
    {
        if (_serializable.Count == 0) return;
        var running = _serializable.Where(t => t.Status == TransactionStatus.InProgress).ToList();
        long oldestStart = running.Where(t => t.StartSeq >= 0).Select(t => t.StartSeq).DefaultIfEmpty(long.MaxValue).Min();
        var forget = _serializable.Where(t => t.Status == TransactionStatus.Aborted
            || t.Status == TransactionStatus.Committed && (running.Count == 0 || t.CommitSeq < oldestStart)).ToList();
        foreach (var t in forget)
        {
            _serializable.Remove(t);
            foreach (var o in t.Out) o.In.Remove(t);
            foreach (var i in t.In) i.Out.Remove(t);
            if (t.Xid != 0) _byXid.Remove(t.Xid);
        }
    }
}
