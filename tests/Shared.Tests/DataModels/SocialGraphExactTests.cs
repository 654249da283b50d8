using SystemDesign.DataModels;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.DataModels;

public sealed class SocialGraphExactTests
{
    private static Dictionary<int, int> Distances(SocialGraph g, int start)
    {
        var dist = new Dictionary<int, int> { [start] = 0 };
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            int u = queue.Dequeue();
            foreach (int v in g.Adjacency[u])
                if (dist.TryAdd(v, dist[u] + 1)) queue.Enqueue(v);
        }
        return dist;
    }

    [Fact]
    public void A_random_graph_is_undirected_sorted_loop_free_and_has_about_n_times_d_over_2_edges()
    {
        var g = SocialGraph.Random(2_000, 6, seed: 2);
        Assert.Equal(2_000, g.Nodes);
        for (int u = 0; u < g.Nodes; u++)
        {
            Assert.DoesNotContain(u, g.Adjacency[u]);
            Assert.Equal(g.Adjacency[u].OrderBy(x => x), g.Adjacency[u]);
            Assert.Equal(g.Adjacency[u].Length, g.Adjacency[u].Distinct().Count());
            foreach (int v in g.Adjacency[u]) Assert.Contains(u, g.Adjacency[v]);
        }
        Assert.Equal(g.Adjacency.Sum(a => (long)a.Length) / 2, g.Edges);
        Assert.InRange(g.Edges, 5_950, 6_000);   // 3 picks per node, a few self-picks and repeats lost
        Assert.InRange(SocialGraph.Random(1_000, 3, seed: 2).Edges, 990, 1_000);   // 3 / 2 = 1 pick per node
    }

    [Fact]
    public void Bfs_counts_nodes_first_reached_and_adjacency_entries_read_per_hop()
    {
        var g = SocialGraph.Random(300, 4, seed: 5);
        var dist = Distances(g, 7);
        var (fresh, examined) = g.Bfs(7, 6);
        for (int h = 0; h < 6; h++)
        {
            Assert.Equal(dist.Count(d => d.Value == h + 1), fresh[h]);
            Assert.Equal(dist.Where(d => d.Value == h).Sum(d => (long)g.Adjacency[d.Key].Length), examined[h]);
        }
        Assert.Equal(g.Adjacency[7].Length, fresh[0]);
        var walks = g.Walks(7, 3);
        Assert.Equal(g.Adjacency[7].Length, walks[0]);
        Assert.Equal(g.Adjacency[7].Sum(v => (long)g.Adjacency[v].Length), walks[1]);
        Assert.Equal(g.Adjacency[7].Sum(v => g.Adjacency[v].Sum(w => (long)g.Adjacency[w].Length)), walks[2]);
    }

    [Fact]
    public void Graph_guards_name_the_bad_argument()
    {
        Assert.Equal("nodes", Assert.Throws<ArgumentOutOfRangeException>(() => SocialGraph.Random(1, 2, 1)).ParamName);
        Assert.Equal("meanDegree", Assert.Throws<ArgumentOutOfRangeException>(() => SocialGraph.Random(10, 1, 1)).ParamName);
        var g = SocialGraph.Random(10, 2, 1);
        Assert.Equal("start", Assert.Throws<ArgumentOutOfRangeException>(() => g.Bfs(10, 1)).ParamName);
        Assert.Equal("start", Assert.Throws<ArgumentOutOfRangeException>(() => g.Bfs(-1, 1)).ParamName);
        Assert.Equal("hops", Assert.Throws<ArgumentOutOfRangeException>(() => g.Bfs(0, 0)).ParamName);
        Assert.Equal("start", Assert.Throws<ArgumentOutOfRangeException>(() => g.Walks(10, 1)).ParamName);
        Assert.Equal("hops", Assert.Throws<ArgumentOutOfRangeException>(() => g.Walks(0, 0)).ParamName);
        Assert.Equal("db", Assert.Throws<ArgumentNullException>(() => g.Load(null!, "t")).ParamName);
        Assert.Equal("db", Assert.Throws<ArgumentNullException>(() => SocialGraph.RecursiveCte(null!, "t", 0, 1)).ParamName);
        Assert.Equal("db", Assert.Throws<ArgumentNullException>(() => SocialGraph.WalksCte(null!, "t", 0, 1)).ParamName);
        using var db = Servers.Sqlite();
        Assert.Equal("table", Assert.Throws<ArgumentException>(() => g.Load(db, "")).ParamName);
        Assert.Equal("hops", Assert.Throws<ArgumentOutOfRangeException>(() => SocialGraph.RecursiveCte(db, "t", 0, 0)).ParamName);
        Assert.Equal("hops", Assert.Throws<ArgumentOutOfRangeException>(() => SocialGraph.WalksCte(db, "t", 0, 9)).ParamName);
    }
}

