using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;
using SystemDesign.Distribution;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Distribution;

/// <summary>
/// A loopback socket that speaks enough RESP for <see cref="RedisNode"/> and <see cref="RedisSlotCluster"/>: each
/// command is logged (arguments joined by spaces) and answered with the raw reply <c>reply</c> returns for it
/// ("+fake-id" by default); a null reply closes the connection. A declared length that is not the argument's
/// UTF-8 byte count is answered with an error, so a reply also proves the request was well framed.
/// </summary>
public sealed class FakeRedis : LoopbackServer
{
    private readonly Func<string[], string?> _reply;

    public FakeRedis(Func<string[], string?>? reply = null, System.Collections.Concurrent.ConcurrentQueue<string>? log = null)
    {
        _reply = reply ?? (_ => "+fake-id\r\n");
        Log = log ?? new();
        StartAccepting();
    }

    public string Endpoint => $"127.0.0.1:{Port}";

    public System.Collections.Concurrent.ConcurrentQueue<string> Log { get; }

    protected override void Serve(NetworkStream stream)
    {
        var reader = new StreamReader(stream, Encoding.UTF8);
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (!line.StartsWith('*')) continue;
            var args = new string[int.Parse(line[1..])];
            bool framed = true;
            for (int i = 0; i < args.Length; i++)
            {
                int declared = int.Parse(reader.ReadLine()![1..]);
                args[i] = reader.ReadLine()!;
                framed &= declared == Encoding.UTF8.GetByteCount(args[i]);
            }
            Log.Enqueue(string.Join(' ', args));
            string? reply = framed ? _reply(args) : "-ERR bad length\r\n";
            if (reply is null) return;
            stream.Write(Encoding.UTF8.GetBytes(reply));
        }
    }
}

/// <summary>
/// Every argument guard of the Distribution area's public entries: the exception type and the parameter it
/// names, one step outside each bound, and the bound itself accepted where the bound is computed from another
/// argument (a node count, a key count, the first argument of a range).
/// </summary>
public sealed class DistributionGuardTests
{
    private static readonly HashRing Ring = HashRing.Create(["a", "b"], 4);
    private static readonly string[] Keys = ["k0", "k1", "k2"];
    private static readonly double[] Weights = [0.5, 0.3, 0.2];

    [Fact]
    public void Node_lists_refuse_missing_empty_blank_and_repeated_names()
    {
        Null("nodes", () => HashRing.Create(null!, 1));
        Invalid("nodes", () => HashRing.Create([], 1), "nodes must contain at least one node.");
        Invalid("nodes", () => HashRing.Create(["a", null!], 1), "nodes must not contain null or empty node names.");
        Invalid("nodes", () => HashRing.Create(["a", ""], 1), "nodes must not contain null or empty node names.");
        Invalid("nodes", () => HashRing.Create(["a", "b", "a"], 1), "nodes contains 'a' twice; node names must be distinct.");
        Null("nodes", () => new ModuloPlacement(null!));
        Null("nodes", () => new JumpPlacement(null!));
        Null("nodes", () => new RendezvousPlacement(null!));
        Null("nodes", () => SlotTable.Balanced(null!));
        Null("nodes", () => HashRing.CreateBalanced(null!, 1));
        var modulo = new ModuloPlacement(["a", "b"]);
        Null("node", () => modulo.WithNode(null!));
        Invalid("node", () => modulo.WithNode(""), "node must not be empty.");
        Invalid("node", () => modulo.WithNode("a"), "node 'a' is already a node.");
        Null("node", () => modulo.WithoutNode(null!));
        Invalid("node", () => modulo.WithoutNode("z"), "node 'z' is not a node (nodes: a, b).");
        var nine = new ModuloPlacement(Enumerable.Range(0, 9).Select(i => $"n{i}"));
        Invalid("node", () => nine.WithoutNode("z"), "node 'z' is not a node (nodes: n0, n1, n2, n3, n4, n5, n6, n7, …).");
        var eight = new ModuloPlacement(Enumerable.Range(0, 8).Select(i => $"n{i}"));
        Invalid("node", () => eight.WithoutNode("z"), "node 'z' is not a node (nodes: n0, n1, n2, n3, n4, n5, n6, n7).");
        Invalid("node", () => new ModuloPlacement(["a"]).WithoutNode("a"), "node 'a' is the last node; at least one must remain.");
        Assert.Equal(new[] { "b" }, modulo.WithoutNode("a").Nodes);
        Null("key", () => modulo.LookupSteps(null!));
    }

