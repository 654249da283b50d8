using System.Text;
using SystemDesign.Messaging;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Messaging;

public sealed class PartitionerTests
{
    // Apache Kafka, clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
    public static TheoryData<string, int> KafkaVectors => new()
    {
        { "21", -973932308 }, { "foobar", -790332482 }, { "a-little-bit-long-string", -985981536 },
        { "a-little-bit-longer-string", -1486304829 },
        { "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971 }, { "abc", 479470107 },
    };

    [Theory, MemberData(nameof(KafkaVectors))]
    public void Murmur2_matches_kafkas_utils_test(string key, int expected) =>
        Assert.Equal(expected, KafkaPartitioner.Murmur2(Encoding.ASCII.GetBytes(key)));

    [Fact]
    public void Murmur2_matches_librdkafkas_java_results()
    {
        // librdkafka src/rdmurmur2.c, unittest_murmur2: java_murmur2_results (unaligned tails included).
        var cases = new (string, uint)[] { ("kafka", 0xd067cf64), ("giberish123456789", 0x8f552b0c), ("1234", 0x9fc97b14),
            ("234", 0xe7c009ca), ("34", 0x873930da), ("4", 0x5a4b5ca1), ("", 0x106e08d9) };
        foreach (var (k, h) in cases) Assert.Equal(unchecked((int)h), KafkaPartitioner.Murmur2(Encoding.ASCII.GetBytes(k)));
    }

    [Fact]
    public void ToPositive_clears_the_sign_bit_instead_of_negating()
    {
        Assert.Equal(0x7fffffff & -973932308, KafkaPartitioner.ToPositive(-973932308));
        Assert.NotEqual(Math.Abs(-973932308), KafkaPartitioner.ToPositive(-973932308));
        Assert.Equal(0, KafkaPartitioner.ToPositive(int.MinValue));
        Assert.InRange(KafkaPartitioner.PartitionFor("21", 7), 0, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => KafkaPartitioner.PartitionFor("x", 0));
    }

    [Fact]
    public void Doubling_partitions_moves_half_the_keys()
    {
        Assert.Equal(0.5, KafkaPartitioner.ExpectedMovedShare(6, 12), 9);
        Assert.Equal(0.0, KafkaPartitioner.ExpectedMovedShare(6, 6), 9);
        var keys = Enumerable.Range(0, 20_000).Select(i => $"order-{i}").ToList();
        Assert.InRange(KafkaPartitioner.MeasuredMovedShare(keys, 6, 12), 0.48, 0.52);
    }

    [Fact]
    public void Sticky_batches_are_about_P_times_bigger_than_round_robin()
    {
        var rr = ProducerBatching.Run(UnkeyedStrategy.RoundRobin, 8, 4000, 10, 10_000, 20_000, 1);
        var st = ProducerBatching.Run(UnkeyedStrategy.Sticky, 8, 4000, 10, 10_000, 20_000, 1);
        Assert.Equal(20_000, rr.Batches.Sum(b => b.Records));
        Assert.Equal(20_000, st.Batches.Sum(b => b.Records));
        Assert.InRange(st.MeanBatchRecords / rr.MeanBatchRecords, 4, 12);
        Assert.True(st.RecordsPerPartition.All(c => c > 0));
    }
}

public sealed class FlowTests
{
    [Fact]
    public void Keyed_orders_stay_in_order_until_the_topic_grows()
    {
        var f = PartitionFlow.Run(6, 4, AssignorKind.Range, 300, 6_000, 0.7, UnkeyedStrategy.Sticky, 8);
        Assert.Equal(0, f.KeyedEntitiesOutOfOrder);
        Assert.True(f.UnkeyedEntitiesOutOfOrder > 0);
        var g = PartitionFlow.Run(6, 4, AssignorKind.Range, 300, 6_000, 1.0, UnkeyedStrategy.Sticky, 8, growTo: 8);
        Assert.True(g.KeyedEntitiesMoved > 150);
        Assert.True(g.KeyedEntitiesOutOfOrder > 0);
        Assert.Equal(g.KeyedEntitiesOutOfOrder, g.OutOfOrderAmongMoved);
        Assert.Equal(8, g.Partitions.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionFlow.Run(0, 1, AssignorKind.Range, 1, 1, 1, UnkeyedStrategy.Sticky, 1));
    }
}

public sealed class AssignorTests
{
    private static readonly Dictionary<string, int> TwoTopics = new() { ["t0"] = 3, ["t1"] = 3 };

