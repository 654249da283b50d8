using SystemDesign.Hashing;

namespace SystemDesign.Distribution;

/// <summary>One virtual node: a position on the 2⁶⁴ ring and the physical node it belongs to.</summary>
public readonly record struct RingToken(ulong Position, string Node)
{
    /// <summary>The position as an angle in degrees, 0 ≤ angle &lt; 360, for drawing the ring.</summary>
    public double Degrees => KeyHash.ToUnit(Position) * 360;
}

/// <summary>
/// A consistent hash ring with virtual nodes. Each physical node is hashed to several positions (tokens)
/// on a 2⁶⁴ ring; a key belongs to the first token at or clockwise after the key's own hash, found by
/// binary search over the sorted positions — O(log T) for T tokens. Immutable: <see cref="WithNode(string)"/>
/// and <see cref="WithoutNode"/> return new rings, so "before" and "after" can be compared key by key.
/// </summary>
public sealed class HashRing : IReplicatedPlacement
{
    /// <summary>Largest number of virtual nodes per physical node accepted (a guard against typos, not a law).</summary>
    public const int MaxVirtualNodes = 100_000;

    private readonly ulong[] _positions;      // sorted
    private readonly int[] _owners;           // index into _nodes, parallel to _positions
    private readonly string[] _nodes;
    private readonly IReadOnlyDictionary<string, ulong[]> _tokens;

    private HashRing(int virtualNodes, string[] nodes, IReadOnlyDictionary<string, ulong[]> tokens, bool allocates)
    {
        VirtualNodes = virtualNodes;
        AllocatesTokens = allocates;
        _nodes = nodes;
        _tokens = tokens;
        int total = nodes.Sum(n => tokens[n].Length);
        _positions = new ulong[total];
        _owners = new int[total];
        int at = 0;
        for (int i = 0; i < nodes.Length; i++)
            foreach (ulong p in tokens[nodes[i]])
            {
                _positions[at] = p;
                _owners[at++] = i;
            }
        Array.Sort(_positions, _owners); // ties (two tokens on one 64-bit point) are astronomically rare
    }

    /// <summary>A ring of <paramref name="nodes"/>, each hashed to <paramref name="virtualNodes"/> positions.</summary>
    public static HashRing Create(IEnumerable<string> nodes, int virtualNodes)
    {
        Guard.InRange(virtualNodes, 1, MaxVirtualNodes);
        var list = NodeList.Validate(nodes, nameof(nodes));
        return new HashRing(virtualNodes, list, list.ToDictionary(n => n, n => HashedTokens(n, virtualNodes), StringComparer.Ordinal), allocates: false);
    }

    /// <summary>
    /// A ring built the way a cluster grows: the first node's tokens are hashed, each later node joins through
    /// <see cref="WithBalancedNode"/> with <paramref name="tokensPerNode"/> allocated tokens.
    /// </summary>
    public static HashRing CreateBalanced(IEnumerable<string> nodes, int tokensPerNode)
    {
        Guard.InRange(tokensPerNode, 1, MaxVirtualNodes);
        var list = NodeList.Validate(nodes, nameof(nodes));
        var first = Create([list[0]], tokensPerNode);
        var ring = new HashRing(tokensPerNode, first._nodes, first._tokens, allocates: true);
        foreach (var node in list.Skip(1)) ring = ring.WithBalancedNode(node, tokensPerNode);
        return ring;
    }

    /// <summary>The default number of virtual nodes per physical node of this ring.</summary>
    public int VirtualNodes { get; }

    public IReadOnlyList<string> Nodes => _nodes;

    /// <summary>Total number of positions on the ring (T = Σ virtual nodes).</summary>
    public int TokenCount => _positions.Length;

    /// <summary>The tokens in ring order (ascending position).</summary>
    public IReadOnlyList<RingToken> Tokens => _positions.Select((p, i) => new RingToken(p, _nodes[_owners[i]])).ToArray();

    /// <summary>The positions of one node's virtual nodes.</summary>
    public IReadOnlyList<ulong> TokensOf(string node)
    {
        Guard.NotEmpty(node);
        return _tokens.TryGetValue(node, out var t) ? t : throw new ArgumentException($"node '{node}' is not on the ring.", nameof(node));
    }

