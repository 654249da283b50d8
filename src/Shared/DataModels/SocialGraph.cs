using Microsoft.Data.Sqlite;

namespace SystemDesign.DataModels;

/// <summary>Frontier and cost of one hop of a k-hop traversal.</summary>
public sealed record HopRow(int Hop, long NewNodes, long EdgesExamined, long CteRows, long Walks);

/// <summary>
/// A seeded synthetic social graph (undirected, uniform random friendships: every node picks
/// <c>degree/2</c> random friends), k-hop reachability breadth-first in memory and as a recursive CTE in
/// SQLite, and a transfer graph with a planted money-laundering ring.
/// </summary>
public sealed class SocialGraph
{
    /// <summary>Adjacency lists (both directions).</summary>
    public IReadOnlyList<int[]> Adjacency { get; }
    /// <summary>Number of nodes.</summary>
    public int Nodes => Adjacency.Count;
    /// <summary>Number of undirected edges.</summary>
    public long Edges => Adjacency.Sum(a => (long)a.Length) / 2;

    private SocialGraph(IReadOnlyList<int[]> adjacency) => Adjacency = adjacency;

    /// <summary>A graph of <paramref name="nodes"/> people with mean degree about <paramref name="meanDegree"/>.</summary>
    public static SocialGraph Random(int nodes, int meanDegree, int seed)
    {
        Guard.InRange(nodes, 2, 5_000_000);
        Guard.InRange(meanDegree, 2, 1_000);
        var rng = new Random(seed);
        var sets = Enumerable.Range(0, nodes).Select(_ => new HashSet<int>()).ToArray();
        for (int u = 0; u < nodes; u++)
            for (int j = 0; j < meanDegree / 2; j++)
            {
                int v = rng.Next(nodes);
                if (v == u) continue;
                sets[u].Add(v);
                sets[v].Add(u);
            }
        return new SocialGraph(sets.Select(s => s.OrderBy(x => x).ToArray()).ToArray());
    }

    /// <summary>Breadth-first: nodes first reached at each hop 1..k, and adjacency entries read per hop.</summary>
    public (long[] NewNodes, long[] EdgesExamined) Bfs(int start, int hops)
    {
        Guard.InRange(start, 0, Nodes - 1);
        Guard.InRange(hops, 1, 64);
        var seen = new bool[Nodes];
        seen[start] = true;
        var frontier = new List<int> { start };
        long[] fresh = new long[hops], examined = new long[hops];
        for (int h = 0; h < hops; h++)
        {
            var next = new List<int>();
            foreach (int u in frontier)
                foreach (int v in Adjacency[u])
                {
                    examined[h]++;
                    if (!seen[v]) { seen[v] = true; next.Add(v); }
                }
            fresh[h] = next.Count;
            frontier = next;
        }
        return (fresh, examined);
    }

    /// <summary>Walks (paths with repeats) of each length 1..k from the start: what un-deduplicated joins produce.</summary>
    public long[] Walks(int start, int hops)
    {
        Guard.InRange(start, 0, Nodes - 1);
        Guard.InRange(hops, 1, 64);
        var count = new long[Nodes];
        count[start] = 1;
        var result = new long[hops];
        for (int h = 0; h < hops; h++)
        {
            var next = new long[Nodes];
            for (int u = 0; u < Nodes; u++)
                if (count[u] != 0)
                    foreach (int v in Adjacency[u]) next[v] += count[u];
            count = next;
            result[h] = count.Sum();
        }
        return result;
    }

