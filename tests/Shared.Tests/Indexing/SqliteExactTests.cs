using SystemDesign.Indexing;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.Indexing;

/// <summary>In-process SQLite: what the labs store, points exactly at the radius, and that they clean up.</summary>
public sealed class SqliteExactTests
{
    private static object? Scalar(Microsoft.Data.Sqlite.SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    [Fact]
    public void Users_are_stored_with_their_timestamp_and_the_build_reports_stat4_as_compiled()
    {
        using var db = Servers.Sqlite();
        SqliteIndexLab.CreateUsers(db, IndexLabData.Users(20, 7));
        Assert.Equal("2024-08-29 21:41:05|active|smith1|366.43",
            Scalar(db, "SELECT created_at || '|' || status || '|' || name || '|' || total FROM nb04_users WHERE id = 1"));
        var (version, stat4) = SqliteIndexLab.Build(db);
        Assert.Equal(Scalar(db, "SELECT sqlite_version()"), version);
        Assert.Equal((long)Scalar(db, "SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_STAT4'")! == 1,
            stat4);
    }

    [Fact]
    public void Radius_queries_keep_a_point_exactly_at_the_radius_and_drop_their_tables()
    {
        using var db = Servers.Sqlite();
        var points = GeoIndex.RandomPoints(50, 37, 38, -123, -122, 6);
        var p = points[0];
        double r = Geohash.DistanceKm(37.4, -122.3, p.Lat, p.Lon);
        var (ids, _, _) = SqliteIndexLab.RadiusByGeohash(db, points, 37.4, -122.3, r);
        Assert.Contains(p.Id, ids);
        Assert.Equal(0L, Scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'nb04_driver_locations'"));

        SqliteRTreeLab.Load(db, points);
        SqliteRTreeLab.Load(db, points.Take(10).ToArray()); // a second load replaces the first
        Assert.Equal(10, SqliteRTreeLab.Shape(db).Entries);
        Assert.Contains(p.Id, SqliteRTreeLab.Radius(db, 37.4, -122.3, r).Ids);
        // One R-tree constraint per bound: two on latitude (B0 D1), two on longitude (B2 D3).
        Assert.Equal("SCAN nb04_driver_rtree VIRTUAL TABLE INDEX 2:B0D1B2D3", SqliteRTreeLab.Plan(db).Text);
        SqliteRTreeLab.Drop(db);
        Assert.Equal(0L, Scalar(db, $"SELECT count(*) FROM sqlite_master WHERE name = '{SqliteRTreeLab.Table}'"));
    }
}
