using System.Net;
using System.Net.Sockets;
using System.Text;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.RealSystems;

/// <summary>
/// <see cref="RespClient"/> against a scripted peer on a loopback port (no Redis): the server's replies are
/// written before the command is sent, so every test is one thread and exact bytes both ways.
/// </summary>
public sealed class RespClientTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<IDisposable> _open = [];

    public RespClientTests() => _listener.Start();

    private string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>A client and the server's end of its connection, <paramref name="replies"/> already sent.</summary>
    private (RespClient Client, NetworkStream Server) Connect(string replies)
    {
        var client = new RespClient(Endpoint, TimeSpan.FromSeconds(5));
        var server = _listener.AcceptTcpClient();
        _open.Add(client);
        _open.Add(server);
        var stream = server.GetStream();
        stream.Write(Encoding.UTF8.GetBytes(replies));
        return (client, stream);
    }

    private static string Received(NetworkStream server, int bytes)
    {
        var buffer = new byte[bytes];
        server.ReadExactly(buffer);
        return Encoding.UTF8.GetString(buffer);
    }

    public void Dispose()
    {
        _open.ForEach(d => d.Dispose());
        _listener.Dispose();
    }

    [Fact]
    public void A_command_is_sent_as_an_array_of_bulk_strings_with_utf8_byte_lengths()
    {
        var (c, server) = Connect("+OK\r\n+OK\r\n");
        Assert.Equal("OK", c.Send("SET", "k", 42).Text);
        const string set = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n";
        Assert.Equal(set, Received(server, set.Length));
        c.Send("SET", "é", 1.5, null!);
        const string accent = "*4\r\n$3\r\nSET\r\n$2\r\né\r\n$3\r\n1.5\r\n$0\r\n\r\n";
        Assert.Equal(accent, Received(server, Encoding.UTF8.GetByteCount(accent)));
        Assert.Equal(Endpoint, c.Endpoint);
    }

    [Fact]
    public void Each_kind_of_reply_is_parsed()
    {
        var (c, _) = Connect("+PONG\r\n-READONLY You can't write against a read only replica.\r\n:-42\r\n"
            + "$5\r\nhello\r\n"
            + "$-1\r\n$0\r\n\r\n$2\r\né\r\n*3\r\n$1\r\na\r\n:7\r\n*1\r\n+x\r\n*-1\r\n*0\r\n-\r\n");
        var pong = c.Send("PING");
        Assert.Equal(('+', "PONG", false, "PONG"), (pong.Kind, pong.Text, pong.IsError, pong.ToString()));
        Assert.Null(pong.ErrorCode);
        var error = c.Send("SET", "k", "v");
        Assert.Equal(('-', true, "READONLY"), (error.Kind, error.IsError, error.ErrorCode));
        Assert.Equal("READONLY You can't write against a read only replica.", error.ToString());
        var number = c.Send("INCR", "k");
        Assert.Equal((':', -42L, "-42"), (number.Kind, number.Integer, number.ToString()));
        Assert.Null(number.Text);
        Assert.Equal("hello", c.Send("GET", "k").Text);
        var nil = c.Send("GET", "none");
        Assert.Equal(('$', "(nil)"), (nil.Kind, nil.ToString()));
        Assert.Null(nil.Text);
        Assert.Equal("", c.Send("GET", "empty").Text);
        Assert.Equal("é", c.Send("GET", "accent").Text);
        var array = c.Send("LRANGE", "l", 0, -1);
        Assert.Equal('*', array.Kind);
        Assert.Equal(new string?[] { "a", null, null }, array.Items!.Select(i => i.Text));
        Assert.Equal(7, array.Items![1].Integer);
        Assert.Equal("+x", $"{array.Items[2].Items![0].Kind}{array.Items[2].Items![0].Text}");
        Assert.Equal("[a, 7, [x]]", array.ToString());
        var nullArray = c.Send("BLPOP", "l", 1);
        Assert.Equal(('*', "[]"), (nullArray.Kind, nullArray.ToString()));
        Assert.Null(nullArray.Items);
        Assert.Empty(c.Send("KEYS", "none").Items!);
        Assert.Equal("", c.Send("BAD").ErrorCode);
    }

    [Theory]
    [InlineData("\r\n", "empty reply line")]
    [InlineData("?what\r\n", "unexpected reply '?what'")]
    [InlineData("+OK\rX", "malformed reply")]
    [InlineData("+OK", "connection closed")]
    [InlineData("$5\r\nhel", "connection closed")]
    [InlineData("*2\r\n+a\r\n", "connection closed")]
    public void A_broken_or_closed_reply_throws_an_io_exception_naming_the_endpoint(string reply, string why)
    {
        var (c, server) = Connect(reply);
        server.Socket.Shutdown(SocketShutdown.Send);   // the server closes its side once the reply is out
        var e = Assert.Throws<IOException>(() => c.Send("PING"));
        Assert.Equal($"{Endpoint}: {why}", e.Message);
    }

    [Fact]
    public void A_refused_connection_throws_the_socket_error_not_a_wrapper()
    {
        int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _listener.Stop();   // nobody listens on the port any more: the connect is refused
        var e = Assert.Throws<SocketException>(() => new RespClient($"127.0.0.1:{port}", TimeSpan.FromSeconds(5)));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }

    [Fact]
    public void A_sentinel_set_whose_members_refuse_connections_is_reported_unhealthy_not_thrown()
    {
        int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _listener.Stop();
        string down = $"127.0.0.1:{port}";
        var set = new RedisSentinelSet([down, "127.0.0.1:1"], [down], "mymaster");
        Assert.StartsWith("a member does not answer: ", set.Health(), StringComparison.Ordinal);
        Assert.Null(set.Primary());   // no Sentinel listens: no quorum names a primary
    }
}
