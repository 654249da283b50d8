using SystemDesign.DataModels;

namespace SystemDesign.Tests.DataModels;

public sealed class DecisionTreeExactTests
{
    private sealed record Expected(string Database, string Examples, Workload Witness, Step[] Path);

    // Every leaf with its examples, the witness AllPaths builds, and each question, answer and reason on the way.
    private static readonly Expected[] Paths =
    {
        new("Distributed SQL", "CockroachDB, Spanner, Citus", new Workload(QueryShape.Records, true, false, true, true, false, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "Records", "entities by key or by relation"),
                new("Multi-row ACID transactions or ad-hoc queries and joins?", "yes", "a query planner, joins and serializable transactions"),
                new("Do writes exceed what one primary can take?", "yes", "shard while keeping SQL and transactions"),
            }),
        new("Relational", "PostgreSQL", new Workload(QueryShape.Records, true, false, false, true, false, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "Records", "entities by key or by relation"),
                new("Multi-row ACID transactions or ad-hoc queries and joins?", "yes", "a query planner, joins and serializable transactions"),
                new("Do writes exceed what one primary can take?", "no", "one primary plus read replicas: the simplest thing that works"),
            }),
        new("Wide-column store", "Cassandra, ScyllaDB", new Workload(QueryShape.Records, false, false, false, true, true, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "Records", "entities by key or by relation"),
                new("Multi-row ACID transactions or ad-hoc queries and joins?", "no", "no cross-row invariants to protect: denormalize for the reads"),
                new("Are the access patterns known and fixed at design time?", "yes", "keys can be designed so every query is one partition read"),
                new("Write-heavy, wide rows, several regions writing at once?", "yes", "LSM storage and leaderless multi-region replication absorb the writes"),
            }),
        new("Key-value / document store", "DynamoDB (single-table design)", new Workload(QueryShape.Records, false, false, false, true, false, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "Records", "entities by key or by relation"),
                new("Multi-row ACID transactions or ad-hoc queries and joins?", "no", "no cross-row invariants to protect: denormalize for the reads"),
                new("Are the access patterns known and fixed at design time?", "yes", "keys can be designed so every query is one partition read"),
                new("Write-heavy, wide rows, several regions writing at once?", "no", "single-table design serves each known pattern in one request, with managed scaling"),
            }),
        new("Relational with JSON columns", "PostgreSQL + JSONB (or MongoDB)", new Workload(QueryShape.Records, false, false, false, false, false, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "Records", "entities by key or by relation"),
                new("Multi-row ACID transactions or ad-hoc queries and joins?", "no", "no cross-row invariants to protect: denormalize for the reads"),
                new("Are the access patterns known and fixed at design time?", "no", "new queries will come: keep a planner and secondary indexes"),
            }),
        new("Relational + time-series extension", "PostgreSQL + TimescaleDB", new Workload(QueryShape.TimeSeries, false, false, false, true, false, false, true, false),
            new Step[] {
                new("What does the workload mostly ask of its data?", "TimeSeries", "appends in time order, reads by time window"),
                new("Joins with business data at a modest volume (< ~1M points/day)?", "yes", "time partitioning and compression inside PostgreSQL, SQL joins kept"),
            }),
        new("Time-series database", "Prometheus (+ Thanos/Mimir), InfluxDB", new Workload(QueryShape.TimeSeries, false, false, false, true, false, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "TimeSeries", "appends in time order, reads by time window"),
                new("Joins with business data at a modest volume (< ~1M points/day)?", "no", "append-only blocks, Gorilla-style compression, retention and downsampling built in"),
            }),
        new("Graph database", "Neo4j, Neptune, TigerGraph", new Workload(QueryShape.Relationships, false, false, false, true, false, true, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "Relationships", "paths through relationships"),
                new("Four or more hops, or pattern matching as a core feature?", "yes", "index-free adjacency and a pattern language (Cypher, Gremlin)"),
            }),
        new("Relational with recursive CTEs", "PostgreSQL", new Workload(QueryShape.Relationships, false, false, false, true, false, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "Relationships", "paths through relationships"),
                new("Four or more hops, or pattern matching as a core feature?", "no", "a recursive CTE over an indexed edge table covers 2–3 hops"),
            }),
        new("Search engine beside the system of record", "Elasticsearch, OpenSearch", new Workload(QueryShape.FullText, false, false, false, true, false, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "FullText", "inverted index with relevance scoring"),
            }),
        new("Columnar analytics store", "ClickHouse, BigQuery", new Workload(QueryShape.Analytics, false, false, false, true, false, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "Analytics", "column storage reads only the columns a scan needs"),
            }),
        new("In-memory data structure store + durable copy", "Redis sorted sets + PostgreSQL", new Workload(QueryShape.Rankings, false, false, false, true, false, false, false, true),
            new Step[] {
                new("What does the workload mostly ask of its data?", "Rankings", "in-memory sorted sets: O(log N) update and rank"),
            }),
    };

    [Fact]
    public void All_paths_lists_every_leaf_with_its_questions_answers_reasons_and_witness()
    {
        var paths = DatabaseDecisionTree.AllPaths();
        Assert.Equal(Paths.Length, paths.Count);
        for (int i = 0; i < Paths.Length; i++)
        {
            var (leaf, witness) = paths[i];
            Assert.Equal(Paths[i].Database, leaf.Database);
            Assert.Equal(Paths[i].Examples, leaf.Examples);
            Assert.Equal(Paths[i].Witness, witness);
            Assert.Equal(Paths[i].Path, leaf.Path);
            var recommended = DatabaseDecisionTree.Recommend(witness);
            Assert.Equal(Paths[i].Path, recommended.Path);
            Assert.Equal(Paths[i].Database, recommended.Database);
            Assert.Equal(Paths[i].Examples, recommended.Examples);
            Assert.Equal(string.Join(" → ", Paths[i].Path.Select(s => s.Answer)) + " ⇒ " + Paths[i].Database, recommended.PathText);
        }
    }

    [Theory]
    [InlineData(true, false, "Relational + time-series extension")]
    [InlineData(true, true, "Time-series database")]
    [InlineData(false, false, "Time-series database")]
    [InlineData(false, true, "Time-series database")]
    public void Time_series_go_to_postgres_only_when_joined_with_business_data_at_modest_volume(bool joins, bool highVolume, string database)
    {
        var w = new Workload(QueryShape.TimeSeries, JoinsWithBusinessData: joins, HighVolumeMetrics: highVolume);
        Assert.Equal(database, DatabaseDecisionTree.Recommend(w).Database);
    }

    [Theory]
    [InlineData(false, false, "Key-value / document store")]
    [InlineData(true, false, "Relational")]
    [InlineData(false, true, "Relational")]
    public void Records_with_transactions_or_ad_hoc_queries_keep_a_relational_database(bool transactions, bool adHoc, string database)
    {
        var w = new Workload(QueryShape.Records, MultiRowTransactions: transactions, AdHocQueries: adHoc);
        Assert.Equal(database, DatabaseDecisionTree.Recommend(w).Database);
    }

    [Fact]
    public void All_workloads_enumerates_every_shape_and_answer_combination_in_bit_order()
    {
        var all = DatabaseDecisionTree.AllWorkloads().ToList();
        Assert.Equal(6 * 256, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(new Workload(QueryShape.Records, false, false, false, false, false, false, false, false), all[0]);
        Assert.Equal(new Workload(QueryShape.Records, true, false, false, false, false, false, false, false), all[1]);
        Assert.Equal(new Workload(QueryShape.Records, false, false, false, false, false, false, false, true), all[128]);
        Assert.Equal(new Workload(QueryShape.TimeSeries, false, false, false, false, false, false, false, false), all[256]);
        Assert.Equal(new Workload(QueryShape.Rankings, true, true, true, true, true, true, true, true), all[^1]);
    }

    [Fact]
    public void Recommend_rejects_a_null_workload()
    {
        Assert.Equal("workload", Assert.Throws<ArgumentNullException>(() => DatabaseDecisionTree.Recommend(null!)).ParamName);
    }
}
