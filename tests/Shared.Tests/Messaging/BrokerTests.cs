using SystemDesign.Messaging;
using SystemDesign.RealSystems;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Messaging;

/// <summary>Real brokers: required under CI (CI=true), skipped elsewhere when not running.</summary>
internal static class Brokers
{
    private static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static T Require<T>(Func<T?> connect, string what) where T : class
    {
        var said = new StringWriter();
        Servers.Out = said;
        try
        {
            if (connect() is { } c) return c;
        }
        finally
        {
            Servers.Out = null;
        }
        string reason = said.ToString().Trim();
        if (Required) throw new InvalidOperationException($"CI requires {what}: {reason}");
        Skip.If(true, reason);
        throw new InvalidOperationException("unreachable");
    }
}

[Collection("Messaging brokers")] // one at a time: they share the brokers
public sealed class RabbitTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Killed_consumer_gets_its_unacked_messages_redelivered()
    {
        using var rabbit = Brokers.Require(Servers.RabbitMq, "RabbitMQ");
        var r = await RabbitLab.KilledConsumerAsync(rabbit, "test08.orders", 60, fetch: 30, processed: 25, ackEvery: 10);
        output.WriteLine(r.ToString());
        Assert.Equal(60, r.Confirmed);
        Assert.Equal(30, r.Fetched);
        Assert.Equal(20, r.Acked);
        Assert.Equal(10, r.Redelivered);
        Assert.All(r.DeliveryCounts, c => Assert.Equal(1, c));
        Assert.Equal(0, r.Lost);
        Assert.Equal(5, r.DuplicateEffects);
        Assert.Equal(60, r.IdempotentEffects);
    }

    [SkippableFact]
    public async Task Stream_reads_from_an_offset_and_replays()
    {
        using var rabbit = Brokers.Require(Servers.RabbitMq, "RabbitMQ");
        var r = await RabbitLab.StreamFromOffsetAsync(rabbit, "test08.stream", 100, 50);
        output.WriteLine(r.ToString());
        Assert.Equal(50, r.FirstOffset);
        Assert.Equal(50, r.Read);
        Assert.True(r.SameAsPublished);
        Assert.Equal(100, r.ReplayRead);
        Assert.True(r.ReplaySame);
    }
}

[Collection("Messaging brokers")] // one at a time: they share the brokers
public sealed class NatsTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task MsgId_deduplicates_retries_within_the_window()
    {
        await using var nats = Brokers.Require(Servers.Nats, "NATS");
        var attempts = new[] { 0, 1, 1, 2, 3, 3, 3, 4 };
        var r = await NatsLab.DedupAsync(nats, attempts, TimeSpan.FromMilliseconds(300));
        output.WriteLine(r.ToString());
        Assert.Equal(5, r.StoredWithMsgId);
        Assert.Equal(8, r.StoredWithoutMsgId);
        Assert.Equal(3, r.FlaggedDuplicate);
        Assert.True(r.AcceptedAfterWindow);
    }

    [SkippableFact]
    public async Task Unacked_messages_come_back_after_the_ack_wait()
    {
        await using var nats = Brokers.Require(Servers.Nats, "NATS");
        var r = await NatsLab.AckWaitAsync(nats, 10, 6, TimeSpan.FromMilliseconds(300));
        output.WriteLine(r + " " + string.Join(",", r.NumDelivered));
        Assert.Equal(10, r.Delivered);
        Assert.Equal(4, r.Redelivered);
        Assert.All(r.NumDelivered, n => Assert.Equal(2UL, n));
        Assert.Equal(0, r.LeftAfterAcking);
    }
}

[Collection("Messaging brokers")] // one at a time: they share the brokers
public sealed class OutboxTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Only_the_outbox_keeps_orders_and_events_in_step()
    {
        using var pg = Brokers.Require(Servers.Postgres, "PostgreSQL");
        using var rabbit = Brokers.Require(Servers.RabbitMq, "RabbitMQ");
        var rows = await OutboxLab.RunAsync(pg, rabbit, "test08", 30, new[] { 4, 11, 25 });
        foreach (var r in rows) output.WriteLine(r.ToString());
        Assert.Equal(3, rows[0].OrdersWithoutEvent);
        Assert.Equal(0, rows[0].EventsWithoutOrder);
        Assert.Equal(3, rows[1].EventsWithoutOrder);
        Assert.Equal(0, rows[2].OrdersWithoutEvent + rows[2].EventsWithoutOrder);
        Assert.Equal(3, rows[2].DuplicateEvents);
        Assert.Equal(30, rows[2].EffectsAfterDedup);
        await Assert.ThrowsAsync<ArgumentException>(() => OutboxLab.RunAsync(pg, rabbit, "Bad-Prefix", 3, new[] { 1 }));
    }
}
