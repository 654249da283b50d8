namespace SystemDesign.Search;

/// <summary>Vector helpers and a seeded synthetic embedding set.</summary>
public static class Vectors
{
    /// <summary>
    /// <paramref name="count"/> unit vectors in <paramref name="dims"/> dimensions drawn around
    /// <paramref name="clusters"/> random centres (Gaussian spread <paramref name="spread"/>), like embeddings
    /// of texts on a few topics; the first <paramref name="queries"/> extra vectors are returned separately.
    /// </summary>
    public static (float[][] Data, float[][] Queries) Clustered(int count, int dims, int clusters, int queries,
        double spread = 0.6, int seed = 13, int intrinsicDims = 8)
    {
        Guard.InRange(count, 1, 1_000_000, nameof(count));
        Guard.InRange(dims, 2, 4096, nameof(dims));
        Guard.InRange(clusters, 1, 10_000, nameof(clusters));
        Guard.InRange(queries, 0, 100_000, nameof(queries));
        var rng = new Random(seed);
        Guard.InRange(intrinsicDims, 1, dims, nameof(intrinsicDims));
        var centres = Enumerable.Range(0, clusters).Select(_ => Gaussian(rng, dims, 1.0)).ToArray();
        // Spread within a cluster lives in a random intrinsicDims-dimensional subspace, as real embeddings
        // occupy a low-dimensional part of their space (full-rank noise would make every point a stranger).
        var basis = Enumerable.Range(0, intrinsicDims).Select(_ => Gaussian(rng, dims, Math.Sqrt((double)dims / intrinsicDims))).ToArray();
        float[] Draw()
        {
            var v = (float[])centres[rng.Next(clusters)].Clone();
            var z = Gaussian(rng, intrinsicDims, spread);
            for (int j = 0; j < intrinsicDims; j++)
                for (int i = 0; i < dims; i++) v[i] += z[j] * basis[j][i] / (float)Math.Sqrt(dims);
            return Normalize(v);
        }
        var data = Enumerable.Range(0, count).Select(_ => Draw()).ToArray();
        var qs = Enumerable.Range(0, queries).Select(_ => Draw()).ToArray();
        return (data, qs);
    }

    private static float[] Gaussian(Random rng, int dims, double sigma)
    {
        var v = new float[dims];
        for (int i = 0; i < dims; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            v[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }

    /// <summary>The vector scaled to length 1.</summary>
    public static float[] Normalize(float[] v)
    {
        Guard.NotNull(v, nameof(v));
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return norm == 0 ? v : v.Select(x => (float)(x / norm)).ToArray();
    }

    /// <summary>Dot product (the cosine for unit vectors).</summary>
    public static float Dot(float[] a, float[] b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Cosine distance 1 − cos for unit vectors.</summary>
    public static float Distance(float[] a, float[] b) => 1 - Dot(a, b);

    /// <summary>Exact k nearest neighbours by scanning every vector: N distance computations.</summary>
    public static int[] BruteForce(float[][] data, float[] query, int k)
    {
        Guard.NotNull(data, nameof(data));
        Guard.NotNull(query, nameof(query));
        Guard.InRange(k, 1, data.Length, nameof(k));
        return Enumerable.Range(0, data.Length).OrderBy(i => Distance(data[i], query)).ThenBy(i => i)
            .Take(k).ToArray();
    }

    /// <summary>Share of the exact top k found by an approximate top k.</summary>
    public static double Recall(IReadOnlyCollection<int> exact, IEnumerable<int> found)
    {
        Guard.NotEmpty(exact, nameof(exact));
        var set = exact.ToHashSet();
        return (double)Guard.NotNull(found, nameof(found)).Count(set.Contains) / exact.Count;
    }
}

/// <summary>Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009).</summary>
public static class Rrf
{
    /// <summary>score(d) = Σ over rankings of 1/(k + rank(d)), ranks from 1; best first, ties by id.</summary>
    public static IReadOnlyList<Hit> Fuse(IEnumerable<IReadOnlyList<int>> rankings, int k = 60)
    {
        Guard.NotNull(rankings, nameof(rankings));
        Guard.InRange(k, 0, 1_000_000, nameof(k));
        var scores = new Dictionary<int, double>();
        foreach (var ranking in rankings)
            for (int r = 0; r < ranking.Count; r++)
                scores[ranking[r]] = scores.GetValueOrDefault(ranking[r]) + 1.0 / (k + r + 1);
        return scores.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key)
            .Select(kv => new Hit(kv.Key, kv.Value)).ToList();
    }
}
