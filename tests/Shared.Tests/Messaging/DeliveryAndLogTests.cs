using SystemDesign.Messaging;
using static System.FormattableString;

namespace SystemDesign.Tests.Messaging;

/// <summary>Delivery semantics on plans whose failures fix the log exactly (failovers only) and on seeded plans;
/// compaction and retention on hand-traced cases; the broker decision's scores; the documented defaults.</summary>
public sealed class DeliveryAndLogTests
{
    private static readonly IReadOnlyList<DeliveryConfig> C = DeliverySemantics.StandardConfigs;

    private static IEnumerable<int> Except(int count, params int[] missing) => Enumerable.Range(0, count).Except(missing);

    [Fact]
    public void Each_standard_configuration_is_named_after_its_settings()
    {
        Assert.Equal(7, C.Count);
        Assert.Equal(C.Count, C.Select(c => c.Name).Distinct().Count());
        foreach (var c in C)
        {
            Assert.StartsWith(c.Acks switch { Acks.None => "acks=0", Acks.Leader => "acks=1", _ => "acks=all" }, c.Name, StringComparison.Ordinal);
            Assert.Equal(c.Retries, c.Name.Contains("+ retries", StringComparison.Ordinal));
            Assert.Equal(c.IdempotentProducer, c.Name.Contains("idempotent producer", StringComparison.Ordinal));
            Assert.Equal(c.Commit == CommitMode.AfterProcessingIdempotent, c.Name.EndsWith("idempotent consumer", StringComparison.Ordinal));
            Assert.Equal(c.Commit == CommitMode.BeforeProcessing, c.Name.EndsWith("commit before", StringComparison.Ordinal));
            Assert.Equal(c.Commit == CommitMode.AfterProcessing, c.Name.EndsWith("commit after", StringComparison.Ordinal));
        }
        Assert.Equal(new[] { Acks.None, Acks.Leader, Acks.All, Acks.All, Acks.All, Acks.All, Acks.All }, C.Select(c => c.Acks));
        Assert.Equal(new[] { false, true, false, true, true, true, true }, C.Select(c => c.Retries));
        Assert.Equal(new[] { false, false, false, true, false, true, true }, C.Select(c => c.IdempotentProducer));
    }

    [Fact]
    public void Without_failures_every_configuration_delivers_each_message_once()
    {
        var plan = new FailurePlan(50, 0, 0, 0, 0, 0, 7, 1);
        foreach (var c in C)
        {
            Assert.Equal(Enumerable.Range(0, 50), DeliverySemantics.Produce(c, plan));
            Assert.Equal(new DeliveryOutcome(c.Name, 50, 50, 0, 0, 0, 0, 0), DeliverySemantics.Run(c, plan));
        }
    }

    [Fact]
    public void A_failover_loses_the_followers_lag_unless_acks_all_with_retries_resends_it()
    {
        // 100 messages, 4 failovers: at ids 20, 40, 60 and 80 the leader dies with its last 5 records unreplicated.
        var plan = new FailurePlan(100, 0, 0, 4, 5, 0, 10, 1);
        var lost = Except(100, 15, 16, 17, 18, 19, 35, 36, 37, 38, 39, 55, 56, 57, 58, 59, 75, 76, 77, 78, 79);
        foreach (int i in new[] { 0, 1, 2 })
        {
            Assert.Equal(lost, DeliverySemantics.Produce(C[i], plan));
            Assert.Equal(new DeliveryOutcome(C[i].Name, 100, 80, 20, 0, 20, 0, 0), DeliverySemantics.Run(C[i], plan));
        }
        // Acks=all + retries re-sends them at once (in order); the idempotent producer forgets the lost sequence numbers.
        foreach (int i in new[] { 3, 4, 5, 6 }) Assert.Equal(Enumerable.Range(0, 100), DeliverySemantics.Produce(C[i], plan));
    }

