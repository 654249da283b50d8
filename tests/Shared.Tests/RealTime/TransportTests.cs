using SystemDesign.RealTime;
using Xunit;

namespace SystemDesign.Tests.RealTime;

public class TransportTests
{
    private const string KestrelDate = "Date: Sun, 06 Dec 2026 21:03:29 GMT\r\n"; // RFC 1123: always 29 characters
    private const string KestrelServer = "Server: Kestrel\r\n";

    [Fact]
    public void A_run_derives_per_message_and_steady_bytes_from_its_counters()
    {
        var r = new TransportRun(Transport.WebSocket, 4, 64, BytesDown: 1000, BytesUp: 200, Connections: 1,
            Requests: 1, LatencyMs: [], SetupDown: 100, SetupUp: 60);
        Assert.Equal(300, r.BytesPerMessage);
        Assert.Equal(260, r.SteadyBytesPerMessage);
        Assert.Equal(900, r.StreamBytesDown);
    }

    [Fact]
    public void Model_bytes_per_message_follow_the_framing_of_each_transport()
    {
        Assert.Equal(66, TransportLab.ModelBytesDown(Transport.WebSocket, 64));
        Assert.Equal(3, TransportLab.ModelBytesDown(Transport.WebSocket, 1, 500));
        // SSE: "data: " + payload + "\n\n" in one chunk: hex length, CRLF, data, CRLF.
        Assert.Equal(2 + 2 + 72 + 2, TransportLab.ModelBytesDown(Transport.ServerSentEvents, 64));
        Assert.Equal(1 + 2 + 15 + 2, TransportLab.ModelBytesDown(Transport.ServerSentEvents, 7));
        Assert.Equal(2 + 2 + 16 + 2, TransportLab.ModelBytesDown(Transport.ServerSentEvents, 8));
        Assert.Equal(2 + 2 + 108 + 2, TransportLab.ModelBytesDown(Transport.ServerSentEvents, 100));
        Assert.Equal(65, TransportLab.ModelBytesDown(Transport.LongPolling, 64));
        Assert.Equal(120 + 64 + 1, TransportLab.ModelBytesDown(Transport.LongPolling, 64, 120));
        Assert.Equal(4, TransportLab.ModelEndBytes(Transport.WebSocket));
        Assert.Equal(5, TransportLab.ModelEndBytes(Transport.ServerSentEvents));
        Assert.Equal(0, TransportLab.ModelEndBytes(Transport.LongPolling));
    }

    [Fact]
    public void Model_guards_name_their_parameter()
    {
        Assert.Equal("payloadBytes", Assert.Throws<ArgumentOutOfRangeException>(() => TransportLab.ModelBytesDown(Transport.WebSocket, 0)).ParamName);
        Assert.Equal("payloadBytes", Assert.Throws<ArgumentOutOfRangeException>(() => TransportLab.ModelBytesDown(Transport.WebSocket, 101)).ParamName);
        Assert.Equal("responseHeaderBytes", Assert.Throws<ArgumentOutOfRangeException>(() => TransportLab.ModelBytesDown(Transport.LongPolling, 8, -1)).ParamName);
    }

    [Fact]
    public async Task Run_guards_name_their_parameter()
    {
        async Task<string?> Name<T>(Func<Task> f) where T : ArgumentException => (await Assert.ThrowsAsync<T>(f)).ParamName;
        Assert.Equal("transports", await Name<ArgumentNullException>(() => TransportLab.CompareAsync(null!, 1, 8, 0)));
        var none = await Assert.ThrowsAsync<ArgumentException>(() => TransportLab.CompareAsync(Array.Empty<Transport>(), 1, 8, 0));
        Assert.Equal("transports", none.ParamName);
        Assert.StartsWith("at least one transport", none.Message);
        Transport[] ws = [Transport.WebSocket];
        Assert.Equal("messages", await Name<ArgumentOutOfRangeException>(() => TransportLab.CompareAsync(ws, 0, 8, 0)));
        Assert.Equal("messages", await Name<ArgumentOutOfRangeException>(() => TransportLab.CompareAsync(ws, 100_001, 8, 0)));
        Assert.Equal("payloadBytes", await Name<ArgumentOutOfRangeException>(() => TransportLab.CompareAsync(ws, 1, 7, 0)));
        Assert.Equal("payloadBytes", await Name<ArgumentOutOfRangeException>(() => TransportLab.RunAsync(Transport.WebSocket, 1, 101, 0)));
        Assert.Equal("intervalMs", await Name<ArgumentOutOfRangeException>(() => TransportLab.CompareAsync(ws, 1, 8, -1)));
        Assert.Equal("intervalMs", await Name<ArgumentOutOfRangeException>(() => TransportLab.CompareAsync(ws, 1, 8, 1001)));
        Assert.Equal("messages", await Name<ArgumentOutOfRangeException>(() => TransportLab.SseResumeAsync(0, 1, true)));
        Assert.Equal("messages", await Name<ArgumentOutOfRangeException>(() => TransportLab.SseResumeAsync(100_001, 1, true)));
        Assert.Equal("dropAfter", await Name<ArgumentOutOfRangeException>(() => TransportLab.SseResumeAsync(5, 0, true)));
    }

