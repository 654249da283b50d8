using SystemDesign.Indexing;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Indexing;

/// <summary>The PostgreSQL, SQLite and Redis experiments agree with the guide's corrected claims and with our models.</summary>
public sealed class RealSystemIndexTests
{
    private static readonly IReadOnlyList<UserRow> Rows = IndexLabData.Users(30_000, 4);

    [SkippableFact]
    public void Postgres_plans_follow_the_leftmost_prefix_rule_and_read_the_whole_index_without_it()
    {
        using var pg = RealSystem.RequirePostgres();
        try
        {
            PostgresIndexLab.CreateUsers(pg, Rows);
            var r = PostgresIndexLab.Run(pg, IndexCases.LeftmostPrefix).ToDictionary(x => x.Key);
            Assert.All(r.Values, x => Assert.True(x.UsesIndex || x.Access == "Seq Scan"));
            var a = r["prefix (a)"];
            Assert.Contains("nb04_users_ucs", a.Plan.IndexesUsed);
            Assert.InRange(a.IndexPagesRead, a.IndexHeights["nb04_users_ucs"], a.IndexHeights["nb04_users_ucs"] + 1);
            var b = r["no leading column (b)"];
            if (PostgresIndexLab.MajorVersion(pg) < 18 && b.UsesIndex)
                Assert.Equal(b.IndexPages["nb04_users_ucs"] - 1, b.IndexPagesRead); // every page but the metapage
        }
        finally
        {
            PostgresIndexLab.DropAll(pg);
        }
    }

    [SkippableFact]
    public void Postgres_skips_indexes_for_functions_casts_and_common_values_but_not_for_quoted_numbers()
    {
        using var pg = RealSystem.RequirePostgres();
        try
        {
            PostgresIndexLab.CreateUsers(pg, Rows);
            var r = PostgresIndexLab.Run(pg, IndexCases.Skipped).ToDictionary(x => x.Key);
            Assert.Equal("Seq Scan", r["function on column"].Access);
            Assert.True(r["expression index"].UsesIndex);
            Assert.Equal("Seq Scan", r["leading wildcard"].Access);
            Assert.True(r["reverse() index"].UsesIndex);
            Assert.True(r["quoted number"].UsesIndex);
            Assert.Equal("Seq Scan", r["numeric literal"].Access);
            Assert.Equal("Seq Scan", r["low selectivity"].Access);
            Assert.True(r["high selectivity"].UsesIndex);
            Assert.Contains(r["OR of two columns"].Plan.Walk(), n => n.NodeType == "BitmapOr");
            Assert.Equal("42883", PostgresIndexLab.CompareIntegerWithTextParameter(pg).SqlState);
            var or = PostgresIndexLab.OrVersusUnion(pg, 300, 10_000);
            Assert.Equal(or.Or + or.Both, or.UnionAll);
            Assert.Equal(or.Or, or.Union);
        }
        finally
        {
            PostgresIndexLab.DropAll(pg);
        }
    }

    [SkippableFact]
    public void Postgres_btree_height_matches_the_prediction_from_its_own_page_capacities()
    {
        using var pg = RealSystem.RequirePostgres();
        try
        {
            PostgresBTree.CreateTable(pg, 120_000, 6000);
            var big = PostgresBTree.Inspect(pg, PostgresBTree.BuildIndex(pg, "id", 120_000));
            Assert.All(big.Levels, l => Assert.True(l.LinksConsistent));
            foreach (int n in new[] { 300, 30_000, 120_000 })
            {
                var ins = PostgresBTree.Inspect(pg, PostgresBTree.BuildIndex(pg, "id", n));
                var predicted = PostgresBTree.PredictPagesPerLevel(n, big.LeafCapacity, big.InternalFanout);
                Assert.Equal(predicted, ins.Levels.Select(l => (long)l.Pages));
                Assert.Equal(predicted.Count, ins.Height);
            }
        }
        finally
        {
            PostgresIndexLab.DropAll(pg);
        }
    }

    [SkippableFact]
    public void Postgres_covering_index_needs_vacuum_for_an_index_only_scan_and_writes_a_wal_record_per_index()
    {
        using var pg = RealSystem.RequirePostgres();
        try
        {
            var cov = PostgresIndexLab.CoveringIndex(pg, 20_000, 5);
            Assert.Equal("Index Only Scan", cov.AfterVacuum.Access);
            Assert.Equal(0L, cov.AfterVacuum.Walk().First(n => n.NodeType == "Index Only Scan").HeapFetches);
            for (int k = 0; k <= 2; k++) Assert.InRange(PostgresIndexLab.WalRecordsPerRow(pg, k, 2000), 1 + k, 1 + k + 0.05);
            Assert.False(PostgresIndexLab.RelationExists(pg, "pg_statistics"));
            Assert.True(PostgresIndexLab.RelationExists(pg, "pg_statistic"));
        }
        finally
        {
            PostgresIndexLab.DropAll(pg);
        }
    }

