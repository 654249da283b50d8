using System.Collections;
using SystemDesign.Search;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Search;

/// <summary>The Lucene.Net side: the index wrapper, filters in filter and query context, comparisons, reindexing.</summary>
public sealed class LuceneSideTests
{
    private static readonly string[] Texts =
    {
        "red running shoes", "blue shoes", "red hat", "red blue running shoes shoes", "green hat",
    };

    private static readonly string[] Categories = { "footwear", "footwear", "hats", "footwear", "hats" };

    private static IReadOnlyList<Product> Products() => Texts
        .Select((t, i) => new Product(i, t, "", Categories[i], 10 + i)).ToList();

    [Fact]
    public void Lucene_index_entries_name_their_bad_argument()
    {
        Null("texts", () => new LuceneIndex(null!));
        using var lucene = new LuceneIndex(Texts, categories: Categories);
        Null("query", () => lucene.Search(null!));
        OutOfRange("top", () => lucene.Search("red", 0));
        OutOfRange("top", () => lucene.Search("red", 1_000_001));
        Null("category", () => lucene.SearchFiltered("red", null!));
        Null("category", () => lucene.SearchWithCategoryClause("red", null!));
        Null("query", () => lucene.Matches(null!, true));
        Null("term", () => lucene.DocumentFrequency(null!));
        OutOfRange("docId", () => lucene.NormByte(-1));
        OutOfRange("docId", () => lucene.NormByte(5));
        Null("text", () => LuceneIndex.Analyze(null!, LuceneAnalyzerKind.Standard));
    }

    [Fact]
    public void Lucene_index_counts_documents_frequencies_and_length_bytes_like_ours()
    {
        using var lucene = new LuceneIndex(Texts);
        var ours = new InvertedIndex(TextAnalyzer.Standard);
        foreach (var t in Texts) ours.Add(t);
        Assert.Equal(5, lucene.Count);
        Assert.True(lucene.SizeInBytes > 0);
        Assert.Equal(3, lucene.DocumentFrequency("red"));
        Assert.Equal(0, lucene.DocumentFrequency("Red"));
        for (int d = 0; d < Texts.Length; d++) Assert.Equal(LuceneNorms.Encode(ours.Length(d)), lucene.NormByte(d));
        Assert.Equal(new[] { 0, 3 }, lucene.Matches("red shoes", all: true));
        Assert.Equal(ours.And("red shoes").DocIds, lucene.Matches("red shoes", all: true));
        Assert.Equal(new[] { 0, 1, 2, 3 }, lucene.Matches("red shoes", all: false));
        Assert.Equal(ours.Or("red shoes"), lucene.Matches("red shoes", all: false));
        Assert.Equal(new[] { 3, 0 }, lucene.Search("running shoes").Select(h => h.DocId).Take(2));
        Assert.Single(lucene.Search("shoes", 1));
    }

    [Fact]
    public void An_empty_lucene_index_matches_nothing()
    {
        using var lucene = new LuceneIndex(Array.Empty<string>());
        Assert.Equal(0, lucene.Count);
        Assert.Empty(lucene.Matches("red", all: false));
    }

    [Fact]
    public void The_english_lucene_index_stems_documents_and_queries()
    {
        using var english = new LuceneIndex(Texts, LuceneAnalyzerKind.English);
        using var standard = new LuceneIndex(Texts);
        Assert.Equal(new[] { 0, 1, 3 }, english.Matches("shoe", all: false));
        Assert.Empty(standard.Matches("shoe", all: false));
        Assert.Equal(new[] { "run", "shoe" }, LuceneIndex.Analyze("the running shoes", LuceneAnalyzerKind.English));
        Assert.Equal(new[] { "running", "shoes" }, LuceneIndex.Analyze("the running shoes", LuceneAnalyzerKind.Standard));
    }

    [Fact]
    public void A_disposed_lucene_index_releases_its_directory_and_reader()
    {
        var lucene = new LuceneIndex(Texts);
        lucene.Dispose();
        Assert.ThrowsAny<ObjectDisposedException>(() => lucene.SizeInBytes);
        Assert.ThrowsAny<ObjectDisposedException>(() => lucene.DocumentFrequency("red"));
    }

