using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace SystemDesign.Messaging;

/// <summary>What the de-duplication experiment stored: the same send attempts published with and without a
/// <c>Nats-Msg-Id</c>, and one re-send after the window.</summary>
public sealed record NatsDedupResult(int Attempts, int DistinctIds, long StoredWithMsgId, long StoredWithoutMsgId,
    int FlaggedDuplicate, bool AcceptedAfterWindow);

/// <summary>What the ack-wait experiment saw: first deliveries, the ones left unacknowledged, their redelivery.</summary>
public sealed record NatsAckWaitResult(int Delivered, int Acked, int Redelivered, IReadOnlyList<ulong> NumDelivered,
    int LeftAfterAcking, double MsUntilRedelivery);

/// <summary>Experiments on a real NATS JetStream server (NATS.Net client). Streams are memory-backed and deleted at
/// the start and at the end. Stream and subject names start with <c>prefix</c> (<c>nb08</c>: streams <c>NB08_…</c>,
/// subjects <c>nb08.…</c>), so that two runs against the same server do not share a stream.</summary>
public static class NatsLab
{
    /// <summary>Publish each attempt (a message id; an id repeated is a producer retry) to two streams, one with the
    /// id as <c>Nats-Msg-Id</c> and one without; then wait out the duplicate window and re-send the first id.</summary>
    public static async Task<NatsDedupResult> DedupAsync(NatsConnection nats, IReadOnlyList<int> attempts, TimeSpan window,
        string prefix = "nb08")
    {
        Guard.NotNull(nats);
        Guard.NotEmpty(attempts);
        Guard.InRange(window.TotalMilliseconds, 100, 60_000, nameof(window));
        CheckPrefix(prefix);
        var js = new NatsJSContext(nats);
        string dedup = $"{prefix.ToUpperInvariant()}_DEDUP", plain = $"{prefix.ToUpperInvariant()}_PLAIN";
        await Reset(js, dedup, $"{prefix}.dedup", window);
        await Reset(js, plain, $"{prefix}.plain", window);
        int flagged = 0;
        foreach (int id in attempts)
        {
            var ack = await js.PublishAsync($"{prefix}.dedup", $"order {id}", opts: new NatsJSPubOpts { MsgId = $"order-{id}" });
            // EnsureSuccess would throw on a duplicate: that is the answer we want, so only errors throw.
            if (ack.Error is { } error) throw new InvalidOperationException($"JetStream refused the publish: {error.Description}");
            if (ack.Duplicate) flagged++;
            (await js.PublishAsync($"{prefix}.plain", $"order {id}")).EnsureSuccess();
        }
        long with = (await js.GetStreamAsync(dedup)).Info.State.Messages;
        long without = (await js.GetStreamAsync(plain)).Info.State.Messages;
        await Task.Delay(window + TimeSpan.FromMilliseconds(200));
        var late = await js.PublishAsync($"{prefix}.dedup", $"order {attempts[0]}", opts: new NatsJSPubOpts { MsgId = $"order-{attempts[0]}" });
        await js.DeleteStreamAsync(dedup);
        await js.DeleteStreamAsync(plain);
        return new NatsDedupResult(attempts.Count, attempts.Distinct().Count(), with, without, flagged, !late.Duplicate);
    }

    /// <summary>A durable pull consumer with explicit acks and the given ack wait: fetch <paramref name="messages"/>,
    /// acknowledge <paramref name="ack"/> of them, and fetch again after the ack wait.</summary>
    public static async Task<NatsAckWaitResult> AckWaitAsync(NatsConnection nats, int messages, int ack, TimeSpan ackWait,
        string prefix = "nb08")
    {
        Guard.NotNull(nats);
        Guard.InRange(messages, 1, 1_000);
        Guard.InRange(ack, 0, messages);
        Guard.InRange(ackWait.TotalMilliseconds, 100, 60_000, nameof(ackWait));
        CheckPrefix(prefix);
        var js = new NatsJSContext(nats);
        string work = $"{prefix.ToUpperInvariant()}_WORK";
        await Reset(js, work, $"{prefix}.work.>", TimeSpan.FromMinutes(2));
        for (int i = 0; i < messages; i++) (await js.PublishAsync($"{prefix}.work.orders", $"order {i}")).EnsureSuccess();
        var consumer = await js.CreateOrUpdateConsumerAsync(work, new ConsumerConfig($"{prefix}-worker")
        {
            AckPolicy = ConsumerConfigAckPolicy.Explicit, AckWait = ackWait, MaxDeliver = 5,
        });
        int delivered = 0, acked = 0;
        await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = messages, Expires = TimeSpan.FromSeconds(2) }))
        {
            delivered++;
            // Double ack: the server confirms each ack, so the pending counts read below already reflect it.
            if (acked < ack) { await msg.AckAsync(new AckOpts { DoubleAck = true }); acked++; }
        }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var counts = new List<ulong>();
        int expected = messages - ack;
        if (expected > 0)
            await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = expected, Expires = ackWait * 4 }))
            {
                counts.Add(msg.Metadata?.NumDelivered ?? 0);
                await msg.AckAsync(new AckOpts { DoubleAck = true });
            }
        double waited = sw.Elapsed.TotalMilliseconds;
        await consumer.RefreshAsync();
        int left = (int)consumer.Info.NumAckPending + (int)consumer.Info.NumPending;
        await js.DeleteStreamAsync(work);
        return new NatsAckWaitResult(delivered, acked, counts.Count, counts, left, waited);
    }

    // Stream names allow no '.', '*', '>' or white space: a lower-case identifier keeps both names valid.
    private static void CheckPrefix(string prefix) =>
        Guard.That(System.Text.RegularExpressions.Regex.IsMatch(Guard.NotEmpty(prefix), "^[a-z][a-z0-9_]{0,30}$"),
            "prefix must be a lower-case identifier", nameof(prefix));

    private static async Task Reset(NatsJSContext js, string name, string subjects, TimeSpan window)
    {
        try { await js.DeleteStreamAsync(name); }
        catch (NatsJSApiException e) when (e.Error.Code == 404) { }
        await js.CreateStreamAsync(new StreamConfig(name, new[] { subjects })
        {
            Storage = StreamConfigStorage.Memory, DuplicateWindow = window,
        });
    }
}
