using SystemDesign.Indexing;

namespace SystemDesign.Tests.Indexing;

/// <summary>
/// Exact, hand-traced results of the parts that need no server: plan parsing and rendering, the comparison
/// tables, the LSM tree's counters on a tiny tree, the B+tree's split counters, and the small formulas.
/// </summary>
public sealed class PlanAndModelTests
{
    private const string Json = """
        [{"Plan": {"Node Type": "Limit", "Plan Rows": 5, "Actual Rows": 5, "WAL Records": 3,
          "Plans": [{"Node Type": "Index Only Scan", "Relation Name": "t", "Index Name": "t_a", "Index Cond": "(a > 1)",
                     "Recheck Cond": "(a > 0)", "Filter": "(b = 2)", "Heap Fetches": 0, "Plan Rows": 7.5, "Shared Hit Blocks": 4},
                    {"Relation Name": "u", "Index Name": "t_a", "Plan Rows": "9", "Filter": 1, "Shared Read Blocks": 2}]}}]
        """;

    [Fact]
    public void A_postgres_plan_is_parsed_field_by_field_and_rendered_as_text_and_a_summary()
    {
        var plan = QueryPlans.ParsePostgresJson(Json);
        Assert.Equal(("Limit", 5.0, (double?)5, 3L, (long?)null), (plan.NodeType, plan.PlanRows, plan.ActualRows, plan.WalRecords, plan.HeapFetches));
        var scan = plan.Children[0];
        Assert.Equal(("t", "t_a", "(a > 1)", "(b = 2)", 7.5, (long?)0), (scan.Relation, scan.Index, scan.IndexCond, scan.Filter, scan.PlanRows, scan.HeapFetches));
        Assert.Equal((4L, 0L, 4L, (double?)null), (scan.SharedHit, scan.SharedRead, scan.Buffers, scan.ActualRows));
        var odd = plan.Children[1];   // no node type, a string row count and a numeric filter are not read
        Assert.Equal(("?", 0.0, (string?)null, 2L), (odd.NodeType, odd.PlanRows, odd.Filter, odd.Buffers));
        Assert.Equal(new[] { "Limit", "Index Only Scan", "?" }, plan.Walk().Select(n => n.NodeType));
        Assert.Equal(new[] { "t_a" }, plan.IndexesUsed);
        Assert.Equal("Index Only Scan", plan.Access);
        Assert.Equal("Limit ← Index Only Scan (t_a) + ? (t_a)", plan.Summary());
        Assert.Equal("Limit\n  Index Only Scan using t_a on t  [cond: (a > 1)]  [filter: (b = 2)]  [heap fetches: 0]\n  ? using t_a on u",
            plan.ToText().ReplaceLineEndings("\n"));

        var result = QueryPlans.ParsePostgresJson("""{"Plan": {"Node Type": "Result"}}""");   // an object, not an array
        Assert.Equal(("Result", "Result", "Result", "Result"), (result.Access, result.Summary(), result.ToText(), result.NodeType));
        Assert.Empty(result.IndexesUsed);
        Assert.Empty(result.Children);
    }

    [Fact]
    public void Sqlite_plan_steps_are_classified_by_their_detail()
    {
        var plan = QueryPlans.ParseSqlite([
            (2, 0, "USE TEMP B-TREE FOR ORDER BY"),
            (3, 0, "SCAN t USING INDEX i"),
            (4, 3, "SEARCH TABLE u AS x USING INTEGER PRIMARY KEY (rowid=?)"),
            (5, 0, "SEARCH u USING PRIMARY KEY (id=?)"),
            (6, 0, "SEARCH v USING COVERING INDEX i (a=? AND b>?)"),
            (7, 0, "MULTI-INDEX OR"),
            (8, 0, "multi-index or"),
            (9, 0, "SCAN w"),
        ]);
        var s = plan.Steps;
        Assert.Equal((2, 0, SqliteAccess.Other, (string?)null), (s[0].Id, s[0].Parent, s[0].Access, s[0].Table));
        Assert.Equal((SqliteAccess.Scan, "t", "i", false, (string?)null), (s[1].Access, s[1].Table, s[1].Index, s[1].Covering, s[1].Constraint));
        Assert.Equal((4, 3, SqliteAccess.Search, "u", "PRIMARY KEY", "rowid=?"), (s[2].Id, s[2].Parent, s[2].Access, s[2].Table, s[2].Index, s[2].Constraint));
        Assert.Equal(("PRIMARY KEY", "id=?"), (s[3].Index, s[3].Constraint));
        Assert.Equal((SqliteAccess.Search, "v", "i", true, "a=? AND b>?"), (s[4].Access, s[4].Table, s[4].Index, s[4].Covering, s[4].Constraint));
        Assert.Equal((SqliteAccess.MultiIndexOr, (string?)null, (string?)null), (s[5].Access, s[5].Table, s[5].Index));
        Assert.Equal(SqliteAccess.Other, s[6].Access);   // the keyword is upper case
        Assert.Equal((SqliteAccess.Scan, "w", (string?)null, (string?)null), (s[7].Access, s[7].Table, s[7].Index, s[7].Constraint));
        Assert.Equal(SqliteAccess.Scan, plan.Access);     // the first step that reads a table
        Assert.Equal(new[] { "i", "PRIMARY KEY" }, plan.IndexesUsed);
        Assert.StartsWith("USE TEMP B-TREE FOR ORDER BY | SCAN t USING INDEX i | SEARCH TABLE", plan.Text, StringComparison.Ordinal);
        Assert.Equal(SqliteAccess.Other, QueryPlans.ParseSqlite([]).Access);
        Assert.Equal(SqliteAccess.MultiIndexOr, QueryPlans.ParseSqlite([(1, 0, "MULTI-INDEX OR"), (2, 1, "SCAN t")]).Access);
    }