    [Fact]
    public void Failovers_fall_every_messages_over_failovers_plus_one_ids_and_no_more_than_asked()
    {
        // every = 100 / 3 = 33: failovers at 33 and 66 only (99 is a multiple too, but two were asked for).
        Assert.Equal(Except(100, 28, 29, 30, 31, 32, 61, 62, 63, 64, 65),
            DeliverySemantics.Produce(C[1], new FailurePlan(100, 0, 0, 2, 5, 0, 10, 1)));
        // More failovers than messages: every = max(1, 3 / 11) = 1, at ids 1 and 2, each dropping one record.
        Assert.Equal(new[] { 2 }, DeliverySemantics.Produce(C[1], new FailurePlan(3, 0, 0, 10, 1, 0, 1, 1)));
        // A follower lag longer than the log drops the whole log.
        Assert.Equal(new[] { 5, 6, 7, 8, 9 }, DeliverySemantics.Produce(C[1], new FailurePlan(10, 0, 0, 1, 50, 0, 1, 1)));
    }

    [Fact]
    public void Lost_acks_duplicate_records_unless_the_producer_is_idempotent()
    {
        var plan = new FailurePlan(40, 0.0, 0.5, 2, 6, 0, 4, 9);
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 2, 2, 2, 3, 4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 7, 7, 7, 7, 8, 9, 10, 11, 11, 12, 12, 12, 13, 14, 14, 15, 15,
            16, 17, 18, 18, 19, 20, 21, 22, 23, 23, 24, 24, 24, 25, 26, 27, 28, 29, 29, 30, 30, 30, 31, 31, 31, 31, 32, 33, 34, 35, 35, 35, 36,
            36, 36, 36, 36, 37, 37, 37, 37, 37, 37, 38, 39 }, DeliverySemantics.Produce(C[4], plan));
        Assert.Equal(Enumerable.Range(0, 40), DeliverySemantics.Produce(C[5], plan));
        // acks=1: the failovers at 13 and 26 drop six records each (10, 11, 11, 12, 12, 12 and 21 … 25), never re-sent.
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 2, 2, 2, 3, 4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 7, 7, 7, 7, 8, 9, 13, 14, 14, 15, 15, 15, 16, 17, 17, 18,
            18, 19, 20, 26, 27, 28, 28, 28, 28, 29, 29, 30, 30, 30, 31, 32, 33, 34, 35, 35, 36, 36, 36, 37, 37, 37, 37, 38, 39 },
            DeliverySemantics.Produce(C[1], plan));
        Assert.Equal(new DeliveryOutcome(C[4].Name, 40, 81, 0, 41, 0, 41, 0), DeliverySemantics.Run(C[4], plan));
    }

    [Fact]
    public void Acks_0_never_resends_even_with_retries_configured()
    {
        var plan = new FailurePlan(50, 0.3, 0.3, 0, 0, 0, 5, 2);
        var noAckRetries = new DeliveryConfig("acks=0 + retries", Acks.None, true, false, CommitMode.AfterProcessing);
        Assert.Equal(new DeliveryOutcome("acks=0 + retries", 50, 32, 18, 0, 18, 0, 0), DeliverySemantics.Run(noAckRetries, plan));
        Assert.Equal(DeliverySemantics.Produce(C[0], plan), DeliverySemantics.Produce(noAckRetries, plan));
    }

    [Fact]
    public void Consumer_crashes_lose_under_commit_before_and_duplicate_under_commit_after()
    {
        var plan = new FailurePlan(60, 0, 0, 0, 0, 0.05, 4, 3);
        var rows = C.Select(c => DeliverySemantics.Run(c, plan)).ToList();
        Assert.All(rows, r => Assert.Equal((60, 60, 0, 0, 1), (r.Messages, r.InLog, r.LostInProducer, r.DuplicatedInLog, r.ConsumerCrashes)));
        Assert.Equal(new[] { (0, 1), (0, 1), (0, 1), (3, 0), (0, 1), (0, 1), (0, 0) }, rows.Select(r => (r.Lost, r.Duplicated)));
    }

    [Fact]
    public void A_seeded_plan_with_every_failure_gives_this_table()
    {
        var plan = new FailurePlan(200, 0.1, 0.1, 3, 7, 0.02, 5, 4);
        var rows = C.Select(c => DeliverySemantics.Run(c, plan)).Select(r => (r.InLog, r.Lost, r.Duplicated, r.LostInProducer, r.DuplicatedInLog, r.ConsumerCrashes));
        Assert.Equal(new[]
        {
            (154, 46, 12, 46, 0, 5), (197, 19, 30, 19, 16, 6), (154, 46, 12, 46, 0, 5), (200, 13, 0, 0, 0, 5),
            (215, 0, 29, 0, 15, 6), (200, 0, 14, 0, 0, 6), (200, 0, 0, 0, 0, 6),
        }, rows);
    }

    [Fact]
    public void A_killed_consumer_gets_back_everything_after_its_last_cumulative_ack()
    {
        Assert.Equal((10, 5), DeliverySemantics.KilledConsumer(30, 25, 10));
        Assert.Equal((0, 0), DeliverySemantics.KilledConsumer(30, 30, 10));
        Assert.Equal((2, 0), DeliverySemantics.KilledConsumer(5, 3, 1));
        Assert.Equal((5, 3), DeliverySemantics.KilledConsumer(5, 3, 4));     // never acked
        Assert.Equal((0, 0), DeliverySemantics.KilledConsumer(0, 0, 1));
    }

    [Fact]
    public void The_cleaner_runs_when_closed_segments_are_dirtier_than_the_ratio_and_keeps_the_latest_per_key()
    {
        var log = new CompactedLog(4, 0.5);
        foreach (var (k, i) in new[] { "a", "b", "a", "b" }.Select((k, i) => (k, i))) log.Append(k, $"{k}{i}", i);
        // The 4th record closes the first segment: all four are dirty, so it is cleaned to a@2, b@3.
        Assert.Equal(new long[] { 2, 3 }, log.Records.Select(r => r.Offset));
        Assert.Equal(1, log.Cleans);
        log.Append("a", "a4", 4);     // active segment [4, 8): not cleaned
        log.Append("c", "c5", 5);
        log.Append("a", "a6", 6);
        Assert.Equal(new long[] { 2, 3, 4, 5, 6 }, log.Records.Select(r => r.Offset));
        log.Append("b", "b7", 7);     // closes [4, 8): 4 of 6 records dirty
        Assert.Equal(new long[] { 5, 6, 7 }, log.Records.Select(r => r.Offset));
        Assert.Equal(2, log.Cleans);
        Assert.Equal(3, log.Count);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "a6", ["b"] = "b7", ["c"] = "c5" }, log.Materialize());
        Assert.Equal(new LogRecord(7, "b", "b7", 7), log.Records[^1]);
    }

    [Fact]
    public void A_dirty_share_equal_to_the_ratio_does_not_trigger_a_clean()
    {
        var log = new CompactedLog(2, 0.5);
        log.Append("a", "1", 0);
        log.Append("a", "2", 1);      // segment [0, 2) closes, dirty 2/2: cleaned to a@1
        log.Append("b", "3", 2);
        log.Append("b", "4", 3);      // segment [2, 4) closes, dirty 2/3: cleaned to a@1, b@3
        Assert.Equal(new long[] { 1, 3 }, log.Records.Select(r => r.Offset));
        log.Append("c", "5", 4);
        log.Append("d", "6", 5);      // segment [4, 6) closes, dirty 2/4 = 0.5: not above the ratio
        Assert.Equal(2, log.Cleans);
        Assert.Equal(new long[] { 1, 3, 4, 5 }, log.Records.Select(r => r.Offset));
    }

    [Fact]
    public void The_cleaner_waits_for_a_closed_record_it_has_not_cleaned_yet()
    {
        var log = new CompactedLog(2, 0);
        log.Append("a", "1", 0);      // active segment only
        Assert.Equal(0, log.Cleans);
        log.Append("a", "2", 1);      // [0, 2) closed and dirty: cleaned to a@1
        Assert.Equal(1, log.Cleans);
        log.Append("b", "3", 2);      // closed records: just a@1, already clean
        Assert.Equal(1, log.Cleans);
        log.Append("b", "4", 3);
        Assert.Equal(2, log.Cleans);
        Assert.Equal(new long[] { 1, 3 }, log.Records.Select(r => r.Offset));
    }

    [Fact]
    public void A_tombstone_survives_cleans_until_the_delete_retention_has_passed_since_the_first()
    {
        var log = new CompactedLog(1, 1.0, deleteRetentionSeconds: 10);   // ratio 1: only explicit cleans
        log.Append("a", "v", 0);
        log.Append("b", "w", 0.5);
        log.Append("a", null, 1);
        Assert.Equal(0, log.Cleans);
        log.Clean(5);
        Assert.Equal(new long[] { 1, 2 }, log.Records.Select(r => r.Offset));
        Assert.Equal(new Dictionary<string, string> { ["b"] = "w" }, log.Materialize());
        log.Clean(14.9);
        Assert.Equal(new long[] { 1, 2 }, log.Records.Select(r => r.Offset));
        log.Clean(15);                // 10 s after the clean that first saw it
        Assert.Equal(new long[] { 1 }, log.Records.Select(r => r.Offset));
        Assert.Equal(3, log.Cleans);
        var eager = new CompactedLog(1, 1.0, deleteRetentionSeconds: 0);
        eager.Append("a", null, 0);
        eager.Clean(0);
        Assert.Equal(0, eager.Count);
    }

    [Fact]
    public void Replaying_records_keeps_the_latest_value_and_drops_deleted_keys()
    {
        var records = new[]
        {
            new LogRecord(0, "a", "1", 0), new LogRecord(1, "b", "2", 0), new LogRecord(2, "a", null, 0),
            new LogRecord(3, "b", "3", 0), new LogRecord(4, "c", null, 0), new LogRecord(5, "a", "4", 0),
        };
        Assert.Equal(new Dictionary<string, string> { ["a"] = "4", ["b"] = "3" }, CompactedLog.Materialize(records));
    }

    [Theory]
    // 1 B/s, samples every hour; segments close every 600 s (10 steps of 60 B).
    [InlineData(1.0, 600L, 3600.0, -1L, new double[] { 0, 3600, 4200, 4200, 4200 })]   // a segment exactly 3600 s old stays
    [InlineData(1.0, 1000L, 3600.0, -1L, new double[] { 0, 3600, 4200, 3800 })]
    [InlineData(1.0, 600L, 3600.0, 0L, new double[] { 0, 0, 0 })]                      // 0 bytes: every closed segment goes
    [InlineData(1.0, 600L, 36000.0, 1200L, new double[] { 0, 1200, 1200 })]            // exactly at the limit: kept
    [InlineData(1.0, 600L, 36000.0, 1500L, new double[] { 0, 1800, 1800 })]            // dropping one would go under
    [InlineData(2.5, 1000L, 1800.0, 2500L, new double[] { 0, 3000, 3000, 3000 })]
    public void Retention_deletes_closed_segments_by_age_and_by_size(double rate, long segment, double seconds, long bytes, double[] expected)
    {
        var (hours, sizes) = Retention.Run(rate, segment, seconds, bytes, expected.Length - 1);
        Assert.Equal(Enumerable.Range(0, expected.Length).Select(h => (double)h), hours);
        Assert.Equal(expected, sizes);
    }

    [Fact]
    public void The_decision_scores_each_broker_on_the_rules_that_apply()
    {
        var events = BrokerChoice.Decide(new Workload("events", 200_000, true, 7, 5, false, true, false, false));
        Assert.Equal(new BrokerDecision("events", "Kafka", "replay, fan-out, throughput, per-key order", "9", "-4", "excluded"), events);
        var jobs = BrokerChoice.Decide(new Workload("jobs", 2_000, false, 1, 1, true, false, false, true));
        Assert.Equal(new BrokerDecision("jobs", "RabbitMQ", "routing, per-message ack, DLX", "-3", "5", "1"), jobs);
        var lambda = BrokerChoice.Decide(new Workload("lambda", 500, false, 4, 1, false, false, true, true));
        Assert.Equal(new BrokerDecision("lambda", "SQS", "managed, visibility timeout, DLQ", "-3", "0", "5"), lambda);
        var all = BrokerChoice.Decide(new Workload("all", 100_000, true, 30, 3, true, true, true, true));
        Assert.Equal(new BrokerDecision("all", "Kafka", "replay, fan-out, throughput, per-key order", "4", "-1", "excluded"), all);
        // SQS: +3 managed, −1 routing, −1 FIFO only; ties go to the earlier option (Kafka, RabbitMQ, SQS).
        var tie = BrokerChoice.Decide(new Workload("tie", 10, false, 1, 1, true, true, true, false));
        Assert.Equal(new BrokerDecision("tie", "RabbitMQ", "routing", "-3", "1", "1"), tie);
        var nothing = BrokerChoice.Decide(new Workload("nothing", 0, false, 0, 1, false, false, false, false));
        Assert.Equal(new BrokerDecision("nothing", "Kafka", "", "0", "0", "0"), nothing);
    }

    [Fact]
    public void The_decision_thresholds_are_strict()
    {
        BrokerDecision Decide(double rate = 10, double days = 1, int groups = 1) =>
            BrokerChoice.Decide(new Workload("w", rate, false, days, groups, false, false, false, false));
        Assert.Equal("0", Decide(rate: 50_000).KafkaScore);
        Assert.Equal("3", Decide(rate: 50_001).KafkaScore);
        Assert.Equal("-3", Decide(rate: 200_000).RabbitScore);
        Assert.Equal("excluded", Decide(rate: 200_001).RabbitScore);
        Assert.Equal("0", Decide(days: 14).SqsScore);
        Assert.Equal("excluded", Decide(days: 14.5).SqsScore);
        Assert.Equal("0", Decide(groups: 2).KafkaScore);
        Assert.Equal("2", Decide(groups: 3).KafkaScore);
        Assert.Equal("fan-out", Decide(groups: 3).Why);
    }

    [Fact]
    public void The_documented_defaults_table_is_complete_and_agrees_with_the_constants()
    {
        var t = MessagingDefaults.Table;
        Assert.Equal(13, t.Count);
        Assert.All(t, d => Assert.All(new[] { d.System, d.Setting, d.Default, d.Source }, f => Assert.False(string.IsNullOrWhiteSpace(f))));
        Assert.Equal(t.Count, t.Select(d => (d.System, d.Setting)).Distinct().Count());
        string Default(string setting) => t.Single(d => d.Setting == setting).Default;
        Assert.StartsWith(Invariant($"{MessagingDefaults.KafkaRetentionHours} "), Default("log.retention.hours"), StringComparison.Ordinal);
        Assert.StartsWith(Invariant($"{MessagingDefaults.KafkaRetentionBytes} "), Default("log.retention.bytes"), StringComparison.Ordinal);
        Assert.StartsWith(Invariant($"{MessagingDefaults.KafkaSegmentBytes} "), Default("log.segment.bytes"), StringComparison.Ordinal);
        Assert.Equal(MessagingDefaults.KafkaMinCleanableDirtyRatio.ToString(System.Globalization.CultureInfo.InvariantCulture), Default("log.cleaner.min.cleanable.ratio"));
        Assert.StartsWith(Invariant($"{MessagingDefaults.KafkaDeleteRetentionHours * 3_600_000} "), Default("log.cleaner.delete.retention.ms"), StringComparison.Ordinal);
        Assert.EndsWith($"/ {MessagingDefaults.KafkaAutoCommitIntervalMs}", Default("enable.auto.commit / auto.commit.interval.ms"), StringComparison.Ordinal);
        Assert.StartsWith(Invariant($"{MessagingDefaults.SqsRetentionDaysDefault} days"), Default("MessageRetentionPeriod"), StringComparison.Ordinal);
        Assert.Contains(Invariant($"{MessagingDefaults.SqsRetentionDaysMax} days"), Default("MessageRetentionPeriod"), StringComparison.Ordinal);
        Assert.Equal(new[] { "Kafka broker", "Kafka producer", "Kafka consumer", "Amazon SQS" }, t.Select(d => d.System).Distinct());
    }
}
