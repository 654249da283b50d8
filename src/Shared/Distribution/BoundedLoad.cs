namespace SystemDesign.Distribution;

/// <summary>What one run of bounded-load consistent hashing did.</summary>
/// <param name="Capacity">c: no node takes more than ⌈c · (requests so far) / N⌉.</param>
/// <param name="Loads">Requests served per node, in ring node order.</param>
/// <param name="Forwarded">Fraction of requests served by a node other than the key's ring owner.</param>
/// <param name="NodesServingHottest">Distinct nodes that served requests for key 0 (the heaviest).</param>
public sealed record BoundedLoadRun(double Capacity, IReadOnlyList<double> Loads, double Forwarded, int NodesServingHottest)
{
    /// <summary>Busiest node over the mean.</summary>
    public double MaxOverMean => LoadStats.Of(Loads.ToArray()).MaxOverMean;

    /// <summary>Busiest node's share of all requests.</summary>
    public double MaxShare => LoadStats.Of(Loads.ToArray()).MaxShare;
}

/// <summary>
/// Consistent hashing with bounded loads (Mirrokni, Thorup &amp; Zadimoghaddam, 2018; HAProxy's
/// <c>hash-balance-factor</c>): a request goes to its key's owner unless that node already serves more than
/// c times the average, in which case it walks clockwise to the next node with room. The busiest node is
/// capped at about c × mean by construction; what the experiment measures is the price: how many requests
/// leave their owner (cache misses, in a cache tier), and how a hot key spreads over several nodes.
/// </summary>
public static class BoundedLoad
{
    /// <summary>
    /// Sends <paramref name="requests"/> requests, key i drawn with probability <paramref name="weights"/>[i]
    /// (seeded), through <paramref name="ring"/> with capacity factor <paramref name="capacity"/>
    /// (<see cref="double.PositiveInfinity"/> gives plain consistent hashing).
    /// </summary>
    public static BoundedLoadRun Run(HashRing ring, IReadOnlyList<string> keys, IReadOnlyList<double> weights,
        int requests, double capacity, int seed) => Sweep(ring, keys, weights, requests, [capacity], seed)[0];

    /// <summary>
    /// <see cref="Run"/> for several capacity factors over the same request stream (same seed), sharing the
    /// clockwise walk of each key between them.
    /// </summary>
    public static BoundedLoadRun[] Sweep(HashRing ring, IReadOnlyList<string> keys, IReadOnlyList<double> weights,
        int requests, IReadOnlyList<double> capacities, int seed)
    {
        Guard.NotNull(ring);
        Guard.NotEmpty(keys);
        Guard.NotNull(weights);
        Guard.That(keys.Count == weights.Count, $"one weight per key: {keys.Count} keys, {weights.Count} weights", nameof(weights));
        Guard.InRange(requests, 1, 100_000_000);
        Guard.NotEmpty(capacities);
        foreach (double capacity in capacities)
            Guard.That(capacity >= 1, $"capacity must be at least 1 (got {capacity})", nameof(capacity));
        int n = ring.Nodes.Count;
        var cumulative = new double[keys.Count];
        double total = 0;
        for (int i = 0; i < keys.Count; i++)
        {
            Guard.NonNegative(weights[i], nameof(weights));
            cumulative[i] = total += weights[i];
        }
        Guard.That(total > 0, "weights must not all be zero", nameof(weights));
        var random = new Random(seed);
        var stream = new int[requests];
        for (int r = 0; r < requests; r++)
        {
            int k = Array.BinarySearch(cumulative, random.NextDouble() * total);
            stream[r] = Math.Min(k < 0 ? ~k : k, keys.Count - 1);
        }
        var walks = new int[keys.Count][]; // the nodes clockwise from each key, computed when first drawn
        foreach (int k in stream)
            walks[k] ??= ring.WalkFrom(keys[k]);
        return capacities.Select(capacity => Simulate(walks, stream, n, capacity)).ToArray();
    }

    private static BoundedLoadRun Simulate(int[][] walks, int[] stream, int n, double capacity)
    {
        var loads = new double[n];
        var hottest = new HashSet<int>();
        int forwarded = 0;
        for (int r = 0; r < stream.Length; r++)
        {
            int[] walk = walks[stream[r]];
            double cap = double.IsPositiveInfinity(capacity) ? double.MaxValue : Math.Ceiling(capacity * (r + 1) / n);
            int chosen = walk[0];
            for (int i = 0; i < walk.Length; i++)
                if (loads[walk[i]] + 1 <= cap) { chosen = walk[i]; break; }
            loads[chosen]++;
            if (chosen != walk[0]) forwarded++;
            if (stream[r] == 0) hottest.Add(chosen);
        }
        return new BoundedLoadRun(capacity, loads, (double)forwarded / stream.Length, hottest.Count);
    }
}
