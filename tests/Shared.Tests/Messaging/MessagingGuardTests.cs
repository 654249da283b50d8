using Npgsql;
using NATS.Client.Core;
using RabbitMQ.Client;
using SystemDesign.Messaging;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Messaging;

/// <summary>
/// Every argument guard of the Messaging area's public entries: the exception type and the parameter it names
/// (the caller's expression, e.g. <c>plan.Messages</c>), one step outside each bound, and the bound itself accepted
/// where the bound is computed from another argument.
/// </summary>
public sealed class MessagingGuardTests
{
    private static readonly Dictionary<string, int> Topic = new() { ["t"] = 3 };

    /// <summary>The async labs validate before their first await: GetResult rethrows the guard's exception.</summary>
    private static Action Sync(Func<Task> run) => () => run().GetAwaiter().GetResult();

    private static void ReachesTheBroker(Func<Task> run) => Assert.Throws<NotSupportedException>(Sync(run));

    [Fact]
    public void The_partitioner_refuses_null_keys_and_partition_counts_outside_1_to_a_million()
    {
        Null("data", () => KafkaPartitioner.Murmur2(null!));
        Null("keyBytes", () => KafkaPartitioner.PartitionFor((byte[])null!, 3));
        Null("key", () => KafkaPartitioner.PartitionFor((string)null!, 3));
        OutOfRange("partitions", () => KafkaPartitioner.PartitionFor(new byte[] { 1 }, 0));
        OutOfRange("partitions", () => KafkaPartitioner.PartitionFor(new byte[] { 1 }, 1_000_001));
        OutOfRange("partitions", () => KafkaPartitioner.PartitionFor("k", 0));
        Assert.Equal(0, KafkaPartitioner.PartitionFor("k", 1));
        OutOfRange("before", () => KafkaPartitioner.ExpectedMovedShare(0, 3));
        OutOfRange("before", () => KafkaPartitioner.ExpectedMovedShare(10_001, 3));
        OutOfRange("after", () => KafkaPartitioner.ExpectedMovedShare(3, 0));
        OutOfRange("after", () => KafkaPartitioner.ExpectedMovedShare(3, 10_001));
        Null("keys", () => KafkaPartitioner.MeasuredMovedShare(null!, 1, 2));
        Invalid("keys", () => KafkaPartitioner.MeasuredMovedShare(Array.Empty<string>(), 1, 2), "keys must contain at least one element.");
        OutOfRange("partitions", () => KafkaPartitioner.MeasuredMovedShare(new[] { "k" }, 0, 2));
    }

    [Fact]
    public void Producer_batching_refuses_each_setting_outside_its_range()
    {
        OutOfRange("partitions", () => ProducerBatching.Run(UnkeyedStrategy.Sticky, 0, 100, 5, 10, 10, 1));
        OutOfRange("recordsPerSecond", () => ProducerBatching.Run(UnkeyedStrategy.Sticky, 2, 0, 5, 10, 10, 1));
        OutOfRange("lingerMs", () => ProducerBatching.Run(UnkeyedStrategy.Sticky, 2, 100, -1, 10, 10, 1));
        OutOfRange("batchRecords", () => ProducerBatching.Run(UnkeyedStrategy.Sticky, 2, 100, 5, 0, 10, 1));
        OutOfRange("records", () => ProducerBatching.Run(UnkeyedStrategy.Sticky, 2, 100, 5, 10, 0, 1));
    }

