using Npgsql;

namespace SystemDesign.Search;

/// <summary>One query on PostgreSQL full text beside our English-analyzer index and BM25.</summary>
public sealed record PgQueryRow(string Query, string PgTsQuery, string OurTerms, bool SameTerms, int PgMatches,
    int OurMatches, bool SameMatches, int OursNotInPg, string PgTop5, string Bm25Top5, int SharedInTop5);

/// <summary>
/// PostgreSQL's built-in full-text search on the same catalog: a stored generated <c>tsvector</c> column
/// (<c>to_tsvector('english', …)</c>: Snowball English stemmer and stop words), a GIN index on it, matching with
/// <c>plainto_tsquery</c> (all terms, AND) and ranking with <c>ts_rank_cd</c> (cover density: how many and how
/// tight the spans covering the query are, with no document-frequency weighting). Table <c>nb13_products</c>.
/// </summary>
public static class PostgresFullText
{
    /// <summary>The table this notebook owns.</summary>
    public const string Table = "nb13_products";

    /// <summary>Drops and recreates the table with the products, its GIN index, and statistics.</summary>
    public static void Load(NpgsqlConnection connection, IReadOnlyList<Product> products)
    {
        Guard.NotNull(connection, nameof(connection));
        Guard.NotNull(products, nameof(products));
        Drop(connection);
        Exec(connection, $"""
            CREATE TABLE {Table} (id int PRIMARY KEY, body text NOT NULL, category text NOT NULL,
              tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED);
            CREATE INDEX {Table}_tsv ON {Table} USING gin (tsv);
            """);
        using (var import = connection.BeginBinaryImport($"COPY {Table} (id, body, category) FROM STDIN BINARY"))
        {
            foreach (var p in products)
            {
                import.StartRow();
                import.Write(p.Id);
                import.Write(p.Text);
                import.Write(p.Category);
            }
            import.Complete();
        }
        Exec(connection, $"ANALYZE {Table}");
    }

    /// <summary>Adds filler rows (ids from <paramref name="firstId"/>) that contain <paramref name="text"/>.</summary>
    public static void AddFiller(NpgsqlConnection connection, int firstId, int count, string text)
    {
        Guard.NotNull(connection, nameof(connection));
        Guard.InRange(count, 1, 100_000, nameof(count));
        using var cmd = new NpgsqlCommand(
            $"INSERT INTO {Table} (id, body, category) SELECT @first + g, @text, 'filler' FROM generate_series(0, @n - 1) g",
            connection);
        cmd.Parameters.AddWithValue("first", firstId);
        cmd.Parameters.AddWithValue("text", Guard.NotNull(text, nameof(text)));
        cmd.Parameters.AddWithValue("n", count);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Ids matching every term of <paramref name="query"/> (tsv @@ plainto_tsquery), ascending.</summary>
    public static IReadOnlyList<int> Matches(NpgsqlConnection connection, string query) =>
        Ids(connection, $"SELECT id FROM {Table} WHERE tsv @@ plainto_tsquery('english', @q) ORDER BY id", query);

    /// <summary>The top matches by ts_rank_cd (ties by id).</summary>
    public static IReadOnlyList<Hit> Rank(NpgsqlConnection connection, string query, int top = 5)
    {
        Guard.NotNull(connection, nameof(connection));
        using var cmd = new NpgsqlCommand($"""
            SELECT id, ts_rank_cd(tsv, q) FROM {Table}, plainto_tsquery('english', @q) q
            WHERE tsv @@ q ORDER BY 2 DESC, id LIMIT @top
            """, connection);
        cmd.Parameters.AddWithValue("q", Guard.NotNull(query, nameof(query)));
        cmd.Parameters.AddWithValue("top", Guard.InRange(top, 1, 100_000, nameof(top)));
        using var reader = cmd.ExecuteReader();
        var hits = new List<Hit>();
        while (reader.Read()) hits.Add(new Hit(reader.GetInt32(0), reader.GetFloat(1)));
        return hits;
    }

    /// <summary>ts_rank_cd of one document for a query.</summary>
    public static double RankOf(NpgsqlConnection connection, string query, int id)
    {
        Guard.NotNull(connection, nameof(connection));
        using var cmd = new NpgsqlCommand(
            $"SELECT ts_rank_cd(tsv, plainto_tsquery('english', @q)) FROM {Table} WHERE id = @id", connection);
        cmd.Parameters.AddWithValue("q", Guard.NotNull(query, nameof(query)));
        cmd.Parameters.AddWithValue("id", id);
        return Convert.ToDouble(cmd.ExecuteScalar());
    }

    /// <summary>The tsquery PostgreSQL builds from the text.</summary>
    public static string TsQuery(NpgsqlConnection connection, string query)
    {
        Guard.NotNull(connection, nameof(connection));
        using var cmd = new NpgsqlCommand("SELECT plainto_tsquery('english', @q)::text", connection);
        cmd.Parameters.AddWithValue("q", Guard.NotNull(query, nameof(query)));
        return (string)cmd.ExecuteScalar()!;
    }

    /// <summary>The plan of the match query with sequential scans disabled in this session.</summary>
    public static string Plan(NpgsqlConnection connection, string query)
    {
        Guard.NotNull(connection, nameof(connection));
        Guard.NotNull(query, nameof(query));
        Exec(connection, "SET enable_seqscan = off");
        using var cmd = new NpgsqlCommand(
            $"EXPLAIN SELECT id FROM {Table} WHERE tsv @@ plainto_tsquery('english', @q)", connection);
        cmd.Parameters.AddWithValue("q", query);
        using var reader = cmd.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read()) lines.Add(reader.GetString(0));
        reader.Close();
        Exec(connection, "RESET enable_seqscan");
        return string.Join("\n", lines);
    }

