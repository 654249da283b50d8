namespace SystemDesign.Search;

/// <summary>Mean recall@k and work of HNSW at one efSearch.</summary>
public sealed record EfPoint(int EfSearch, double RecallAtK, double DistanceComputations, double ShareOfBruteForce);

/// <summary>Recall of product quantization alone and after re-ranking a shortlist with the full vectors.</summary>
public sealed record PqPoint(int Subspaces, double CompressionRatio, int BytesPerVector, double RecallAtK,
    double RerankedRecallAtK, int Shortlist);

/// <summary>Experiments over <see cref="Hnsw"/> and <see cref="ProductQuantizer"/> against brute force.</summary>
public static class VectorLab
{
    /// <summary>Exact top k of every query (brute force).</summary>
    public static int[][] Exact(float[][] data, float[][] queries, int k)
    {
        Guard.NotNull(data, nameof(data));
        return Guard.NotNull(queries, nameof(queries)).Select(q => Vectors.BruteForce(data, q, k)).ToArray();
    }

    /// <summary>Mean recall@k and distance computations per query for each efSearch.</summary>
    public static IReadOnlyList<EfPoint> Sweep(Hnsw hnsw, float[][] data, float[][] queries, int[][] exact,
        int k, IEnumerable<int> efSearch)
    {
        Guard.NotNull(hnsw, nameof(hnsw));
        Guard.NotNull(data, nameof(data));
        Guard.NotNull(queries, nameof(queries));
        Guard.NotNull(exact, nameof(exact));
        return Guard.NotNull(efSearch, nameof(efSearch)).Select(ef =>
        {
            var results = queries.Select(q => hnsw.Search(q, k, ef)).ToArray();
            double recall = results.Select((r, i) => Vectors.Recall(exact[i], r.Ids)).Average();
            double work = results.Average(r => (double)r.DistanceComputations);
            return new EfPoint(ef, recall, work, work / data.Length);
        }).ToList();
    }

    /// <summary>PQ recall@k, alone and with the top <paramref name="shortlist"/> re-ranked exactly.</summary>
    public static PqPoint Pq(ProductQuantizer pq, float[][] data, float[][] queries, int[][] exact, int k,
        int shortlist)
    {
        Guard.NotNull(pq, nameof(pq));
        Guard.NotNull(data, nameof(data));
        Guard.NotNull(queries, nameof(queries));
        Guard.NotNull(exact, nameof(exact));
        Guard.InRange(shortlist, k, data.Length, nameof(shortlist));
        double plain = 0, reranked = 0;
        for (int i = 0; i < queries.Length; i++)
        {
            var candidates = pq.Search(queries[i], shortlist);
            plain += Vectors.Recall(exact[i], candidates.Take(k));
            var best = candidates.OrderBy(c => Vectors.Distance(data[c], queries[i])).ThenBy(c => c).Take(k);
            reranked += Vectors.Recall(exact[i], best);
        }
        return new PqPoint(pq.Subspaces, pq.CompressionRatio, pq.Subspaces, plain / queries.Length,
            reranked / queries.Length, shortlist);
    }
}