public sealed class TransferGraphExactTests
{
    [Fact]
    public void The_ring_is_a_seeded_shuffle_prefix_and_legitimate_transfers_flow_upward()
    {
        var t = TransferGraph.Random(100, 300, 4, seed: 6);
        var rng = new Random(6);
        Assert.Equal(Enumerable.Range(0, 100).OrderBy(_ => rng.Next()).Take(4), t.PlantedRing);
        Assert.Equal(100, t.Accounts);
        Assert.Equal(300 + 4, t.Transfers.Count);
        Assert.Equal(t.Transfers.OrderBy(e => e), t.Transfers);
        var ring = t.PlantedRing.ToHashSet();
        for (int i = 0; i < 4; i++) Assert.Contains((t.PlantedRing[i], t.PlantedRing[(i + 1) % 4]), t.Transfers);
        foreach (var (from, to) in t.Transfers.Where(e => !ring.Contains(e.From)))
            Assert.True(from < to);
        Assert.Equal(4, t.Transfers.Count(e => ring.Contains(e.From)));
    }

    [Fact]
    public void Cycles_are_found_only_up_to_the_length_limit()
    {
        var t = TransferGraph.Random(60, 200, 4, seed: 3);
        Assert.Equal(t.PlantedRing.OrderBy(x => x), t.AccountsOnCycles(4).OrderBy(x => x));
        Assert.Equal(t.PlantedRing.OrderBy(x => x), t.AccountsOnCycles(12).OrderBy(x => x));
        Assert.Empty(t.AccountsOnCycles(3));
        var two = TransferGraph.Random(10, 20, 2, seed: 1);
        Assert.Equal(two.PlantedRing.OrderBy(x => x), two.AccountsOnCycles(2).OrderBy(x => x));
    }

    [Fact]
    public void The_sql_search_agrees_at_the_length_limit_and_drops_its_table()
    {
        var t = TransferGraph.Random(60, 200, 4, seed: 3);
        using var db = Servers.Sqlite();
        Assert.Equal(t.PlantedRing.OrderBy(x => x), t.AccountsOnCyclesSql(db, "t_tx", 4).OrderBy(x => x));
        Assert.Empty(t.AccountsOnCyclesSql(db, "t_tx", 3));
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 't_tx'";
        Assert.Equal(0L, (long)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void Transfer_graph_guards_name_the_bad_argument()
    {
        Assert.Equal("accounts", Assert.Throws<ArgumentOutOfRangeException>(() => TransferGraph.Random(9, 10, 2, 1)).ParamName);
        Assert.Equal("transfers", Assert.Throws<ArgumentOutOfRangeException>(() => TransferGraph.Random(10, 0, 2, 1)).ParamName);
        Assert.Equal("ringLength", Assert.Throws<ArgumentOutOfRangeException>(() => TransferGraph.Random(10, 10, 1, 1)).ParamName);
        Assert.Equal("ringLength", Assert.Throws<ArgumentOutOfRangeException>(() => TransferGraph.Random(10, 10, 9, 1)).ParamName);
        var t = TransferGraph.Random(10, 10, 2, 1);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => t.AccountsOnCycles(1)).ParamName);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => t.AccountsOnCycles(13)).ParamName);
        Assert.Equal("db", Assert.Throws<ArgumentNullException>(() => t.AccountsOnCyclesSql(null!, "t", 3)).ParamName);
        using var db = Servers.Sqlite();
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => t.AccountsOnCyclesSql(db, "t", 13)).ParamName);
    }
}