    [Fact]
    public void Range_matches_kafkas_javadoc_example()
    {
        // RangeAssignor javadoc: C0: [t0p0, t0p1, t1p0, t1p1], C1: [t0p2, t1p2].
        var a = Assignors.Assign(AssignorKind.Range, new[] { "C0", "C1" }, TwoTopics);
        Assert.Equal("C0: [t0-0, t0-1, t1-0, t1-1]; C1: [t0-2, t1-2]", Assignors.Describe(a));
    }

    [Fact]
    public void RoundRobin_matches_kafkas_javadoc_example()
    {
        // RoundRobinAssignor javadoc: C0: [t0p0, t0p2, t1p1], C1: [t0p1, t1p0, t1p2].
        var a = Assignors.Assign(AssignorKind.RoundRobin, new[] { "C0", "C1" }, TwoTopics);
        Assert.Equal("C0: [t0-0, t0-2, t1-1]; C1: [t0-1, t1-0, t1-2]", Assignors.Describe(a));
    }

    [Theory]
    [InlineData(3, 6)] [InlineData(6, 6)] [InlineData(9, 6)] [InlineData(1, 1)]
    public void Every_assignor_activates_min_of_consumers_and_partitions(int consumers, int partitions)
    {
        var topics = new Dictionary<string, int> { ["t"] = partitions };
        foreach (var kind in Enum.GetValues<AssignorKind>())
        {
            var a = Assignors.Assign(kind, Rebalance.Members(consumers), topics);
            Assert.Equal(Math.Min(consumers, partitions), Assignors.ActiveMembers(a));
            Assert.Equal(partitions, a.Values.Sum(l => l.Count));
            Assert.Equal(partitions, a.Values.SelectMany(l => l).Distinct().Count());
        }
    }

    [Fact]
    public void Sticky_moves_the_minimum_when_a_member_joins_or_leaves()
    {
        var topics = new Dictionary<string, int> { ["t"] = 12 };
        var before = Assignors.Assign(AssignorKind.CooperativeSticky, Rebalance.Members(3), topics);
        var four = Rebalance.Members(4);
        var after = Assignors.Assign(AssignorKind.CooperativeSticky, four, topics, before);
        Assert.Equal(Assignors.MinimumMoves(before, four), Assignors.Moved(before, after));
        Assert.Equal(3, Assignors.Moved(before, after));
        var two = Rebalance.Members(2);
        var shrunk = Assignors.Assign(AssignorKind.CooperativeSticky, two, topics, before);
        Assert.Equal(4, Assignors.Moved(before, shrunk));
        Assert.Throws<ArgumentException>(() => Assignors.Assign(AssignorKind.Range, new[] { "a", "a" }, topics));
    }

    [Fact]
    public void Cooperative_rebalance_pauses_only_moved_partitions()
    {
        var eager = Rebalance.Join(RebalanceProtocol.Eager, 12, 3, 1, 100);
        var coop = Rebalance.Join(RebalanceProtocol.Cooperative, 12, 3, 1, 100);
        Assert.Equal(12, eager.PausedPartitions);
        Assert.Equal(3, coop.PausedPartitions);
    }
}

public sealed class DeliveryTests(ITestOutputHelper output)
{
    private static readonly FailurePlan Plan = new(20_000, 0.02, 0.02, 4, 50, 0.002, 20, 3);

    [Fact]
    public void Table_has_the_expected_zeros()
    {
        var rows = DeliverySemantics.StandardConfigs.Select(c => DeliverySemantics.Run(c, Plan)).ToList();
        foreach (var r in rows) output.WriteLine($"{r.Configuration}: lost {r.Lost} dup {r.Duplicated} lostP {r.LostInProducer} dupLog {r.DuplicatedInLog} crashes {r.ConsumerCrashes}");
        Assert.True(rows[0].Lost > 0);                       // acks=0
        Assert.True(rows[1].LostInProducer > 0);             // acks=1 loses acknowledged records at failover
        Assert.Equal(0, rows[4].LostInProducer);             // acks=all + retries
        Assert.True(rows[4].DuplicatedInLog > 0);            // without idempotence
        Assert.Equal(0, rows[5].DuplicatedInLog);            // idempotent producer
        Assert.True(rows[3].Lost > 0 && rows[3].Duplicated == 0);   // commit before
        Assert.True(rows[5].Lost == 0 && rows[5].Duplicated > 0);   // commit after
        Assert.True(rows[6].Lost == 0 && rows[6].Duplicated == 0);  // exactly-once effects
    }