    [Fact]
    public void Filter_context_keeps_the_query_scores_and_caches_one_bitset_per_category()
    {
        using var lucene = new LuceneIndex(Texts, categories: Categories);
        Assert.Equal(0, lucene.CachedFilterBytes);
        var all = lucene.Search("red shoes").ToDictionary(h => h.DocId, h => h.Score);
        var filtered = lucene.SearchFiltered("red shoes", "hats");
        var hat = Assert.Single(filtered);
        Assert.Equal((2, all[2]), (hat.DocId, hat.Score));
        long cached = lucene.CachedFilterBytes;
        Assert.True(cached > 0);
        Assert.Single(lucene.SearchFiltered("red", "hats"));
        Assert.Equal(cached, lucene.CachedFilterBytes);
        var shoes = lucene.SearchFiltered("red shoes", "footwear", 2);
        Assert.Equal(new[] { 3, 0 }, shoes.Select(h => h.DocId));
        Assert.All(shoes, h => Assert.Equal(all[h.DocId], h.Score, 6));
        Assert.True(lucene.CachedFilterBytes > cached);
    }

    [Fact]
    public void A_scored_category_clause_adds_the_same_amount_to_every_hit()
    {
        using var lucene = new LuceneIndex(Texts, categories: Categories);
        var all = lucene.Search("red shoes").ToDictionary(h => h.DocId, h => h.Score);
        var clause = lucene.SearchWithCategoryClause("red shoes", "footwear");
        Assert.Equal(new[] { 0, 1, 3 }, clause.Select(h => h.DocId).Order());
        var added = clause.Select(h => h.Score - all[h.DocId]).ToList();
        Assert.All(added, a => Assert.Equal(added[0], a, 5));
        Assert.True(added[0] > 0);
        Assert.Equal(2, lucene.SearchWithCategoryClause("red shoes", "footwear", 2).Count);
    }

    [Fact]
    public void Filter_entries_name_their_bad_argument()
    {
        var products = Products();
        var index = new InvertedIndex(TextAnalyzer.Standard);
        foreach (var t in Texts) index.Add(t);
        var bm25 = new Bm25(index);
        Null("products", () => Filters.Bitset(null!, "hats"));
        Null("category", () => Filters.Bitset(products, null!));
        Null("bm25", () => Filters.Apply(null!, "red", new BitArray(5), 1));
        Null("filter", () => Filters.Apply(bm25, "red", null!, 1));
        OutOfRange("top", () => Filters.Apply(bm25, "red", new BitArray(5), 0));
        using var lucene = new LuceneIndex(Texts, categories: Categories);
        Null("lucene", () => Filters.Compare(products, null!, "red", "hats"));
        Null("products", () => Filters.Compare(null!, lucene, "red", "hats"));
    }

    [Fact]
    public void A_bitset_marks_the_products_of_the_category()
    {
        var bits = Filters.Bitset(Products(), "footwear");
        Assert.Equal(new[] { true, true, false, true, false }, bits.Cast<bool>());
        Assert.Equal(0, Filters.Bitset(Array.Empty<Product>(), "x").Length);
    }

    [Fact]
    public void Applying_a_bitset_keeps_lucene_norm_scores_of_the_set_documents_only()
    {
        var index = new InvertedIndex(TextAnalyzer.Standard);
        foreach (var t in Texts) index.Add(t);
        var bm25 = new Bm25(index);
        var scores = bm25.Search("red shoes", 5, LengthModel.LuceneNorm).ToDictionary(h => h.DocId, h => h.Score);
        var bits = Filters.Bitset(Products(), "footwear");
        var hits = Filters.Apply(bm25, "red shoes", bits, 10);
        Assert.Equal(new[] { 3, 0, 1 }, hits.Select(h => h.DocId));
        Assert.All(hits, h => Assert.Equal(scores[h.DocId], h.Score));
        Assert.Equal(new[] { 3, 0 }, Filters.Apply(bm25, "red shoes", bits, 2).Select(h => h.DocId));
    }

