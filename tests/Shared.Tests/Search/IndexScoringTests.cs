using Lucene.Net.Util;
using SystemDesign.Search;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Search;

/// <summary>The inverted index's bookkeeping, postings merges, BM25's arithmetic and Lucene's length byte.</summary>
public sealed class IndexScoringTests
{
    /// <summary>BM25's term score written out independently: idf·(k1+1)·tf / (tf + k1·(1 − b + b·dl/avgdl)).</summary>
    private static double Ts(double idf, int tf, double dl, double avg, double k1 = 1.2, double b = 0.75) =>
        idf * (k1 + 1) * tf / (tf + k1 * (1 - b + b * dl / avg));

    private static InvertedIndex Index(TextAnalyzer analyzer, params string[] texts)
    {
        var index = new InvertedIndex(analyzer);
        foreach (var t in texts) index.Add(t);
        return index;
    }

    // ---------------------------------------------------------------- guards

    [Fact]
    public void Index_and_postings_entries_name_their_bad_argument()
    {
        Null("analyzer", () => new InvertedIndex(null!));
        var index = Index(TextAnalyzer.Standard, "red shoe", "blue hat");
        Null("text", () => index.Add(null!));
        Null("term", () => index.Postings(null!));
        Null("term", () => index.DocumentFrequency(null!));
        Null("query", () => index.QueryTerms(null!));
        Null("query", () => index.And(null!));
        Null("query", () => index.Or(null!));
        OutOfRange("docId", () => index.Length(-1));
        OutOfRange("docId", () => index.Length(2));
        OutOfRange("docId", () => index.Text(-1));
        OutOfRange("docId", () => index.Text(2));
        OutOfRange("top", () => index.Rows(0));
        OutOfRange("top", () => index.Rows(1_000_001));
        long c = 0;
        Null("a", () => PostingsMath.Intersect(null!, new[] { 1 }, ref c));
        Null("b", () => PostingsMath.Intersect(new[] { 1 }, null!, ref c));
        Null("small", () => PostingsMath.IntersectGalloping(null!, new[] { 1 }, ref c));
        Null("large", () => PostingsMath.IntersectGalloping(new[] { 1 }, null!, ref c));
    }

    [Fact]
    public void Bm25_entries_name_their_bad_argument()
    {
        var index = Index(TextAnalyzer.Standard, "red shoe");
        Null("index", () => new Bm25(null!));
        OutOfRange("k1", () => new Bm25(index, k1: -0.01));
        OutOfRange("k1", () => new Bm25(index, k1: 10.01));
        OutOfRange("b", () => new Bm25(index, b: -0.01));
        OutOfRange("b", () => new Bm25(index, b: 1.01));
        OutOfRange("documentFrequency", () => Bm25.Idf(10, 11));
        OutOfRange("documentFrequency", () => Bm25.Idf(10, -1));
        var bm25 = new Bm25(index);
        OutOfRange("top", () => bm25.Search("red", 0));
        OutOfRange("top", () => bm25.Search("red", 1_000_001));
        Null("query", () => bm25.Search(null!));
        OutOfRange("length", () => LuceneNorms.Encode(0));
        OutOfRange("length", () => LuceneNorms.DecodedLength(-3));
    }

    [Fact]
    public void Bm25_accepts_the_ends_of_its_parameter_ranges()
    {
        var index = Index(TextAnalyzer.Standard, "red shoe");
        Assert.Equal(0, new Bm25(index, k1: 0, b: 0).K1);
        var edge = new Bm25(index, k1: 10, b: 1);
        Assert.Equal((10, 1), (edge.K1, edge.B));
        Assert.Same(index, edge.Index);
        Assert.Equal(Math.Log(1 + 0.5 / 10.5), Bm25.Idf(10, 10), 12);
        Assert.Equal(Math.Log(1 + 10.5 / 0.5), Bm25.Idf(10, 0), 12);
    }

    // ---------------------------------------------------------------- the index