    private static PlanNode Node(string type, string? index = null, long hit = 0, long read = 0, PlanNode[]? children = null)
        => new(type, null, index, null, null, 1, null, null, hit, read, 0, children ?? []);

    private static readonly IndexCase Case = new("c", "q?", ["CREATE INDEX i ON t (a)"], "SELECT 1", [], "SELECT 1");

    [Fact]
    public void Case_results_count_the_pages_of_bitmap_index_scans_only_and_tables_line_them_up()
    {
        var plan = Node("Bitmap Heap Scan", hit: 100, children: [Node("BitmapOr", children: [
            Node("Bitmap Index Scan", "i", 2, 1), Node("Bitmap Index Scan", "j", 4), Node("Index Scan", "k", 10)])]);
        var pg = new PostgresCaseResult(Case, plan, new Dictionary<string, long> { ["i"] = 10, ["j"] = 5 }, new Dictionary<string, int>());
        Assert.Equal(("c", "Bitmap Heap Scan", true, 7L), (pg.Key, pg.Access, pg.UsesIndex, pg.IndexPagesRead));
        Assert.False(new PostgresCaseResult(Case, Node("Seq Scan"), new Dictionary<string, long>(), new Dictionary<string, int>()).UsesIndex);
        var lite = new SqliteCaseResult(Case, QueryPlans.ParseSqlite([(1, 0, "SEARCH t USING INDEX i (a=?)")]));
        Assert.Equal(("c", SqliteAccess.Search, true), (lite.Key, lite.Access, lite.UsesIndex));
        Assert.False(new SqliteCaseResult(Case, QueryPlans.ParseSqlite([(1, 0, "SCAN t")])).UsesIndex);

        var other = Case with { Key = "d", Question = "r?" };
        var rows = PlanComparison.Rows([Case, other], new Dictionary<string, PostgresCaseResult> { ["c"] = pg },
            new Dictionary<string, SqliteCaseResult> { ["c"] = lite });
        Assert.Equal(new PlanRow("c", "q?", plan.Summary(), 7, 15, "SEARCH t USING INDEX i (a=?)"), rows[0]);
        Assert.Equal(new PlanRow("d", "r?", "(not run)", 0, 0, "—"), rows[1]);
    }

    private static BTreeInspection Inspection(int leaves, int leafCapacity, bool linksOk = true) => new("i", leaves * leafCapacity, 3,
        [new(0, leaves, leafCapacity, 5, linksOk), new(1, leaves / 10, 10, 1, true), new(2, 1, 0, leaves / 10, true)]);

    [Fact]
    public void Postgres_trees_take_their_capacities_from_the_largest_index_of_their_key_type()
    {
        var small = Inspection(10, 9);
        var large = Inspection(100, 10);
        var wide = Inspection(20, 4, linksOk: false);
        var trees = new List<(string, int, BTreeInspection)> { ("id", 1000, large), ("id", 100, small), ("w", 80, wide) };
        var caps = PlanComparison.Capacities(trees);
        Assert.Same(large, caps["id"]);
        Assert.Same(wide, caps["w"]);
        Assert.Equal((10, 10), (large.LeafCapacity, large.InternalFanout));
        Assert.Equal(0, new BTreeInspection("x", 1, 1, [new(0, 1, 0, 1, true)]).InternalFanout);

        var rows = PlanComparison.PostgresTrees(trees);
        Assert.Equal(new BTreeComparison("id", 1000, 10, 10, 3, 3, 3, "100 / 10 / 1", "100 / 10 / 1", true), rows[0]);
        Assert.Equal(new BTreeComparison("id", 100, 10, 10, 3, 2, 2, "10 / 1 / 1", "10 / 1", true), rows[1]);
        Assert.False(rows[2].LinksOk);
    }

