using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace SystemDesign.Transactions;

/// <summary>The three ways the update-growth experiment runs on PostgreSQL.</summary>
public enum UpdateWorkload
{
    /// <summary>Only <c>id</c> is indexed, so an update of <c>v</c> may be HOT and pages can be pruned.</summary>
    Hot,
    /// <summary>An index on <c>v</c> too: no update can be HOT, every one adds index entries.</summary>
    NonHot,
    /// <summary>HOT-eligible, but a REPEATABLE READ snapshot in another session is held for the whole run.</summary>
    HeldSnapshot,
}

/// <summary>The table after some number of updates.</summary>
public sealed record GrowthPoint(int Updates, int HeapPages, int IndexPages);

/// <summary>
/// One run of <see cref="PostgresBloat.UpdateGrowth"/>: sizes after every stage, how many updates PostgreSQL
/// counted as HOT (<c>pg_stat_user_tables.n_tup_hot_upd</c>), and whether another session held an old
/// snapshot during the run (which delays pruning) so that it had to be repeated.
/// </summary>
public sealed record GrowthRun(UpdateWorkload Workload, int Rows, IReadOnlyList<GrowthPoint> Points,
    long CountedUpdates, long HotUpdates, int Attempts, bool Disturbed, double Milliseconds)
{
    public GrowthPoint Last => Points[^1];
    public double HotShare => CountedUpdates == 0 ? 0 : (double)HotUpdates / CountedUpdates;

    /// <summary>Heap pages at a given update count (which must be a stage boundary).</summary>
    public int PagesAt(int updates) => Points.Single(p => p.Updates == updates).HeapPages;
}

/// <summary>
/// Table growth under single-row updates with autovacuum off, on a real PostgreSQL server. The updates run in
/// a DO block that commits after each one, so every update is its own transaction (as from an autocommit
/// client) and the whole run costs one round trip per stage. PostgreSQL prunes dead versions inside a page
/// whenever it reads a nearly full page and no snapshot needs them: with HOT updates the heap stops growing,
/// without HOT the tuple bodies are freed but line pointers and index entries stay, and while a snapshot is
/// held nothing can be pruned at all, which is what <see cref="VacuumSimulation"/> assumes.
/// </summary>
public static class PostgresBloat
{
    public const string Table = Pg.Prefix + "growth";

    /// <summary>
    /// Loads <paramref name="rows"/> rows <c>(id int PRIMARY KEY, v int)</c> with autovacuum off, then updates
    /// <c>v</c> of one row per transaction, every row in turn, <paramref name="updates"/> times, measuring heap
    /// and index pages every <paramref name="stage"/> updates. For <see cref="UpdateWorkload.Hot"/> the run is
    /// repeated (up to 3 times) if another session held pruning back for more than 100 ms during it (a
    /// snapshot in this database, or a transaction with an xid in any database); <see cref="GrowthRun.Disturbed"/> tells
    /// whether the last attempt was still disturbed.
    /// </summary>
    public static GrowthRun UpdateGrowth(NpgsqlConnection c, UpdateWorkload workload, int rows, int updates, int stage)
    {
        Guard.NotNull(c);
        Guard.That(Enum.IsDefined(workload), "workload must be Hot, NonHot or HeldSnapshot.", nameof(workload));
        Guard.InRange(rows, 10, 100_000);
        Guard.InRange(updates, 1, 200_000);
        Guard.InRange(stage, 1, updates);
        Guard.That(updates % stage == 0, $"updates ({updates}) must be a multiple of stage ({stage}).", nameof(stage));
        // Pruning may only remove versions no snapshot in the *same database* can see (PostgreSQL 14+), so the
        // experiment runs in a database of its own; the advisory lock keeps two runs (a test and a notebook at
        // once) from holding back each other's pruning.
        using var own = OpenOwnDatabase(c);
        // Polled, not waited for: a session blocked in pg_advisory_lock holds a snapshot meanwhile.
        while (!Pg.Scalar<bool>(own, "SELECT pg_try_advisory_lock(@k)", ("k", LockKey))) Thread.Sleep(50);
        try
        {
            int attempts = 0;
            while (true)
            {
                attempts++;
                var watch = Stopwatch.StartNew();
                var (points, counted, hot, disturbed) = RunOnce(own, workload, rows, updates, stage);
                if (!disturbed || workload != UpdateWorkload.Hot || attempts == 3)
                    return new GrowthRun(workload, rows, points, counted, hot, attempts, disturbed,
                        watch.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            Pg.Exec(own, "SELECT pg_advisory_unlock(@k)", ("k", LockKey));
        }
    }

    /// <summary>The database the growth runs use; nothing else connects to it.</summary>
    public const string Database = "sdn_nb05_growth";

    private const long LockKey = 0x5D4E_0505;

    private static NpgsqlConnection OpenOwnDatabase(NpgsqlConnection c)
    {
        var exists = Pg.Scalar<bool>(c, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @d)",
            ("d", Database));
        if (!exists)
        {
            try { Pg.Exec(c, $"CREATE DATABASE {Database}"); }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase
                                                 or PostgresErrorCodes.UniqueViolation) { } // created meanwhile
        }
        var b = new NpgsqlConnectionStringBuilder(c.ConnectionString) { Database = Database };
        var own = new NpgsqlConnection(b.ConnectionString);
        own.Open();
        Pg.Exec(own, "SET synchronous_commit = off");
        return own;
    }

