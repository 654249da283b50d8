using SystemDesign.Notebook;

namespace SystemDesign.Distribution;

/// <summary>
/// Skewed traffic and the usual fix. Under a Zipf law a few keys get a large share of all requests, and a key
/// lives on one node however many virtual nodes there are; salting splits a hot key into k sub-keys
/// ("key#0" … "key#k-1") that hash independently, so its traffic spreads over up to k nodes (writes pick one
/// sub-key, reads of a counter or a set must gather all k).
/// </summary>
public static class HotKeys
{
    /// <summary>Zipf weights 1/rank^s for ranks 1…<paramref name="keys"/>, normalized to sum to 1.</summary>
    public static double[] ZipfWeights(int keys, double exponent)
    {
        Guard.InRange(keys, 1, 10_000_000); // validated here too, so the error names this method's parameter
        return Stats.ZipfWeights(keys, exponent);
    }

    /// <summary>The k sub-keys a hot key is split into.</summary>
    public static IReadOnlyList<string> SubKeys(string key, int ways)
    {
        Guard.NotEmpty(key);
        Guard.InRange(ways, 1, 1_000_000);
        return Enumerable.Range(0, ways).Select(i => $"{key}#{i}").ToArray();
    }

    /// <summary>The sub-key one write goes to: chosen at random, so writes spread evenly.</summary>
    public static string PickSubKey(string key, int ways, Random random)
    {
        Guard.NotEmpty(key);
        Guard.InRange(ways, 1, 1_000_000);
        Guard.NotNull(random);
        return $"{key}#{random.Next(ways)}";
    }

    /// <summary>
    /// The workload after salting the <paramref name="hottest"/> heaviest keys <paramref name="ways"/> ways:
    /// each is replaced by its sub-keys, each carrying 1/ways of its weight. Total weight is unchanged.
    /// </summary>
    public static (IReadOnlyList<string> Keys, IReadOnlyList<double> Weights) Salt(
        IReadOnlyList<string> keys, IReadOnlyList<double> weights, int hottest, int ways)
    {
        Guard.NotNull(keys);
        Guard.NotNull(weights);
        Guard.That(keys.Count == weights.Count, $"one weight per key: {keys.Count} keys, {weights.Count} weights", nameof(weights));
        Guard.InRange(hottest, 0, keys.Count);
        Guard.InRange(ways, 1, 1_000_000);
        var hot = Enumerable.Range(0, keys.Count).OrderByDescending(i => weights[i]).ThenBy(i => i).Take(hottest).ToHashSet();
        var outKeys = new List<string>(keys.Count + hottest * (ways - 1));
        var outWeights = new List<double>(outKeys.Capacity);
        for (int i = 0; i < keys.Count; i++)
        {
            if (!hot.Contains(i))
            {
                outKeys.Add(keys[i]);
                outWeights.Add(weights[i]);
                continue;
            }
            foreach (var sub in SubKeys(keys[i], ways))
            {
                outKeys.Add(sub);
                outWeights.Add(weights[i] / ways);
            }
        }
        return (outKeys, outWeights);
    }
}
