using System.Text.Json.Nodes;
using Plotly.NET;
using SystemDesign.Indexing;

namespace SystemDesign.Tests.Indexing;

/// <summary>Exact outputs of the in-memory experiments for fixed inputs and seeds: costs, rows, charts, tree shapes.</summary>
public sealed class ExactOutputTests
{
    [Fact]
    public void BTree_costs_for_a_fixed_seed_count_the_leaf_of_each_read_and_the_pages_each_insert_dirties()
    {
        // Leaves of 512/64 = 8 entries, internal pages of 512/16 = 32 children.
        var a = StorageComparison.MeasureBTree(1000, 512, 64, 50, 20, 1);
        Assert.Equal(new EngineCosts("B-tree", 1, 1.528, 12.224, 1, 1, 4.28, 20, SequentialWrites: false), a);
        Assert.Equal(2.528, a.InsertPages, 12);
        var b = StorageComparison.MeasureBTree(2000, 1024, 32, 40, 50, 3);
        Assert.Equal(new EngineCosts("B-tree", 1, 1.13, 36.16, 1, 1, 3.125, 50, SequentialWrites: false), b);
    }

    [Fact]
    public void Lsm_costs_for_a_fixed_seed_differ_between_leveled_and_tiered_compaction()
    {
        var options = new LsmOptions { MemtableEntries = 50, FileEntries = 50, SizeRatio = 4, EntryBytes = 64, BlockBytes = 512 };
        var leveled = StorageComparison.MeasureLsm(options, 1000, 50, 20, 1);
        Assert.Equal(new EngineCosts("LSM (leveled)", 0.3875, 0.5125, 4.1, 1, 0.06, 4.14, 20, SequentialWrites: true), leveled);
        var tiered = StorageComparison.MeasureLsm(options with { Style = CompactionStyle.Tiered }, 1000, 50, 20, 1);
        Assert.Equal(new EngineCosts("LSM (tiered)", 0.225, 0.35, 2.8, 1.02, 0, 4.16, 20, SequentialWrites: true), tiered);
    }

    [Fact]
    public void Write_bound_with_internal_pages_of_three_children_or_more()
    {
        // l = 2, h = 3: 1 + 3/2 + 2·(1/2 + 3/10)/2 = 3.3.
        Assert.Equal(3.3, StorageComparison.BTreeInsertWriteBound(4, 5, 10), 12);
    }

    [Fact]
    public void Fringe_fill_of_even_leaf_capacities_where_the_two_split_sizes_differ()
    {
        // L = 2 splits into 2 + 1: x1 = x2 = 1/2, fill 3/4. L = 4 splits into 3 + 2: x = 1/3, 5/12, 1/4, fill 35/48.
        Assert.Equal(0.75, TreeHeight.ExpectedLeafFill(2), 12);
        Assert.Equal(35.0 / 48, TreeHeight.ExpectedLeafFill(4), 12);
    }

