using System.Net.Sockets;
using System.Text;

namespace SystemDesign.Distribution;

/// <summary>An error reply from Redis (<c>-MOVED 42 127.0.0.1:16602</c>, <c>-ERR …</c>): returned, not thrown.</summary>
public sealed record RedisError(string Message)
{
    /// <summary>The first word: MOVED, ASK, ERR, WRONGTYPE…</summary>
    public string Kind => Message.Split(' ')[0];
}

/// <summary>
/// One plain RESP2 connection to one Redis node, with no cluster logic: a <c>MOVED</c> or <c>ASK</c> comes back
/// to the caller as a <see cref="RedisError"/> instead of being followed, which is what a slot-migration
/// experiment needs to see. Replies: string (simple or bulk), long, null, object?[] (arrays), RedisError.
/// </summary>
public sealed class RedisNode : IDisposable
{
    private readonly TcpClient _client;
    private readonly Stream _stream;

    /// <summary>Connects to <paramref name="endpoint"/> ("host:port"), with 5 s connect and read timeouts.</summary>
    public RedisNode(string endpoint)
    {
        Endpoint = Guard.NotEmpty(endpoint);
        int colon = endpoint.LastIndexOf(':');
        Guard.That(colon > 0 && int.TryParse(endpoint[(colon + 1)..], out _), $"'{endpoint}' is not host:port", nameof(endpoint));
        Host = endpoint[..colon];
        Port = int.Parse(endpoint[(colon + 1)..]);
        _client = new TcpClient { ReceiveTimeout = 5000, SendTimeout = 5000, NoDelay = true };
        if (!_client.ConnectAsync(Host, Port).Wait(TimeSpan.FromSeconds(5)))
        {
            _client.Dispose();
            throw new TimeoutException($"no connection to {endpoint} within 5 s");
        }
        _stream = new BufferedStream(_client.GetStream());
    }

    public string Endpoint { get; }
    public string Host { get; }
    public int Port { get; }

    /// <summary>Sends one command and returns its reply (errors included, as <see cref="RedisError"/>).</summary>
    public object? Call(params string[] args) => Pipeline([args])[0];

    /// <summary>Sends every command, then reads every reply: one round trip for the lot.</summary>
    public object?[] Pipeline(IReadOnlyList<string[]> commands)
    {
        Guard.NotNull(commands);
        foreach (var args in commands)
        {
            Guard.That(args is { Length: > 0 } && args.All(a => a is not null), "each command needs a name and non-null arguments", nameof(commands));
            Write($"*{args.Length}\r\n");
            foreach (var a in args)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(a);
                Write($"${bytes.Length}\r\n");
                _stream.Write(bytes);
                Write("\r\n");
            }
        }
        _stream.Flush();
        return commands.Select(_ => Read()).ToArray();
    }

    /// <summary>Like <see cref="Call"/>, but an error reply throws: for commands that must succeed.</summary>
    public object? Must(params string[] args)
    {
        var reply = Call(args);
        return reply is RedisError e
            ? throw new InvalidOperationException($"{Endpoint}: {string.Join(' ', args)} → {e.Message}")
            : reply;
    }

    private void Write(string s) => _stream.Write(Encoding.UTF8.GetBytes(s));

    private object? Read()
    {
        string line = ReadLine();
        string rest = line[1..];
        return line[0] switch
        {
            '+' => rest,
            '-' => new RedisError(rest),
            ':' => long.Parse(rest),
            '$' => rest == "-1" ? null : ReadBulk(int.Parse(rest)),
            '*' => rest == "-1" ? null : Enumerable.Range(0, int.Parse(rest)).Select(_ => Read()).ToArray(),
            _ => throw new InvalidDataException($"{Endpoint}: unexpected reply '{line}'"),
        };
    }

    private string ReadBulk(int length)
    {
        byte[] buffer = new byte[length + 2];
        _stream.ReadExactly(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        int b;
        while ((b = _stream.ReadByte()) != '\n')
        {
            if (b < 0) throw new EndOfStreamException($"{Endpoint} closed the connection");
            bytes.Add((byte)b);
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).TrimEnd('\r');
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}