    [Fact]
    public void Assignors_refuse_missing_empty_or_repeated_members_and_bad_topics()
    {
        Null("topics", () => Assignors.Partitions(null!));
        OutOfRange("partitions", () => Assignors.Partitions(new Dictionary<string, int> { ["t"] = 0 }));
        Null("members", () => Assignors.Assign(AssignorKind.Range, null!, Topic));
        Invalid("members", () => Assignors.Assign(AssignorKind.Range, Array.Empty<string>(), Topic));
        Invalid("members", () => Assignors.Assign(AssignorKind.RoundRobin, new[] { "a", "b", "a" }, Topic), "member ids must be distinct");
        Null("topics", () => Assignors.Assign(AssignorKind.Range, new[] { "a" }, null!));
        OutOfRange("kind", () => Assignors.Assign((AssignorKind)7, new[] { "a" }, Topic));
        Null("assignment", () => Assignors.ActiveMembers(null!));
        var some = Assignors.Assign(AssignorKind.Range, new[] { "a" }, Topic);
        Null("before", () => Assignors.Moved(null!, some));
        Null("after", () => Assignors.Moved(some, null!));
        Null("before", () => Assignors.MinimumMoves(null!, new[] { "a" }));
        Null("membersAfter", () => Assignors.MinimumMoves(some, null!));
        Invalid("membersAfter", () => Assignors.MinimumMoves(some, Array.Empty<string>()));
        Null("assignment", () => Assignors.Describe(null!));
    }

    [Fact]
    public void Partition_flow_refuses_each_size_outside_its_range()
    {
        FlowResult Run(int partitions = 2, int consumers = 1, int entities = 3, int records = 6, double keyedShare = 0.5, int growTo = 0) =>
            PartitionFlow.Run(partitions, consumers, AssignorKind.Range, entities, records, keyedShare, UnkeyedStrategy.Sticky, 1, growTo);
        OutOfRange("growTo", () => Run(growTo: -1));
        OutOfRange("growTo", () => Run(growTo: 1_001));
        OutOfRange("partitions", () => Run(partitions: 0));
        OutOfRange("partitions", () => Run(partitions: 1_001));            // 0 is refused by the partitioner too
        OutOfRange("consumers", () => Run(consumers: 0));
        OutOfRange("entities", () => Run(entities: 0));
        OutOfRange("records", () => Run(records: 0));
        OutOfRange("keyedShare", () => Run(keyedShare: 1.01));
        OutOfRange("keyedShare", () => Run(keyedShare: -0.01));
    }

    [Fact]
    public void Consumer_lag_refuses_rates_windows_and_sizes_outside_their_ranges()
    {
        LagTrace Run(double baseRate = 1, double burstRate = 1, double burstStart = 1, double burstEnd = 2, int consumers = 1,
            int partitions = 1, double perConsumerRate = 1, int seconds = 3) =>
            ConsumerLag.Run(baseRate, burstRate, burstStart, burstEnd, consumers, partitions, perConsumerRate, seconds, 1);
        OutOfRange("baseRate", () => Run(baseRate: -1));
        OutOfRange("burstRate", () => Run(burstRate: -1));
        OutOfRange("burstStart", () => Run(burstStart: -1));
        OutOfRange("burstEnd", () => Run(burstStart: 5, burstEnd: 4));
        Assert.Equal(4, Run(burstStart: 2, burstEnd: 2).Lag.Length);      // an empty burst is allowed
        OutOfRange("consumers", () => Run(consumers: 0));
        OutOfRange("partitions", () => Run(partitions: 0));
        OutOfRange("perConsumerRate", () => Run(perConsumerRate: -1));
        OutOfRange("seconds", () => Run(seconds: 0));
        OutOfRange("lag", () => ConsumerLag.DrainSeconds(-1, 1, 2));
        OutOfRange("arrivalRate", () => ConsumerLag.DrainSeconds(1, -1, 2));
        Invalid("capacity", () => ConsumerLag.DrainSeconds(10, 5, 5), "capacity must exceed the arrival rate to drain");
    }

    [Fact]
    public void Rebalance_refuses_each_setting_outside_its_range()
    {
        OutOfRange("partitions", () => Rebalance.Join(RebalanceProtocol.Eager, 0, 1, 1, 1));
        OutOfRange("partitions", () => Rebalance.Join(RebalanceProtocol.Eager, 100_001, 1, 1, 1));
        OutOfRange("consumersBefore", () => Rebalance.Join(RebalanceProtocol.Eager, 4, 0, 1, 1));
        OutOfRange("roundSeconds", () => Rebalance.Join(RebalanceProtocol.Eager, 4, 1, -1, 1));
        OutOfRange("recordsPerPartitionPerSecond", () => Rebalance.Join(RebalanceProtocol.Eager, 4, 1, 1, -1));
        OutOfRange("count", () => Rebalance.Members(0));
        OutOfRange("count", () => Rebalance.Members(10_001));
    }

