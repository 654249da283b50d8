namespace SystemDesign.Search;

/// <summary>One rank of one query in Lucene and in ours.</summary>
public sealed record RankRow(string Query, int Rank, int LuceneDoc, double LuceneScore, int OurDoc,
    int OurNormDoc, double OurExactScore, double OurLuceneNormScore, int Length, double LuceneLength)
{
    /// <summary>What the norm encoding predicts Lucene's score differs from the exact one by.</summary>
    public double PredictedDifference => OurLuceneNormScore - OurExactScore;

    /// <summary>What Lucene's score actually differs from ours (exact lengths) by, same document.</summary>
    public double MeasuredDifference => LuceneScore - OurExactScore;
}

/// <summary>An analyzer's output beside Lucene.Net's for the same text.</summary>
public sealed record AnalyzerRow(string Analyzer, string Ours, string Lucene, bool Same);

/// <summary>Ours vs Lucene.Net, side by side.</summary>
public static class Comparisons
{
    /// <summary>Terms of <paramref name="text"/> from both pipelines, Standard and English.</summary>
    public static IReadOnlyList<AnalyzerRow> Analyzers(string text)
    {
        Guard.NotNull(text, nameof(text));
        AnalyzerRow Row(TextAnalyzer ours, LuceneAnalyzerKind kind)
        {
            var a = ours.Terms(text);
            var b = LuceneIndex.Analyze(text, kind);
            return new AnalyzerRow(ours.Name, string.Join(" ", a), string.Join(" ", b), a.SequenceEqual(b));
        }
        return new[] { Row(TextAnalyzer.Standard, LuceneAnalyzerKind.Standard),
                       Row(TextAnalyzer.English, LuceneAnalyzerKind.English) };
    }

    /// <summary>
    /// The top <paramref name="top"/> of every query in Lucene (BM25) and in ours, rank by rank; where ours has no
    /// document at a rank, its ids are −1, and a Lucene document ours does not match scores 0 in ours.
    /// </summary>
    public static IReadOnlyList<RankRow> Bm25VsLucene(IReadOnlyList<string> texts, IEnumerable<string> queries,
        int top = 5)
    {
        Guard.NotNull(texts, nameof(texts));
        Guard.NotNull(queries, nameof(queries));
        var index = new InvertedIndex(TextAnalyzer.Standard);
        foreach (var t in texts) index.Add(t);
        var bm25 = new Bm25(index);
        using var lucene = new LuceneIndex(texts);
        var rows = new List<RankRow>();
        foreach (var q in queries)
        {
            var theirs = lucene.Search(q, top);
            var exact = bm25.Search(q, index.Count);
            var quantizedList = bm25.Search(q, index.Count, LengthModel.LuceneNorm);
            var quantized = quantizedList.ToDictionary(h => h.DocId);
            var exactById = exact.ToDictionary(h => h.DocId);
            for (int r = 0; r < theirs.Count; r++)
            {
                int doc = theirs[r].DocId;
                // Lucene can match documents ours does not (text the two tokenizers split differently): -1 then.
                rows.Add(new RankRow(q, r + 1, doc, theirs[r].Score, r < exact.Count ? exact[r].DocId : -1,
                    r < quantizedList.Count ? quantizedList[r].DocId : -1,
                    exactById.TryGetValue(doc, out var e) ? e.Score : 0,
                    quantized.TryGetValue(doc, out var z) ? z.Score : 0,
                    index.Length(doc), LuceneNorms.DecodedLength(index.Length(doc))));
            }
        }
        return rows;
    }
}
