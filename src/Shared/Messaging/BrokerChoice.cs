namespace SystemDesign.Messaging;

/// <summary>A documented default, with where it is documented.</summary>
public sealed record DocumentedDefault(string System, string Setting, string Default, string Source);

/// <summary>Defaults the notebook compares the guide's figures with (Apache Kafka 3.x/4.x configuration docs,
/// KIPs, and the Amazon SQS developer guide).</summary>
public static class MessagingDefaults
{
    public const double KafkaRetentionHours = 168;           // log.retention.hours
    public const long KafkaRetentionBytes = -1;              // log.retention.bytes: no size limit
    public const long KafkaSegmentBytes = 1L << 30;          // log.segment.bytes: 1 GiB
    public const double KafkaMinCleanableDirtyRatio = 0.5;   // min.cleanable.dirty.ratio
    public const double KafkaDeleteRetentionHours = 24;      // delete.retention.ms = 86400000
    public const double KafkaAutoCommitIntervalMs = 5000;    // auto.commit.interval.ms
    public const double SqsRetentionDaysDefault = 4, SqsRetentionDaysMax = 14;

    public static IReadOnlyList<DocumentedDefault> Table { get; } = new[]
    {
        new DocumentedDefault("Kafka broker", "log.retention.hours", "168 (7 days)", "Kafka docs, broker configs"),
        new DocumentedDefault("Kafka broker", "log.retention.bytes", "-1 (no size limit)", "Kafka docs, broker configs"),
        new DocumentedDefault("Kafka broker", "log.segment.bytes", "1073741824 (1 GiB per segment)", "Kafka docs, broker configs"),
        new DocumentedDefault("Kafka broker", "log.cleaner.min.cleanable.ratio", "0.5", "Kafka docs, broker configs"),
        new DocumentedDefault("Kafka broker", "log.cleaner.delete.retention.ms", "86400000 (24 h)", "Kafka docs, broker configs"),
        new DocumentedDefault("Kafka producer", "acks", "all (since 3.0; 1 before)", "KIP-679"),
        new DocumentedDefault("Kafka producer", "enable.idempotence", "true (since 3.0)", "KIP-679"),
        new DocumentedDefault("Kafka producer", "retries", "2147483647", "Kafka docs, producer configs"),
        new DocumentedDefault("Kafka producer", "unkeyed partitioning", "sticky (2.4), uniform sticky (3.3)", "KIP-480, KIP-794"),
        new DocumentedDefault("Kafka consumer", "enable.auto.commit / auto.commit.interval.ms", "true / 5000", "Kafka docs, consumer configs"),
        new DocumentedDefault("Kafka consumer", "partition.assignment.strategy", "Range, CooperativeSticky", "Kafka docs, consumer configs (3.0+)"),
        new DocumentedDefault("Amazon SQS", "MessageRetentionPeriod", "4 days (60 s … 14 days)", "SQS developer guide"),
        new DocumentedDefault("Amazon SQS", "VisibilityTimeout", "30 s (0 … 12 h)", "SQS developer guide"),
    };
}

/// <summary>What a workload needs from a broker.</summary>
/// <param name="MessagesPerSecond">sustained peak rate</param>
/// <param name="NeedsReplay">consumers must re-read history (new consumers, reprocessing, event sourcing)</param>
/// <param name="RetentionDays">how long messages must be kept</param>
/// <param name="ConsumerGroups">independent consumers of every message (fan-out)</param>
/// <param name="NeedsRouting">per-message routing by key patterns or headers, priorities, per-message TTL</param>
/// <param name="PerKeyOrdering">ordering per entity key required</param>
/// <param name="ManagedAwsOnly">the team runs no brokers and is on AWS</param>
/// <param name="PerMessageWork">a work queue: each message is a job, acked individually, retried or dead-lettered</param>
public sealed record Workload(string Name, double MessagesPerSecond, bool NeedsReplay, double RetentionDays, int ConsumerGroups,
    bool NeedsRouting, bool PerKeyOrdering, bool ManagedAwsOnly, bool PerMessageWork);

/// <summary>A recommendation and the reasons for and against each option.</summary>
public sealed record BrokerDecision(string Workload, string Choice, string Why, string KafkaScore, string RabbitScore, string SqsScore);

/// <summary>
/// The guide's decision framework as code: each broker gets hard exclusions (a requirement it cannot meet) and a
/// score for what it does well. Thresholds: one RabbitMQ node sustains tens of thousands of persistent messages
/// per second (we use 50,000/s) and a standard SQS queue scales horizontally but charges per request; SQS keeps
/// messages at most 14 days and has no replay; classic RabbitMQ queues delete on ack (streams since 3.9 replay).
/// </summary>
public static class BrokerChoice
{
    public const double RabbitPerNodeMessagesPerSecond = 50_000;

    public static BrokerDecision Decide(Workload w)
    {
        Guard.NotNull(w);
        Guard.InRange(w.MessagesPerSecond, 0, 1e9);
        Guard.InRange(w.RetentionDays, 0, 36_500);
        Guard.InRange(w.ConsumerGroups, 1, 10_000);
        var (k, kWhy) = Score(
            (w.NeedsReplay, 3, "replay"), (w.ConsumerGroups > 2, 2, "fan-out"),
            (w.MessagesPerSecond > RabbitPerNodeMessagesPerSecond, 3, "throughput"), (w.PerKeyOrdering, 1, "per-key order"),
            (w.NeedsRouting, -2, "no routing"), (w.ManagedAwsOnly, -2, "brokers to run"), (w.PerMessageWork, -1, "no per-message ack"));
        var (r, rWhy) = Score(
            (w.NeedsRouting, 3, "routing"), (w.PerMessageWork, 2, "per-message ack, DLX"),
            (w.MessagesPerSecond > RabbitPerNodeMessagesPerSecond, -3, "throughput"), (w.NeedsReplay, -1, "replay only on streams"),
            (w.ManagedAwsOnly, -2, "brokers to run"));
        var (s, sWhy) = Score(
            (w.ManagedAwsOnly, 3, "managed"), (w.PerMessageWork, 2, "visibility timeout, DLQ"),
            (w.NeedsRouting, -1, "no routing"), (w.PerKeyOrdering, -1, "FIFO queues only"));
        bool sqsOut = w.NeedsReplay || w.RetentionDays > MessagingDefaults.SqsRetentionDaysMax;
        bool rabbitOut = w.MessagesPerSecond > 4 * RabbitPerNodeMessagesPerSecond;
        var options = new List<(string Name, int Score)> { ("Kafka", k) };
        if (!rabbitOut) options.Add(("RabbitMQ", r));
        if (!sqsOut) options.Add(("SQS", s));
        var best = options.OrderByDescending(o => o.Score).First();
        string why = best.Name switch { "Kafka" => kWhy, "RabbitMQ" => rWhy, _ => sWhy };
        return new BrokerDecision(w.Name, best.Name, why, $"{k}", rabbitOut ? "excluded" : $"{r}", sqsOut ? "excluded" : $"{s}");
    }

    private static (int Score, string Why) Score(params (bool When, int Points, string What)[] rules)
    {
        var hit = rules.Where(x => x.When).ToList();
        return (hit.Sum(x => x.Points), string.Join(", ", hit.Where(x => x.Points > 0).Select(x => x.What)));
    }
}