    [Fact]
    public void The_hash_ring_refuses_token_counts_outside_1_to_100000_unknown_nodes_and_replica_counts_beyond_its_nodes()
    {
        OutOfRange("virtualNodes", () => HashRing.Create(["a"], 0));
        OutOfRange("virtualNodes", () => HashRing.Create(["a"], HashRing.MaxVirtualNodes + 1));
        OutOfRange("tokensPerNode", () => HashRing.CreateBalanced(["a"], 0));
        OutOfRange("tokensPerNode", () => HashRing.CreateBalanced(["a"], HashRing.MaxVirtualNodes + 1));
        Null("node", () => Ring.TokensOf(null!));
        Invalid("node", () => Ring.TokensOf(""));
        Invalid("node", () => Ring.TokensOf("z"), "node 'z' is not on the ring.");
        Null("node", () => HashRing.TokenPosition(null!, 0));
        Invalid("node", () => HashRing.TokenPosition("", 0));
        OutOfRange("index", () => HashRing.TokenPosition("a", -1));
        Null("key", () => HashRing.KeyPosition(null!));
        Null("key", () => Ring.LookupSteps(null!));
        OutOfRange("virtualNodes", () => Ring.WithNode("c", 0));
        OutOfRange("virtualNodes", () => Ring.WithNode("c", HashRing.MaxVirtualNodes + 1));
        Invalid("node", () => Ring.WithNode("a", 1), "node 'a' is already a node.");
        Null("tokens", () => Ring.WithNode("c", (IReadOnlyCollection<ulong>)null!));
        Invalid("tokens", () => Ring.WithNode("c", Array.Empty<ulong>()));
        var tooMany = Enumerable.Range(1, HashRing.MaxVirtualNodes + 1).Select(i => (ulong)i).ToArray();
        Invalid("tokens", () => Ring.WithNode("c", tooMany), "at most 100000 tokens per node; got 100001");
        Assert.Equal(HashRing.MaxVirtualNodes, Ring.WithNode("c", tooMany[1..]).TokensOf("c").Count);
        Invalid("node", () => Ring.WithNode("a", [1UL]), "node 'a' is already a node.");
        OutOfRange("tokens", () => Ring.WithBalancedNode("c", 0));
        OutOfRange("tokens", () => Ring.WithBalancedNode("c", HashRing.MaxVirtualNodes + 1));
        Invalid("node", () => Ring.WithBalancedNode("b", 1), "node 'b' is already a node.");
        Null("node", () => Ring.WithNode(null!));
        Invalid("node", () => Ring.WithoutNode("z"), "node 'z' is not a node (nodes: a, b).");
        Null("key", () => Ring.ReplicaTokens(null!, 1));
        OutOfRange("count", () => Ring.ReplicaTokens("k", 0));
        OutOfRange("count", () => Ring.ReplicaTokens("k", 3));
        Assert.Equal(2, Ring.Replicas("k", 2).Distinct().Count());
    }

    [Fact]
    public void Jump_rendezvous_and_slot_placements_refuse_what_they_cannot_do()
    {
        OutOfRange("buckets", () => JumpHash.Bucket(1, 0));
        OutOfRange("buckets", () => JumpHash.Bucket(1, -1, out _));
        Assert.Equal(0, JumpHash.Bucket(1, 1));
        var jump = new JumpPlacement(["a", "b"]);
        Null("node", () => jump.WithoutNode(null!));
        Invalid("node", () => jump.WithoutNode(""));
        Invalid("node", () => jump.WithoutNode("a"), "jump hash can only remove its last bucket ('b'); 'a' is bucket 0 of 2.");
        Invalid("node", () => jump.WithNode("b"), "node 'b' is already a node.");
        Invalid("node", () => jump.WithoutNode("z"), "node 'z' is not a node (nodes: a, b).");
        Assert.Equal(new[] { "a" }, jump.WithoutNode("b").Nodes);
        var hrw = new RendezvousPlacement(["a", "b"]);
        Null("node", () => RendezvousPlacement.Score(null!, "k"));
        Invalid("node", () => RendezvousPlacement.Score("", "k"));
        Null("key", () => RendezvousPlacement.Score("a", null!));
        Null("key", () => hrw.LookupSteps(null!));
        OutOfRange("count", () => hrw.Replicas("k", 0));
        OutOfRange("count", () => hrw.Replicas("k", 3));
        Assert.Equal(2, hrw.Replicas("k", 2).Distinct().Count());
        Invalid("node", () => hrw.WithNode("a"), "node 'a' is already a node.");
        Invalid("node", () => hrw.WithoutNode("z"), "node 'z' is not a node (nodes: a, b).");
    }

