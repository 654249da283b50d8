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
}
