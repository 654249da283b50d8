using Npgsql;
using SystemDesign.Search;
using SystemDesign.Tests.RealSystems;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Search;

public sealed class PostgresFullTextTests
{
    private static readonly Product[] Products =
    {
        new(0, "Leather wallet", "A slim leather wallet.", "bags", 10),
        new(1, "Leather boots", "Waterproof leather boots for hiking.", "footwear", 20),
        new(2, "Canvas wallet", "A canvas wallet.", "bags", 30),
        new(3, "Hiking boots", "Waterproof hiking boots.", "footwear", 40),
        new(4, "Wallets and more", "Leather goods.", "bags", 50),
    };

    private static InvertedIndex English()
    {
        var index = new InvertedIndex(TextAnalyzer.English);
        foreach (var p in Products) index.Add(p.Text);
        return index;
    }

    [Fact]
    public void Postgres_entries_name_their_bad_argument_before_touching_the_server()
    {
        using var closed = new NpgsqlConnection();
        Null("connection", () => PostgresFullText.Load(null!, Products));
        Null("products", () => PostgresFullText.Load(closed, null!));
        Null("connection", () => PostgresFullText.AddFiller(null!, 0, 1, "x"));
        OutOfRange("count", () => PostgresFullText.AddFiller(closed, 0, 0, "x"));
        OutOfRange("count", () => PostgresFullText.AddFiller(closed, 0, 100_001, "x"));
        Null("text", () => PostgresFullText.AddFiller(closed, 0, 1, null!));
        Null("connection", () => PostgresFullText.Matches(null!, "x"));
        Null("query", () => PostgresFullText.Matches(closed, null!));
        Null("connection", () => PostgresFullText.Rank(null!, "x"));
        Null("query", () => PostgresFullText.Rank(closed, null!));
        OutOfRange("top", () => PostgresFullText.Rank(closed, "x", 0));
        OutOfRange("top", () => PostgresFullText.Rank(closed, "x", 100_001));
        Null("connection", () => PostgresFullText.RankOf(null!, "x", 0));
        Null("query", () => PostgresFullText.RankOf(closed, null!, 0));
        Null("connection", () => PostgresFullText.TsQuery(null!, "x"));
        Null("query", () => PostgresFullText.TsQuery(closed, null!));
        Null("connection", () => PostgresFullText.Plan(null!, "x"));
        Null("query", () => PostgresFullText.Plan(closed, null!));
        Null("connection", () => PostgresFullText.Compare(null!, English(), Array.Empty<string>()));
        Null("ours", () => PostgresFullText.Compare(closed, null!, new[] { "x" }));
        Null("queries", () => PostgresFullText.Compare(closed, English(), null!));
        Null("connection", () => PostgresFullText.Drop(null!));
        Assert.Equal("nb13_products", PostgresFullText.Table);
    }

    [SkippableFact]
    public void Load_replaces_the_table_and_analyzes_it()
    {
        using var s = new PgSchema();
        var pg = s.Connection;
        PostgresFullText.Load(pg, Products.Take(2).ToList());
        PostgresFullText.Load(pg, Products);
        Assert.Equal(5L, s.Scalar("SELECT count(*) FROM nb13_products"));
        Assert.Equal(5f, s.Scalar("SELECT reltuples FROM pg_class WHERE oid = 'nb13_products'::regclass"));
        Assert.Equal("footwear", s.Scalar("SELECT category FROM nb13_products WHERE id = 3"));
        Assert.Equal(Products[4].Text, s.Scalar("SELECT body FROM nb13_products WHERE id = 4"));
        PostgresFullText.Drop(pg);
        Assert.Equal(true, s.Scalar("SELECT to_regclass('nb13_products') IS NULL"));
        PostgresFullText.Drop(pg); // dropping what is not there is fine
    }