    /// <summary>Writes the graph into table <paramref name="table"/>(src, dst) with an index on src.</summary>
    public void Load(SqliteConnection db, string table)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(table);
        Exec(db, $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table}(src INTEGER NOT NULL, dst INTEGER NOT NULL, PRIMARY KEY(src, dst)) WITHOUT ROWID;");
        using var tx = db.BeginTransaction();
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO {table}(src, dst) VALUES ($s, $d)";
        var s = cmd.Parameters.Add("$s", SqliteType.Integer);
        var d = cmd.Parameters.Add("$d", SqliteType.Integer);
        cmd.Prepare();
        for (int u = 0; u < Nodes; u++)
            foreach (int v in Adjacency[u]) { s.Value = u; d.Value = v; cmd.ExecuteNonQuery(); }
        tx.Commit();
    }

    /// <summary>
    /// The k-hop query as a recursive CTE over the edge table: nodes first reached at each hop (the minimum depth
    /// per node) and the rows the CTE produced at each depth (UNION removes duplicate (node, depth) pairs only).
    /// </summary>
    public static (long[] NewNodes, long[] CteRows) RecursiveCte(SqliteConnection db, string table, int start, int hops)
    {
        Guard.NotNull(db);
        Guard.InRange(hops, 1, 64);
        string cte = $@"WITH RECURSIVE reach(node, depth) AS (
              SELECT $start, 0
              UNION
              SELECT e.dst, r.depth + 1 FROM reach r JOIN {table} e ON e.src = r.node WHERE r.depth < $k)";
        long[] fresh = new long[hops], rows = new long[hops];
        foreach (var (sql, target) in new[]
        {
            (cte + " SELECT depth, COUNT(*) FROM (SELECT node, MIN(depth) AS depth FROM reach GROUP BY node) GROUP BY depth", fresh),
            (cte + " SELECT depth, COUNT(*) FROM reach GROUP BY depth", rows),
        })
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$start", start);
            cmd.Parameters.AddWithValue("$k", hops);
            using var r = cmd.ExecuteReader();
            while (r.Read())
                if (r.GetInt32(0) is int depth and > 0) target[depth - 1] = r.GetInt64(1);
        }
        return (fresh, rows);
    }

    /// <summary>Walks of each length as SQL produces them with UNION ALL (no deduplication at all).</summary>
    public static long[] WalksCte(SqliteConnection db, string table, int start, int hops)
    {
        Guard.NotNull(db);
        Guard.InRange(hops, 1, 8);
        using var cmd = db.CreateCommand();
        cmd.CommandText = $@"WITH RECURSIVE walk(node, depth) AS (
              SELECT $start, 0
              UNION ALL
              SELECT e.dst, w.depth + 1 FROM walk w JOIN {table} e ON e.src = w.node WHERE w.depth < $k)
            SELECT depth, COUNT(*) FROM walk WHERE depth > 0 GROUP BY depth";
        cmd.Parameters.AddWithValue("$start", start);
        cmd.Parameters.AddWithValue("$k", hops);
        var result = new long[hops];
        using var r = cmd.ExecuteReader();
        while (r.Read()) result[r.GetInt32(0) - 1] = r.GetInt64(1);
        return result;
    }

    internal static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}

/// <summary>
/// Money transfers between accounts: legitimate transfers only flow "downstream" (from a lower to a higher
/// account id, so they contain no cycle), plus one planted ring A → B → … → A whose accounts take money in from
/// outside but send only around the ring. Cycles are found by a depth-first
/// search in memory and by a recursive CTE in SQLite.
/// </summary>
public sealed class TransferGraph
{
    /// <summary>Directed transfers (from, to).</summary>
    public IReadOnlyList<(int From, int To)> Transfers { get; }
    /// <summary>Accounts of the planted ring, in transfer order.</summary>
    public IReadOnlyList<int> PlantedRing { get; }
    /// <summary>Number of accounts.</summary>
    public int Accounts { get; }

    private TransferGraph(int accounts, IReadOnlyList<(int, int)> transfers, IReadOnlyList<int> ring)
    {
        Accounts = accounts;
        Transfers = transfers;
        PlantedRing = ring;
    }