    [Fact]
    public void Users_for_a_fixed_seed_have_the_documented_columns_and_status_skew()
    {
        Assert.Equal([("active", 0.90), ("inactive", 0.095), ("banned", 0.005)], IndexLabData.StatusShares);
        Assert.Equal(["smith", "goldsmith", "blacksmith", "jones", "brown", "taylor", "wilson", "evans", "thomas", "johnson"],
            IndexLabData.Surnames);
        var rows = IndexLabData.Users(1000, 7);
        Assert.Equal(1000, rows.Count);
        Assert.Equal(new UserRow(1, 88, new DateTime(2024, 8, 29, 21, 41, 5), "active", "User1@Example.com", "smith1", 366.43m, 67616),
            rows[0]);
        Assert.Equal(new UserRow(2, 96, new DateTime(2024, 11, 4, 17, 53, 22), "active", "User2@Example.com", "thomas2", 449.01m, 93231),
            rows[1]);
        Assert.Equal(new UserRow(3, 12, new DateTime(2024, 11, 18, 19, 5, 12), "active", "User3@Example.com", "brown3", 804.88m, 33534),
            rows[2]);
        Assert.Equal(Enumerable.Range(1, 1000), rows.Select(r => r.Id));
        Assert.Equal("active=899 banned=7 inactive=94",
            string.Join(" ", rows.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}")));
        // user_id in 1..count/10, one year of timestamps, totals in cents, a in 0..ARange − 1, suffix id mod 100.
        Assert.Equal((1, 100), (rows.Min(r => r.UserId), rows.Max(r => r.UserId)));
        Assert.Equal(new DateTime(2024, 12, 31, 20, 59, 17), rows.Max(r => r.CreatedAt));
        Assert.Equal(993.27m, rows.Max(r => r.Total));
        Assert.Equal(99865, rows.Max(r => r.A));
        Assert.EndsWith("0", rows[99].Name);
        Assert.DoesNotContain("100", rows[99].Name);
    }

    [Fact]
    public void Every_index_case_has_a_key_a_question_and_non_empty_statements()
    {
        var all = IndexCases.LeftmostPrefix.Concat(IndexCases.Skipped).Concat(IndexCases.HashVersusBTree)
            .Append(IndexCases.SqliteCovering).ToArray();
        Assert.Equal(6 + 14 + 5 + 1, all.Length);
        foreach (var c in all)
        {
            Assert.False(string.IsNullOrWhiteSpace(c.Key));
            Assert.False(string.IsNullOrWhiteSpace(c.Question), c.Key);
            Assert.True(c.PostgresQuery is not null || c.SqliteQuery is not null, c.Key);
            foreach (var s in c.PostgresIndexes.Concat(c.SqliteIndexes)) Assert.StartsWith("CREATE INDEX nb04_users_", s);
            foreach (var q in new[] { c.PostgresQuery, c.SqliteQuery }.OfType<string>())
                Assert.StartsWith("SELECT ", q);
        }
        Assert.Equal(["prefix (a)", "prefix (a, b)", "prefix (a, b, c)", "no leading column (b)", "no leading column (c)",
            "skip scan candidate"], IndexCases.LeftmostPrefix.Select(c => c.Key));
        Assert.All(IndexCases.LeftmostPrefix, c => Assert.True(c.Measure));
        Assert.All(IndexCases.Skipped, c => Assert.False(c.Measure));
    }

    private static string V(JsonNode? n) => n switch
    {
        null => "-",
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => n.ToJsonString(),
    };

    private static string[] Traces(GenericChart chart)
    {
        GenericChart.getLayout(chart).RemoveProperty("template");
        var data = JsonNode.Parse(GenericChart.toJson(chart))!["data"]!.AsArray();
        return data.Select(t => string.Join("|", V(t!["name"]), V(t["mode"]), V(t["x"]), V(t["y"]), V(t["line"]?["color"]),
            V(t["line"]?["width"]), V(t["marker"]?["color"]), V(t["text"]), V(t["showlegend"]))).ToArray();
    }

    [Fact]
    public void Tree_chart_centres_parents_and_colours_the_search_path_and_the_scanned_leaves()
    {
        var tree = new BPlusTree<int, int>(3);
        foreach (int k in new[] { 5, 1, 9, 3, 7 }) tree.Insert(k, k);
        // Root 2 over leaves 0 (1 3), 3 (5 7), 1 (9) at x = 0, 1, 2.
        var search = tree.Search(7);
        Assert.Equal([2, 3], search.Path);
        var scan = tree.Range(3, 7);
        Assert.Equal([2, 0, 3], scan.Path);
        Assert.Equal(
        [
            "-|lines|[1.0,0.0]|[1.0,0.0]|#bbbbbb|1.0|-|-|false",
            "-|lines|[1.0,1.0]|[1.0,0.0]|crimson|3.0|-|-|false",
            "-|lines|[1.0,2.0]|[1.0,0.0]|#bbbbbb|1.0|-|-|false",
            "leaf links|lines|[0.0,1.0,2.0]|[0.0,0.0,0.0]|#888888|-|-|-|-",
            "page|markers+text|[2.0]|[0.0]|-|-|steelblue|[\"9\"]|-",
            "range-scan leaf|markers+text|[0.0]|[0.0]|-|-|orange|[\"1 3\"]|-",
            "search path|markers+text|[1.0,1.0]|[1.0,0.0]|-|-|crimson|[\"5 9\",\"5 7\"]|-",
        ], Traces(TreeChart.Draw(tree, "t", search.Path, scan.Path)));
        // Without a path or scan every page is plain and every edge grey.
        var plain = Traces(TreeChart.Draw(tree, "t"));
        Assert.Equal(5, plain.Length);
        Assert.Equal("page|markers+text|[1.0,0.0,1.0,2.0]|[1.0,0.0,0.0,0.0]|-|-|steelblue|[\"5 9\",\"1 3\",\"5 7\",\"9\"]|-",
            plain[4]);
    }

    [Fact]
    public void Tree_chart_of_one_leaf_has_no_edges_no_links_and_no_empty_groups()
    {
        var tree = new BPlusTree<int, int>(3);
        tree.Insert(2, 2);
        tree.Insert(1, 1);
        Assert.Equal(["page|markers+text|[0.0]|[0.0]|-|-|steelblue|[\"1 2\"]|-"], Traces(TreeChart.Draw(tree, "t")));
        Assert.Equal(["search path|markers+text|[0.0]|[0.0]|-|-|crimson|[\"1 2\"]|-"],
            Traces(TreeChart.Draw(tree, "t", tree.Search(1).Path, tree.Range(1, 2).Path)));
    }

    [Fact]
    public void Tree_chart_draws_exactly_MaxPages_pages()
    {
        // Fanout 1000, leaves of 2: 398 keys are 199 leaves under one root, 200 pages.
        var tree = BPlusTree<int, int>.BulkLoad(Enumerable.Range(0, 398).Select(k => KeyValuePair.Create(k, k)), 1000, 2);
        Assert.Equal(TreeChart.MaxPages, tree.Levels().Sum(l => l.Count));
        Assert.Equal(199 + 2, Traces(TreeChart.Draw(tree, "t")).Length); // edges, leaf links, pages
    }

    [Fact]
    public void Inserts_split_leaves_and_internal_pages_into_an_exact_shape_with_fresh_ids_and_both_links()
    {
        var tree = new BPlusTree<int, int>(3, 2);
        foreach (int k in new[] { 8, 3, 12, 1, 10, 5, 7, 2, 11, 4, 9, 6 }) tree.Insert(k, k * 10);
        Assert.Equal(string.Join(Environment.NewLine, "L3: [8]", "L2: [5] [11]", "L1: [3] [7] [10] [12]",
            "L0: (1 2) (3 4) (5 6) (7) (8 9) (10) (11) (12)"), tree.Render());
        Assert.StartsWith("L3: [k8]" + Environment.NewLine + "L2: [k5] [k11]", tree.Render(k => "k" + k));
        Assert.Equal(
        [
            "14:3:[8]:[6 13]",
            "6:2:[5]:[2 12] 13:2:[11]:[5 10]",
            "2:1:[3]:[0 7] 12:1:[7]:[4 11] 5:1:[10]:[3 9] 10:1:[12]:[8 1]",
            "0:0:[1 2]:[] 7:0:[3 4]:[] 4:0:[5 6]:[] 11:0:[7]:[] 3:0:[8 9]:[] 9:0:[10]:[] 8:0:[11]:[] 1:0:[12]:[]",
        ], tree.Levels().Select(l => string.Join(" ", l.Select(p =>
            $"{p.Id}:{p.Level}:[{string.Join(" ", p.Keys)}]:[{string.Join(" ", p.Children)}]"))));
        Assert.Equal((4, 12, 11L, 40L), (tree.Height, tree.Count, tree.Splits, tree.PagesWritten));
        var (forward, backward) = tree.LeafChain();
        Assert.Equal([0, 7, 4, 11, 3, 9, 8, 1], forward);
        Assert.Equal(forward.Reverse(), backward);
        var down = tree.Range(2, 11, descending: true);
        Assert.Equal([11, 10, 9, 8, 7, 6, 5, 4, 3, 2], down.Items.Select(e => e.Key));
        Assert.Equal([14, 13, 10, 8, 9, 3, 11, 4, 7, 0], down.Path);
        Assert.False(tree.Search(13).Found);
        Assert.Equal((true, 60), (tree.Search(6).Found, tree.Search(6).Value));
    }

    [Fact]
    public void Bulk_load_reuses_the_root_leaf_and_numbers_pages_bottom_up()
    {
        var tree = BPlusTree<int, int>.BulkLoad(Enumerable.Range(1, 10).Select(i => KeyValuePair.Create(i, i)), 3, 2);
        Assert.Equal((10, 3), (tree.Count, tree.Height));
        Assert.Equal(string.Join(Environment.NewLine, "L2: [7]", "L1: [3 5] [9]", "L0: (1 2) (3 4) (5 6) (7 8) (9 10)"),
            tree.Render());
        Assert.Equal(["7:[5 6]", "5:[0 1 2] 6:[3 4]", "0:[] 1:[] 2:[] 3:[] 4:[]"],
            tree.Levels().Select(l => string.Join(" ", l.Select(p => $"{p.Id}:[{string.Join(" ", p.Children)}]"))));
    }

    [Fact]
    public void Range_over_an_empty_tree_reads_its_one_leaf()
    {
        var tree = new BPlusTree<int, int>(3);
        foreach (bool descending in new[] { false, true })
        {
            var r = tree.Range(1, 5, descending);
            Assert.Empty(r.Items);
            Assert.Equal([0], r.Path);
        }
        Assert.False(tree.Search(1).Found);
    }
}