    private static (List<GrowthPoint>, long, long, bool) RunOnce(NpgsqlConnection c, UpdateWorkload workload,
        int rows, int updates, int stage)
    {
        Pg.Exec(c, $"DROP TABLE IF EXISTS {Table}");
        Pg.Exec(c, $"CREATE TABLE {Table} (id int PRIMARY KEY, v int NOT NULL) WITH (autovacuum_enabled = off)");
        if (workload == UpdateWorkload.NonHot) Pg.Exec(c, $"CREATE INDEX {Table}_v ON {Table} (v)");
        Pg.Exec(c, $"INSERT INTO {Table} SELECT g, g FROM generate_series(1, @n) g", ("n", rows));
        NpgsqlConnection? holder = null;
        try
        {
            if (workload == UpdateWorkload.HeldSnapshot)
            {
                holder = new NpgsqlConnection(c.ConnectionString);
                holder.Open();
                Pg.Exec(holder, "BEGIN ISOLATION LEVEL REPEATABLE READ");
                Pg.Scalar<long>(holder, $"SELECT count(*) FROM {Table}");
            }
            var points = new List<GrowthPoint> { Sizes(c, 0) };
            bool disturbed = false;
            for (int done = 0; done < updates; done += stage)
            {
                // Every row in turn: row (done + i) mod rows + 1. One transaction per update (COMMIT in the
                // loop), in chunks of at most 500 so that a transaction elsewhere is seen while it lasts.
                for (int from = done; from < done + stage; from += CheckEvery)
                {
                    int to = Math.Min(from + CheckEvery, done + stage) - 1;
                    Pg.Exec(c, FormattableString.Invariant(
                        $"DO $$ BEGIN FOR i IN {from}..{to} LOOP UPDATE {Table} SET v = v + 1 ") +
                        $"WHERE id = i % {rows} + 1; COMMIT; END LOOP; END $$");
                    if (holder is null) disturbed |= HorizonHeldElsewhere(c);
                }
                points.Add(Sizes(c, done + stage));
            }
            if (holder is not null) Pg.Exec(holder, "COMMIT");
            // Table statistics reach pg_stat_user_tables when the session goes idle; force that flush.
            Pg.Exec(c, "SELECT pg_stat_force_next_flush()");
            var (counted, hot) = Pg.Rows(c,
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = @t::regclass",
                r => (r.GetInt64(0), r.GetInt64(1)), ("t", Table))[0];
            return (points, counted, hot, disturbed);
        }
        finally
        {
            if (holder is not null) { Pg.Reset(holder); holder.Dispose(); }
            Pg.Exec(c, $"DROP TABLE IF EXISTS {Table}");
        }
    }

    private static GrowthPoint Sizes(NpgsqlConnection c, int updates) =>
        Pg.Rows(c, "SELECT (pg_relation_size(@t::regclass) / 8192)::int, (pg_indexes_size(@t::regclass) / 8192)::int",
            r => new GrowthPoint(updates, r.GetInt32(0), r.GetInt32(1)), ("t", Table))[0];

    private const int CheckEvery = 500;

    /// <summary>
    /// Another session has held pruning back for 100 ms: a snapshot in this database, or a transaction
    /// with an xid in any database (every new snapshot's xmin, ours included, stays at or below it).
    /// </summary>
    private static bool HorizonHeldElsewhere(NpgsqlConnection c) => Pg.Scalar<long>(c,
        "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() " +
        "AND (backend_xid IS NOT NULL OR (backend_xmin IS NOT NULL AND datname = current_database())) " +
        "AND now() - xact_start > interval '100 ms'") > 0;

    /// <summary>
    /// What <see cref="VacuumSimulation"/> predicts for the same workload without VACUUM: every update adds a
    /// tuple and nothing is reclaimed, so after u updates the heap holds rows + u tuples, packed
    /// <paramref name="tuplesPerPage"/> to a page (226 for two integers in 8 kB).
    /// </summary>
    public static IReadOnlyList<GrowthPoint> ModelPages(int rows, int updates, int stage, int tuplesPerPage = 226)
    {
        Guard.InRange(rows, 1, 100_000);
        Guard.InRange(updates, 1, 200_000);
        Guard.InRange(stage, 1, updates);
        Guard.InRange(tuplesPerPage, 1, 2048);
        var run = VacuumSimulation.Run(rows, updates, 0, stage, seed: 5);
        return run.Points.Select(p => new GrowthPoint((int)p.Updates, (p.HeapSlots + tuplesPerPage - 1) / tuplesPerPage, 0))
                  .ToList();
    }
}

/// <summary>The settings that throttle (auto)vacuum: it sleeps cost_delay ms after cost_limit units of work.</summary>
public sealed record VacuumCostSettings(string AutovacuumCostDelay, string AutovacuumCostLimit, string VacuumCostLimit,
    string VacuumCostDelay);

public static class PostgresVacuumCost
{
    /// <summary>SHOW the four cost settings (autovacuum_vacuum_cost_limit = −1 means "use vacuum_cost_limit").</summary>
    public static VacuumCostSettings Settings(NpgsqlConnection c)
    {
        Guard.NotNull(c);
        return new VacuumCostSettings(Pg.Show(c, "autovacuum_vacuum_cost_delay"), Pg.Show(c, "autovacuum_vacuum_cost_limit"),
            Pg.Show(c, "vacuum_cost_limit"), Pg.Show(c, "vacuum_cost_delay"));
    }
}
