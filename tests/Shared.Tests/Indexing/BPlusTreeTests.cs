using FsCheck;
using FsCheck.Xunit;
using SystemDesign.Indexing;

namespace SystemDesign.Tests.Indexing;

public sealed class BPlusTreeTests
{
    [Property(MaxTest = 200)]
    public bool Inserted_keys_come_back_sorted_and_searchable(int[] keys, PositiveInt order)
    {
        int fanout = 3 + order.Get % 8;
        var tree = new BPlusTree<int, int>(fanout);
        foreach (int k in keys) tree.Insert(k, -k);
        var distinct = keys.Distinct().Order().ToArray();
        return tree.Entries().Select(e => e.Key).SequenceEqual(distinct)
            && distinct.All(k => tree.Search(k) is { Found: true } s && s.Value == -k && s.PagesRead == tree.Height)
            && tree.Count == distinct.Length;
    }

    [Fact]
    public void Every_leaf_is_at_the_same_depth_and_links_are_consistent()
    {
        var rng = new Random(7);
        var tree = new BPlusTree<int, int>(4);
        for (int i = 0; i < 2000; i++) tree.Insert(rng.Next(100_000), i);
        var levels = tree.Levels();
        Assert.Equal(tree.Height, levels.Count);
        Assert.All(levels[^1], p => Assert.True(p.IsLeaf));
        Assert.All(levels.Take(levels.Count - 1).SelectMany(l => l), p => Assert.False(p.IsLeaf));
        var (forward, backward) = tree.LeafChain();
        Assert.Equal(levels[^1].Select(p => p.Id), forward);
        Assert.Equal(forward.Reverse(), backward);
        // Occupancy after splits: every page but the root at least half full.
        Assert.All(levels[^1], p => Assert.InRange(p.Keys.Count, 2, 3));
        Assert.All(levels.Skip(1).Take(levels.Count - 2).SelectMany(l => l), p => Assert.InRange(p.Children.Count, 2, 4));
    }

    [Theory]
    [InlineData(10, 4, 1)]
    [InlineData(1000, 10, 10)]
    [InlineData(12_345, 7, 13)]
    [InlineData(100_000, 100, 50)]
    public void Bulk_load_height_equals_the_formula(int rows, int fanout, int leaf)
    {
        var tree = BPlusTree<int, int>.BulkLoad(Enumerable.Range(0, rows).Select(i => new KeyValuePair<int, int>(i, i)), fanout, Math.Max(2, leaf));
        Assert.Equal(TreeHeight.Levels(rows, fanout, Math.Max(2, leaf)), tree.Height);
        Assert.Equal(TreeHeight.LogFormula(rows, fanout, Math.Max(2, leaf)), tree.Height);
        Assert.Equal(TreeHeight.Shape(rows, fanout, Math.Max(2, leaf)).LeafPages, tree.LeafCount);
    }

    [Fact]
    public void Range_scan_reads_height_minus_one_internal_pages_plus_the_leaves_it_touches()
    {
        const int L = 5;
        var tree = BPlusTree<int, int>.BulkLoad(Enumerable.Range(0, 1000).Select(i => new KeyValuePair<int, int>(i, i)), 4, L);
        foreach (var (lo, hi) in new[] { (0, 0), (3, 4), (4, 5), (17, 250), (990, 999), (0, 999) })
        {
            var scan = tree.Range(lo, hi);
            Assert.Equal(Enumerable.Range(lo, hi - lo + 1), scan.Items.Select(e => e.Key));
            int leaves = hi / L - lo / L + 1;
            Assert.Equal(leaves, scan.LeavesTouched);
            Assert.Equal(tree.Height - 1 + leaves, scan.PagesRead);
            var back = tree.Range(lo, hi, descending: true);
            Assert.Equal(scan.Items.Select(e => e.Key).Reverse(), back.Items.Select(e => e.Key));
            Assert.Equal(leaves, back.LeavesTouched);
        }
    }

    [Fact]
    public void Random_inserts_stay_between_the_full_and_half_full_heights()
    {
        var rng = new Random(3);
        foreach (int fanout in new[] { 4, 16, 64 })
        {
            var tree = new BPlusTree<int, int>(fanout);
            int n = 50_000;
            foreach (int k in Enumerable.Range(0, n).OrderBy(_ => rng.Next())) tree.Insert(k, k);
            Assert.InRange(tree.Height, TreeHeight.Levels(n, fanout, fanout - 1), TreeHeight.MaxLevelsAfterInserts(n, fanout, fanout - 1));
        }
    }

    [Fact]
    public void Rejects_bad_arguments_naming_them()
    {
        Assert.Equal("fanout", Assert.Throws<ArgumentOutOfRangeException>(() => new BPlusTree<int, int>(2)).ParamName);
        Assert.Equal("leafCapacity", Assert.Throws<ArgumentOutOfRangeException>(() => new BPlusTree<int, int>(4, 1)).ParamName);
        Assert.Equal("sorted", Assert.Throws<ArgumentException>(() => BPlusTree<int, int>.BulkLoad([new(2, 0), new(1, 0)], 4)).ParamName);
        Assert.Equal("low", Assert.Throws<ArgumentException>(() => new BPlusTree<int, int>(4).Range(5, 1)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => TreeHeight.Levels(-1, 10, 10)).ParamName);
        Assert.Equal("fanout", Assert.Throws<ArgumentOutOfRangeException>(() => TreeHeight.Levels(10, 1, 10)).ParamName);
    }

    [Fact]
    public void Renders_levels_and_draws_small_trees()
    {
        var tree = new BPlusTree<int, int>(3);
        foreach (int k in new[] { 5, 1, 9, 3, 7 }) tree.Insert(k, k);
        var text = tree.Render();
        Assert.StartsWith($"L{tree.Height - 1}: [", text);
        Assert.Contains("(1 3)", text);
        var search = tree.Search(7);
        Assert.NotNull(TreeChart.Draw(tree, "t", search.Path, tree.Range(3, 7).Path));
    }
}