    [Fact]
    public void The_slot_table_refuses_bad_slots_unknown_nodes_and_ranges_that_do_not_cover_every_slot_once()
    {
        var table = SlotTable.Balanced(["a", "b"]);
        var nodes = Enumerable.Range(0, HashSlots.Count).Select(i => $"n{i}").ToArray();
        var full = SlotTable.Balanced(nodes);
        Assert.Equal(1, full.SlotCounts()["n0"]);
        Invalid("nodes", () => SlotTable.Balanced([.. nodes, "x"]), "at most 16384 nodes; got 16385");
        Invalid("node", () => full.WithNode("x"), "at most 16384 nodes");
        Null("ranges", () => SlotTable.FromRanges(null!));
        Null("ranges", () => SlotTable.FromRanges([new(0, HashSlots.Count - 1, null!)]));
        Invalid("ranges", () => SlotTable.FromRanges([new(0, HashSlots.Count - 1, "")]), "ranges must not be empty.");
        Invalid("ranges", () => SlotTable.FromRanges([new(-1, HashSlots.Count - 1, "a")]), "range -1-16383 is not within 0-16383");
        Invalid("ranges", () => SlotTable.FromRanges([new(0, HashSlots.Count, "a")]), "range 0-16384 is not within 0-16383");
        Invalid("ranges", () => SlotTable.FromRanges([new(1, 0, "a"), new(0, HashSlots.Count - 1, "b")]),
            "range 1-0 is not within 0-16383");
        Invalid("ranges", () => SlotTable.FromRanges([new(0, 5, "a"), new(5, HashSlots.Count - 1, "b")]), "slot 5 is in two ranges");
        Invalid("ranges", () => SlotTable.FromRanges([new(1, HashSlots.Count - 1, "a")]),
            "slot 0 is in no range: the table must cover all 16384");
        var two = SlotTable.FromRanges([new(0, 0, "a"), new(1, HashSlots.Count - 1, "b")]);
        Assert.Equal("a", two.OwnerOfSlot(0));
        Assert.Equal("b", two.OwnerOfSlot(1));
        OutOfRange("slot", () => table.WithSlot(-1, "a"));
        OutOfRange("slot", () => table.WithSlot(HashSlots.Count, "a"));
        Null("node", () => table.WithSlot(0, null!));
        Invalid("node", () => table.WithSlot(0, ""));
        Invalid("node", () => table.WithSlot(0, "z"), "'z' is not a node of this table");
        Assert.Equal("a", table.WithSlot(HashSlots.Count - 1, "a").OwnerOfSlot(HashSlots.Count - 1));
        OutOfRange("slot", () => table.OwnerOfSlot(-1));
        OutOfRange("slot", () => table.OwnerOfSlot(HashSlots.Count));
        Null("key", () => table.LookupSteps(null!));
        Invalid("node", () => table.WithNode("a"), "node 'a' is already a node.");
        Invalid("node", () => table.WithoutNode("z"), "node 'z' is not a node (nodes: a, b).");
    }