    /// <summary>A seeded transfer graph with one planted ring of <paramref name="ringLength"/> accounts.</summary>
    public static TransferGraph Random(int accounts, int transfers, int ringLength, int seed)
    {
        Guard.InRange(accounts, 10, 1_000_000);
        Guard.InRange(transfers, 1, 10_000_000);
        Guard.InRange(ringLength, 2, Math.Min(accounts, 8));
        var rng = new Random(seed);
        var ring = Enumerable.Range(0, accounts).OrderBy(_ => rng.Next()).Take(ringLength).ToArray();
        var onRing = ring.ToHashSet();
        var set = new HashSet<(int, int)>();
        while (set.Count < transfers)
        {
            int a = rng.Next(accounts), b = rng.Next(accounts);
            var (from, to) = (Math.Min(a, b), Math.Max(a, b));
            // Ring accounts receive money from outside (it is placed into the ring) but only pass it on
            // around the ring, so the ring is the one cycle in the graph.
            if (a != b && !onRing.Contains(from)) set.Add((from, to));
        }
        for (int i = 0; i < ringLength; i++) set.Add((ring[i], ring[(i + 1) % ringLength]));
        return new TransferGraph(accounts, set.OrderBy(e => e).ToList(), ring);
    }

    /// <summary>Every account that lies on a directed cycle of length ≤ <paramref name="maxLength"/> (DFS).</summary>
    public IReadOnlySet<int> AccountsOnCycles(int maxLength)
    {
        Guard.InRange(maxLength, 2, 12);
        var adj = Transfers.GroupBy(t => t.From).ToDictionary(g => g.Key, g => g.Select(t => t.To).ToArray());
        var found = new HashSet<int>();
        var path = new List<int>();
        void Dfs(int start, int u)
        {
            if (!adj.TryGetValue(u, out var next)) return;
            foreach (int v in next)
            {
                if (v == start) { found.UnionWith(path); continue; }
                if (path.Count < maxLength && !path.Contains(v)) { path.Add(v); Dfs(start, v); path.RemoveAt(path.Count - 1); }
            }
        }
        foreach (int s in adj.Keys) { path.Clear(); path.Add(s); Dfs(s, s); }
        return found;
    }

    /// <summary>The same search as SQL: a recursive CTE that extends paths and reports those that return.</summary>
    public IReadOnlySet<int> AccountsOnCyclesSql(SqliteConnection db, string table, int maxLength)
    {
        Guard.NotNull(db);
        Guard.InRange(maxLength, 2, 12);
        SocialGraph.Exec(db, $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table}(src INTEGER, dst INTEGER, PRIMARY KEY(src, dst)) WITHOUT ROWID;");
        using (var tx = db.BeginTransaction())
        {
            using var cmd = db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"INSERT INTO {table} VALUES ($s, $d)";
            var s = cmd.Parameters.Add("$s", SqliteType.Integer);
            var d = cmd.Parameters.Add("$d", SqliteType.Integer);
            foreach (var (f, t) in Transfers) { s.Value = f; d.Value = t; cmd.ExecuteNonQuery(); }
            tx.Commit();
        }
        using var q = db.CreateCommand();
        q.CommandText = $@"WITH RECURSIVE p(start, node, len, path) AS (
              SELECT src, dst, 1, ',' || src || ',' || dst || ',' FROM {table}
              UNION ALL
              SELECT p.start, e.dst, p.len + 1, p.path || e.dst || ','
              FROM p JOIN {table} e ON e.src = p.node
              WHERE p.len < $max AND p.node <> p.start AND instr(p.path, ',' || e.dst || ',') IN (0, 1))
            SELECT DISTINCT path FROM p WHERE node = start";
        q.Parameters.AddWithValue("$max", maxLength);
        var found = new HashSet<int>();
        using var r = q.ExecuteReader();
        while (r.Read())
            foreach (var id in r.GetString(0).Split(',', StringSplitOptions.RemoveEmptyEntries)) found.Add(int.Parse(id));
        SocialGraph.Exec(db, $"DROP TABLE {table}");
        return found;
    }
}