    [Fact]
    public void Compare_lines_up_lucenes_filtered_and_clause_scores_with_ours()
    {
        var products = Products();
        using var lucene = new LuceneIndex(products.Select(p => p.Text), categories: Categories);
        var rows = Filters.Compare(products, lucene, "red shoes", "footwear", 2);
        Assert.Equal(new[] { 1, 2 }, rows.Select(r => r.Rank));
        Assert.Equal(new[] { 3, 0 }, rows.Select(r => r.LuceneDoc));
        Assert.Equal(new[] { 3, 0 }, rows.Select(r => r.OurDoc));
        var filtered = lucene.SearchFiltered("red shoes", "footwear");
        var clause = lucene.SearchWithCategoryClause("red shoes", "footwear");
        foreach (var r in rows)
        {
            Assert.Equal(filtered.Single(h => h.DocId == r.LuceneDoc).Score, r.FilterScore);
            Assert.Equal(clause.Single(h => h.DocId == r.LuceneDoc).Score, r.ClauseScore);
            Assert.Equal(r.FilterScore, r.OurScore, 5);
        }
        Assert.Equal(3, Filters.Compare(products, lucene, "red shoes", "footwear").Count);
    }

    [Fact]
    public void Where_lucene_matches_more_than_ours_our_side_is_minus_one_and_nan()
    {
        // Lucene's tokenizer splits 東京 into 東 and 京; ours keeps 東京, so "東" matches only in Lucene.
        var products = new[] { new Product(0, "東京 bags", "", "bags", 1), new Product(1, "東京 shoes", "", "footwear", 2) };
        using var lucene = new LuceneIndex(products.Select(p => p.Text), categories: products.Select(p => p.Category).ToList());
        var row = Assert.Single(Filters.Compare(products, lucene, "東", "bags"));
        Assert.Equal((1, 0, -1), (row.Rank, row.LuceneDoc, row.OurDoc));
        Assert.True(double.IsNaN(row.OurScore));
        Assert.Equal(row.FilterScore + Bm25.Idf(2, 1), row.ClauseScore, 5);

        var ranks = Comparisons.Bm25VsLucene(products.Select(p => p.Text).ToList(), new[] { "東" }, top: 2);
        Assert.Equal(2, ranks.Count);
        Assert.All(ranks, r => Assert.Equal((-1, -1, 0.0, 0.0), (r.OurDoc, r.OurNormDoc, r.OurExactScore, r.OurLuceneNormScore)));
        Assert.Equal(new[] { 0, 1 }, ranks.Select(r => r.LuceneDoc).Order());
        Assert.All(ranks, r => Assert.Equal(r.LuceneScore, r.MeasuredDifference));
    }

    [Fact]
    public void Comparison_entries_name_their_null_argument()
    {
        Null("text", () => Comparisons.Analyzers(null!));
        Null("texts", () => Comparisons.Bm25VsLucene(null!, new[] { "red" }));
        Null("queries", () => Comparisons.Bm25VsLucene(Texts, null!));
    }

    [Fact]
    public void Analyzer_rows_show_both_pipelines_and_whether_they_agree()
    {
        var rows = Comparisons.Analyzers("The runner's shoes");
        Assert.Equal(new[]
        {
            new AnalyzerRow("standard", "runner's shoes", "runner's shoes", true),
            new AnalyzerRow("english", "runner shoe", "runner shoe", true),
        }, rows);
        // Lucene's tokenizer emits each CJK ideograph alone; ours keeps the run of letters.
        var cjk = Comparisons.Analyzers("東京");
        Assert.Equal(new AnalyzerRow("standard", "東京", "東 京", false), cjk[0]);
        Assert.False(cjk[1].Same);
    }