    [Fact]
    public void A_slot_migration_refuses_unknown_nodes_foreign_keys_and_steps_out_of_order()
    {
        var table = SlotTable.Balanced(["a", "b", "c"]);
        int slot = HashSlots.Slot("t");
        string source = table.OwnerOfSlot(slot), target = table.Nodes.First(n => n != source);
        string[] keys = ["{t}:0", "{t}:1"];
        Null("table", () => new SlotMigration(null!, slot, target, keys));
        OutOfRange("slot", () => new SlotMigration(table, -1, target, keys));
        OutOfRange("slot", () => new SlotMigration(table, HashSlots.Count, target, keys));
        Null("target", () => new SlotMigration(table, slot, null!, keys));
        Invalid("target", () => new SlotMigration(table, slot, "", keys));
        Invalid("target", () => new SlotMigration(table, slot, "z", keys), "'z' is not a node of the table");
        Invalid("target", () => new SlotMigration(table, slot, source, keys), $"slot {slot} already belongs to {source}");
        Null("keys", () => new SlotMigration(table, slot, target, null!));
        Invalid("keys", () => new SlotMigration(table, slot, target, ["{t}:0", "x"]),
            $"key 'x' is in slot {HashSlots.Slot("x")}, not {slot}");
        Assert.Equal(HashSlots.Count - 1, new SlotMigration(table, HashSlots.Count - 1, "a", []).Slot);

        var m = new SlotMigration(table, slot, target, keys);
        Null("keys", () => m.Moved(null!));
        Invalid("keys", () => m.Moved([keys[0]]), "keys move only while MIGRATING (phase is Stable)");
        Invalid("Phase", m.Done, "2 keys are still on the source; MIGRATE them first");
        Null("node", () => m.Predict(null!, keys[0], false));
        Invalid("node", () => m.Predict("", keys[0], false));
        Invalid("node", () => m.Predict("z", keys[0], false), "'z' is not a node of the table");
        Null("key", () => m.Predict(source, null!, false));
        m.Importing();
        m.Migrating();
        Invalid("keys", () => m.Moved(["{t}:absent"]), "key '{t}:absent' is not on the source");
        m.Moved(keys);
        m.Done();
        Assert.Equal(MigrationPhase.Done, m.Phase);
    }

    [Fact]
    public void Load_statistics_refuse_missing_empty_and_negative_loads()
    {
        Null("loads", () => LoadStats.Of((IReadOnlyCollection<double>)null!));
        Invalid("loads", () => LoadStats.Of(Array.Empty<double>()), "loads must contain at least one element.");
        OutOfRange("loads", () => LoadStats.Of(new[] { 1, -0.01 }));
        Assert.Equal(0, LoadStats.Of(new double[] { 0 }).Max);
        Null("loads", () => LoadStats.Of((IReadOnlyDictionary<string, double>)null!));
        Null("counts", () => LoadStats.Of((IReadOnlyDictionary<string, int>)null!));
        var p = new ModuloPlacement(["a"]);
        Null("placement", () => PlacementLoad.CountKeys(null!, Keys));
        Null("keys", () => p.CountKeys(null!));
        Null("placement", () => PlacementLoad.Loads(null!, Keys, Weights));
        Null("keys", () => p.Loads(null!, Weights));
        Null("weights", () => p.Loads(Keys, null!));
        Invalid("weights", () => p.Loads(Keys, [1]), "one weight per key: 3 keys, 1 weights");
        OutOfRange("weights", () => p.Loads(Keys, [1, 1, -0.01]));
        Assert.Equal(0, p.Loads(Keys, [0, 0, 0])["a"]);
    }

    [Fact]
    public void Bounded_load_refuses_mismatched_weights_capacities_below_1_and_all_zero_weights()
    {
        BoundedLoadRun[] Sweep(HashRing? ring = null, IReadOnlyList<string>? keys = null, IReadOnlyList<double>? weights = null,
            int requests = 10, IReadOnlyList<double>? capacities = null) =>
            BoundedLoad.Sweep(ring ?? Ring, keys ?? Keys, weights ?? Weights, requests, capacities ?? [1.25], 1);
        Null("ring", () => BoundedLoad.Sweep(null!, Keys, Weights, 10, [1.25], 1));
        Null("keys", () => BoundedLoad.Sweep(Ring, null!, Weights, 10, [1.25], 1));
        Invalid("keys", () => Sweep(keys: []));
        Null("weights", () => BoundedLoad.Sweep(Ring, Keys, null!, 10, [1.25], 1));
        Invalid("weights", () => Sweep(weights: [1, 1]), "one weight per key: 3 keys, 2 weights");
        OutOfRange("requests", () => Sweep(requests: 0));
        OutOfRange("requests", () => Sweep(requests: 100_000_001));
        Null("capacities", () => BoundedLoad.Sweep(Ring, Keys, Weights, 10, null!, 1));
        Invalid("capacities", () => Sweep(capacities: []));
        Invalid("capacity", () => Sweep(capacities: [2, 0.99]), "capacity must be at least 1 (got 0.99)");
        Invalid("capacity", () => BoundedLoad.Run(Ring, Keys, Weights, 10, 0.5, 1), "capacity must be at least 1 (got 0.5)");
        OutOfRange("weights", () => Sweep(weights: [1, -0.01, 1]));
        Invalid("weights", () => Sweep(weights: [0, 0, 0]), "weights must not all be zero");
        Assert.Equal(10, Sweep(capacities: [1]).Single().Loads.Sum());
        Assert.Equal(10, Sweep(weights: [0, 0, 1]).Single().Loads.Sum());
    }

