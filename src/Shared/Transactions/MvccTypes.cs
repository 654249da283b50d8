namespace SystemDesign.Transactions;

/// <summary>The SQL isolation levels, weakest first.</summary>
public enum IsolationLevel
{
    ReadUncommitted,
    ReadCommitted,
    /// <summary>Snapshot isolation in PostgreSQL (one snapshot per transaction, first updater wins).</summary>
    RepeatableRead,
    /// <summary>Serializable snapshot isolation (SSI) in PostgreSQL: snapshot isolation plus rw-antidependency tracking.</summary>
    Serializable,
}

public enum TransactionStatus { InProgress, Committed, Aborted }

/// <summary>Why a serialization failure (SQLSTATE 40001) was raised.</summary>
public enum ConflictKind
{
    /// <summary>Repeatable read / serializable: the row was changed by a transaction the snapshot cannot see (first updater wins).</summary>
    ConcurrentUpdate,
    /// <summary>Serializable: a dangerous structure of two rw-antidependencies was found.</summary>
    ReadWriteDependencies,
}

/// <summary>
/// What vacuum thinks of a heap tuple (HeapTupleSatisfiesVacuum): only <see cref="Dead"/> tuples may be removed;
/// <see cref="RecentlyDead"/> ones are dead to new transactions but some open snapshot may still need them.
/// </summary>
public enum TupleState { Live, InsertInProgress, DeleteInProgress, RecentlyDead, Dead }

/// <summary>SQLSTATE 40001: the transaction was rolled back and may be retried from the start.</summary>
public sealed class SerializationFailureException(int transaction, ConflictKind kind, string detail)
    : Exception($"could not serialize access due to {(kind == ConflictKind.ConcurrentUpdate ? "concurrent update" : "read/write dependencies among transactions")} ({detail})")
{
    public const string SqlState = "40001";
    public int Transaction { get; } = transaction;
    public ConflictKind Kind { get; } = kind;
}

/// <summary>
/// A write hit a row that another in-progress transaction has written (its xmax is set). PostgreSQL would make
/// the writer wait for that transaction to end; the simulation does not model waiting, so scripts order their
/// steps to avoid it and schedulers treat it as "blocked".
/// </summary>
public sealed class RowLockedException(int key, uint holderXid)
    : InvalidOperationException($"row {key} is being written by in-progress transaction xid {holderXid}: PostgreSQL would wait for it")
{
    public int Key { get; } = key;
    public uint HolderXid { get; } = holderXid;
}

/// <summary>A tuple's physical address: (page, line pointer), as PostgreSQL's ctid prints it.</summary>
public readonly record struct Ctid(int Page, int Item)
{
    public override string ToString() => $"({Page},{Item})";

    public static Ctid Parse(string text)
    {
        Guard.NotEmpty(text);
        var parts = text.Trim('(', ')', ' ').Split(',');
        Guard.That(parts.Length == 2 && int.TryParse(parts[0], out _) && int.TryParse(parts[1], out _), $"a ctid looks like (page,item); got '{text}'.", nameof(text));
        return new Ctid(int.Parse(parts[0]), int.Parse(parts[1]));
    }
}

/// <summary>
/// One row version as it sits in the heap: the hidden columns xmin (inserting transaction), xmax (deleting or
/// updating transaction, 0 if none) and t_ctid (the next version in the update chain, itself when there is none).
/// </summary>
public sealed record HeapTuple(Ctid Ctid, int Key, long Value, uint Xmin, uint Xmax, Ctid Next, bool Frozen, TupleState State);

/// <summary>
/// A PostgreSQL-style snapshot: every XID below <see cref="Xmin"/> had finished, none from <see cref="Xmax"/> on
/// had started, and <see cref="InProgress"/> lists those in between that were still running. A transaction's
/// effects are visible only when it had committed before the snapshot was taken.
/// </summary>
public sealed class Snapshot
{
    public Snapshot(uint xmin, uint xmax, IEnumerable<uint> inProgress) : this(xmin, xmax, new HashSet<uint>(Guard.NotNull(inProgress)), validate: true)
    {
    }

    internal Snapshot(uint xmin, uint xmax, HashSet<uint> inProgress, bool validate)
    {
        Xmin = xmin;
        Xmax = xmax;
        InProgress = inProgress;
        if (validate)
            Guard.That(inProgress.All(x => Xid.PrecedesOrEquals(xmin, x) && Xid.Precedes(x, xmax)), "every in-progress XID must lie in [xmin, xmax).", nameof(inProgress));
    }

    public uint Xmin { get; }
    public uint Xmax { get; }
    public IReadOnlySet<uint> InProgress { get; }

    /// <summary>XidInMVCCSnapshot: the transaction had not finished when the snapshot was taken.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool IsRunning(uint xid) => !Xid.Precedes(xid, Xmax) || (!Xid.Precedes(xid, Xmin) && InProgress.Contains(xid));

    /// <summary>The snapshot sees xid's effects: it had finished before the snapshot and it committed.</summary>
    public bool Sees(uint xid, Func<uint, bool> isCommitted)
    {
        Guard.NotNull(isCommitted);
        return xid == Xid.Frozen || (Xid.IsNormal(xid) && !IsRunning(xid) && isCommitted(xid));
    }

    /// <summary>PostgreSQL's pg_current_snapshot() text form, xmin:xmax:xip.</summary>
    public override string ToString() => $"{Xmin}:{Xmax}:{string.Join(",", InProgress.Order())}";
}

/// <summary>One transaction of an <see cref="MvccStore"/>. Its XID is assigned at its first write, as in PostgreSQL.</summary>
public sealed class MvccTransaction
{
    internal MvccTransaction(int id, IsolationLevel level)
    {
        Id = id;
        Level = level;
    }

    /// <summary>Order of Begin (a virtual transaction id): read-only transactions never get an XID.</summary>
    public int Id { get; }
    public IsolationLevel Level { get; }
    /// <summary>0 until the first write.</summary>
    public uint Xid { get; internal set; }
    public TransactionStatus Status { get; internal set; } = TransactionStatus.InProgress;
    /// <summary>The snapshot of the current statement (read committed) or of the whole transaction.</summary>
    public Snapshot? Snapshot { get; internal set; }

    internal long StartSeq = -1;   // logical time the transaction's first snapshot was taken
    internal long CommitSeq = -1;  // logical time it committed
    internal bool Doomed;          // SSI chose it as the victim; fails at its next operation
    internal readonly List<int> Created = new();     // slots it inserted
    internal readonly List<int> Superseded = new();  // slots whose xmax it set
    internal readonly HashSet<int> ReadKeys = new();
    internal readonly List<(int Lo, int Hi)> ReadRanges = new();
    internal readonly HashSet<MvccTransaction> In = new();   // T → this: T read something this wrote
    internal readonly HashSet<MvccTransaction> Out = new();  // this → T: this read something T wrote

    public override string ToString() => Xid == 0 ? $"T{Id}" : $"T{Id} (xid {Xid})";
}

/// <summary>What one vacuum pass did, in the words of PostgreSQL's VACUUM VERBOSE "tuples:" line.</summary>
public sealed record VacuumReport(int Removed, int Remaining, int DeadNotYetRemovable, int Frozen, int HeapSlots, int FreeSlots, uint OldestXmin);
