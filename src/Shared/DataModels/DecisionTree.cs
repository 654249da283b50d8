namespace SystemDesign.DataModels;

/// <summary>What the workload mostly asks of its data.</summary>
public enum QueryShape
{
    /// <summary>Entities read and written by key or by relations between them (orders, users, accounts).</summary>
    Records,
    /// <summary>Time-ordered measurements appended and read by time window (metrics, sensor data).</summary>
    TimeSeries,
    /// <summary>Paths through relationships several hops long (fraud rings, friends of friends).</summary>
    Relationships,
    /// <summary>Relevance-ranked full-text search.</summary>
    FullText,
    /// <summary>Large scans and aggregations over history (analytics, reporting).</summary>
    Analytics,
    /// <summary>Hot counters and rankings updated many times a second (leaderboards, rate limits).</summary>
    Rankings,
}

/// <summary>
/// A workload described by the answers to the decision tree's questions. Only the answers on the workload's
/// path matter; the others are ignored (the path printed says which were asked).
/// </summary>
public sealed record Workload(
    QueryShape Shape,
    bool MultiRowTransactions = false,
    bool AdHocQueries = false,
    bool WritesBeyondOnePrimary = false,
    bool AccessPatternsFixed = true,
    bool WriteHeavyMultiRegion = false,
    bool FourOrMoreHops = false,
    bool JoinsWithBusinessData = false,
    bool HighVolumeMetrics = true);

/// <summary>One answered question on a path through the tree.</summary>
public sealed record Step(string Question, string Answer, string Reason);

/// <summary>A leaf of the tree: what to use, and the path of answers that leads to it.</summary>
public sealed record Recommendation(string Database, string Examples, IReadOnlyList<Step> Path)
{
    /// <summary>The path as one line: answer → answer → database.</summary>
    public string PathText => string.Join(" → ", Path.Select(s => s.Answer)) + " ⇒ " + Database;
}

/// <summary>
/// The database decision tree as data: each node asks one question of a <see cref="Workload"/>, each branch
/// carries the reason it leads where it does. <see cref="Recommend"/> walks it for one workload;
/// <see cref="AllPaths"/> enumerates every root-to-leaf path from the tree's structure alone.
/// </summary>
public static class DatabaseDecisionTree
{
    private abstract record Node;
    private sealed record Leaf(string Database, string Examples) : Node;
    private sealed record Question(string Text, Func<Workload, string> Ask,
        IReadOnlyList<(string Answer, string Reason, Node Next, Func<Workload, Workload> Set)> Branches) : Node;

    private static (string, string, Node, Func<Workload, Workload>) Yes(string reason, Node next,
        Func<Workload, Workload> set) => ("yes", reason, next, set);
    private static (string, string, Node, Func<Workload, Workload>) No(string reason, Node next,
        Func<Workload, Workload> set) => ("no", reason, next, set);
    private static string YesNo(bool b) => b ? "yes" : "no";

    private static readonly Node Root = Build();

