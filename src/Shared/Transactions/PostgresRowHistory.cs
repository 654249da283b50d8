using System.Globalization;
using Npgsql;

namespace SystemDesign.Transactions;

/// <summary>
/// Plays a <see cref="RowHistory"/> script on PostgreSQL and reads the heap page with pageinspect
/// (heap_page_items shows dead and uncommitted tuples with their raw t_xmin, t_xmax and t_ctid, which a
/// SELECT never returns). Writer transactions run on one session and record their XIDs with
/// pg_current_xact_id(); each named snapshot is a REPEATABLE READ session that read the row once;
/// pg_xact_status() gives each XID's status from the commit log. Requires the pageinspect extension
/// (installed by scripts/services.sh) and a superuser, which the local test server's owner is.
/// </summary>
public static class PostgresRowHistory
{
    public const string Table = Pg.Prefix + "rows";

    public static IReadOnlyList<RowStep> Run(NpgsqlConnection connection, IReadOnlyList<RowAction> actions)
    {
        Guard.NotNull(connection);
        Guard.NotNull(actions);
        Pg.Exec(connection, "CREATE EXTENSION IF NOT EXISTS pageinspect");
        Pg.Exec(connection, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (id int PRIMARY KEY, balance int NOT NULL) WITH (autovacuum_enabled = off)");
        using var writer = Pg.OpenSibling();
        var snapshots = new Dictionary<string, NpgsqlConnection>();
        var xids = new List<(long Full, uint Xid, string Label)>();
        var steps = new List<RowStep>();
        try
        {
            for (int i = 0; i < actions.Count; i++)
            {
                var a = actions[i];
                switch (a.Kind)
                {
                    case RowActionKind.Insert or RowActionKind.Update or RowActionKind.Delete:
                        Pg.Exec(writer, "BEGIN");
                        long full = Pg.Scalar<long>(writer, "SELECT pg_current_xact_id()::text::bigint");
                        xids.Add((full, (uint)(full & 0xFFFF_FFFF), $"T{xids.Count + 1}"));
                        if (a.Kind == RowActionKind.Insert) Pg.Exec(writer, $"INSERT INTO {Table} VALUES (@id, @b)", ("id", RowHistory.RowId), ("b", (int)a.Value));
                        else if (a.Kind == RowActionKind.Update) Pg.Exec(writer, $"UPDATE {Table} SET balance = @b WHERE id = @id", ("id", RowHistory.RowId), ("b", (int)a.Value));
                        else Pg.Exec(writer, $"DELETE FROM {Table} WHERE id = @id", ("id", RowHistory.RowId));
                        if (a.AbortNow) Pg.Exec(writer, "ROLLBACK");
                        else if (!a.Open) Pg.Exec(writer, "COMMIT");
                        break;
                    case RowActionKind.Commit: Pg.Exec(writer, "COMMIT"); break;
                    case RowActionKind.Abort: Pg.Exec(writer, "ROLLBACK"); break;
                    case RowActionKind.Snapshot:
                        var s = Pg.OpenSibling();
                        snapshots[a.Name!] = s;
                        Pg.Exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ");
                        VisibleCtid(s);
                        break;
                    case RowActionKind.EndSnapshot:
                        Pg.Exec(snapshots[a.Name!], "COMMIT");
                        snapshots[a.Name!].Dispose();
                        snapshots.Remove(a.Name!);
                        break;
                }
                var visible = snapshots.ToDictionary(s => s.Key, s => VisibleCtid(s.Value));
                visible[RowHistory.NewSnapshot] = VisibleCtid(connection);
                steps.Add(new RowStep(i + 1, a.ToString(), Heap(connection, xids, visible), visible));
            }
        }
        finally
        {
            foreach (var s in snapshots.Values) s.Dispose();
            Pg.Reset(writer);
            Pg.Exec(connection, $"DROP TABLE IF EXISTS {Table}");
        }
        return steps;
    }

    private static string VisibleCtid(NpgsqlConnection c) =>
        Pg.Scalar<string?>(c, $"SELECT ctid::text FROM {Table} WHERE id = @id", ("id", RowHistory.RowId)) ?? "—";

    private static List<RowVersion> Heap(NpgsqlConnection c, List<(long Full, uint Xid, string Label)> xids, Dictionary<string, string> visible)
    {
        var status = new Dictionary<uint, string>();
        foreach (var x in xids)
            status[x.Xid] = Pg.Scalar<string>(c, "SELECT pg_xact_status(@x::text::xid8)", ("x", x.Full.ToString(CultureInfo.InvariantCulture)));
        string Label(uint xid) => xid == 0 ? "0" : xids.FirstOrDefault(x => x.Xid == xid).Label ?? xid.ToString(CultureInfo.InvariantCulture);
        string Status(uint xid) => xid == 0 ? "" : status.GetValueOrDefault(xid, "?");
        int pages = Pg.Scalar<int>(c, $"SELECT (pg_relation_size('{Table}') / current_setting('block_size')::int)::int");
        var versions = new List<RowVersion>();
        for (int page = 0; page < pages; page++)
        {
            versions.AddRange(Pg.Rows(c,
                $"SELECT lp, t_xmin::text::bigint, t_xmax::text::bigint, t_ctid::text, t_data FROM heap_page_items(get_raw_page('{Table}', @p)) WHERE lp_flags = 1 ORDER BY lp",
                r =>
                {
                    uint xmin = (uint)r.GetInt64(1), xmax = (uint)r.GetInt64(2);
                    var data = (byte[])r.GetValue(4);
                    string ctid = new Ctid(page, r.GetInt16(0)).ToString();
                    return new RowVersion(ctid, BitConverter.ToInt32(data, 4), Label(xmin), Status(xmin), Label(xmax), Status(xmax),
                        r.GetString(3), RowHistory.SeenBy(visible, ctid), "");
                }, ("p", page)));
        }
        return versions;
    }
}
