namespace SystemDesign.Transactions;

/// <summary>
/// The wraparound limits PostgreSQL derives from the oldest unfrozen transaction id of the cluster
/// (varsup.c, <c>SetTransactionIdLimit</c>, PostgreSQL 14–17). Each limit is an XID value on the circle;
/// the <c>*Age</c> properties say how many XIDs after the oldest one it lies.
/// </summary>
/// <param name="OldestXid">the oldest unfrozen XID (the cluster's oldest <c>datfrozenxid</c>).</param>
/// <param name="VacLimit">from here autovacuum is forced to run anti-wraparound vacuums, even when switched off.</param>
/// <param name="WarnLimit">from here every XID assignment logs "database … must be vacuumed within N transactions".</param>
/// <param name="StopLimit">from here the server refuses commands that need a new XID (reads still work).</param>
/// <param name="WrapLimit">half the circle: past it, old XIDs would read as being in the future.</param>
public sealed record XidLimits(uint OldestXid, uint VacLimit, uint WarnLimit, uint StopLimit, uint WrapLimit)
{
    public long VacAge => Xid.Distance(OldestXid, VacLimit);
    public long WarnAge => Xid.Distance(OldestXid, WarnLimit);
    public long StopAge => Xid.Distance(OldestXid, StopLimit);
    public long WrapAge => Xid.Distance(OldestXid, WrapLimit);
}

/// <summary>
/// PostgreSQL's 32-bit transaction ids and their circular arithmetic. Ids 0, 1 and 2 are reserved
/// (invalid, bootstrap, frozen); normal ids start at 3 and the counter skips the reserved ones when it wraps
/// from 2^32 − 1. Two normal ids compare by the sign of their 32-bit difference, so each id sees the
/// 2^31 − 1 ids before it as past and the ones after as future: that is why unfrozen ids may lag the
/// counter by at most about 2.1 billion, although the counter itself wraps only every 2^32 ≈ 4.3 billion.
/// </summary>
public static class Xid
{
    public const uint Invalid = 0;
    public const uint Bootstrap = 1;
    /// <summary>FrozenTransactionId: "older than everything". Since 9.4 freezing sets a flag and keeps the raw xmin.</summary>
    public const uint Frozen = 2;
    public const uint FirstNormal = 3;
    public const uint Max = uint.MaxValue;

    /// <summary>2^32: how many values a transaction id can take.</summary>
    public const long Space = 1L << 32;

    /// <summary>MaxTransactionId &gt;&gt; 1 = 2^31 − 1: the farthest an id can lie in the past and still compare as past.</summary>
    public const long Horizon = (long)(Max >> 1);

    /// <summary>PostgreSQL 14–17 stop assigning XIDs this many ids before the wrap limit (1 million before 14).</summary>
    public const long StopMargin = 3_000_000;

    /// <summary>PostgreSQL 14–17 start warning this many ids before the wrap limit (11 million before 14).</summary>
    public const long WarnMargin = 40_000_000;

    public static bool IsNormal(uint xid) => xid >= FirstNormal;

    /// <summary>TransactionIdPrecedes: a is older than b. Reserved ids compare as plain numbers (always older).</summary>
    public static bool Precedes(uint a, uint b) =>
        !IsNormal(a) || !IsNormal(b) ? a < b : unchecked((int)(a - b)) < 0;

    public static bool PrecedesOrEquals(uint a, uint b) => a == b || Precedes(a, b);

    /// <summary>
    /// age(xid) as PostgreSQL computes it: the signed 32-bit difference now − xid, and int.MaxValue
    /// ("infinitely old") for the reserved ids such as the frozen id 2. A negative age means the future.
    /// </summary>
    public static int Age(uint now, uint xid) => IsNormal(xid) ? unchecked((int)(now - xid)) : int.MaxValue;

    /// <summary>The next id after xid, skipping the reserved ones when the counter wraps (TransactionIdAdvance).</summary>
    public static uint Advance(uint xid)
    {
        unchecked { xid++; }
        return xid < FirstNormal ? FirstNormal : xid;
    }

    /// <summary>xid + n on the circle of normal ids (the reserved ids are skipped on each wrap).</summary>
    public static uint Add(uint xid, long n)
    {
        Guard.InRange(n, 0, Space);
        long normal = Space - FirstNormal;
        long offset = ((long)Math.Max(xid, FirstNormal) - FirstNormal + n) % normal;
        return (uint)(offset + FirstNormal);
    }

    /// <summary>How many increments lead from <paramref name="from"/> to <paramref name="to"/> (0 … 2^32 − 1).</summary>
    public static long Distance(uint from, uint to) => unchecked((long)(uint)(to - from));

    /// <summary>
    /// The limits SetTransactionIdLimit (PostgreSQL 14–17) derives from the oldest datfrozenxid, with the same
    /// adjustments when a limit lands on a reserved id.
    /// </summary>
    public static XidLimits Limits(uint oldestDatFrozenXid, int autovacuumFreezeMaxAge = 200_000_000)
    {
        Guard.That(IsNormal(oldestDatFrozenXid), $"oldestDatFrozenXid must be a normal XID (≥ {FirstNormal}); got {oldestDatFrozenXid}.",
            nameof(oldestDatFrozenXid));
        Guard.InRange(autovacuumFreezeMaxAge, 100_000, 2_000_000_000);
        unchecked
        {
            uint wrap = oldestDatFrozenXid + (Max >> 1);
            if (wrap < FirstNormal) wrap += FirstNormal;
            uint stop = wrap - (uint)StopMargin;
            if (stop < FirstNormal) stop -= FirstNormal;
            uint warn = wrap - (uint)WarnMargin;
            if (warn < FirstNormal) warn -= FirstNormal;
            uint vac = oldestDatFrozenXid + (uint)autovacuumFreezeMaxAge;
            if (vac < FirstNormal) vac += FirstNormal;
            return new XidLimits(oldestDatFrozenXid, vac, warn, stop, wrap);
        }
    }

    /// <summary>How long a steady XID consumption rate takes to use up <paramref name="xids"/> ids.</summary>
    public static TimeSpan TimeToConsume(long xids, double xidsPerSecond)
    {
        Guard.InRange(xids, 0, Space);
        Guard.Positive(xidsPerSecond);
        return TimeSpan.FromSeconds(xids / xidsPerSecond);
    }
}
