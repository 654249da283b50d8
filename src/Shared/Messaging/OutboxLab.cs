using System.Text;
using Npgsql;
using RabbitMQ.Client;

namespace SystemDesign.Messaging;

/// <summary>One way of getting "order saved" and "event published" to agree, after injected crashes.</summary>
/// <param name="OrdersWithoutEvent">orders in the database that no event announced</param>
/// <param name="EventsWithoutOrder">events announcing an order the database does not have</param>
/// <param name="DuplicateEvents">extra copies of an event (an order announced k times counts k − 1)</param>
/// <param name="EffectsAfterDedup">distinct orders a consumer that de-duplicates by event id acts on</param>
public sealed record OutboxResult(string Method, int Orders, int Crashes, int OrdersInDatabase, int EventsPublished,
    int OrdersWithoutEvent, int EventsWithoutOrder, int DuplicateEvents, int EffectsAfterDedup);

/// <summary>What the relay killed mid-batch and the two consumers did (see <see cref="OutboxLab.RelayKilledMidBatchAsync"/>).</summary>
/// <param name="Deliveries">messages the consumers received (redeliveries included)</param>
/// <param name="Duplicates">deliveries beyond the first of each event</param>
/// <param name="NaiveEffects">shipments made by the consumer that acts on every delivery</param>
/// <param name="IdempotentEffects">shipments made by the consumer that de-duplicates by event id in its transaction</param>
/// <param name="OrdersShippedOnce">orders the idempotent consumer shipped exactly once</param>
/// <param name="OrdersNeverShipped">orders no consumer received</param>
public sealed record OutboxRelayResult(int Orders, int BatchSize, int RelayKills, int ConsumerKills, int Deliveries,
    int DistinctEvents, int Duplicates, int Redelivered, int NaiveEffects, int IdempotentEffects, int OrdersShippedOnce,
    int OrdersNeverShipped);

/// <summary>
/// The dual-write problem on real parts: PostgreSQL holds the orders, RabbitMQ (publisher confirms) carries the
/// events. A crash is injected at the given order numbers, at the worst moment of each method: between the commit
/// and the publish (database first), between the publish and the commit (publish first), or, with an outbox,
/// between the relay's publish and its marking the row sent (the relay then restarts and publishes it again).
/// Tables <c>{prefix}_orders</c> and <c>{prefix}_outbox</c> and queue <c>{prefix}.events</c> are dropped at the start
/// and at the end.
/// </summary>
public static class OutboxLab
{
    public static async Task<IReadOnlyList<OutboxResult>> RunAsync(NpgsqlConnection pg, IConnection rabbit, string prefix,
        int orders, IReadOnlyCollection<int> crashAt)
    {
        Guard.NotNull(pg);
        Guard.NotNull(rabbit);
        Guard.That(System.Text.RegularExpressions.Regex.IsMatch(Guard.NotEmpty(prefix), "^[a-z][a-z0-9_]{0,30}$"),
            "prefix must be a lower-case identifier", nameof(prefix));
        Guard.InRange(orders, 1, 10_000);
        Guard.NotNull(crashAt);
        Guard.That(crashAt.All(c => c >= 0 && c < orders), "crash points must be order numbers", nameof(crashAt));
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        await using var channel = await rabbit.CreateChannelAsync(options);
        string queue = $"{prefix}.events";
        var crash = new HashSet<int>(crashAt);
        var results = new List<OutboxResult>();
        try
        {
            var methods = new[] { "dual write: database, then publish", "dual write: publish, then database",
                "outbox table + relay" };
            for (int m = 0; m < methods.Length; m++)
            {
                string method = methods[m];
                await Exec(pg, $"DROP TABLE IF EXISTS {prefix}_orders, {prefix}_outbox; " +
                               $"CREATE TABLE {prefix}_orders (id int PRIMARY KEY); " +
                               $"CREATE TABLE {prefix}_outbox (seq bigserial PRIMARY KEY, order_id int NOT NULL, sent bool NOT NULL DEFAULT false)");
                await channel.QueueDeleteAsync(queue, false, false);
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
                for (int i = 0; i < orders; i++)
                {
                    switch (m)
                    {
                        case 0:
                            await Exec(pg, $"INSERT INTO {prefix}_orders VALUES ({i})");
                            if (!crash.Contains(i)) await Publish(channel, queue, i);
                            break;
                        case 1:
                            await Publish(channel, queue, i);
                            if (!crash.Contains(i)) await Exec(pg, $"INSERT INTO {prefix}_orders VALUES ({i})");
                            break;
                        default:
                            await Exec(pg, $"BEGIN; INSERT INTO {prefix}_orders VALUES ({i}); " +
                                           $"INSERT INTO {prefix}_outbox (order_id) VALUES ({i}); COMMIT");
                            break;
                    }
                }
                if (m == 2) await Relay(pg, channel, queue, prefix, crash);
                var inDb = new HashSet<int>(await Ids(pg, $"SELECT id FROM {prefix}_orders"));
                var events = new List<int>();
                while (await channel.BasicGetAsync(queue, autoAck: true) is { } r)
                    events.Add(int.Parse(Encoding.UTF8.GetString(r.Body.Span)));
                var distinct = new HashSet<int>(events);
                results.Add(new OutboxResult(method, orders, crash.Count, inDb.Count, events.Count,
                    inDb.Count(o => !distinct.Contains(o)), distinct.Count(e => !inDb.Contains(e)),
                    events.Count - distinct.Count, distinct.Count));
            }
        }
        finally
        {
            await Exec(pg, $"DROP TABLE IF EXISTS {prefix}_orders, {prefix}_outbox");
            await channel.QueueDeleteAsync(queue, false, false);
        }
        return results;
    }

