using System.Runtime.CompilerServices;

namespace SystemDesign.Transactions;

/// <summary>The table after some number of updates (sampled before that moment's vacuum runs).</summary>
public sealed record BloatPoint(long Updates, int HeapSlots, int Pages, int Live, int Dead, bool LongTransactionOpen)
{
    /// <summary>Heap size relative to the live rows: 1 means no bloat.</summary>
    public double Bloat => Live == 0 ? 0 : (double)HeapSlots / Live;
}

/// <summary>One run of <see cref="VacuumSimulation.Run"/>.</summary>
public sealed record BloatRun(int Rows, int VacuumEvery, IReadOnlyList<BloatPoint> Points, IReadOnlyList<VacuumReport> Vacuums)
{
    public int PeakHeap => Points.Max(p => p.HeapSlots);
    public double PeakBloat => Points.Max(p => p.Bloat);
    public double MeanDead => Points.Average(p => (double)p.Dead);
    public int MaxDead => Points.Max(p => p.Dead);
    public BloatPoint Last => Points[^1];
}

/// <summary>
/// An update-heavy workload on an <see cref="MvccStore"/>: each update is its own read-committed transaction
/// on a uniformly chosen row, and a plain VACUUM runs every <c>vacuumEvery</c> updates. Optionally one
/// repeatable-read transaction holds a snapshot open for a while, the way a forgotten session or a long report
/// does, so vacuum may remove nothing that was deleted after that snapshot was taken.
/// </summary>
public static class VacuumSimulation
{
    /// <param name="rows">live rows in the table.</param>
    /// <param name="updates">updates to run.</param>
    /// <param name="vacuumEvery">updates between vacuums; 0 for never.</param>
    /// <param name="sampleEvery">updates between samples (each taken before that moment's vacuum).</param>
    /// <param name="seed">seeds the choice of rows.</param>
    /// <param name="longFrom">update count at which the long transaction takes its snapshot; −1 for none.</param>
    /// <param name="longTo">update count at which it commits.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop; see MvccStore
    public static BloatRun Run(int rows, int updates, int vacuumEvery, int sampleEvery, int seed, int longFrom = -1, int longTo = -1)
    {
        Guard.InRange(rows, 1, 100_000);
        Guard.InRange(updates, 1, 1_000_000);
        Guard.InRange(vacuumEvery, 0, updates);
        Guard.InRange(sampleEvery, 1, updates);
        Guard.InRange(longFrom, -1, updates);
        if (longFrom >= 0) Guard.InRange(longTo, longFrom, updates);

        var store = new MvccStore();
        var load = store.Begin();
        for (int k = 0; k < rows; k++) store.Insert(load, k, 0);
        store.Commit(load);

        var rng = new Random(seed);
        var points = new List<BloatPoint>();
        var vacuums = new List<VacuumReport>();
        MvccTransaction? longTx = null;
        for (int u = 0; u <= updates; u++)
        {
            if (u == longFrom) { longTx = store.Begin(IsolationLevel.RepeatableRead); store.Read(longTx, 0); }
            if (u == longTo && longTx is not null) { store.Commit(longTx); longTx = null; }
            if (u % sampleEvery == 0)
                points.Add(new BloatPoint(u, store.HeapSlots, store.Pages, rows, store.DeadTuples, longTx is not null));
            if (vacuumEvery > 0 && u > 0 && u % vacuumEvery == 0) vacuums.Add(store.Vacuum());
            if (u == updates) break;
            var tx = store.Begin();
            store.Add(tx, rng.Next(rows), 1);
            store.Commit(tx);
        }
        if (longTx is not null) store.Commit(longTx);
        return new BloatRun(rows, vacuumEvery, points, vacuums);
    }

    /// <summary>What the table looks like after each stage of the PostgreSQL bloat experiment, simulated.</summary>
    public sealed record Stage(string Name, int Pages, int Tuples, int Removed);

    /// <summary>
    /// Load <paramref name="rows"/> rows, update all, VACUUM, update all again, VACUUM, VACUUM FULL: pages after
    /// each stage. Plain vacuum makes room inside the file; only VACUUM FULL gives it back.
    /// </summary>
    public static IReadOnlyList<Stage> UpdateAllTwice(int rows, int tuplesPerPage = 226)
    {
        Guard.InRange(rows, 1, 100_000);
        var store = new MvccStore(tuplesPerPage);
        var stages = new List<Stage>();
        var tx = store.Begin();
        for (int k = 1; k <= rows; k++) store.Insert(tx, k, k);
        store.Commit(tx);
        stages.Add(new Stage("load", store.Pages, store.Tuples, 0));
        void UpdateAll(string name)
        {
            var t = store.Begin();
            for (int k = 1; k <= rows; k++) store.Add(t, k, 1);
            store.Commit(t);
            stages.Add(new Stage(name, store.Pages, store.Tuples, 0));
        }
        UpdateAll("update all");
        var v = store.Vacuum();
        stages.Add(new Stage("VACUUM", store.Pages, store.Tuples, v.Removed));
        UpdateAll("update all again");
        v = store.Vacuum();
        stages.Add(new Stage("VACUUM", store.Pages, store.Tuples, v.Removed));
        v = store.VacuumFull();
        stages.Add(new Stage("VACUUM FULL", store.Pages, store.Tuples, v.Removed));
        return stages;
    }

    /// <summary>
    /// The long-transaction experiment: load, open a repeatable-read snapshot, update every row, VACUUM
    /// (nothing removable), commit the snapshot, VACUUM again.
    /// </summary>
    public static (VacuumReport WhileHeld, VacuumReport AfterRelease) LongTransaction(int rows)
    {
        Guard.InRange(rows, 1, 100_000);
        var store = new MvccStore();
        var tx = store.Begin();
        for (int k = 1; k <= rows; k++) store.Insert(tx, k, k);
        store.Commit(tx);
        var reader = store.Begin(IsolationLevel.RepeatableRead);
        store.Read(reader, 1);
        var writer = store.Begin();
        for (int k = 1; k <= rows; k++) store.Add(writer, k, 1);
        store.Commit(writer);
        var held = store.Vacuum();
        store.Commit(reader);
        return (held, store.Vacuum());
    }

    /// <summary>What became of one committed row as the XID counter moved half the circle on.</summary>
    public sealed record WraparoundResult(bool Frozen, uint Xmin, bool VisibleAt2To31Minus10, bool VisibleAt2To31Plus10);

    /// <summary>
    /// Inserts a row, optionally freezes it (VACUUM FREEZE), then burns XIDs as if PostgreSQL's stop limit did
    /// not exist: 2^31 − 10 later the row is still in the past; 2^31 + 10 later an unfrozen row reads as being
    /// in the future and disappears, while a frozen one stays visible.
    /// </summary>
    public static WraparoundResult Wraparound(bool freeze)
    {
        var store = new MvccStore();
        var tx = store.Begin();
        store.Insert(tx, 1, 1);
        store.Commit(tx);
        if (freeze) store.Vacuum(freezeMinAge: 0);
        var row = store.Versions(1)[0];
        store.ConsumeXids(Xid.Horizon - 10);
        bool before = store.VisibleVersion(store.TakeSnapshot(), 1) is not null;
        store.ConsumeXids(20);
        bool after = store.VisibleVersion(store.TakeSnapshot(), 1) is not null;
        return new WraparoundResult(row.Frozen, row.Xmin, before, after);
    }
}
