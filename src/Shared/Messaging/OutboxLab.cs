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
