namespace SystemDesign.Search;

/// <summary>A cluster sizing answer (decimal units: 1 GB = 10⁹ bytes).</summary>
public sealed record ClusterSize(double SourceGb, double PrimaryIndexGb, int Replicas, double TotalGb,
    double ShardTargetGb, int PrimaryShards, double ShardGb);

/// <summary>Index growth after each added document.</summary>
public sealed record GrowthPoint(int Documents, int Terms, long Postings, long Tokens);

/// <summary>Back-of-the-envelope arithmetic for a search cluster and for index growth.</summary>
public static class Sizing
{
    /// <summary>
    /// Source bytes = docs × bytes per doc; primary index = source × index-to-source ratio; every replica is a
    /// full extra copy, so total = primary × (1 + replicas); primary shards = ⌈primary / target shard size⌉, at least one.
    /// </summary>
    public static ClusterSize Cluster(long documents, double bytesPerDocument, double indexToSource,
        int replicas, double shardTargetGb)
    {
        Guard.InRange(documents, 1, long.MaxValue / 2, nameof(documents));
        Guard.Positive(bytesPerDocument, nameof(bytesPerDocument));
        Guard.Positive(indexToSource, nameof(indexToSource));
        Guard.InRange(replicas, 0, 100, nameof(replicas));
        Guard.Positive(shardTargetGb, nameof(shardTargetGb));
        double source = documents * bytesPerDocument / 1e9, primary = source * indexToSource;
        int shards = Math.Max(1, (int)Math.Ceiling(primary / shardTargetGb - 1e-9));
        return new ClusterSize(source, primary, replicas, primary * (1 + replicas), shardTargetGb, shards,
            primary / shards);
    }

    /// <summary>Raw float32 bytes for <paramref name="vectors"/> of <paramref name="dims"/> dimensions, in GB.</summary>
    public static double VectorGb(long vectors, int dims, double bytesPerDimension = 4) =>
        Guard.InRange(vectors, 0, long.MaxValue / 8, nameof(vectors))
        * (double)Guard.InRange(dims, 1, 100_000, nameof(dims)) * Guard.Positive(bytesPerDimension) / 1e9;

    /// <summary>Adds <paramref name="texts"/> one by one and records the index's size after each.</summary>
    public static IReadOnlyList<GrowthPoint> Growth(IEnumerable<string> texts, TextAnalyzer analyzer)
    {
        Guard.NotNull(texts, nameof(texts));
        var index = new InvertedIndex(Guard.NotNull(analyzer, nameof(analyzer)));
        var points = new List<GrowthPoint>();
        long postings = 0;
        foreach (var t in texts)
        {
            int id = index.Add(t);
            postings += analyzer.Terms(t).Distinct().Count();
            points.Add(new GrowthPoint(id + 1, index.TermCount, postings, index.TotalTerms));
        }
        return points;
    }
}
