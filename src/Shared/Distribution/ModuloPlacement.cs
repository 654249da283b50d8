using SystemDesign.Hashing;

namespace SystemDesign.Distribution;

/// <summary>
/// The baseline: node = nodes[hash(key) mod N]. Perfectly simple and well balanced, but changing N changes
/// the answer for almost every key — when N grows to N+1 a key stays only if hash mod N = hash mod (N+1),
/// which holds for 1/(N+1) of keys, so N/(N+1) of them move.
/// </summary>
public sealed class ModuloPlacement : IPlacement
{
    private readonly string[] _nodes;

    public ModuloPlacement(IEnumerable<string> nodes) => _nodes = NodeList.Validate(nodes, nameof(nodes));

    public IReadOnlyList<string> Nodes => _nodes;

    public string Owner(string key) => OwnerOfHash(KeyHash.Hash64(key));

    /// <summary>The owner of a key whose <see cref="KeyHash.Hash64(string, long)"/> is <paramref name="hash"/>.</summary>
    public string OwnerOfHash(ulong hash) => _nodes[(int)(hash % (ulong)_nodes.Length)];

    public int LookupSteps(string key)
    {
        Guard.NotNull(key);
        return 1;
    }

    public string LookupUnit => "modulo operations";

    /// <summary>The same nodes plus <paramref name="node"/> at the end (N → N+1).</summary>
    public ModuloPlacement WithNode(string node) => new(NodeList.Add(_nodes, node, nameof(node)));

    /// <summary>The same nodes without <paramref name="node"/>; the ones after it shift down one index.</summary>
    public ModuloPlacement WithoutNode(string node) => new(NodeList.Remove(_nodes, node, nameof(node)));

    IPlacement IPlacement.WithNode(string node) => WithNode(node);

    IPlacement IPlacement.WithoutNode(string node) => WithoutNode(node);
}
