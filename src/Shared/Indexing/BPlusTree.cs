namespace SystemDesign.Indexing;

/// <summary>One page of a <see cref="BPlusTree{TKey, TValue}"/> as a reader sees it: its id, its keys, its level.</summary>
/// <param name="Id">Page number, in order of allocation (the root of a fresh tree is page 0).</param>
/// <param name="Level">0 for leaves, height − 1 for the root (PostgreSQL's btpo_level convention).</param>
/// <param name="Keys">Separator keys of an internal page, or the entries' keys of a leaf.</param>
/// <param name="Children">Page ids of the children (empty for a leaf).</param>
public sealed record PageView<TKey>(int Id, int Level, IReadOnlyList<TKey> Keys, IReadOnlyList<int> Children)
{
    public bool IsLeaf => Level == 0;
}

/// <summary>What a point search did: whether the key was there and the pages it read, root first.</summary>
public sealed record SearchTrace<TValue>(bool Found, TValue? Value, IReadOnlyList<int> Path)
{
    /// <summary>Pages read: one per level, so always the tree's height.</summary>
    public int PagesRead => Path.Count;
}

/// <summary>
/// What a range scan did. It descends once to the first leaf (height − 1 internal pages), then follows the
/// leaf links: <c>PagesRead = (height − 1) + LeavesTouched</c>.
/// </summary>
public sealed record RangeTrace<TKey, TValue>(IReadOnlyList<KeyValuePair<TKey, TValue>> Items, IReadOnlyList<int> Path, int LeavesTouched)
{
    /// <summary>Internal pages on the way down plus every leaf read along the links.</summary>
    public int PagesRead => Path.Count;
}

/// <summary>
/// A B+tree: entries live only in leaves, internal pages hold separator keys, and the leaves form a
/// doubly-linked list so a range scan walks sideways instead of going back to the root.
/// <para>Sizes follow the textbook: an internal page has at most <see cref="Fanout"/> children
/// (fan-out = order), a leaf at most <see cref="LeafCapacity"/> entries. Inserts split a full page in two
/// halves and push a separator up; a split root adds a level, so every leaf stays at the same depth.
/// Keys are unique: inserting an existing key replaces its value.</para>
/// Every operation reports the pages it touched, which is what the disk-read arithmetic of indexes is about.
/// </summary>
public sealed class BPlusTree<TKey, TValue>
{
    private abstract class Node(int id)
    {
        public int Id { get; } = id;
        public List<TKey> Keys { get; } = [];
    }

    private sealed class Leaf(int id) : Node(id)
    {
        public List<TValue> Values { get; } = [];
        public Leaf? Next { get; set; }
        public Leaf? Prev { get; set; }
    }

    private sealed class Internal(int id) : Node(id)
    {
        // Children[i] holds keys k with Keys[i-1] ≤ k < Keys[i].
        public List<Node> Children { get; } = [];
    }

    private readonly IComparer<TKey> _comparer;
    private Node _root;
    private int _nextId;

    /// <summary>Maximum children of an internal page (the order, or fan-out).</summary>
    public int Fanout { get; }

    /// <summary>Maximum entries in a leaf page.</summary>
    public int LeafCapacity { get; }

    /// <summary>Entries stored.</summary>
    public int Count { get; private set; }

    /// <summary>Levels from root to leaf; a tree that is a single leaf has height 1.</summary>
    public int Height { get; private set; } = 1;

    /// <summary>Page splits performed by inserts (a root split counts once).</summary>
    public long Splits { get; private set; }

    /// <summary>Pages modified by inserts, counted once per insert each (the leaf, plus pages created or changed by splits).</summary>
    public long PagesWritten { get; private set; }

    /// <param name="fanout">maximum children per internal page, 3..100 000.</param>
    /// <param name="leafCapacity">maximum entries per leaf, 2..100 000; 0 means fanout − 1, the textbook order-m tree.</param>
    /// <param name="comparer">key order; the default comparer when null (pass <see cref="StringComparer.Ordinal"/> for strings).</param>
    public BPlusTree(int fanout, int leafCapacity = 0, IComparer<TKey>? comparer = null)
    {
        Fanout = Guard.InRange(fanout, 3, 100_000);
        LeafCapacity = leafCapacity == 0 ? fanout - 1 : Guard.InRange(leafCapacity, 2, 100_000);
        _comparer = comparer ?? Comparer<TKey>.Default;
        _root = new Leaf(_nextId++);
    }

