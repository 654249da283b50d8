namespace SystemDesign.Messaging;

/// <summary>Producer acknowledgement setting (Kafka's <c>acks</c>).</summary>
public enum Acks
{
    /// <summary>acks=0: the producer does not wait for the broker; it never learns of a loss.</summary>
    None,
    /// <summary>acks=1: the leader acknowledges after writing its own log.</summary>
    Leader,
    /// <summary>acks=all (-1): the leader acknowledges once every in-sync replica has the record.</summary>
    All,
}

/// <summary>When the consumer commits its offset relative to processing a polled batch.</summary>
public enum CommitMode
{
    /// <summary>Commit the batch's end offset, then process: a crash mid-batch loses the rest.</summary>
    BeforeProcessing,
    /// <summary>Process, then commit: a crash mid-batch re-processes the batch's start.</summary>
    AfterProcessing,
    /// <summary>Process then commit, and skip message ids already processed (an idempotency key stored with
    /// the effect, e.g. a unique constraint or SET NX).</summary>
    AfterProcessingIdempotent,
}

/// <summary>One end-to-end configuration of producer and consumer.</summary>
public sealed record DeliveryConfig(string Name, Acks Acks, bool Retries, bool IdempotentProducer, CommitMode Commit);

/// <summary>The failures injected, the same for every configuration (same seed ⇒ same failures).</summary>
/// <param name="Messages">distinct messages the application sends</param>
/// <param name="RequestLoss">probability a produce request is lost before reaching the leader</param>
/// <param name="AckLoss">probability the leader's response is lost on the way back</param>
/// <param name="Failovers">leader crashes, evenly spread; the new leader is the follower</param>
/// <param name="FollowerLag">records the follower is behind the leader when the leader crashes</param>
/// <param name="ConsumerCrash">probability the consumer crashes before processing a given message</param>
/// <param name="BatchSize">records per poll (the commit unit)</param>
public sealed record FailurePlan(int Messages, double RequestLoss, double AckLoss, int Failovers, int FollowerLag,
    double ConsumerCrash, int BatchSize, int Seed);

/// <summary>Lost and duplicated messages of one configuration: lost = ids whose effect never happened,
/// duplicated = extra effects (an id processed k times counts k − 1).</summary>
public sealed record DeliveryOutcome(string Configuration, int Messages, int InLog, int Lost, int Duplicated,
    int LostInProducer, int DuplicatedInLog, int ConsumerCrashes);

/// <summary>
/// A producer → partition leader (+ one follower) → consumer pipeline with injected failures, to show which
/// settings lose and which duplicate. The producer sends ids 0..N−1 in order. A request can be lost (no append)
/// or its response can be lost (append, but the producer does not know). With retries the producer re-sends
/// until acknowledged; acks=0 never re-sends. At each failover the leader crashes with its last
/// <c>FollowerLag</c> records not yet on the follower: those records are gone. Under acks=all they were never
/// acknowledged, so the producer re-sends them; under acks=1 they were, so they are lost. The idempotent
/// producer numbers records per partition and the leader drops a sequence number it already holds. The consumer
/// polls batches, commits before or after processing, and can crash before any message; it resumes at the
/// committed offset.
/// </summary>
public static class DeliverySemantics
{
    /// <summary>The configurations of the notebook's table, weakest first.</summary>
    public static IReadOnlyList<DeliveryConfig> StandardConfigs { get; } = new[]
    {
        new DeliveryConfig("acks=0, commit after", Acks.None, false, false, CommitMode.AfterProcessing),
        new DeliveryConfig("acks=1 + retries, commit after", Acks.Leader, true, false, CommitMode.AfterProcessing),
        new DeliveryConfig("acks=all, no retries, commit after", Acks.All, false, false, CommitMode.AfterProcessing),
        // The idempotent producer is on, as in the "idempotent producer, commit after" row: they differ only in the commit.
        new DeliveryConfig("acks=all + retries + idempotent producer, commit before", Acks.All, true, true,
            CommitMode.BeforeProcessing),
        new DeliveryConfig("acks=all + retries, commit after", Acks.All, true, false, CommitMode.AfterProcessing),
        new DeliveryConfig("acks=all + retries + idempotent producer, commit after", Acks.All, true, true, CommitMode.AfterProcessing),
        new DeliveryConfig("acks=all + retries + idempotent producer + idempotent consumer", Acks.All, true, true,
            CommitMode.AfterProcessingIdempotent),
    };