    [Fact]
    public void Delivery_semantics_names_the_plan_field_that_is_out_of_range()
    {
        var config = DeliverySemantics.StandardConfigs[4];
        var plan = new FailurePlan(10, 0, 0, 0, 0, 0, 2, 1);
        Null("config", () => DeliverySemantics.Run(null!, plan));
        Null("plan", () => DeliverySemantics.Run(config, null!));
        OutOfRange("plan.Messages", () => DeliverySemantics.Run(config, plan with { Messages = 0 }));
        OutOfRange("plan.RequestLoss", () => DeliverySemantics.Run(config, plan with { RequestLoss = 0.91 }));
        OutOfRange("plan.AckLoss", () => DeliverySemantics.Run(config, plan with { AckLoss = -0.1 }));
        OutOfRange("plan.Failovers", () => DeliverySemantics.Run(config, plan with { Failovers = -1 }));
        OutOfRange("plan.FollowerLag", () => DeliverySemantics.Run(config, plan with { FollowerLag = -1 }));
        OutOfRange("plan.ConsumerCrash", () => DeliverySemantics.Run(config, plan with { ConsumerCrash = 0.51 }));
        OutOfRange("plan.BatchSize", () => DeliverySemantics.Run(config, plan with { BatchSize = 0 }));
        OutOfRange("fetched", () => DeliverySemantics.KilledConsumer(-1, 0, 1));
        OutOfRange("processed", () => DeliverySemantics.KilledConsumer(3, 4, 1));
        OutOfRange("processed", () => DeliverySemantics.KilledConsumer(3, -1, 1));
        OutOfRange("ackEvery", () => DeliverySemantics.KilledConsumer(3, 3, 0));
        Assert.Equal((0, 0), DeliverySemantics.KilledConsumer(3, 3, 3));   // processed = fetched is allowed
    }

    [Fact]
    public void Compaction_and_retention_refuse_each_setting_outside_its_range()
    {
        OutOfRange("segmentRecords", () => new CompactedLog(0));
        OutOfRange("minCleanableDirtyRatio", () => new CompactedLog(10, 1.01));
        OutOfRange("deleteRetentionSeconds", () => new CompactedLog(10, 0.5, -1));
        var log = new CompactedLog(10);
        Null("key", () => log.Append(null!, "v", 0));
        Invalid("key", () => log.Append("", "v", 0), "key must not be empty.");
        Assert.Equal(0, log.Count);
        Null("records", () => CompactedLog.Materialize(null!));
        OutOfRange("bytesPerSecond", () => Retention.Run(0, 1, 1, -1, 1));
        OutOfRange("segmentBytes", () => Retention.Run(1, 0, 1, -1, 1));
        OutOfRange("retentionSeconds", () => Retention.Run(1, 1, 0, -1, 1));
        OutOfRange("retentionBytes", () => Retention.Run(1, 1, 1, -2, 1));
        OutOfRange("hours", () => Retention.Run(1, 1, 1, -1, 0));
    }

    [Fact]
    public void Broker_choice_names_the_workload_field_that_is_out_of_range()
    {
        var w = new Workload("w", 10, false, 1, 1, false, false, false, false);
        Null("w", () => BrokerChoice.Decide(null!));
        OutOfRange("w.MessagesPerSecond", () => BrokerChoice.Decide(w with { MessagesPerSecond = -1 }));
        OutOfRange("w.RetentionDays", () => BrokerChoice.Decide(w with { RetentionDays = 36_501 }));
        OutOfRange("w.ConsumerGroups", () => BrokerChoice.Decide(w with { ConsumerGroups = 0 }));
    }