    [Fact]
    public void Adding_documents_records_ids_lengths_texts_and_positions()
    {
        var index = new InvertedIndex(TextAnalyzer.Standard);
        Assert.Same(TextAnalyzer.Standard, index.Analyzer);
        Assert.Equal(0, index.Add("Red shoe, the red one"));
        Assert.Equal(1, index.Add("the hat"));
        Assert.Equal(2, index.Add("the"));
        Assert.Equal((3, 4, 4L, 5L), (index.Count, index.TermCount, index.PostingCount, index.TotalTerms));
        Assert.Equal((4, 1, 0), (index.Length(0), index.Length(1), index.Length(2)));
        Assert.Equal("the hat", index.Text(1));
        var red = Assert.Single(index.Postings("red"));
        Assert.Equal((0, 2), (red.DocId, red.TermFrequency));
        Assert.Equal(new[] { 0, 3 }, red.Positions);
        Assert.Equal(new[] { 1 }, index.Postings("hat").Single().Positions);
        Assert.Empty(index.Postings("absent"));
        Assert.Equal(1, index.DocumentFrequency("one"));
        Assert.Equal(0, index.DocumentFrequency("the"));
    }

    [Fact]
    public void Rows_list_the_most_frequent_terms_first_ties_alphabetically_with_term_frequencies()
    {
        var index = Index(TextAnalyzer.Standard, "red shoe red", "red hat", "blue hat");
        Assert.Equal(new[]
        {
            new TermRow("hat", 2, "1 2"), new TermRow("red", 2, "0×2 1"), new TermRow("blue", 1, "2"),
        }, index.Rows(3));
        Assert.Equal(4, index.Rows().Count);
        Assert.Equal((4, 6L, 7L), (index.TermCount, index.PostingCount, index.TotalTerms));
    }

    [Fact]
    public void And_intersects_rarest_first_and_counts_the_merge_comparisons()
    {
        // ccc in every document, bbb in the odd ones, aaa in document 5 only.
        var index = Index(TextAnalyzer.Standard, Enumerable.Range(0, 10)
            .Select(i => "ccc" + (i % 2 == 1 ? " bbb" : "") + (i == 5 ? " aaa" : "")).ToArray());
        var and = index.And("ccc bbb aaa ccc");
        Assert.Equal(new[] { 5 }, and.DocIds);
        // [5]∩[1,3,5,7,9]: 3 comparisons; [5]∩[0..9]: 6. Most frequent first would take 10 + 3.
        Assert.Equal(9, and.Comparisons);
        Assert.Equal(new[] { 1, 3, 5, 7, 9 }, index.And("bbb").DocIds);
        Assert.Equal(0, index.And("bbb").Comparisons);
        Assert.Empty(index.And("ccc zebra").DocIds);
        var none = index.And("the and of");
        Assert.Empty(none.DocIds);
        Assert.Equal(0, none.Comparisons);
    }

    [Fact]
    public void Or_unites_the_postings_in_ascending_order_without_duplicates()
    {
        var index = Index(TextAnalyzer.Standard, "red", "blue", "red blue", "green", "blue red");
        Assert.Equal(new[] { 0, 1, 2, 4 }, index.Or("blue red blue"));
        Assert.Empty(index.Or("the yellow"));
    }

    [Fact]
    public void Linear_merge_counts_one_comparison_per_step()
    {
        long c = 0;
        Assert.Equal(new[] { 1, 3, 5, 7, 9 }, PostingsMath.Intersect(Enumerable.Range(0, 10).ToArray(), new[] { 1, 3, 5, 7, 9 }, ref c));
        Assert.Equal(10, c);
        c = 5;
        Assert.Equal(new[] { 4 }, PostingsMath.Intersect(new[] { 4, 8 }, new[] { 1, 4 }, ref c));
        Assert.Equal(5 + 2, c);
        Assert.Empty(PostingsMath.Intersect(Array.Empty<int>(), new[] { 1 }, ref c));
        Assert.Equal(7, c);
    }

