namespace SystemDesign.Distribution;

/// <summary>A run of consecutive slots owned by one node: Start..End inclusive.</summary>
public readonly record struct SlotRange(int Start, int End, string Node)
{
    public int Count => End - Start + 1;
}

/// <summary>
/// Redis Cluster's routing table: each of the 16384 slots is assigned to a node explicitly, and a key goes to
/// the owner of its <see cref="HashSlots.Slot(string)"/>. Rebalancing moves whole slots, chosen so that the
/// fewest move (what <c>redis-cli --cluster rebalance</c> aims for); after that a node's slots are no longer
/// one contiguous range.
/// </summary>
public sealed class SlotTable : IPlacement
{
    private readonly string[] _owner;   // slot → node
    private readonly string[] _nodes;

    private SlotTable(string[] nodes, string[] owner)
    {
        _nodes = nodes;
        _owner = owner;
    }

    /// <summary>Slots split into N contiguous, equal (±1) ranges, in node order: a freshly created cluster.</summary>
    public static SlotTable Balanced(IEnumerable<string> nodes)
    {
        var list = NodeList.Validate(nodes, nameof(nodes));
        Guard.That(list.Length <= HashSlots.Count, $"at most {HashSlots.Count} nodes; got {list.Length}", nameof(nodes));
        var owner = new string[HashSlots.Count];
        for (int slot = 0; slot < HashSlots.Count; slot++)
            owner[slot] = list[(int)((long)slot * list.Length / HashSlots.Count)];
        return new SlotTable(list, owner);
    }

    public IReadOnlyList<string> Nodes => _nodes;

    /// <summary>
    /// The table a real cluster reports (CLUSTER SLOTS or CLUSTER SHARDS ranges): every slot must be covered
    /// exactly once. Nodes are listed in order of their first range.
    /// </summary>
    public static SlotTable FromRanges(IEnumerable<SlotRange> ranges)
    {
        Guard.NotNull(ranges);
        var owner = new string?[HashSlots.Count];
        var nodes = new List<string>();
        foreach (var r in ranges)
        {
            Guard.NotEmpty(r.Node, nameof(ranges));
            Guard.That(r.Start >= 0 && r.End < HashSlots.Count && r.Start <= r.End,
                $"range {r.Start}-{r.End} is not within 0-{HashSlots.Count - 1}", nameof(ranges));
            if (!nodes.Contains(r.Node, StringComparer.Ordinal)) nodes.Add(r.Node);
            for (int slot = r.Start; slot <= r.End; slot++)
            {
                Guard.That(owner[slot] is null, $"slot {slot} is in two ranges", nameof(ranges));
                owner[slot] = r.Node;
            }
        }
        int missing = Array.IndexOf(owner, null);
        Guard.That(missing < 0, $"slot {missing} is in no range: the table must cover all {HashSlots.Count}", nameof(ranges));
        return new SlotTable(nodes.ToArray(), owner!);
    }

    /// <summary>The same table with one slot handed to <paramref name="node"/> (a finished slot migration).</summary>
    public SlotTable WithSlot(int slot, string node)
    {
        Guard.InRange(slot, 0, HashSlots.Count - 1);
        Guard.NotEmpty(node);
        Guard.That(_nodes.Contains(node, StringComparer.Ordinal), $"'{node}' is not a node of this table", nameof(node));
        var owner = (string[])_owner.Clone();
        owner[slot] = node;
        return new SlotTable(_nodes, owner);
    }


    public string Owner(string key) => _owner[HashSlots.Slot(key)];

    /// <summary>The node that owns <paramref name="slot"/>.</summary>
    public string OwnerOfSlot(int slot) => _owner[Guard.InRange(slot, 0, HashSlots.Count - 1)];

    public int LookupSteps(string key)
    {
        Guard.NotNull(key);
        return 1;
    }

    public string LookupUnit => "table reads (slot → node)";

    /// <summary>How many slots each node owns.</summary>
    public IReadOnlyDictionary<string, int> SlotCounts()
    {
        var counts = _nodes.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        foreach (var n in _owner) counts[n]++;
        return counts;
    }

    /// <summary>The table as runs of consecutive slots with one owner, in slot order.</summary>
    public IReadOnlyList<SlotRange> Ranges()
    {
        var ranges = new List<SlotRange>();
        int start = 0;
        for (int slot = 1; slot <= HashSlots.Count; slot++)
        {
            if (slot < HashSlots.Count && _owner[slot] == _owner[start]) continue;
            ranges.Add(new SlotRange(start, slot - 1, _owner[start]));
            start = slot;
        }
        return ranges;
    }

    /// <summary>
    /// Adds an empty node and gives it its fair share, taking from every node only what it holds above the new
    /// fair share (its highest slots): ⌊16384/(N+1)⌋ or one more slots move, the minimum possible.
    /// </summary>
    public SlotTable WithNode(string node)
    {
        var nodes = NodeList.Add(_nodes, node, nameof(node));
        Guard.That(nodes.Length <= HashSlots.Count, $"at most {HashSlots.Count} nodes", nameof(node));
        var owner = (string[])_owner.Clone();
        var counts = new Dictionary<string, int>(SlotCounts(), StringComparer.Ordinal);
        var targets = Targets(_nodes.OrderByDescending(n => counts[n]).ThenBy(n => n, StringComparer.Ordinal), nodes.Length);
        for (int slot = HashSlots.Count - 1; slot >= 0; slot--)
        {
            string from = owner[slot];
            if (counts[from] <= targets[from]) continue;
            counts[from]--;
            owner[slot] = node;
        }
        return new SlotTable(nodes, owner);
    }

    /// <summary>
    /// Removes a node after handing its slots to the others, fewest-slots first, so the rest end up equal
    /// (±1) where they can: only the removed node's slots move.
    /// </summary>
    public SlotTable WithoutNode(string node)
    {
        var nodes = NodeList.Remove(_nodes, node, nameof(node));
        var owner = (string[])_owner.Clone();
        var counts = new Dictionary<string, int>(SlotCounts(), StringComparer.Ordinal);
        var order = nodes.OrderBy(n => counts[n]).ThenBy(n => n, StringComparer.Ordinal).ToArray();
        // The fewest-slots nodes get the larger targets, so the gaps are filled with the fewest moves.
        var targets = Targets(order, nodes.Length);
        int next = 0;
        for (int slot = 0; slot < HashSlots.Count; slot++)
        {
            if (owner[slot] != node) continue;
            while (next < order.Length - 1 && counts[order[next]] >= targets[order[next]]) next++;
            owner[slot] = order[next];
            counts[order[next]]++;
        }
        return new SlotTable(nodes, owner);
    }

    /// <summary>Fair shares for <paramref name="total"/> nodes: the first (16384 mod total) listed get one more.</summary>
    private static Dictionary<string, int> Targets(IEnumerable<string> ordered, int total)
    {
        int q = HashSlots.Count / total, r = HashSlots.Count % total;
        return ordered.Select((n, i) => (n, t: q + (i < r ? 1 : 0))).ToDictionary(x => x.n, x => x.t, StringComparer.Ordinal);
    }

    IPlacement IPlacement.WithNode(string node) => WithNode(node);

    IPlacement IPlacement.WithoutNode(string node) => WithoutNode(node);
}
