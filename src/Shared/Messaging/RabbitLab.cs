using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace SystemDesign.Messaging;

/// <summary>What the killed-consumer experiment on a real quorum queue measured.</summary>
/// <param name="Confirmed">publishes the broker confirmed (publisher confirms)</param>
/// <param name="Fetched">messages the first consumer received before it was killed</param>
/// <param name="Acked">of those, acknowledged before the kill</param>
/// <param name="Redelivered">messages the second consumer received flagged <c>redelivered</c></param>
/// <param name="DeliveryCounts">the <c>x-delivery-count</c> header values seen on redeliveries (quorum queues)</param>
/// <param name="Lost">message ids never processed</param>
/// <param name="DuplicateEffects">extra processings (an id processed k times counts k − 1)</param>
/// <param name="IdempotentEffects">processings after de-duplication by message id</param>
public sealed record RedeliveryResult(int Published, int Confirmed, int Fetched, int Processed, int Acked, int Redelivered,
    IReadOnlyList<long> DeliveryCounts, int Lost, int DuplicateEffects, int IdempotentEffects, double ConfirmMsPerMessage);

/// <summary>What reading a real RabbitMQ stream from an offset returned.</summary>
public sealed record StreamReadResult(int Published, long RequestedOffset, long FirstOffset, int Read, bool SameAsPublished,
    int ReplayRead, bool ReplaySame);

