using Microsoft.Data.Sqlite;

namespace SystemDesign.Indexing;

/// <summary>What SQLite planned for one <see cref="IndexCase"/>.</summary>
public sealed record SqliteCaseResult(IndexCase Case, SqlitePlan Plan)
{
    public string Key => Case.Key;

    public SqliteAccess Access => Plan.Access;

    public bool UsesIndex => Plan.IndexesUsed.Count > 0;
}

/// <summary>
/// SQLite side of the index experiments: the same nb04_users rows as PostgreSQL, the same cases, each inside
/// a rolled-back transaction after ANALYZE (SQLite's planner uses sqlite_stat1: rows per distinct key prefix).
/// </summary>
public static class SqliteIndexLab
{
    /// <summary>(Re)creates nb04_users in the given database and loads the rows.</summary>
    public static void CreateUsers(SqliteConnection connection, IReadOnlyList<UserRow> rows)
    {
        Guard.NotNull(connection);
        Guard.NotNull(rows);
        Execute(connection, """
            DROP TABLE IF EXISTS nb04_users;
            CREATE TABLE nb04_users (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, created_at TEXT NOT NULL, status TEXT NOT NULL,
                email TEXT NOT NULL, name TEXT NOT NULL, total REAL NOT NULL, a INTEGER NOT NULL, pad TEXT NOT NULL)
            """);
        using var tx = connection.BeginTransaction();
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO nb04_users VALUES ($id, $u, $c, $s, $e, $n, $t, $a, $p)";
        var ps = new[] { "$id", "$u", "$c", "$s", "$e", "$n", "$t", "$a", "$p" }.Select(n => cmd.Parameters.AddWithValue(n, DBNull.Value)).ToArray();
        string pad = new('x', 200);
        foreach (var r in rows)
        {
            ps[0].Value = r.Id; ps[1].Value = r.UserId; ps[2].Value = r.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            ps[3].Value = r.Status; ps[4].Value = r.Email; ps[5].Value = r.Name; ps[6].Value = (double)r.Total; ps[7].Value = r.A; ps[8].Value = pad;
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>
    /// Runs cases: create the case's indexes, ANALYZE, EXPLAIN QUERY PLAN, roll back; cases that need the same
    /// indexes share one transaction. Cases without a SQLite query are skipped; results keep the cases' order.
    /// </summary>
    public static IReadOnlyList<SqliteCaseResult> Run(SqliteConnection connection, IEnumerable<IndexCase> cases)
    {
        Guard.NotNull(connection);
        Guard.NotNull(cases);
        var list = cases.Where(c => c.SqliteQuery is not null).ToList();
        var results = new Dictionary<IndexCase, SqliteCaseResult>();
        foreach (var group in list.GroupBy(c => string.Join(";", c.SqliteIndexes)))
        {
            using var tx = connection.BeginTransaction();
            foreach (var ddl in group.First().SqliteIndexes) Execute(connection, ddl, tx);
            Execute(connection, "ANALYZE", tx);
            foreach (var c in group) results[c] = new SqliteCaseResult(c, QueryPlans.ExplainSqlite(connection, c.SqliteQuery!, tx));
            tx.Rollback();
        }
        return list.Select(c => results[c]).ToArray();
    }

    /// <summary>
    /// The ride-sharing schema in SQLite: nb04_driver_locations(driver_id, geohash, lat, lon) with a B-tree on
    /// geohash. A radius query becomes one range predicate per cell (the cells meeting the circle's bounding box,
    /// as <see cref="GeoCover.BoundingBox"/> picks them), then the application keeps the candidates within the radius.
    /// Returns the ids, the candidate count and SQLite's plan for the candidate query.
    /// </summary>
    public static (IReadOnlyList<int> Ids, int Candidates, SqlitePlan Plan) RadiusByGeohash(SqliteConnection connection, IReadOnlyList<GeoPoint> points, double lat, double lon, double radiusKm)
    {
        Guard.NotNull(connection);
        Guard.NotNull(points);
        Execute(connection, """
            DROP TABLE IF EXISTS nb04_driver_locations;
            CREATE TABLE nb04_driver_locations (driver_id INTEGER PRIMARY KEY, geohash TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL);
            CREATE INDEX nb04_driver_locations_geohash ON nb04_driver_locations (geohash);
            """);
        using (var tx = connection.BeginTransaction())
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO nb04_driver_locations VALUES ($id, $g, $lat, $lon)";
            var ps = new[] { "$id", "$g", "$lat", "$lon" }.Select(n => insert.Parameters.AddWithValue(n, DBNull.Value)).ToArray();
            foreach (var p in points)
            {
                ps[0].Value = p.Id; ps[1].Value = Geohash.Encode(p.Lat, p.Lon, Geohash.MaxPrecision); ps[2].Value = p.Lat; ps[3].Value = p.Lon;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        Execute(connection, "ANALYZE");
        var cells = new GeoIndex().Radius(lat, lon, radiusKm, GeoCover.BoundingBox).Cells; // the cells only: GeoIndex is empty
        // Literal prefixes (geohash characters only) keep the plan readable; '~' sorts after every geohash character.
        string where = string.Join(" OR ", cells.Select(c => $"(geohash >= '{c}' AND geohash < '{c}~')"));
        string sql = $"SELECT driver_id, lat, lon FROM nb04_driver_locations WHERE {where}";
        var plan = QueryPlans.ExplainSqlite(connection, sql);
        var ids = new List<int>();
        int candidates = 0;
        using (var query = connection.CreateCommand())
        {
            query.CommandText = sql;
            using var r = query.ExecuteReader();
            while (r.Read())
            {
                candidates++;
                if (Geohash.DistanceKm(lat, lon, r.GetDouble(1), r.GetDouble(2)) <= radiusKm) ids.Add(r.GetInt32(0));
            }
        }
        Execute(connection, "DROP TABLE nb04_driver_locations");
        ids.Sort();
        return (ids, candidates, plan);
    }

    /// <summary>SQLite's version and whether it was built with STAT4 (histograms that reveal skew to the planner).</summary>
    public static (string Version, bool Stat4) Build(SqliteConnection connection)
    {
        Guard.NotNull(connection);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT sqlite_version(), sqlite_compileoption_used('ENABLE_STAT4')";
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetString(0), r.GetInt64(1) == 1);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
