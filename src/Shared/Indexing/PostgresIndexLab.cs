using Npgsql;
using NpgsqlTypes;

namespace SystemDesign.Indexing;

/// <summary>
/// What PostgreSQL planned for one <see cref="IndexCase"/>, and the shape of the indexes it had.
/// IndexPages holds each created index's size in 8 KB pages (metapage included), IndexHeights the levels of each B-tree
/// index (bt_metap level + 1).
/// </summary>
public sealed record PostgresCaseResult(IndexCase Case, PlanNode Plan, IReadOnlyDictionary<string, long> IndexPages, IReadOnlyDictionary<string, int> IndexHeights)
{
    public string Key => Case.Key;

    /// <summary>Seq Scan, Index Scan, Index Only Scan or Bitmap Heap Scan.</summary>
    public string Access => Plan.Access;

    public bool UsesIndex => Plan.IndexesUsed.Count > 0;

    /// <summary>Index pages read by Bitmap Index Scan nodes (needs <see cref="IndexCase.Measure"/>): their hit + read buffers. Plain index scans mix heap pages into their count, so they are not included.</summary>
    public long IndexPagesRead => Plan.Walk().Where(n => n.NodeType == "Bitmap Index Scan").Sum(n => n.Buffers);
}

/// <summary>The selectivity dial: which access path the planner picks as a range predicate matches more rows.</summary>
public sealed record SelectivityPoint(double Fraction, long Rows, double EstimatedRows, string Access);

/// <summary>A covering (INCLUDE) index before and after VACUUM sets the visibility map.</summary>
public sealed record CoveringResult(PlanNode BeforeVacuum, PlanNode AfterVacuum, long Rows);

/// <summary>Row estimates for the same predicate before and after ANALYZE, and the rows that really match.</summary>
public sealed record StatisticsEffect(double EstimateBefore, string AccessBefore, double EstimateAfter, string AccessAfter, long Actual);

/// <summary>Counts for an OR rewritten as UNION ALL (double-counts rows matching both arms), as UNION on the key (exact) and as UNION on (user_id, status) without the key (merges distinct rows with equal values).</summary>
public sealed record OrRewrite(long Or, long UnionAll, long Union, long Both, long UnionNoKey);

/// <summary>
/// PostgreSQL experiments on indexes: the nb04_users table (from <see cref="IndexLabData"/>), the guide's
/// cases (<see cref="IndexCases"/>) run inside transactions that are rolled back, and a few measurements of
/// what the planner and the executor do. Tables are prefixed nb04_ and dropped by <see cref="DropAll"/>.
/// </summary>
public static class PostgresIndexLab
{
    /// <summary>The linguistic collation of the name_icu column (needs PostgreSQL built with ICU).</summary>
    public const string IcuCollation = "en-x-icu";