    /// <summary>Where virtual node <paramref name="index"/> of <paramref name="node"/> sits: XxHash3 of "node#index".</summary>
    public static ulong TokenPosition(string node, int index)
    {
        Guard.NotEmpty(node);
        Guard.NonNegative(index);
        return KeyHash.Hash64($"{node}#{index}");
    }

    /// <summary>Where a key sits on the ring: XxHash3 of its UTF-8 bytes.</summary>
    public static ulong KeyPosition(string key) => KeyHash.Hash64(Guard.NotNull(key));

    /// <summary>
    /// True for rings made by <see cref="CreateBalanced"/>: <see cref="WithNode(string)"/> then allocates the
    /// newcomer's tokens instead of hashing them, as the cluster it models would.
    /// </summary>
    public bool AllocatesTokens { get; }

    /// <summary>
    /// The same ring plus <paramref name="node"/> with this ring's <see cref="VirtualNodes"/>: hashed positions, or
    /// allocated ones when <see cref="AllocatesTokens"/>.
    /// </summary>
    public HashRing WithNode(string node) => AllocatesTokens ? WithBalancedNode(node, VirtualNodes) : WithNode(node, VirtualNodes);

    /// <summary>
    /// The same ring plus <paramref name="node"/> with its own number of virtual nodes: a node with twice the
    /// capacity gets twice the tokens, which is how a ring serves heterogeneous hardware.
    /// </summary>
    public HashRing WithNode(string node, int virtualNodes)
    {
        Guard.InRange(virtualNodes, 1, MaxVirtualNodes);
        var nodes = NodeList.Add(_nodes, node, nameof(node));
        return With(nodes, node, HashedTokens(node, virtualNodes));
    }

    /// <summary>The same ring plus <paramref name="node"/> at explicitly chosen positions (see <see cref="WithBalancedNode"/>).</summary>
    public HashRing WithNode(string node, IReadOnlyCollection<ulong> tokens)
    {
        Guard.NotEmpty(tokens);
        Guard.That(tokens.Count <= MaxVirtualNodes, $"at most {MaxVirtualNodes} tokens per node; got {tokens.Count}", nameof(tokens));
        var nodes = NodeList.Add(_nodes, node, nameof(node));
        return With(nodes, node, tokens.Distinct().ToArray());
    }

    /// <summary>
    /// The same ring plus <paramref name="node"/> whose <paramref name="tokens"/> positions are chosen, not
    /// hashed: each token takes part of the largest arc of the currently most loaded node, so the new node
    /// reaches about 1/(N+1) of the ring. A simplified take on the token allocation Cassandra 4.0 uses to
    /// get good balance from only 16 tokens per node.
    /// </summary>
    public HashRing WithBalancedNode(string node, int tokens)
    {
        Guard.InRange(tokens, 1, MaxVirtualNodes);
        NodeList.Add(_nodes, node, nameof(node));
        return WithNode(node, TokenAllocation.Allocate(this, tokens));
    }

    /// <summary>The same ring without <paramref name="node"/> (its arcs fall to the next tokens clockwise).</summary>
    public HashRing WithoutNode(string node)
    {
        var nodes = NodeList.Remove(_nodes, node, nameof(node));
        return new HashRing(VirtualNodes, nodes, nodes.ToDictionary(n => n, n => _tokens[n], StringComparer.Ordinal), AllocatesTokens);
    }

    public string Owner(string key) => _nodes[_owners[Find(KeyPosition(key), out _)]];

    /// <summary>The owner of a ring position (the first token at or clockwise after it).</summary>
    public string OwnerOfPosition(ulong position) => _nodes[_owners[Find(position, out _)]];

    /// <summary>Comparisons made by the binary search for this key: ⌈log₂(T+1)⌉ or one less.</summary>
    public int LookupSteps(string key)
    {
        Find(KeyPosition(key), out int steps);
        return steps;
    }

    public string LookupUnit => "comparisons (binary search over tokens)";