    [Fact]
    public async Task One_app_runs_each_transport_with_its_own_stream_and_request_count()
    {
        const int messages = 5, payload = 99;
        var runs = await TransportLab.CompareAsync(
            [Transport.ServerSentEvents, Transport.WebSocket, Transport.LongPolling], messages, payload, 1);
        Assert.Equal(new[] { Transport.ServerSentEvents, Transport.WebSocket, Transport.LongPolling },
            runs.Select(r => r.Transport));
        Assert.All(runs, r => Assert.Equal((messages, payload, 1, messages), (r.Messages, r.PayloadBytes, r.Connections, r.LatencyMs.Length)));
        // Every message arrives after it was published (a microsecond is far below any loopback delivery).
        Assert.All(runs, r => Assert.All(r.LatencyMs, l => Assert.True(l > 0.001, $"{r.Transport}: {l} ms")));
        var (sse, ws, poll) = (runs[0], runs[1], runs[2]);
        Assert.Equal((1, 1), (sse.Requests, ws.Requests));
        Assert.True(poll.Requests >= 2);

        // The SSE handshake is exactly the response headers, with the event-stream type and no-cache.
        string sseHeaders = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + KestrelDate + KestrelServer
            + "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
        Assert.Equal(sseHeaders.Length, sse.SetupDown);
        Assert.Equal(messages * TransportLab.ModelBytesDown(Transport.ServerSentEvents, payload)
            + TransportLab.ModelEndBytes(Transport.ServerSentEvents), sse.StreamBytesDown);
        Assert.Equal(messages * TransportLab.ModelBytesDown(Transport.WebSocket, payload)
            + TransportLab.ModelEndBytes(Transport.WebSocket), ws.StreamBytesDown);
        // A streaming client sends nothing after its request / upgrade.
        Assert.True(sse.SetupUp > 0 && ws.SetupUp > sse.SetupUp);
        Assert.Equal((sse.SetupUp, ws.SetupUp), (sse.BytesUp, ws.BytesUp));

        // Long polling has no handshake; each poll's response is headers with a Content-Length (no chunk framing)
        // and one line per message. Five 100-byte lines: every batch has a 3-digit length, the last one is "0".
        Assert.Equal((0, 0), (poll.SetupDown, poll.SetupUp));
        string pollHeaders = "HTTP/1.1 200 OK\r\nContent-Length: \r\nContent-Type: text/plain\r\n" + KestrelDate
            + KestrelServer + "\r\n";
        Assert.Equal(poll.Requests * pollHeaders.Length + 3 * (poll.Requests - 1) + 1 + messages * (payload + 1),
            poll.BytesDown);
    }

    [Fact]
    public async Task A_single_message_with_no_interval_arrives_on_every_transport()
    {
        foreach (var t in new[] { Transport.WebSocket, Transport.ServerSentEvents, Transport.LongPolling })
        {
            var r = await TransportLab.RunAsync(t, 1, 8, 0);
            Assert.Equal((t, 1, 8), (r.Transport, r.Messages, r.PayloadBytes));
            Assert.True(r.LatencyMs[0] > 0.001);
            if (t != Transport.LongPolling)
                Assert.Equal(TransportLab.ModelBytesDown(t, 8) + TransportLab.ModelEndBytes(t), r.StreamBytesDown);
        }
    }

    [Fact]
    public async Task Sse_resume_after_the_first_event_of_two()
    {
        var with = await TransportLab.SseResumeAsync(2, 1, sendIds: true);
        Assert.Equal(new SseResume(2, 0, 0, "1"), with);
        var without = await TransportLab.SseResumeAsync(2, 1, sendIds: false);
        Assert.Equal(new SseResume(3, 1, 0, null), without);
    }
}
