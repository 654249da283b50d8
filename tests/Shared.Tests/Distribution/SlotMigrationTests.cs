using SystemDesign.Distribution;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Distribution;

public sealed class SlotMigrationTests
{
    private static readonly SlotTable Three = SlotTable.Balanced(["a", "b", "c"]);
    private static readonly string[] Keys = Enumerable.Range(0, 4).Select(i => $"{{t}}:{i}").ToArray();
    private static int TagSlot => HashSlots.Slot("t");

    private static SlotMigration Start()
    {
        string source = Three.OwnerOfSlot(TagSlot);
        string target = Three.Nodes.First(n => n != source);
        return new SlotMigration(Three, TagSlot, target, Keys);
    }

    [Fact]
    public void Replies_follow_the_specification_at_every_phase()
    {
        var m = Start();
        string other = Three.Nodes.Single(n => n != m.Source && n != m.Target);
        var moved = (SlotReplyKind.Moved, m.Source);
        Assert.Equal(SlotReply.Served, m.Predict(m.Source, Keys[0], asking: false));
        Assert.Equal(moved, (m.Predict(m.Target, Keys[0], true).Kind, m.Predict(m.Target, Keys[0], true).Node));
        m.Importing();
        Assert.Equal(SlotReply.Served, m.Predict(m.Target, Keys[0], asking: true));
        Assert.Equal(new SlotReply(SlotReplyKind.Moved, m.Source), m.Predict(m.Target, Keys[0], asking: false));
        Assert.Equal(SlotReply.Served, m.Predict(m.Source, "{t}:absent", asking: false)); // not MIGRATING yet
        m.Migrating();
        m.Moved(Keys[..2]);
        Assert.Equal(new SlotReply(SlotReplyKind.Ask, m.Target), m.Predict(m.Source, Keys[0], false));
        Assert.Equal(new SlotReply(SlotReplyKind.Ask, m.Target), m.Predict(m.Source, "{t}:absent", false));
        Assert.Equal(SlotReply.Served, m.Predict(m.Source, Keys[3], false));
        Assert.Equal(new SlotReply(SlotReplyKind.Moved, m.Source), m.Predict(m.Target, Keys[0], false));
        Assert.Equal(SlotReply.Served, m.Predict(m.Target, Keys[0], true));
        Assert.Equal(new SlotReply(SlotReplyKind.Moved, m.Source), m.Predict(other, Keys[0], true));
        m.Moved(Keys[2..]);
        m.Done();
        Assert.Equal(new SlotReply(SlotReplyKind.Moved, m.Target), m.Predict(m.Source, Keys[0], true));
        Assert.Equal(SlotReply.Served, m.Predict(m.Target, Keys[0], false));
        Assert.Equal(new SlotReply(SlotReplyKind.Moved, m.Target), m.Predict(other, Keys[0], false));
        Assert.Equal(m.Target, m.Table.OwnerOfSlot(TagSlot));
        Assert.Equal(HashSlots.Count - 1, Enumerable.Range(0, HashSlots.Count).Count(s => m.Table.OwnerOfSlot(s) == Three.OwnerOfSlot(s)));
    }

    [Fact]
    public void A_key_in_another_slot_goes_by_the_table()
    {
        var m = Start();
        m.Importing();
        m.Migrating();
        string key = "elsewhere";
        Assert.NotEqual(TagSlot, HashSlots.Slot(key));
        Assert.Equal(SlotReply.Served, m.Predict(Three.Owner(key), key, false));
        string notOwner = Three.Nodes.First(n => n != Three.Owner(key));
        Assert.Equal(new SlotReply(SlotReplyKind.Moved, Three.Owner(key)), m.Predict(notOwner, key, true));
    }

    [Fact]
    public void Steps_out_of_order_are_refused()
    {
        var m = Start();
        Assert.Throws<InvalidOperationException>(m.Migrating); // the guide's order: MIGRATING first
        m.Importing();
        Assert.Throws<ArgumentException>(() => m.Moved(Keys[..1])); // not MIGRATING yet
        m.Migrating();
        Assert.Throws<ArgumentException>(m.Done); // keys still on the source
        Assert.Throws<ArgumentException>(() => m.Moved(["{t}:never-written"]));
        Assert.Throws<ArgumentException>(() => new SlotMigration(Three, TagSlot, Three.OwnerOfSlot(TagSlot), Keys));
        Assert.Throws<ArgumentException>(() => new SlotMigration(Three, TagSlot, "b", ["other-slot"]));
    }

    [Fact]
    public void FromRanges_needs_every_slot_exactly_once()
    {
        var t = SlotTable.FromRanges(Three.Ranges());
        Assert.True(Enumerable.Range(0, HashSlots.Count).All(s => t.OwnerOfSlot(s) == Three.OwnerOfSlot(s)));
        Assert.Equal(Three.Nodes, t.Nodes);
        Assert.Throws<ArgumentException>(() => SlotTable.FromRanges([new SlotRange(0, 100, "a")]));
        Assert.Throws<ArgumentException>(() => SlotTable.FromRanges(
            [new SlotRange(0, 10_000, "a"), new SlotRange(10_000, HashSlots.Count - 1, "b")]));
        Assert.Throws<ArgumentException>(() => Three.WithSlot(5, "zz"));
    }

    [SkippableFact]
    public void A_slot_moved_on_the_real_cluster_redirects_where_the_model_says_and_comes_back()
    {
        using var client = RealSystem.RequireRedisCluster3();
        using var cluster = new RedisSlotCluster(Servers.RedisCluster3Endpoints);
        var before = cluster.Table();
        string[] keys = Enumerable.Range(0, 6).Select(i => $"{{sdntest-mig}}:{i}").ToArray();
        int slot = HashSlots.Slot(keys[0]);
        string source = before.OwnerOfSlot(slot), target = before.Nodes.First(n => n != source);
        var db = client.GetDatabase();
        foreach (var k in keys) db.StringSet(k, k);
        var model = new SlotMigration(before, slot, target, keys);
        try
        {
            cluster.BeginMigration(slot, source, target);
            model.Importing();
            model.Migrating();
            model.Moved(cluster.MoveKeys(slot, source, target, 3));
            var probes = cluster.ProbeAll("mid", model, keys).ToList();
            while (cluster.MoveKeys(slot, source, target, 3) is { Count: > 0 } more) model.Moved(more);
            cluster.FinishMigration(slot, source, target);
            model.Done();
            probes.AddRange(cluster.ProbeAll("after", model, keys));
            Assert.All(probes, p => Assert.True(p.Agrees, $"{p}"));
            Assert.Contains(probes, p => p.Observed.Kind == SlotReplyKind.Ask);
            Assert.Equal(target, cluster.Table().OwnerOfSlot(slot));
            Assert.Equal(keys.Length, cluster.MoveSlot(slot, source, batch: 4));
        }
        finally
        {
            cluster.Restore(slot, source);
            foreach (var k in keys) db.KeyDelete(k);
        }
        var after = cluster.Table();
        Assert.True(Enumerable.Range(0, HashSlots.Count).All(s => after.OwnerOfSlot(s) == before.OwnerOfSlot(s)));
        Assert.True(cluster.Health().Healthy, cluster.Health().ToString());
    }
}
