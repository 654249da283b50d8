using Npgsql;

namespace SystemDesign.Indexing;

/// <summary>
/// One level of a PostgreSQL B-tree as pageinspect shows it. Capacity is the most data items (leaf entries
/// or downlinks) on a page that is not the rightmost of its level: those pages spend one slot on a high key,
/// the rightmost page has none.
/// </summary>
public sealed record BTreeLevel(int Level, int Pages, int Capacity, int RightmostItems, bool LinksConsistent);

/// <summary>A PostgreSQL B-tree index measured with pageinspect: height from the metapage, pages and capacities per level.</summary>
public sealed record BTreeInspection(string Index, long Entries, int Height, IReadOnlyList<BTreeLevel> Levels)
{
    /// <summary>Entries per full leaf page (fill factor 90 for CREATE INDEX).</summary>
    public int LeafCapacity => Levels[0].Capacity;

    /// <summary>Downlinks per full internal page (PostgreSQL fills internal pages to 70% when it builds an index), 0 when there is no full internal page.</summary>
    public int InternalFanout => Levels.Count > 1 ? Levels[1].Capacity : 0;
}

/// <summary>
/// PostgreSQL's own B-tree, measured: a table nb04_h(id int, w text) with partial indexes "WHERE id &lt;= n" so
/// one table gives indexes of many sizes; bt_metap gives the height (level + 1), bt_page_stats every page.
/// </summary>
public static class PostgresBTree
{
    /// <summary>Width of the w column: 6 md5 strings, 192 characters, a wide key with a small fan-out.</summary>
    public const int WideKeyChars = 192;

    /// <summary>(Re)creates nb04_h with ids 1..rows; w is filled for the first wideRows ids (NULL after).</summary>
    public static void CreateTable(NpgsqlConnection connection, int rows, int wideRows)
    {
        Guard.NotNull(connection);
        Guard.InRange(rows, 1, 2_000_000);
        Guard.InRange(wideRows, 0, rows);
        PostgresIndexLab.Execute(connection, $"""
            DROP TABLE IF EXISTS nb04_h;
            CREATE UNLOGGED TABLE nb04_h (id int NOT NULL, w text);
            INSERT INTO nb04_h SELECT g, CASE WHEN g <= {wideRows} THEN repeat(md5(g::text), 6) END FROM generate_series(1, {rows}) g
            """);
    }

    /// <summary>Builds (or rebuilds) a B-tree on column id or w over the first <paramref name="rows"/> ids and returns its name.</summary>
    public static string BuildIndex(NpgsqlConnection connection, string column, int rows)
    {
        Guard.NotNull(connection);
        Guard.That(column is "id" or "w", $"column must be \"id\" or \"w\"; got \"{column}\"", nameof(column));
        Guard.InRange(rows, 1, 2_000_000);
        string name = $"nb04_h_{column}_{rows}";
        PostgresIndexLab.Execute(connection, $"DROP INDEX IF EXISTS {name}; CREATE INDEX {name} ON nb04_h ({column}) WHERE id <= {rows}");
        return name;
    }

    /// <summary>Reads the metapage and every page of an index.</summary>
    public static BTreeInspection Inspect(NpgsqlConnection connection, string index)
    {
        Guard.NotNull(connection);
        Guard.NotEmpty(index);
        int height = PostgresIndexLab.Scalar<int>(connection, $"SELECT level + 1 FROM bt_metap('{index}')");
        var pages = new List<(int Block, int Level, int Live, long Prev, long Next)>();
        using (var cmd = new NpgsqlCommand($"""
            SELECT b, s.btpo_level, s.live_items, s.btpo_prev, s.btpo_next
            FROM generate_series(1, (pg_relation_size('{index}') / 8192)::int - 1) b, bt_page_stats('{index}', b) s
            WHERE s.type <> 'd'
            """, connection))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) pages.Add((r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt64(3), r.GetInt64(4)));

        var levels = pages.GroupBy(p => p.Level).OrderBy(g => g.Key).Select(g =>
        {
            var list = g.ToList();
            var rightmost = list.Single(p => p.Next == 0);
            int capacity = list.Where(p => p.Next != 0).Select(p => p.Live - 1).DefaultIfEmpty(0).Max();
            return new BTreeLevel(g.Key, list.Count, capacity, rightmost.Live, LinksConsistent(list));
        }).ToArray();
        long entries = PostgresIndexLab.Scalar<long>(connection, $"SELECT reltuples::bigint FROM pg_class WHERE relname = '{index}'");
        return new BTreeInspection(index, entries, height, levels);
    }

    /// <summary>
    /// Pages per level predicted for a PostgreSQL bulk build: every page but the last of a level holds
    /// <c>c</c> items plus a high key, the rightmost holds up to <c>c + 1</c> (no high key), so a level of
    /// <c>n</c> items takes <c>max(1, ⌈(n − 1)/c⌉)</c> pages; the level above has one item per page.
    /// </summary>
    public static IReadOnlyList<long> PredictPagesPerLevel(long entries, int leafCapacity, int internalFanout)
    {
        Guard.InRange(entries, 0, long.MaxValue / 2);
        Guard.InRange(leafCapacity, 1, 100_000);
        Guard.InRange(internalFanout, 2, 100_000);
        static long Pages(long items, int c) => Math.Max(1, (items - 1 + c - 1) / c);
        var levels = new List<long> { Pages(entries, leafCapacity) };
        while (levels[^1] > 1) levels.Add(Pages(levels[^1], internalFanout));
        return levels;
    }

    // Following btpo_next from the leftmost page visits every page once, and each page's btpo_prev points back.
    private static bool LinksConsistent(List<(int Block, int Level, int Live, long Prev, long Next)> level)
    {
        var byBlock = level.ToDictionary(p => (long)p.Block);
        var leftmost = level.Where(p => p.Prev == 0).ToList();
        if (leftmost.Count != 1) return false;
        int seen = 1;
        var page = leftmost[0];
        while (page.Next != 0)
        {
            if (!byBlock.TryGetValue(page.Next, out var next) || next.Prev != page.Block) return false;
            page = next;
            if (++seen > level.Count) return false;
        }
        return seen == level.Count;
    }
}