    private static Node Build()
    {
        var keyValue = new Question("Write-heavy, wide rows, several regions writing at once?",
            w => YesNo(w.WriteHeavyMultiRegion),
            new[]
            {
                Yes("LSM storage and leaderless multi-region replication absorb the writes",
                    new Leaf("Wide-column store", "Cassandra, ScyllaDB"), w => w with { WriteHeavyMultiRegion = true }),
                No("single-table design serves each known pattern in one request, with managed scaling",
                    new Leaf("Key-value / document store", "DynamoDB (single-table design)"),
                    w => w with { WriteHeavyMultiRegion = false }),
            });
        var fixedPatterns = new Question("Are the access patterns known and fixed at design time?",
            w => YesNo(w.AccessPatternsFixed),
            new[]
            {
                Yes("keys can be designed so every query is one partition read", keyValue,
                    w => w with { AccessPatternsFixed = true }),
                No("new queries will come: keep a planner and secondary indexes",
                    new Leaf("Relational with JSON columns", "PostgreSQL + JSONB (or MongoDB)"),
                    w => w with { AccessPatternsFixed = false }),
            });
        var scaleWrites = new Question("Do writes exceed what one primary can take?",
            w => YesNo(w.WritesBeyondOnePrimary),
            new[]
            {
                Yes("shard while keeping SQL and transactions",
                    new Leaf("Distributed SQL", "CockroachDB, Spanner, Citus"),
                    w => w with { WritesBeyondOnePrimary = true }),
                No("one primary plus read replicas: the simplest thing that works",
                    new Leaf("Relational", "PostgreSQL"), w => w with { WritesBeyondOnePrimary = false }),
            });
        var records = new Question("Multi-row ACID transactions or ad-hoc queries and joins?",
            w => YesNo(w.MultiRowTransactions || w.AdHocQueries),
            new[]
            {
                Yes("a query planner, joins and serializable transactions", scaleWrites,
                    w => w with { MultiRowTransactions = true }),
                No("no cross-row invariants to protect: denormalize for the reads", fixedPatterns,
                    w => w with { MultiRowTransactions = false, AdHocQueries = false }),
            });
        var series = new Question("Joins with business data at a modest volume (< ~1M points/day)?",
            w => YesNo(w.JoinsWithBusinessData && !w.HighVolumeMetrics),
            new[]
            {
                Yes("time partitioning and compression inside PostgreSQL, SQL joins kept",
                    new Leaf("Relational + time-series extension", "PostgreSQL + TimescaleDB"),
                    w => w with { JoinsWithBusinessData = true, HighVolumeMetrics = false }),
                No("append-only blocks, Gorilla-style compression, retention and downsampling built in",
                    new Leaf("Time-series database", "Prometheus (+ Thanos/Mimir), InfluxDB"),
                    w => w with { JoinsWithBusinessData = false, HighVolumeMetrics = true }),
            });
        var graph = new Question("Four or more hops, or pattern matching as a core feature?",
            w => YesNo(w.FourOrMoreHops),
            new[]
            {
                Yes("index-free adjacency and a pattern language (Cypher, Gremlin)",
                    new Leaf("Graph database", "Neo4j, Neptune, TigerGraph"), w => w with { FourOrMoreHops = true }),
                No("a recursive CTE over an indexed edge table covers 2–3 hops",
                    new Leaf("Relational with recursive CTEs", "PostgreSQL"), w => w with { FourOrMoreHops = false }),
            });
        return new Question("What does the workload mostly ask of its data?", w => w.Shape.ToString(),
            new (string, string, Node, Func<Workload, Workload>)[]
            {
                (nameof(QueryShape.Records), "entities by key or by relation", records,
                    w => w with { Shape = QueryShape.Records }),
                (nameof(QueryShape.TimeSeries), "appends in time order, reads by time window", series,
                    w => w with { Shape = QueryShape.TimeSeries }),
                (nameof(QueryShape.Relationships), "paths through relationships", graph,
                    w => w with { Shape = QueryShape.Relationships }),
                (nameof(QueryShape.FullText), "inverted index with relevance scoring",
                    new Leaf("Search engine beside the system of record", "Elasticsearch, OpenSearch"),
                    w => w with { Shape = QueryShape.FullText }),
                (nameof(QueryShape.Analytics), "column storage reads only the columns a scan needs",
                    new Leaf("Columnar analytics store", "ClickHouse, BigQuery"),
                    w => w with { Shape = QueryShape.Analytics }),
                (nameof(QueryShape.Rankings), "in-memory sorted sets: O(log N) update and rank",
                    new Leaf("In-memory data structure store + durable copy", "Redis sorted sets + PostgreSQL"),
                    w => w with { Shape = QueryShape.Rankings }),
            });
    }

    /// <summary>Walks the tree for one workload: the leaf it reaches and the answers on the way.</summary>
    public static Recommendation Recommend(Workload workload)
    {
        Guard.NotNull(workload);
        var path = new List<Step>();
        Node node = Root;
        while (node is Question q)
        {
            string answer = q.Ask(workload);
            var branch = q.Branches.First(b => b.Answer == answer);
            path.Add(new Step(q.Text, answer, branch.Reason));
            node = branch.Next;
        }
        var leaf = (Leaf)node;
        return new Recommendation(leaf.Database, leaf.Examples, path);
    }

    /// <summary>
    /// Every root-to-leaf path, enumerated from the tree's structure (not by calling <see cref="Recommend"/>),
    /// each with a workload built from its answers.
    /// </summary>
    public static IReadOnlyList<(Recommendation Leaf, Workload Witness)> AllPaths()
    {
        var result = new List<(Recommendation, Workload)>();
        void Walk(Node node, List<Step> path, Workload w)
        {
            if (node is Leaf leaf) { result.Add((new Recommendation(leaf.Database, leaf.Examples, path.ToList()), w)); return; }
            var q = (Question)node;
            foreach (var b in q.Branches)
            {
                path.Add(new Step(q.Text, b.Answer, b.Reason));
                Walk(b.Next, path, b.Set(w));
                path.RemoveAt(path.Count - 1);
            }
        }
        Walk(Root, new List<Step>(), new Workload(QueryShape.Records));
        return result;
    }

    /// <summary>Every workload the record can describe (all shapes × all answers): 6 × 2^8.</summary>
    public static IEnumerable<Workload> AllWorkloads()
    {
        foreach (var shape in Enum.GetValues<QueryShape>())
            for (int bits = 0; bits < 256; bits++)
            {
                bool B(int i) => (bits >> i & 1) == 1;
                yield return new Workload(shape, B(0), B(1), B(2), B(3), B(4), B(5), B(6), B(7));
            }
    }
}
