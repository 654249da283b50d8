using System.Text;
using SystemDesign.Messaging;

namespace SystemDesign.Tests.Messaging;

/// <summary>Keyed partitioning, the producer's accumulator for unkeyed records, and the partition flow: exact values
/// where the input fixes them (hash vectors, seeded runs, hand-built batches), invariants where it does not.</summary>
public sealed class PartitioningTests
{
    [Fact]
    public void A_keyed_record_goes_to_the_positive_hash_modulo_the_partition_count()
    {
        // murmur2("21") = -973932308 → toPositive 1173551340; "abc" = 479470107.
        Assert.Equal(1173551340 % 7, KafkaPartitioner.PartitionFor("21", 7));
        Assert.Equal(3, KafkaPartitioner.PartitionFor("21", 7));
        Assert.Equal(479470107 % 10, KafkaPartitioner.PartitionFor(Encoding.ASCII.GetBytes("abc"), 10));
        Assert.Equal(KafkaPartitioner.PartitionFor(Encoding.UTF8.GetBytes("ключ"), 13), KafkaPartitioner.PartitionFor("ключ", 13));
    }

    [Theory]
    [InlineData(6, 12, 0.5)]          // doubling: h mod 12 keeps h mod 6 for half the values
    [InlineData(6, 6, 0.0)]
    [InlineData(3, 4, 0.75)]          // lcm 12: only h = 0, 1, 2 agree
    [InlineData(4, 2, 0.5)]
    [InlineData(6, 9, 2.0 / 3)]       // lcm 18 (gcd 3): h = 0..5 agree
    [InlineData(1, 5, 0.8)]
    public void The_expected_moved_share_counts_one_period_of_the_hash_values(int before, int after, double share) =>
        Assert.Equal(share, KafkaPartitioner.ExpectedMovedShare(before, after), 12);

    [Fact]
    public void The_measured_moved_share_is_the_fraction_of_keys_whose_partition_changes()
    {
        // Partitions for 2 → 3: 21 0→0, foobar 0→0, abc 1→0, kafka 0→1, 1234 0→0, 234 0→2, 34 0→0, 4 1→1.
        var keys = new[] { "21", "foobar", "abc", "kafka", "1234", "234", "34", "4" };
        Assert.Equal(3.0 / 8, KafkaPartitioner.MeasuredMovedShare(keys, 2, 3), 12);
        Assert.Equal(0.0, KafkaPartitioner.MeasuredMovedShare(keys, 5, 5));
        Assert.Equal(1.0, KafkaPartitioner.MeasuredMovedShare(new[] { "abc" }, 2, 3));
    }

    [Fact]
    public void Round_robin_with_one_record_batches_cycles_through_the_partitions()
    {
        var r = ProducerBatching.Run(UnkeyedStrategy.RoundRobin, 3, 1000, 5, 1, 7, 1);
        Assert.Equal(new[] { 0, 1, 2, 0, 1, 2, 0 }, r.Batches.Select(b => b.Partition));
        Assert.All(r.Batches, b => Assert.Equal(1, b.Records));
        Assert.Equal(new[] { 3, 2, 2 }, r.RecordsPerPartition);
        Assert.Equal(1.0, r.MeanBatchRecords);
        Assert.Equal(UnkeyedStrategy.RoundRobin, r.Strategy);
        Assert.Equal(7, r.Records);
        Assert.True(r.Batches.Zip(r.Batches.Skip(1)).All(p => p.First.SentAt < p.Second.SentAt));
    }

    [Fact]
    public void A_seeded_round_robin_run_sends_these_batches()
    {
        var r = ProducerBatching.Run(UnkeyedStrategy.RoundRobin, 3, 1000, 5, 4, 30, 7);
        Assert.Equal(new[] { (0, 2), (1, 2), (2, 2), (0, 2), (1, 1), (2, 2), (1, 2), (0, 2), (2, 2), (1, 2), (0, 3), (2, 3), (1, 2), (0, 1), (1, 1), (2, 1) },
            r.Batches.Select(b => (b.Partition, b.Records)));
        Assert.Equal(new[] { 10, 10, 10 }, r.RecordsPerPartition);
        Assert.Equal(0.00704992687805423, r.Batches[0].SentAt, 12);
        Assert.Equal(0.016676772216980856, r.Batches[5].SentAt, 12);
        Assert.Equal(0.03744069229390892, r.Batches[^1].SentAt, 12);
        Assert.Equal(30.0 / 16, r.MeanBatchRecords, 12);
        Assert.Equal(0, r.MeanBatchStdErr);    // fewer than 40 batches: no batch-means error
        // Batches that expired before an arrival are sent oldest first, each linger (5 ms) after its first record.
        Assert.True(r.Batches.Take(13).Zip(r.Batches.Skip(1).Take(12)).All(p => p.First.SentAt <= p.Second.SentAt));
    }