    [Fact]
    public void Sqlite_plans_show_search_versus_scan_and_skip_scan()
    {
        using var db = Servers.Sqlite();
        SqliteIndexLab.CreateUsers(db, Rows);
        var r = SqliteIndexLab.Run(db, IndexCases.LeftmostPrefix.Concat(IndexCases.Skipped).Append(IndexCases.SqliteCovering)).ToDictionary(x => x.Key);
        Assert.Equal(SqliteAccess.Search, r["prefix (a, b)"].Access);
        Assert.Equal("user_id=? AND created_at>?", r["prefix (a, b)"].Plan.Steps[0].Constraint);
        Assert.Equal(SqliteAccess.Scan, r["no leading column (b)"].Access);
        Assert.StartsWith("ANY(status)", r["skip scan candidate"].Plan.Steps[0].Constraint);
        Assert.Equal(SqliteAccess.Scan, r["function on column"].Access);
        Assert.Equal(SqliteAccess.Search, r["expression index"].Access);
        Assert.Equal(SqliteAccess.MultiIndexOr, r["OR of two columns"].Access);
        Assert.True(r["covering"].Plan.Steps[0].Covering);
    }

    [Fact]
    public void Sqlite_geohash_schema_answers_radius_queries_like_the_model()
    {
        var points = GeoIndex.RandomPoints(3000, 37.0, 38.0, -123.0, -122.0, seed: 6);
        var index = new GeoIndex();
        foreach (var p in points) index.Add(p);
        using var db = Servers.Sqlite();
        var (ids, candidates, plan) = SqliteIndexLab.RadiusByGeohash(db, points, 37.4, -122.3, 3);
        var model = index.Radius(37.4, -122.3, 3, GeoCover.BoundingBox);
        Assert.Equal(model.Ids, ids);
        Assert.Equal(model.Candidates, candidates);
        Assert.Contains(plan.Steps, s => s.Index == "nb04_driver_locations_geohash");
    }

    [SkippableFact]
    public void Redis_geo_agrees_with_brute_force_and_with_our_geohash()
    {
        using var redis = RealSystem.RequireRedis();
        var points = GeoIndex.RandomPoints(2000, 37.0, 38.0, -123.0, -122.0, seed: 5);
        var c = RedisGeoLab.Compare(redis.GetDatabase(), points, 37.5, -122.5, 8);
        Assert.Equal(c.BruteForceIds, c.RedisIds);
        Assert.NotEmpty(c.RedisIds);
        Assert.Equal(c.HashesCompared, c.HashesAgreeingOnTenChars);
    }

    [Fact]
    public void Plan_parsers_read_json_and_sqlite_details()
    {
        var plan = QueryPlans.ParsePostgresJson("""
            [{"Plan": {"Node Type": "Bitmap Heap Scan", "Relation Name": "t", "Recheck Cond": "(a = 1)", "Plan Rows": 10,
              "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "t_a", "Index Cond": "(a = 1)", "Plan Rows": 10, "Shared Hit Blocks": 2, "Shared Read Blocks": 1}]}}]
            """);
        Assert.Equal("Bitmap Heap Scan", plan.Access);
        Assert.Equal(["t_a"], plan.IndexesUsed);
        Assert.Equal(3, plan.Children[0].Buffers);
        var step = QueryPlans.ParseSqlite([(3, 0, "SEARCH users USING COVERING INDEX cov (user_id=?)")]).Steps[0];
        Assert.Equal((SqliteAccess.Search, "users", "cov", true, "user_id=?"), (step.Access, step.Table, step.Index, step.Covering, step.Constraint));
        Assert.Equal(SqliteAccess.Scan, QueryPlans.ParseSqlite([(2, 0, "SCAN users")]).Access);
        Assert.Equal("json", Assert.Throws<ArgumentException>(() => QueryPlans.ParsePostgresJson("{}")).ParamName);
    }

    [Fact]
    public void Lsm_theory_bounds()
    {
        Assert.Equal(3, LsmTheory.TieredBound(400, 10));
        Assert.Equal(9, LsmTheory.TieredBound(400, 2));
        Assert.Equal(3 + 2 * 13, LsmTheory.LeveledWorstCase(3, 10));
        Assert.Equal("sizeRatio", Assert.Throws<ArgumentOutOfRangeException>(() => LsmTheory.TieredBound(10, 1)).ParamName);
    }
}
