using Npgsql;

namespace SystemDesign.Indexing;

/// <summary>A radius query through PostgreSQL's GiST index: ids within the radius and rows the index returned.</summary>
public sealed record GistRadius(IReadOnlyList<int> Ids, int Candidates);

/// <summary>
/// PostgreSQL's own R-tree: GiST over the built-in <c>point</c> type (no PostGIS needed). Table
/// nb04_driver_points(id, p point) with p = (lon, lat) and <c>CREATE INDEX … USING gist (p)</c>. A radius query
/// asks for <c>p &lt;@ box</c> (the circle's bounding box), which the GiST index answers by descending only into
/// entries whose bounding boxes meet it, then keeps the points within the radius: what PostGIS's
/// <c>ST_DWithin</c> does with its GiST index on a geography column, minus the spheroid.
/// </summary>
public static class PostgresGistLab
{
    public const string Table = "nb04_driver_points";
    public const string Index = "nb04_driver_points_gist";

    /// <summary>(Re)creates the table, loads the points in one statement, builds the GiST index, analyses.</summary>
    public static void Load(NpgsqlConnection connection, IReadOnlyList<GeoPoint> points)
    {
        Guard.NotNull(connection);
        Guard.NotNull(points);
        Execute(connection, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (id int PRIMARY KEY, p point NOT NULL)");
        using (var cmd = new NpgsqlCommand(
            $"INSERT INTO {Table} SELECT i, point(lon, lat) FROM unnest(@ids, @lats, @lons) AS u(i, lat, lon)", connection))
        {
            cmd.Parameters.AddWithValue("ids", points.Select(p => p.Id).ToArray());
            cmd.Parameters.AddWithValue("lats", points.Select(p => p.Lat).ToArray());
            cmd.Parameters.AddWithValue("lons", points.Select(p => p.Lon).ToArray());
            cmd.ExecuteNonQuery();
        }
        Execute(connection, $"CREATE INDEX {Index} ON {Table} USING gist (p); ANALYZE {Table}");
    }

    /// <summary>Points within radiusKm: GiST search on the circle's bounding box, then the exact distance.</summary>
    public static GistRadius Radius(NpgsqlConnection connection, double lat, double lon, double radiusKm)
    {
        Guard.NotNull(connection);
        var (dLat, dLon) = Geohash.CircleHalfExtent(lat, radiusKm);
        using var cmd = new NpgsqlCommand($"SELECT id, p[1], p[0] FROM {Table} WHERE p <@ " +
            "box(point(@lonMin, @latMin), point(@lonMax, @latMax))", connection);
        cmd.Parameters.AddWithValue("latMin", lat - dLat);
        cmd.Parameters.AddWithValue("latMax", lat + dLat);
        var lonMin = cmd.Parameters.AddWithValue("lonMin", 0.0);
        var lonMax = cmd.Parameters.AddWithValue("lonMax", 0.0);
        var ids = new List<int>();
        int candidates = 0;
        // One box query per side of the antimeridian: a box of points is flat, it does not wrap.
        foreach (var (min, max) in Geohash.LongitudeRanges(lon, dLon))
        {
            lonMin.Value = min;
            lonMax.Value = max;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                candidates++;
                if (Geohash.DistanceKm(lat, lon, r.GetDouble(1), r.GetDouble(2)) <= radiusKm) ids.Add(r.GetInt32(0));
            }
        }
        ids.Sort();
        return new GistRadius(ids, candidates);
    }

    /// <summary>PostgreSQL's plan for a small box query (a GiST index scan, not a Seq Scan).</summary>
    public static PlanNode Plan(NpgsqlConnection connection)
    {
        Guard.NotNull(connection);
        return QueryPlans.ExplainPostgres(connection,
            $"SELECT id FROM {Table} WHERE p <@ box(point(-122.45, 37.4), point(-122.4, 37.45))");
    }

    /// <summary>Drops the table and its index.</summary>
    public static void Drop(NpgsqlConnection connection)
    {
        Guard.NotNull(connection);
        Execute(connection, $"DROP TABLE IF EXISTS {Table}");
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }
}