    [Fact]
    public void A_seeded_sticky_run_fills_one_partition_at_a_time()
    {
        var r = ProducerBatching.Run(UnkeyedStrategy.Sticky, 3, 1000, 5, 4, 30, 7);
        Assert.Equal(new[] { (1, 4), (2, 3), (0, 4), (2, 4), (0, 4), (1, 4), (2, 4), (0, 3) }, r.Batches.Select(b => (b.Partition, b.Records)));
        Assert.Equal(new[] { 11, 8, 11 }, r.RecordsPerPartition);
        Assert.Equal(0.0036415679354901134, r.Batches[0].SentAt, 12);
        Assert.Equal(0.03251854693946177, r.Batches[^1].SentAt, 12);
        Assert.Equal(3.75, r.MeanBatchRecords, 12);
    }

    [Fact]
    public void Sticky_never_picks_the_same_partition_twice_in_a_row_and_batches_never_exceed_batch_size()
    {
        var r = ProducerBatching.Run(UnkeyedStrategy.Sticky, 3, 5000, 2, 7, 3000, 5);
        Assert.All(r.Batches.Zip(r.Batches.Skip(1)), p => Assert.NotEqual(p.First.Partition, p.Second.Partition));
        Assert.All(r.Batches, b => Assert.InRange(b.Records, 1, 7));
        Assert.Equal(3000, r.Batches.Sum(b => b.Records));
        for (int p = 0; p < 3; p++) Assert.Equal(r.RecordsPerPartition[p], r.Batches.Where(b => b.Partition == p).Sum(b => b.Records));
    }

    [Fact]
    public void Sticky_over_one_partition_cuts_full_batches_and_flushes_the_rest()
    {
        var r = ProducerBatching.Run(UnkeyedStrategy.Sticky, 1, 1000, 5, 3, 20, 1);
        Assert.Equal(new[] { 3, 3, 3, 3, 3, 3, 2 }, r.Batches.Select(b => b.Records));
        Assert.All(r.Batches, b => Assert.Equal(0, b.Partition));
        Assert.Equal(new[] { 20 }, r.RecordsPerPartition);
    }

    [Fact]
    public void A_long_seeded_sticky_run_has_this_batch_mean_and_error()
    {
        var r = ProducerBatching.Run(UnkeyedStrategy.Sticky, 4, 2000, 10, 50, 5000, 2);
        Assert.Equal(239, r.Batches.Count);
        Assert.Equal(5000.0 / 239, r.MeanBatchRecords, 12);
        Assert.Equal(0.30089227817620606, r.MeanBatchStdErr, 12);
    }

    [Fact]
    public void Batch_means_error_is_the_sd_of_20_block_means_over_root_20_in_send_order()
    {
        // 40 batches given out of order; in send order, batch j holds j / 2 records, so block i (batches 2i, 2i+1)
        // has mean i: the block means are 0..19, their variance 35, the error √(35 / 20).
        var batches = Enumerable.Range(0, 40).Select(j => new ProducerBatch(0, j / 2, j)).Reverse().ToList();
        var r = new BatchingResult(UnkeyedStrategy.Sticky, batches.Sum(b => b.Records), batches, new[] { 380 });
        Assert.Equal(Math.Sqrt(35.0 / 20), r.MeanBatchStdErr, 12);
        Assert.Equal(380.0 / 40, r.MeanBatchRecords, 12);
        // 39 batches: too few for 20 blocks of two.
        var short39 = new BatchingResult(UnkeyedStrategy.Sticky, 1, batches.Take(39).ToList(), new[] { 1 });
        Assert.Equal(0, short39.MeanBatchStdErr);
        // Unequal blocks: 50 batches, i·50/20 cuts blocks of 2 or 3; one heavy batch only moves its block's mean.
        var fifty = Enumerable.Range(0, 50).Select(j => new ProducerBatch(0, j == 49 ? 21 : 1, j)).ToList();
        var r50 = new BatchingResult(UnkeyedStrategy.Sticky, 70, fifty, new[] { 70 });
        // Last block is batches 47..49 (cut at 19·50/20 = 47): mean (1 + 1 + 21) / 3; the other 19 blocks have mean 1.
        double last = 23.0 / 3, mean = (19 + last) / 20;
        double sd2 = (19 * (1 - mean) * (1 - mean) + (last - mean) * (last - mean)) / 19;
        Assert.Equal(Math.Sqrt(sd2 / 20), r50.MeanBatchStdErr, 12);
        Assert.Equal(0, new BatchingResult(UnkeyedStrategy.RoundRobin, 0, Array.Empty<ProducerBatch>(), new[] { 0 }).MeanBatchRecords);
    }

