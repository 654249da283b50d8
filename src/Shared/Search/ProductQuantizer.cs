namespace SystemDesign.Search;

/// <summary>
/// Product quantization (Jégou, Douze and Schmid, 2011): split each vector into <c>m</c> sub-vectors, learn 256
/// centroids per sub-space with k-means, store one byte per sub-vector. A query is compared with the codes by
/// asymmetric distance: a table of query-to-centroid distances per sub-space, summed per code.
/// </summary>
public sealed class ProductQuantizer
{
    private readonly float[][][] centroids; // [sub][centroid][dim]
    private readonly byte[][] codes;
    private readonly int sub;

    /// <summary>Trains on and encodes <paramref name="data"/>.</summary>
    public ProductQuantizer(float[][] data, int subspaces, int centroidsPerSubspace = 256, int iterations = 6,
        int seed = 13, int trainingSample = 1000)
    {
        Guard.NotEmpty(data, nameof(data));
        int dims = data[0].Length;
        Subspaces = Guard.InRange(subspaces, 1, dims, nameof(subspaces));
        Guard.That(dims % subspaces == 0, "the dimension must be a multiple of the number of sub-spaces",
            nameof(subspaces));
        Guard.InRange(centroidsPerSubspace, 2, 256, nameof(centroidsPerSubspace));
        Guard.InRange(iterations, 1, 100, nameof(iterations));
        sub = dims / subspaces;
        Dimensions = dims;
        var rng = new Random(seed);
        centroids = new float[subspaces][][];
        codes = data.Select(_ => new byte[subspaces]).ToArray();
        for (int s = 0; s < subspaces; s++)
        {
            var all = data.Select(v => v.AsSpan(s * sub, sub).ToArray()).ToArray();
            // k-means on a sample (as FAISS trains on a sample), then every vector is encoded.
            var points = all.Take(Math.Max(trainingSample, centroidsPerSubspace)).ToArray();
            var c = points.OrderBy(_ => rng.Next()).Take(centroidsPerSubspace).Select(p => p.ToArray()).ToArray();
            var assign = new int[points.Length];
            for (int it = 0; it < iterations; it++)
            {
                for (int i = 0; i < points.Length; i++) assign[i] = Nearest(c, points[i]);
                var sums = c.Select(_ => new double[sub]).ToArray();
                var counts = new int[c.Length];
                for (int i = 0; i < points.Length; i++)
                {
                    counts[assign[i]]++;
                    for (int d = 0; d < sub; d++) sums[assign[i]][d] += points[i][d];
                }
                for (int j = 0; j < c.Length; j++)
                    if (counts[j] > 0) c[j] = sums[j].Select(x => (float)(x / counts[j])).ToArray();
            }
            centroids[s] = c;
            for (int i = 0; i < all.Length; i++) codes[i][s] = (byte)Nearest(c, all[i]);
        }
    }

    /// <summary>Number of sub-vectors (bytes per code).</summary>
    public int Subspaces { get; }

    /// <summary>The vectors' dimension.</summary>
    public int Dimensions { get; }

    /// <summary>float32 bytes per vector over code bytes per vector.</summary>
    public double CompressionRatio => Dimensions * 4.0 / Subspaces;

    private static int Nearest(float[][] c, float[] p)
    {
        int best = 0; float bestD = float.MaxValue;
        for (int j = 0; j < c.Length; j++)
        {
            float d = 0;
            for (int k = 0; k < p.Length; k++) { float x = p[k] - c[j][k]; d += x * x; }
            if (d < bestD) { bestD = d; best = j; }
        }
        return best;
    }

    /// <summary>Top k by asymmetric (query vs code) squared L2 distance, which ranks unit vectors like cosine.</summary>
    public int[] Search(float[] query, int k)
    {
        Guard.NotNull(query, nameof(query));
        Guard.InRange(k, 1, codes.Length, nameof(k));
        var table = new float[Subspaces][];
        for (int s = 0; s < Subspaces; s++)
            table[s] = centroids[s].Select(c =>
            {
                float d = 0;
                for (int i = 0; i < sub; i++) { float x = query[s * sub + i] - c[i]; d += x * x; }
                return d;
            }).ToArray();
        return Enumerable.Range(0, codes.Length)
            .Select(i => (i, d: Enumerable.Range(0, Subspaces).Sum(s => table[s][codes[i][s]])))
            .OrderBy(x => x.d).ThenBy(x => x.i).Take(k).Select(x => x.i).ToArray();
    }
}