    [Fact]
    public void Retry_duplicates_follow_a_over_1_minus_a()
    {
        var plan = Plan with { Failovers = 0, ConsumerCrash = 0 };
        var r = DeliverySemantics.Run(DeliverySemantics.StandardConfigs[4], plan);
        double expected = plan.Messages * plan.AckLoss / (1 - plan.AckLoss);
        double sigma = Math.Sqrt(plan.Messages * plan.AckLoss) / (1 - plan.AckLoss);
        Assert.InRange(r.DuplicatedInLog, expected - 4 * sigma, expected + 4 * sigma);
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliverySemantics.Run(DeliverySemantics.StandardConfigs[0], plan with { AckLoss = 1 }));
    }
}

public sealed class GuardTests
{
    [Fact]
    public void Public_entries_reject_bad_input()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ProducerBatching.Run(UnkeyedStrategy.Sticky, 0, 1, 1, 1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConsumerLag.Run(1, 1, 5, 4, 1, 1, 1, 10, 1));
        Assert.Throws<ArgumentException>(() => ConsumerLag.DrainSeconds(10, 5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rebalance.Join(RebalanceProtocol.Eager, 0, 1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompactedLog(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Retention.Run(0, 1, 1, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => KafkaPartitioner.ExpectedMovedShare(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliverySemantics.KilledConsumer(3, 4, 1));
        Assert.Equal((10, 5), DeliverySemantics.KilledConsumer(30, 25, 10));
    }
}

public sealed class LogTests
{
    [Fact]
    public void Compaction_keeps_the_latest_value_per_key_and_drops_old_tombstones()
    {
        var log = new CompactedLog(100, 0.5, deleteRetentionSeconds: 50);
        var all = new List<LogRecord>();
        var rng = new Random(1);
        for (int i = 0; i < 5_000; i++)
        {
            string key = $"k{rng.Next(200)}";
            string? value = rng.NextDouble() < 0.05 ? null : $"v{i}";
            log.Append(key, value, i);
            all.Add(new LogRecord(i, key, value, i));
        }
        Assert.Equal(CompactedLog.Materialize(all), log.Materialize());
        Assert.True(log.Count < 800);
        Assert.True(log.Cleans > 1);
        Assert.True(log.Records.Zip(log.Records.Skip(1)).All(p => p.First.Offset < p.Second.Offset));
    }

    [Fact]
    public void Time_retention_keeps_between_T_and_T_plus_a_segment()
    {
        var (_, bytes) = Retention.Run(1e6, 1L << 30, 7 * 86400, -1, 10 * 24);
        double low = 1e6 * 7 * 86400, high = low + (1L << 30);
        Assert.InRange(bytes[^1], low, high);
        var (_, capped) = Retention.Run(1e6, 1L << 28, 7 * 86400, 1L << 30, 48);
        Assert.InRange(capped[^1], 1L << 30, (1L << 30) + (1L << 28));
    }

    [Fact]
    public void Lag_grows_at_lambda_minus_mu()
    {
        var t = ConsumerLag.Run(800, 1600, 10, 40, 4, 8, 300, 60, 1);
        double slope = (t.Lag[40] - t.Lag[10]) / 30;
        Assert.InRange(slope, 300, 500);
        Assert.Equal(20, ConsumerLag.DrainSeconds(8000, 800, 1200), 9);
    }

    [Fact]
    public void Decision_picks_each_broker_for_its_workload()
    {
        Assert.Equal("Kafka", BrokerChoice.Decide(new Workload("events", 200_000, true, 7, 5, false, true, false, false)).Choice);
        Assert.Equal("RabbitMQ", BrokerChoice.Decide(new Workload("jobs", 2_000, false, 1, 1, true, false, false, true)).Choice);
        Assert.Equal("SQS", BrokerChoice.Decide(new Workload("lambda", 500, false, 4, 1, false, false, true, true)).Choice);
        Assert.Throws<ArgumentOutOfRangeException>(() => BrokerChoice.Decide(new Workload("x", -1, false, 1, 1, false, false, false, false)));
    }
}