    /// <summary>
    /// Builds a tree bottom-up from entries in strictly increasing key order, filling every page to capacity
    /// (the last page of each level takes the remainder), the way CREATE INDEX builds one. Its height is then
    /// exactly <see cref="TreeHeight.Levels"/>(count, fanout, leafCapacity).
    /// </summary>
    public static BPlusTree<TKey, TValue> BulkLoad(IEnumerable<KeyValuePair<TKey, TValue>> sorted, int fanout, int leafCapacity = 0, IComparer<TKey>? comparer = null)
    {
        Guard.NotNull(sorted);
        var tree = new BPlusTree<TKey, TValue>(fanout, leafCapacity, comparer);
        var leaves = new List<Leaf>();
        Leaf? current = null;
        bool first = true;
        TKey previous = default!;
        foreach (var (key, value) in sorted)
        {
            Guard.That(first || tree._comparer.Compare(previous, key) < 0, "entries must be in strictly increasing key order", nameof(sorted));
            first = false;
            previous = key;
            if (current is null || current.Keys.Count == tree.LeafCapacity)
            {
                var leaf = leaves.Count == 0 ? (Leaf)tree._root : new Leaf(tree._nextId++);
                if (current is not null) { current.Next = leaf; leaf.Prev = current; }
                leaves.Add(leaf);
                current = leaf;
            }
            current.Keys.Add(key);
            current.Values.Add(value);
            tree.Count++;
        }

        List<Node> level = [.. leaves];
        while (level.Count > 1)
        {
            var parents = new List<Node>();
            for (int i = 0; i < level.Count; i += tree.Fanout)
            {
                var parent = new Internal(tree._nextId++);
                for (int j = i; j < Math.Min(i + tree.Fanout, level.Count); j++)
                {
                    if (j > i) parent.Keys.Add(tree.FirstKey(level[j]));
                    parent.Children.Add(level[j]);
                }
                parents.Add(parent);
            }
            level = parents;
            tree.Height++;
        }
        if (level.Count == 1) tree._root = level[0];
        return tree;
    }

    /// <summary>Number of pages (internal and leaf).</summary>
    public int PageCount => Levels().Sum(l => l.Count);

    /// <summary>Number of leaf pages.</summary>
    public int LeafCount
    {
        get
        {
            int n = 0;
            for (var leaf = LeftmostLeaf(); leaf is not null; leaf = leaf.Next) n++;
            return n;
        }
    }

    /// <summary>Inserts or replaces; returns true when the key was new.</summary>
    public bool Insert(TKey key, TValue value)
    {
        Guard.That(key is not null, "key must not be null", nameof(key));
        var path = new List<Internal>();
        var node = _root;
        while (node is Internal inner)
        {
            path.Add(inner);
            node = inner.Children[ChildIndex(inner, key)];
        }
        var leaf = (Leaf)node;
        int pos = leaf.Keys.BinarySearch(key, _comparer);
        PagesWritten++;
        if (pos >= 0)
        {
            leaf.Values[pos] = value;
            return false;
        }
        pos = ~pos;
        leaf.Keys.Insert(pos, key);
        leaf.Values.Insert(pos, value);
        Count++;
        if (leaf.Keys.Count > LeafCapacity) SplitLeaf(leaf, path);
        return true;
    }

    /// <summary>Root-to-leaf search; the trace lists every page read.</summary>
    public SearchTrace<TValue> Search(TKey key)
    {
        Guard.That(key is not null, "key must not be null", nameof(key));
        var path = new List<int>(Height);
        var leaf = Descend(key, path);
        int pos = leaf.Keys.BinarySearch(key, _comparer);
        return pos >= 0 ? new SearchTrace<TValue>(true, leaf.Values[pos], path) : new SearchTrace<TValue>(false, default, path);
    }

    /// <summary>
    /// Entries with low ≤ key ≤ high, in key order (or reverse order when <paramref name="descending"/>,
    /// using the backward links). The scan reads the next leaf only while the current one ends before the bound.
    /// </summary>
    public RangeTrace<TKey, TValue> Range(TKey low, TKey high, bool descending = false)
    {
        Guard.That(low is not null && high is not null, "bounds must not be null", nameof(low));
        Guard.That(_comparer.Compare(low, high) <= 0, "low must not be greater than high", nameof(low));
        var path = new List<int>(Height);
        var items = new List<KeyValuePair<TKey, TValue>>();
        int leaves = 0;
        var leaf = Descend(descending ? high : low, path);
        path.RemoveAt(path.Count - 1); // leaves are added as they are read below
        while (leaf is not null)
        {
            leaves++;
            path.Add(leaf.Id);
            if (descending)
            {
                for (int i = leaf.Keys.Count - 1; i >= 0; i--)
                    if (In(leaf.Keys[i], low, high)) items.Add(new(leaf.Keys[i], leaf.Values[i]));
                leaf = leaf.Keys.Count > 0 && _comparer.Compare(leaf.Keys[0], low) > 0 ? leaf.Prev : null;
            }
            else
            {
                for (int i = 0; i < leaf.Keys.Count; i++)
                    if (In(leaf.Keys[i], low, high)) items.Add(new(leaf.Keys[i], leaf.Values[i]));
                leaf = leaf.Keys.Count > 0 && _comparer.Compare(leaf.Keys[^1], high) < 0 ? leaf.Next : null;
            }
        }
        return new RangeTrace<TKey, TValue>(items, path, leaves);
    }

    /// <summary>Every entry in key order, by walking the leaf links from the leftmost leaf.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Entries()
    {
        for (var leaf = LeftmostLeaf(); leaf is not null; leaf = leaf.Next)
            for (int i = 0; i < leaf.Keys.Count; i++)
                yield return new(leaf.Keys[i], leaf.Values[i]);
    }

