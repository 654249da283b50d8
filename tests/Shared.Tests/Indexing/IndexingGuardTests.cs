using Microsoft.Data.Sqlite;
using Npgsql;
using StackExchange.Redis;
using SystemDesign.Indexing;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Indexing;

/// <summary>
/// Every argument guard of the Indexing area's public entries: the exception type and the parameter it names
/// (the caller's expression, e.g. <c>point.Lat</c>), one step outside each bound, and the bound itself accepted
/// where the bound is computed from another argument. The database labs get connections that were never opened:
/// an input the guards accept reaches the connection and ends in <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class IndexingGuardTests
{
    private static readonly GeoPoint[] Points = [new(1, 37.7, -122.4)];

    private static void ReachesTheDatabase(Action act) => Assert.Throws<InvalidOperationException>(act);

    private static SqliteConnection Sqlite() => new("Data Source=:memory:");

    [Fact]
    public void The_bplus_tree_refuses_bad_capacities_null_keys_unsorted_loads_and_reversed_ranges()
    {
        OutOfRange("fanout", () => new BPlusTree<int, int>(2));
        OutOfRange("fanout", () => new BPlusTree<int, int>(100_001));
        OutOfRange("leafCapacity", () => new BPlusTree<int, int>(4, 1));
        OutOfRange("leafCapacity", () => new BPlusTree<int, int>(4, 100_001));
        Assert.Equal(3, new BPlusTree<int, int>(4).LeafCapacity);          // 0 means fanout − 1
        Null("sorted", () => BPlusTree<int, int>.BulkLoad(null!, 4));
        Invalid("sorted", () => BPlusTree<int, int>.BulkLoad([new(1, 0), new(1, 0)], 4),
            "entries must be in strictly increasing key order");
        OutOfRange("fanout", () => BPlusTree<int, int>.BulkLoad([], 2));
        var tree = new BPlusTree<string, int>(4, comparer: StringComparer.Ordinal);
        Invalid("key", () => tree.Insert(null!, 1), "key must not be null");
        Invalid("key", () => tree.Search(null!), "key must not be null");
        Assert.Equal(0, tree.Count);
        Invalid("low", () => tree.Range(null!, "b"), "bounds must not be null");
        Invalid("low", () => tree.Range("a", null!), "bounds must not be null");
        Invalid("low", () => tree.Range("b", "a"), "low must not be greater than high");
        Assert.Empty(tree.Range("a", "a").Items);
    }

    [Fact]
    public void The_composite_index_refuses_missing_rows_and_a_range_whose_low_exceeds_its_high()
    {
        Null("rows", () => new CompositeIndex(null!, 4, 3));
        OutOfRange("fanout", () => new CompositeIndex([(1, 1, 1)], 2, 3));
        Invalid("low", () => ColumnPredicate.Between(2, 1), "low (2) must not exceed high (1)");
        Assert.True(ColumnPredicate.Between(1, 1).IsEquality);
    }

    [Fact]
    public void Geohash_refuses_coordinates_off_the_globe_bad_hashes_directions_and_radii()
    {
        OutOfRange("lat", () => Geohash.Encode(90.01, 0));
        OutOfRange("lat", () => Geohash.Encode(-90.01, 0));
        OutOfRange("lon", () => Geohash.Encode(0, 180.01));
        OutOfRange("lon", () => Geohash.Encode(0, -180.01));
        OutOfRange("precision", () => Geohash.Encode(0, 0, 0));
        OutOfRange("precision", () => Geohash.Encode(0, 0, 13));
        Assert.Equal(12, Geohash.Encode(90, 180, 12).Length);
        Null("hash", () => Geohash.Decode(null!));
        Invalid("hash", () => Geohash.Decode(""), "hash must not be empty.");
        OutOfRange("hash.Length", () => Geohash.Decode(new string('s', 13)));
        Assert.Equal("ssssssssssss", Geohash.Decode("SSSSSSSSSSSS").Hash);
        Invalid("hash", () => Geohash.Decode("9a"), "'a' is not a geohash character (valid: 0123456789bcdefghjkmnpqrstuvwxyz)");
        OutOfRange("precision", () => Geohash.CellSize(0));
        OutOfRange("precision", () => Geohash.CellSize(13));
        OutOfRange("lat", () => Geohash.CellWidthKm(1, 90.01));
        OutOfRange("precision", () => Geohash.CellWidthKm(0, 0));
        Null("hash", () => Geohash.Neighbour(null!, "N"));
        Null("direction", () => Geohash.Neighbour("ezs42", null!));
        Invalid("direction", () => Geohash.Neighbour("ezs42", ""), "direction must not be empty.");
        Invalid("direction", () => Geohash.Neighbour("ezs42", "UP"), "direction must be one of N, NE, E, SE, S, SW, W, NW; got 'UP'");
        OutOfRange("lat1", () => Geohash.DistanceKm(90.01, 0, 0, 0));
        OutOfRange("lat1", () => Geohash.DistanceKm(-90.01, 0, 0, 0));
        OutOfRange("lat2", () => Geohash.DistanceKm(0, 0, 90.01, 0));
        OutOfRange("lat2", () => Geohash.DistanceKm(0, 0, -90.01, 0));
        OutOfRange("radiusKm", () => Geohash.DistanceKm(0, 0, 0, 0, 0));
        Assert.Equal(Math.PI, Geohash.DistanceKm(90, 0, -90, 0, 1), 12);
        OutOfRange("lat", () => Geohash.CircleHalfExtent(90.01, 1));
        OutOfRange("radiusKm", () => Geohash.CircleHalfExtent(0, 0));
        OutOfRange("radiusKm", () => Geohash.CircleHalfExtent(0, 2000.01));
        Assert.Equal(2000 / Geohash.EarthRadiusKm * 180 / Math.PI, Geohash.CircleHalfExtent(0, 2000).LatDegrees, 12);
        static string Pole(double lat) => $"the circle of 2 km around latitude {lat} reaches a pole; pole caps are not supported";
        Invalid("radiusKm", () => Geohash.CircleHalfExtent(89.99, 2), Pole(89.99));
        Invalid("radiusKm", () => Geohash.CircleHalfExtent(-89.99, 2), Pole(-89.99));
        Invalid("radiusKm", () => Geohash.PrecisionFor(89.99, 2), Pole(89.99));
        // 2000 km at 65°: the longitude half-extent (47°) is wider than a 1-character cell (45°).
        var tooWide = Assert.Throws<ArgumentOutOfRangeException>(() => Geohash.PrecisionFor(65, 2000));
        Assert.Equal("radiusKm", tooWide.ParamName);
        Assert.StartsWith("radiusKm is too large for a 3×3 block of geohash cells at latitude 65. (Parameter",
            tooWide.Message, StringComparison.Ordinal);
        Assert.Equal(1, Geohash.PrecisionFor(60, 2000));
        Null("a", () => Geohash.CommonPrefixLength(null!, "b"));
        Null("b", () => Geohash.CommonPrefixLength("a", null!));
    }

    [Fact]
    public void The_geo_index_refuses_bad_fanouts_points_off_the_globe_boxes_and_cell_budgets()
    {
        OutOfRange("fanout", () => new GeoIndex(2));
        OutOfRange("fanout", () => new GeoIndex(10_001));
        var geo = new GeoIndex(3);
        OutOfRange("point.Lat", () => geo.Add(new GeoPoint(1, 90.01, 0)));
        OutOfRange("point.Lat", () => geo.Add(new GeoPoint(1, -90.01, 0)));
        OutOfRange("point.Lon", () => geo.Add(new GeoPoint(1, 0, 180.01)));
        OutOfRange("point.Lon", () => geo.Add(new GeoPoint(1, 0, -180.01)));
        Assert.Equal(0, geo.Count);
        geo.Add(new GeoPoint(1, 90, 180));
        geo.Add(new GeoPoint(2, -90, -180));
        Assert.Equal(2, geo.Count);

        OutOfRange("count", () => GeoIndex.RandomPoints(-1, 0, 1, 0, 1, 1));
        OutOfRange("count", () => GeoIndex.RandomPoints(10_000_001, 0, 1, 0, 1, 1));
        const string lat = "need −90 ≤ latMin < latMax ≤ 90", lon = "need −180 ≤ lonMin < lonMax ≤ 180";
        Invalid("latMin", () => GeoIndex.RandomPoints(1, -90.01, 0, 0, 1, 1), lat);
        Invalid("latMin", () => GeoIndex.RandomPoints(1, 1, 1, 0, 1, 1), lat);
        Invalid("latMin", () => GeoIndex.RandomPoints(1, 0, 90.01, 0, 1, 1), lat);
        Invalid("lonMin", () => GeoIndex.RandomPoints(1, 0, 1, -180.01, 0, 1), lon);
        Invalid("lonMin", () => GeoIndex.RandomPoints(1, 0, 1, 1, 1, 1), lon);
        Invalid("lonMin", () => GeoIndex.RandomPoints(1, 0, 1, 0, 180.01, 1), lon);
        Assert.Single(GeoIndex.RandomPoints(1, -90, 90, -180, 180, 1));

        OutOfRange("maxCells", () => geo.Radius(0, 0, 1, GeoCover.BoundingBox, 8));
        OutOfRange("maxCells", () => geo.Radius(0, 0, 1, GeoCover.BoundingBox, 4097));
        Assert.True(geo.Radius(0, 0, 1, GeoCover.BoundingBox, 9).Cells.Count <= 9);
        OutOfRange("lat", () => geo.Radius(90.01, 0, 1));
        OutOfRange("lon", () => geo.Radius(0, 180.01, 1));
        OutOfRange("radiusKm", () => geo.Radius(0, 0, 0));
        OutOfRange("radiusKm", () => geo.LatitudeBand(0, 0, 2000.01));
        OutOfRange("radiusKm", () => geo.BruteForce(0, 0, -0.01));
        OutOfRange("radiusKm", () => geo.BruteForce(0, 0, 20_000.01));
        OutOfRange("radiusKm", () => geo.BruteForce(0, 0, 1, earthRadiusKm: 0)); // DistanceKm's radius
        Assert.Equal(new[] { 1, 2 }, geo.BruteForce(0, 0, 20_000));
    }

    [Fact]
    public void A_radius_query_by_bounding_box_works_on_both_sides_of_the_antimeridian()
    {
        // The box of a circle centred just east of −180° starts west of it: its first column of cells must wrap
        // to +180°, as the last column already wrapped from +180° to −180° (it threw ArgumentOutOfRangeException).
        var geo = new GeoIndex(4);
        geo.Add(new GeoPoint(1, 0, -179.999));
        geo.Add(new GeoPoint(2, 0, 179.999));
        geo.Add(new GeoPoint(3, 0, -179.9));
        foreach (double centre in new[] { -180, -179.9995, 179.9995, 180 })
        {
            var box = geo.Radius(0, centre, 1, GeoCover.BoundingBox);
            Assert.Equal(new[] { 1, 2 }, box.Ids);
            Assert.Equal(geo.BruteForce(0, centre, 1), box.Ids);
            Assert.Equal(box.Ids, geo.Radius(0, centre, 1).Ids);
        }
    }

    [Fact]
    public void The_cover_experiment_refuses_boxes_off_the_globe_and_radii_outside_0_to_2000_km()
    {
        var geo = new GeoIndex();
        IReadOnlyList<RadiusQueryRun> Run(int queries = 1, (double, double)? lat = null, (double, double)? lon = null,
            (double, double)? radiusKm = null, int maxCells = 32) =>
            GeoExperiment.CompareCovers(geo, queries, lat ?? (0, 0), lon ?? (0, 0), radiusKm ?? (1, 1), 1, maxCells);
        Null("geo", () => GeoExperiment.CompareCovers(null!, 1, (0, 0), (0, 0), (1, 1), 1));
        OutOfRange("queries", () => Run(queries: 0));
        OutOfRange("queries", () => Run(queries: 100_001));
        const string lat = "need −90 ≤ lat.Min ≤ lat.Max ≤ 90", lon = "need −180 ≤ lon.Min ≤ lon.Max ≤ 180";
        Invalid("lat", () => Run(lat: (-90.01, 0)), lat);
        Invalid("lat", () => Run(lat: (1, 0)), lat);
        Invalid("lat", () => Run(lat: (0, 90.01)), lat);
        Invalid("lon", () => Run(lon: (-180.01, 0)), lon);
        Invalid("lon", () => Run(lon: (1, 0)), lon);
        Invalid("lon", () => Run(lon: (0, 180.01)), lon);
        const string radius = "need 0 < rMin ≤ rMax ≤ 2000 km";
        Invalid("radiusKm", () => Run(radiusKm: (0, 1)), radius);
        Invalid("radiusKm", () => Run(radiusKm: (2, 1)), radius);
        Invalid("radiusKm", () => Run(radiusKm: (1, 2000.01)), radius);
        OutOfRange("maxCells", () => Run(maxCells: 8));
        // The bounds themselves pass this guard: a centre on a pole is then refused by the pole check.
        const string pole = "reaches a pole; pole caps are not supported";
        Invalid("radiusKm", () => Run(lat: (90, 90)), "the circle of 1 km around latitude 90 " + pole);
        Invalid("radiusKm", () => Run(lat: (-90, -90)), "the circle of 1 km around latitude -90 " + pole);
        Assert.Single(Run(lon: (-180, -180)));
        Assert.Single(Run(lon: (180, 180)));
        Assert.Single(Run(radiusKm: (2000, 2000)));
    }

    [Fact]
    public void The_users_data_set_refuses_sizes_outside_10_to_a_million()
    {
        OutOfRange("count", () => IndexLabData.Users(9, 1));
        OutOfRange("count", () => IndexLabData.Users(1_000_001, 1));
        Assert.Equal(10, IndexLabData.Users(10, 1).Count);
    }

    [Fact]
    public void The_lsm_tree_names_the_option_that_is_out_of_range()
    {
        LsmTree Tree(LsmOptions o) => new(o);
        var o = new LsmOptions();
        Null("options", () => Tree(null!));
        OutOfRange("MemtableEntries", () => Tree(o with { MemtableEntries = 0 }));
        OutOfRange("MemtableEntries", () => Tree(o with { MemtableEntries = 10_000_001 }));
        OutOfRange("SizeRatio", () => Tree(o with { SizeRatio = 1 }));
        OutOfRange("SizeRatio", () => Tree(o with { SizeRatio = 101 }));
        OutOfRange("L0Trigger", () => Tree(o with { L0Trigger = 0 }));
        OutOfRange("L0Trigger", () => Tree(o with { L0Trigger = 101 }));
        OutOfRange("FileEntries", () => Tree(o with { FileEntries = 0 }));
        OutOfRange("FileEntries", () => Tree(o with { FileEntries = 10_000_001 }));
        const string bloom = "BloomFalsePositiveRate must be 0 (no filters) or strictly between 0 and 1";
        foreach (double bad in new[] { -0.01, 1, double.NaN })
            Invalid("BloomFalsePositiveRate", () => Tree(o with { BloomFalsePositiveRate = bad }), $"{bloom}; got {bad}");
        Assert.Null(Tree(o with { BloomFalsePositiveRate = 0, MemtableEntries = 1 }).Flushed(1).Levels[0][0].Filter);
        Assert.NotNull(Tree(o with { BloomFalsePositiveRate = 0.99, MemtableEntries = 1 }).Flushed(1).Levels[0][0].Filter);
        OutOfRange("EntryBytes", () => Tree(o with { EntryBytes = 0 }));
        OutOfRange("EntryBytes", () => Tree(o with { EntryBytes = (1 << 20) + 1, BlockBytes = 1 << 24 }));
        OutOfRange("BlockBytes", () => Tree(o with { EntryBytes = 100, BlockBytes = 99 }));
        OutOfRange("BlockBytes", () => Tree(o with { BlockBytes = (1 << 24) + 1 }));
        Assert.Equal(1, Tree(o with { EntryBytes = 100, BlockBytes = 100 }).Options.EntriesPerBlock);

        var tree = Tree(o);
        OutOfRange("level", () => tree.LevelCapacity(0));
        OutOfRange("level", () => tree.LevelCapacity(41));
        Assert.Equal(4000, tree.LevelCapacity(1));
        Invalid("low", () => tree.Scan(2, 1), "low (2) must not exceed high (1)");
        Assert.Empty(tree.Scan(1, 1).Items);
    }

    [Fact]
    public void Lsm_theory_refuses_counts_outside_their_ranges_and_an_empty_tree()
    {
        OutOfRange("flushes", () => LsmTheory.TieredBound(0, 2));
        OutOfRange("flushes", () => LsmTheory.TieredBound(long.MaxValue / 2 + 1, 2));
        OutOfRange("sizeRatio", () => LsmTheory.TieredBound(1, 1));
        OutOfRange("sizeRatio", () => LsmTheory.TieredBound(1, 1001));
        OutOfRange("levels", () => LsmTheory.LeveledWorstCase(0, 2));
        OutOfRange("levels", () => LsmTheory.LeveledWorstCase(41, 2));
        OutOfRange("sizeRatio", () => LsmTheory.LeveledWorstCase(1, 1));
        OutOfRange("sizeRatio", () => LsmTheory.LeveledWorstCase(1, 1001));
        OutOfRange("levels", () => LsmTheory.LeveledEstimate(0, 2));
        OutOfRange("levels", () => LsmTheory.LeveledEstimate(41, 2));
        OutOfRange("sizeRatio", () => LsmTheory.LeveledEstimate(1, 1));
        OutOfRange("sizeRatio", () => LsmTheory.LeveledEstimate(1, 1001));
        Null("stats", () => LsmTheory.LeveledLowerBound(null!));
        Invalid("stats", () => LsmTheory.LeveledLowerBound(new LsmTree(new LsmOptions()).Stats()), "the tree has ingested nothing");
    }

    [Fact]
    public void Lsm_experiments_refuse_missing_trees_empty_key_lists_and_sizes_outside_their_ranges()
    {
        var tree = new LsmTree(new LsmOptions { MemtableEntries = 2 }).Flushed(2);
        Null("tree", () => LsmExperiments.MeasureReads(null!, [2], 1, 1));
        Null("presentKeys", () => LsmExperiments.MeasureReads(tree, null!, 1, 1));
        Invalid("presentKeys", () => LsmExperiments.MeasureReads(tree, [], 1, 1), "need at least one present key");
        OutOfRange("lookups", () => LsmExperiments.MeasureReads(tree, [2], 0, 1));
        OutOfRange("lookups", () => LsmExperiments.MeasureReads(tree, [2], 10_000_001, 1));
        Assert.Equal(1, LsmExperiments.MeasureReads(tree, [2], 1, 1).PresentWith);

        Null("sizeRatios", () => LsmExperiments.WriteAmplificationSweep(null!, 10, 2, 1));
        Invalid("sizeRatios", () => LsmExperiments.WriteAmplificationSweep([], 10, 2, 1), "need at least one size ratio");
        OutOfRange("entries", () => LsmExperiments.WriteAmplificationSweep([2], 0, 2, 1));
        OutOfRange("entries", () => LsmExperiments.WriteAmplificationSweep([2], 10_000_001, 2, 1));
        OutOfRange("memtableEntries", () => LsmExperiments.WriteAmplificationSweep([2], 10, 0, 1));
        OutOfRange("memtableEntries", () => LsmExperiments.WriteAmplificationSweep([2], 10, 1_000_001, 1));
        OutOfRange("t", () => LsmExperiments.WriteAmplificationSweep([1], 10, 2, 1));
        OutOfRange("t", () => LsmExperiments.WriteAmplificationSweep([1001], 10, 2, 1));
        OutOfRange("SizeRatio", () => LsmExperiments.WriteAmplificationSweep([101], 10, 2, 1)); // the tree's own limit
        Assert.Single(LsmExperiments.WriteAmplificationSweep([100], 10, 2, 1));
    }

    [Fact]
    public void Tree_height_arithmetic_refuses_sizes_capacities_and_fills_outside_their_ranges()
    {
        OutOfRange("rows", () => TreeHeight.Shape(-1, 2, 1));
        OutOfRange("rows", () => TreeHeight.Shape(long.MaxValue / 2 + 1, 2, 1));
        OutOfRange("fanout", () => TreeHeight.Shape(1, 1, 1));
        OutOfRange("fanout", () => TreeHeight.Shape(1, 1_000_001, 1));
        OutOfRange("leafCapacity", () => TreeHeight.Shape(1, 2, 0));
        OutOfRange("leafCapacity", () => TreeHeight.Shape(1, 2, 1_000_001));
        OutOfRange("pageBytes", () => TreeHeight.Shape(1, 2, 1, 511));
        OutOfRange("pageBytes", () => TreeHeight.Shape(1, 2, 1, (1 << 20) + 1));
        OutOfRange("fanout", () => TreeHeight.Levels(1, 1, 1));
        var shape = TreeHeight.Shape(100, 10, 10);
        OutOfRange("cachedLevels", () => shape.DiskReads(-1));
        OutOfRange("cachedLevels", () => shape.DiskReads(65));
        Assert.Equal(0, shape.DiskReads(64));
        OutOfRange("rows", () => TreeHeight.LogFormula(-0.01, 2, 1));
        OutOfRange("rows", () => TreeHeight.LogFormula(1.01e18, 2, 1));
        OutOfRange("fanout", () => TreeHeight.LogFormula(1, 1, 1));
        OutOfRange("fanout", () => TreeHeight.LogFormula(1, 1_000_001, 1));
        OutOfRange("leafCapacity", () => TreeHeight.LogFormula(1, 2, 0));
        OutOfRange("leafCapacity", () => TreeHeight.LogFormula(1, 2, 1_000_001));
        OutOfRange("rows", () => TreeHeight.MaxLevelsAfterInserts(0, 3, 2));
        OutOfRange("rows", () => TreeHeight.MaxLevelsAfterInserts(long.MaxValue / 2 + 1, 3, 2));
        OutOfRange("fanout", () => TreeHeight.MaxLevelsAfterInserts(1, 2, 2));
        OutOfRange("fanout", () => TreeHeight.MaxLevelsAfterInserts(1, 1_000_001, 2));
        OutOfRange("leafCapacity", () => TreeHeight.MaxLevelsAfterInserts(1, 3, 1));
        OutOfRange("leafCapacity", () => TreeHeight.MaxLevelsAfterInserts(1, 3, 1_000_001));
        OutOfRange("leafCapacity", () => TreeHeight.ExpectedLeafFill(1));
        OutOfRange("leafCapacity", () => TreeHeight.ExpectedLeafFill(1_000_001));
        OutOfRange("pageBytes", () => TreeHeight.EntriesPerPage(511, 1));
        OutOfRange("pageBytes", () => TreeHeight.EntriesPerPage((1 << 20) + 1, 1));
        OutOfRange("entryBytes", () => TreeHeight.EntriesPerPage(512, 0));
        OutOfRange("entryBytes", () => TreeHeight.EntriesPerPage(512, 513));
        Assert.Equal(1, TreeHeight.EntriesPerPage(512, 512));
        OutOfRange("fill", () => TreeHeight.EntriesPerPage(512, 1, 0.09));
        OutOfRange("fill", () => TreeHeight.EntriesPerPage(512, 1, 1.01));
    }

    [Fact]
    public void The_tree_chart_refuses_a_missing_tree_an_empty_title_and_more_than_200_pages()
    {
        // Leaves of 2 under one root: n keys make n/2 leaves and the root.
        static BPlusTree<int, int> Tree(int keys) =>
            BPlusTree<int, int>.BulkLoad(Enumerable.Range(0, keys).Select(k => new KeyValuePair<int, int>(k, k)), 1000, 2);
        Null("tree", () => TreeChart.Draw<int, int>(null!, "t"));
        Null("title", () => TreeChart.Draw(Tree(2), null!));
        Invalid("title", () => TreeChart.Draw(Tree(2), ""));
        // 200 pages would be drawn (199 edge traces take seconds, so the bound itself is not drawn here).
        Assert.Equal(200, Tree(398).PageCount);
        Assert.NotNull(TreeChart.Draw(Tree(4), "t"));
        Invalid("tree", () => TreeChart.Draw(Tree(400), "t"), "the tree has 201 pages; at most 200 can be drawn");
    }

    [Fact]
    public void Storage_comparison_refuses_sizes_outside_their_ranges_and_unknown_read_kinds()
    {
        OutOfRange("entries", () => StorageComparison.MeasureBTree(99, 512, 8, 1, 1, 1));
        OutOfRange("entries", () => StorageComparison.MeasureBTree(5_000_001, 512, 8, 1, 1, 1));
        OutOfRange("pageBytes", () => StorageComparison.MeasureBTree(100, 511, 8, 1, 1, 1));
        OutOfRange("pageBytes", () => StorageComparison.MeasureBTree(100, (1 << 20) + 1, 8, 1, 1, 1));
        OutOfRange("entryBytes", () => StorageComparison.MeasureBTree(100, 512, 7, 1, 1, 1));
        OutOfRange("entryBytes", () => StorageComparison.MeasureBTree(100, 512, 257, 1, 1, 1));
        OutOfRange("lookups", () => StorageComparison.MeasureBTree(100, 512, 8, 0, 1, 1));
        OutOfRange("lookups", () => StorageComparison.MeasureBTree(100, 512, 8, 1_000_001, 1, 1));
        OutOfRange("rangeKeys", () => StorageComparison.MeasureBTree(100, 512, 8, 1, 0, 1));
        OutOfRange("rangeKeys", () => StorageComparison.MeasureBTree(100, 512, 8, 1, 101, 1));
        Assert.Equal(100, StorageComparison.MeasureBTree(100, 512, 256, 1, 100, 1).RangeKeys);

        var options = new LsmOptions { MemtableEntries = 10, FileEntries = 10 };
        Null("options", () => StorageComparison.MeasureLsm(null!, 100, 1, 1, 1));
        OutOfRange("entries", () => StorageComparison.MeasureLsm(options, 99, 1, 1, 1));
        OutOfRange("entries", () => StorageComparison.MeasureLsm(options, 5_000_001, 1, 1, 1));
        OutOfRange("lookups", () => StorageComparison.MeasureLsm(options, 100, 0, 1, 1));
        OutOfRange("lookups", () => StorageComparison.MeasureLsm(options, 100, 1_000_001, 1, 1));
        OutOfRange("rangeKeys", () => StorageComparison.MeasureLsm(options, 100, 1, 0, 1));
        OutOfRange("rangeKeys", () => StorageComparison.MeasureLsm(options, 100, 1, 101, 1));
        OutOfRange("MemtableEntries", () => StorageComparison.MeasureLsm(options with { MemtableEntries = 0 }, 100, 1, 1, 1));
        Assert.Equal(100, StorageComparison.MeasureLsm(options, 100, 1, 100, 1).RangeKeys);

        OutOfRange("leafCapacity", () => StorageComparison.BTreeInsertWriteBound(1, 3, 1));
        OutOfRange("leafCapacity", () => StorageComparison.BTreeInsertWriteBound(1_000_001, 3, 1));
        OutOfRange("fanout", () => StorageComparison.BTreeInsertWriteBound(2, 2, 1));
        OutOfRange("fanout", () => StorageComparison.BTreeInsertWriteBound(2, 1_000_001, 1));
        OutOfRange("entries", () => StorageComparison.BTreeInsertWriteBound(2, 3, 0));
        OutOfRange("entries", () => StorageComparison.BTreeInsertWriteBound(2, 3, long.MaxValue / 2 + 1));

        var e = new EngineCosts("e", 1, 1, 1, 1, 1, 1, 1, false);
        Null("name", () => StorageComparison.Mix(null!, 0.5, "point", e, e));
        Invalid("name", () => StorageComparison.Mix("", 0.5, "point", e, e));
        OutOfRange("insertShare", () => StorageComparison.Mix("m", -0.01, "point", e, e));
        OutOfRange("insertShare", () => StorageComparison.Mix("m", 1.01, "point", e, e));
        Invalid("reads", () => StorageComparison.Mix("m", 0.5, "scan", e, e), "reads must be \"point\" or \"range\"; got \"scan\"");
        Null("btree", () => StorageComparison.Mix("m", 0.5, "range", null!, e));
        Null("lsm", () => StorageComparison.Mix("m", 0.5, "range", e, null!));
    }

    [Fact]
    public void Query_plans_refuse_missing_connections_empty_statements_and_json_without_a_plan()
    {
        using var pg = new NpgsqlConnection();
        using var db = Sqlite();
        Null("connection", () => QueryPlans.ExplainPostgres(null!, "SELECT 1"));
        Null("sql", () => QueryPlans.ExplainPostgres(pg, null!));
        Invalid("sql", () => QueryPlans.ExplainPostgres(pg, ""));
        ReachesTheDatabase(() => QueryPlans.ExplainPostgres(pg, "SELECT 1"));
        Null("json", () => QueryPlans.ParsePostgresJson(null!));
        Invalid("json", () => QueryPlans.ParsePostgresJson(""));
        Invalid("json", () => QueryPlans.ParsePostgresJson("[{}]"), "the JSON has no \"Plan\" object: is it EXPLAIN (FORMAT JSON) output?");
        Null("connection", () => QueryPlans.ExplainSqlite(null!, "SELECT 1"));
        Null("sql", () => QueryPlans.ExplainSqlite(db, null!));
        Invalid("sql", () => QueryPlans.ExplainSqlite(db, ""));
        ReachesTheDatabase(() => QueryPlans.ExplainSqlite(db, "SELECT 1"));
        Null("rows", () => QueryPlans.ParseSqlite(null!));
        Null("detail", () => QueryPlans.ParseSqlite([(1, 0, null!)]));
    }

    [Fact]
    public void Plan_comparison_refuses_missing_cases_results_and_trees()
    {
        var none = new Dictionary<string, PostgresCaseResult>();
        var noSqlite = new Dictionary<string, SqliteCaseResult>();
        Null("cases", () => PlanComparison.Rows(null!, none, noSqlite));
        Null("postgres", () => PlanComparison.Rows(IndexCases.Skipped, null!, noSqlite));
        Null("sqlite", () => PlanComparison.Rows(IndexCases.Skipped, none, null!));
        Assert.Equal(IndexCases.Skipped.Count, PlanComparison.Rows(IndexCases.Skipped, none, noSqlite).Count);
        Null("trees", () => PlanComparison.PostgresTrees(null!));
        Null("trees", () => PlanComparison.Capacities(null!));
    }

    [Fact]
    public void Postgres_btree_refuses_a_missing_connection_bad_columns_and_sizes_outside_their_ranges()
    {
        using var pg = new NpgsqlConnection();
        Null("connection", () => PostgresBTree.CreateTable(null!, 1, 0));
        OutOfRange("rows", () => PostgresBTree.CreateTable(pg, 0, 0));
        OutOfRange("rows", () => PostgresBTree.CreateTable(pg, 2_000_001, 0));
        OutOfRange("wideRows", () => PostgresBTree.CreateTable(pg, 5, -1));
        OutOfRange("wideRows", () => PostgresBTree.CreateTable(pg, 5, 6));
        ReachesTheDatabase(() => PostgresBTree.CreateTable(pg, 5, 5));
        Null("connection", () => PostgresBTree.BuildIndex(null!, "id", 1));
        Invalid("column", () => PostgresBTree.BuildIndex(pg, "x", 1), "column must be \"id\" or \"w\"; got \"x\"");
        OutOfRange("rows", () => PostgresBTree.BuildIndex(pg, "id", 0));
        OutOfRange("rows", () => PostgresBTree.BuildIndex(pg, "w", 2_000_001));
        ReachesTheDatabase(() => PostgresBTree.BuildIndex(pg, "w", 2_000_000));
        ReachesTheDatabase(() => PostgresBTree.BuildIndex(pg, "id", 1));
        Null("connection", () => PostgresBTree.Inspect(null!, "i"));
        Null("index", () => PostgresBTree.Inspect(pg, null!));
        Invalid("index", () => PostgresBTree.Inspect(pg, ""));
        OutOfRange("entries", () => PostgresBTree.PredictPagesPerLevel(-1, 1, 2));
        OutOfRange("entries", () => PostgresBTree.PredictPagesPerLevel(long.MaxValue / 2 + 1, 1, 2));
        OutOfRange("leafCapacity", () => PostgresBTree.PredictPagesPerLevel(0, 0, 2));
        OutOfRange("leafCapacity", () => PostgresBTree.PredictPagesPerLevel(0, 100_001, 2));
        OutOfRange("internalFanout", () => PostgresBTree.PredictPagesPerLevel(0, 1, 1));
        OutOfRange("internalFanout", () => PostgresBTree.PredictPagesPerLevel(0, 1, 100_001));
    }

    [Fact]
    public void Postgres_index_lab_refuses_a_missing_connection_or_cases_and_sizes_outside_their_ranges()
    {
        using var pg = new NpgsqlConnection();
        var rows = IndexLabData.Users(10, 1);
        Null("connection", () => PostgresIndexLab.CreateUsers(null!, rows));
        Null("rows", () => PostgresIndexLab.CreateUsers(pg, null!));
        ReachesTheDatabase(() => PostgresIndexLab.CreateUsers(pg, rows));
        Null("connection", () => PostgresIndexLab.DropAll(null!));
        Null("connection", () => PostgresIndexLab.Run(null!, IndexCases.Skipped));
        Null("cases", () => PostgresIndexLab.Run(pg, null!));
        Null("connection", () => PostgresIndexLab.CompareIntegerWithTextParameter(null!));
        Null("connection", () => PostgresIndexLab.SelectivitySweep(null!, [1]));
        Null("thresholds", () => PostgresIndexLab.SelectivitySweep(pg, null!));
        Invalid("thresholds", () => PostgresIndexLab.SelectivitySweep(pg, []));
        OutOfRange("t", () => PostgresIndexLab.SelectivitySweep(pg, [1, 0]));
        OutOfRange("t", () => PostgresIndexLab.SelectivitySweep(pg, [IndexLabData.ARange + 1]));
        ReachesTheDatabase(() => PostgresIndexLab.SelectivitySweep(pg, [1, IndexLabData.ARange]));
        Null("connection", () => PostgresIndexLab.CoveringIndex(null!, 100, 1));
        OutOfRange("rows", () => PostgresIndexLab.CoveringIndex(pg, 99, 1));
        OutOfRange("rows", () => PostgresIndexLab.CoveringIndex(pg, 1_000_001, 1));
        Null("connection", () => PostgresIndexLab.AnalyzeEffect(null!, 1000, 1));
        OutOfRange("rows", () => PostgresIndexLab.AnalyzeEffect(pg, 999, 1));
        OutOfRange("rows", () => PostgresIndexLab.AnalyzeEffect(pg, 1_000_001, 1));
        OutOfRange("threshold", () => PostgresIndexLab.AnalyzeEffect(pg, 1000, 0));
        OutOfRange("threshold", () => PostgresIndexLab.AnalyzeEffect(pg, 1000, IndexLabData.ARange + 1));
        ReachesTheDatabase(() => PostgresIndexLab.AnalyzeEffect(pg, 1000, IndexLabData.ARange));
        Null("connection", () => PostgresIndexLab.OrVersusUnion(null!, 1, 1));
        OutOfRange("userIdAtMost", () => PostgresIndexLab.OrVersusUnion(pg, 0, 1));
        OutOfRange("aBelow", () => PostgresIndexLab.OrVersusUnion(pg, 1, 0));
        OutOfRange("aBelow", () => PostgresIndexLab.OrVersusUnion(pg, 1, IndexLabData.ARange + 1));
        ReachesTheDatabase(() => PostgresIndexLab.OrVersusUnion(pg, int.MaxValue, IndexLabData.ARange));
        Null("connection", () => PostgresIndexLab.WalRecordsPerRow(null!, 0, 100));
        OutOfRange("indexes", () => PostgresIndexLab.WalRecordsPerRow(pg, -1, 100));
        OutOfRange("indexes", () => PostgresIndexLab.WalRecordsPerRow(pg, 4, 100));
        OutOfRange("rows", () => PostgresIndexLab.WalRecordsPerRow(pg, 3, 99));
        OutOfRange("rows", () => PostgresIndexLab.WalRecordsPerRow(pg, 3, 1_000_001));
        ReachesTheDatabase(() => PostgresIndexLab.WalRecordsPerRow(pg, 3, 100));
        Null("connection", () => PostgresIndexLab.RelationExists(null!, "pg_class"));
        Null("name", () => PostgresIndexLab.RelationExists(pg, null!));
        Invalid("name", () => PostgresIndexLab.RelationExists(pg, ""));
    }

    [Fact]
    public void Postgres_gist_lab_refuses_a_missing_connection_or_points_and_circles_off_the_globe()
    {
        using var pg = new NpgsqlConnection();
        Null("connection", () => PostgresGistLab.Load(null!, Points));
        Null("points", () => PostgresGistLab.Load(pg, null!));
        ReachesTheDatabase(() => PostgresGistLab.Load(pg, Points));
        Null("connection", () => PostgresGistLab.Radius(null!, 0, 0, 1));
        OutOfRange("lat", () => PostgresGistLab.Radius(pg, 90.01, 0, 1));
        OutOfRange("radiusKm", () => PostgresGistLab.Radius(pg, 0, 0, 0));
        Null("connection", () => PostgresGistLab.Plan(null!));
        Null("connection", () => PostgresGistLab.Drop(null!));
    }

    [Fact]
    public void Sqlite_labs_refuse_a_missing_connection_or_input()
    {
        using var db = Sqlite();
        var rows = IndexLabData.Users(10, 1);
        Null("connection", () => SqliteIndexLab.CreateUsers(null!, rows));
        Null("rows", () => SqliteIndexLab.CreateUsers(db, null!));
        ReachesTheDatabase(() => SqliteIndexLab.CreateUsers(db, rows));
        Null("connection", () => SqliteIndexLab.Run(null!, IndexCases.Skipped));
        Null("cases", () => SqliteIndexLab.Run(db, null!));
        Null("connection", () => SqliteIndexLab.RadiusByGeohash(null!, Points, 0, 0, 1));
        Null("points", () => SqliteIndexLab.RadiusByGeohash(db, null!, 0, 0, 1));
        Null("connection", () => SqliteIndexLab.Build(null!));
        Null("connection", () => SqliteRTreeLab.Load(null!, Points));
        Null("points", () => SqliteRTreeLab.Load(db, null!));
        ReachesTheDatabase(() => SqliteRTreeLab.Load(db, Points));
        Null("connection", () => SqliteRTreeLab.Radius(null!, 0, 0, 1));
        OutOfRange("radiusKm", () => SqliteRTreeLab.Radius(db, 0, 0, 2000.01));
        Null("connection", () => SqliteRTreeLab.Plan(null!));
        Null("connection", () => SqliteRTreeLab.Shape(null!));
        Null("connection", () => SqliteRTreeLab.Drop(null!));
    }

    [Fact]
    public void N_plus_one_lab_refuses_a_missing_connection_and_sizes_outside_their_ranges()
    {
        using var db = Sqlite();
        Null("connection", () => NPlusOneLab.Measure(null!, 1, 1, 1, 1));
        OutOfRange("parents", () => NPlusOneLab.Measure(db, 0, 1, 1, 1));
        OutOfRange("parents", () => NPlusOneLab.Measure(db, 100_001, 1, 1, 1));
        OutOfRange("childrenPerParent", () => NPlusOneLab.Measure(db, 1, 0, 1, 1));
        OutOfRange("childrenPerParent", () => NPlusOneLab.Measure(db, 1, 1_001, 1, 1));
        OutOfRange("batch", () => NPlusOneLab.Measure(db, 1, 1, 0, 1));
        OutOfRange("batch", () => NPlusOneLab.Measure(db, 1, 1, 10_001, 1));
        OutOfRange("repeats", () => NPlusOneLab.Measure(db, 1, 1, 1, 0));
        OutOfRange("repeats", () => NPlusOneLab.Measure(db, 1, 1, 1, 101));
        ReachesTheDatabase(() => NPlusOneLab.Measure(db, 100_000, 1_000, 10_000, 100));
    }

    [Fact]
    public void Redis_geo_lab_refuses_a_missing_database_no_points_and_latitudes_redis_cannot_store()
    {
        var db = Refusing.Create<IDatabase>();
        Null("db", () => RedisGeoLab.Compare(null!, Points, 0, 0, 1));
        Null("points", () => RedisGeoLab.Compare(db, null!, 0, 0, 1));
        Invalid("points", () => RedisGeoLab.Compare(db, [], 0, 0, 1));
        OutOfRange("lat", () => RedisGeoLab.Compare(db, Points, 85.01, 0, 1));
        OutOfRange("lat", () => RedisGeoLab.Compare(db, Points, -85.01, 0, 1));
        OutOfRange("lon", () => RedisGeoLab.Compare(db, Points, 0, 180.01, 1));
        OutOfRange("lon", () => RedisGeoLab.Compare(db, Points, 0, -180.01, 1));
        OutOfRange("radiusKm", () => RedisGeoLab.Compare(db, Points, 0, 0, 0.0009));
        OutOfRange("radiusKm", () => RedisGeoLab.Compare(db, Points, 0, 0, 1000.01));
        const string polar = "Redis stores latitudes within ±85.05° only";
        Invalid("points", () => RedisGeoLab.Compare(db, [new(1, 85.06, 0)], 0, 0, 1), polar);
        Invalid("points", () => RedisGeoLab.Compare(db, [new(1, 0, 0), new(2, -85.06, 0)], 0, 0, 1), polar);
        Assert.Throws<NotSupportedException>(() => RedisGeoLab.Compare(db, [new(1, 85.05, 0), new(2, -85.05, 0)], 85, 180, 1000));
        Assert.Throws<NotSupportedException>(() => RedisGeoLab.Compare(db, Points, -85, -180, 0.001));
    }
}

internal static class LsmTreeTestExtensions
{
    /// <summary>Puts keys 2, 4, …, 2n (value = key) and flushes, so the tree has at least one SSTable.</summary>
    public static LsmTree Flushed(this LsmTree tree, int n)
    {
        for (int i = 1; i <= n; i++) tree.Put(2 * i, 2 * i);
        tree.Flush();
        return tree;
    }
}
