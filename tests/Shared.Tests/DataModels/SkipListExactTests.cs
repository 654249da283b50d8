using SystemDesign.DataModels;

namespace SystemDesign.Tests.DataModels;

public sealed class SkipListExactTests
{
    private static SkipListSortedSet Abc()
    {
        var set = new SkipListSortedSet(seed: 7);
        set.Add("a", 1); set.Add("b", 2); set.Add("c", 3); set.Add("d", 4); set.Add("e", 5);
        return set;
    }

    [Fact]
    public void Ranges_by_rank_include_both_ends_and_count_negatives_from_the_end()
    {
        var set = Abc();
        Assert.Equal(new[] { ("a", 1.0) }, set.Range(0, 0));
        Assert.Equal(new[] { ("c", 3.0) }, set.Range(2, 2));
        Assert.Equal(new[] { "a", "b", "c", "d" }, set.Range(0, -2).Select(e => e.Member));
        Assert.Equal(new[] { "d", "e" }, set.Range(-2, -1).Select(e => e.Member));
        Assert.Equal(new[] { "a", "b", "c", "d", "e" }, set.Range(-100, 100).Select(e => e.Member));
        Assert.Empty(set.Range(3, 2));
        Assert.Empty(set.Range(5, 9));
        Assert.Equal(new[] { ("d", 4.0) }, set.RevRange(1, 1));
        Assert.Equal(new[] { "e", "d", "c" }, set.RevRange(0, 2).Select(e => e.Member));
        Assert.Equal(new[] { "b", "a" }, set.RevRange(-2, -1).Select(e => e.Member));
        Assert.Empty(new SkipListSortedSet().Range(0, -1));
    }

    [Fact]
    public void Add_update_increment_and_remove_report_like_Redis()
    {
        var set = Abc();
        Assert.False(set.Add("a", 1));
        Assert.False(set.Add("a", 10));
        Assert.Equal(10, set.Score("a"));
        Assert.Equal(4, set.Rank("a"));
        Assert.Equal(0, set.RevRank("a"));
        Assert.Equal(12.5, set.IncrementBy("a", 2.5));
        Assert.Equal(7, set.IncrementBy("new", 7));
        Assert.Equal(6, set.Count);
        Assert.True(set.Remove("new"));
        Assert.False(set.Remove("new"));
        Assert.Null(set.Score("new"));
        Assert.Null(set.RevRank("new"));
        Assert.Equal(new[] { "b", "c", "d", "e", "a" }, set.Range(0, -1).Select(e => e.Member));
    }

    [Fact]
    public void Search_steps_count_the_links_followed()
    {
        var set = new SkipListSortedSet(seed: 1);
        set.Add("a", 1);
        Assert.Equal(0, set.LastSearchSteps);
        set.Add("b", 2);
        Assert.Equal(1, set.LastSearchSteps);
        Assert.Equal(1, set.Rank("b"));
        Assert.Equal(2, set.LastSearchSteps);
        Assert.Equal(0, set.Rank("a"));
        Assert.Equal(1, set.LastSearchSteps);
    }

    [Fact]
    public void Levels_grow_logarithmically_and_shrink_when_members_leave()
    {
        var set = new SkipListSortedSet(seed: 2);
        Assert.Equal(1, set.Levels);
        for (int i = 0; i < 4096; i++) set.Add($"m{i}", i);
        Assert.InRange(set.Levels, 4, 12);   // log4(4096) = 6
        Assert.Equal(4000, set.Rank("m4000"));
        Assert.InRange(set.LastSearchSteps, 1, 80);
        for (int i = 0; i < 4096; i++) Assert.True(set.Remove($"m{i}"));
        Assert.Equal(0, set.Count);
        Assert.Equal(1, set.Levels);
        Assert.Empty(set.Range(0, -1));
    }

    [Fact]
    public void Null_members_and_nan_scores_are_rejected()
    {
        var set = new SkipListSortedSet();
        Assert.Equal("member", Assert.Throws<ArgumentNullException>(() => set.Add(null!, 1)).ParamName);
        Assert.Equal("score", Assert.Throws<ArgumentException>(() => set.Add("x", double.NaN)).ParamName);
        Assert.Equal("member", Assert.Throws<ArgumentNullException>(() => set.IncrementBy(null!, 1)).ParamName);
        Assert.Equal("member", Assert.Throws<ArgumentNullException>(() => set.Remove(null!)).ParamName);
        Assert.Equal("member", Assert.Throws<ArgumentNullException>(() => set.Score(null!)).ParamName);
        Assert.Equal("member", Assert.Throws<ArgumentNullException>(() => set.Rank(null!)).ParamName);
    }
}
