using SystemDesign.Tests.RealSystems;
using SystemDesign.Search;

namespace SystemDesign.Tests.Search;

public sealed class AnalysisTests
{
    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("running", "run")]
    [InlineData("hopping", "hop")]
    [InlineData("relational", "relat")]
    [InlineData("generalization", "gener")]
    [InlineData("comfortable", "comfort")]
    [InlineData("waterproof", "waterproof")]
    [InlineData("is", "is")]
    public void Porter_stems_the_papers_examples(string word, string stem) =>
        Assert.Equal(stem, PorterStemmer.Stem(word));

    [Fact]
    public void Our_analyzers_match_lucene_on_the_whole_catalog()
    {
        foreach (var p in Catalog.Generate(300))
        {
            Assert.Equal(LuceneIndex.Analyze(p.Text, LuceneAnalyzerKind.Standard), TextAnalyzer.Standard.Terms(p.Text));
            Assert.Equal(LuceneIndex.Analyze(p.Text, LuceneAnalyzerKind.English), TextAnalyzer.English.Terms(p.Text));
        }
    }

    [Fact]
    public void Tokenizer_keeps_numbers_and_apostrophes_together_like_uax29()
    {
        const string text = "Don't pay $1,299.99 for INV-2024-001 at example.com, e.g. O'Neil's 4K TV";
        Assert.Equal(LuceneIndex.Analyze(text, LuceneAnalyzerKind.Standard), TextAnalyzer.Standard.Terms(text));
    }
}

public sealed class Bm25Tests
{
    [Fact]
    public void Norm_encoding_matches_lucene_small_float_for_every_length()
    {
        for (int len = 1; len < 5000; len++)
        {
            float f = 1f / (float)Math.Sqrt(len);
            Assert.Equal((byte)Lucene.Net.Util.SmallSingle.SingleToByte315(f), LuceneNorms.Encode(len));
            byte b = LuceneNorms.Encode(len);
            Assert.Equal(Lucene.Net.Util.SmallSingle.Byte315ToSingle(b), LuceneNorms.Byte315ToFloat(b));
            Assert.True(LuceneNorms.DecodedLength(len) >= len * (1 - 1e-6));
        }
    }

    [Fact]
    public void Bm25_with_lucene_norms_matches_lucene_scores()
    {
        var products = Catalog.Generate(300);
        var ours = new InvertedIndex(TextAnalyzer.Standard);
        foreach (var p in products) ours.Add(p.Text);
        using var lucene = new LuceneIndex(products.Select(p => p.Text));
        var bm25 = new Bm25(ours);
        foreach (var q in Catalog.Queries)
        {
            var theirs = lucene.Search(q, 10);
            var mine = bm25.Search(q, 10, LengthModel.LuceneNorm);
            Assert.Equal(theirs.Count, mine.Count);
            for (int i = 0; i < theirs.Count; i++)
                Assert.True(Math.Abs(theirs[i].Score - mine[i].Score) < 1e-5 * mine[i].Score,
                    $"{q} #{i}: lucene {theirs[i].DocId} {theirs[i].Score} ours {mine[i].DocId} {mine[i].Score}");
        }
    }

    [Fact]
    public void Idf_is_lucenes_formula() =>
        Assert.Equal(Math.Log(1 + (10 - 2 + 0.5) / 2.5), Bm25.Idf(10, 2), 12);

    [Fact]
    public void And_intersects_postings()
    {
        var index = new InvertedIndex(TextAnalyzer.Standard);
        index.Add("red shoe"); index.Add("blue shoe"); index.Add("red hat"); index.Add("red blue shoe");
        Assert.Equal(new[] { 0, 3 }, index.And("red shoe").DocIds);
        long c = 0;
        Assert.Equal(new[] { 3, 9 }, PostingsMath.IntersectGalloping(new[] { 3, 9 }, Enumerable.Range(0, 100).ToArray(), ref c));
        Assert.Throws<ArgumentNullException>(() => index.Add(null!));
    }
}