    /// <summary>The pages level by level, root first, each level left to right.</summary>
    public IReadOnlyList<IReadOnlyList<PageView<TKey>>> Levels()
    {
        var result = new List<IReadOnlyList<PageView<TKey>>>();
        List<Node> level = [_root];
        int depth = 0;
        while (level.Count > 0)
        {
            int lvl = Height - 1 - depth++;
            result.Add(level.Select(n => new PageView<TKey>(n.Id, lvl, n.Keys.ToArray(),
                n is Internal i ? i.Children.Select(c => c.Id).ToArray() : Array.Empty<int>())).ToArray());
            level = level.OfType<Internal>().SelectMany(i => i.Children).ToList();
        }
        return result;
    }

    /// <summary>The tree as text, one line per level: internal pages as [k1 k2], leaves as (k1 k2).</summary>
    public string Render(Func<TKey, string>? format = null)
    {
        format ??= k => k?.ToString() ?? "";
        var lines = Levels().Select((level, depth) =>
            $"L{Height - 1 - depth}: " + string.Join(" ", level.Select(p =>
                (p.IsLeaf ? "(" : "[") + string.Join(" ", p.Keys.Select(format)) + (p.IsLeaf ? ")" : "]"))));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Leaf pages in link order, followed forward and then backward; both lists hold the same ids reversed when the links are consistent.</summary>
    public (IReadOnlyList<int> Forward, IReadOnlyList<int> Backward) LeafChain()
    {
        var forward = new List<int>();
        Leaf? last = null;
        for (var leaf = LeftmostLeaf(); leaf is not null; leaf = leaf.Next) { forward.Add(leaf.Id); last = leaf; }
        var backward = new List<int>();
        for (var leaf = last; leaf is not null; leaf = leaf.Prev) backward.Add(leaf.Id);
        return (forward, backward);
    }

    private bool In(TKey key, TKey low, TKey high) => _comparer.Compare(key, low) >= 0 && _comparer.Compare(key, high) <= 0;

    private TKey FirstKey(Node node)
    {
        while (node is Internal i) node = i.Children[0];
        return node.Keys[0];
    }

    private Leaf LeftmostLeaf()
    {
        var node = _root;
        while (node is Internal i) node = i.Children[0];
        return (Leaf)node;
    }

    private Leaf Descend(TKey key, List<int> path)
    {
        var node = _root;
        path.Add(node.Id);
        while (node is Internal inner)
        {
            node = inner.Children[ChildIndex(inner, key)];
            path.Add(node.Id);
        }
        return (Leaf)node;
    }

    // The child whose range holds key: the number of separators ≤ key.
    private int ChildIndex(Internal node, TKey key)
    {
        int pos = node.Keys.BinarySearch(key, _comparer);
        return pos >= 0 ? pos + 1 : ~pos;
    }

    private void SplitLeaf(Leaf leaf, List<Internal> path)
    {
        int keep = (leaf.Keys.Count + 1) / 2;
        var right = new Leaf(_nextId++);
        right.Keys.AddRange(leaf.Keys.Skip(keep));
        right.Values.AddRange(leaf.Values.Skip(keep));
        leaf.Keys.RemoveRange(keep, leaf.Keys.Count - keep);
        leaf.Values.RemoveRange(keep, leaf.Values.Count - keep);
        right.Next = leaf.Next;
        if (leaf.Next is not null) leaf.Next.Prev = right;
        leaf.Next = right;
        right.Prev = leaf;
        Splits++;
        PagesWritten += right.Next is null ? 1 : 2; // the new page, and the old right neighbour whose back link changed
        InsertIntoParent(leaf, right.Keys[0], right, path);
    }

    private void InsertIntoParent(Node left, TKey separator, Node right, List<Internal> path)
    {
        PagesWritten++;
        if (path.Count == 0)
        {
            var root = new Internal(_nextId++);
            root.Children.Add(left);
            root.Children.Add(right);
            root.Keys.Add(separator);
            _root = root;
            Height++;
            return;
        }
        var parent = path[^1];
        path.RemoveAt(path.Count - 1);
        int at = parent.Children.IndexOf(left);
        parent.Children.Insert(at + 1, right);
        parent.Keys.Insert(at, separator);
        if (parent.Children.Count <= Fanout) return;

        // Split the internal page: the middle separator moves up, it is not copied.
        int leftChildren = (parent.Children.Count + 1) / 2;
        var sibling = new Internal(_nextId++);
        TKey up = parent.Keys[leftChildren - 1];
        sibling.Keys.AddRange(parent.Keys.Skip(leftChildren));
        sibling.Children.AddRange(parent.Children.Skip(leftChildren));
        parent.Keys.RemoveRange(leftChildren - 1, parent.Keys.Count - leftChildren + 1);
        parent.Children.RemoveRange(leftChildren, parent.Children.Count - leftChildren);
        Splits++;
        PagesWritten++;
        InsertIntoParent(parent, up, sibling, path);
    }
}
