namespace SystemDesign.Indexing;

/// <summary>
/// The shape of a B+tree with full pages: PagesPerLevel holds the page count of each level, leaves first and
/// the root (always 1) last, and the properties say what the internal levels weigh.
/// </summary>
public sealed record TreeShape(long Rows, int Fanout, int LeafCapacity, int PageBytes, IReadOnlyList<long> PagesPerLevel)
{
    /// <summary>Levels from root to leaf: the pages a point lookup reads.</summary>
    public int Height => PagesPerLevel.Count;

    public long LeafPages => PagesPerLevel[0];

    /// <summary>Pages above the leaves; keeping them cached leaves one disk read per lookup.</summary>
    public long InternalPages => PagesPerLevel.Skip(1).Sum();

    /// <summary>Memory that caches every internal page.</summary>
    public long InternalBytes => InternalPages * PageBytes;

    /// <summary>Disk reads per lookup when the top <paramref name="cachedLevels"/> levels are in memory.</summary>
    public int DiskReads(int cachedLevels) => Math.Max(0, Height - Guard.InRange(cachedLevels, 0, 64));
}

/// <summary>
/// Height arithmetic of B+trees. The model: leaves hold <c>L</c> entries, internal pages hold <c>f</c>
/// children (fan-out), every page full except the last on each level (a bulk load). Then
/// <c>leaves = ⌈N/L⌉</c> and each level above divides the page count by f, rounding up, so
/// <c>height = ⌈log_f ⌈N/L⌉⌉ + 1</c> (1 when everything fits in one leaf).
/// </summary>
public static class TreeHeight
{
    /// <summary>Exact height of a bulk-loaded tree, by integer arithmetic (no floating-point logarithm).</summary>
    public static int Levels(long rows, int fanout, int leafCapacity) => Shape(rows, fanout, leafCapacity).Height;

    /// <summary>Pages per level of a bulk-loaded tree with full pages.</summary>
    public static TreeShape Shape(long rows, int fanout, int leafCapacity, int pageBytes = 8192)
    {
        Guard.InRange(rows, 0, long.MaxValue / 2);
        Guard.InRange(fanout, 2, 1_000_000);
        Guard.InRange(leafCapacity, 1, 1_000_000);
        Guard.InRange(pageBytes, 512, 1 << 20);
        var levels = new List<long> { Math.Max(1, CeilDiv(rows, leafCapacity)) };
        while (levels[^1] > 1) levels.Add(CeilDiv(levels[^1], fanout));
        return new TreeShape(rows, fanout, leafCapacity, pageBytes, levels);
    }

    /// <summary>The closed form ⌈log_f(N/L)⌉ + 1 in floating point, for charts; equals <see cref="Levels"/> (tested).</summary>
    public static int LogFormula(double rows, int fanout, int leafCapacity)
    {
        Guard.InRange(rows, 0, 1e18);
        Guard.InRange(fanout, 2, 1_000_000);
        Guard.InRange(leafCapacity, 1, 1_000_000);
        double leaves = rows / leafCapacity;
        if (leaves <= 1) return 1;
        // Round the logarithm a hair down first so exact powers (1000 leaves, f = 10) do not become 3.0000000001.
        return (int)Math.Ceiling(Math.Log(leaves) / Math.Log(fanout) - 1e-9) + 1;
    }

    /// <summary>
    /// The tallest tree that inserts (splits, no deletes) can produce: after a split every page keeps at least
    /// half its capacity (⌈L/2⌉ entries, ⌈f/2⌉ children) and the root at least 2 children. A tree of height h
    /// therefore holds at least 2·⌈f/2⌉^(h−2)·⌈L/2⌉ entries; the answer is the largest h that allows N.
    /// </summary>
    public static int MaxLevelsAfterInserts(long rows, int fanout, int leafCapacity)
    {
        Guard.InRange(rows, 1, long.MaxValue / 2);
        Guard.InRange(fanout, 3, 1_000_000);
        Guard.InRange(leafCapacity, 2, 1_000_000);
        long halfLeaf = (leafCapacity + 1) / 2, halfFan = (fanout + 1) / 2;
        int h = 1;
        double minEntries = 2.0 * halfLeaf; // smallest tree of height 2
        while (minEntries <= rows)
        {
            h++;
            minEntries *= halfFan;
        }
        return h;
    }

    /// <summary>
    /// Expected leaf fill of a B+tree grown by random insertions (fringe analysis, Yao 1978), in the limit of
    /// many keys. A new key lands in a leaf holding j keys with probability proportional to j (the gaps after
    /// its keys); a leaf receiving its (L+1)-th key splits into ⌈(L+1)/2⌉ and ⌊(L+1)/2⌋ keys, as
    /// <see cref="BPlusTree{TKey, TValue}"/> does. The share x_j of leaves of size j then satisfies
    /// (1 + j)·x_j = (j − 1)·x_{j−1} + L·x_L·[j is a split size], and the fill is 1 / (L·Σx_j) with Σj·x_j = 1.
    /// It tends to ln 2 as L grows (0.707 for L = 15, 0.695 for L = 99).
    /// </summary>
    public static double ExpectedLeafFill(int leafCapacity)
    {
        Guard.InRange(leafCapacity, 2, 1_000_000);
        int b = leafCapacity, big = (b + 2) / 2, small = b + 1 - big;
        // The equations are linear in s = L·x_L; solve with s = 1 and normalise (the ratio is scale-free).
        var x = new double[b + 1];
        for (int j = small; j <= b; j++)
        {
            double inflow = (j > small ? (j - 1) * x[j - 1] : 0) + (j == big ? 1 : 0) + (j == small ? 1 : 0);
            x[j] = inflow / (1 + j);
        }
        double keys = 0, leaves = 0;
        for (int j = small; j <= b; j++)
        {
            keys += j * x[j];
            leaves += x[j];
        }
        return keys / (leaves * b);
    }

    /// <summary>How many fixed-size entries fit on a page at a fill factor: the fan-out of an index page.</summary>
    public static int EntriesPerPage(int pageBytes, int entryBytes, double fill = 1.0)
    {
        Guard.InRange(pageBytes, 512, 1 << 20);
        Guard.InRange(entryBytes, 1, pageBytes);
        Guard.InRange(fill, 0.1, 1.0);
        return Math.Max(1, (int)(pageBytes * fill / entryBytes));
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
