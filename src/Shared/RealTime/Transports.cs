using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SystemDesign.Observability;

namespace SystemDesign.RealTime;

public enum Transport { WebSocket, ServerSentEvents, LongPolling }

/// <summary>Events received over a dropped-and-resumed SSE stream: duplicates, gaps, the last id seen.</summary>
public sealed record SseResume(int Received, int Duplicates, int Missing, string? LastEventId);

/// <summary>One transport's run: what the client counted on its sockets (bytes both ways, connections), what
/// the server counted (HTTP requests) and the delivery latency of each message.</summary>
public sealed record TransportRun(Transport Transport, int Messages, int PayloadBytes, long BytesDown,
    long BytesUp, int Connections, int Requests, double[] LatencyMs, long SetupDown, long SetupUp)
{
    /// <summary>Wire bytes (both directions) per message, handshake included.</summary>
    public double BytesPerMessage => (double)(BytesDown + BytesUp) / Messages;
    /// <summary>Wire bytes per message after the handshake (WebSocket upgrade, SSE response headers; long
    /// polling has none: every poll is counted), both directions.</summary>
    public double SteadyBytesPerMessage => (double)(BytesDown + BytesUp - SetupDown - SetupUp) / Messages;
    /// <summary>Server-to-client bytes after the handshake.</summary>
    public long StreamBytesDown => BytesDown - SetupDown;
}

/// <summary>
/// The same message stream delivered by WebSocket, Server-Sent Events and long polling from a real Kestrel
/// server on loopback. The client's sockets go through a counting stream (SocketsHttpHandler.ConnectCallback),
/// so bytes are measured on the wire, headers and framing included.
/// </summary>
public static class TransportLab
{
    /// <summary>Publishes <paramref name="messages"/> messages of <paramref name="payloadBytes"/> bytes every
    /// <paramref name="intervalMs"/> ms and receives them with <paramref name="transport"/>.</summary>
    public static async Task<TransportRun> RunAsync(Transport transport, int messages, int payloadBytes,
        double intervalMs) => (await CompareAsync([transport], messages, payloadBytes, intervalMs))[0];

    /// <summary>The same stream through each of <paramref name="transports"/> in turn, on one Kestrel app.</summary>
    public static async Task<TransportRun[]> CompareAsync(IReadOnlyList<Transport> transports, int messages,
        int payloadBytes, double intervalMs)
    {
        Guard.NotNull(transports); Guard.That(transports.Count > 0, "at least one transport", nameof(transports));
        Guard.InRange(messages, 1, 100_000); Guard.InRange(payloadBytes, 8, 100);
        Guard.InRange(intervalMs, 0, 1000);
        var state = new ServerState();
        var (app, port) = LoopbackApp.Start(_ => { }, a =>
        {
            a.UseWebSockets();
            a.Use(async (ctx, next) => { Interlocked.Increment(ref state.Requests); await next(ctx); });
            a.Map("/ws", ctx => ServeWebSocket(ctx, state.Hub));
            a.MapGet("/sse", ctx => ServeSse(ctx, state.Hub));
            a.MapGet("/poll", ctx => ServePoll(ctx, state.Hub));
        });
        await using (app)
        {
            var runs = new List<TransportRun>();
            foreach (var t in transports)
            {
                state.Hub = new Hub();
                state.Requests = 0;
                runs.Add(await RunOnceAsync(t, port, state, messages, payloadBytes, intervalMs));
            }
            return runs.ToArray();
        }
    }