    [Fact]
    public void Hot_key_helpers_refuse_empty_keys_way_counts_outside_1_to_a_million_and_more_hot_keys_than_keys()
    {
        OutOfRange("keys", () => HotKeys.ZipfWeights(0, 1));
        OutOfRange("keys", () => HotKeys.ZipfWeights(10_000_001, 1));
        Null("key", () => HotKeys.SubKeys(null!, 2));
        Invalid("key", () => HotKeys.SubKeys("", 2));
        OutOfRange("ways", () => HotKeys.SubKeys("k", 0));
        OutOfRange("ways", () => HotKeys.SubKeys("k", 1_000_001));
        Assert.Equal(new[] { "k#0" }, HotKeys.SubKeys("k", 1));
        var random = new Random(1);
        Null("key", () => HotKeys.PickSubKey(null!, 2, random));
        Invalid("key", () => HotKeys.PickSubKey("", 2, random));
        OutOfRange("ways", () => HotKeys.PickSubKey("k", 0, random));
        OutOfRange("ways", () => HotKeys.PickSubKey("k", 1_000_001, random));
        Null("random", () => HotKeys.PickSubKey("k", 2, null!));
        Assert.Equal("k#0", HotKeys.PickSubKey("k", 1, random));
        Null("keys", () => HotKeys.Salt(null!, Weights, 1, 2));
        Null("weights", () => HotKeys.Salt(Keys, null!, 1, 2));
        Invalid("weights", () => HotKeys.Salt(Keys, [1], 1, 2), "one weight per key: 3 keys, 1 weights");
        OutOfRange("hottest", () => HotKeys.Salt(Keys, Weights, -1, 2));
        OutOfRange("hottest", () => HotKeys.Salt(Keys, Weights, 4, 2));
        Assert.Equal(6, HotKeys.Salt(Keys, Weights, 3, 2).Keys.Count);
        OutOfRange("ways", () => HotKeys.Salt(Keys, Weights, 1, 0));
        OutOfRange("ways", () => HotKeys.Salt(Keys, Weights, 1, 1_000_001));
        // With no hot key no sub-key is made, so only Salt's own guard can refuse these.
        OutOfRange("ways", () => HotKeys.Salt(Keys, Weights, 0, 0));
        OutOfRange("ways", () => HotKeys.Salt(Keys, Weights, 0, 1_000_001));
    }

    [Fact]
    public void Reports_refuse_missing_placements_null_keys_and_replication_factors_beyond_the_smaller_placement()
    {
        var a = new ModuloPlacement(["a"]);
        Null("keys", () => MoveReport.Between(null!, a, a));
        Invalid("keys", () => MoveReport.Between([], a, a));
        Null("before", () => MoveReport.Between(Keys, null!, a));
        Null("after", () => MoveReport.Between(Keys, a, null!));
        Invalid("keys", () => MoveReport.Between(["k", null!], a, a), "keys must not contain null");
        var three = HashRing.Create(["a", "b", "c"], 4);
        Null("keys", () => ReplicaReport.Between(null!, Ring, three, 1));
        Invalid("keys", () => ReplicaReport.Between([], Ring, three, 1));
        Null("before", () => ReplicaReport.Between(Keys, null!, three, 1));
        Null("after", () => ReplicaReport.Between(Keys, Ring, null!, 1));
        OutOfRange("replicationFactor", () => ReplicaReport.Between(Keys, Ring, three, 0));
        OutOfRange("replicationFactor", () => ReplicaReport.Between(Keys, Ring, three, 3));
        OutOfRange("replicationFactor", () => ReplicaReport.Between(Keys, three, Ring, 3));
        Assert.Equal(2, ReplicaReport.Between(Keys, three, Ring, 2).ReplicationFactor);
    }