    /// <summary>Every query on PostgreSQL and on our English index + BM25, side by side.</summary>
    public static IReadOnlyList<PgQueryRow> Compare(NpgsqlConnection connection, InvertedIndex ours,
        IEnumerable<string> queries)
    {
        Guard.NotNull(connection, nameof(connection));
        Guard.NotNull(ours, nameof(ours));
        var bm25 = new Bm25(ours);
        return Guard.NotNull(queries, nameof(queries)).Select(q =>
        {
            var pg = Matches(connection, q);
            var mine = ours.And(q).DocIds;
            var pgTop = Rank(connection, q, 5).Select(h => h.DocId).ToList();
            var matchSet = mine.ToHashSet();
            var bmTop = bm25.Search(q, ours.Count).Where(h => matchSet.Contains(h.DocId)).Take(5)
                .Select(h => h.DocId).ToList();
            string ts = TsQuery(connection, q);
            var pgTerms = System.Text.RegularExpressions.Regex.Matches(ts, "'([^']+)'").Select(m => m.Groups[1].Value)
                .ToHashSet();
            var ourTerms = ours.QueryTerms(q).ToHashSet();
            return new PgQueryRow(q, ts, string.Join(" ", ourTerms), pgTerms.SetEquals(ourTerms), pg.Count,
                mine.Count, pg.SequenceEqual(mine), mine.Except(pg).Count(), string.Join(" ", pgTop),
                string.Join(" ", bmTop), pgTop.Intersect(bmTop).Count());
        }).ToList();
    }

    /// <summary>Drops the table.</summary>
    public static void Drop(NpgsqlConnection connection) =>
        Exec(Guard.NotNull(connection, nameof(connection)), $"DROP TABLE IF EXISTS {Table}");

    private static IReadOnlyList<int> Ids(NpgsqlConnection connection, string sql, string query)
    {
        Guard.NotNull(connection, nameof(connection));
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddWithValue("q", Guard.NotNull(query, nameof(query)));
        using var reader = cmd.ExecuteReader();
        var ids = new List<int>();
        while (reader.Read()) ids.Add(reader.GetInt32(0));
        return ids;
    }

    private static void Exec(NpgsqlConnection connection, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }
}
