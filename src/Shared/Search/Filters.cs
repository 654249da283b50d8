using System.Collections;

namespace SystemDesign.Search;

/// <summary>One rank of a filtered query: Lucene with a cached filter, with a scored clause, and ours.</summary>
public sealed record FilterRow(int Rank, int LuceneDoc, double FilterScore, double ClauseScore, int OurDoc,
    double OurScore);

/// <summary>Structured filters as bitsets over document ids, applied to scored results.</summary>
public static class Filters
{
    /// <summary>A bitset with bit d set when product d has <paramref name="category"/>.</summary>
    public static BitArray Bitset(IReadOnlyList<Product> products, string category)
    {
        Guard.NotNull(products, nameof(products));
        Guard.NotNull(category, nameof(category));
        var bits = new BitArray(products.Count);
        for (int i = 0; i < products.Count; i++) bits[i] = products[i].Category == category;
        return bits;
    }

    /// <summary>Our BM25 (Lucene's length byte) restricted to the set bits: no score changes.</summary>
    public static IReadOnlyList<Hit> Apply(Bm25 bm25, string query, BitArray filter, int top)
    {
        Guard.NotNull(bm25, nameof(bm25));
        Guard.NotNull(filter, nameof(filter));
        return bm25.Search(query, bm25.Index.Count, LengthModel.LuceneNorm).Where(h => filter[h.DocId])
            .Take(Guard.InRange(top, 1, 1_000_000, nameof(top))).ToList();
    }

    /// <summary>The query run three ways: Lucene filter context, Lucene query context, ours with a bitset.</summary>
    public static IReadOnlyList<FilterRow> Compare(IReadOnlyList<Product> products, LuceneIndex lucene,
        string query, string category, int top = 5)
    {
        Guard.NotNull(lucene, nameof(lucene));
        var index = new InvertedIndex(TextAnalyzer.Standard);
        foreach (var p in Guard.NotNull(products, nameof(products))) index.Add(p.Text);
        var ours = Apply(new Bm25(index), query, Bitset(products, category), top);
        var filtered = lucene.SearchFiltered(query, category, top);
        var clause = lucene.SearchWithCategoryClause(query, category, top);
        return filtered.Select((h, r) => new FilterRow(r + 1, h.DocId, h.Score,
            clause.FirstOrDefault(c => c.DocId == h.DocId)?.Score ?? double.NaN,
            r < ours.Count ? ours[r].DocId : -1, r < ours.Count ? ours[r].Score : double.NaN)).ToList();
    }
}
