namespace SystemDesign.Search;

/// <summary>One entry of a postings list: a document, how often the term occurs in it, and where.</summary>
public sealed record Posting(int DocId, int TermFrequency, IReadOnlyList<int> Positions);

/// <summary>A term's row in the index, for display: document frequency and the postings as text.</summary>
public sealed record TermRow(string Term, int DocumentFrequency, string Postings);

/// <summary>A scored hit.</summary>
public sealed record Hit(int DocId, double Score);

/// <summary>
/// An in-memory inverted index: a hash map from term to a postings list sorted by document id, plus each
/// document's length in terms. Documents get ids 0, 1, 2, … in the order they are added.
/// </summary>
public sealed class InvertedIndex
{
    private readonly Dictionary<string, List<Posting>> postings = new(StringComparer.Ordinal);
    private readonly List<int> lengths = new();
    private readonly List<string> texts = new();

    /// <summary>An empty index that analyzes text with <paramref name="analyzer"/>.</summary>
    public InvertedIndex(TextAnalyzer analyzer) => Analyzer = Guard.NotNull(analyzer, nameof(analyzer));

    /// <summary>The analyzer used for documents and queries alike.</summary>
    public TextAnalyzer Analyzer { get; }

    /// <summary>Number of documents.</summary>
    public int Count => lengths.Count;

    /// <summary>Number of distinct terms.</summary>
    public int TermCount => postings.Count;

    /// <summary>Total postings (term, document) pairs.</summary>
    public long PostingCount => postings.Values.Sum(p => (long)p.Count);

    /// <summary>Sum of all document lengths (Lucene's sumTotalTermFreq).</summary>
    public long TotalTerms { get; private set; }

    /// <summary>The analyzed length of document <paramref name="docId"/>.</summary>
    public int Length(int docId) => lengths[Guard.InRange(docId, 0, Count - 1, nameof(docId))];

    /// <summary>The original text of document <paramref name="docId"/>.</summary>
    public string Text(int docId) => texts[Guard.InRange(docId, 0, Count - 1, nameof(docId))];

    /// <summary>Adds a document and returns its id.</summary>
    public int Add(string text)
    {
        Guard.NotNull(text, nameof(text));
        int id = lengths.Count;
        var tokens = Analyzer.Analyze(text);
        foreach (var group in tokens.GroupBy(t => t.Term))
        {
            if (!postings.TryGetValue(group.Key, out var list))
                postings[group.Key] = list = new List<Posting>();
            var positions = group.Select(t => t.Position).ToList();
            list.Add(new Posting(id, positions.Count, positions));
        }
        lengths.Add(tokens.Count);
        texts.Add(text);
        TotalTerms += tokens.Count;
        return id;
    }

    /// <summary>The postings of an already analyzed term (empty if absent).</summary>
    public IReadOnlyList<Posting> Postings(string term) =>
        postings.TryGetValue(Guard.NotNull(term, nameof(term)), out var list) ? list : Array.Empty<Posting>();

    /// <summary>Document frequency of an analyzed term.</summary>
    public int DocumentFrequency(string term) => Postings(term).Count;

    /// <summary>The index as rows, most frequent terms first, at most <paramref name="top"/>.</summary>
    public IReadOnlyList<TermRow> Rows(int top = 20) => postings
        .OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal)
        .Take(Guard.InRange(top, 1, 1_000_000, nameof(top)))
        .Select(p => new TermRow(p.Key, p.Value.Count, string.Join(" ", p.Value.Select(x =>
            x.TermFrequency == 1 ? $"{x.DocId}" : $"{x.DocId}×{x.TermFrequency}"))))
        .ToList();

    /// <summary>The analyzed terms of a query (duplicates kept, as Lucene's query parser keeps them).</summary>
    public IReadOnlyList<string> QueryTerms(string query) => Analyzer.Terms(Guard.NotNull(query, nameof(query)));

    /// <summary>Documents that contain every query term: sorted postings intersected, rarest first.</summary>
    public BooleanResult And(string query)
    {
        var lists = QueryTerms(query).Distinct().Select(t => Postings(t).Select(p => p.DocId).ToArray())
            .OrderBy(l => l.Length).ToList();
        if (lists.Count == 0) return new BooleanResult(Array.Empty<int>(), 0);
        int[] acc = lists[0];
        long steps = 0;
        foreach (var next in lists.Skip(1)) acc = PostingsMath.Intersect(acc, next, ref steps);
        return new BooleanResult(acc, steps);
    }

    /// <summary>Documents that contain at least one query term.</summary>
    public int[] Or(string query) => QueryTerms(query).Distinct()
        .SelectMany(t => Postings(t).Select(p => p.DocId)).Distinct().Order().ToArray();
}

/// <summary>A boolean query's matches and how many postings comparisons the merge took.</summary>
public sealed record BooleanResult(IReadOnlyList<int> DocIds, long Comparisons);

/// <summary>Merging sorted postings lists.</summary>
public static class PostingsMath
{
    /// <summary>Intersection of two ascending id arrays by a linear merge; counts comparisons.</summary>
    public static int[] Intersect(int[] a, int[] b, ref long comparisons)
    {
        Guard.NotNull(a, nameof(a));
        Guard.NotNull(b, nameof(b));
        var result = new List<int>();
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            comparisons++;
            if (a[i] == b[j]) { result.Add(a[i]); i++; j++; }
            else if (a[i] < b[j]) i++;
            else j++;
        }
        return result.ToArray();
    }

    /// <summary>Intersection that gallops (exponential then binary search) through the longer list.</summary>
    public static int[] IntersectGalloping(int[] small, int[] large, ref long comparisons)
    {
        Guard.NotNull(small, nameof(small));
        Guard.NotNull(large, nameof(large));
        var result = new List<int>();
        int lo = 0;
        foreach (int x in small)
        {
            int step = 1, hi = lo;
            while (hi < large.Length && large[hi] < x) { comparisons++; lo = hi + 1; hi += step; step *= 2; }
            hi = Math.Min(hi, large.Length - 1);
            while (lo <= hi)
            {
                comparisons++;
                int mid = (lo + hi) >>> 1;
                if (large[mid] < x) lo = mid + 1; else hi = mid - 1;
            }
            if (lo < large.Length && large[lo] == x) result.Add(x);
            if (lo >= large.Length) break;
        }
        return result.ToArray();
    }
}
