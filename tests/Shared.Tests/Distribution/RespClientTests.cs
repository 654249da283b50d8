using System.Collections.Concurrent;
using SystemDesign.Distribution;

namespace SystemDesign.Tests.Distribution;

/// <summary>
/// <see cref="RedisNode"/>'s RESP2 framing and parsing, and the commands <see cref="RedisSlotCluster"/> sends,
/// against <see cref="FakeRedis"/> sockets that answer scripted replies: no Redis needed.
/// </summary>
public sealed class RespClientTests
{
    private static string Bulk(string s) => $"${System.Text.Encoding.UTF8.GetByteCount(s)}\r\n{s}\r\n";

    [Fact]
    public void Every_reply_type_is_parsed_and_requests_are_framed_with_utf8_byte_lengths()
    {
        using var fake = new FakeRedis(args => args[0] switch
        {
            "ECHO" => "+" + string.Join('|', args) + "\r\n",
            "ERR" => "-ERR no such thing\r\n",
            "INT" => ":-42\r\n",
            "BULK" => Bulk("é\r\nx"),
            "NIL" => "$-1\r\n",
            "ARRAY" => "*3\r\n:1\r\n" + Bulk("x") + "*1\r\n$-1\r\n",
            "NILARRAY" => "*-1\r\n",
            "EMPTY" => "*0\r\n",
            "CLOSE" => null,
            _ => "?what\r\n",
        });
        using var node = new RedisNode(fake.Endpoint);
        Assert.Equal((fake.Endpoint, "127.0.0.1", fake.Port), (node.Endpoint, node.Host, node.Port));
        Assert.Equal("ECHO|é|v|", node.Call("ECHO", "é", "v", ""));
        var error = Assert.IsType<RedisError>(node.Call("ERR"));
        Assert.Equal(("ERR no such thing", "ERR"), (error.Message, error.Kind));
        Assert.Equal(-42L, node.Call("INT"));
        Assert.Equal("é\r\nx", node.Call("BULK"));
        Assert.Null(node.Call("NIL"));
        var array = Assert.IsType<object?[]>(node.Call("ARRAY"));
        Assert.Equal(1L, array[0]);
        Assert.Equal("x", array[1]);
        Assert.Equal(new object?[] { null }, array[2]);
        Assert.Null(node.Call("NILARRAY"));
        Assert.Empty(Assert.IsType<object?[]>(node.Call("EMPTY")));
        Assert.Equal(new object?[] { "ECHO|a", -42L, null }, node.Pipeline([["ECHO", "a"], ["INT"], ["NIL"]]));
        Assert.Empty(node.Pipeline([]));
        Assert.Equal(-42L, node.Must("INT"));
        var must = Assert.Throws<InvalidOperationException>(() => node.Must("ERR", "x"));
        Assert.Equal($"{fake.Endpoint}: ERR x → ERR no such thing", must.Message);
        var odd = Assert.Throws<InvalidDataException>(() => node.Call("ODD"));
        Assert.Equal($"{fake.Endpoint}: unexpected reply '?what'", odd.Message);
        var closed = Assert.Throws<EndOfStreamException>(() => node.Call("CLOSE"));
        Assert.Equal($"{fake.Endpoint} closed the connection", closed.Message);
        Assert.Equal("ECHO é v |ERR|INT|BULK", string.Join('|', fake.Log.Take(4)));
    }

    private static Func<string[], string?> ClusterNode(string id, int port, ConcurrentQueue<string>? getKeys = null,
        int upperPort = 0, string get = "$-1\r\n") => args =>
        string.Join(' ', args) switch
        {
            "CLUSTER MYID" => $"+{id}\r\n",
            // Out of order on purpose: Ranges sorts them.
            "CLUSTER SLOTS" => "*2\r\n" + $"*3\r\n:8192\r\n:16383\r\n*2\r\n{Bulk("127.0.0.1")}:{(upperPort == 0 ? port : upperPort)}\r\n"
                                        + $"*3\r\n:0\r\n:8191\r\n*2\r\n{Bulk("127.0.0.1")}:{port}\r\n",
            "DBSIZE" => ":7\r\n",
            "SCAN 0 MATCH p* COUNT 1000" => "*2\r\n" + Bulk("5") + "*2\r\n" + Bulk("k1") + Bulk("k2"),
            "SCAN 5 MATCH p* COUNT 1000" => "*2\r\n" + Bulk("0") + "*2\r\n" + Bulk("k2") + Bulk("k3"),
            "CLUSTER INFO" => Bulk("cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_known_nodes:2\r\nother\r\n"),
            "CLUSTER NODES" => Bulk($"{id} 127.0.0.1:{port}@1 myself,master - 0 0 1 connected 0-16383\nx 127.0.0.1:1@2 slave {id} 0 0 1 connected\n"),
            "GET moved" => "-MOVED 5 10.0.0.1:7001\r\n",
            "GET ask" => "-ASK 5 10.0.0.2:7002\r\n",
            "GET bad" => "-WRONGTYPE not a string\r\n",
            _ when args is ["CLUSTER", "GETKEYSINSLOT", ..] => getKeys is not null && getKeys.TryDequeue(out var keys) ? keys : "*0\r\n",
            _ when args[0] == "GET" => get,
            _ => "+OK\r\n",
        };

