using System.Globalization;
using Plotly.NET;
using SystemDesign.Caching;
using SystemDesign.Consistency;
using SystemDesign.Distribution;
using SystemDesign.Indexing;
using SystemDesign.Locking;
using SystemDesign.Notebook;
using SystemDesign.Probabilistic;
using SystemDesign.Replication;

namespace SystemDesign.Book;

/// <summary>
/// The notebooks' visualizers as kernel-free grids for the book. Each figure is what the notebook's visualizer cell
/// draws for those parameters, computed by the same library calls (the cell stays the way to try any value; the grid
/// is what a reader of the static page can move through). Grid sizes are stated per visualizer and on its page.
/// </summary>
public static class Visualizers
{
    public static IReadOnlyList<Visualizer> All() =>
        [ConsistentHashingRing(), CapPartition(), ReplicationLag(), BPlusTreeBuild(), DeadlockRing(), CacheStampede(), BloomFilterBits()];

    static string[] Names(int n, string prefix) => Enumerable.Range(0, n).Select(i => $"{prefix}-{i}").ToArray();
    static string I(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>01: the ring as a clock face (RingChart.Draw), key "user:42", RF = min(3, nodes). Grid 7 × 6 = 42.</summary>
    public static Visualizer ConsistentHashingRing()
    {
        int[] nodes = [2, 3, 4, 5, 6, 8, 10];
        int[] vnodes = [1, 2, 4, 8, 16, 32];
        const string key = "user:42";
        return new Visualizer("01-ring", "01", "Consistent hashing: the ring and where \"user:42\" lives",
            "Each coloured arc holds the keys of one physical node; the star is the key, its replicas the next distinct " +
            "nodes clockwise. More virtual nodes per node make the arcs finer and the shares more even.",
            "HashRing.Create + RingChart.Draw (src/Shared/Distribution)",
            [new("physical nodes", nodes.Select(n => n.ToString()).ToArray()),
             new("virtual nodes per node", vnodes.Select(v => v.ToString()).ToArray())],
            [3, 3],
            p =>
            {
                int n = nodes[p[0]], v = vnodes[p[1]], rf = Math.Min(3, n);
                var ring = HashRing.Create(Names(n, "node"), v);
                return RingChart.Draw(ring, key, rf, $"{n} nodes × {v} virtual nodes: where \"{key}\" lives (RF = {rf})");
            });
    }

    /// <summary>02: CP vs AP availability and stale reads per side (PartitionCharts.Panels). Grid 4 × 3 = 12.</summary>
    public static Visualizer CapPartition()
    {
        double[] delays = [5, 10, 50, 200];
        int[][] sides = [[4], [3, 4], [2, 3, 4]];
        return new Visualizer("02-partition", "02", "CAP: a partition, CP against AP",
            "Five replicas; the replicas of side B are cut off from 2 s to 6 s. CP (an idealised majority register) " +
            "refuses the minority side; AP answers everywhere and serves stale reads, more of them as replication slows.",
            "PartitionSimulation.Run + PartitionCharts.Panels (src/Shared/Consistency)",
            [new("AP replication delay (ms)", delays.Select(I).ToArray()),
             new("replicas on side B", sides.Select(s => string.Join(" ", s)).ToArray())],
            [1, 1],
            p =>
            {
                var options = new PartitionOptions { ReplicationDelayMean = delays[p[0]], SideB = sides[p[1]] };
                var runs = new[] { ReplicationMode.CpMajority, ReplicationMode.Ap }
                    .Select(m => PartitionSimulation.Run(m, options)).ToList();
                return PartitionCharts.Panels(
                    "Availability and stale-read rate per side, per 250 ms window (top: CP, bottom: AP)", runs);
            });
    }

    /// <summary>03: WAL positions on the primary and the replica (ReplicationSimulator). Grid 4 × 3 = 12.</summary>
    public static Visualizer ReplicationLag()
    {
        double[] writeRates = [400, 800, 1000, 1200];
        double[] delaysMs = [5, 20, 100];
        return new Visualizer("03-replication", "03", "Replication lag: WAL positions, primary against replica",
            "Poisson writes on the primary with a 3 s burst of 1,500 writes/s from t = 2 s; one replay process on the " +
            "replica applies 1,000 records/s. When writes outrun replay the backlog grows, then drains.",
            "ReplicationSimulator.Run (src/Shared/Replication)",
            [new("write rate (writes/s)", writeRates.Select(I).ToArray()),
             new("network delay (ms, one way)", delaysMs.Select(I).ToArray())],
            [1, 1],
            p =>
            {
                var viz = ReplicationSimulator.Run(new ReplicationOptions
                {
                    WriteRate = writeRates[p[0]], ReplayRate = 1000, NetworkDelay = delaysMs[p[1]] / 1000,
                    Duration = 14, Seed = 1, Bursts = [new Burst(2, 3, 1500)], DelaySpikes = [],
                });
                double end = viz.Count == 0 ? 14 : Math.Max(14, viz.Replayed[^1]);
                var samples = viz.Samples(0, end, end / 300);
                double[] Col(Func<LsnSample, double> f) => samples.Select(f).ToArray();
                var time = Col(s => s.Time);
                return Charts.Line("WAL positions: primary, sent, replica flush, replica replay", "time (s)",
                    "LSN (records)",
                    new Series("primary: pg_current_wal_lsn()", time, Col(s => s.Primary), SeriesStyle.Lines),
                    new Series("sent_lsn (on the wire)", time, Col(s => s.Sent), SeriesStyle.Lines),
                    new Series("replica flush_lsn (durable)", time, Col(s => s.Flush), SeriesStyle.Lines),
                    new Series("replica replay_lsn (visible)", time, Col(s => s.Replay), SeriesStyle.Lines));
            });
    }

    /// <summary>04: a B+tree built by inserts, search 42 and range [20, 45] (TreeChart.Draw). Grid 6 × 5 = 30.</summary>
    public static Visualizer BPlusTreeBuild()
    {
        int[] orders = [3, 4, 5, 6, 8, 12];
        int[] counts = [10, 20, 30, 50, 99];
        return new Visualizer("04-btree", "04", "B+tree: pages, a search and a range scan",
            "Keys drawn without repeats from 1..99 (seed 7) inserted one by one; the search path for key 42 in red, the " +
            "leaves a range scan of [20, 45] reads in orange. A higher order makes the tree shorter.",
            "BPlusTree.Insert/Search/Range + TreeChart.Draw (src/Shared/Indexing)",
            [new("order (children per page)", orders.Select(o => o.ToString()).ToArray()),
             new("keys inserted", counts.Select(c => c.ToString()).ToArray())],
            [1, 2],
            p =>
            {
                int order = orders[p[0]], keyCount = counts[p[1]];
                var rng = new Random(7);
                var keys = Enumerable.Range(1, 99).OrderBy(_ => rng.Next()).Take(keyCount).ToArray();
                var tree = new BPlusTree<int, string>(order);
                foreach (var k in keys) tree.Insert(k, $"row {k}");
                var hit = tree.Search(42);
                var scan = tree.Range(20, 45);
                return TreeChart.Draw(tree, $"B+tree of order {order}: {keyCount} keys, height {tree.Height}",
                    hit.Path, scan.Path.Skip(tree.Height - 1).ToArray());
            });
    }

    /// <summary>06: the wait-for graph of a ring of transactions (LockCharts.WaitForGraph). Grid 7 × 3 × 2 = 42.</summary>
    public static Visualizer DeadlockRing()
    {
        int[] sizes = [2, 3, 4, 5, 6, 7, 8];
        DeadlockPolicy[] policies = [DeadlockPolicy.Detect, DeadlockPolicy.WaitDie, DeadlockPolicy.WoundWait];
        bool[] ordered = [false, true];
        return new Visualizer("06-deadlock", "06", "Deadlock: the wait-for graph of a ring of transactions",
            "Ti locks row r(i), then asks for r(i+1); the last wraps round. Detection finds the cycle and aborts a " +
            "victim; wait-die and wound-wait abort before a cycle forms; a global lock order removes the cycle.",
            "LockSimulation.Script + LockCharts.WaitForGraph (src/Shared/Locking)",
            [new("transactions", sizes.Select(s => s.ToString()).ToArray()),
             new("policy", policies.Select(x => x.ToString()).ToArray()),
             new("global lock order", ordered.Select(o => o ? "ascending" : "none").ToArray())],
            [0, 0, 0],
            p =>
            {
                int n = sizes[p[0]];
                var policy = policies[p[1]];
                bool globalOrder = ordered[p[2]];
                var ring = LockSimulation.Script(LockSimulation.Ring(n, globalOrder), LockSimulation.RingTurns(n), policy);
                string order = globalOrder ? ", ascending lock order" : "";
                return LockCharts.WaitForGraph($"Wait-for graph: {n} transactions, {policy}{order}",
                    ring.Transactions, ring.Graph, ring.Cycle, ring.Aborts.Select(a => a.Victim).ToList());
            });
    }

    /// <summary>07: database queries around a hot key's expiry (StampedeSimulation). Grid 5 × 5 = 25.</summary>
    public static Visualizer CacheStampede()
    {
        double[] rates = [30, 100, 300, 1000, 3000];
        double[] recomputeMs = [10, 40, 80, 200, 500];
        return new Visualizer("07-stampede", "07", "Cache stampede: database queries when a hot key expires",
            "A hot key expires at t = 1 s under Poisson reads. Unprotected, every reader during the recomputation " +
            "queries the database; a mutex lets one through; XFetch (β = 1) recomputes early, so nobody waits.",
            "StampedeSimulation.Run (src/Shared/Caching)",
            [new("reads per second", rates.Select(I).ToArray()),
             new("recompute time (ms)", recomputeMs.Select(I).ToArray())],
            [2, 2],
            p => Charts.Line("Database queries around the expiry of one hot key", "time (ms; expiry at 1,000)",
                "cumulative DB queries",
                Enum.GetValues<StampedeProtection>().Select(protection =>
                {
                    var run = StampedeSimulation.Run(protection, rates[p[0]], recomputeMs[p[1]] / 1000, ttlSeconds: 1,
                        spanSeconds: 1.5, seed: 11, beta: 1.0);
                    var t = run.Queries.Select(q => q.Start * 1000).ToArray();
                    return new Series($"{protection}: {t.Length} queries", t, t.Select((_, i) => (double)(i + 1)).ToArray(),
                        SeriesStyle.LinesAndMarkers);
                }).ToArray()));
    }

    /// <summary>18: a Bloom filter's bits and the k positions of tested words (FilterChecks.Picture). Grid 5 × 5 = 25.</summary>
    public static Visualizer BloomFilterBits()
    {
        long[] bits = [16, 32, 64, 128, 256];
        int[] hashes = [1, 2, 3, 5, 8];
        string[] add = ["apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "plum", "kiwi", "fig"];
        string[] test = ["apple", "mango", "melon", "lime", "pear"];
        return new Visualizer("18-bloom", "18", "Bloom filter: the bit array and each word's k bits",
            "Ten words added. Row one is the bit array; each tested word's row shows its k positions: 1 where the bit " +
            "is set, −1 where it is clear. One clear bit means definitely not; all set means probably yes.",
            "BloomFilter + FilterChecks.Picture (src/Shared/Probabilistic)",
            [new("bits m", bits.Select(b => b.ToString()).ToArray()),
             new("hash functions k", hashes.Select(h => h.ToString()).ToArray())],
            [2, 2],
            p =>
            {
                long m = bits[p[0]];
                int k = hashes[p[1]];
                var filter = new BloomFilter(m, k);
                foreach (var w in add) filter.Add(w);
                var picture = FilterChecks.Picture(filter, test, add.ToHashSet());
                return Charts.Heatmap($"Bloom filter: m = {m} bits, k = {k}, n = {add.Length} words", "bit", "",
                    Enumerable.Range(0, (int)m).Select(i => i.ToString()).ToArray(), picture.Rows, picture.Z);
            });
    }
}
