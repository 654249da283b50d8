// Plausible but wrong: forgets the transactions that were still running when the snapshot was taken,
// so a transaction that committed after the snapshot becomes visible halfway through it.
bool Sees(uint xid, uint xmin, uint xmax, uint[] inProgress, Func<uint, bool> committed) =>
    xid == Xid.Frozen || (Xid.IsNormal(xid) && Xid.Precedes(xid, xmax) && committed(xid));