    [Fact]
    public void Predicted_postgres_pages_let_the_rightmost_page_hold_one_more_item()
    {
        Assert.Equal(new long[] { 1 }, PostgresBTree.PredictPagesPerLevel(0, 100, 10));
        Assert.Equal(new long[] { 1 }, PostgresBTree.PredictPagesPerLevel(101, 100, 10));
        Assert.Equal(new long[] { 2, 1 }, PostgresBTree.PredictPagesPerLevel(102, 100, 10));
        Assert.Equal(new long[] { 10, 1 }, PostgresBTree.PredictPagesPerLevel(1001, 100, 10));
        Assert.Equal(new long[] { 11, 1 }, PostgresBTree.PredictPagesPerLevel(1101, 100, 10));
        Assert.Equal(new long[] { 12, 2, 1 }, PostgresBTree.PredictPagesPerLevel(1102, 100, 10));
    }

    [Theory]
    [InlineData("CREATE INDEX i ON t (lower(email))", true)]
    [InlineData("CREATE INDEX i ON t (reverse(name))", true)]
    [InlineData("CREATE INDEX i ON t (a, b)", false)]
    [InlineData("CREATE INDEX i ON t USING hash (email)", false)]
    [InlineData("CREATE INDEX i ON t (name_icu text_pattern_ops)", false)]
    [InlineData("CREATE INDEX i ON t", false)]
    public void Expression_indexes_have_a_call_inside_their_column_list(string ddl, bool expression)
        => Assert.Equal(expression, PostgresIndexLab.IsExpressionIndex(ddl));

    [Fact]
    public void A_leveled_lsm_tree_counts_every_byte_and_every_probe_of_a_hand_traced_run()
    {
        var tree = new LsmTree(new LsmOptions
        {
            MemtableEntries = 2, L0Trigger = 2, SizeRatio = 2, FileEntries = 2, EntryBytes = 1, BloomFalsePositiveRate = 0,
        });
        for (long k = 1; k <= 4; k++) tree.Put(k, 10 * k);
        // Two flushes filled L0 to its trigger: both files merged into L1 as [1, 2] and [3, 4] (4 = L1's capacity, not above).
        var s = tree.Stats();
        Assert.Equal((4L, 4L, 4L, 4L, 4L, 1, 1, 4L), (s.Puts, s.BytesIngested, s.FlushBytes, s.CompactionBytes, s.CompactionReadBytes,
            s.Compactions, s.SortedRuns, s.WalBytes));
        Assert.Equal(new long[] { 4, 4 }, s.WrittenPerLevel);
        Assert.Equal(new[] { 0, 2 }, s.FilesPerLevel);
        Assert.Equal(new long[] { 0, 4 }, s.EntriesPerLevel);
        Assert.Equal((2.0, 1, 1.0, 1.0, 0.0), (s.WriteAmplification, s.LevelsInUse, s.LevelWriteAmplification(0), s.LevelWriteAmplification(1),
            s.LevelWriteAmplification(2)));
        Assert.Equal(new LsmLookup(true, 30, false, 1, 0, 1), tree.Get(3));
        Assert.Equal(new LsmLookup(true, 20, false, 1, 0, 1), tree.Get(2));
        Assert.Equal(new LsmLookup(false, 0, false, 0, 0, 0), tree.Get(5));
        var scan = tree.Scan(2, 3);
        Assert.Equal((2, 2), (scan.TablesRead, scan.BlocksRead));
        Assert.Equal(new long[] { 2, 3 }, scan.Items.Select(e => e.Key));

        tree.Put(5, 50);
        Assert.Equal(new LsmLookup(true, 50, true, 0, 0, 0), tree.Get(5));
        var withMemtable = tree.Scan(4, 5);
        Assert.Equal((1, 1), (withMemtable.TablesRead, withMemtable.BlocksRead));
        Assert.Equal(new long[] { 40, 50 }, withMemtable.Items.Select(e => e.Value));
        tree.Put(1, 11);   // flushed as the L0 file [1, 5], which covers 2 and 3 without holding them
        Assert.Equal(new LsmLookup(true, 11, false, 1, 0, 1), tree.Get(1));
        Assert.Equal(new LsmLookup(true, 30, false, 2, 0, 2), tree.Get(3));
        var overlapped = tree.Scan(2, 3);
        Assert.Equal((3, 3), (overlapped.TablesRead, overlapped.BlocksRead)); // the L0 file costs a block, for nothing
        Assert.Equal(new long[] { 20, 30 }, overlapped.Items.Select(e => e.Value));
        Assert.Equal(11, tree.Scan(1, 1).Items.Single().Value);
        Assert.Equal(2, tree.Stats().SortedRuns);
        Assert.Equal(0, new LsmTree(new LsmOptions()).Stats().WriteAmplification);
        Assert.Equal(0, new LsmTree(new LsmOptions()).Stats().LevelWriteAmplification(0));
    }