/// <summary>
/// Experiments on a real RabbitMQ node (RabbitMQ.Client 7). Every queue is deleted at the start and at the end.
/// </summary>
public static class RabbitLab
{
    /// <summary>Publish <paramref name="messages"/> with publisher confirms to a quorum queue; a first consumer takes
    /// <paramref name="fetch"/> without auto-ack, processes <paramref name="processed"/> of them acknowledging every
    /// <paramref name="ackEvery"/> (multiple=true), then its connection is aborted (killed); a second consumer drains
    /// the queue. Effects are counted per message id.</summary>
    public static async Task<RedeliveryResult> KilledConsumerAsync(IConnection connection, string queue, int messages,
        int fetch, int processed, int ackEvery)
    {
        Guard.NotNull(connection);
        Guard.NotEmpty(queue);
        Guard.InRange(messages, 1, 100_000);
        Guard.InRange(fetch, 1, messages);
        Guard.InRange(processed, 0, fetch);
        Guard.InRange(ackEvery, 1, 100_000);
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        await using var channel = await connection.CreateChannelAsync(options);
        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        int confirmed = 0;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < messages; i++)
        {
            var props = new BasicProperties { MessageId = $"order-{i}", Persistent = true };
            // With confirmation tracking the call returns once the broker confirmed (and throws on a nack).
            await channel.BasicPublishAsync("", queue, mandatory: true, basicProperties: props,
                body: Encoding.UTF8.GetBytes($"order {i}"));
            confirmed++;
        }
        double confirmMs = sw.Elapsed.TotalMilliseconds / messages;
        var effects = new Dictionary<string, int>();
        int acked = 0;
        // The first consumer, on a connection of its own.
        var factory = new ConnectionFactory { HostName = connection.Endpoint.HostName, Port = connection.Endpoint.Port,
            UserName = "guest", Password = "guest", AutomaticRecoveryEnabled = false };
        var doomed = await factory.CreateConnectionAsync();
        var c1 = await doomed.CreateChannelAsync();
        var got = new List<BasicGetResult>();
        while (got.Count < fetch && await c1.BasicGetAsync(queue, autoAck: false) is { } r) got.Add(r);
        for (int i = 0; i < processed; i++)
        {
            var id = got[i].BasicProperties.MessageId ?? "";
            effects[id] = effects.GetValueOrDefault(id) + 1;
            if ((i + 1) % ackEvery == 0) { await c1.BasicAckAsync(got[i].DeliveryTag, multiple: true); acked = i + 1; }
        }
        await doomed.AbortAsync();   // killed: no close handshake, unacknowledged deliveries go back to the queue
        doomed.Dispose();
        // The second consumer drains the queue.
        int redelivered = 0;
        var counts = new List<long>();
        var idempotent = new HashSet<string>(effects.Keys);
        // The broker requeues the dead connection's deliveries asynchronously: an empty queue only ends the drain
        // once every id has been seen, or after 5 s (then the missing ones count as lost).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var r = await channel.BasicGetAsync(queue, autoAck: false);
            if (r is null)
            {
                if (idempotent.Count >= messages || DateTime.UtcNow > deadline) break;
                await Task.Delay(20);
                continue;
            }
            var id = r.BasicProperties.MessageId ?? "";
            if (r.Redelivered)
            {
                redelivered++;
                if (r.BasicProperties.Headers?.TryGetValue("x-delivery-count", out var dc) == true && dc is not null)
                    counts.Add(Convert.ToInt64(dc));
            }
            effects[id] = effects.GetValueOrDefault(id) + 1;
            idempotent.Add(id);
            await channel.BasicAckAsync(r.DeliveryTag, multiple: false);
        }
        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
        int lost = Enumerable.Range(0, messages).Count(i => !effects.ContainsKey($"order-{i}"));
        return new RedeliveryResult(messages, confirmed, got.Count, processed, acked, redelivered, counts, lost,
            effects.Values.Sum(c => c - 1), idempotent.Count, confirmMs);
    }

    /// <summary>Publish <paramref name="messages"/> to a stream queue, read it from <paramref name="fromOffset"/>
    /// over AMQP (<c>x-stream-offset</c>), then again from the first offset.</summary>
    public static async Task<StreamReadResult> StreamFromOffsetAsync(IConnection connection, string stream, int messages,
        long fromOffset)
    {
        Guard.NotNull(connection);
        Guard.NotEmpty(stream);
        Guard.InRange(messages, 1, 100_000);
        Guard.InRange(fromOffset, 0, messages - 1);
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        await using var channel = await connection.CreateChannelAsync(options);
        await channel.QueueDeleteAsync(stream, ifUnused: false, ifEmpty: false);
        await channel.QueueDeclareAsync(stream, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "stream" });
        var published = Enumerable.Range(0, messages).Select(i => $"event {i}").ToList();
        foreach (var body in published)
            await channel.BasicPublishAsync("", stream, mandatory: true, basicProperties: new BasicProperties(),
                body: Encoding.UTF8.GetBytes(body));
        var fromMiddle = await ReadAsync(connection, stream, fromOffset, messages - (int)fromOffset);
        var replay = await ReadAsync(connection, stream, "first", messages);
        await channel.QueueDeleteAsync(stream, ifUnused: false, ifEmpty: false);
        bool same = fromMiddle.Select(m => m.Body).SequenceEqual(published.Skip((int)fromOffset));
        return new StreamReadResult(messages, fromOffset, fromMiddle.Count > 0 ? fromMiddle[0].Offset : -1, fromMiddle.Count, same,
            replay.Count, replay.Select(m => m.Body).SequenceEqual(published));
    }

    private static async Task<List<(long Offset, string Body)>> ReadAsync(IConnection connection, string stream, object offset, int expected)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, 500, false);   // streams require a prefetch and manual acks
        var got = new List<(long, string)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, ea) =>
        {
            long off = ea.BasicProperties.Headers?.TryGetValue("x-stream-offset", out var o) == true && o is not null ? Convert.ToInt64(o) : -1;
            lock (got) got.Add((off, Encoding.UTF8.GetString(ea.Body.Span)));
            await channel.BasicAckAsync(ea.DeliveryTag, false);
            lock (got) if (got.Count >= expected) done.TrySetResult();
        };
        string tag = await channel.BasicConsumeAsync(stream, autoAck: false, consumerTag: "", noLocal: false, exclusive: false,
            arguments: new Dictionary<string, object?> { ["x-stream-offset"] = offset }, consumer: consumer);
        await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        await channel.BasicCancelAsync(tag);
        lock (got) return got.OrderBy(g => g.Item1).ToList();
    }
}