    [Fact]
    public void A_seeded_flow_without_growth_keeps_every_keyed_entity_in_order()
    {
        var f = PartitionFlow.Run(6, 4, AssignorKind.Range, 60, 500, 0.5, UnkeyedStrategy.Sticky, 3);
        Assert.Equal(new[] { (30, 40, "c00"), (44, 58, "c00"), (39, 0, "c01"), (31, 46, "c01"), (42, 54, "c02"), (69, 47, "c03") },
            f.Partitions.Select(p => (p.Keyed, p.Unkeyed, p.Owner)));
        Assert.Equal(Enumerable.Range(0, 6), f.Partitions.Select(p => p.Partition));
        Assert.Equal(500, f.Partitions.Sum(p => p.Keyed + p.Unkeyed));
        Assert.Equal(4, f.ActiveConsumers);
        Assert.Equal((29, 0, 31, 29), (f.KeyedEntities, f.KeyedEntitiesOutOfOrder, f.UnkeyedEntities, f.UnkeyedEntitiesOutOfOrder));
        Assert.Equal((0, 0), (f.KeyedEntitiesMoved, f.OutOfOrderAmongMoved));
        Assert.Equal("c00: [orders-0, orders-1]; c01: [orders-2, orders-3]; c02: [orders-4]; c03: [orders-5]", f.Assignment);
    }

    [Fact]
    public void A_seeded_flow_that_grows_half_way_reorders_only_moved_keyed_entities()
    {
        var f = PartitionFlow.Run(6, 4, AssignorKind.RoundRobin, 60, 500, 0.5, UnkeyedStrategy.RoundRobin, 3, growTo: 8);
        Assert.Equal(new[] { (39, 41, "c00"), (37, 41, "c01"), (32, 41, "c02"), (42, 41, "c03"), (34, 41, "c00"), (55, 40, "c01"), (6, 0, "c02"), (10, 0, "c03") },
            f.Partitions.Select(p => (p.Keyed, p.Unkeyed, p.Owner)));
        Assert.Equal((29, 8, 31, 26), (f.KeyedEntities, f.KeyedEntitiesOutOfOrder, f.UnkeyedEntities, f.UnkeyedEntitiesOutOfOrder));
        Assert.Equal((18, 8), (f.KeyedEntitiesMoved, f.OutOfOrderAmongMoved));
        Assert.Equal(4, f.ActiveConsumers);
        Assert.Equal("c00: [orders-0, orders-4]; c01: [orders-1, orders-5]; c02: [orders-2, orders-6]; c03: [orders-3, orders-7]", f.Assignment);
    }

    [Fact]
    public void A_seeded_all_keyed_flow_on_the_sticky_assignor_grows_to_seven_partitions()
    {
        var f = PartitionFlow.Run(5, 3, AssignorKind.CooperativeSticky, 60, 500, 1.0, UnkeyedStrategy.Sticky, 3, growTo: 7);
        Assert.Equal(new[] { 89, 130, 50, 44, 114, 32, 41 }, f.Partitions.Select(p => p.Keyed));
        Assert.All(f.Partitions, p => Assert.Equal(0, p.Unkeyed));
        Assert.Equal((60, 26, 0, 0), (f.KeyedEntities, f.KeyedEntitiesOutOfOrder, f.UnkeyedEntities, f.UnkeyedEntitiesOutOfOrder));
        Assert.Equal((49, 26), (f.KeyedEntitiesMoved, f.OutOfOrderAmongMoved));
        Assert.Equal(3, f.ActiveConsumers);
    }

    [Fact]
    public void A_flow_with_more_consumers_than_partitions_leaves_the_extra_consumers_idle()
    {
        var f = PartitionFlow.Run(2, 5, AssignorKind.Range, 10, 40, 0.0, UnkeyedStrategy.RoundRobin, 9, growTo: 2);
        Assert.Equal(2, f.ActiveConsumers);
        Assert.Equal(2, f.Partitions.Count);
        Assert.Equal(0, f.KeyedEntities);
        Assert.All(f.Partitions, p => Assert.Equal(0, p.Keyed));
        Assert.Equal(40, f.Partitions.Sum(p => p.Unkeyed));
        Assert.Equal(0, f.KeyedEntitiesMoved);   // growTo not above partitions: no growth
    }
}