    private static async Task<TransportRun> RunOnceAsync(Transport transport, int port, ServerState state,
        int messages, int payloadBytes, double intervalMs)
    {
        var hub = state.Hub;
        var counters = new WireCounters();
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (c, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(c.DnsEndPoint, ct);
                Interlocked.Increment(ref counters.Connections);
                return new CountingStream(new NetworkStream(socket, ownsSocket: true), counters);
            },
        };
        var received = new long[messages];
        string payload = new('x', payloadBytes - 8);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var client = transport switch
        {
            Transport.WebSocket => WebSocketClient(port, handler, received, counters, cts.Token),
            Transport.ServerSentEvents => SseClient(port, handler, received, counters, cts.Token),
            _ => PollClient(port, handler, received, counters, cts.Token),
        };
        // Publishing starts when the server has subscribed and the client has read its handshake.
        await hub.WaitForSubscriber(cts.Token);
        if (transport != Transport.LongPolling) await counters.Ready.Task.WaitAsync(cts.Token);
        var sent = new long[messages];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < messages; i++)
        {
            while (clock.Elapsed.TotalMilliseconds < i * intervalMs)
                await Task.Delay(1);
            sent[i] = Stopwatch.GetTimestamp();
            hub.Publish($"{i:D7}|{payload}");
        }
        hub.Complete();
        await client;
        var latency = Enumerable.Range(0, messages)
            .Select(i => (received[i] - sent[i]) * 1000.0 / Stopwatch.Frequency).ToArray();
        return new TransportRun(transport, messages, payloadBytes, counters.Down, counters.Up,
            counters.Connections, Volatile.Read(ref state.Requests), latency, counters.SetupDown,
            counters.SetupUp);
    }

    private sealed class ServerState
    {
        public Hub Hub = new();
        public int Requests;
    }

    /// <summary>SSE reconnection on a real Kestrel server: the client reads <paramref name="dropAfter"/>
    /// events of a <paramref name="messages"/>-event stream, drops the connection and reconnects the way
    /// EventSource does, sending <c>Last-Event-ID</c> with the last <c>id:</c> it saw (if any). The server
    /// resumes after that id when the header is present, and otherwise can only start again.</summary>
    public static async Task<SseResume> SseResumeAsync(int messages, int dropAfter, bool sendIds)
    {
        Guard.InRange(messages, 1, 100_000); Guard.InRange(dropAfter, 1, messages - 1);
        var (app, port) = LoopbackApp.Start(_ => { }, a => a.MapGet("/events", async ctx =>
        {
            int after = int.TryParse(ctx.Request.Headers["Last-Event-ID"].ToString(), out int id) ? id : -1;
            ctx.Response.ContentType = "text/event-stream";
            for (int i = after + 1; i < messages; i++)
            {
                string e = sendIds ? $"id: {i}\ndata: {i}\n\n" : $"data: {i}\n\n";
                await ctx.Response.WriteAsync(e);
                await ctx.Response.Body.FlushAsync();
            }
        }));
        await using (app)
        {
            using var http = new HttpClient();
            var got = new List<int>();
            string? lastId = null;
            for (int attempt = 0; attempt < 2; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/events");
                if (lastId is not null) request.Headers.Add("Last-Event-ID", lastId);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                int read = 0;
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("id: ", StringComparison.Ordinal)) lastId = line[4..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        got.Add(int.Parse(line.AsSpan(6)));
                        if (attempt == 0 && ++read == dropAfter) break; // the connection drops here
                    }
                }
            }
            int duplicates = got.Count - got.Distinct().Count();
            int missing = messages - got.Distinct().Count();
            return new SseResume(got.Count, duplicates, missing, lastId);
        }
    }

    /// <summary>Model bytes per message, server to client, after setup: WebSocket frame header (2 bytes for
    /// an unmasked payload under 126 bytes, RFC 6455 §5.2); an SSE event "data: …\n\n" in one HTTP/1.1 chunk
    /// (hex length + CRLF + data + CRLF); a long-poll response per message: the given header bytes and the message plus a newline.</summary>
    public static double ModelBytesDown(Transport transport, int payloadBytes, int responseHeaderBytes = 0)
    {
        Guard.InRange(payloadBytes, 1, 100); Guard.NonNegative(responseHeaderBytes);
        return transport switch
        {
            Transport.WebSocket => 2 + payloadBytes,
            Transport.ServerSentEvents => Chunk("data: ".Length + payloadBytes + 2),
            _ => responseHeaderBytes + payloadBytes + 1,
        };
        static int Chunk(int n) => n.ToString("x").Length + 2 + n + 2;
    }

    /// <summary>Bytes that end the stream: a WebSocket close frame with a status code (2 + 2), the last
    /// chunk of a chunked SSE response ("0\r\n\r\n"); long polling ends with an empty response.</summary>
    public static int ModelEndBytes(Transport transport) => transport switch
    {
        Transport.WebSocket => 4,
        Transport.ServerSentEvents => 5,
        _ => 0,
    };

    private static async Task ServeWebSocket(HttpContext ctx, Hub hub)
    {
        using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
        var reader = hub.Subscribe();
        await foreach (var m in reader.ReadAllAsync())
            await ws.SendAsync(Encoding.UTF8.GetBytes(m), WebSocketMessageType.Text, true, default);
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
    }

    private static async Task ServeSse(HttpContext ctx, Hub hub)
    {
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        await ctx.Response.Body.FlushAsync();
        var reader = hub.Subscribe();
        await foreach (var m in reader.ReadAllAsync())
        {
            await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {m}\n\n"));
            await ctx.Response.Body.FlushAsync();
        }
    }

    private static async Task ServePoll(HttpContext ctx, Hub hub)
    {
        int after = int.Parse(ctx.Request.Query["after"].ToString());
        var batch = await hub.WaitAfter(after, TimeSpan.FromSeconds(10));
        ctx.Response.ContentType = "text/plain";
        var body = Encoding.UTF8.GetBytes(string.Concat(batch.Select(b => b + "\n")));
        ctx.Response.ContentLength = body.Length; // one message per line, no chunk framing
        await ctx.Response.Body.WriteAsync(body);
    }

    private static async Task WebSocketClient(int port, SocketsHttpHandler handler, long[] received,
        WireCounters counters, CancellationToken ct)
    {
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), new HttpMessageInvoker(handler, false), ct);
        counters.MarkSetup();
        var buffer = new byte[4096];
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close) break;
            long now = Stopwatch.GetTimestamp();
            received[int.Parse(Encoding.UTF8.GetString(buffer, 0, 7))] = now;
        }
    }

    private static async Task SseClient(int port, SocketsHttpHandler handler, long[] received,
        WireCounters counters, CancellationToken ct)
    {
        using var http = new HttpClient(handler, false);
        using var response = await http.GetAsync($"http://127.0.0.1:{port}/sse",
            HttpCompletionOption.ResponseHeadersRead, ct);
        counters.MarkSetup();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                received[int.Parse(line.AsSpan(6, 7))] = Stopwatch.GetTimestamp();
    }

    private static async Task PollClient(int port, SocketsHttpHandler handler, long[] received,
        WireCounters counters, CancellationToken ct)
    {
        using var http = new HttpClient(handler, false);
        int after = -1;
        while (true)
        {
            string body = await http.GetStringAsync($"http://127.0.0.1:{port}/poll?after={after}", ct);
            long now = Stopwatch.GetTimestamp();
            if (body.Length == 0) break; // the stream ended
            foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int i = int.Parse(line.AsSpan(0, 7));
                received[i] = now;
                after = i;
            }
        }
    }

    /// <summary>Broadcast of one stream: a channel per streaming subscriber and a log for pollers.</summary>
    internal sealed class Hub
    {
        private readonly object gate = new();
        private readonly List<string> log = new();
        private readonly List<Channel<string>> subscribers = new();
        private readonly TaskCompletionSource subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool complete;

        public ChannelReader<string> Subscribe()
        {
            var c = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
            lock (gate) subscribers.Add(c);
            subscribed.TrySetResult();
            return c.Reader;
        }

        public Task WaitForSubscriber(CancellationToken ct) => subscribed.Task.WaitAsync(ct);

        public void Publish(string m)
        {
            TaskCompletionSource wake;
            lock (gate)
            {
                log.Add(m);
                foreach (var s in subscribers) s.Writer.TryWrite(m);
                wake = changed; changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            wake.TrySetResult();
        }

        public void Complete()
        {
            TaskCompletionSource wake;
            lock (gate)
            {
                complete = true;
                foreach (var s in subscribers) s.Writer.TryComplete();
                wake = changed;
            }
            wake.TrySetResult();
        }

        public async Task<string[]> WaitAfter(int after, TimeSpan timeout)
        {
            subscribed.TrySetResult();
            var until = DateTime.UtcNow + timeout;
            while (true)
            {
                Task wait;
                lock (gate)
                {
                    if (log.Count > after + 1) return log.Skip(after + 1).ToArray();
                    if (complete) return [];
                    wait = changed.Task;
                }
                var left = until - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return [];
                await Task.WhenAny(wait, Task.Delay(left));
            }
        }
    }

    internal sealed class WireCounters
    {
        public long Down, Up, SetupDown, SetupUp;
        public int Connections;
        public readonly TaskCompletionSource Ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void MarkSetup()
        {
            SetupDown = Interlocked.Read(ref Down);
            SetupUp = Interlocked.Read(ref Up);
            Ready.TrySetResult();
        }
    }

    internal sealed class CountingStream(Stream inner, WireCounters counters) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            Interlocked.Add(ref counters.Down, n);
            return n;
        }
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            int n = await inner.ReadAsync(buffer, ct);
            Interlocked.Add(ref counters.Down, n);
            return n;
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Interlocked.Add(ref counters.Up, count);
        }
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            await inner.WriteAsync(buffer, ct);
            Interlocked.Add(ref counters.Up, buffer.Length);
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
