using SystemDesign.RealTime;
using Xunit;

namespace SystemDesign.Tests.RealTime;

/// <summary>The transport lab's parts on their own: the broadcast hub, the wire counters and the counting stream.</summary>
public class TransportPartsTests
{
    // Only a hang guard: every wait below completes at once unless the code under test is broken.
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static async Task<List<string>> ReadAll(System.Threading.Channels.ChannelReader<string> reader)
    {
        using var cts = new CancellationTokenSource(Long);
        var got = new List<string>();
        await foreach (var m in reader.ReadAllAsync(cts.Token)) got.Add(m);
        return got;
    }

    [Fact]
    public async Task Every_subscriber_gets_what_is_published_after_it_subscribed_and_completion_ends_its_stream()
    {
        var hub = new TransportLab.Hub();
        hub.Publish("early");
        var a = hub.Subscribe();
        hub.Publish("m1");
        var b = hub.Subscribe();
        hub.Publish("m2");
        hub.Complete();
        Assert.Equal(new[] { "m1", "m2" }, await ReadAll(a));
        Assert.Equal(new[] { "m2" }, await ReadAll(b));
    }

    [Fact]
    public void Waiting_for_a_subscriber_ends_when_a_stream_subscribes_or_a_poller_asks()
    {
        var hub = new TransportLab.Hub();
        var wait = hub.WaitForSubscriber(CancellationToken.None);
        Assert.False(wait.IsCompleted);
        hub.Subscribe();
        Assert.True(wait.IsCompletedSuccessfully);

        var polled = new TransportLab.Hub();
        var pollWait = polled.WaitForSubscriber(CancellationToken.None);
        polled.Publish("x");
        Assert.False(pollWait.IsCompleted);
        Assert.True(polled.WaitAfter(-1, Long).IsCompletedSuccessfully); // a message is there: no waiting
        Assert.True(pollWait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_poll_returns_the_log_after_its_cursor_at_once_when_there_is_any()
    {
        var hub = new TransportLab.Hub();
        hub.Publish("a"); hub.Publish("b"); hub.Publish("c");
        Assert.Equal(new[] { "a", "b", "c" }, await hub.WaitAfter(-1, Long));
        Assert.Equal(new[] { "b", "c" }, await hub.WaitAfter(0, Long));
        Assert.Equal(new[] { "c" }, await hub.WaitAfter(1, Long));
        hub.Complete();
        Assert.Equal(new[] { "c" }, await hub.WaitAfter(1, Long)); // completion does not hide the log
        Assert.Empty(await hub.WaitAfter(2, Long));               // caught up and complete: the empty answer
    }

    [Fact]
    public async Task A_waiting_poll_is_woken_by_the_next_publish()
    {
        var hub = new TransportLab.Hub();
        hub.Publish("a");
        var poll = hub.WaitAfter(0, Long);
        Assert.False(poll.IsCompleted);
        hub.Publish("b");
        Assert.Equal(new[] { "b" }, await poll);
        var second = hub.WaitAfter(1, Long);
        hub.Publish("c"); hub.Publish("d");
        var got = await second;
        Assert.Equal("c", got[0]);
    }

    [Fact]
    public async Task A_waiting_poll_is_woken_by_completion_with_an_empty_answer()
    {
        var hub = new TransportLab.Hub();
        var poll = hub.WaitAfter(-1, Long);
        Assert.False(poll.IsCompleted);
        hub.Complete();
        Assert.Empty(await poll);
    }

    [Fact]
    public async Task A_poll_with_nothing_new_answers_empty_when_its_timeout_runs_out()
    {
        var hub = new TransportLab.Hub();
        hub.Publish("a");
        Assert.Empty(await hub.WaitAfter(0, TimeSpan.FromMilliseconds(20)));
        Assert.Empty(await hub.WaitAfter(0, TimeSpan.Zero));
    }

    [Fact]
    public void Marking_the_setup_copies_the_counts_so_far_and_signals_ready()
    {
        var c = new TransportLab.WireCounters { Down = 183, Up = 156, Connections = 1 };
        Assert.False(c.Ready.Task.IsCompleted);
        c.MarkSetup();
        Assert.Equal((183L, 156L), (c.SetupDown, c.SetupUp));
        Assert.True(c.Ready.Task.IsCompletedSuccessfully);
        c.Down += 10;
        Assert.Equal(183, c.SetupDown);
    }

    [Fact]
    public async Task The_counting_stream_counts_bytes_read_as_down_and_written_as_up()
    {
        var inner = new MemoryStream();
        inner.Write(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 });
        inner.Position = 0;
        var c = new TransportLab.WireCounters();
        using var s = new TransportLab.CountingStream(inner, c);
        var buffer = new byte[16];
        Assert.Equal(4, s.Read(buffer, 0, 4));
        Assert.Equal(4, c.Down);
        Assert.Equal(3, await s.ReadAsync(buffer.AsMemory(0, 3)));
        Assert.Equal(7, c.Down);
        Assert.Equal(2, await s.ReadAsync(buffer, 4, 2, CancellationToken.None));
        Assert.Equal(9, c.Down);
        Assert.Equal(1, await s.ReadAsync(buffer.AsMemory(0, 16))); // only one byte left: counts what was read
        Assert.Equal(10, c.Down);
        Assert.Equal(0, s.Read(buffer, 0, 16));
        Assert.Equal(10, c.Down);
        Assert.Equal(0, c.Up);

        s.Write(new byte[] { 1, 2, 3 }, 1, 2);
        Assert.Equal(2, c.Up);
        await s.WriteAsync(new byte[5].AsMemory());
        Assert.Equal(7, c.Up);
        await s.WriteAsync(new byte[9], 2, 4, CancellationToken.None);
        Assert.Equal(11, c.Up);
        Assert.Equal(21, inner.Length); // 10 read + 11 written at the position after them
        Assert.Equal(10, c.Down);
    }

    [Fact]
    public async Task The_counting_stream_flushes_through_and_disposes_its_inner_stream()
    {
        var sink = new MemoryStream();
        var buffered = new BufferedStream(sink, 64);
        var s = new TransportLab.CountingStream(buffered, new TransportLab.WireCounters());
        s.Write(new byte[] { 1, 2, 3 }, 0, 3);
        Assert.Equal(0, sink.Length);
        s.Flush();
        Assert.Equal(3, sink.Length);
        await s.WriteAsync(new byte[] { 4, 5 }, 0, 2, CancellationToken.None);
        Assert.Equal(3, sink.Length);
        await s.FlushAsync(CancellationToken.None);
        Assert.Equal(5, sink.Length);
        s.Dispose();
        Assert.False(sink.CanRead); // the inner stream (and its socket) is closed with it
    }

    [Fact]
    public void The_counting_stream_is_a_read_write_stream_without_seeking()
    {
        using var s = new TransportLab.CountingStream(new MemoryStream(), new TransportLab.WireCounters());
        Assert.True(s.CanRead);
        Assert.True(s.CanWrite);
        Assert.False(s.CanSeek);
        Assert.Throws<NotSupportedException>(() => s.Length);
        Assert.Throws<NotSupportedException>(() => s.Position);
        Assert.Throws<NotSupportedException>(() => s.Position = 0);
        Assert.Throws<NotSupportedException>(() => s.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => s.SetLength(0));
    }
}
