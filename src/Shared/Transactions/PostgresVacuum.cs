using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace SystemDesign.Transactions;

/// <summary>The server settings behind the wraparound and autovacuum arithmetic, read with SHOW.</summary>
public sealed record VacuumSettings(string ServerVersion, long AutovacuumFreezeMaxAge, long VacuumFailsafeAge,
    long VacuumFreezeMinAge, long VacuumFreezeTableAge, long AutovacuumVacuumThreshold, double AutovacuumVacuumScaleFactor,
    string DefaultIsolation, int MaxPreparedTransactions, long OldestDatFrozenXidAge, uint OldestDatFrozenXid)
{
    /// <summary>
    /// Dead tuples at which autovacuum vacuums a table of <paramref name="liveTuples"/> rows:
    /// autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor × reltuples.
    /// </summary>
    public double AutovacuumTrigger(long liveTuples) =>
        AutovacuumVacuumThreshold + AutovacuumVacuumScaleFactor * Guard.InRange(liveTuples, 0, long.MaxValue);
}

/// <summary>age(xid) as the server computed it beside the simulation's <see cref="Xid.Age"/>.</summary>
public sealed record XidAge(string Case, uint Xid, int Server, int Simulation)
{
    public bool Agree => Server == Simulation;
}

/// <summary>The numbers of VACUUM VERBOSE's "tuples:" line.</summary>
public sealed record VacuumTuples(long Removed, long Remain, long DeadNotYetRemovable, string Line);

/// <summary>The long-running-transaction experiment on PostgreSQL.</summary>
public sealed record LongTransactionResult(VacuumTuples WhileHeld, long DeadTupWhileHeld, VacuumTuples AfterRelease,
    long DeadTupAfterRelease, int Attempts, int RelPages, int RelAllVisible);

/// <summary>One stage of the bloat experiment: the table's size in pages and what vacuum removed.</summary>
public sealed record TableStage(string Name, int Pages, long Removed);

/// <summary>What freezing did to one tuple.</summary>
public sealed record FreezeResult(uint InsertXid, uint RawXminAfter, uint SelectXminAfter, bool FrozenFlag, int Attempts, string Flags);

/// <summary>
/// VACUUM, freezing and XID arithmetic on a real PostgreSQL server. Dead tuples can be removed only once no
/// snapshot anywhere in the cluster may need them, and other sessions (other notebooks) share this server,
/// so the experiments that expect removal retry VACUUM for up to a couple of seconds; the ones that expect
/// nothing to be removed hold their own snapshot and need no retry.
/// </summary>
public static partial class PostgresVacuum
{
    public const string Table = Pg.Prefix + "vac";

    [GeneratedRegex(@"tuples: (\d+) removed, (\d+) remain, (\d+) are dead but not yet removable")]
    private static partial Regex TuplesLine();

    public static VacuumSettings Settings(NpgsqlConnection c)
    {
        Guard.NotNull(c);
        long L(string s) => long.Parse(Pg.Show(c, s), CultureInfo.InvariantCulture);
        return new VacuumSettings(Pg.Show(c, "server_version"), L("autovacuum_freeze_max_age"), L("vacuum_failsafe_age"),
            L("vacuum_freeze_min_age"), L("vacuum_freeze_table_age"), L("autovacuum_vacuum_threshold"),
            double.Parse(Pg.Show(c, "autovacuum_vacuum_scale_factor"), CultureInfo.InvariantCulture),
            Pg.Show(c, "default_transaction_isolation"), (int)L("max_prepared_transactions"),
            Pg.Scalar<long>(c, "SELECT max(age(datfrozenxid)) FROM pg_database"),
            (uint)Pg.Scalar<long>(c, "SELECT datfrozenxid::text::bigint FROM pg_database ORDER BY age(datfrozenxid) DESC LIMIT 1"));
    }

