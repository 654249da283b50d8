using SystemDesign.Indexing;

namespace SystemDesign.Tests.Indexing;

public sealed class TreeHeightTests
{
    [Fact]
    public void Closed_form_agrees_with_integer_levels_including_exact_powers()
    {
        foreach (int f in new[] { 2, 3, 10, 100, 1000 })
            foreach (int leaf in new[] { 1, 7, 100 })
                foreach (long rows in new long[] { 0, 1, 99, 100, 101, 1000, 10_000, 1_000_000, 999_999_999, 1_000_000_000 })
                    Assert.Equal(TreeHeight.Levels(rows, f, leaf), TreeHeight.LogFormula(rows, f, leaf));
    }

    [Fact]
    public void A_billion_rows_with_fanout_1000_needs_three_levels()
    {
        var shape = TreeHeight.Shape(1_000_000_000, 1000, 1000);
        Assert.Equal(3, shape.Height);
        Assert.Equal(new long[] { 1_000_000, 1000, 1 }, shape.PagesPerLevel);
        Assert.Equal(1001 * 8192L, shape.InternalBytes);
        Assert.Equal(1, shape.DiskReads(2));
    }

    [Fact]
    public void Max_height_after_inserts_uses_half_full_pages()
    {
        // f = L = 4: height 2 needs ≥ 2·2 = 4 entries, height 3 needs ≥ 2·2·2 = 8.
        Assert.Equal(1, TreeHeight.MaxLevelsAfterInserts(3, 4, 4));
        Assert.Equal(2, TreeHeight.MaxLevelsAfterInserts(4, 4, 4));
        Assert.Equal(3, TreeHeight.MaxLevelsAfterInserts(8, 4, 4));
        Assert.Equal(512, TreeHeight.EntriesPerPage(8192, 16));
        Assert.Equal(460, TreeHeight.EntriesPerPage(8192, 16, 0.9));
    }
}