    [Fact]
    public void The_cluster_reads_slots_key_counts_health_and_redirections_from_its_nodes()
    {
        FakeRedis? fake = null;
        fake = new FakeRedis(args => ClusterNode("n1", fake!.Port)(args));
        using (fake)
        using (var cluster = new RedisSlotCluster(" " + fake.Endpoint + " ,"))
        {
            string e = fake.Endpoint;
            Assert.Equal(new[] { e }, cluster.Endpoints);
            Assert.Equal("n1", cluster.Id(e));
            Assert.Same(cluster.Node(e), cluster.Node(e));
            Assert.Equal(new[] { new SlotRange(0, 8191, e), new SlotRange(8192, 16383, e) }, cluster.Ranges());
            Assert.Equal(new[] { new SlotRange(0, 8191, e), new SlotRange(8192, 16383, e) }, cluster.Ranges(e));
            Assert.Equal(e, cluster.Table().OwnerOfSlot(HashSlots.Count - 1));
            Assert.Equal(7, cluster.KeysPerNode()[e]);
            Assert.Equal(3, cluster.CountKeys("p*")[e]);   // k2 came back twice
            var health = cluster.Health();
            Assert.Equal(new ClusterHealth(true, 16384, 1, 2, true), health);
            Assert.True(health.Healthy);
            Assert.Equal(new SlotReply(SlotReplyKind.Moved, "10.0.0.1:7001"), cluster.Probe(e, "moved", asking: false));
            Assert.Equal(new SlotReply(SlotReplyKind.Ask, "10.0.0.2:7002"), cluster.Probe(e, "ask", asking: true));
            Assert.Equal(SlotReply.Served, cluster.Probe(e, "k", asking: false));
            var bad = Assert.Throws<InvalidOperationException>(() => cluster.Probe(e, "bad", asking: false));
            Assert.Equal($"{e}: GET bad → WRONGTYPE not a string", bad.Message);
            fake.Log.Clear();
            cluster.Probe(e, "k", asking: true);
            Assert.Equal(new[] { "ASKING", "GET k" }, fake.Log);
            fake.Log.Clear();
            Assert.Equal(0, cluster.MoveSlot(5, e));   // already the owner: nothing but the table is read
            Assert.Equal(new[] { "CLUSTER SLOTS" }, fake.Log);
        }
        Assert.False(new ClusterHealth(true, 16383, 1, 1, true).Healthy);
        Assert.False(new ClusterHealth(false, 16384, 1, 1, true).Healthy);
        Assert.False(new ClusterHealth(true, 16384, 1, 1, false).Healthy);
    }

    [Fact]
    public void A_migration_sends_importing_migrating_migrate_and_node_in_the_documented_order()
    {
        var log = new ConcurrentQueue<string>();
        var batches = new ConcurrentQueue<string>(["*2\r\n" + Bulk("a") + Bulk("b")]);
        FakeRedis? one = null, two = null;
        one = new FakeRedis(args => ClusterNode("n1", one!.Port, batches)(args), log);
        two = new FakeRedis(args => ClusterNode("n2", two!.Port)(args), log);
        using (one)
        using (two)
        using (var cluster = new RedisSlotCluster($"{one.Endpoint},{two.Endpoint}"))
        {
            log.Clear();
            cluster.BeginMigration(5, one.Endpoint, two.Endpoint);
            Assert.Equal(new[] { "CLUSTER SETSLOT 5 IMPORTING n1", "CLUSTER SETSLOT 5 MIGRATING n2" }, log);
            log.Clear();
            Assert.Equal(new[] { "a", "b" }, cluster.MoveKeys(5, one.Endpoint, two.Endpoint, 2));
            Assert.Empty(cluster.MoveKeys(5, one.Endpoint, two.Endpoint, 2));
            Assert.Equal(new[]
            {
                "CLUSTER GETKEYSINSLOT 5 2", $"MIGRATE 127.0.0.1 {two.Port}  0 5000 KEYS a b", "CLUSTER GETKEYSINSLOT 5 2",
            }, log);
            log.Clear();
            cluster.FinishMigration(5, one.Endpoint, two.Endpoint);
            Assert.Equal(new[] { "CLUSTER SETSLOT 5 NODE n2", "CLUSTER SETSLOT 5 NODE n2" }, log);
            Assert.Equal(new[] { one.Endpoint, two.Endpoint }, cluster.Endpoints);
        }
    }

