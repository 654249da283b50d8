using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace SystemDesign.Search;

/// <summary>What a reader saw at one step of a reindex: documents visible and the index behind the name.</summary>
public sealed record ReindexObservation(string Strategy, int Step, string Phase, string Index, int VisibleDocs);

/// <summary>
/// Reindexing a live Lucene.Net index two ways, with a reader querying the name "products" after every committed
/// batch: in place (delete everything, re-add under the new analyzer) and with an alias (build "products_v2"
/// beside "products_v1", then atomically repoint the alias). Deterministic interleaving, real Lucene commits and
/// near-real-time reader reopen.
/// </summary>
public static class Reindex
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>Delete all, then re-add in batches: readers see the index empty, then partly built.</summary>
    public static IReadOnlyList<ReindexObservation> InPlace(IReadOnlyList<string> texts, int batch)
    {
        Guard.NotNull(texts, nameof(texts));
        Guard.InRange(batch, 1, Math.Max(1, texts.Count), nameof(batch));
        var obs = new List<ReindexObservation>();
        using var dir = new RAMDirectory();
        using var writer = Build(dir, texts, new StandardAnalyzer(Version));
        int step = 0;
        void Observe(string phase) => obs.Add(new("in place", step++, phase, "products", Visible(dir)));
        Observe("before");
        writer.DeleteAll();
        writer.Commit();
        Observe("deleted");
        foreach (var chunk in texts.Chunk(batch))
        {
            foreach (var t in chunk) writer.AddDocument(Doc(t));
            writer.Commit();
            Observe("re-adding");
        }
        return obs;
    }

    /// <summary>Build v2 beside v1 in batches, then swap the alias in one reference assignment.</summary>
    public static IReadOnlyList<ReindexObservation> AliasSwap(IReadOnlyList<string> texts, int batch)
    {
        Guard.NotNull(texts, nameof(texts));
        Guard.InRange(batch, 1, Math.Max(1, texts.Count), nameof(batch));
        var obs = new List<ReindexObservation>();
        using var v1 = new RAMDirectory();
        using var v2 = new RAMDirectory();
        Build(v1, texts, new StandardAnalyzer(Version)).Dispose();
        var aliases = new Dictionary<string, (string Name, Lucene.Net.Store.Directory Dir)>
        {
            ["products"] = ("products_v1", v1),
        };
        int step = 0;
        void Observe(string phase)
        {
            (string Name, Lucene.Net.Store.Directory Dir) target;
            lock (aliases) target = aliases["products"];
            obs.Add(new("alias swap", step++, phase, target.Name, Visible(target.Dir)));
        }
        Observe("before");
        using (var writer = new IndexWriter(v2, new IndexWriterConfig(Version, new EnglishAnalyzer(Version))))
        {
            writer.Commit();
            foreach (var chunk in texts.Chunk(batch))
            {
                foreach (var t in chunk) writer.AddDocument(Doc(t));
                writer.Commit();
                Observe("building v2");
            }
        }
        lock (aliases) aliases["products"] = ("products_v2", v2); // POST _aliases: remove v1, add v2
        Observe("swapped");
        return obs;
    }

    private static IndexWriter Build(Lucene.Net.Store.Directory dir, IReadOnlyList<string> texts, Analyzer analyzer)
    {
        var writer = new IndexWriter(dir, new IndexWriterConfig(Version, analyzer));
        foreach (var t in texts) writer.AddDocument(Doc(t));
        writer.Commit();
        return writer;
    }

    private static Document Doc(string text) => new() { new TextField("body", text, Field.Store.NO) };

    private static int Visible(Lucene.Net.Store.Directory dir)
    {
        using var reader = DirectoryReader.Open(dir);
        return new IndexSearcher(reader).Search(new MatchAllDocsQuery(), 1).TotalHits;
    }
}
