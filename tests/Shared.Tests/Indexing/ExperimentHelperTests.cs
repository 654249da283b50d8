using SystemDesign.Indexing;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Indexing;

/// <summary>The harnesses and bounds the notebook calls: fringe fill, write bounds, LSM sweeps, R*Tree, N+1.</summary>
public sealed class ExperimentHelperTests
{
    [Fact]
    public void Fringe_leaf_fill_tends_to_ln2_from_above()
    {
        Assert.Equal(0.7071, TreeHeight.ExpectedLeafFill(15), 3);
        Assert.Equal(0.6951, TreeHeight.ExpectedLeafFill(99), 3);
        Assert.InRange(TreeHeight.ExpectedLeafFill(10_000) - Math.Log(2), 0, 1e-3);
        Assert.Throws<ArgumentOutOfRangeException>(() => TreeHeight.ExpectedLeafFill(1));
    }

    // The notebook's tolerance for the leaf fill is 4 × the seed-to-seed standard deviation at n = 40 000:
    // 0.004 for leaves of 15 keys, 0.011 for 99 (large leaves split in waves). This test measures both.
    [Theory]
    [InlineData(16, 0.004)]
    [InlineData(100, 0.011)]
    public void Random_inserts_fill_leaves_as_the_fringe_analysis_predicts(int order, double documentedSd)
    {
        var fills = Enumerable.Range(1, 10).Select(seed =>
        {
            var rng = new Random(seed);
            var t = new BPlusTree<int, int>(order);
            foreach (int k in Enumerable.Range(0, 40_000).OrderBy(_ => rng.Next())) t.Insert(k, k);
            return 40_000.0 / (t.LeafCount * (order - 1));
        }).ToArray();
        double mean = fills.Average();
        double sd = Math.Sqrt(fills.Sum(f => (f - mean) * (f - mean)) / (fills.Length - 1));
        Assert.InRange(sd, documentedSd / 2, documentedSd * 1.5);
        Assert.All(fills, f => Assert.InRange(f - TreeHeight.ExpectedLeafFill(order - 1), -4 * documentedSd, 4 * documentedSd));
    }

