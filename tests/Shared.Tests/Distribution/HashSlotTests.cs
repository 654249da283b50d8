using FsCheck.Xunit;
using SystemDesign.Distribution;
using SystemDesign.Hashing;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Distribution;

public sealed class HashSlotTests
{
    // Values printed by redis-server 7.0 `CLUSTER KEYSLOT` (and, for the first two, by the Redis cluster spec).
    [Theory]
    [InlineData("somekey", 11058)]
    [InlineData("foo{hash_tag}", 2515)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{}", 15257)]
    [InlineData("a{b}{c}", 3300)]
    [InlineData("{{a}}", 10276)]
    [InlineData("}{", 12793)]
    [InlineData("{", 4092)]
    [InlineData("123456789", 0x31C3 & 16383)]
    [InlineData("", 0)]
    public void Slots_match_what_redis_prints(string key, int slot) => Assert.Equal(slot, HashSlots.Slot(key));

    [Theory]
    [InlineData("{user42}.followers", "user42")]
    [InlineData("a{b}{c}", "b")]
    [InlineData("{{a}}", "{a")]
    [InlineData("x{}y{z}", null)]   // the first '{' has an empty tag: the whole key is hashed, later braces ignored
    [InlineData("{", null)]
    [InlineData("}{", null)]
    [InlineData("plain", null)]
    [InlineData("{ключ}.профиль", "ключ")]
    public void Hash_tags_follow_the_first_brace_rule(string key, string? tag) => Assert.Equal(tag, HashSlots.HashTag(key));

    [Property(MaxTest = 300)]
    public bool Keys_sharing_a_non_empty_tag_share_a_slot(string? tag, string? a, string? b)
    {
        tag = (tag ?? "t").Replace("}", "").Replace("{", "");
        if (tag.Length == 0) tag = "t";
        a = (a ?? "").Replace("{", "");
        return HashSlots.Slot($"{a}{{{tag}}}{b}") == HashSlots.Slot(tag) && HashSlots.Slot(tag) == (Crc16.Xmodem(tag) & 16383);
    }

    [Fact]
    public void Slot_count_is_two_to_the_fourteenth() => Assert.Equal(1 << 14, HashSlots.Count);

    [Fact]
    public void Balanced_table_gives_contiguous_equal_ranges()
    {
        var t = SlotTable.Balanced(Data.Nodes(3));
        Assert.Equal([5462, 5461, 5461], t.SlotCounts().Values.OrderDescending().ToArray());
        Assert.Equal(3, t.Ranges().Count);
        Assert.Equal("node-0", t.OwnerOfSlot(0));
        Assert.Equal("node-2", t.OwnerOfSlot(16383));
        Assert.Equal(t.OwnerOfSlot(HashSlots.Slot("somekey")), t.Owner("somekey"));
    }

    [Fact]
    public void Adding_a_node_moves_the_minimum_number_of_slots()
    {
        var before = SlotTable.Balanced(Data.Nodes(3));
        var after = before.WithNode("node-3");
        int moved = Enumerable.Range(0, HashSlots.Count).Count(s => before.OwnerOfSlot(s) != after.OwnerOfSlot(s));
        Assert.Equal(4096, moved);
        Assert.All(after.SlotCounts().Values, c => Assert.Equal(4096, c));
        Assert.Equal(3, after.Ranges().Count(r => r.Node == "node-3")); // a piece from each: no longer one range
        Assert.All(Enumerable.Range(0, HashSlots.Count).Where(s => before.OwnerOfSlot(s) != after.OwnerOfSlot(s)),
            s => Assert.Equal("node-3", after.OwnerOfSlot(s)));
    }

    [Fact]
    public void Removing_a_node_moves_only_its_slots_and_rebalances()
    {
        var before = SlotTable.Balanced(Data.Nodes(4));
        var after = before.WithoutNode("node-1");
        Assert.All(Enumerable.Range(0, HashSlots.Count).Where(s => before.OwnerOfSlot(s) != after.OwnerOfSlot(s)),
            s => Assert.Equal("node-1", before.OwnerOfSlot(s)));
        Assert.InRange(after.SlotCounts().Values.Max() - after.SlotCounts().Values.Min(), 0, 1);
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_name()
    {
        Assert.Equal("slot", Assert.Throws<ArgumentOutOfRangeException>(() => SlotTable.Balanced(["a"]).OwnerOfSlot(16384)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => HashSlots.Slot((string)null!)).ParamName);
        Assert.Equal("nodes", Assert.Throws<ArgumentException>(() => SlotTable.Balanced([])).ParamName);
        Assert.Equal("redis", Assert.Throws<ArgumentNullException>(() => HashSlots.ServerSlots(null!, ["k"])).ParamName);
    }

    [SkippableFact]
    public void Our_slots_equal_redis_cluster_keyslot()
    {
        using var redis = RealSystem.RequireRedisCluster();
        var random = new Random(7);
        var keys = new List<string> { "", "{}", "{{a}}", "a{b}{c}", "{", "}{", "{}{x}", "x{}y{z}", "{ключ}.профиль", "日本{語}", "😀{🙂}" };
        for (int i = 0; i < 2000; i++) keys.Add($"nb01:{random.Next()}{(i % 3 == 0 ? "{" + random.Next(50) + "}" : "")}");
        var server = HashSlots.ServerSlots(redis, keys);
        Assert.Equal(keys.Select(HashSlots.Slot).ToArray(), server);
    }
}