    [Fact]
    public async Task Nats_lab_refuses_a_missing_connection_bad_windows_counts_and_prefixes()
    {
        await using var nats = new NatsConnection();   // never connected: the guards run first
        var window = TimeSpan.FromMilliseconds(300);
        Null("nats", Sync(() => NatsLab.DedupAsync(null!, new[] { 1 }, window)));
        Null("attempts", Sync(() => NatsLab.DedupAsync(nats, null!, window)));
        Invalid("attempts", Sync(() => NatsLab.DedupAsync(nats, Array.Empty<int>(), window)));
        OutOfRange("window", Sync(() => NatsLab.DedupAsync(nats, new[] { 1 }, TimeSpan.FromMilliseconds(99))));
        OutOfRange("window", Sync(() => NatsLab.DedupAsync(nats, new[] { 1 }, TimeSpan.FromMinutes(2))));
        Null("prefix", Sync(() => NatsLab.DedupAsync(nats, new[] { 1 }, window, null!)));
        Invalid("prefix", Sync(() => NatsLab.DedupAsync(nats, new[] { 1 }, window, "")));
        Invalid("prefix", Sync(() => NatsLab.DedupAsync(nats, new[] { 1 }, window, "NB08")), "prefix must be a lower-case identifier");
        Null("nats", Sync(() => NatsLab.AckWaitAsync(null!, 3, 1, window)));
        OutOfRange("messages", Sync(() => NatsLab.AckWaitAsync(nats, 0, 0, window)));
        OutOfRange("messages", Sync(() => NatsLab.AckWaitAsync(nats, 1_001, 0, window)));
        OutOfRange("ack", Sync(() => NatsLab.AckWaitAsync(nats, 3, 4, window)));
        OutOfRange("ack", Sync(() => NatsLab.AckWaitAsync(nats, 3, -1, window)));
        OutOfRange("ackWait", Sync(() => NatsLab.AckWaitAsync(nats, 3, 1, TimeSpan.FromMilliseconds(99))));
        Invalid("prefix", Sync(() => NatsLab.AckWaitAsync(nats, 3, 1, window, "a.b")), "prefix must be a lower-case identifier");
    }

    [Fact]
    public void Rabbit_lab_refuses_a_missing_connection_or_queue_and_counts_beyond_what_was_published()
    {
        var rabbit = Refusing.Create<IConnection>();
        Null("connection", Sync(() => RabbitLab.KilledConsumerAsync(null!, "q", 5, 3, 2, 1)));
        Null("queue", Sync(() => RabbitLab.KilledConsumerAsync(rabbit, null!, 5, 3, 2, 1)));
        Invalid("queue", Sync(() => RabbitLab.KilledConsumerAsync(rabbit, "", 5, 3, 2, 1)));
        OutOfRange("messages", Sync(() => RabbitLab.KilledConsumerAsync(rabbit, "q", 0, 3, 2, 1)));
        OutOfRange("fetch", Sync(() => RabbitLab.KilledConsumerAsync(rabbit, "q", 5, 6, 2, 1)));
        OutOfRange("fetch", Sync(() => RabbitLab.KilledConsumerAsync(rabbit, "q", 5, 0, 0, 1)));
        OutOfRange("processed", Sync(() => RabbitLab.KilledConsumerAsync(rabbit, "q", 5, 3, 4, 1)));
        OutOfRange("ackEvery", Sync(() => RabbitLab.KilledConsumerAsync(rabbit, "q", 5, 3, 2, 0)));
        ReachesTheBroker(() => RabbitLab.KilledConsumerAsync(rabbit, "q", 5, 5, 5, 1));
        Null("connection", Sync(() => RabbitLab.StreamFromOffsetAsync(null!, "s", 5, 0)));
        Invalid("stream", Sync(() => RabbitLab.StreamFromOffsetAsync(rabbit, "", 5, 0)));
        OutOfRange("messages", Sync(() => RabbitLab.StreamFromOffsetAsync(rabbit, "s", 0, 0)));
        OutOfRange("fromOffset", Sync(() => RabbitLab.StreamFromOffsetAsync(rabbit, "s", 5, 5)));
        OutOfRange("fromOffset", Sync(() => RabbitLab.StreamFromOffsetAsync(rabbit, "s", 5, -1)));
        ReachesTheBroker(() => RabbitLab.StreamFromOffsetAsync(rabbit, "s", 5, 4));
    }