    // The relay polls unsent rows in order; a crash after publishing and before marking the row restarts it.
    private static async Task Relay(NpgsqlConnection pg, IChannel channel, string queue, string prefix, HashSet<int> crash)
    {
        var crashed = new HashSet<int>();
        while (true)
        {
            var pending = await Ids(pg, $"SELECT order_id FROM {prefix}_outbox WHERE NOT sent ORDER BY seq");
            if (pending.Count == 0) return;
            foreach (int id in pending)
            {
                await Publish(channel, queue, id);
                if (crash.Contains(id) && crashed.Add(id)) break;   // crash: the row stays unsent; restart
                await Exec(pg, $"UPDATE {prefix}_outbox SET sent = true WHERE order_id = {id}");
            }
        }
    }

    /// <summary>
    /// The outbox's relay killed mid-batch, and the consumer side. <paramref name="orders"/> orders are written with
    /// their outbox rows in one transaction each. The relay reads up to <paramref name="batch"/> unsent rows, publishes
    /// them (publisher confirms), then marks the whole batch sent in one UPDATE; for each entry (batch number,
    /// messages published) of <paramref name="killRelay"/> it is killed after publishing that many messages of that
    /// batch and restarts from the table, so those messages go out again. A consumer that crashes after committing
    /// its effect and before its ack (<paramref name="killConsumerAt"/>, message numbers) gets the message again.
    /// Two consumers read the same deliveries: a naive one (one shipment per message) and an idempotent one
    /// (inserts the event id into <c>{prefix}_processed</c> and the shipment in one transaction; a known id is
    /// skipped). Tables <c>{prefix}_*</c> and queue <c>{prefix}.relay</c> are dropped at the start and the end.
    /// </summary>
    public static async Task<OutboxRelayResult> RelayKilledMidBatchAsync(NpgsqlConnection pg, IConnection rabbit, string prefix,
        int orders, int batch, IReadOnlyCollection<(int Batch, int Published)> killRelay, IReadOnlyCollection<int> killConsumerAt)
    {
        Guard.NotNull(pg);
        Guard.NotNull(rabbit);
        Guard.That(System.Text.RegularExpressions.Regex.IsMatch(Guard.NotEmpty(prefix), "^[a-z][a-z0-9_]{0,30}$"),
            "prefix must be a lower-case identifier", nameof(prefix));
        Guard.InRange(orders, 1, 10_000);
        Guard.InRange(batch, 1, 1_000);
        Guard.NotNull(killRelay);
        Guard.That(killRelay.All(k => k.Batch >= 0 && k.Published >= 1 && k.Published <= batch),
            "each kill is (batch ≥ 0, 1 ≤ published ≤ batch size)", nameof(killRelay));
        Guard.NotNull(killConsumerAt);
        Guard.That(killConsumerAt.All(k => k >= 0), "consumer kill points are message numbers ≥ 0", nameof(killConsumerAt));
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        string queue = $"{prefix}.relay";
        string tables = $"{prefix}_orders, {prefix}_outbox, {prefix}_processed, {prefix}_shipments";
        var channel = await rabbit.CreateChannelAsync(options);
        try
        {
            await Exec(pg, $"DROP TABLE IF EXISTS {tables}; CREATE TABLE {prefix}_orders (id int PRIMARY KEY); " +
                           $"CREATE TABLE {prefix}_outbox (seq bigserial PRIMARY KEY, order_id int NOT NULL, sent bool NOT NULL DEFAULT false); " +
                           $"CREATE TABLE {prefix}_processed (event_id int PRIMARY KEY); " +
                           $"CREATE TABLE {prefix}_shipments (order_id int PRIMARY KEY, naive int NOT NULL DEFAULT 0, idem int NOT NULL DEFAULT 0)");
            await channel.QueueDeleteAsync(queue, false, false);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            var values = string.Join(",", Enumerable.Range(0, orders).Select(i => $"({i})"));
            await Exec(pg, $"BEGIN; INSERT INTO {prefix}_orders VALUES {values}; " +
                           $"INSERT INTO {prefix}_outbox (order_id) SELECT id FROM {prefix}_orders ORDER BY id; COMMIT");
            // the relay
            var kills = killRelay.GroupBy(k => k.Batch).ToDictionary(g => g.Key, g => new Queue<int>(g.Select(k => k.Published)));
            int batchNo = 0, relayKills = 0;
            while (true)
            {
                var pending = await Ids(pg, $"SELECT order_id FROM {prefix}_outbox WHERE NOT sent ORDER BY seq LIMIT {batch}");
                if (pending.Count == 0) break;
                int killAfter = kills.TryGetValue(batchNo, out var q) && q.Count > 0 ? q.Dequeue() : -1;
                bool killed = false;
                for (int j = 0; j < pending.Count; j++)
                {
                    await Publish(channel, queue, pending[j]);
                    if (j + 1 == killAfter) { killed = true; break; }
                }
                if (killed) { relayKills++; continue; }        // restart: the batch is still unsent
                await Exec(pg, $"UPDATE {prefix}_outbox SET sent = true WHERE order_id IN ({string.Join(",", pending)})");
                batchNo++;
            }
            // the consumers
            var crash = new HashSet<int>(killConsumerAt);
            int delivered = 0, redelivered = 0, consumerKills = 0;
            var seen = new List<int>();
            while (true)
            {
                var r = await channel.BasicGetAsync(queue, autoAck: false);
                if (r is null) break;
                int id = int.Parse(Encoding.UTF8.GetString(r.Body.Span), System.Globalization.CultureInfo.InvariantCulture);
                if (r.Redelivered) redelivered++;
                seen.Add(id);
                await Exec(pg, $"INSERT INTO {prefix}_shipments (order_id, naive) VALUES ({id}, 1) " +
                               $"ON CONFLICT (order_id) DO UPDATE SET naive = {prefix}_shipments.naive + 1");
                await Exec(pg, $"BEGIN; WITH fresh AS (INSERT INTO {prefix}_processed VALUES ({id}) ON CONFLICT DO NOTHING RETURNING event_id) " +
                               $"UPDATE {prefix}_shipments SET idem = idem + 1 WHERE order_id IN (SELECT event_id FROM fresh); COMMIT");
                if (crash.Remove(delivered++))
                {
                    consumerKills++;                              // dies before its ack: the broker redelivers
                    await channel.CloseAsync();
                    channel.Dispose();
                    channel = await rabbit.CreateChannelAsync(options);
                    continue;
                }
                await channel.BasicAckAsync(r.DeliveryTag, false);
            }
            var counts = await Pairs(pg, $"SELECT naive, idem FROM {prefix}_shipments");
            var distinct = new HashSet<int>(seen);
            return new OutboxRelayResult(orders, batch, relayKills, consumerKills, delivered, distinct.Count,
                delivered - distinct.Count, redelivered, counts.Sum(c => c.Naive), counts.Sum(c => c.Idem),
                counts.Count(c => c.Idem == 1), orders - counts.Count);
        }
        finally
        {
            await Exec(pg, $"DROP TABLE IF EXISTS {tables}");
            await channel.QueueDeleteAsync(queue, false, false);
            await channel.CloseAsync();
            channel.Dispose();
        }
    }

    private static async Task<List<(int Naive, int Idem)>> Pairs(NpgsqlConnection pg, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, pg);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(int, int)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt32(0), reader.GetInt32(1)));
        return rows;
    }

    private static async Task Publish(IChannel channel, string queue, int id) =>
        await channel.BasicPublishAsync("", queue, mandatory: true, basicProperties: new BasicProperties { MessageId = $"order-{id}" },
            body: Encoding.UTF8.GetBytes(id.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task Exec(NpgsqlConnection pg, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, pg);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<List<int>> Ids(NpgsqlConnection pg, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, pg);
        await using var reader = await cmd.ExecuteReaderAsync();
        var ids = new List<int>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt32(0));
        return ids;
    }
}
