using SystemDesign.DataModels;

namespace SystemDesign.Tests.DataModels;

public sealed class SingleTableExactTests
{
    private static Dictionary<string, string> Attr(string k, string v) => new() { [k] = v };

    [Fact]
    public void Item_size_counts_keys_index_keys_and_attributes_in_utf8()
    {
        Assert.Equal(1 + 1 + 4, new Item("P", "S", new Dictionary<string, string>()).SizeBytes);
        Assert.Equal(1 + 1 + 4 + 2 + 3, new Item("P", "S", Attr("ab", "cde")).SizeBytes);
        Assert.Equal(1 + 1 + 4 + 1 + 2 + 12, new Item("P", "S", new Dictionary<string, string>(), "G", "GS").SizeBytes);
        Assert.Equal(1 + 1 + 4 + 1 + 0 + 12, new Item("P", "S", new Dictionary<string, string>(), "G").SizeBytes);
        Assert.Equal(2 + 1 + 4, new Item("é", "S", new Dictionary<string, string>()).SizeBytes);
    }

    [Fact]
    public void Reads_cost_one_unit_per_4_kb_summed_and_half_when_eventually_consistent()
    {
        var t = new SingleTable();
        t.Put(new Item("P", "A", Attr("v", new string('x', 5000))));   // 5007 bytes
        t.Put(new Item("P", "B", Attr("v", new string('x', 5000))));
        var (items, strong) = t.Query("P");
        Assert.Equal(new RequestCost("Query PK=P", 1, 2, 2, 3), strong);   // ceil(10014 / 4096) = 3
        Assert.Equal(1.5, t.Query("P", strong: false).Cost.ReadCapacityUnits);
        Assert.Equal(new RequestCost("Query PK=P, SK begins_with B", 1, 1, 1, 2), t.Query("P", "B").Cost);
        Assert.Equal(1, t.Query("P", "B", strong: false).Cost.ReadCapacityUnits);
        Assert.Equal(new RequestCost("Query PK=none", 1, 0, 0, 1), t.Query("none").Cost);
        Assert.Equal(0.5, t.Query("none", strong: false).Cost.ReadCapacityUnits);
        Assert.Equal(new[] { "A", "B" }, items.Select(i => i.SK));
    }

    [Fact]
    public void Sort_keys_are_in_byte_order_and_between_includes_both_ends()
    {
        var t = new SingleTable();
        foreach (var sk in new[] { "b", "B", "a", "c", "d", "A" }) t.Put(new Item("P", sk, new Dictionary<string, string>()));
        Assert.Equal(new[] { "A", "B", "a", "b", "c", "d" }, t.Query("P").Items.Select(i => i.SK));
        var (between, cost) = t.QueryBetween("P", "a", "c");
        Assert.Equal(new[] { "a", "b", "c" }, between.Select(i => i.SK));
        Assert.Equal(new RequestCost("Query PK=P, SK between", 1, 3, 3, 1), cost);
        Assert.Equal(0.5, t.QueryBetween("P", "a", "c", strong: false).Cost.ReadCapacityUnits);
        Assert.Empty(t.QueryBetween("P", "e", "z").Items);
        Assert.Empty(t.QueryBetween("Q", "a", "z").Items);
        Assert.Equal(new[] { "B", "a" }, t.QueryBetween("P", "B", "a").Items.Select(i => i.SK));
    }

    [Fact]
    public void The_index_is_sorted_by_its_sort_key_filtered_from_a_bound_and_follows_replacements()
    {
        var t = new SingleTable();
        t.Put(new Item("O1", "O1", new Dictionary<string, string>(), "S#X", "2025-03"));
        t.Put(new Item("O2", "O2", new Dictionary<string, string>(), "S#X", "2025-01"));
        t.Put(new Item("O3", "O3", new Dictionary<string, string>(), "S#X", "2025-02"));
        t.Put(new Item("O4", "O4", new Dictionary<string, string>(), "S#Y", "2025-01"));
        t.Put(new Item("O5", "O5", new Dictionary<string, string>()));
        var (all, cost) = t.QueryIndex("S#X");
        Assert.Equal(new[] { "O2", "O3", "O1" }, all.Select(i => i.PK));
        Assert.Equal(new RequestCost("Query GSI1 PK=S#X", 1, 3, 3, 0.5), cost);
        Assert.Equal(new[] { "O3", "O1" }, t.QueryIndex("S#X", "2025-02").Items.Select(i => i.PK));
        Assert.Empty(t.QueryIndex("S#Z").Items);
        t.Put(new Item("O3", "O3", new Dictionary<string, string>(), "S#Y", "2025-05"));  // moves O3 to S#Y
        Assert.Equal(new[] { "O2", "O1" }, t.QueryIndex("S#X").Items.Select(i => i.PK));
        Assert.Equal(new[] { "O4", "O3" }, t.QueryIndex("S#Y").Items.Select(i => i.PK));
        t.Put(new Item("O4", "O4", new Dictionary<string, string>()));                      // drops O4 from the index
        Assert.Equal(new[] { "O3" }, t.QueryIndex("S#Y").Items.Select(i => i.PK));
        Assert.Equal(5, t.Count);
    }

