namespace SystemDesign.Messaging;

/// <summary>One partition's share of a run: records by kind and its owner in the consumer group.</summary>
public sealed record PartitionLoad(int Partition, int Keyed, int Unkeyed, string Owner);

/// <summary>The result of <see cref="PartitionFlow.Run"/>.</summary>
public sealed record FlowResult(IReadOnlyList<PartitionLoad> Partitions, int ActiveConsumers, int KeyedEntities,
    int KeyedEntitiesOutOfOrder, int UnkeyedEntities, int UnkeyedEntitiesOutOfOrder, string Assignment,
    int KeyedEntitiesMoved = 0, int OutOfOrderAmongMoved = 0);

/// <summary>
/// Produce records for <c>entities</c> entities (orders), each record carrying its entity's next sequence number.
/// A share of entities is produced with the entity id as key (Kafka's default partitioner), the rest without a key
/// (sticky or round-robin). The group's consumers read their partitions, each at its own random pace; an entity is
/// out of order when a consumer processes one of its records after a later one.
/// </summary>
public static class PartitionFlow
{
    /// <param name="growTo">if above <paramref name="partitions"/>: the topic grows to this many partitions half-way
    /// through production (keys are re-hashed on the new count; the group is reassigned over all partitions)</param>
    public static FlowResult Run(int partitions, int consumers, AssignorKind assignor, int entities, int records,
        double keyedShare, UnkeyedStrategy unkeyed, int seed, int growTo = 0)
    {
        Guard.InRange(growTo, 0, 1_000);
        int finalPartitions = Math.Max(partitions, growTo);
        Guard.InRange(partitions, 1, 1_000);
        Guard.InRange(consumers, 1, 1_000);
        Guard.InRange(entities, 1, 1_000_000);
        Guard.InRange(records, 1, 1_000_000);
        Guard.InRange(keyedShare, 0, 1);
        var rng = new Random(seed);
        bool[] keyed = Enumerable.Range(0, entities).Select(_ => rng.NextDouble() < keyedShare).ToArray();
        int[] keyPartition = Enumerable.Range(0, entities).Select(e => KafkaPartitioner.PartitionFor($"order-{e}", partitions)).ToArray();
        int[] keyPartitionAfter = Enumerable.Range(0, entities).Select(e => KafkaPartitioner.PartitionFor($"order-{e}", finalPartitions)).ToArray();
        // Unkeyed placement: the accumulator's choice for a stream of that many unkeyed records.
        int unkeyedCount = 0;
        var plan = Enumerable.Range(0, records).Select(_ => rng.Next(entities)).ToArray();
        foreach (int e in plan) if (!keyed[e]) unkeyedCount++;
        var unkeyedParts = unkeyedCount == 0 ? new List<int>() : ProducerBatching.Run(unkeyed, partitions, 10_000, 5,
            100, unkeyedCount, seed + 1).Batches.OrderBy(b => b.SentAt).SelectMany(b => Enumerable.Repeat(b.Partition, b.Records)).ToList();
        // The i-th unkeyed record goes where the accumulator put the i-th record of its run (batches in send order).
        var logs = Enumerable.Range(0, finalPartitions).Select(_ => new List<(int Entity, int Seq)>()).ToArray();
        var seq = new int[entities];
        int u = 0, index = 0;
        var keyedCount = new int[finalPartitions];
        var unkeyedPer = new int[finalPartitions];
        var moved = new bool[entities];
        foreach (int e in plan)
        {
            bool after = finalPartitions > partitions && index++ >= records / 2;
            int p = keyed[e] ? (after ? keyPartitionAfter[e] : keyPartition[e]) : unkeyedParts[u++];
            if (keyed[e] && after && keyPartitionAfter[e] != keyPartition[e] && seq[e] > 0) moved[e] = true;
            (keyed[e] ? keyedCount : unkeyedPer)[p]++;
            logs[p].Add((e, seq[e]++));
        }
        var members = Rebalance.Members(consumers);
        var assignment = Assignors.Assign(assignor, members, new Dictionary<string, int> { ["orders"] = finalPartitions });
        var owner = new string[finalPartitions];
        foreach (var (m, list) in assignment) foreach (var tp in list) owner[tp.Partition] = m;
        // Consume: each step a random consumer with work takes the next record of one of its partitions.
        var pos = new int[finalPartitions];
        var last = Enumerable.Repeat(-1, entities).ToArray();
        var outOfOrder = new bool[entities];
        var queues = assignment.Values.Where(l => l.Count > 0).Select(l => l.Select(tp => tp.Partition).ToList()).ToList();
        while (queues.Count > 0)
        {
            int c = rng.Next(queues.Count);
            var mine = queues[c];
            int p = mine[rng.Next(mine.Count)];
            if (pos[p] >= logs[p].Count) { mine.Remove(p); if (mine.Count == 0) queues.RemoveAt(c); continue; }
            var (e, s) = logs[p][pos[p]++];
            if (s < last[e]) outOfOrder[e] = true;
            last[e] = Math.Max(last[e], s);
        }
        var loads = Enumerable.Range(0, finalPartitions).Select(p => new PartitionLoad(p, keyedCount[p], unkeyedPer[p], owner[p])).ToList();
        int ke = keyed.Count(k => k), ue = entities - ke;
        return new FlowResult(loads, Assignors.ActiveMembers(assignment), ke,
            Enumerable.Range(0, entities).Count(e => keyed[e] && outOfOrder[e]), ue,
            Enumerable.Range(0, entities).Count(e => !keyed[e] && outOfOrder[e]), Assignors.Describe(assignment),
            moved.Count(m => m), Enumerable.Range(0, entities).Count(e => moved[e] && outOfOrder[e]));
    }
}