    [Fact]
    public void Galloping_finds_what_the_linear_merge_finds()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            int[] Draw(int max) => Enumerable.Range(0, 80).Where(_ => rng.Next(max) == 0).ToArray();
            int[] small = Draw(trial % 5 + 2), large = Draw(trial % 3 + 1);
            long a = 0, b = 0;
            var expected = PostingsMath.Intersect(small, large, ref a);
            Assert.Equal(expected, PostingsMath.IntersectGalloping(small, large, ref b));
        }
    }

    [Fact]
    public void Galloping_doubles_its_step_then_binary_searches()
    {
        var large = Enumerable.Range(0, 100).ToArray();
        long c = 0;
        Assert.Equal(new[] { 3, 9 }, PostingsMath.IntersectGalloping(new[] { 3, 9 }, large, ref c));
        // 3: probes 0, 1 (2 steps) then binary search over [2, 3] (2); 9: probes 3, 4, 6 then [7, 10] (2).
        Assert.Equal(9, c);
        c = 0;
        Assert.Equal(new[] { 64 }, PostingsMath.IntersectGalloping(new[] { 64 }, large, ref c));
        Assert.Equal(7 + 5, c); // probes 0, 1, 3, 7, 15, 31, 63 then binary search over [64, 99]
        c = 0;
        Assert.Equal(new[] { 99 }, PostingsMath.IntersectGalloping(new[] { 99, 150, 200 }, large, ref c));
        long past = c;
        c = 0;
        Assert.Equal(new[] { 0 }, PostingsMath.IntersectGalloping(new[] { 0 }, large, ref c));
        Assert.Equal(1, c); // nothing to skip; one binary-search probe at 0
        c = 0;
        Assert.Empty(PostingsMath.IntersectGalloping(new[] { 5 }, Array.Empty<int>(), ref c));
        Assert.Equal(0, c);
        c = 0;
        Assert.Empty(PostingsMath.IntersectGalloping(new[] { 5, 6 }, new[] { 1, 2 }, ref c));
        Assert.Equal(2, c);
        Assert.True(past > 0);
    }

    // ---------------------------------------------------------------- BM25

    private static readonly string[] Three = { "red shoe", "blue shoe shoe shoe", "red hat red shoe" };

    [Fact]
    public void Average_length_is_total_terms_over_documents_and_one_when_empty()
    {
        Assert.Equal(1, new Bm25(new InvertedIndex(TextAnalyzer.Standard)).AverageLength);
        Assert.Equal(10.0 / 3, new Bm25(Index(TextAnalyzer.Standard, Three)).AverageLength, 12);
    }

    [Fact]
    public void Term_score_is_the_okapi_formula_with_the_scorers_k1_and_b()
    {
        var index = Index(TextAnalyzer.Standard, Three);
        Assert.Equal(2 * 2.2 * 3 / (3 + 1.2 * (0.25 + 0.75 * 10 / 4)), new Bm25(index).TermScore(2, 3, 10, 4), 12);
        Assert.Equal(1.5 * 3.0 * 2 / (2 + 2.0 * (0.6 + 0.4 * 7 / 5)), new Bm25(index, 2.0, 0.4).TermScore(1.5, 2, 7, 5), 12);
    }

    [Fact]
    public void Search_sums_term_scores_with_exact_lengths_best_first()
    {
        var bm25 = new Bm25(Index(TextAnalyzer.Standard, Three), k1: 1.5, b: 0.6);
        double avg = 10.0 / 3, red = Math.Log(1 + 1.5 / 2.5), shoe = Math.Log(1 + 0.5 / 3.5);
        var expected = new Dictionary<int, double>
        {
            [0] = Ts(red, 1, 2, avg, 1.5, 0.6) + Ts(shoe, 1, 2, avg, 1.5, 0.6),
            [1] = Ts(shoe, 3, 4, avg, 1.5, 0.6),
            [2] = Ts(red, 2, 4, avg, 1.5, 0.6) + Ts(shoe, 1, 4, avg, 1.5, 0.6),
        };
        var hits = bm25.Search("red shoe");
        Assert.Equal(expected.OrderByDescending(kv => kv.Value).Select(kv => kv.Key), hits.Select(h => h.DocId));
        foreach (var h in hits) Assert.Equal(expected[h.DocId], h.Score, 12);
        Assert.Equal(expected[2], bm25.Score("red shoe", 2), 12);
        Assert.Equal(0, bm25.Score("hat", 1));
        Assert.Single(bm25.Search("red shoe", 1));
        Assert.Empty(bm25.Search("the zebra"));
    }

    [Fact]
    public void Search_with_lucene_norms_uses_decoded_lengths_and_a_float_average()
    {
        var bm25 = new Bm25(Index(TextAnalyzer.Standard, Three));
        Assert.Equal(2, bm25.LengthOf(0, LengthModel.Exact));
        Assert.Equal(LuceneNorms.DecodedLength(2), bm25.LengthOf(0, LengthModel.LuceneNorm));
        Assert.Equal(2.56, bm25.LengthOf(0, LengthModel.LuceneNorm), 6); // 1/√2 truncated to 0.625, 1/0.625²
        double avg = (float)(10.0 / 3), red = Bm25.Idf(3, 2), shoe = Bm25.Idf(3, 3);
        double expected0 = Ts(red, 1, 2.56, avg) + Ts(shoe, 1, 2.56, avg);
        var hit = bm25.Search("red shoe", 3, LengthModel.LuceneNorm).Single(h => h.DocId == 0);
        Assert.Equal(expected0, hit.Score, 6);
        // The float average alone moves doc 1's score (length 4 survives the byte exactly) in the 8th digit.
        double exact1 = Ts(shoe, 3, 4, 10.0 / 3), norm1 = Ts(shoe, 3, 4, avg);
        Assert.Equal(norm1, bm25.Score("shoe", 1, LengthModel.LuceneNorm), 15);
        Assert.Equal(exact1, bm25.Score("shoe", 1), 15);
        Assert.NotEqual(Math.Round(exact1, 15), Math.Round(norm1, 15));
    }

    [Fact]
    public void Equal_scores_rank_by_ascending_document_id()
    {
        // aaa's postings (doc 1) are met before bbb's (doc 0): the order of insertion is not the order of ids.
        var bm25 = new Bm25(Index(TextAnalyzer.Standard, "bbb ccc", "aaa ccc"));
        var hits = bm25.Search("aaa bbb");
        Assert.Equal(new[] { 0, 1 }, hits.Select(h => h.DocId));
        Assert.Equal(hits[0].Score, hits[1].Score);
    }

    // ---------------------------------------------------------------- Lucene's length byte

    [Fact]
    public void Small_float_315_matches_lucene_across_the_whole_float_range()
    {
        var floats = new List<float> { 0f, -0f, -1f, float.Epsilon, float.MaxValue, float.PositiveInfinity };
        for (int e = -40; e <= 40; e++)
        {
            float p = MathF.Pow(2, e);
            floats.AddRange(new[] { p, p * 1.1f, p * 1.26f, p * 1.5f, p * 1.9f, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(p) - 1) });
        }
        floats.Add(BitConverter.Int32BitsToSingle(384 << 21)); // the smallest float that encodes above 1
        floats.Add(BitConverter.Int32BitsToSingle((384 << 21) - 1));
        floats.Add(BitConverter.Int32BitsToSingle(640 << 21)); // the smallest float that saturates at 255
        floats.Add(BitConverter.Int32BitsToSingle((640 << 21) - 1));
        foreach (var f in floats)
            Assert.True((byte)SmallSingle.SingleToByte315(f) == LuceneNorms.FloatToByte315(f), $"{f:R}");
        Assert.Equal(0, LuceneNorms.FloatToByte315(0f));
        Assert.Equal(0, LuceneNorms.FloatToByte315(-5f));
        Assert.Equal(1, LuceneNorms.FloatToByte315(1e-30f));
        Assert.Equal(1, LuceneNorms.FloatToByte315(BitConverter.Int32BitsToSingle(384 << 21)));
        Assert.Equal(255, LuceneNorms.FloatToByte315(BitConverter.Int32BitsToSingle(640 << 21)));
        Assert.Equal(124, LuceneNorms.FloatToByte315(1f));
    }

    [Fact]
    public void Every_norm_byte_decodes_like_lucene()
    {
        Assert.Equal(0f, LuceneNorms.Byte315ToFloat(0));
        Assert.Equal(1f, LuceneNorms.Byte315ToFloat(124));
        for (int b = 0; b < 256; b++)
            Assert.Equal(SmallSingle.Byte315ToSingle((byte)b), LuceneNorms.Byte315ToFloat((byte)b));
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 2.56)]
    [InlineData(3, 4.0)]
    [InlineData(4, 4.0)]
    [InlineData(5, 5.224490)]
    [InlineData(100, 113.777778)]
    public void Decoded_length_is_one_over_the_squared_decoded_norm(int length, double decoded)
    {
        float f = SmallSingle.Byte315ToSingle((byte)SmallSingle.SingleToByte315(1f / MathF.Sqrt(length)));
        Assert.Equal(1.0f / (f * f), LuceneNorms.DecodedLength(length));
        Assert.Equal(decoded, LuceneNorms.DecodedLength(length), 5);
    }
}
