using System.Text;

namespace SystemDesign.DataModels;

/// <summary>An item of a single-table design: partition key, sort key, optional GSI keys and attributes.</summary>
public sealed record Item(string PK, string SK, IReadOnlyDictionary<string, string> Attributes,
    string? GSI1PK = null, string? GSI1SK = null)
{
    /// <summary>Approximate stored size in bytes, as DynamoDB counts it (UTF-8 names plus values).</summary>
    public int SizeBytes { get; } = Encoding.UTF8.GetByteCount(PK) + Encoding.UTF8.GetByteCount(SK) + 4
        + (GSI1PK is null ? 0 : Encoding.UTF8.GetByteCount(GSI1PK) + Encoding.UTF8.GetByteCount(GSI1SK ?? "") + 12)
        + Attributes.Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value));
}

/// <summary>What one request cost: items read (before any filter) and read capacity units consumed.</summary>
public sealed record RequestCost(string Operation, int Requests, int ItemsRead, int ItemsReturned,
    double ReadCapacityUnits);

/// <summary>
/// An in-memory model of a DynamoDB table (DynamoDB itself does not run here): items grouped by partition
/// key, sorted by sort key (UTF-8 byte order, as DynamoDB sorts strings), Query with an equality on the
/// partition key and begins_with/between on the sort key, one global secondary index, and Scan. Costs follow
/// DynamoDB's read accounting: a Query or Scan consumes one RCU per 4 KB of items read (summed, then rounded up)
/// for strongly consistent reads, half for eventually consistent ones; a Scan reads every item.
/// </summary>
public sealed class SingleTable
{
    private readonly Dictionary<string, SortedDictionary<string, Item>> _parts = new();
    private readonly Dictionary<string, SortedDictionary<(string, string, string), Item>> _gsi = new();

    /// <summary>All items.</summary>
    public IEnumerable<Item> Items => _parts.Values.SelectMany(p => p.Values);

    /// <summary>Number of items.</summary>
    public int Count => _parts.Values.Sum(p => p.Count);

    /// <summary>PutItem: inserts or replaces the item with the same (PK, SK).</summary>
    public void Put(Item item)
    {
        Guard.NotNull(item);
        Guard.NotEmpty(item.PK);
        Guard.NotEmpty(item.SK);
        if (!_parts.TryGetValue(item.PK, out var part))
            _parts[item.PK] = part = new SortedDictionary<string, Item>(StringComparer.Ordinal);
        if (part.TryGetValue(item.SK, out var old) && old.GSI1PK is not null)
            _gsi[old.GSI1PK].Remove((old.GSI1SK ?? "", old.PK, old.SK));
        part[item.SK] = item;
        if (item.GSI1PK is not null)
        {
            if (!_gsi.TryGetValue(item.GSI1PK, out var g))
                _gsi[item.GSI1PK] = g = new SortedDictionary<(string, string, string), Item>(
                    Comparer<(string, string, string)>.Create((a, b) =>
                    {
                        int c = string.CompareOrdinal(a.Item1, b.Item1);
                        if (c == 0) c = string.CompareOrdinal(a.Item2, b.Item2);
                        return c != 0 ? c : string.CompareOrdinal(a.Item3, b.Item3);
                    }));
            g[(item.GSI1SK ?? "", item.PK, item.SK)] = item;
        }
    }

    private static double Rcu(IEnumerable<Item> read, bool strong)
    {
        double units = Math.Ceiling(read.Sum(i => i.SizeBytes) / 4096.0);
        return strong ? Math.Max(1, units) : Math.Max(0.5, units / 2);
    }

    /// <summary>Query PK = pk [AND begins_with(SK, prefix)]: one request, reads only the matching items.</summary>
    public (IReadOnlyList<Item> Items, RequestCost Cost) Query(string pk, string? skBeginsWith = null, bool strong = true)
    {
        Guard.NotEmpty(pk);
        var items = _parts.TryGetValue(pk, out var part)
            ? part.Values.Where(i => skBeginsWith is null || i.SK.StartsWith(skBeginsWith, StringComparison.Ordinal)).ToList()
            : new List<Item>();
        return (items, new RequestCost($"Query PK={pk}" + (skBeginsWith is null ? "" : $", SK begins_with {skBeginsWith}"),
            1, items.Count, items.Count, Rcu(items, strong)));
    }

    /// <summary>Query PK = pk AND SK BETWEEN low AND high (inclusive, byte order).</summary>
    public (IReadOnlyList<Item> Items, RequestCost Cost) QueryBetween(string pk, string low, string high, bool strong = true)
    {
        Guard.NotEmpty(pk);
        Guard.NotNull(low);
        Guard.NotNull(high);
        var items = _parts.TryGetValue(pk, out var part)
            ? part.Values.Where(i => string.CompareOrdinal(i.SK, low) >= 0 && string.CompareOrdinal(i.SK, high) <= 0).ToList()
            : new List<Item>();
        return (items, new RequestCost($"Query PK={pk}, SK between", 1, items.Count, items.Count, Rcu(items, strong)));
    }

