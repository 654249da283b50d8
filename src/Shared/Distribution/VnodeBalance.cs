namespace SystemDesign.Distribution;

/// <summary>
/// Balance of ring ownership at one setting, measured over several independent rings: the RMS coefficient of
/// variation, its standard error from the ring-to-ring scatter, the mean busiest-over-average, and the
/// Beta-law prediction for random tokens.
/// </summary>
/// <param name="CvStdError">σ of <paramref name="Cv"/>: half the relative σ of the mean CV² (delta method),
/// from the rings' own scatter, so it holds at V = 1 too where shares are far from normal.</param>
public sealed record BalanceRow(int V, bool Allocated, double Cv, double CvStdError, double MaxOverMean, double CvTheory);

/// <summary>Measures <see cref="BalanceRow"/>s: N nodes named "r{ring}-node-i" so every ring differs.</summary>
public static class VnodeBalance
{
    /// <summary>
    /// <paramref name="rings"/> rings of <paramref name="nodes"/> nodes with <paramref name="virtualNodes"/>
    /// tokens each: hashed, or allocated (<see cref="HashRing.CreateBalanced"/>: the idealised allocator).
    /// </summary>
    public static BalanceRow Measure(int nodes, int virtualNodes, int rings, bool allocated = false)
    {
        Guard.InRange(nodes, 2, 1000);
        Guard.InRange(virtualNodes, 1, 10_000);
        Guard.InRange(rings, 2, 1000);
        var stats = Enumerable.Range(0, rings).Select(r =>
        {
            var names = Enumerable.Range(0, nodes).Select(i => $"r{r}-node-{i}").ToArray();
            var ring = allocated ? HashRing.CreateBalanced(names, virtualNodes) : HashRing.Create(names, virtualNodes);
            return LoadStats.Of(ring.Ownership());
        }).ToArray();
        var cv2 = stats.Select(s => s.CoefficientOfVariation * s.CoefficientOfVariation).ToArray();
        double mean = cv2.Average();
        double sd = Math.Sqrt(cv2.Sum(x => (x - mean) * (x - mean)) / (rings - 1));
        double cv = Math.Sqrt(mean);
        double se = mean == 0 ? 0 : cv * 0.5 * sd / (Math.Sqrt(rings) * mean);
        return new BalanceRow(virtualNodes, allocated, cv, se, stats.Average(s => s.MaxOverMean),
            RingTheory.ShareCv(nodes, virtualNodes));
    }

    /// <summary>One row per V.</summary>
    public static BalanceRow[] Sweep(int nodes, IEnumerable<int> virtualNodes, int rings) =>
        Guard.NotNull(virtualNodes).Select(v => Measure(nodes, v, rings)).ToArray();
}
