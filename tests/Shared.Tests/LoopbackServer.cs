using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SystemDesign.Tests;

/// <summary>
/// The base of the fake servers (etcd, Redis, S3) that test server code without the server: a listener on a free
/// loopback port, accepting on a thread of its own and serving each connection on another (blocking reads on
/// pool threads would wait for the pool to grow while other tests run). It ends quietly: an exception left on
/// these threads would end the whole test process, and the listener can be stopped before the first Accept
/// (InvalidOperationException) or during one (SocketException); a client that goes away mid-request ends only
/// its own connection.
/// </summary>
public abstract class LoopbackServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    protected LoopbackServer() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Answers one connection until the client closes it or <see cref="Serve"/> returns.</summary>
    protected abstract void Serve(NetworkStream stream);

    /// <summary>Call last in the subclass's constructor, when <see cref="Serve"/> has what it needs.</summary>
    protected void StartAccepting() => new Thread(AcceptAll) { IsBackground = true }.Start();

    private void AcceptAll()
    {
        try
        {
            while (true)
            {
                var client = _listener.AcceptTcpClient();
                new Thread(() => ServeOne(client)) { IsBackground = true }.Start();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // stopped
        }
    }

    private void ServeOne(TcpClient client)
    {
        using (client)
        {
            try
            {
                Serve(client.GetStream());
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // the client closed the connection (or timed out)
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        GC.SuppressFinalize(this);
    }

    /// <summary>One HTTP/1.1 request: its method, target, headers and body (Content-Length or chunked). A request
    /// that expects <c>100-continue</c> gets it before its body is read.</summary>
    protected static HttpRequest ReadHttpRequest(Stream s)
    {
        var start = ReadLine(s).Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (string line; (line = ReadLine(s)).Length > 0;)
        {
            int colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        if (headers.TryGetValue("Expect", out var expect) && expect.StartsWith("100", StringComparison.Ordinal))
            s.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
        var body = new MemoryStream();
        if (headers.TryGetValue("Content-Length", out var length)) body.Write(Bytes(s, int.Parse(length)));
        else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            for (int n; (n = Convert.ToInt32(ReadLine(s).Split(';')[0].Trim(), 16)) > 0; ReadLine(s))
                body.Write(Bytes(s, n));
        return new(start[0], start.Length > 1 ? start[1] : "", headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>Writes a response and asks the client to close (one request per connection).</summary>
    protected static void WriteHttpResponse(Stream s, int status, string body, string contentType,
        string? extraHeader = null)
    {
        byte[] content = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder($"HTTP/1.1 {status} X\r\n");
        if (extraHeader is not null) head.Append(extraHeader).Append("\r\n");
        if (content.Length > 0) head.Append($"Content-Type: {contentType}\r\n");
        head.Append($"Content-Length: {content.Length}\r\nConnection: close\r\n\r\n");
        s.Write(Encoding.ASCII.GetBytes(head.ToString()));
        s.Write(content);
        s.Flush();
    }

    private static string ReadLine(Stream s)
    {
        var sb = new StringBuilder();
        for (int b; (b = s.ReadByte()) != '\n';)
            if (b < 0) throw new IOException("closed");
            else if (b != '\r') sb.Append((char)b);
        return sb.ToString();
    }

    private static byte[] Bytes(Stream s, int n)
    {
        var buffer = new byte[n];
        s.ReadExactly(buffer);
        return buffer;
    }
}

public sealed record HttpRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body);