    /// <summary>
    /// Inside one transaction (so the server's "now" is its own XID) asks the server for age() of XIDs around
    /// now, half the circle away, and reserved ones, and computes the same with <see cref="Xid.Age"/>.
    /// </summary>
    public static IReadOnlyList<XidAge> Ages(NpgsqlConnection c)
    {
        Guard.NotNull(c);
        Pg.Exec(c, "BEGIN");
        try
        {
            uint now = (uint)(Pg.Scalar<long>(c, "SELECT pg_current_xact_id()::text::bigint") & 0xFFFF_FFFF);
            var cases = new (string Case, uint Xid)[]
            {
                ("now", now),
                ("1 000 ago", unchecked(now - 1000)),
                ("2^31 − 1 ago (oldest still in the past)", unchecked(now - (uint)Xid.Horizon)),
                ("2^31 ago (wraps to the future)", unchecked(now - (1u << 31))),
                ("1 000 ahead", unchecked(now + 1000)),
                ("2^32 − 1 (top of the counter)", uint.MaxValue),
                ("FrozenTransactionId = 2", Xid.Frozen),
                ("BootstrapTransactionId = 1", Xid.Bootstrap),
            };
            return cases.Select(k => new XidAge(k.Case, k.Xid,
                Pg.Scalar<int>(c, "SELECT age(@x::text::xid)", ("x", k.Xid.ToString(CultureInfo.InvariantCulture))),
                Xid.Age(now, k.Xid))).ToList();
        }
        finally { Pg.Exec(c, "ROLLBACK"); }
    }

    /// <summary>
    /// Loads <paramref name="rows"/> rows, holds a REPEATABLE READ snapshot in another session, updates every row
    /// and vacuums (nothing may be removed), then ends the snapshot and vacuums until the dead versions are gone.
    /// </summary>
    public static LongTransactionResult LongTransaction(NpgsqlConnection c, int rows)
    {
        Guard.NotNull(c);
        Guard.InRange(rows, 1, 100_000);
        Create(c, rows);
        using var holder = Pg.OpenSibling();
        try
        {
            Pg.Exec(holder, "BEGIN ISOLATION LEVEL REPEATABLE READ");
            Pg.Scalar<long>(holder, $"SELECT count(*) FROM {Table}");
            Pg.Exec(c, $"UPDATE {Table} SET v = v + 1");
            var held = Vacuum(c);
            long deadHeld = DeadTuples(c);
            Pg.Exec(holder, "COMMIT");
            var (after, attempts) = VacuumUntil(c, rows);
            long deadAfter = DeadTuples(c);
            var (pages, allVisible) = Pg.Rows(c, $"SELECT relpages, relallvisible FROM pg_class WHERE oid = '{Table}'::regclass",
                r => (r.GetInt32(0), r.GetInt32(1)))[0];
            return new LongTransactionResult(held, deadHeld, after, deadAfter, attempts, pages, allVisible);
        }
        finally
        {
            Pg.Reset(holder);
            Pg.Exec(c, $"DROP TABLE IF EXISTS {Table}");
        }
    }

    /// <summary>Load, update all, VACUUM, update all again, VACUUM, VACUUM FULL: pages after each stage.</summary>
    public static IReadOnlyList<TableStage> UpdateAllTwice(NpgsqlConnection c, int rows)
    {
        Guard.NotNull(c);
        Guard.InRange(rows, 1, 100_000);
        Create(c, rows);
        try
        {
            var stages = new List<TableStage> { new("load", Pages(c), 0) };
            Pg.Exec(c, $"UPDATE {Table} SET v = v + 1");
            stages.Add(new("update all", Pages(c), 0));
            var (v1, _) = VacuumUntil(c, rows);
            stages.Add(new("VACUUM", Pages(c), v1.Removed));
            Pg.Exec(c, $"UPDATE {Table} SET v = v + 1");
            stages.Add(new("update all again", Pages(c), 0));
            var (v2, _) = VacuumUntil(c, rows);
            stages.Add(new("VACUUM", Pages(c), v2.Removed));
            Pg.Exec(c, $"VACUUM FULL {Table}");
            stages.Add(new("VACUUM FULL", Pages(c), 0));
            return stages;
        }
        finally { Pg.Exec(c, $"DROP TABLE IF EXISTS {Table}"); }
    }

