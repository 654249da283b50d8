bool Sees(uint xid, uint xmin, uint xmax, uint[] inProgress, Func<uint, bool> committed) =>
    xid == Xid.Frozen
    || (Xid.IsNormal(xid)
        && Xid.Precedes(xid, xmax)                                              // had started before the snapshot
        && (Xid.Precedes(xid, xmin) || Array.IndexOf(inProgress, xid) < 0)      // and was not still running
        && committed(xid));
