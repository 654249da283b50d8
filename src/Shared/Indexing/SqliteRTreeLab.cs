using Microsoft.Data.Sqlite;

namespace SystemDesign.Indexing;

/// <summary>A radius query through SQLite's R*Tree: the ids within the radius and the rows the index returned.</summary>
public sealed record RTreeRadius(IReadOnlyList<int> Ids, int Candidates);

/// <summary>The R*Tree's shape: its depth (levels below the root) and node pages.</summary>
public sealed record RTreeShape(string Version, int Depth, long Nodes, long Entries);

/// <summary>
/// Drivers in SQLite's R*Tree module (a real R-tree, the structure behind PostGIS's GiST index): a virtual
/// table nb04_driver_rtree(id, minLat, maxLat, minLon, maxLon, +lat, +lon), each point a degenerate box, the
/// exact coordinates kept in auxiliary columns. A radius query asks the R-tree for the boxes that meet the
/// circle's bounding box (the candidates), then keeps those within the radius, as ST_DWithin does.
/// The R*Tree stores 32-bit floats rounded outwards, so a box query never misses a point inside the box.
/// </summary>
public static class SqliteRTreeLab
{
    public const string Table = "nb04_driver_rtree";

    /// <summary>(Re)creates the R*Tree table and loads the points in one transaction.</summary>
    public static void Load(SqliteConnection connection, IReadOnlyList<GeoPoint> points)
    {
        Guard.NotNull(connection);
        Guard.NotNull(points);
        Execute(connection, $"DROP TABLE IF EXISTS {Table}; " +
            $"CREATE VIRTUAL TABLE {Table} USING rtree(id, minLat, maxLat, minLon, maxLon, +lat, +lon)");
        using var tx = connection.BeginTransaction();
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO {Table} VALUES ($id, $lat, $lat, $lon, $lon, $lat, $lon)";
        var id = cmd.Parameters.AddWithValue("$id", 0);
        var lat = cmd.Parameters.AddWithValue("$lat", 0.0);
        var lon = cmd.Parameters.AddWithValue("$lon", 0.0);
        foreach (var p in points)
        {
            id.Value = p.Id;
            lat.Value = p.Lat;
            lon.Value = p.Lon;
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>Points within radiusKm: an R-tree box query on the circle's bounding box, then the exact distance.</summary>
    public static RTreeRadius Radius(SqliteConnection connection, double lat, double lon, double radiusKm)
    {
        Guard.NotNull(connection);
        var (dLat, dLon) = Geohash.CircleHalfExtent(lat, radiusKm);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT id, lat, lon FROM {Table} WHERE minLat <= $latMax AND maxLat >= $latMin " +
                          "AND minLon <= $lonMax AND maxLon >= $lonMin";
        cmd.Parameters.AddWithValue("$latMin", lat - dLat);
        cmd.Parameters.AddWithValue("$latMax", lat + dLat);
        var lonMin = cmd.Parameters.AddWithValue("$lonMin", 0.0);
        var lonMax = cmd.Parameters.AddWithValue("$lonMax", 0.0);
        var ids = new List<int>();
        int candidates = 0;
        // One box query per side of the antimeridian: the R-tree knows nothing of longitude wrapping.
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
        return new RTreeRadius(ids, candidates);
    }

    /// <summary>SQLite's plan for the box query (the R*Tree answers it as a virtual-table index, not a scan).</summary>
    public static SqlitePlan Plan(SqliteConnection connection)
    {
        Guard.NotNull(connection);
        return QueryPlans.ExplainSqlite(connection, $"SELECT id FROM {Table} WHERE minLat <= 37.5 AND maxLat >= 37.4 " +
                                                    "AND minLon <= -122.3 AND maxLon >= -122.4");
    }

    /// <summary>Depth (rtreedepth of the root node), node pages and entries of the loaded R*Tree.</summary>
    public static RTreeShape Shape(SqliteConnection connection)
    {
        Guard.NotNull(connection);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT sqlite_version(), (SELECT rtreedepth(data) FROM {Table}_node WHERE nodeno = 1), " +
                          $"(SELECT count(*) FROM {Table}_node), (SELECT count(*) FROM {Table})";
        using var r = cmd.ExecuteReader();
        r.Read();
        return new RTreeShape(r.GetString(0), r.GetInt32(1), r.GetInt64(2), r.GetInt64(3));
    }

    /// <summary>Drops the R*Tree table (and its shadow tables).</summary>
    public static void Drop(SqliteConnection connection)
    {
        Guard.NotNull(connection);
        Execute(connection, $"DROP TABLE IF EXISTS {Table}");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