    /// <summary>Inserts one row, runs VACUUM (FREEZE) until it is frozen, and reads its raw and visible xmin.</summary>
    public static FreezeResult Freeze(NpgsqlConnection c)
    {
        Guard.NotNull(c);
        Pg.Exec(c, "CREATE EXTENSION IF NOT EXISTS pageinspect");
        Pg.Exec(c, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (k int PRIMARY KEY, v int NOT NULL) WITH (autovacuum_enabled = off)");
        try
        {
            Pg.Exec(c, "BEGIN");
            uint xid = (uint)(Pg.Scalar<long>(c, "SELECT pg_current_xact_id()::text::bigint") & 0xFFFF_FFFF);
            Pg.Exec(c, $"INSERT INTO {Table} VALUES (1, 1)");
            Pg.Exec(c, "COMMIT");
            var watch = Stopwatch.StartNew();
            int attempts = 0;
            (uint Raw, string Flags) tuple;
            do
            {
                attempts++;
                Pg.Exec(c, $"VACUUM (FREEZE) {Table}");
                tuple = Pg.Rows(c,
                    $"SELECT t_xmin::text::bigint, array_to_string(combined_flags || raw_flags, ' ') FROM heap_page_items(get_raw_page('{Table}', 0)) h, " +
                    "LATERAL heap_tuple_infomask_flags(h.t_infomask, h.t_infomask2) WHERE lp = 1",
                    r => ((uint)r.GetInt64(0), r.GetString(1)))[0];
                if (tuple.Flags.Contains("HEAP_XMIN_FROZEN")) break;
                Thread.Sleep(50); // another session's old snapshot holds the freeze horizon back
            } while (watch.ElapsedMilliseconds < 2000);
            uint visible = (uint)Pg.Scalar<long>(c, $"SELECT xmin::text::bigint FROM {Table} WHERE k = 1");
            return new FreezeResult(xid, tuple.Raw, visible, tuple.Flags.Contains("HEAP_XMIN_FROZEN"), attempts, tuple.Flags);
        }
        finally { Pg.Exec(c, $"DROP TABLE IF EXISTS {Table}"); }
    }

    private static void Create(NpgsqlConnection c, int rows)
    {
        Pg.Exec(c, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (k int PRIMARY KEY, v int NOT NULL) WITH (autovacuum_enabled = off)");
        Pg.Exec(c, $"INSERT INTO {Table} SELECT g, g FROM generate_series(1, @n) g", ("n", rows));
    }

    private static int Pages(NpgsqlConnection c) =>
        Pg.Scalar<int>(c, $"SELECT (pg_relation_size('{Table}') / current_setting('block_size')::int)::int");

    private static long DeadTuples(NpgsqlConnection c) =>
        Pg.Scalar<long>(c, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = @t::regclass", ("t", Table));

    /// <summary>VACUUM VERBOSE once and parse its "tuples:" line (PostgreSQL 15 wording).</summary>
    public static VacuumTuples Vacuum(NpgsqlConnection c)
    {
        Guard.NotNull(c);
        var lines = new List<string>();
        void OnNotice(object? _, NpgsqlNoticeEventArgs e) => lines.AddRange(e.Notice.MessageText.Split('\n'));
        c.Notice += OnNotice;
        try { Pg.Exec(c, $"VACUUM (VERBOSE) {Table}"); }
        finally { c.Notice -= OnNotice; }
        var line = lines.Select(l => l.Trim()).FirstOrDefault(l => TuplesLine().IsMatch(l))
                   ?? throw new InvalidOperationException("VACUUM VERBOSE printed no 'tuples:' line: " + string.Join(" | ", lines));
        var m = TuplesLine().Match(line);
        long G(int i) => long.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture);
        return new VacuumTuples(G(1), G(2), G(3), line);
    }

    /// <summary>Vacuums until <paramref name="expected"/> tuples have been removed in total (or two seconds pass).</summary>
    private static (VacuumTuples Total, int Attempts) VacuumUntil(NpgsqlConnection c, long expected)
    {
        var watch = Stopwatch.StartNew();
        long removed = 0;
        int attempts = 0;
        VacuumTuples last;
        do
        {
            attempts++;
            last = Vacuum(c);
            removed += last.Removed;
            if (removed >= expected) break;
            Thread.Sleep(50); // another session's snapshot still needs the dead versions
        } while (watch.ElapsedMilliseconds < 2000);
        return (last with { Removed = removed }, attempts);
    }
}
