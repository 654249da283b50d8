using SystemDesign.Hashing;

namespace SystemDesign.Distribution;

/// <summary>
/// Jump consistent hash (Lamping &amp; Veach, 2014): maps a 64-bit key to a bucket in [0, n) with no memory
/// and perfect balance in expectation; growing n to n+1 moves exactly the keys that land in the new bucket,
/// 1/(n+1) of them. Buckets are numbered, so only the last one can be removed.
/// </summary>
public static class JumpHash
{
    /// <summary>The bucket of <paramref name="key"/> among <paramref name="buckets"/>.</summary>
    public static int Bucket(ulong key, int buckets) => Bucket(key, buckets, out _);

    /// <summary>The bucket, and how many jumps the loop made (about ln n on average).</summary>
    public static int Bucket(ulong key, int buckets, out int jumps)
    {
        Guard.Positive(buckets);
        long b = -1, j = 0;
        jumps = 0;
        while (j < buckets)
        {
            b = j;
            jumps++;
            key = unchecked(key * 2862933555777941757UL + 1);
            j = (long)((b + 1) * ((double)(1L << 31) / ((key >> 33) + 1)));
        }
        return (int)b;
    }
}

/// <summary>Jump consistent hash over named nodes: node i is bucket i.</summary>
public sealed class JumpPlacement : IPlacement
{
    private readonly string[] _nodes;

    public JumpPlacement(IEnumerable<string> nodes) => _nodes = NodeList.Validate(nodes, nameof(nodes));

    public IReadOnlyList<string> Nodes => _nodes;

    public string Owner(string key) => _nodes[JumpHash.Bucket(KeyHash.Hash64(key), _nodes.Length)];

    public int LookupSteps(string key)
    {
        JumpHash.Bucket(KeyHash.Hash64(key), _nodes.Length, out int jumps);
        return jumps;
    }

    public string LookupUnit => "loop iterations (H_N ≈ ln N + 0.58 on average)";

    /// <summary>A new last bucket.</summary>
    public JumpPlacement WithNode(string node) => new(NodeList.Add(_nodes, node, nameof(node)));

    /// <summary>
    /// Jump hash can only shrink from the end: removing bucket i &lt; n−1 would renumber the others and move
    /// most keys, so anything but the last node is rejected.
    /// </summary>
    public JumpPlacement WithoutNode(string node)
    {
        Guard.NotEmpty(node);
        if (node != _nodes[^1] && _nodes.Contains(node))
            throw new ArgumentException($"jump hash can only remove its last bucket ('{_nodes[^1]}'); '{node}' is bucket {Array.IndexOf(_nodes, node)} of {_nodes.Length}.", nameof(node));
        return new(NodeList.Remove(_nodes, node, nameof(node)));
    }

    IPlacement IPlacement.WithNode(string node) => WithNode(node);

    IPlacement IPlacement.WithoutNode(string node) => WithoutNode(node);
}
