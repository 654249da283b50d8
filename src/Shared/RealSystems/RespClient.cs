using System.Globalization;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Text;

namespace SystemDesign.RealSystems;

/// <summary>One reply of a Redis server (RESP2): a simple string ('+'), an error ('-'), an integer (':'),
/// a bulk string ('$', null when absent) or an array ('*').</summary>
public sealed record RespReply(char Kind, string? Text, long Integer, IReadOnlyList<RespReply>? Items)
{
    public bool IsError => Kind == '-';

    /// <summary>The first word of an error ("READONLY", "NOREPLICAS", …), else null.</summary>
    public string? ErrorCode => IsError ? (Text ?? "").Split(' ', 2)[0] : null;

    public override string ToString() => Kind switch
    {
        ':' => Integer.ToString(CultureInfo.InvariantCulture),
        '*' => $"[{string.Join(", ", Items ?? [])}]",
        _ => Text ?? "(nil)",
    };
}

/// <summary>
/// A minimal synchronous Redis client on one TCP connection to one server: it sends a command and reads its
/// reply, nothing else (no reconnect, no topology discovery, no routing away from a replica). That is what a
/// fault experiment needs from "a client still pointed at the old primary": every reply is exactly the
/// server's answer, and a connection the server closes surfaces as an <see cref="IOException"/>.
/// </summary>
public sealed class RespClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _in;

    /// <summary>Connects to "host:port"; <paramref name="timeout"/> bounds the connect and each reply.</summary>
    public RespClient(string endpoint, TimeSpan timeout)
    {
        Guard.NotEmpty(endpoint);
        Guard.That(timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(2),
            "timeout must be in (0, 2 min]", nameof(timeout));
        int colon = endpoint.LastIndexOf(':');
        Guard.That(colon > 0 && int.TryParse(endpoint[(colon + 1)..], out _),
            "endpoint must be host:port", nameof(endpoint));
        Endpoint = endpoint;
        _tcp = new TcpClient { NoDelay = true };
        bool connected;
        try
        {
            int port = int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture);
            connected = _tcp.ConnectAsync(endpoint[..colon], port).Wait(timeout);
        }
        catch (AggregateException e) when (e.InnerExceptions is [var inner])
        {
            // Wait wraps a refused connect; callers catch what a connect throws (SocketException), not the wrapper.
            _tcp.Dispose();
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
        if (!connected)
        {
            _tcp.Dispose();
            throw new TimeoutException($"could not connect to {endpoint} within {timeout.TotalMilliseconds:0} ms");
        }
        _tcp.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        _tcp.SendTimeout = (int)timeout.TotalMilliseconds;
        _stream = _tcp.GetStream();
        _in = new BufferedStream(_stream, 64 * 1024);
    }

    public string Endpoint { get; }

    /// <summary>Sends one command and returns the server's reply (an error reply is returned, not thrown).
    /// Throws <see cref="IOException"/> when the connection is closed or the reply does not come in time.</summary>
    public RespReply Send(params object[] args)
    {
        Guard.That(args is { Length: > 0 }, "a command needs at least its name", nameof(args));
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            string s = Convert.ToString(a, CultureInfo.InvariantCulture) ?? "";
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(s)).Append("\r\n").Append(s).Append("\r\n");
        }
        byte[] bytes = Encoding.UTF8.GetBytes(sb.ToString());
        _stream.Write(bytes, 0, bytes.Length);
        return Read();
    }

    private RespReply Read()
    {
        string line = ReadLine();
        if (line.Length == 0) throw new IOException($"{Endpoint}: empty reply line");
        char kind = line[0];
        string rest = line[1..];
        switch (kind)
        {
            case '+':
            case '-':
                return new RespReply(kind, rest, 0, null);
            case ':':
                return new RespReply(kind, null, long.Parse(rest, CultureInfo.InvariantCulture), null);
            case '$':
            {
                int len = int.Parse(rest, CultureInfo.InvariantCulture);
                if (len < 0) return new RespReply(kind, null, 0, null);
                var buf = new byte[len + 2];
                int got = 0;
                while (got < buf.Length)
                {
                    int n = _in.Read(buf, got, buf.Length - got);
                    if (n == 0) throw new IOException($"{Endpoint}: connection closed");
                    got += n;
                }
                return new RespReply(kind, Encoding.UTF8.GetString(buf, 0, len), 0, null);
            }
            case '*':
            {
                int count = int.Parse(rest, CultureInfo.InvariantCulture);
                if (count < 0) return new RespReply(kind, null, 0, null);
                var items = new List<RespReply>(count);
                for (int i = 0; i < count; i++) items.Add(Read());
                return new RespReply(kind, null, 0, items);
            }
            default:
                throw new IOException($"{Endpoint}: unexpected reply '{line}'");
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            int b = _in.ReadByte();
            if (b < 0) throw new IOException($"{Endpoint}: connection closed");
            if (b == '\r')
            {
                if (_in.ReadByte() != '\n') throw new IOException($"{Endpoint}: malformed reply");
                return sb.ToString();
            }
            sb.Append((char)b);
        }
    }

    public void Dispose()
    {
        _in.Dispose();
        _tcp.Dispose();
    }
}
