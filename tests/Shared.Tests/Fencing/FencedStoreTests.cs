using SystemDesign.Fencing;

namespace SystemDesign.Tests.Fencing;

public sealed class FencedStoreTests
{
    [Fact]
    public void A_stale_token_is_rejected_after_a_newer_one_was_seen()
    {
        var store = new FencedStore<string>();
        Assert.True(store.Write("file", "from client 2", token: 34).Accepted);
        var stale = store.Write("file", "from paused client 1", token: 33);
        Assert.False(stale.Accepted);
        Assert.Equal(34, stale.HighestSeen);
        Assert.True(store.TryRead("file", out var value, out var token));
        Assert.Equal(("from client 2", 34L), (value, token));
        Assert.Equal((1, 1), (store.Accepted, store.Rejected));
    }

    [Fact]
    public void Without_enforcement_the_stale_write_wins()
    {
        var store = new FencedStore<string>(enforce: false);
        store.Write("file", "new", 34);
        Assert.True(store.Write("file", "stale", 33).Accepted);
        store.TryRead("file", out var value, out _);
        Assert.Equal("stale", value);
    }

    [Fact]
    public void Equal_tokens_are_accepted_and_keys_are_independent()
    {
        var store = new FencedStore<int>();
        Assert.True(store.Write("a", 1, 5).Accepted);
        Assert.True(store.Write("a", 2, 5).Accepted);
        Assert.True(store.Write("b", 3, 1).Accepted);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Write("a", 4, -1));
        Assert.Throws<ArgumentException>(() => store.Write("", 4, 1));
    }

    [Fact]
    public void A_lower_token_accepted_without_enforcement_keeps_the_highest_seen()
    {
        var store = new FencedStore<string>(enforce: false);
        Assert.False(store.Enforce);
        Assert.Equal(new FencedWrite(true, 34, 34), store.Write("file", "new", 34));
        // The unsafe store takes the stale write but still remembers 34 as the highest token it has seen.
        Assert.Equal(new FencedWrite(true, 33, 34), store.Write("file", "stale", 33));
        Assert.True(store.TryRead("file", out _, out long token));
        Assert.Equal(33, token);
        Assert.Equal((2, 0), (store.Accepted, store.Rejected));
    }

    [Fact]
    public void The_first_write_of_a_key_reports_its_own_token_as_the_highest()
    {
        var store = new FencedStore<int>();
        Assert.True(store.Enforce);
        Assert.Equal(new FencedWrite(true, 0, 0), store.Write("a", 1, 0));
        Assert.Equal(new FencedWrite(true, 7, 7), store.Write("a", 2, 7));
        Assert.Equal(new FencedWrite(false, 6, 7), store.Write("a", 3, 6));
    }

    [Fact]
    public void Reading_a_key_never_written_finds_nothing()
    {
        var store = new FencedStore<string>();
        store.Write("a", "x", 1);
        Assert.False(store.TryRead("b", out var value, out long token));
        Assert.Null(value);
        Assert.Equal(-1, token);
    }

    [Fact]
    public void Bad_arguments_are_rejected_by_name()
    {
        var store = new FencedStore<int>();
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => store.Write(null!, 1, 1)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => store.Write("", 1, 1)).ParamName);
        Assert.Equal("token", Assert.Throws<ArgumentOutOfRangeException>(() => store.Write("a", 1, -1)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => store.TryRead(null!, out _, out _)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => store.TryRead("", out _, out _)).ParamName);
        Assert.Equal(0, store.Accepted + store.Rejected);
    }
}
