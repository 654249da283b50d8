using System.IO.Hashing;
using SystemDesign.Hashing;

namespace SystemDesign.Distribution;

/// <summary>
/// Rendezvous (highest random weight) hashing, Thaler &amp; Ravishankar 1996: every node scores the key
/// with its own seeded hash and the highest score wins. Removing a node moves only its own keys, adding one
/// takes 1/(N+1) from everybody, replicas are simply the top R scores — at the price of N hashes per lookup.
/// </summary>
public sealed class RendezvousPlacement : IReplicatedPlacement
{
    private readonly string[] _nodes;
    private readonly long[] _seeds;

    public RendezvousPlacement(IEnumerable<string> nodes)
    {
        _nodes = NodeList.Validate(nodes, nameof(nodes));
        _seeds = _nodes.Select(n => (long)KeyHash.Hash64(n)).ToArray();
    }

    public IReadOnlyList<string> Nodes => _nodes;

    /// <summary>The score node <paramref name="node"/> gives <paramref name="key"/>: XxHash3 of the key seeded by the node's hash.</summary>
    public static ulong Score(string node, string key)
    {
        Guard.NotEmpty(node);
        return XxHash3.HashToUInt64(KeyHash.Utf8(key), (long)KeyHash.Hash64(node));
    }

    public string Owner(string key)
    {
        var bytes = KeyHash.Utf8(key);
        int best = 0;
        ulong bestScore = 0;
        for (int i = 0; i < _nodes.Length; i++)
        {
            ulong s = XxHash3.HashToUInt64(bytes, _seeds[i]);
            if (i == 0 || s > bestScore || (s == bestScore && string.CompareOrdinal(_nodes[i], _nodes[best]) < 0))
            {
                best = i;
                bestScore = s;
            }
        }
        return _nodes[best];
    }

    public int LookupSteps(string key)
    {
        Guard.NotNull(key);
        return _nodes.Length;
    }

    public string LookupUnit => "hashes (one per node)";

    /// <summary>The <paramref name="count"/> nodes with the highest scores, best first: distinct by construction.</summary>
    public IReadOnlyList<string> Replicas(string key, int count)
    {
        Guard.InRange(count, 1, _nodes.Length);
        var bytes = KeyHash.Utf8(key);
        return Enumerable.Range(0, _nodes.Length)
            .Select(i => (Node: _nodes[i], Score: XxHash3.HashToUInt64(bytes, _seeds[i])))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Node, StringComparer.Ordinal)
            .Take(count).Select(x => x.Node).ToArray();
    }

    public RendezvousPlacement WithNode(string node) => new(NodeList.Add(_nodes, node, nameof(node)));

    public RendezvousPlacement WithoutNode(string node) => new(NodeList.Remove(_nodes, node, nameof(node)));

    IPlacement IPlacement.WithNode(string node) => WithNode(node);

    IPlacement IPlacement.WithoutNode(string node) => WithoutNode(node);
}
