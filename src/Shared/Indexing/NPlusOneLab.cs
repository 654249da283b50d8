using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace SystemDesign.Indexing;

/// <summary>
/// One way of loading every parent with its children: statements executed, child rows fetched, a checksum of
/// what came back (the sum of the child ids, equal for every correct strategy) and the median wall time.
/// </summary>
public sealed record NPlusOneRun(string Strategy, int Statements, int Rows, long Checksum, double MedianMs);

/// <summary>
/// The N+1 problem measured on a real database: nb04_parents(id) and nb04_children(id, parent_id, amount),
/// loaded with one query per parent (N + 1 statements), with batched IN lists, and with one JOIN. On SQLite,
/// which runs in process, no round trip is paid, only the per-statement work (SQLite's documentation says as
/// much: many small queries are efficient there). On PostgreSQL every statement is a round trip to the server,
/// even on loopback. Works on any ADO.NET connection (SQLite and PostgreSQL are the ones tested).
/// </summary>
public static class NPlusOneLab
{
    /// <summary>
    /// Creates the tables (children indexed on parent_id), runs each strategy <paramref name="repeats"/> times
    /// and reports the median, then runs N + 1 once more without the parent_id index, and drops the tables.
    /// </summary>
    public static IReadOnlyList<NPlusOneRun> Measure(DbConnection connection, int parents, int childrenPerParent,
        int batch, int repeats)
    {
        Guard.NotNull(connection);
        Guard.InRange(parents, 1, 100_000);
        Guard.InRange(childrenPerParent, 1, 1_000);
        Guard.InRange(batch, 1, 10_000);
        Guard.InRange(repeats, 1, 100);
        Create(connection, parents, childrenPerParent);
        try
        {
            var runs = new List<NPlusOneRun>
            {
                Time($"N + 1: one query per parent", repeats, () => PerParent(connection)),
                Time($"batched: IN lists of {batch} ids", repeats, () => Batched(connection, batch)),
                Time("one JOIN", repeats, () => Join(connection)),
            };
            Execute(connection, "DROP INDEX nb04_children_parent");
            runs.Add(Time("N + 1 without an index on parent_id", 1, () => PerParent(connection)));
            return runs;
        }
        finally
        {
            Execute(connection, "DROP TABLE IF EXISTS nb04_children; DROP TABLE IF EXISTS nb04_parents");
        }
    }

    private static NPlusOneRun Time(string name, int repeats, Func<(int Statements, int Rows, long Sum)> run)
    {
        var ms = new List<double>();
        (int Statements, int Rows, long Sum) result = default;
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            result = run();
            ms.Add(sw.Elapsed.TotalMilliseconds);
        }
        ms.Sort();
        return new NPlusOneRun(name, result.Statements, result.Rows, result.Sum, ms[ms.Count / 2]);
    }

    private static (int, int, long) PerParent(DbConnection connection)
    {
        var ids = ParentIds(connection);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, amount FROM nb04_children WHERE parent_id = @p";
        var p = Add(cmd, "@p", 0L);
        int rows = 0;
        long sum = 0;
        foreach (long id in ids)
        {
            p.Value = id;
            using var r = cmd.ExecuteReader();
            while (r.Read()) { rows++; sum += r.GetInt64(0); }
        }
        return (1 + ids.Count, rows, sum);
    }

    private static (int, int, long) Batched(DbConnection connection, int batch)
    {
        var ids = ParentIds(connection);
        int statements = 1, rows = 0;
        long sum = 0;
        for (int start = 0; start < ids.Count; start += batch)
        {
            using var cmd = connection.CreateCommand();
            var chunk = ids.Skip(start).Take(batch).ToArray();
            cmd.CommandText = "SELECT id, amount FROM nb04_children WHERE parent_id IN (" +
                              string.Join(",", chunk.Select((_, i) => "@p" + i)) + ")";
            for (int i = 0; i < chunk.Length; i++) Add(cmd, "@p" + i, chunk[i]);
            statements++;
            using var r = cmd.ExecuteReader();
            while (r.Read()) { rows++; sum += r.GetInt64(0); }
        }
        return (statements, rows, sum);
    }

    private static (int, int, long) Join(DbConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT c.id, c.amount FROM nb04_parents p JOIN nb04_children c ON c.parent_id = p.id";
        int rows = 0;
        long sum = 0;
        using var r = cmd.ExecuteReader();
        while (r.Read()) { rows++; sum += r.GetInt64(0); }
        return (1, rows, sum);
    }

    private static List<long> ParentIds(DbConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id FROM nb04_parents ORDER BY id";
        var ids = new List<long>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    }

    private static void Create(DbConnection connection, int parents, int childrenPerParent)
    {
        bool sqlite = connection is SqliteConnection;
        Execute(connection, "DROP TABLE IF EXISTS nb04_children; DROP TABLE IF EXISTS nb04_parents");
        Execute(connection, sqlite
            ? "CREATE TABLE nb04_parents (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"
            : "CREATE TABLE nb04_parents (id bigint PRIMARY KEY, name text NOT NULL)");
        Execute(connection, sqlite
            ? "CREATE TABLE nb04_children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, amount REAL NOT NULL)"
            : "CREATE TABLE nb04_children (id bigint PRIMARY KEY, parent_id bigint NOT NULL, amount float8 NOT NULL)");
        // Children are inserted round-robin over the parents, so one parent's rows are spread over the table.
        // A recursive CTE generates the rows in both SQLite and PostgreSQL.
        int children = parents * childrenPerParent;
        Execute(connection, $"""
            WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {parents})
            INSERT INTO nb04_parents SELECT i, 'parent ' || i FROM s
            """);
        Execute(connection, $"""
            WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {children})
            INSERT INTO nb04_children SELECT i, (i - 1) % {parents} + 1, i * 0.5 FROM s
            """);
        Execute(connection, "CREATE INDEX nb04_children_parent ON nb04_children (parent_id)");
        Execute(connection, "ANALYZE nb04_parents");
        Execute(connection, "ANALYZE nb04_children");
    }

    private static DbParameter Add(DbCommand cmd, string name, long value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
        return p;
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