    /// <summary>Run one configuration under the plan's failures.</summary>
    public static DeliveryOutcome Run(DeliveryConfig config, FailurePlan plan)
    {
        Guard.NotNull(config);
        Guard.NotNull(plan);
        Guard.InRange(plan.Messages, 1, 10_000_000);
        Guard.InRange(plan.RequestLoss, 0, 0.9);
        Guard.InRange(plan.AckLoss, 0, 0.9);
        Guard.InRange(plan.Failovers, 0, 1_000);
        Guard.InRange(plan.FollowerLag, 0, 1_000_000);
        Guard.InRange(plan.ConsumerCrash, 0, 0.5);
        Guard.InRange(plan.BatchSize, 1, 100_000);
        var log = Produce(config, plan);
        int inLog = log.Distinct().Count();
        var (effects, crashes) = Consume(config, plan, log);
        int lost = Enumerable.Range(0, plan.Messages).Count(id => !effects.ContainsKey(id));
        int dup = effects.Values.Sum(c => c - 1);
        return new DeliveryOutcome(config.Name, plan.Messages, log.Count, lost, dup, plan.Messages - inLog,
            log.Count - inLog, crashes);
    }

    /// <summary>The model's prediction for one consumer that received <paramref name="fetched"/> messages, processed
    /// <paramref name="processed"/> of them acknowledging every <paramref name="ackEvery"/> (cumulatively), and died:
    /// the broker redelivers everything not acknowledged, and the processed-but-unacknowledged ones run twice.</summary>
    public static (int Redelivered, int Duplicates) KilledConsumer(int fetched, int processed, int ackEvery)
    {
        Guard.InRange(fetched, 0, 10_000_000);
        Guard.InRange(processed, 0, fetched);
        Guard.InRange(ackEvery, 1, 10_000_000);
        int acked = processed / ackEvery * ackEvery;
        return (fetched - acked, processed - acked);
    }

    /// <summary>The partition's log after production and failovers: the message id of each record.</summary>
    public static List<int> Produce(DeliveryConfig config, FailurePlan plan)
    {
        // Independent streams per failure kind, so configurations see the same network.
        var net = new Random(plan.Seed);
        var log = new List<int>();
        var sequences = new HashSet<int>();        // idempotent producer: sequence numbers the leader holds
        int every = plan.Failovers == 0 ? int.MaxValue : Math.Max(1, plan.Messages / (plan.Failovers + 1));
        int failoversDone = 0;
        var unacked = new List<int>();              // acks=all: records appended but not yet replicated
        for (int id = 0; id < plan.Messages; id++)
        {
            if (failoversDone < plan.Failovers && id > 0 && id % every == 0)
            {
                failoversDone++;
                int drop = Math.Min(plan.FollowerLag, log.Count);
                var gone = log.GetRange(log.Count - drop, drop);
                log.RemoveRange(log.Count - drop, drop);
                foreach (int g in gone) sequences.Remove(g);
                // acks=all: those records were never acknowledged (not on every in-sync replica): re-sent.
                if (config.Acks == Acks.All && config.Retries)
                    foreach (int g in gone.Distinct()) if (!log.Contains(g)) Send(g);
            }
            Send(id);
        }
        return log;

        void Send(int id)
        {
            for (int attempt = 0; ; attempt++)
            {
                bool arrives = net.NextDouble() >= plan.RequestLoss;
                bool ackBack = net.NextDouble() >= plan.AckLoss;
                if (arrives && !(config.IdempotentProducer && sequences.Contains(id)))
                {
                    log.Add(id);
                    sequences.Add(id);
                }
                if (config.Acks == Acks.None || !config.Retries) return;   // fire and forget, or give up
                if (arrives && ackBack) return;
                if (attempt > 1000) return;
            }
        }
    }

    private static (Dictionary<int, int> Effects, int Crashes) Consume(DeliveryConfig config, FailurePlan plan, List<int> log)
    {
        var rng = new Random(plan.Seed * 7919 + 1);
        var effects = new Dictionary<int, int>();
        int committed = 0, crashes = 0;
        while (committed < log.Count)
        {
            int end = Math.Min(log.Count, committed + plan.BatchSize);
            int start = committed;
            if (config.Commit == CommitMode.BeforeProcessing) committed = end;
            bool crashed = false;
            for (int i = start; i < end; i++)
            {
                if (rng.NextDouble() < plan.ConsumerCrash) { crashed = true; crashes++; break; }
                int id = log[i];
                if (config.Commit == CommitMode.AfterProcessingIdempotent && effects.ContainsKey(id)) continue;
                effects[id] = effects.GetValueOrDefault(id) + 1;
            }
            if (!crashed && config.Commit != CommitMode.BeforeProcessing) committed = end;
        }
        return (effects, crashes);
    }
}
