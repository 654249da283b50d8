namespace SystemDesign.Search;

/// <summary>A search's answer and the distance computations it took.</summary>
public sealed record AnnResult(int[] Ids, long DistanceComputations);

/// <summary>
/// Hierarchical Navigable Small World graph (Malkov and Yashunin, 2016/2018), cosine distance on unit vectors:
/// each vector gets a random top layer (P(level ≥ l) = M^−l), links to its M nearest found neighbours per layer
/// (2M on layer 0), and a query descends greedily from the top layer, then searches layer 0 with a candidate
/// list of size efSearch. Neighbours are chosen with the paper's heuristic (a candidate is kept only if it is
/// closer to the new node than to any neighbour already kept, which keeps links between clusters), seeded.
/// </summary>
public sealed class Hnsw
{
    private readonly float[][] data;
    private readonly List<List<int>[]> links = new(); // links[node][layer]
    private readonly int m, efConstruction;
    private readonly double levelFactor;
    private readonly Random rng;
    private int entry = -1, topLevel = -1;
    private readonly int[] visitedStamp;
    private int stamp;

    /// <summary>Builds the graph over <paramref name="vectors"/> (unit length).</summary>
    public Hnsw(float[][] vectors, int m = 8, int efConstruction = 64, int seed = 13)
    {
        data = Guard.NotNull(vectors, nameof(vectors));
        this.m = Guard.InRange(m, 2, 128, nameof(m));
        this.efConstruction = Guard.InRange(efConstruction, 1, 10_000, nameof(efConstruction));
        levelFactor = 1 / Math.Log(m);
        rng = new Random(seed);
        visitedStamp = new int[data.Length];
        for (int i = 0; i < data.Length; i++) Insert(i);
    }

    /// <summary>Distance computations spent building.</summary>
    public long BuildDistanceComputations { get; private set; }

    /// <summary>The highest layer.</summary>
    public int TopLevel => topLevel;

    /// <summary>Total links (directed edges) over all layers.</summary>
    public long LinkCount => links.Sum(l => l.Sum(x => (long)x.Count));

    /// <summary>Bytes per vector: the float32 vector plus 4-byte neighbour ids for every link.</summary>
    public double BytesPerVector => data.Length == 0 ? 0
        : data[0].Length * 4.0 + 4.0 * LinkCount / data.Length;

    private void Insert(int id)
    {
        int level = (int)Math.Floor(-Math.Log(1 - rng.NextDouble()) * levelFactor);
        var layers = new List<int>[level + 1];
        for (int l = 0; l <= level; l++) layers[l] = new List<int>();
        links.Add(layers);
        if (entry < 0) { entry = id; topLevel = level; return; }
        long count = 0;
        int ep = entry;
        for (int l = topLevel; l > level; l--) ep = Greedy(data[id], ep, l, ref count);
        for (int l = Math.Min(level, topLevel); l >= 0; l--)
        {
            var found = SearchLayer(data[id], ep, efConstruction, l, ref count);
            int max = l == 0 ? 2 * m : m;
            foreach (var n in Select(id, found, m, ref count))
            {
                layers[l].Add(n);
                var back = links[n][l];
                back.Add(id);
                if (back.Count > max)
                {
                    var sorted = back.Select(x => (x, d: Dist(data[n], data[x], ref count)))
                        .OrderBy(x => x.d).Select(x => x.x).ToList();
                    var keep = Select(n, sorted, max, ref count);
                    back.Clear(); back.AddRange(keep);
                }
            }
            ep = found[0];
        }
        BuildDistanceComputations += count;
        if (level > topLevel) { topLevel = level; entry = id; }
    }

    /// <summary>The heuristic: walk candidates nearest first; keep one unless a kept one is closer to it.</summary>
    private List<int> Select(int node, List<int> nearestFirst, int max, ref long count)
    {
        var kept = new List<int>(max);
        foreach (var c in nearestFirst)
        {
            if (kept.Count >= max) break;
            float toNode = Dist(data[node], data[c], ref count);
            bool good = true;
            foreach (var k in kept)
                if (Dist(data[c], data[k], ref count) < toNode) { good = false; break; }
            if (good) kept.Add(c);
        }
        return kept;
    }

    private static float Dist(float[] a, float[] b, ref long count) { count++; return Vectors.Distance(a, b); }

    private int Greedy(float[] q, int ep, int layer, ref long count)
    {
        float best = Dist(q, data[ep], ref count);
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var n in links[ep][layer])
            {
                float d = Dist(q, data[n], ref count);
                if (d < best) { best = d; ep = n; changed = true; }
            }
        }
        return ep;
    }

    /// <summary>Best-first search of one layer; returns up to ef nodes, nearest first.</summary>
    private List<int> SearchLayer(float[] q, int ep, int ef, int layer, ref long count)
    {
        stamp++;
        visitedStamp[ep] = stamp;
        float d0 = Dist(q, data[ep], ref count);
        var candidates = new PriorityQueue<int, float>();
        var results = new PriorityQueue<int, float>(); // max-heap via negated distance
        candidates.Enqueue(ep, d0);
        results.Enqueue(ep, -d0);
        while (candidates.TryDequeue(out int c, out float dc))
        {
            results.TryPeek(out _, out float worstNeg);
            if (dc > -worstNeg && results.Count >= ef) break;
            foreach (var n in links[c][layer])
            {
                if (visitedStamp[n] == stamp) continue;
                visitedStamp[n] = stamp;
                float d = Dist(q, data[n], ref count);
                results.TryPeek(out _, out worstNeg);
                if (results.Count < ef || d < -worstNeg)
                {
                    candidates.Enqueue(n, d);
                    results.Enqueue(n, -d);
                    if (results.Count > ef) results.Dequeue();
                }
            }
        }
        var list = new List<(int Id, float D)>();
        while (results.TryDequeue(out int id, out float negD)) list.Add((id, -negD));
        return list.OrderBy(x => x.D).ThenBy(x => x.Id).Select(x => x.Id).ToList();
    }

    /// <summary>The approximate k nearest neighbours of <paramref name="query"/>.</summary>
    public AnnResult Search(float[] query, int k, int efSearch)
    {
        Guard.NotNull(query, nameof(query));
        Guard.InRange(k, 1, data.Length, nameof(k));
        Guard.InRange(efSearch, 1, 100_000, nameof(efSearch));
        long count = 0;
        int ep = entry;
        for (int l = topLevel; l > 0; l--) ep = Greedy(query, ep, l, ref count);
        var found = SearchLayer(query, ep, Math.Max(efSearch, k), 0, ref count);
        return new AnnResult(found.Take(k).ToArray(), count);
    }
}