    [Fact]
    public void A_tiered_lsm_tree_meets_the_tiered_bound_exactly_when_every_tier_merges()
    {
        var tree = new LsmTree(new LsmOptions
        {
            MemtableEntries = 1, SizeRatio = 2, EntryBytes = 1, BloomFalsePositiveRate = 0, Style = CompactionStyle.Tiered,
        });
        for (long k = 1; k <= 4; k++) tree.Put(k, 10 * k);
        // Flushes [1] [2] merge into tier 1, [3] [4] too, and the two runs of tier 1 merge into tier 2.
        var s = tree.Stats();
        Assert.Equal((4L, 8L, 8L, 3, 1), (s.FlushBytes, s.CompactionBytes, s.CompactionReadBytes, s.Compactions, s.SortedRuns));
        Assert.Equal(new long[] { 4, 4, 4 }, s.WrittenPerLevel);
        Assert.Equal(new[] { 0, 0, 1 }, s.FilesPerLevel);
        Assert.Equal(3.0, s.WriteAmplification);
        Assert.Equal(3, LsmTheory.TieredBound(4, 2));
        Assert.Equal(new LsmLookup(true, 30, false, 1, 0, 1), tree.Get(3));
        tree.Put(1, 99);
        Assert.Equal(new LsmLookup(true, 99, false, 1, 0, 1), tree.Get(1));   // the newest run is read first
        Assert.Equal(2, tree.Stats().SortedRuns);
    }

    [Fact]
    public void Lsm_theory_formulas_give_their_documented_values()
    {
        Assert.Equal(1, LsmTheory.TieredBound(1, 2));
        Assert.Equal(2, LsmTheory.TieredBound(99, 10));
        Assert.Equal(3, LsmTheory.TieredBound(100, 10));
        Assert.Equal(15, LsmTheory.LeveledEstimate(3, 10));
        Assert.Equal(3, LsmTheory.LeveledWorstCase(1, 10));
        var stats = new LsmStats(30, 30, 30, 0, 0, [0], [0], [10, 20], 0);
        Assert.Equal(50.0 / 30, LsmTheory.LeveledLowerBound(stats), 12);
        var reads = new LsmReadCounts(4, 8, 12, 2, 20, 6);
        Assert.Equal((2.0, 3.0, 0.5, 5.0), (reads.PresentWithMean, reads.PresentWithoutMean, reads.AbsentWithMean, reads.AbsentWithoutMean));
    }

    [Fact]
    public void Bplus_tree_counters_follow_each_split_of_a_hand_traced_insert_sequence()
    {
        var tree = new BPlusTree<int, int>(3);   // leaves of 2 keys, internal pages of 3 children
        tree.Insert(1, 1);
        tree.Insert(2, 2);
        Assert.Equal((0L, 2L, 1), (tree.Splits, tree.PagesWritten, tree.Height));
        tree.Insert(3, 3);   // leaf split (+1 new leaf) and a new root (+1)
        Assert.Equal((1L, 5L, 2), (tree.Splits, tree.PagesWritten, tree.Height));
        for (int k = 4; k <= 7; k++) tree.Insert(k, k);   // two more leaf splits; the second splits the root too
        Assert.Equal((4L, 15L, 3), (tree.Splits, tree.PagesWritten, tree.Height));
        Assert.True(tree.Insert(0, 0));   // splits the leftmost leaf, whose right neighbour's back link changes (+2)
        Assert.Equal((5L, 19L, 3, 8), (tree.Splits, tree.PagesWritten, tree.Height, tree.Count));
        Assert.False(tree.Insert(3, 30));   // a replacement writes its leaf only
        Assert.Equal((5L, 20L, 8, 30), (tree.Splits, tree.PagesWritten, tree.Count, tree.Search(3).Value));
        var (forward, backward) = tree.LeafChain();
        Assert.Equal(forward.Reverse(), backward);
        Assert.Equal(tree.LeafCount, forward.Count);
        var trace = tree.Search(7);
        Assert.Equal((true, 3), (trace.Found, trace.PagesRead));
        var range = tree.Range(2, 5, descending: true);
        Assert.Equal(new[] { 5, 4, 3, 2 }, range.Items.Select(e => e.Key));
        Assert.Equal(range.Path.Count, range.PagesRead);
        Assert.Equal(2 + range.LeavesTouched, range.PagesRead);
    }