    [Fact]
    public void A_scan_reads_every_item_in_1_mb_pages()
    {
        var t = new SingleTable();
        for (int i = 0; i < 300; i++) t.Put(new Item("P", $"{i:D3}", Attr("v", new string('x', 5000))));  // 5009 bytes
        var (hits, cost) = t.Scan(i => i.SK.StartsWith("00"));
        Assert.Equal(10, hits.Count);
        Assert.Equal(new RequestCost("Scan + filter", 2, 300, 10, Math.Ceiling(300 * 5009 / 4096.0)), cost);
        Assert.Equal(Math.Ceiling(300 * 5009 / 4096.0) / 2, t.Scan(_ => true, strong: false).Cost.ReadCapacityUnits);
        Assert.Equal(new RequestCost("Scan + filter", 1, 0, 0, 1), new SingleTable().Scan(_ => true).Cost);
    }

    [Fact]
    public void The_ecommerce_table_has_the_guides_key_layout()
    {
        var t = SingleTable.ECommerce(2, 3, 2, seed: 4);
        Assert.Equal(2 + 6 + 6 + 12, t.Count);
        Assert.Equal(new[] { "ORDER#0000000", "ORDER#0000001", "ORDER#0000002", "ORDER#0000003", "ORDER#0000004", "ORDER#0000005" },
            t.Items.Select(i => i.PK).Where(pk => pk.StartsWith("ORDER#")).Distinct().OrderBy(x => x, StringComparer.Ordinal));
        var profile = Assert.Single(t.Query("USER#1", "PROFILE").Items);
        Assert.Equal("user 1", profile.Attributes["name"]);
        Assert.Equal("u1@example.com", profile.Attributes["email"]);
        Assert.Contains(profile.Attributes["tier"], new[] { "gold", "basic" });
        var refs = t.Query("USER#1", "ORDER#").Items;
        Assert.Equal(3, refs.Count);
        foreach (var r in refs)
        {
            var parts = r.SK.Split('#');
            Assert.Equal(3, parts.Length);
            Assert.Matches(@"^2025-\d\d-\d\dT\d\d:\d\d$", parts[1]);
            Assert.Contains(parts[2], new[] { "0000003", "0000004", "0000005" });
            Assert.InRange(int.Parse(r.Attributes["total"]), 500, 49_999);
            var (order, _) = t.Query($"ORDER#{parts[2]}");
            Assert.Equal(new[] { "ITEM#000", "ITEM#001", $"ORDER#{parts[2]}" }, order.Select(i => i.SK));
            var details = order[2];
            Assert.Equal("USER#1", details.Attributes["user"]);
            Assert.Equal(r.Attributes["status"], details.Attributes["status"]);
            Assert.Equal(parts[1], details.Attributes["created"]);
            Assert.Equal($"STATUS#{details.Attributes["status"]}", details.GSI1PK);
            Assert.Equal(parts[1], details.GSI1SK);
            Assert.Contains(details.Attributes["status"], new[] { "PLACED", "SHIPPED", "DELIVERED", "CANCELLED" });
            Assert.Matches(@"^SKU-\d+$", order[0].Attributes["sku"]);
            Assert.InRange(int.Parse(order[0].Attributes["qty"]), 1, 4);
        }
        var big = SingleTable.ECommerce(400, 0, 1, seed: 4);
        Assert.Equal(400, big.Count);
        Assert.InRange(big.Items.Count(i => i.Attributes["tier"] == "gold"), 60, 140);   // 1 in 4
    }