    [SkippableFact]
    public void Matching_needs_every_stemmed_term_and_ranking_prefers_tight_repeated_covers()
    {
        using var s = new PgSchema();
        var pg = s.Connection;
        PostgresFullText.Load(pg, Products);
        Assert.Equal("'leather' & 'wallet'", PostgresFullText.TsQuery(pg, "leather wallets"));
        Assert.Equal(new[] { 0, 4 }, PostgresFullText.Matches(pg, "leather wallets"));
        Assert.Equal(new[] { 1, 3 }, PostgresFullText.Matches(pg, "waterproof boot"));
        Assert.Empty(PostgresFullText.Matches(pg, "zebra"));
        var ranked = PostgresFullText.Rank(pg, "leather wallet");
        Assert.Equal(new[] { 0, 4 }, ranked.Select(h => h.DocId));
        Assert.True(ranked[0].Score > ranked[1].Score);
        Assert.Equal(ranked[0].Score, PostgresFullText.RankOf(pg, "leather wallet", 0));
        Assert.Equal(ranked[1].Score, PostgresFullText.RankOf(pg, "leather wallet", 4));
        Assert.Equal(0, PostgresFullText.RankOf(pg, "leather wallet", 2));
        Assert.Single(PostgresFullText.Rank(pg, "leather wallet", 1));
        // Equal ranks are ordered by id.
        Assert.Equal(new[] { 1, 3 }, PostgresFullText.Rank(pg, "waterproof").Select(h => h.DocId));
    }

    [SkippableFact]
    public void Filler_rows_get_consecutive_ids_and_match_their_text()
    {
        using var s = new PgSchema();
        var pg = s.Connection;
        PostgresFullText.Load(pg, Products);
        PostgresFullText.AddFiller(pg, 100, 3, "leather wallet filler");
        Assert.Equal(new[] { 0, 4, 100, 101, 102 }, PostgresFullText.Matches(pg, "leather wallet"));
        Assert.Equal(3L, s.Scalar("SELECT count(*) FROM nb13_products WHERE category = 'filler'"));
    }

    [SkippableFact]
    public void Plan_uses_the_gin_index_and_restores_sequential_scans()
    {
        using var s = new PgSchema();
        var pg = s.Connection;
        PostgresFullText.Load(pg, Products);
        string plan = PostgresFullText.Plan(pg, "leather wallet");
        Assert.Contains("Bitmap Index Scan on nb13_products_tsv", plan);
        Assert.Contains("\n", plan);
        Assert.Equal("on", s.Scalar("SHOW enable_seqscan"));
    }

    [SkippableFact]
    public void Compare_lines_up_postgres_and_our_english_index_query_by_query()
    {
        using var s = new PgSchema();
        var pg = s.Connection;
        PostgresFullText.Load(pg, Products);
        var ours = English();
        var rows = PostgresFullText.Compare(pg, ours, new[] { "leather wallets", "more boots" });
        var bm = new Bm25(ours).Search("leather wallets", 5).Select(h => h.DocId).Where(d => d is 0 or 4);
        Assert.Equal(new PgQueryRow("leather wallets", "'leather' & 'wallet'", "leather wallet", true, 2, 2, true, 0,
            "0 4", string.Join(" ", bm), 2), rows[0]);
        // PostgreSQL's stop list has "more", Lucene's does not: PostgreSQL matches more documents.
        Assert.Equal(new PgQueryRow("more boots", "'boot'", "more boot", false, 2, 0, false, 0, "1 3", "", 0), rows[1]);
    }

    [SkippableFact]
    public void Compare_counts_our_matches_that_postgres_misses()
    {
        using var s = new PgSchema();
        var pg = s.Connection;
        PostgresFullText.Load(pg, Products);
        PostgresFullText.AddFiller(pg, 5, 1, "dy");
        var ours = English();
        ours.Add("dy");
        // Porter stems "dying" to "dy", the document's own word; Snowball knows "dying" as "die".
        var row = PostgresFullText.Compare(pg, ours, new[] { "dying" }).Single();
        Assert.Equal(new PgQueryRow("dying", "'die'", "dy", false, 0, 1, false, 1, "", "5", 0), row);
    }
}
