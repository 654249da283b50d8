namespace SystemDesign.Indexing;

/// <summary>A condition on one column of a composite key: none, equality, or an inclusive range.</summary>
public readonly record struct ColumnPredicate(int Low, int High, bool Constrained)
{
    public static ColumnPredicate Any => new(int.MinValue, int.MaxValue, false);

    public static ColumnPredicate Equal(int value) => new(value, value, true);

    /// <summary>low ≤ column ≤ high.</summary>
    public static ColumnPredicate Between(int low, int high)
    {
        Guard.That(low <= high, $"low ({low}) must not exceed high ({high})", nameof(low));
        return new(low, high, true);
    }

    public static ColumnPredicate AtLeast(int low) => new(low, int.MaxValue, true);

    public bool IsEquality => Constrained && Low == High;

    public bool Matches(int value) => value >= Low && value <= High;

    public override string ToString() => !Constrained ? "any" : IsEquality ? $"= {Low}" : $"in [{Low}, {High}]";
}

/// <summary>
/// How a composite index served a query: how many leading columns bounded the key range (the seek),
/// which pages it read, and how many entries it had to look at to find the matches. SeekColumns counts the
/// leading columns that bounded the scan (the equality prefix plus at most one range column); FullScan means
/// no leading column was constrained, so the whole leaf level was read.
/// </summary>
public sealed record IndexAccess(string Query, int SeekColumns, bool FullScan, int PagesRead, int LeavesTouched, int EntriesExamined, int Matches)
{
    /// <summary>Matches per entry examined: 1 when the seek alone finds exactly the answer.</summary>
    public double Precision => EntriesExamined == 0 ? 1 : (double)Matches / EntriesExamined;
}

/// <summary>
/// A B+tree over (a, b, c), sorted by a, then b, then c: the leftmost-prefix rule made visible. A query can
/// bound its scan by an equality prefix (a), (a, b), (a, b, c) and one range on the next column; conditions
/// after a range, or without the leading column, only filter what the scan reads. Without a condition on a,
/// the sort order gives no help and the scan reads every leaf.
/// </summary>
public sealed class CompositeIndex
{
    private readonly BPlusTree<(int A, int B, int C), int> _tree;

    /// <summary>Builds the index over the rows (duplicates collapse to one entry), bulk-loaded in key order.</summary>
    public CompositeIndex(IEnumerable<(int A, int B, int C)> rows, int fanout, int leafCapacity)
    {
        Guard.NotNull(rows);
        var sorted = rows.Distinct().Order().Select((k, i) => new KeyValuePair<(int, int, int), int>(k, i));
        _tree = BPlusTree<(int A, int B, int C), int>.BulkLoad(sorted, fanout, leafCapacity);
    }

    public int Height => _tree.Height;

    public int LeafCount => _tree.LeafCount;

    public int Count => _tree.Count;

    /// <summary>Runs the query through the index: seek on the usable prefix, filter the rest.</summary>
    public IndexAccess Query(ColumnPredicate a, ColumnPredicate b, ColumnPredicate c)
    {
        var preds = new[] { a, b, c };
        int seek = 0;
        while (seek < 3 && preds[seek].Constrained)
        {
            seek++;
            if (!preds[seek - 1].IsEquality) break; // a range ends the usable prefix
        }
        var low = Bound(preds, seek, upper: false);
        var high = Bound(preds, seek, upper: true);
        var scan = _tree.Range(low, high);
        int matches = scan.Items.Count(e => a.Matches(e.Key.A) && b.Matches(e.Key.B) && c.Matches(e.Key.C));
        return new IndexAccess(Describe(a, b, c), seek, seek == 0, scan.PagesRead, scan.LeavesTouched, scan.Items.Count, matches);
    }

    /// <summary>The answer by checking every entry: what any access path must return.</summary>
    public int CountMatching(ColumnPredicate a, ColumnPredicate b, ColumnPredicate c)
        => _tree.Entries().Count(e => a.Matches(e.Key.A) && b.Matches(e.Key.B) && c.Matches(e.Key.C));

    private static (int, int, int) Bound(ColumnPredicate[] p, int seek, bool upper)
    {
        int Part(int i) => i < seek ? (upper ? p[i].High : p[i].Low) : (upper ? int.MaxValue : int.MinValue);
        return (Part(0), Part(1), Part(2));
    }

    private static string Describe(ColumnPredicate a, ColumnPredicate b, ColumnPredicate c)
    {
        var parts = new[] { ("a", a), ("b", b), ("c", c) }.Where(x => x.Item2.Constrained).Select(x => $"{x.Item1} {x.Item2}").ToArray();
        return parts.Length == 0 ? "(no condition)" : string.Join(" AND ", parts);
    }
}
