using SystemDesign.Messaging;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Messaging;

/// <summary>Names for the brokers' tests; the brokers themselves come from <see cref="RealSystem"/>.</summary>
internal static class Brokers
{
    /// <summary>A name no other test run uses: Stryker runs two test processes against the same servers.</summary>
    public static string Unique(string stem) => $"{stem}_{Guid.NewGuid():N}"[..(stem.Length + 21)];
}

[Collection("Messaging brokers")] // one at a time: they share the brokers
public sealed class RabbitTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Killed_consumer_gets_its_unacked_messages_redelivered()
    {
        using var rabbit = RealSystem.RequireRabbitMq();
        var r = await RabbitLab.KilledConsumerAsync(rabbit, Brokers.Unique("test08.orders"), 60, fetch: 30, processed: 25, ackEvery: 10);
        output.WriteLine(r + " counts " + string.Join(",", r.DeliveryCounts));
        Assert.Equal((60, 60, 30, 25, 20), (r.Published, r.Confirmed, r.Fetched, r.Processed, r.Acked));
        Assert.Equal(10, r.Redelivered);
        // A quorum queue stamps each redelivery with x-delivery-count (a classic queue would not): one earlier delivery.
        Assert.Equal(Enumerable.Repeat(1L, 10), r.DeliveryCounts);
        Assert.Equal(0, r.Lost);
        Assert.Equal(5, r.DuplicateEffects);
        Assert.Equal(60, r.IdempotentEffects);
        Assert.True(r.ConfirmMsPerMessage > 0);
    }

    [SkippableFact]
    public async Task A_consumer_killed_holding_the_whole_queue_loses_nothing()
    {
        // Everything is out with the doomed consumer: the drain must wait for the broker to requeue it.
        using var rabbit = RealSystem.RequireRabbitMq();
        var r = await RabbitLab.KilledConsumerAsync(rabbit, Brokers.Unique("test08.all"), 10, fetch: 10, processed: 5, ackEvery: 2);
        output.WriteLine(r.ToString());
        Assert.Equal((10, 5, 4), (r.Fetched, r.Processed, r.Acked));
        Assert.Equal(6, r.Redelivered);
        Assert.Equal(Enumerable.Repeat(1L, 6), r.DeliveryCounts);
        Assert.Equal(0, r.Lost);
        Assert.Equal(1, r.DuplicateEffects);        // the 5th was processed, not acknowledged
        Assert.Equal(10, r.IdempotentEffects);
    }

    [SkippableFact]
    public async Task Stream_reads_from_an_offset_and_replays()
    {
        using var rabbit = RealSystem.RequireRabbitMq();
        var r = await RabbitLab.StreamFromOffsetAsync(rabbit, Brokers.Unique("test08.stream"), 100, 50);
        output.WriteLine(r.ToString());
        Assert.Equal((100, 50L, 50L, 50), (r.Published, r.RequestedOffset, r.FirstOffset, r.Read));
        Assert.True(r.SameAsPublished);
        Assert.Equal(100, r.ReplayRead);
        Assert.True(r.ReplaySame);
    }

    [SkippableFact]
    public async Task Stream_read_from_the_last_offset_returns_one_message()
    {
        using var rabbit = RealSystem.RequireRabbitMq();
        var r = await RabbitLab.StreamFromOffsetAsync(rabbit, Brokers.Unique("test08.last"), 5, 4);
        output.WriteLine(r.ToString());
        Assert.Equal(new StreamReadResult(5, 4, 4, 1, true, 5, true), r);
    }
}

[Collection("Messaging brokers")] // one at a time: they share the brokers
public sealed class NatsTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task MsgId_deduplicates_retries_within_the_window()
    {
        await using var nats = RealSystem.RequireNats();
        var attempts = new[] { 0, 1, 1, 2, 3, 3, 3, 4 };
        var r = await NatsLab.DedupAsync(nats, attempts, TimeSpan.FromMilliseconds(300), Brokers.Unique("t08"));
        output.WriteLine(r.ToString());
        Assert.Equal(new NatsDedupResult(8, 5, 5, 8, 3, true), r);
    }

    [SkippableFact]
    public async Task Unacked_messages_come_back_after_the_ack_wait()
    {
        await using var nats = RealSystem.RequireNats();
        var r = await NatsLab.AckWaitAsync(nats, 10, 6, TimeSpan.FromMilliseconds(300), Brokers.Unique("t08"));
        output.WriteLine(r + " " + string.Join(",", r.NumDelivered));
        Assert.Equal((10, 6, 4), (r.Delivered, r.Acked, r.Redelivered));
        Assert.Equal(new ulong[] { 2, 2, 2, 2 }, r.NumDelivered);
        Assert.Equal(0, r.LeftAfterAcking);
        Assert.True(r.MsUntilRedelivery > 0);
    }

    [SkippableFact]
    public async Task Acknowledging_everything_leaves_nothing_to_redeliver()
    {
        await using var nats = RealSystem.RequireNats();
        var r = await NatsLab.AckWaitAsync(nats, 3, 3, TimeSpan.FromMilliseconds(300), Brokers.Unique("t08"));
        output.WriteLine(r.ToString());
        Assert.Equal((3, 3, 0, 0), (r.Delivered, r.Acked, r.Redelivered, r.LeftAfterAcking));
        Assert.Empty(r.NumDelivered);
    }
}

[Collection("Messaging brokers")] // one at a time: they share the brokers
public sealed class OutboxTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Only_the_outbox_keeps_orders_and_events_in_step()
    {
        using var pg = RealSystem.RequirePostgres();
        using var rabbit = RealSystem.RequireRabbitMq();
        var rows = await OutboxLab.RunAsync(pg, rabbit, Brokers.Unique("t08"), 30, new[] { 4, 11, 25 });
        foreach (var r in rows) output.WriteLine(r.ToString());
        Assert.Equal(new[]
        {
            // database first: 3 orders never announced; publish first: 3 events for orders that were never saved;
            // outbox: the relay re-publishes the 3 rows it crashed on, so 3 duplicates, none missing.
            new OutboxResult("dual write: database, then publish", 30, 3, 30, 27, 3, 0, 0, 27),
            new OutboxResult("dual write: publish, then database", 30, 3, 27, 30, 0, 3, 0, 30),
            new OutboxResult("outbox table + relay", 30, 3, 30, 33, 0, 0, 3, 30),
        }, rows);
    }

    [SkippableFact]
    public async Task A_relay_killed_mid_batch_republishes_and_only_the_idempotent_consumer_ships_once()
    {
        using var pg = RealSystem.RequirePostgres();
        using var rabbit = RealSystem.RequireRabbitMq();
        string prefix = Brokers.Unique("t08");
        // Batches of 4: batch 1 (orders 4..7) is killed after 2 publishes and re-published whole; the consumer dies
        // before acking its 4th message (order 3), which comes back redelivered.
        var r = await OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, prefix, 12, 4, new[] { (1, 2) }, new[] { 3 });
        output.WriteLine(r.ToString());
        Assert.Equal(new OutboxRelayResult(12, 4, RelayKills: 1, ConsumerKills: 1, Deliveries: 15, DistinctEvents: 12, Duplicates: 3,
            Redelivered: 1, NaiveEffects: 15, IdempotentEffects: 12, OrdersShippedOnce: 12, OrdersNeverShipped: 0), r);
        using var cmd = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM pg_tables WHERE tablename LIKE '{prefix}%'", pg);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);      // dropped at the end
    }
}