    [Fact]
    public void Outbox_lab_refuses_bad_prefixes_and_crash_points_that_are_not_order_numbers()
    {
        using var pg = new NpgsqlConnection();
        var rabbit = Refusing.Create<IConnection>();
        Null("pg", Sync(() => OutboxLab.RunAsync(null!, rabbit, "p", 3, new[] { 1 })));
        Null("rabbit", Sync(() => OutboxLab.RunAsync(pg, null!, "p", 3, new[] { 1 })));
        Null("prefix", Sync(() => OutboxLab.RunAsync(pg, rabbit, null!, 3, new[] { 1 })));
        Invalid("prefix", Sync(() => OutboxLab.RunAsync(pg, rabbit, "", 3, new[] { 1 })));
        foreach (var bad in new[] { "Bad", "9abc", "ab-", "a" + new string('b', 31), "_a" })
            Invalid("prefix", Sync(() => OutboxLab.RunAsync(pg, rabbit, bad, 3, new[] { 1 })), "prefix must be a lower-case identifier");
        foreach (var good in new[] { "a", "ab_9", "a" + new string('b', 30) })
            ReachesTheBroker(() => OutboxLab.RunAsync(pg, rabbit, good, 3, new[] { 1 }));
        OutOfRange("orders", Sync(() => OutboxLab.RunAsync(pg, rabbit, "p", 0, Array.Empty<int>())));
        Null("crashAt", Sync(() => OutboxLab.RunAsync(pg, rabbit, "p", 3, null!)));
        Invalid("crashAt", Sync(() => OutboxLab.RunAsync(pg, rabbit, "p", 3, new[] { 3 })), "crash points must be order numbers");
        Invalid("crashAt", Sync(() => OutboxLab.RunAsync(pg, rabbit, "p", 3, new[] { -1 })), "crash points must be order numbers");
        Invalid("crashAt", Sync(() => OutboxLab.RunAsync(pg, rabbit, "p", 3, new[] { 1, 3 })), "crash points must be order numbers");
        ReachesTheBroker(() => OutboxLab.RunAsync(pg, rabbit, "p", 3, new[] { 0, 2 }));
    }

    [Fact]
    public void Outbox_relay_refuses_kills_outside_a_batch_and_negative_consumer_kill_points()
    {
        using var pg = new NpgsqlConnection();
        var rabbit = Refusing.Create<IConnection>();
        var none = Array.Empty<(int, int)>();
        var noKill = Array.Empty<int>();
        Null("pg", Sync(() => OutboxLab.RelayKilledMidBatchAsync(null!, rabbit, "p", 3, 2, none, noKill)));
        Null("rabbit", Sync(() => OutboxLab.RelayKilledMidBatchAsync(pg, null!, "p", 3, 2, none, noKill)));
        Invalid("prefix", Sync(() => OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "P", 3, 2, none, noKill)), "prefix must be a lower-case identifier");
        Invalid("prefix", Sync(() => OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "9p", 3, 2, none, noKill)), "prefix must be a lower-case identifier");
        OutOfRange("orders", Sync(() => OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "p", 0, 2, none, noKill)));
        OutOfRange("batch", Sync(() => OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "p", 3, 0, none, noKill)));
        Null("killRelay", Sync(() => OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "p", 3, 2, null!, noKill)));
        const string kill = "each kill is (batch ≥ 0, 1 ≤ published ≤ batch size)";
        foreach (var bad in new[] { (-1, 1), (0, 0), (0, 3) })
            Invalid("killRelay", Sync(() => OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "p", 3, 2, new[] { bad }, noKill)), kill);
        Null("killConsumerAt", Sync(() => OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "p", 3, 2, none, null!)));
        Invalid("killConsumerAt", Sync(() => OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "p", 3, 2, none, new[] { -1 })),
            "consumer kill points are message numbers ≥ 0");
        ReachesTheBroker(() => OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "p", 3, 2, new[] { (0, 1), (0, 2) }, new[] { 0 }));
    }
}