    [Fact]
    public void Sweeps_and_fits_refuse_sizes_outside_their_ranges()
    {
        Null("keys", () => JoinSweep.Run(null!, 1, 1, 1));
        Invalid("keys", () => JoinSweep.Run([], 1, 1, 1));
        OutOfRange("from", () => JoinSweep.Run(Keys, 0, 1, 1));
        OutOfRange("from", () => JoinSweep.Run(Keys, 1001, 1001, 1));
        OutOfRange("to", () => JoinSweep.Run(Keys, 2, 1, 1));
        OutOfRange("to", () => JoinSweep.Run(Keys, 1, 1001, 1));
        OutOfRange("virtualNodes", () => JoinSweep.Run(Keys, 1, 1, 0));
        OutOfRange("virtualNodes", () => JoinSweep.Run(Keys, 1, 1, 10_001));
        Null("keys", () => JoinSweep.Run(["k", null!], 1, 1, 1));
        Assert.Single(JoinSweep.Run(Keys, 2, 2, 1).Rows);

        OutOfRange("nodes", () => VnodeBalance.Measure(1, 1, 2));
        OutOfRange("nodes", () => VnodeBalance.Measure(1001, 1, 2));
        OutOfRange("virtualNodes", () => VnodeBalance.Measure(2, 0, 2));
        OutOfRange("virtualNodes", () => VnodeBalance.Measure(2, 10_001, 2));
        OutOfRange("rings", () => VnodeBalance.Measure(2, 1, 1));
        OutOfRange("rings", () => VnodeBalance.Measure(2, 1, 1001));
        Null("virtualNodes", () => VnodeBalance.Sweep(2, null!, 2));

        Null("x", () => PowerLawFit.Of(null!, [1, 2, 3]));
        Null("y", () => PowerLawFit.Of([1, 2, 3], null!));
        Invalid("y", () => PowerLawFit.Of([1, 2, 3], [1, 2]), "x and y must have equal lengths; got 3 and 2");
        Invalid("x", () => PowerLawFit.Of([1, 2], [1, 2]), "at least 3 points are needed for an exponent and its error; got 2");
        const string positive = "all values must be positive to take logarithms";
        Invalid("x", () => PowerLawFit.Of([0, 1, 2], [1, 2, 3]), positive);
        Invalid("x", () => PowerLawFit.Of([1, 2, 3], [1, 2, 0]), positive);
        Invalid("x", () => PowerLawFit.Of([2, 2, 2], [1, 2, 3]), "x values must not all be equal");
        Assert.Equal(2, PowerLawFit.Of([1, 2, 3], [1, 4, 9]).Exponent, 9);

        Null("existing", () => RangeShards.SplitEvenly(null!, 1));
        Invalid("existing", () => RangeShards.SplitEvenly([], 1));
        OutOfRange("ranges", () => RangeShards.SplitEvenly([1, 2], 0));
        OutOfRange("ranges", () => RangeShards.SplitEvenly([1, 2], 3));
        var shards = RangeShards.SplitEvenly([1, 2], 2);
        Assert.Equal(2, shards.Ranges);
        Null("keys", () => shards.Count(null!));
    }