    /// <summary>(Re)creates nb04_users with autovacuum off (so the visibility map and statistics change only when we say), loads the rows and ANALYZEs.</summary>
    public static void CreateUsers(NpgsqlConnection connection, IReadOnlyList<UserRow> rows)
    {
        Guard.NotNull(connection);
        Guard.NotNull(rows);
        bool icu = HasCollation(connection, IcuCollation);
        Execute(connection, $"""
            DROP TABLE IF EXISTS nb04_users;
            CREATE UNLOGGED TABLE nb04_users (
                id int PRIMARY KEY, user_id int NOT NULL, created_at timestamp NOT NULL, status text NOT NULL,
                email text NOT NULL, name text NOT NULL, name_icu text {(icu ? $"COLLATE \"{IcuCollation}\"" : "")} NOT NULL,
                total numeric(10,2) NOT NULL, a int NOT NULL, pad text NOT NULL) WITH (autovacuum_enabled = false)
            """);
        string pad = new('x', 200); // a wide row: the heap is several times bigger than any index on it
        using (var import = connection.BeginBinaryImport("COPY nb04_users (id, user_id, created_at, status, email, name, name_icu, total, a, pad) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in rows)
            {
                import.StartRow();
                import.Write(r.Id, NpgsqlDbType.Integer);
                import.Write(r.UserId, NpgsqlDbType.Integer);
                import.Write(r.CreatedAt, NpgsqlDbType.Timestamp);
                import.Write(r.Status, NpgsqlDbType.Text);
                import.Write(r.Email, NpgsqlDbType.Text);
                import.Write(r.Name, NpgsqlDbType.Text);
                import.Write(r.Name, NpgsqlDbType.Text);
                import.Write(r.Total, NpgsqlDbType.Numeric);
                import.Write(r.A, NpgsqlDbType.Integer);
                import.Write(pad, NpgsqlDbType.Text);
            }
            import.Complete();
        }
        Execute(connection, "ANALYZE nb04_users");
    }

    /// <summary>Drops every table these experiments create.</summary>
    public static void DropAll(NpgsqlConnection connection)
    {
        Guard.NotNull(connection);
        Execute(connection, "DROP TABLE IF EXISTS nb04_users, nb04_orders, nb04_stats, nb04_w, nb04_h, "
            + "nb04_children, nb04_parents, nb04_driver_points");
    }

    /// <summary>Whether a collation exists (ICU ones need an ICU-enabled server).</summary>
    public static bool HasCollation(NpgsqlConnection connection, string name)
    {
        using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_collation WHERE collname = @n", connection);
        cmd.Parameters.AddWithValue("n", name);
        return (long)cmd.ExecuteScalar()! > 0;
    }

    /// <summary>The server's major version (15 for PostgreSQL 15.x).</summary>
    public static int MajorVersion(NpgsqlConnection connection) => Scalar<int>(connection, "SELECT current_setting('server_version_num')::int / 10000");

    /// <summary>
    /// Runs cases on nb04_users inside rolled-back transactions: cases that need the same indexes share one
    /// transaction (the indexes are built once), others never see them. Cases without a PostgreSQL query are
    /// skipped; results come back in the order of the cases.
    /// </summary>
    public static IReadOnlyList<PostgresCaseResult> Run(NpgsqlConnection connection, IEnumerable<IndexCase> cases)
    {
        Guard.NotNull(connection);
        Guard.NotNull(cases);
        var list = cases.Where(c => c.PostgresQuery is not null).ToList();
        var results = new Dictionary<IndexCase, PostgresCaseResult>();
        foreach (var group in list.GroupBy(c => string.Join(";", c.PostgresIndexes)))
        {
            var ddls = group.First().PostgresIndexes;
            using var tx = connection.BeginTransaction();
            var names = new List<string>();
            foreach (var ddl in ddls)
            {
                Execute(connection, ddl, tx);
                names.Add(IndexName(ddl));
            }
            // Expression indexes get their own statistics only from ANALYZE.
            if (ddls.Any(IsExpressionIndex))
                Execute(connection, "ANALYZE nb04_users", tx);
            var pages = names.ToDictionary(n => n, n => Scalar<long>(connection, $"SELECT pg_relation_size('{n}') / 8192", tx));
            var heights = names.Where(n => Scalar<string>(connection, $"SELECT am.amname::text FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.relname = '{n}'", tx) == "btree")
                .ToDictionary(n => n, n => Scalar<int>(connection, $"SELECT level + 1 FROM bt_metap('{n}')", tx));
            foreach (var c in group)
                results[c] = new PostgresCaseResult(c, QueryPlans.ExplainPostgres(connection, c.PostgresQuery!, c.Measure, tx), pages, heights);
            tx.Rollback();
        }
        return list.Select(c => results[c]).ToArray();
    }

    /// <summary>
    /// The error PostgreSQL returns for an integer column compared with a parameter sent as text: it refuses
    /// (SQLSTATE 42883, operator does not exist) instead of casting silently. Returns (SQLSTATE, message).
    /// </summary>
    public static (string SqlState, string Message) CompareIntegerWithTextParameter(NpgsqlConnection connection)
    {
        Guard.NotNull(connection);
        using var cmd = new NpgsqlCommand("SELECT count(*) FROM nb04_users WHERE user_id = @p", connection);
        cmd.Parameters.Add(new NpgsqlParameter("p", NpgsqlDbType.Text) { Value = "42" });
        try
        {
            cmd.ExecuteScalar();
            return ("00000", "no error");
        }
        catch (PostgresException e)
        {
            return (e.SqlState, e.MessageText);
        }
    }

    /// <summary>
    /// Plans for "a &lt; t" over a B-tree on a, one per threshold t: as the matched
    /// fraction grows the planner moves from Index Scan to Bitmap Heap Scan to Seq Scan.
    /// </summary>
    public static IReadOnlyList<SelectivityPoint> SelectivitySweep(NpgsqlConnection connection, IReadOnlyList<int> thresholds)
    {
        Guard.NotNull(connection);
        Guard.NotEmpty(thresholds);
        foreach (int t in thresholds) Guard.InRange(t, 1, IndexLabData.ARange); // all of them, before the server is asked
        long total = Scalar<long>(connection, "SELECT count(*) FROM nb04_users");
        using var tx = connection.BeginTransaction();
        Execute(connection, "CREATE INDEX nb04_users_a ON nb04_users (a)", tx);
        var points = new List<SelectivityPoint>();
        foreach (int t in thresholds)
        {
            var plan = QueryPlans.ExplainPostgres(connection, $"SELECT * FROM nb04_users WHERE a < {t}", transaction: tx);
            long rows = Scalar<long>(connection, $"SELECT count(*) FROM nb04_users WHERE a < {t}", tx);
            points.Add(new SelectivityPoint((double)rows / total, rows, plan.Walk().First(n => QueryPlans.TableAccessNodes.Contains(n.NodeType)).PlanRows, plan.Access));
        }
        tx.Rollback();
        return points;
    }

    /// <summary>
    /// The guide's covering index on a fresh nb04_orders table (autovacuum off): SELECT total, created_at
    /// WHERE user_id = … with an index on (user_id) INCLUDE (total, created_at), before and after VACUUM.
    /// An index-only scan needs the visibility map to say the heap pages are all-visible; only VACUUM sets it.
    /// </summary>
    public static CoveringResult CoveringIndex(NpgsqlConnection connection, int rows, int seed)
    {
        Guard.NotNull(connection);
        Guard.InRange(rows, 100, 1_000_000);
        Execute(connection, """
            DROP TABLE IF EXISTS nb04_orders;
            CREATE UNLOGGED TABLE nb04_orders (id int PRIMARY KEY, user_id int NOT NULL, total numeric(10,2) NOT NULL,
                created_at timestamp NOT NULL, note text NOT NULL) WITH (autovacuum_enabled = false)
            """);
        var data = IndexLabData.Users(rows, seed);
        using (var import = connection.BeginBinaryImport("COPY nb04_orders (id, user_id, total, created_at, note) FROM STDIN (FORMAT BINARY)"))
        {
            string note = new('n', 100);
            foreach (var r in data)
            {
                import.StartRow();
                import.Write(r.Id, NpgsqlDbType.Integer);
                import.Write(r.UserId, NpgsqlDbType.Integer);
                import.Write(r.Total, NpgsqlDbType.Numeric);
                import.Write(r.CreatedAt, NpgsqlDbType.Timestamp);
                import.Write(note, NpgsqlDbType.Text);
            }
            import.Complete();
        }
        Execute(connection, "CREATE INDEX nb04_orders_cov ON nb04_orders (user_id) INCLUDE (total, created_at); ANALYZE nb04_orders");
        const string query = "SELECT total, created_at FROM nb04_orders WHERE user_id = 42";
        var before = QueryPlans.ExplainPostgres(connection, query, analyze: true);
        Execute(connection, "VACUUM nb04_orders");
        var after = QueryPlans.ExplainPostgres(connection, query, analyze: true);
        long matched = Scalar<long>(connection, "SELECT count(*) FROM nb04_orders WHERE user_id = 42");
        Execute(connection, "DROP TABLE nb04_orders");
        return new CoveringResult(before, after, matched);
    }

    /// <summary>
    /// Loads a table with autovacuum off, then plans "a &lt; threshold" before and after ANALYZE: without
    /// statistics the planner guesses a fixed selectivity (1/3 for an inequality).
    /// </summary>
    public static StatisticsEffect AnalyzeEffect(NpgsqlConnection connection, int rows, int threshold)
    {
        Guard.NotNull(connection);
        Guard.InRange(rows, 1000, 1_000_000);
        Guard.InRange(threshold, 1, IndexLabData.ARange);
        Execute(connection, $"""
            DROP TABLE IF EXISTS nb04_stats;
            CREATE UNLOGGED TABLE nb04_stats (id int NOT NULL, a int NOT NULL, pad text NOT NULL) WITH (autovacuum_enabled = false);
            CREATE INDEX nb04_stats_a ON nb04_stats (a);
            INSERT INTO nb04_stats SELECT g, (hashint4(g) & 2147483647) % {IndexLabData.ARange}, repeat('x', 100) FROM generate_series(1, {rows}) g
            """);
        string query = $"SELECT * FROM nb04_stats WHERE a < {threshold}";
        var before = QueryPlans.ExplainPostgres(connection, query);
        Execute(connection, "ANALYZE nb04_stats");
        var after = QueryPlans.ExplainPostgres(connection, query);
        long actual = Scalar<long>(connection, $"SELECT count(*) FROM nb04_stats WHERE a < {threshold}");
        Execute(connection, "DROP TABLE nb04_stats");
        static double Estimate(PlanNode p) => p.Walk().First(n => QueryPlans.TableAccessNodes.Contains(n.NodeType)).PlanRows;
        return new StatisticsEffect(Estimate(before), before.Access, Estimate(after), after.Access, actual);
    }

    /// <summary>
    /// The guide's advice to rewrite "x OR y" as UNION ALL, counted: UNION ALL returns rows matching both arms
    /// twice; UNION (or "AND NOT x" in the second arm) is the correct rewrite.
    /// </summary>
    public static OrRewrite OrVersusUnion(NpgsqlConnection connection, int userIdAtMost, int aBelow)
    {
        Guard.NotNull(connection);
        Guard.InRange(userIdAtMost, 1, int.MaxValue);
        Guard.InRange(aBelow, 1, IndexLabData.ARange);
        string x = $"user_id <= {userIdAtMost}", y = $"a < {aBelow}";
        return new OrRewrite(
            Scalar<long>(connection, $"SELECT count(*) FROM nb04_users WHERE {x} OR {y}"),
            Scalar<long>(connection, $"SELECT count(*) FROM (SELECT id FROM nb04_users WHERE {x} UNION ALL SELECT id FROM nb04_users WHERE {y}) u"),
            Scalar<long>(connection, $"SELECT count(*) FROM (SELECT id FROM nb04_users WHERE {x} UNION SELECT id FROM nb04_users WHERE {y}) u"),
            Scalar<long>(connection, $"SELECT count(*) FROM nb04_users WHERE {x} AND {y}"),
            // Without the key in the select list UNION also merges rows that are different rows with equal values.
            Scalar<long>(connection, $"SELECT count(*) FROM (SELECT user_id, status FROM nb04_users WHERE {x} UNION SELECT user_id, status FROM nb04_users WHERE {y}) u"));
    }

    /// <summary>
    /// WAL records written per inserted row into a table with <paramref name="indexes"/> B-tree indexes
    /// (0..3), measured by EXPLAIN (ANALYZE, WAL) inside a rolled-back transaction: one heap record plus one
    /// per index, plus a few for page splits.
    /// </summary>
    public static double WalRecordsPerRow(NpgsqlConnection connection, int indexes, int rows)
    {
        Guard.NotNull(connection);
        Guard.InRange(indexes, 0, 3);
        Guard.InRange(rows, 100, 1_000_000);
        using var tx = connection.BeginTransaction();
        Execute(connection, "CREATE TABLE nb04_w (id int NOT NULL, b int NOT NULL, c int NOT NULL)", tx);
        string[] columns = ["id", "b", "c"];
        for (int i = 0; i < indexes; i++) Execute(connection, $"CREATE INDEX ON nb04_w ({columns[i]})", tx);
        var plan = QueryPlans.ExplainPostgres(connection,
            $"INSERT INTO nb04_w SELECT g, (hashint4(g) & 65535), (hashint4(g + 1) & 65535) FROM generate_series(1, {rows}) g", analyze: true, tx);
        tx.Rollback();
        return (double)plan.WalRecords / rows;
    }

    /// <summary>Whether a catalog relation of that name exists (to_regclass), e.g. pg_statistic versus pg_statistics.</summary>
    public static bool RelationExists(NpgsqlConnection connection, string name)
    {
        Guard.NotNull(connection);
        Guard.NotEmpty(name);
        using var cmd = new NpgsqlCommand("SELECT to_regclass(@n) IS NOT NULL", connection);
        cmd.Parameters.AddWithValue("n", name);
        return (bool)cmd.ExecuteScalar()!;
    }

    internal static void Execute(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx = null)
    {
        using var cmd = new NpgsqlCommand(sql, connection, tx);
        cmd.ExecuteNonQuery();
    }

    internal static T Scalar<T>(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx = null)
    {
        using var cmd = new NpgsqlCommand(sql, connection, tx);
        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    // An index on an expression has a function call inside its column list: "ON t (lower(email))".
    internal static bool IsExpressionIndex(string ddl)
    {
        int open = ddl.IndexOf('(', ddl.IndexOf(" ON ", StringComparison.OrdinalIgnoreCase) + 1);
        return open >= 0 && ddl.IndexOf('(', open + 1) > open;
    }

    private static string IndexName(string ddl)
    {
        var parts = ddl.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int at = Array.FindIndex(parts, p => p.Equals("INDEX", StringComparison.OrdinalIgnoreCase));
        return parts[at + 1];
    }
}
