using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SystemDesign.Messaging;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Messaging;

/// <summary>
/// The labs start from a clean slate and leave none behind: a queue, stream or table left over by a crashed run (of
/// another kind, with stale messages) does not change the results, and nothing the lab created is left afterwards.
/// </summary>
[Collection("Messaging brokers")] // one at a time: they share the brokers
public sealed class BrokerHygieneTests
{
    private static async Task<bool> QueueExists(IConnection rabbit, string queue)
    {
        await using var channel = await rabbit.CreateChannelAsync();
        try
        {
            await channel.QueueDeclarePassiveAsync(queue);
            return true;
        }
        catch (OperationInterruptedException)
        {
            return false;
        }
    }

    /// <summary>A classic queue holding one stale message: a lab that re-declared it without deleting it first
    /// would fail (a quorum queue or stream cannot be declared over a classic one) or read the stale message.</summary>
    private static async Task LeaveStaleQueue(IConnection rabbit, string queue, string body)
    {
        await using var channel = await rabbit.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.BasicPublishAsync("", queue, mandatory: true, basicProperties: new BasicProperties { MessageId = "order-0" },
            body: Encoding.UTF8.GetBytes(body));
    }

    private static async Task<long> Tables(NpgsqlConnection pg, string prefix)
    {
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM pg_tables WHERE tablename LIKE '{prefix}%'", pg);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task Exec(NpgsqlConnection pg, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, pg);
        await cmd.ExecuteNonQueryAsync();
    }

    [SkippableFact]
    public async Task The_killed_consumer_lab_replaces_a_leftover_queue_and_deletes_its_own()
    {
        using var rabbit = RealSystem.RequireRabbitMq();
        string queue = Brokers.Unique("test08.stale");
        await LeaveStaleQueue(rabbit, queue, "stale");
        var r = await RabbitLab.KilledConsumerAsync(rabbit, queue, 6, fetch: 4, processed: 2, ackEvery: 1);
        Assert.Equal((6, 4, 2, 2, 0, 0, 6), (r.Confirmed, r.Fetched, r.Acked, r.Redelivered, r.Lost, r.DuplicateEffects, r.IdempotentEffects));
        Assert.False(await QueueExists(rabbit, queue));
    }

    [SkippableFact]
    public async Task The_stream_lab_replaces_a_leftover_queue_and_deletes_its_stream()
    {
        using var rabbit = RealSystem.RequireRabbitMq();
        string stream = Brokers.Unique("test08.stalestream");
        await LeaveStaleQueue(rabbit, stream, "stale");
        var r = await RabbitLab.StreamFromOffsetAsync(rabbit, stream, 4, 1);
        Assert.Equal(new StreamReadResult(4, 1, 1, 3, true, 4, true), r);
        Assert.False(await QueueExists(rabbit, stream));
    }

    [SkippableFact]
    public async Task The_dual_write_lab_starts_from_empty_tables_and_queue_and_drops_them()
    {
        using var pg = RealSystem.RequirePostgres();
        using var rabbit = RealSystem.RequireRabbitMq();
        string prefix = Brokers.Unique("t08");
        await Exec(pg, $"CREATE TABLE {prefix}_orders (id int PRIMARY KEY, junk text); INSERT INTO {prefix}_orders VALUES (99, 'stale')");
        await LeaveStaleQueue(rabbit, $"{prefix}.events", "99");
        var rows = await OutboxLab.RunAsync(pg, rabbit, prefix, 4, new[] { 1 });
        Assert.Equal(new[]
        {
            new OutboxResult("dual write: database, then publish", 4, 1, 4, 3, 1, 0, 0, 3),
            new OutboxResult("dual write: publish, then database", 4, 1, 3, 4, 0, 1, 0, 4),
            new OutboxResult("outbox table + relay", 4, 1, 4, 5, 0, 0, 1, 4),
        }, rows);
        Assert.Equal(0, await Tables(pg, prefix));
        Assert.False(await QueueExists(rabbit, $"{prefix}.events"));
    }

    [SkippableFact]
    public async Task The_relay_lab_starts_from_empty_tables_and_queue_and_drops_them()
    {
        using var pg = RealSystem.RequirePostgres();
        using var rabbit = RealSystem.RequireRabbitMq();
        string prefix = Brokers.Unique("t08");
        await Exec(pg, $"CREATE TABLE {prefix}_processed (event_id int PRIMARY KEY); INSERT INTO {prefix}_processed VALUES (0)");
        await LeaveStaleQueue(rabbit, $"{prefix}.relay", "2");
        // No kills: each of the 5 orders is published, delivered and shipped once by both consumers.
        var r = await OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, prefix, 5, 2, Array.Empty<(int, int)>(), Array.Empty<int>());
        Assert.Equal(new OutboxRelayResult(5, 2, 0, 0, 5, 5, 0, 0, 5, 5, 5, 0), r);
        Assert.Equal(0, await Tables(pg, prefix));
        Assert.False(await QueueExists(rabbit, $"{prefix}.relay"));
    }

    [SkippableFact]
    public async Task The_nats_labs_replace_leftover_streams_and_delete_theirs()
    {
        await using var nats = RealSystem.RequireNats();
        var js = new NatsJSContext(nats);
        string prefix = Brokers.Unique("t08"), upper = prefix.ToUpperInvariant();
        foreach (var name in new[] { "DEDUP", "PLAIN", "WORK" })   // same names, other subjects: cannot be re-created as is
        {
            await js.CreateStreamAsync(new StreamConfig($"{upper}_{name}", new[] { $"{prefix}.stale.{name.ToLowerInvariant()}" })
            {
                Storage = StreamConfigStorage.Memory,
            });
            (await js.PublishAsync($"{prefix}.stale.{name.ToLowerInvariant()}", "stale")).EnsureSuccess();
        }
        var d = await NatsLab.DedupAsync(nats, new[] { 7, 7 }, TimeSpan.FromMilliseconds(100), prefix);
        Assert.Equal(new NatsDedupResult(2, 1, 1, 2, 1, true), d);
        var w = await NatsLab.AckWaitAsync(nats, 2, 2, TimeSpan.FromMilliseconds(100), prefix);
        Assert.Equal((2, 2, 0, 0), (w.Delivered, w.Acked, w.Redelivered, w.LeftAfterAcking));
        foreach (var name in new[] { "DEDUP", "PLAIN", "WORK" })
        {
            var gone = await Assert.ThrowsAsync<NatsJSApiException>(async () => await js.GetStreamAsync($"{upper}_{name}"));
            Assert.Equal(404, gone.Error.Code);
        }
    }
}