    [Fact]
    public void Ring_theory_and_quorum_loss_refuse_counts_outside_their_ranges()
    {
        OutOfRange("nodes", () => RingTheory.ShareCv(0, 1));
        OutOfRange("virtualNodes", () => RingTheory.ShareCv(1, 0));
        OutOfRange("nodesBefore", () => RingTheory.NewcomerShareRelativeSigma(0, 1));
        OutOfRange("virtualNodes", () => RingTheory.NewcomerShareRelativeSigma(1, 0));
        OutOfRange("keys", () => RingTheory.JoinMovedSigma(1, 1, 0));
        OutOfRange("nodesBefore", () => RingTheory.JoinMovedSigma(0, 1, 1));
        OutOfRange("keys", () => RingTheory.ShardLoadRelativeSigma(1, 1, 0));
        OutOfRange("nodes", () => RingTheory.ShardLoadRelativeSigma(0, 1, 1));
        OutOfRange("n", () => RingTheory.MaxOfStandardNormals(0));
        OutOfRange("n", () => RingTheory.MaxOfStandardNormals(100_001));
        OutOfRange("nodes", () => RingTheory.BusiestOverMean(1, 1));
        OutOfRange("nodes", () => RingTheory.BusiestOverMean(100_001, 1));
        Null("weights", () => RingTheory.HotKeyHolderShare(null!, 1));
        Invalid("weights", () => RingTheory.HotKeyHolderShare([], 1));
        OutOfRange("nodes", () => RingTheory.HotKeyHolderShare([1], 0));
        Null("weights", () => RingTheory.HotKeyHolderSigma(null!, 1, 1));
        Invalid("weights", () => RingTheory.HotKeyHolderSigma([], 1, 1));
        OutOfRange("nodes", () => RingTheory.HotKeyHolderSigma([1], 0, 1));
        OutOfRange("virtualNodes", () => RingTheory.HotKeyHolderSigma([1], 1, 0));

        Null("ring", () => QuorumLoss.Of(null!, 2));
        OutOfRange("replicationFactor", () => QuorumLoss.Of(Ring, 1));
        OutOfRange("replicationFactor", () => QuorumLoss.Of(Ring, 3));
        Assert.Equal(2, QuorumLoss.Of(Ring, 2).ReplicationFactor);
        OutOfRange("replicationFactor", () => QuorumLoss.SingleTokenPairsSharing(5, 1));
        OutOfRange("replicationFactor", () => QuorumLoss.SingleTokenPairsSharing(5, 1001));
        OutOfRange("nodes", () => QuorumLoss.SingleTokenPairsSharing(4, 3));
        OutOfRange("nodes", () => QuorumLoss.SingleTokenPairsSharing(1_000_001, 3));
        Assert.Equal(1, QuorumLoss.SingleTokenPairsSharing(5, 3));
        OutOfRange("replicationFactor", () => QuorumLoss.RandomTokensPairsSharing(5, 1, 1));
        OutOfRange("replicationFactor", () => QuorumLoss.RandomTokensPairsSharing(5, 1, 1001));
        OutOfRange("nodes", () => QuorumLoss.RandomTokensPairsSharing(2, 1, 3));
        OutOfRange("nodes", () => QuorumLoss.RandomTokensPairsSharing(1_000_001, 1, 3));
        OutOfRange("virtualNodes", () => QuorumLoss.RandomTokensPairsSharing(3, 0, 3));
        OutOfRange("virtualNodes", () => QuorumLoss.RandomTokensPairsSharing(3, HashRing.MaxVirtualNodes + 1, 3));
        Assert.Equal(1, QuorumLoss.RandomTokensPairsSharing(3, 1, 3));
    }

    [Fact]
    public void The_ring_chart_refuses_a_missing_ring_an_empty_title_and_replica_counts_beyond_its_nodes()
    {
        Null("ring", () => RingChart.Draw(null!));
        Null("title", () => RingChart.Draw(Ring, title: null!));
        Invalid("title", () => RingChart.Draw(Ring, title: ""));
        OutOfRange("replicas", () => RingChart.Draw(Ring, "k", 0));
        OutOfRange("replicas", () => RingChart.Draw(Ring, "k", 3));
        Assert.NotNull(RingChart.Draw(Ring, "k", 2));
        Assert.NotNull(RingChart.Draw(Ring, null, 0)); // without a key the replica count is not used
    }

    [Fact]
    public void Server_slots_refuse_a_missing_client_or_keys_and_name_the_null_key()
    {
        static IConnectionMultiplexer Redis(bool connected)
        {
            var server = Refusing.Create<IServer>(m => m.Name switch
            {
                "get_IsConnected" => connected,
                "ExecuteAsync" => Task.FromResult(RedisResult.Create((RedisValue)7)),
                _ => Refusing.Refuse(m),
            });
            return Refusing.Create<IConnectionMultiplexer>(m => m.Name == "GetServers" ? new[] { server } : Refusing.Refuse(m));
        }
        Null("redis", () => HashSlots.ServerSlots(null!, Keys));
        Null("keys", () => HashSlots.ServerSlots(Redis(true), null!));
        Invalid("keys", () => HashSlots.ServerSlots(Redis(true), [null!]), "keys[0] is null");
        Invalid("keys", () => HashSlots.ServerSlots(Redis(true), ["a", null!]), "keys[1] is null");
        Assert.Equal(new[] { 7, 7 }, HashSlots.ServerSlots(Redis(true), ["a", "b"]));
        var none = Assert.Throws<InvalidOperationException>(() => HashSlots.ServerSlots(Redis(false), Keys));
        Assert.Equal("no connected Redis server to ask.", none.Message);
        Null("key", () => HashSlots.Slot((string)null!));
        Null("key", () => HashSlots.HashTag(null!));
    }