    /// <summary>
    /// The <paramref name="count"/> distinct physical nodes that hold the key: its owner, then the owners of the
    /// following tokens clockwise, skipping virtual nodes of nodes already chosen (Cassandra's SimpleStrategy).
    /// </summary>
    public IReadOnlyList<string> Replicas(string key, int count) => ReplicaTokens(key, count).Select(t => t.Node).ToArray();

    /// <summary>The token that made each replica: the first token of each distinct node met walking clockwise from the key.</summary>
    public IReadOnlyList<RingToken> ReplicaTokens(string key, int count)
    {
        Guard.NotNull(key);
        Guard.InRange(count, 1, _nodes.Length);
        int start = Find(KeyPosition(key), out _);
        var chosen = new List<RingToken>(count);
        var seen = new bool[_nodes.Length];
        for (int k = 0; k < _positions.Length && chosen.Count < count; k++)
        {
            int i = (start + k) % _positions.Length;
            if (seen[_owners[i]]) continue;
            seen[_owners[i]] = true;
            chosen.Add(new RingToken(_positions[i], _nodes[_owners[i]]));
        }
        return chosen;
    }

    /// <summary>Indices (into <see cref="Nodes"/>) of all distinct nodes met walking clockwise from a key.</summary>
    internal int[] WalkFrom(string key)
    {
        int start = Find(KeyPosition(key), out _);
        var order = new int[_nodes.Length];
        var seen = new bool[_nodes.Length];
        int found = 0;
        for (int k = 0; k < _positions.Length && found < order.Length; k++)
        {
            int owner = _owners[(start + k) % _positions.Length];
            if (seen[owner]) continue;
            seen[owner] = true;
            order[found++] = owner;
        }
        return order;
    }

    /// <summary>
    /// The fraction of the ring each node owns (the arcs ending at its tokens): the exact share of uniformly
    /// hashed keys it should receive. Sums to 1.
    /// </summary>
    public IReadOnlyDictionary<string, double> Ownership()
    {
        var share = OwnershipByIndex();
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < _nodes.Length; i++) result[_nodes[i]] = share[i];
        return result;
    }

    internal double[] OwnershipByIndex()
    {
        var share = new double[_nodes.Length];
        if (_positions.Length == 1) { share[_owners[0]] = 1; return share; }
        for (int i = 0; i < _positions.Length; i++)
        {
            ulong arc = _positions[i] - _positions[(i + _positions.Length - 1) % _positions.Length]; // wraps mod 2⁶⁴
            share[_owners[i]] += arc * (1.0 / 18446744073709551616.0);
        }
        return share;
    }

    /// <summary>The arcs: (start exclusive, end inclusive, owner index) in ring order.</summary>
    internal IEnumerable<(ulong Start, ulong End, int Owner)> Arcs()
    {
        for (int i = 0; i < _positions.Length; i++)
            yield return (_positions[(i + _positions.Length - 1) % _positions.Length], _positions[i], _owners[i]);
    }

    internal int IndexOf(string node) => Array.IndexOf(_nodes, node);

    /// <summary>Index of the first token with position ≥ h, wrapping to 0 past the end.</summary>
    private int Find(ulong h, out int steps)
    {
        int lo = 0, hi = _positions.Length;
        steps = 0;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            steps++;
            if (_positions[mid] < h) lo = mid + 1; else hi = mid;
        }
        return lo == _positions.Length ? 0 : lo;
    }

    private HashRing With(string[] nodes, string node, ulong[] tokens)
    {
        var map = new Dictionary<string, ulong[]>(_tokens, StringComparer.Ordinal) { [node] = tokens };
        return new HashRing(VirtualNodes, nodes, map, AllocatesTokens);
    }

    private static ulong[] HashedTokens(string node, int count)
    {
        var tokens = new ulong[count];
        for (int i = 0; i < count; i++) tokens[i] = TokenPosition(node, i);
        return tokens;
    }

    IPlacement IPlacement.WithNode(string node) => WithNode(node);

    IPlacement IPlacement.WithoutNode(string node) => WithoutNode(node);
}