    [Fact]
    public void Btree_pages_written_per_insert_stay_under_the_amortised_bound()
    {
        foreach (int leaf in new[] { 4, 40 })
        {
            var rng = new Random(leaf);
            var t = new BPlusTree<long, long>(8, leaf);
            const int n = 20_000;
            foreach (long k in Enumerable.Range(0, n).Select(_ => rng.NextInt64())) t.Insert(k, k);
            double perInsert = (double)t.PagesWritten / n;
            Assert.InRange(perInsert, 1, StorageComparison.BTreeInsertWriteBound(leaf, 8, n));
        }
        // Sequential keys split every leaf as soon as it fills: still within the bound.
        var seq = new BPlusTree<int, int>(4, 4);
        for (int i = 0; i < 1000; i++) seq.Insert(i, i);
        Assert.InRange((double)seq.PagesWritten / 1000, 1, StorageComparison.BTreeInsertWriteBound(4, 4, 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => StorageComparison.BTreeInsertWriteBound(1, 4, 10));
    }

    [Fact]
    public void Leveled_write_amplification_lies_between_its_lower_bound_and_worst_case()
    {
        var rows = LsmExperiments.WriteAmplificationSweep([3, 10], entries: 5_000, memtableEntries: 50, seed: 1);
        Assert.All(rows, r =>
        {
            Assert.InRange(r.Leveled, r.LowerBound, r.WorstCase);
            Assert.True(r.LowerBound >= 1);
            Assert.InRange(r.Tiered, 1, r.TieredBound);
        });
        Assert.Throws<ArgumentException>(() => LsmExperiments.WriteAmplificationSweep([], 100, 10, 1));
    }

    [Fact]
    public void Bloom_filters_cut_absent_key_reads_to_the_false_positive_rate()
    {
        var lsm = new LsmTree(new LsmOptions { MemtableEntries = 50, FileEntries = 50, BloomFalsePositiveRate = 0.01 });
        var keys = new List<long>();
        var rng = new Random(3);
        for (int i = 0; i < 5_000; i++) { long k = rng.NextInt64(0, long.MaxValue / 4) * 2; keys.Add(k); lsm.Put(k, i); }
        lsm.Flush();
        var reads = LsmExperiments.MeasureReads(lsm, keys, 2_000, seed: 4);
        Assert.InRange(reads.PresentWithMean, 1, 1.1);
        Assert.True(reads.AbsentWithoutMean >= 1);
        Assert.InRange(reads.AbsentWith, 0, 0.03 * reads.AbsentCandidates);
        Assert.Throws<ArgumentException>(() => LsmExperiments.MeasureReads(lsm, [], 10, 1));
    }

    [Fact]
    public void Radius_query_strategies_agree_with_brute_force()
    {
        var geo = new GeoIndex();
        foreach (var p in GeoIndex.RandomPoints(2_000, 37, 38, -123, -122, seed: 1)) geo.Add(p);
        var runs = GeoExperiment.CompareCovers(geo, 10, (37.1, 37.9), (-122.9, -122.1), (0.5, 5), seed: 2);
        Assert.All(runs, r => Assert.True(r.Exact));
        Assert.All(runs, r => Assert.True(r.Box >= r.Truth && r.Nine >= r.Truth));
        Assert.Throws<ArgumentException>(() => GeoExperiment.CompareCovers(geo, 1, (38, 37), (-123, -122), (1, 2), 1));
    }

    [Fact]
    public void Sqlite_rtree_answers_radius_queries_exactly_from_the_bounding_box()
    {
        using var db = Servers.Sqlite();
        var points = GeoIndex.RandomPoints(3_000, 37, 38, -123, -122, seed: 5);
        var geo = new GeoIndex();
        foreach (var p in points) geo.Add(p);
        SqliteRTreeLab.Load(db, points);
        var (dLat, dLon) = Geohash.CircleHalfExtent(37.5, 4);
        var rtree = SqliteRTreeLab.Radius(db, 37.5, -122.5, 4);
        Assert.Equal(geo.BruteForce(37.5, -122.5, 4), rtree.Ids);
        int inBox = points.Count(p => Math.Abs(p.Lat - 37.5) <= dLat && Math.Abs(p.Lon + 122.5) <= dLon);
        Assert.InRange(rtree.Candidates, inBox, inBox + 2); // float32 boxes are rounded outwards
        var shape = SqliteRTreeLab.Shape(db);
        Assert.Equal(3_000, shape.Entries);
        Assert.True(shape.Depth >= 1 && shape.Nodes > 1);
        Assert.Contains("VIRTUAL TABLE", SqliteRTreeLab.Plan(db).Text);
        SqliteRTreeLab.Drop(db);
    }

    /// <summary>Points 1 to 3 within 50 km of (0°, 179.9°) on both sides of the line, point 4 outside it.</summary>
    public static readonly GeoPoint[] AcrossTheAntimeridian =
        [new(1, 0, 179.95), new(2, 0, -179.9), new(3, 0.1, -179.7), new(4, 0, -179), new(5, 0, 178)];

    [Fact]
    public void Sqlite_rtree_radius_finds_the_points_across_the_antimeridian()
    {
        using var db = Servers.Sqlite();
        SqliteRTreeLab.Load(db, AcrossTheAntimeridian);
        foreach (double lon in new[] { 179.9, -179.95 })
        {
            var hits = SqliteRTreeLab.Radius(db, 0, lon, 50);   // 50 km ≈ 0.45° of longitude at the equator
            Assert.Equal(new[] { 1, 2, 3 }, hits.Ids);           // one box ended at 180° and missed 2 and 3
            Assert.Equal(3, hits.Candidates);                  // the two boxes hold nothing else, nothing twice
        }
        SqliteRTreeLab.Drop(db);
    }

    [Fact]
    public void Every_n_plus_one_strategy_returns_the_same_rows()
    {
        using var db = Servers.Sqlite();
        var runs = NPlusOneLab.Measure(db, parents: 50, childrenPerParent: 3, batch: 20, repeats: 1);
        Assert.Equal(4, runs.Count);
        Assert.All(runs, r => Assert.Equal(150, r.Rows));
        Assert.Single(runs.Select(r => r.Checksum).Distinct());
        Assert.Equal(new[] { 51, 4, 1, 51 }, runs.Select(r => r.Statements));
        Assert.Throws<ArgumentOutOfRangeException>(() => NPlusOneLab.Measure(db, 0, 1, 1, 1));
    }

    [SkippableFact]
    public void Postgres_n_plus_one_pays_a_round_trip_per_statement()
    {
        using var pg = RealSystem.RequirePostgres();
        var runs = NPlusOneLab.Measure(pg, parents: 100, childrenPerParent: 5, batch: 30, repeats: 3);
        Assert.All(runs, r => Assert.Equal(500, r.Rows));
        Assert.Single(runs.Select(r => r.Checksum).Distinct());
        Assert.Equal(new[] { 101, 5, 1, 101 }, runs.Select(r => r.Statements));
        Assert.True(runs[2].MedianMs < runs[0].MedianMs, $"JOIN {runs[2].MedianMs} ms vs N + 1 {runs[0].MedianMs} ms");
    }

    [Fact]
    public void Plan_rows_fill_in_missing_systems()
    {
        var rows = PlanComparison.Rows(IndexCases.LeftmostPrefix.Take(1),
            new Dictionary<string, PostgresCaseResult>(), new Dictionary<string, SqliteCaseResult>());
        Assert.Equal("(not run)", rows[0].PostgreSQL);
        Assert.Equal("—", rows[0].SQLite);
        Assert.Empty(PlanComparison.PostgresTrees([]));
    }
}

/// <summary>PostgreSQL's GiST on points answers radius queries exactly from the bounding box.</summary>
public sealed class PostgresGistLabTests
{
    [SkippableFact]
    public void Gist_radius_query_equals_brute_force_and_uses_the_index()
    {
        using var pg = RealSystem.RequirePostgres();
        var points = GeoIndex.RandomPoints(3_000, 37, 38, -123, -122, seed: 6);
        var geo = new GeoIndex();
        foreach (var p in points) geo.Add(p);
        try
        {
            PostgresGistLab.Load(pg, points);
            var hits = PostgresGistLab.Radius(pg, 37.5, -122.5, 4);
            Assert.Equal(geo.BruteForce(37.5, -122.5, 4), hits.Ids);
            var (dLat, dLon) = Geohash.CircleHalfExtent(37.5, 4);
            Assert.Equal(points.Count(p => Math.Abs(p.Lat - 37.5) <= dLat && Math.Abs(p.Lon + 122.5) <= dLon), hits.Candidates);
            Assert.Contains(PostgresGistLab.Index, PostgresGistLab.Plan(pg).IndexesUsed);
        }
        finally
        {
            PostgresGistLab.Drop(pg);
        }
    }

    [SkippableFact]
    public void Gist_radius_finds_the_points_across_the_antimeridian()
    {
        using var pg = RealSystem.RequirePostgres();
        try
        {
            PostgresGistLab.Load(pg, ExperimentHelperTests.AcrossTheAntimeridian);
            foreach (double lon in new[] { 179.9, -179.95 })
            {
                var hits = PostgresGistLab.Radius(pg, 0, lon, 50);
                Assert.Equal(new[] { 1, 2, 3 }, hits.Ids);
                Assert.Equal(3, hits.Candidates);
            }
        }
        finally
        {
            PostgresGistLab.Drop(pg);
        }
    }
}