    /// <summary>Query the GSI: GSI1PK = pk and GSI1SK ≥ from (GSIs are eventually consistent only).</summary>
    public (IReadOnlyList<Item> Items, RequestCost Cost) QueryIndex(string pk, string? skFrom = null)
    {
        Guard.NotEmpty(pk);
        var items = _gsi.TryGetValue(pk, out var g)
            ? g.Where(e => skFrom is null || string.CompareOrdinal(e.Key.Item1, skFrom) >= 0).Select(e => e.Value).ToList()
            : new List<Item>();
        return (items, new RequestCost($"Query GSI1 PK={pk}", 1, items.Count, items.Count, Rcu(items, strong: false)));
    }

    /// <summary>Scan with a filter: reads every item (1 MB pages, one request each), returns the matches.</summary>
    public (IReadOnlyList<Item> Items, RequestCost Cost) Scan(Func<Item, bool> filter, bool strong = true)
    {
        Guard.NotNull(filter);
        var all = Items.ToList();
        int bytes = all.Sum(i => i.SizeBytes);
        var hits = all.Where(filter).ToList();
        return (hits, new RequestCost("Scan + filter", Math.Max(1, (int)Math.Ceiling(bytes / 1048576.0)),
            all.Count, hits.Count, Rcu(all, strong)));
    }

    /// <summary>
    /// A seeded e-commerce table in the guide's key layout: USER#u / PROFILE, USER#u / ORDER#date#o,
    /// ORDER#o / ORDER#o (details, GSI1 = STATUS#s / created), ORDER#o / ITEM#i.
    /// </summary>
    public static SingleTable ECommerce(int users, int ordersPerUser, int itemsPerOrder, int seed)
    {
        Guard.InRange(users, 1, 1_000_000);
        Guard.InRange(ordersPerUser, 0, 1_000);
        Guard.InRange(itemsPerOrder, 1, 100);
        var rng = new Random(seed);
        var table = new SingleTable();
        string[] statuses = { "PLACED", "SHIPPED", "DELIVERED", "CANCELLED" };
        int order = 0;
        var epoch = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int u = 0; u < users; u++)
        {
            table.Put(new Item($"USER#{u}", "PROFILE", new Dictionary<string, string>
                { ["name"] = $"user {u}", ["email"] = $"u{u}@example.com", ["tier"] = rng.Next(4) == 0 ? "gold" : "basic" }));
            for (int k = 0; k < ordersPerUser; k++, order++)
            {
                string created = epoch.AddMinutes(rng.Next(525_600)).ToString("yyyy-MM-ddTHH:mm");
                string status = statuses[rng.Next(statuses.Length)], id = order.ToString("D7");
                table.Put(new Item($"USER#{u}", $"ORDER#{created}#{id}", new Dictionary<string, string>
                    { ["status"] = status, ["total"] = rng.Next(500, 50_000).ToString() }));
                table.Put(new Item($"ORDER#{id}", $"ORDER#{id}", new Dictionary<string, string>
                    { ["user"] = $"USER#{u}", ["status"] = status, ["created"] = created },
                    $"STATUS#{status}", created));
                for (int i = 0; i < itemsPerOrder; i++)
                    table.Put(new Item($"ORDER#{id}", $"ITEM#{i:D3}", new Dictionary<string, string>
                        { ["sku"] = $"SKU-{rng.Next(10_000)}", ["qty"] = rng.Next(1, 5).ToString() }));
            }
        }
        return table;
    }
    /// <summary>
    /// The guide's access patterns on an <see cref="ECommerce"/> table, each as the one request that serves it
    /// and the filter a Scan would need to find the same items.
    /// </summary>
    public IReadOnlyList<AccessPattern> AccessPatterns(int user, int order, string status, string since)
    {
        Guard.NonNegative(user);
        Guard.NonNegative(order);
        Guard.NotEmpty(status);
        Guard.NotEmpty(since);
        string u = $"USER#{user}", o = $"ORDER#{order:D7}", st = $"STATUS#{status}";
        return new AccessPattern[]
        {
            new("a user's profile", () => Query(u, "PROFILE"), i => i.PK == u && i.SK == "PROFILE"),
            new("a user's orders, newest last", () => Query(u, "ORDER#"),
                i => i.PK == u && i.SK.StartsWith("ORDER#", StringComparison.Ordinal)),
            new("an order with its line items", () => Query(o), i => i.PK == o),
            new($"{status} orders since {since} (GSI1)", () => QueryIndex(st, since),
                i => i.GSI1PK == st && string.CompareOrdinal(i.GSI1SK, since) >= 0),
        };
    }
}

/// <summary>An access pattern: its one-request query and the equivalent scan filter.</summary>
public sealed record AccessPattern(string Name, Func<(IReadOnlyList<Item> Items, RequestCost Cost)> Query,
    Func<Item, bool> ScanFilter);
