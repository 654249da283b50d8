namespace SystemDesign.Indexing;

/// <summary>
/// One planner experiment: indexes to create, then a query to EXPLAIN, on PostgreSQL and/or SQLite (null
/// where the case does not apply to that system). Everything runs inside a transaction that is rolled back,
/// so each case sees only its own indexes.
/// </summary>
/// <param name="Key">short id used by the notebook's checks.</param>
/// <param name="Question">what the case asks, in the guide's terms.</param>
/// <param name="PostgresIndexes">CREATE INDEX statements for PostgreSQL.</param>
/// <param name="PostgresQuery">the query PostgreSQL plans, or null.</param>
/// <param name="SqliteIndexes">CREATE INDEX statements for SQLite.</param>
/// <param name="SqliteQuery">the query SQLite plans, or null.</param>
/// <param name="Measure">PostgreSQL: run EXPLAIN ANALYZE with BUFFERS, to count the index pages read.</param>
public sealed record IndexCase(string Key, string Question, IReadOnlyList<string> PostgresIndexes, string? PostgresQuery,
    IReadOnlyList<string> SqliteIndexes, string? SqliteQuery, bool Measure = false);

/// <summary>The guide's "when is an index used" cases as experiments on the nb04_users table.</summary>
public static class IndexCases
{
    public const string Table = "nb04_users";

    private const string Composite = "CREATE INDEX nb04_users_ucs ON nb04_users (user_id, created_at, status)";
    private const string UserId = "CREATE INDEX nb04_users_user ON nb04_users (user_id)";
    private const string Email = "CREATE INDEX nb04_users_email ON nb04_users (email)";
    private const string Name = "CREATE INDEX nb04_users_name ON nb04_users (name)";
    private const string Status = "CREATE INDEX nb04_users_status ON nb04_users (status)";

    private static IndexCase Both(string key, string question, string[] indexes, string query, bool measure = false)
        => new(key, question, indexes, query, indexes, query, measure);

    /// <summary>Composite index (user_id, created_at, status): which predicates it serves.</summary>
    public static IReadOnlyList<IndexCase> LeftmostPrefix { get; } =
    [
        Both("prefix (a)", "WHERE user_id = 42", [Composite], "SELECT * FROM nb04_users WHERE user_id = 42", measure: true),
        Both("prefix (a, b)", "WHERE user_id = 42 AND created_at > X", [Composite],
            "SELECT * FROM nb04_users WHERE user_id = 42 AND created_at > '2024-06-01'", measure: true),
        Both("prefix (a, b, c)", "WHERE user_id = 42 AND created_at = X AND status = 'active'", [Composite],
            "SELECT * FROM nb04_users WHERE user_id = 42 AND created_at = '2024-06-01 00:00:00' AND status = 'active'", measure: true),
        Both("no leading column (b)", "WHERE created_at > X (no user_id)", [Composite],
            "SELECT * FROM nb04_users WHERE created_at > '2024-12-30'", measure: true),
        Both("no leading column (c)", "WHERE status = 'banned' (not leftmost)", [Composite],
            "SELECT * FROM nb04_users WHERE status = 'banned'", measure: true),
        Both("skip scan candidate", "WHERE created_at > X with an index on (status, created_at): 3 distinct leading values",
            ["CREATE INDEX nb04_users_sc ON nb04_users (status, created_at)"],
            "SELECT * FROM nb04_users WHERE created_at > '2024-12-30'", measure: true),
    ];

