using SystemDesign.Indexing;

namespace SystemDesign.Tests.Indexing;

public sealed class CompositeIndexTests
{
    private static readonly CompositeIndex Index = new(
        Enumerable.Range(0, 20_000).Select(i => (i % 100, i / 100 % 50, i % 7)), fanout: 32, leafCapacity: 32);

    [Fact]
    public void Every_access_returns_exactly_the_matching_rows()
    {
        var P = ColumnPredicate.Any;
        var cases = new[]
        {
            (ColumnPredicate.Equal(5), P, P), (ColumnPredicate.Equal(5), ColumnPredicate.Equal(7), P),
            (ColumnPredicate.Equal(5), ColumnPredicate.Equal(7), ColumnPredicate.Equal(3)), (P, ColumnPredicate.Equal(7), P),
            (P, P, ColumnPredicate.Equal(3)), (ColumnPredicate.Between(10, 12), ColumnPredicate.Equal(7), P),
            (ColumnPredicate.Equal(5), P, ColumnPredicate.Equal(3)), (ColumnPredicate.Equal(5), ColumnPredicate.AtLeast(40), P),
        };
        foreach (var (a, b, c) in cases)
            Assert.Equal(Index.CountMatching(a, b, c), Index.Query(a, b, c).Matches);
    }

    [Fact]
    public void The_leftmost_prefix_bounds_the_scan_and_other_columns_only_filter()
    {
        var P = ColumnPredicate.Any;
        var a = Index.Query(ColumnPredicate.Equal(5), P, P);
        var ab = Index.Query(ColumnPredicate.Equal(5), ColumnPredicate.Equal(7), P);
        var b = Index.Query(P, ColumnPredicate.Equal(7), P);
        var ac = Index.Query(ColumnPredicate.Equal(5), P, ColumnPredicate.Equal(3));
        Assert.Equal((1, 2, 0), (a.SeekColumns, ab.SeekColumns, b.SeekColumns));
        Assert.True(b.FullScan);
        Assert.Equal(Index.Height - 1 + Index.LeafCount, b.PagesRead);
        Assert.True(ab.PagesRead <= a.PagesRead && a.PagesRead * 10 < b.PagesRead);
        Assert.Equal(1.0, ab.Precision);
        Assert.Equal(a.EntriesExamined, ac.EntriesExamined); // c after a gap only filters
        Assert.True(ac.Precision < 1);
    }

    [Fact]
    public void Rejects_an_inverted_range()
        => Assert.Equal("low", Assert.Throws<ArgumentException>(() => ColumnPredicate.Between(3, 1)).ParamName);
}