    [Fact]
    public void A_live_migration_run_records_each_probe_beside_the_model_and_counts_its_batches()
    {
        int slot = HashSlots.Slot("t");
        var batches = new ConcurrentQueue<string>(["*2\r\n" + Bulk("{t}:0") + Bulk("{t}:1"), "*1\r\n" + Bulk("{t}:2")]);
        FakeRedis? low = null, high = null;
        low = new FakeRedis(args => ClusterNode("n1", low!.Port, batches, high!.Port)(args));
        high = new FakeRedis(args => ClusterNode("n2", low.Port, batches, high!.Port, $"-MOVED {slot} {low.Endpoint}\r\n")(args));
        using (low)
        using (high)
        using (var cluster = new RedisSlotCluster($"{low.Endpoint},{high.Endpoint}"))
        {
            var table = cluster.Table();
            string source = table.OwnerOfSlot(slot), target = table.Nodes.Single(n => n != source);
            Assert.Equal(slot < 8192 ? low.Endpoint : high.Endpoint, source);
            var model = new SlotMigration(table, slot, target, ["{t}:0", "{t}:1", "{t}:2"]);
            var run = cluster.Migrate(model, 2);
            Assert.Equal(("{t}:0", "{t}:2", 2, source), (run.MovedFirst, run.MovedLater, run.Batches, run.OwnerAfter));
            Assert.Equal(MigrationPhase.Done, model.Phase);
            Assert.Equal(16, run.Probes.Count);   // 2 steps × 2 keys × 2 nodes × with and without ASKING
            var moved = new SlotReply(SlotReplyKind.Moved, low.Endpoint);
            foreach (var step in new[] { MigrationRun.Halfway, MigrationRun.After })
                foreach (var key in new[] { "{t}:0", "{t}:2" })
                    foreach (bool asking in new[] { false, true })
                    {
                        Assert.Equal(SlotReply.Served, run.Observed(step, low.Endpoint, key, asking));
                        Assert.Equal(moved, run.Observed(step, high.Endpoint, key, asking));
                    }
            var probe = run.Probes.First(p => p.Step == MigrationRun.After && p.Node == target && !p.Asking);
            Assert.Equal(SlotReply.Served, probe.Predicted);   // after NODE the target serves the slot
            Assert.Equal(probe.Observed == SlotReply.Served, probe.Agrees);
        }
    }

    [Fact]
    public void Cluster_health_reads_as_one_sentence()
    {
        Assert.Equal("cluster_state ok on every node, 16,384 slots assigned, 3 masters, 6 known nodes, slot tables identical on every node",
            new ClusterHealth(true, 16384, 3, 6, true).ToString());
        Assert.Equal("cluster_state NOT ok on every node, 0 slots assigned, 0 masters, 1 known nodes, slot tables DIFFERENT on every node",
            new ClusterHealth(false, 0, 0, 1, false).ToString());
    }

    [Fact]
    public void Restore_clears_the_migration_state_and_pulls_stray_keys_back_to_the_owner()
    {
        var log = new ConcurrentQueue<string>();
        var strays = new ConcurrentQueue<string>(["*1\r\n" + Bulk("{x}:0")]);
        FakeRedis? low = null, high = null;
        low = new FakeRedis(args => ClusterNode("n1", low!.Port, null, high!.Port)(args), log);
        high = new FakeRedis(args => ClusterNode("n2", low.Port, strays, high!.Port)(args), log);
        using (low)
        using (high)
        using (var cluster = new RedisSlotCluster($"{low.Endpoint},{high.Endpoint}"))
        {
            log.Clear();
            cluster.Restore(5, low.Endpoint);   // slot 5 is low's in the scripted table
            Assert.Equal(new[]
            {
                "CLUSTER SETSLOT 5 STABLE", "CLUSTER SETSLOT 5 STABLE", "CLUSTER SLOTS",
                "CLUSTER GETKEYSINSLOT 5 100", $"MIGRATE 127.0.0.1 {low.Port}  0 5000 KEYS {{x}}:0", "CLUSTER GETKEYSINSLOT 5 100",
                "CLUSTER SLOTS",
            }, log);
        }
    }
}