    [Fact]
    public void Small_formulas_give_exact_values_at_their_boundaries()
    {
        // l = ⌊(3+1)/2⌋ = 2, h = 2: 1 + 3/2 + 2·(1/2 + 2/4)/1.
        Assert.Equal(4.5, StorageComparison.BTreeInsertWriteBound(3, 3, 4), 12);
        var btree = new EngineCosts("B-tree", 1, 2, 3, 4, 5, 6, 7, false);
        var lsm = new EngineCosts("LSM", 0.5, 0.5, 9, 2, 3, 8, 7, true);
        Assert.Equal(3, btree.InsertPages);
        var point = StorageComparison.Mix("m", 0.25, "point", btree, lsm);
        Assert.Equal(new MixCost("m", 0.25, "point", 0.25 * 3 + 0.75 * 4, 0.25 * 1 + 0.75 * 2), point);
        Assert.Equal((0.25 + 1.5) / 3.75, point.LsmOverBTree, 12);
        var range = StorageComparison.Mix("r", 0.5, "range", btree, lsm);
        Assert.Equal((0.5 * 3 + 0.5 * 6, 0.5 * 1 + 0.5 * 8), (range.BTreePagesPerOp, range.LsmPagesPerOp));

        var cell = new GeoCell("s", 0, 10, 20, 40);
        Assert.Equal((5.0, 30.0, 10.0, 20.0), (cell.Lat, cell.Lon, cell.LatSpan, cell.LonSpan));
        Assert.True(cell.Contains(0, 20));
        Assert.False(cell.Contains(10, 30));
        Assert.False(cell.Contains(5, 40));
        Assert.False(cell.Contains(-0.001, 30));
        Assert.False(cell.Contains(5, 19.999));
        Assert.Equal(Geohash.CellWidthKm(5, 0) / 2, Geohash.CellWidthKm(5, 60), 9);
        Assert.Equal(Geohash.CellSize(5).LatDegrees * Math.PI / 180 * Geohash.EarthRadiusKm, Geohash.CellHeightKm(5), 12);

        Assert.Equal("any", ColumnPredicate.Any.ToString());
        Assert.Equal("= 5", ColumnPredicate.Equal(5).ToString());
        Assert.Equal("in [1, 3]", ColumnPredicate.Between(1, 3).ToString());
        Assert.Equal($"in [7, {int.MaxValue}]", ColumnPredicate.AtLeast(7).ToString());
        Assert.False(ColumnPredicate.Any.IsEquality);
        Assert.True(ColumnPredicate.AtLeast(7).Matches(7));
        Assert.False(ColumnPredicate.AtLeast(7).Matches(6));
        Assert.Equal(1, new IndexAccess("q", 0, true, 1, 1, 0, 0).Precision);
        Assert.Equal(0.25, new IndexAccess("q", 0, true, 1, 1, 8, 2).Precision);
        var index = new CompositeIndex([(1, 1, 1), (1, 2, 1), (2, 1, 1)], 3, 2);
        Assert.Equal("(no condition)", index.Query(ColumnPredicate.Any, ColumnPredicate.Any, ColumnPredicate.Any).Query);
        Assert.Equal("a = 1 AND c in [1, 3]",
            index.Query(ColumnPredicate.Equal(1), ColumnPredicate.Any, ColumnPredicate.Between(1, 3)).Query);

        var shape = TreeHeight.Shape(1000, 10, 10, 4096);
        Assert.Equal((3, 100L, 11L, 11L * 4096), (shape.Height, shape.LeafPages, shape.InternalPages, shape.InternalBytes));
        Assert.Equal((3, 1, 0), (shape.DiskReads(0), shape.DiskReads(2), shape.DiskReads(3)));
        Assert.Equal(358, TreeHeight.EntriesPerPage(8192, 16, 0.7));
        Assert.Equal(1, TreeHeight.EntriesPerPage(512, 512, 0.5));
    }
}
