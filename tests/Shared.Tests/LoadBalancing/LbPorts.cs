using System.Net;
using System.Net.Sockets;

namespace SystemDesign.Tests.LoadBalancing;

/// <summary>
/// Loopback ports for the real-part tests. Two test processes run at once under Stryker, so each process walks
/// its own stretch of 20000–30999 (below the kernel's ephemeral range), starting at a point derived from its
/// pid, and hands out a block only when every port of it (and the 10-up retry ports) is free right now.
/// </summary>
internal static class LbPorts
{
    private const int First = 20_000, Span = 11_000;
    private static readonly object Gate = new();
    private static int cursor = (int)((long)Environment.ProcessId * 7_919 % Span);

    /// <summary>A first port p with p … p + count + 29 free (a start that finds p taken moves 10 up).</summary>
    public static int Block(int count)
    {
        lock (Gate)
        {
            for (int tries = 0; tries < 1_000; tries++)
            {
                int p = First + cursor;
                cursor = (cursor + count + 30) % (Span - count - 30);
                if (Enumerable.Range(p, count + 30).All(Free)) return p;
            }
        }
        throw new InvalidOperationException("no free block of loopback ports");
    }

    private static bool Free(int port)
    {
        try
        {
            // Without SO_REUSEADDR (see Occupy): a port some connection still holds in TIME_WAIT counts as taken.
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.IP);
            s.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Takes a port without listening on it (connections are refused, binds fail): a port "in use".</summary>
    public static Socket Occupy(int port)
    {
        // Protocol "IP" (0, which the kernel makes TCP): .NET sets SO_REUSEADDR before binding a socket
        // declared Tcp, and a non-listening socket with it would let Kestrel and HAProxy bind the port too.
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.IP);
        s.Bind(new IPEndPoint(IPAddress.Loopback, port));
        return s;
    }

    /// <summary>Whether something accepts connections on the port.</summary>
    public static bool Accepts(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
