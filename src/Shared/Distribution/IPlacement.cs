namespace SystemDesign.Distribution;

/// <summary>
/// A way to decide which node owns a key. Every scheme in this namespace (ring, modulo, jump, rendezvous,
/// Redis slots) implements it, so the same experiments — how many keys move, how even the load is — run
/// on all of them unchanged.
/// </summary>
public interface IPlacement
{
    /// <summary>The physical nodes, in the scheme's own order.</summary>
    IReadOnlyList<string> Nodes { get; }

    /// <summary>The node that owns <paramref name="key"/>.</summary>
    string Owner(string key);

    /// <summary>
    /// The work one lookup of <paramref name="key"/> does, in the scheme's own unit (see <see cref="LookupUnit"/>):
    /// it turns "O(log n)" into a number an experiment can check.
    /// </summary>
    int LookupSteps(string key);

    /// <summary>What <see cref="LookupSteps"/> counts, for tables.</summary>
    string LookupUnit { get; }

    /// <summary>The same scheme with one more node.</summary>
    IPlacement WithNode(string node);

    /// <summary>The same scheme without <paramref name="node"/> (some schemes accept only certain nodes).</summary>
    IPlacement WithoutNode(string node);
}

/// <summary>A placement that can name several distinct nodes for a key: its replicas.</summary>
public interface IReplicatedPlacement : IPlacement
{
    /// <summary>The <paramref name="count"/> distinct nodes that hold the key, the owner first.</summary>
    IReadOnlyList<string> Replicas(string key, int count);
}

/// <summary>Node-list validation shared by the placements: non-empty, no blank names, no duplicates.</summary>
internal static class NodeList
{
    public static string[] Validate(IEnumerable<string> nodes, string name)
    {
        ArgumentNullException.ThrowIfNull(nodes, name);
        var list = nodes.ToArray();
        if (list.Length == 0) throw new ArgumentException($"{name} must contain at least one node.", name);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in list)
        {
            if (string.IsNullOrEmpty(n)) throw new ArgumentException($"{name} must not contain null or empty node names.", name);
            if (!seen.Add(n)) throw new ArgumentException($"{name} contains '{n}' twice; node names must be distinct.", name);
        }
        return list;
    }

    public static string[] Add(IReadOnlyList<string> nodes, string node, string name)
    {
        Guard.NotEmpty(node, name);
        if (nodes.Contains(node, StringComparer.Ordinal))
            throw new ArgumentException($"{name} '{node}' is already a node.", name);
        return [.. nodes, node];
    }

    public static string[] Remove(IReadOnlyList<string> nodes, string node, string name)
    {
        Guard.NotEmpty(node, name);
        if (!nodes.Contains(node, StringComparer.Ordinal))
            throw new ArgumentException($"{name} '{node}' is not a node (nodes: {string.Join(", ", nodes.Take(8))}{(nodes.Count > 8 ? ", …" : "")}).", name);
        if (nodes.Count == 1)
            throw new ArgumentException($"{name} '{node}' is the last node; at least one must remain.", name);
        return nodes.Where(n => n != node).ToArray();
    }
}