    [Fact]
    public void A_redis_node_refuses_endpoints_that_are_not_host_port_and_empty_or_null_commands()
    {
        Null("endpoint", () => new RedisNode(null!));
        Invalid("endpoint", () => new RedisNode(""));
        foreach (var bad in new[] { "localhost", ":6379", "host:", "host:port" })
            Invalid("endpoint", () => new RedisNode(bad), $"'{bad}' is not host:port");
        using var fake = new FakeRedis();
        using var node = new RedisNode(fake.Endpoint);
        Assert.Equal("127.0.0.1", node.Host);
        Null("commands", () => node.Pipeline(null!));
        const string command = "each command needs a name and non-null arguments";
        Invalid("commands", () => node.Pipeline([[]]), command);
        Invalid("commands", () => node.Pipeline([null!]), command);
        Invalid("commands", () => node.Pipeline([["GET", null!]]), command);
        Assert.Equal("fake-id", node.Call("PING"));
    }

    [Fact]
    public void A_slot_cluster_refuses_no_endpoints_unknown_nodes_bad_slots_and_batches_and_models_not_stable()
    {
        Null("endpoints", () => new RedisSlotCluster(null!));
        Invalid("endpoints", () => new RedisSlotCluster(""));
        Invalid("endpoints", () => new RedisSlotCluster(" , "), "no endpoint given");
        using var fake = new FakeRedis();
        using var cluster = new RedisSlotCluster(fake.Endpoint);
        string e = fake.Endpoint;
        Assert.Equal("fake-id", cluster.Id(e));
        Null("endpoint", () => cluster.Node(null!));
        Invalid("endpoint", () => cluster.Node(""));
        Invalid("endpoint", () => cluster.Node("z:1"), $"'z:1' is not one of {e}");
        Null("pattern", () => cluster.CountKeys(null!));
        Invalid("pattern", () => cluster.CountKeys(""));
        OutOfRange("slot", () => cluster.BeginMigration(-1, e, "z:1"));
        OutOfRange("slot", () => cluster.BeginMigration(HashSlots.Count, e, "z:1"));
        Invalid("target", () => cluster.BeginMigration(0, e, e), "source and target must differ");
        Invalid("endpoint", () => cluster.BeginMigration(HashSlots.Count - 1, e, "z:1")); // past the guards
        OutOfRange("slot", () => cluster.MoveKeys(-1, e, e, 1));
        OutOfRange("slot", () => cluster.MoveKeys(HashSlots.Count, e, e, 1));
        OutOfRange("batch", () => cluster.MoveKeys(0, e, e, 0));
        OutOfRange("batch", () => cluster.MoveKeys(0, e, e, 10_001));
        Assert.Throws<InvalidCastException>(() => cluster.MoveKeys(HashSlots.Count - 1, e, e, 10_000)); // the fake's reply
        OutOfRange("slot", () => cluster.FinishMigration(-1, e, e));
        OutOfRange("slot", () => cluster.FinishMigration(HashSlots.Count, e, e));
        OutOfRange("slot", () => cluster.Restore(-1, e));
        OutOfRange("slot", () => cluster.Restore(HashSlots.Count, e));
        Null("key", () => cluster.Probe(e, null!, false));
        Assert.Equal(SlotReply.Served, cluster.Probe(e, "k", asking: true));

        var table = SlotTable.Balanced(["a", "b"]);
        int slot = HashSlots.Slot("t");
        string target = table.Nodes.First(n => n != table.OwnerOfSlot(slot));
        SlotMigration Model() => new(table, slot, target, ["{t}:0", "{t}:1"]);
        Null("model", () => cluster.Migrate(null!, 1));
        var started = Model();
        started.Importing();
        Invalid("model", () => cluster.Migrate(started, 1), "the model must start Stable");
        const string batch = "need more keys than one batch, so some are still on the source halfway";
        Invalid("batch", () => cluster.Migrate(Model(), 2), batch);
        Invalid("endpoint", () => cluster.Migrate(Model(), 1)); // past the guards: the model's nodes are not the cluster's
        Null("model", () => cluster.ProbeAll("s", null!, ["k"]));
        Null("keys", () => cluster.ProbeAll("s", Model(), null!));
    }
}
