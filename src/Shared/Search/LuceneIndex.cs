using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace SystemDesign.Search;

/// <summary>Which Lucene.Net analyzer to use.</summary>
public enum LuceneAnalyzerKind
{
    /// <summary>StandardAnalyzer: StandardTokenizer, lower case, English stop words.</summary>
    Standard,

    /// <summary>EnglishAnalyzer: Standard plus possessives and the Porter stemmer.</summary>
    English,
}

/// <summary>
/// The real Lucene.Net 4.8 beside our index: the same documents in an in-memory directory (RAMDirectory),
/// searched with BM25Similarity (k1 = 1.2, b = 0.75) through the classic QueryParser (OR of the terms).
/// Document ids are the order of addition, as in ours (one segment, no deletions).
/// </summary>
public sealed class LuceneIndex : IDisposable
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private readonly RAMDirectory directory = new();
    private readonly Analyzer analyzer;
    private readonly DirectoryReader reader;
    private readonly IndexSearcher searcher;

    private readonly Dictionary<string, CachingWrapperFilter> filters = new(StringComparer.Ordinal);

    /// <summary>
    /// Indexes <paramref name="texts"/> in order into field "body" and, if given, each document's category as
    /// an untokenized, unscored keyword field "category".
    /// </summary>
    public LuceneIndex(IEnumerable<string> texts, LuceneAnalyzerKind kind = LuceneAnalyzerKind.Standard,
        IReadOnlyList<string>? categories = null)
    {
        Guard.NotNull(texts, nameof(texts));
        analyzer = Create(kind);
        var config = new IndexWriterConfig(Version, analyzer) { Similarity = new BM25Similarity() };
        using (var writer = new IndexWriter(directory, config))
        {
            int i = 0;
            foreach (var text in texts)
            {
                var doc = new Document { new TextField("body", text, Field.Store.NO) };
                if (categories is not null) doc.Add(new StringField("category", categories[i], Field.Store.NO));
                writer.AddDocument(doc);
                i++;
            }
            writer.ForceMerge(1);
        }
        reader = DirectoryReader.Open(directory);
        searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
    }

    /// <summary>Number of documents.</summary>
    public int Count => reader.MaxDoc;

    /// <summary>Bytes of the index files in the directory.</summary>
    public long SizeInBytes => directory.GetSizeInBytes();

    /// <summary>The top hits for a free-text query, best first, ties by id.</summary>
    public IReadOnlyList<Hit> Search(string query, int top = 10)
    {
        Guard.NotNull(query, nameof(query));
        var parsed = new QueryParser(Version, "body", analyzer).Parse(QueryParserBase.Escape(query));
        return searcher.Search(parsed, Guard.InRange(top, 1, 1_000_000, nameof(top))).ScoreDocs
            .Select(d => new Hit(d.Doc, d.Score)).ToList();
    }

    /// <summary>
    /// The query in query context with the category in filter context: a FilteredQuery whose filter is a
    /// CachingWrapperFilter (one cached bitset per segment, reused by later queries with the same category).
    /// </summary>
    public IReadOnlyList<Hit> SearchFiltered(string query, string category, int top = 10)
    {
        Guard.NotNull(category, nameof(category));
        if (!filters.TryGetValue(category, out var filter))
            filters[category] = filter = new CachingWrapperFilter(
                new QueryWrapperFilter(new TermQuery(new Term("category", category))));
        var parsed = new QueryParser(Version, "body", analyzer).Parse(QueryParserBase.Escape(query));
        return searcher.Search(new FilteredQuery(parsed, filter), top).ScoreDocs
            .Select(d => new Hit(d.Doc, d.Score)).ToList();
    }

    /// <summary>Bytes held by the cached filter bitsets.</summary>
    public long CachedFilterBytes => filters.Values.Sum(f => f.GetSizeInBytes());

    /// <summary>The same category as a scored, required clause (query context): it adds to every score.</summary>
    public IReadOnlyList<Hit> SearchWithCategoryClause(string query, string category, int top = 10)
    {
        Guard.NotNull(category, nameof(category));
        var parsed = new QueryParser(Version, "body", analyzer).Parse(QueryParserBase.Escape(query));
        var both = new BooleanQuery
        {
            { parsed, Occur.MUST },
            { new TermQuery(new Term("category", category)), Occur.MUST },
        };
        return searcher.Search(both, top).ScoreDocs.Select(d => new Hit(d.Doc, d.Score)).ToList();
    }

    /// <summary>Every matching document id, ascending: all terms required (AND) or any (OR).</summary>
    public IReadOnlyList<int> Matches(string query, bool all)
    {
        Guard.NotNull(query, nameof(query));
        var parser = new QueryParser(Version, "body", analyzer)
        {
            DefaultOperator = all ? Operator.AND : Operator.OR,
        };
        var parsed = parser.Parse(QueryParserBase.Escape(query));
        return searcher.Search(parsed, Math.Max(1, Count)).ScoreDocs.Select(d => d.Doc).Order().ToList();
    }

    /// <summary>Lucene's document frequency of an analyzed term.</summary>
    public int DocumentFrequency(string term) => reader.DocFreq(new Term("body", Guard.NotNull(term, nameof(term))));

    /// <summary>The norm byte Lucene stored for a document's body.</summary>
    public byte NormByte(int docId)
    {
        var norms = MultiDocValues.GetNormValues(reader, "body");
        return (byte)norms.Get(Guard.InRange(docId, 0, Count - 1, nameof(docId)));
    }

    /// <summary>The terms a Lucene.Net analyzer produces for <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> Analyze(string text, LuceneAnalyzerKind kind)
    {
        Guard.NotNull(text, nameof(text));
        using var a = Create(kind);
        using var stream = a.GetTokenStream("body", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var terms = new List<string>();
        stream.Reset();
        while (stream.IncrementToken()) terms.Add(term.ToString());
        stream.End();
        return terms;
    }

    private static Analyzer Create(LuceneAnalyzerKind kind) => kind == LuceneAnalyzerKind.English
        ? new EnglishAnalyzer(Version)
        : new StandardAnalyzer(Version);

    /// <summary>Closes the reader and the directory.</summary>
    public void Dispose()
    {
        reader.Dispose();
        analyzer.Dispose();
        directory.Dispose();
    }
}