    [Fact]
    public void Bm25_vs_lucene_rows_line_up_ranks_scores_and_lengths()
    {
        var rows = Comparisons.Bm25VsLucene(Texts, new[] { "red shoes", "hat" }, top: 3);
        Assert.Equal(new[] { "red shoes", "red shoes", "red shoes", "hat", "hat" }, rows.Select(r => r.Query));
        Assert.Equal(new[] { 1, 2, 3, 1, 2 }, rows.Select(r => r.Rank));
        var index = new InvertedIndex(TextAnalyzer.Standard);
        foreach (var t in Texts) index.Add(t);
        var bm25 = new Bm25(index);
        using var lucene = new LuceneIndex(Texts);
        foreach (var r in rows)
        {
            var exact = bm25.Search(r.Query, 5);
            var norm = bm25.Search(r.Query, 5, LengthModel.LuceneNorm);
            Assert.Equal(lucene.Search(r.Query, 3)[r.Rank - 1].DocId, r.LuceneDoc);
            Assert.Equal(exact[r.Rank - 1].DocId, r.OurDoc);
            Assert.Equal(norm[r.Rank - 1].DocId, r.OurNormDoc);
            Assert.Equal(exact.Single(h => h.DocId == r.LuceneDoc).Score, r.OurExactScore);
            Assert.Equal(norm.Single(h => h.DocId == r.LuceneDoc).Score, r.OurLuceneNormScore);
            Assert.Equal(r.LuceneScore, r.OurLuceneNormScore, 5);
            Assert.Equal(index.Length(r.LuceneDoc), r.Length);
            Assert.Equal(LuceneNorms.DecodedLength(r.Length), r.LuceneLength);
            Assert.Equal(r.OurLuceneNormScore - r.OurExactScore, r.PredictedDifference);
            Assert.Equal(r.LuceneScore - r.OurExactScore, r.MeasuredDifference);
        }
        Assert.Contains(rows, r => r.PredictedDifference != 0);
    }

    [Fact]
    public void Reindex_entries_name_their_bad_argument()
    {
        Null("texts", () => Reindex.InPlace(null!, 1));
        Null("texts", () => Reindex.AliasSwap(null!, 1));
        OutOfRange("batch", () => Reindex.InPlace(Texts, 0));
        OutOfRange("batch", () => Reindex.InPlace(Texts, 6));
        OutOfRange("batch", () => Reindex.AliasSwap(Texts, 0));
        OutOfRange("batch", () => Reindex.AliasSwap(Texts, 6));
    }

    [Fact]
    public void In_place_reindexing_shows_readers_an_empty_then_a_growing_index()
    {
        Assert.Equal(new[]
        {
            new ReindexObservation("in place", 0, "before", "products", 5),
            new ReindexObservation("in place", 1, "deleted", "products", 0),
            new ReindexObservation("in place", 2, "re-adding", "products", 2),
            new ReindexObservation("in place", 3, "re-adding", "products", 4),
            new ReindexObservation("in place", 4, "re-adding", "products", 5),
        }, Reindex.InPlace(Texts, 2));
        Assert.Equal(new[]
        {
            new ReindexObservation("in place", 0, "before", "products", 0),
            new ReindexObservation("in place", 1, "deleted", "products", 0),
        }, Reindex.InPlace(Array.Empty<string>(), 1));
    }

    [Fact]
    public void Alias_swap_keeps_readers_on_the_full_old_index_until_one_switch()
    {
        Assert.Equal(new[]
        {
            new ReindexObservation("alias swap", 0, "before", "products_v1", 5),
            new ReindexObservation("alias swap", 1, "building v2", "products_v1", 5),
            new ReindexObservation("alias swap", 2, "building v2", "products_v1", 5),
            new ReindexObservation("alias swap", 3, "building v2", "products_v1", 5),
            new ReindexObservation("alias swap", 4, "swapped", "products_v2", 5),
        }, Reindex.AliasSwap(Texts, 2));
        Assert.Equal(2, Reindex.AliasSwap(Array.Empty<string>(), 1).Count);
        Assert.Equal(0, Reindex.AliasSwap(Array.Empty<string>(), 1)[^1].VisibleDocs);
    }
}
