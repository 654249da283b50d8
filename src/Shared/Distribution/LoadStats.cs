using SystemDesign.Notebook;

namespace SystemDesign.Distribution;

/// <summary>
/// How evenly load is spread over nodes. Capacity is planned for the busiest node, so max/mean is the figure
/// that matters; the coefficient of variation (σ/mean) is the one theory predicts (≈ 1/√V for V random
/// virtual nodes per node).
/// </summary>
public sealed record LoadStats(int Nodes, double Total, double Mean, double Min, double Max, double CoefficientOfVariation)
{
    /// <summary>Busiest node over the average: 1 is perfect, 1.25 means 25% of headroom is needed.</summary>
    public double MaxOverMean => Mean == 0 ? 0 : Max / Mean;

    /// <summary>The busiest node's share of the total.</summary>
    public double MaxShare => Total == 0 ? 0 : Max / Total;

    public static LoadStats Of(IReadOnlyCollection<double> loads)
    {
        Guard.NotEmpty(loads);
        foreach (var l in loads) Guard.NonNegative(l, nameof(loads));
        return new LoadStats(loads.Count, loads.Sum(), Stats.Mean(loads), loads.Min(), loads.Max(), Stats.CoefficientOfVariation(loads));
    }

    public static LoadStats Of(IReadOnlyDictionary<string, double> loads) => Of(Guard.NotNull(loads).Values.ToArray());

    public static LoadStats Of(IReadOnlyDictionary<string, int> counts) => Of(Guard.NotNull(counts).Values.Select(c => (double)c).ToArray());
}

/// <summary>Load measurements that work on any <see cref="IPlacement"/>.</summary>
public static class PlacementLoad
{
    /// <summary>Keys per node (every node listed, 0 when it got none).</summary>
    public static IReadOnlyDictionary<string, int> CountKeys(this IPlacement placement, IEnumerable<string> keys)
    {
        Guard.NotNull(placement);
        Guard.NotNull(keys);
        var counts = placement.Nodes.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        foreach (var key in keys) counts[placement.Owner(key)]++;
        return counts;
    }

    /// <summary>Traffic per node when key i receives <paramref name="weights"/>[i] of it.</summary>
    public static IReadOnlyDictionary<string, double> Loads(this IPlacement placement, IReadOnlyList<string> keys, IReadOnlyList<double> weights)
    {
        Guard.NotNull(placement);
        Guard.NotNull(keys);
        Guard.NotNull(weights);
        Guard.That(keys.Count == weights.Count, $"one weight per key: {keys.Count} keys, {weights.Count} weights", nameof(weights));
        var loads = placement.Nodes.ToDictionary(n => n, _ => 0.0, StringComparer.Ordinal);
        for (int i = 0; i < keys.Count; i++)
        {
            Guard.NonNegative(weights[i], nameof(weights));
            loads[placement.Owner(keys[i])] += weights[i];
        }
        return loads;
    }
}