    [Fact]
    public void Each_access_pattern_is_one_query_returning_what_its_scan_filter_finds()
    {
        var t = SingleTable.ECommerce(20, 4, 3, seed: 2);
        var patterns = t.AccessPatterns(3, 13, "SHIPPED", "2025-06-01");
        Assert.Equal(new[] { "a user's profile", "a user's orders, newest last", "an order with its line items",
            "SHIPPED orders since 2025-06-01 (GSI1)" }, patterns.Select(p => p.Name));
        var expectedCounts = new[] { 1, 4, 4 };
        for (int k = 0; k < patterns.Count; k++)
        {
            var (items, cost) = patterns[k].Query();
            var (scanned, _) = t.Scan(patterns[k].ScanFilter);
            Assert.Equal(scanned.OrderBy(i => i.PK + "|" + i.SK, StringComparer.Ordinal),
                items.OrderBy(i => i.PK + "|" + i.SK, StringComparer.Ordinal));
            Assert.Equal(1, cost.Requests);
            if (k < 3) Assert.Equal(expectedCounts[k], items.Count);
        }
        var shipped = patterns[3].Query().Items;
        Assert.NotEmpty(shipped);
        Assert.True(shipped.Count < t.Items.Count(i => i.GSI1PK == "STATUS#SHIPPED"));
        Assert.All(shipped, i => Assert.True(string.CompareOrdinal(i.GSI1SK, "2025-06-01") >= 0));
        Assert.False(patterns[0].ScanFilter(new Item("USER#3", "ORDER#x", new Dictionary<string, string>())));
        Assert.False(patterns[0].ScanFilter(new Item("USER#4", "PROFILE", new Dictionary<string, string>())));
        Assert.False(patterns[1].ScanFilter(new Item("USER#4", "ORDER#x", new Dictionary<string, string>())));
        Assert.False(patterns[1].ScanFilter(new Item("USER#3", "PROFILE", new Dictionary<string, string>())));
        Assert.False(patterns[2].ScanFilter(new Item("ORDER#0000012", "ITEM#000", new Dictionary<string, string>())));
        Assert.True(patterns[3].ScanFilter(new Item("O", "O", new Dictionary<string, string>(), "STATUS#SHIPPED", "2025-06-01")));
        Assert.False(patterns[3].ScanFilter(new Item("O", "O", new Dictionary<string, string>(), "STATUS#SHIPPED", "2025-05-31")));
        Assert.False(patterns[3].ScanFilter(new Item("O", "O", new Dictionary<string, string>(), "STATUS#PLACED", "2025-07-01")));
    }

    [Fact]
    public void Guards_name_the_bad_argument()
    {
        var t = new SingleTable();
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => t.Put(null!)).ParamName);
        Assert.Equal("item.PK", Assert.Throws<ArgumentException>(() => t.Put(new Item("", "S", new Dictionary<string, string>()))).ParamName);
        Assert.Equal("item.SK", Assert.Throws<ArgumentException>(() => t.Put(new Item("P", "", new Dictionary<string, string>()))).ParamName);
        Assert.Equal("pk", Assert.Throws<ArgumentException>(() => t.Query("")).ParamName);
        Assert.Equal("pk", Assert.Throws<ArgumentException>(() => t.QueryBetween("", "a", "b")).ParamName);
        Assert.Equal("low", Assert.Throws<ArgumentNullException>(() => t.QueryBetween("P", null!, "b")).ParamName);
        Assert.Equal("high", Assert.Throws<ArgumentNullException>(() => t.QueryBetween("P", "a", null!)).ParamName);
        Assert.Equal("pk", Assert.Throws<ArgumentException>(() => t.QueryIndex("")).ParamName);
        Assert.Equal("filter", Assert.Throws<ArgumentNullException>(() => t.Scan(null!)).ParamName);
        Assert.Equal("users", Assert.Throws<ArgumentOutOfRangeException>(() => SingleTable.ECommerce(0, 1, 1, 1)).ParamName);
        Assert.Equal("ordersPerUser", Assert.Throws<ArgumentOutOfRangeException>(() => SingleTable.ECommerce(1, -1, 1, 1)).ParamName);
        Assert.Equal("itemsPerOrder", Assert.Throws<ArgumentOutOfRangeException>(() => SingleTable.ECommerce(1, 1, 0, 1)).ParamName);
        Assert.Equal("user", Assert.Throws<ArgumentOutOfRangeException>(() => t.AccessPatterns(-1, 0, "S", "x")).ParamName);
        Assert.Equal("order", Assert.Throws<ArgumentOutOfRangeException>(() => t.AccessPatterns(0, -1, "S", "x")).ParamName);
        Assert.Equal("status", Assert.Throws<ArgumentException>(() => t.AccessPatterns(0, 0, "", "x")).ParamName);
        Assert.Equal("since", Assert.Throws<ArgumentException>(() => t.AccessPatterns(0, 0, "S", "")).ParamName);
    }
}