public sealed class RealSearchTests
{
    [Fact]
    public void Filter_context_keeps_scores_and_a_scored_clause_adds_the_category_idf()
    {
        var products = Catalog.Generate(300);
        using var lucene = new LuceneIndex(products.Select(p => p.Text), categories: products.Select(p => p.Category).ToList());
        var rows = Filters.Compare(products, lucene, "waterproof boots", "footwear");
        Assert.NotEmpty(rows);
        double idf = Bm25.Idf(300, products.Count(p => p.Category == "footwear"));
        foreach (var r in rows)
        {
            Assert.Equal(r.LuceneDoc, r.OurDoc);
            Assert.True(Math.Abs(r.ClauseScore - r.FilterScore - idf) < 1e-4, $"{r}");
        }
    }

    [SkippableFact]
    public void Postgres_full_text_matches_our_and_queries()
    {
        using var schema = new PgSchema(); // a schema of this run's own: the table name is fixed
        var pg = schema.Connection;
        var products = Catalog.Generate(300);
        var index = new InvertedIndex(TextAnalyzer.English);
        foreach (var p in products) index.Add(p.Text);
        PostgresFullText.Load(pg, products);
        try
        {
            var rows = PostgresFullText.Compare(pg, index, Catalog.Queries);
            foreach (var r in rows) Console.WriteLine(r);
            Assert.Contains("Bitmap Index Scan on nb13_products_tsv", PostgresFullText.Plan(pg, "leather wallet"));
            Assert.Contains(rows, r => r.SameMatches);
        }
        finally { PostgresFullText.Drop(pg); }
    }
}

public sealed class VectorTests
{
    [Fact]
    public void Hnsw_recall_grows_with_ef_and_costs_less_than_brute_force()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var (data, queries) = Vectors.Clustered(2000, 32, 20, 100, spread: 1.0, intrinsicDims: 16);
        var hnsw = new Hnsw(data, m: 6, efConstruction: 40);
        Console.WriteLine($"build {sw.ElapsedMilliseconds} ms, top {hnsw.TopLevel}, bytes {hnsw.BytesPerVector}");
        var exact = VectorLab.Exact(data, queries, 10);
        Console.WriteLine($"exact {sw.ElapsedMilliseconds} ms");
        var sweep = VectorLab.Sweep(hnsw, data, queries, exact, 10, new[] { 10, 20, 40, 80, 160 });
        foreach (var p in sweep) Console.WriteLine(p);
        Console.WriteLine($"sweep {sw.ElapsedMilliseconds} ms");
        var pq = new ProductQuantizer(data, 8, iterations: 4);
        Console.WriteLine($"pq train {sw.ElapsedMilliseconds} ms");
        Console.WriteLine(VectorLab.Pq(pq, data, queries, exact, 10, 100));
        Console.WriteLine($"pq {sw.ElapsedMilliseconds} ms");
        Assert.True(sweep[^1].RecallAtK > sweep[0].RecallAtK);
        Assert.True(sweep[^1].ShareOfBruteForce < 1);
    }

    [Fact]
    public void Alias_swap_never_shows_a_partial_index_and_in_place_does()
    {
        var texts = Catalog.Generate(120).Select(p => p.Text).ToList();
        Assert.Contains(Reindex.InPlace(texts, 40), o => o.VisibleDocs < 120);
        Assert.All(Reindex.AliasSwap(texts, 40), o => Assert.Equal(120, o.VisibleDocs));
    }

    [Fact]
    public void Cluster_arithmetic()
    {
        var c = Sizing.Cluster(100_000_000, 1000, 5, 3, 20);
        Assert.Equal(2000, c.TotalGb, 6);
        Assert.Equal(25, c.PrimaryShards);
    }

    [Fact]
    public void Rrf_adds_reciprocal_ranks()
    {
        var fused = Rrf.Fuse(new IReadOnlyList<int>[] { new[] { 1, 2, 3 }, new[] { 3, 1 } }, k: 60);
        Assert.Equal(new[] { 1, 3, 2 }, fused.Select(h => h.DocId));
        Assert.Equal(1.0 / 61 + 1.0 / 62, fused[0].Score, 12);
    }
}
