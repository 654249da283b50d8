namespace SystemDesign.Search;

/// <summary>How BM25 sees a document's length.</summary>
public enum LengthModel
{
    /// <summary>The exact analyzed length.</summary>
    Exact,

    /// <summary>Lucene 4.8's one-byte norm: 1/√length encoded with SmallFloat.floatToByte315, decoded.</summary>
    LuceneNorm,
}

/// <summary>Okapi BM25 over an <see cref="InvertedIndex"/>, with Lucene's defaults k1 = 1.2, b = 0.75.</summary>
public sealed class Bm25
{
    /// <summary>A scorer over <paramref name="index"/>.</summary>
    public Bm25(InvertedIndex index, double k1 = 1.2, double b = 0.75)
    {
        Index = Guard.NotNull(index, nameof(index));
        K1 = Guard.InRange(k1, 0, 10, nameof(k1));
        B = Guard.InRange(b, 0, 1, nameof(b));
    }

    /// <summary>The index scored.</summary>
    public InvertedIndex Index { get; }

    /// <summary>Term-frequency saturation.</summary>
    public double K1 { get; }

    /// <summary>Length normalization strength.</summary>
    public double B { get; }

    /// <summary>Average document length: total terms over documents (Lucene: sumTotalTermFreq / maxDoc).</summary>
    public double AverageLength => Index.Count == 0 ? 1 : (double)Index.TotalTerms / Index.Count;

    /// <summary>idf = ln(1 + (N − n + 0.5)/(n + 0.5)), never negative (Lucene's variant).</summary>
    public static double Idf(long documents, long documentFrequency)
    {
        Guard.InRange(documentFrequency, 0, documents, nameof(documentFrequency));
        return Math.Log(1 + (documents - documentFrequency + 0.5) / (documentFrequency + 0.5));
    }

    /// <summary>One term's contribution: idf·(k1 + 1)·tf / (tf + k1·(1 − b + b·dl/avgdl)).</summary>
    public double TermScore(double idf, int tf, double length, double averageLength) =>
        idf * (K1 + 1) * tf / (tf + K1 * (1 - B + B * length / averageLength));

    /// <summary>The length BM25 uses for document <paramref name="docId"/> under <paramref name="model"/>.</summary>
    public double LengthOf(int docId, LengthModel model) => model == LengthModel.Exact
        ? Index.Length(docId)
        : LuceneNorms.DecodedLength(Index.Length(docId));

    /// <summary>All matching documents with their scores, best first (ties by id), at most <paramref name="top"/>.</summary>
    public IReadOnlyList<Hit> Search(string query, int top = 10, LengthModel model = LengthModel.Exact)
    {
        Guard.InRange(top, 1, 1_000_000, nameof(top));
        var scores = new Dictionary<int, double>();
        double avg = model == LengthModel.Exact ? AverageLength : (float)AverageLength;
        foreach (var term in Index.QueryTerms(query))
        {
            var list = Index.Postings(term);
            if (list.Count == 0) continue;
            double idf = Idf(Index.Count, list.Count);
            foreach (var p in list)
                scores[p.DocId] = scores.GetValueOrDefault(p.DocId)
                    + TermScore(idf, p.TermFrequency, LengthOf(p.DocId, model), avg);
        }
        return scores.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(top)
            .Select(kv => new Hit(kv.Key, kv.Value)).ToList();
    }

    /// <summary>The score of one document for a query (0 if it matches no term).</summary>
    public double Score(string query, int docId, LengthModel model = LengthModel.Exact) =>
        Search(query, Index.Count, model).FirstOrDefault(h => h.DocId == docId)?.Score ?? 0;
}

/// <summary>
/// Lucene 4.8's document-length norm (BM25Similarity.EncodeNormValue / DecodeNormValue): the field length is
/// stored as one byte, SmallFloat.floatToByte315(1/√length): a float with 3 mantissa bits and a 5-bit exponent,
/// truncated (rounded toward zero); the 3 bits count the implicit leading 1. Decoding gives 1/f², a length at or
/// above the true one and below (5/4)² times it.
/// </summary>
public static class LuceneNorms
{
    /// <summary>SmallFloat.floatToByte315: the float's bits shifted right by 21, rebased by (63 − 15)·8.</summary>
    public static byte FloatToByte315(float f)
    {
        int bits = BitConverter.SingleToInt32Bits(f);
        int small = bits >> (24 - 3);
        if (small <= (63 - 15) << 3) return bits <= 0 ? (byte)0 : (byte)1;
        if (small >= ((63 - 15) << 3) + 0x100) return 255;
        return (byte)(small - ((63 - 15) << 3));
    }

    /// <summary>SmallFloat.byte315ToFloat.</summary>
    public static float Byte315ToFloat(byte b)
    {
        if (b == 0) return 0f;
        int bits = (b & 0xff) << (24 - 3);
        bits += (63 - 15) << 24;
        return BitConverter.Int32BitsToSingle(bits);
    }

    /// <summary>The byte Lucene stores for a field of <paramref name="length"/> terms (boost 1).</summary>
    public static byte Encode(int length) =>
        FloatToByte315(1f / (float)Math.Sqrt(Guard.InRange(length, 1, int.MaxValue, nameof(length))));

    /// <summary>The length BM25 sees after the round trip: 1/f² of the decoded byte.</summary>
    public static double DecodedLength(int length)
    {
        float f = Byte315ToFloat(Encode(length));
        return 1.0f / (f * f);
    }
}