    /// <summary>The guide's five reasons an index is skipped, each with the fix or the counter-example.</summary>
    public static IReadOnlyList<IndexCase> Skipped { get; } =
    [
        Both("function on column", "WHERE lower(email) = … with an index on email", [Email],
            "SELECT * FROM nb04_users WHERE lower(email) = 'user42@example.com'"),
        Both("expression index", "the same query with an index on lower(email)",
            ["CREATE INDEX nb04_users_lower_email ON nb04_users (lower(email))"],
            "SELECT * FROM nb04_users WHERE lower(email) = 'user42@example.com'"),
        Both("leading wildcard", "WHERE name LIKE '%smith1'", [Name], "SELECT * FROM nb04_users WHERE name LIKE '%smith1'"),
        new("reverse() index", "suffix search through an index on reverse(name)",
            ["CREATE INDEX nb04_users_rev_name ON nb04_users (reverse(name))"],
            "SELECT * FROM nb04_users WHERE reverse(name) LIKE '1htims%'", [], null),
        Both("prefix LIKE", "WHERE name LIKE 'smith1%' with a plain index (PostgreSQL column collation C; SQLite LIKE is case-insensitive)",
            [Name], "SELECT * FROM nb04_users WHERE name LIKE 'smith1%'"),
        new("prefix LIKE, ICU column", "the same on a column with a linguistic (ICU) collation",
            ["CREATE INDEX nb04_users_name_icu ON nb04_users (name_icu)"],
            "SELECT * FROM nb04_users WHERE name_icu LIKE 'smith1%'", [], null),
        new("prefix LIKE, text_pattern_ops", "the ICU column with a text_pattern_ops index",
            ["CREATE INDEX nb04_users_name_icu_pat ON nb04_users (name_icu text_pattern_ops)"],
            "SELECT * FROM nb04_users WHERE name_icu LIKE 'smith1%'", [], null),
        new("prefix LIKE, NOCASE index", "SQLite: an index with COLLATE NOCASE serves its case-insensitive LIKE", [], null,
            ["CREATE INDEX nb04_users_name_nocase ON nb04_users (name COLLATE NOCASE)"], "SELECT * FROM nb04_users WHERE name LIKE 'smith1%'"),
        Both("quoted number", "WHERE user_id = '42' on an integer column", [UserId], "SELECT * FROM nb04_users WHERE user_id = '42'"),
        Both("numeric literal", "WHERE user_id = 42.0 on an integer column", [UserId], "SELECT * FROM nb04_users WHERE user_id = 42.0"),
        Both("cast on column", "WHERE CAST(user_id AS text) = '42'", [UserId], "SELECT * FROM nb04_users WHERE CAST(user_id AS text) = '42'"),
        Both("low selectivity", "WHERE status = 'active' (90% of rows)", [Status], "SELECT * FROM nb04_users WHERE status = 'active'"),
        Both("high selectivity", "WHERE status = 'banned' (0.5% of rows)", [Status], "SELECT * FROM nb04_users WHERE status = 'banned'"),
        Both("OR of two columns", "WHERE user_id = 42 OR email = … with an index on each", [UserId, Email],
            "SELECT * FROM nb04_users WHERE user_id = 42 OR email = 'User7@Example.com'"),
    ];

    /// <summary>Hash versus B-tree indexes: equality, ranges and ORDER BY.</summary>
    public static IReadOnlyList<IndexCase> HashVersusBTree { get; } =
    [
        new("hash: equality", "WHERE email = … with a hash index", ["CREATE INDEX nb04_users_email_hash ON nb04_users USING hash (email)"],
            "SELECT * FROM nb04_users WHERE email = 'User7@Example.com'", [], null),
        new("hash: range", "WHERE email BETWEEN … with a hash index", ["CREATE INDEX nb04_users_email_hash ON nb04_users USING hash (email)"],
            "SELECT * FROM nb04_users WHERE email BETWEEN 'User7' AND 'User8'", [], null),
        new("hash: ORDER BY", "ORDER BY email LIMIT 5 with a hash index", ["CREATE INDEX nb04_users_email_hash ON nb04_users USING hash (email)"],
            "SELECT * FROM nb04_users ORDER BY email LIMIT 5", [], null),
        new("btree: range", "WHERE email BETWEEN … with a B-tree index", [Email],
            "SELECT * FROM nb04_users WHERE email BETWEEN 'User7' AND 'User8'", [], null),
        Both("btree: ORDER BY", "ORDER BY email LIMIT 5 with a B-tree index", [Email], "SELECT * FROM nb04_users ORDER BY email LIMIT 5"),
    ];

    /// <summary>SQLite's covering index (it has no INCLUDE: the extra columns go at the end of the key).</summary>
    public static IndexCase SqliteCovering { get; } = new("covering", "SELECT total, created_at … WHERE user_id = 42, all columns in the index", [], null,
        ["CREATE INDEX nb04_users_cov ON nb04_users (user_id, total, created_at)"], "SELECT total, created_at FROM nb04_users WHERE user_id = 42");
}
