using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;

namespace SystemDesign.Edge;

/// <summary>One real connection set-up through the delay relay.</summary>
/// <param name="Protocol">the TLS version negotiated (as SslStream reports it).</param>
/// <param name="ClientFlights">times the client sent data after hearing from the server (its first send counts):
/// the round trips of the handshake plus the request, counted on the wire, not from a clock.</param>
/// <param name="FirstByteMs">from the start of the TLS handshake to the first response byte.</param>
public sealed record TlsMeasurement(string Protocol, int ClientFlights, double FirstByteMs);

/// <summary>
/// Real TLS handshakes with SslStream on loopback, through a relay that delays every chunk by a fixed one-way
/// delay (so round trips cost something measurable) and counts the client's flights. A request of one line and a
/// one-byte response follow the handshake.
/// </summary>
public static class TlsLab
{
    private static readonly Lazy<X509Certificate2> Certificate = new(CreateCertificate);

    /// <summary>Opens <paramref name="repetitions"/> connections with the given protocol; returns each one.</summary>
    /// <param name="allowResume">false: every connection does a full handshake; true: SslStream's session cache
    /// resumes the session of the first connection in the later ones.</param>
    public static async Task<IReadOnlyList<TlsMeasurement>> MeasureAsync(SslProtocols protocol, double oneWayDelayMs,
        int repetitions = 3, bool allowResume = false)
    {
        Guard.That(protocol is SslProtocols.Tls12 or SslProtocols.Tls13, "TLS 1.2 or TLS 1.3", nameof(protocol));
        Guard.InRange(oneWayDelayMs, 0, 500);
        Guard.InRange(repetitions, 1, 50);
        var cert = Certificate.Value;
        var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var serverLoop = ServeAsync(server, cert, protocol, repetitions);
        var results = new List<TlsMeasurement>();
        try
        {
            for (int i = 0; i < repetitions; i++)
                results.Add(await ConnectOnceAsync(((IPEndPoint)server.LocalEndpoint).Port, protocol, cert,
                    TimeSpan.FromMilliseconds(oneWayDelayMs), allowResume));
            await serverLoop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally { server.Stop(); }
        return results;
    }

    private static async Task ServeAsync(TcpListener listener, X509Certificate2 cert, SslProtocols protocol, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using var client = await listener.AcceptTcpClientAsync();
            client.NoDelay = true;
            await using var ssl = new SslStream(client.GetStream());
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = cert,
                EnabledSslProtocols = protocol,
            });
            var buffer = new byte[64];
            int n = await ssl.ReadAsync(buffer);
            if (n > 0) await ssl.WriteAsync("1"u8.ToArray());
            await ssl.FlushAsync();
            while (await ssl.ReadAsync(buffer) > 0) { } // until the client closes
        }
    }

    private static async Task<TlsMeasurement> ConnectOnceAsync(int serverPort, SslProtocols protocol,
        X509Certificate2 cert, TimeSpan delay, bool allowResume)
    {
        var relay = new TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        var counter = new FlightCounter();
        var relayTask = RelayAsync(relay, serverPort, delay, counter);
        try
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)relay.LocalEndpoint).Port);
            await using var ssl = new SslStream(client.GetStream());
            var sw = Stopwatch.StartNew();
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = protocol,
                AllowTlsResume = allowResume,
                // Pin the lab's own certificate: anything else is refused.
                RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetCertHash().SequenceEqual(cert.GetCertHash()),
            });
            await ssl.WriteAsync("GET /\n"u8.ToArray());
            await ssl.FlushAsync();
            var one = new byte[1];
            int n = await ssl.ReadAsync(one);
            double ms = sw.Elapsed.TotalMilliseconds;
            if (n != 1) throw new InvalidOperationException("the server sent no response byte");
            string negotiated = ssl.SslProtocol switch
            {
                SslProtocols.Tls12 => "TLS 1.2",
                SslProtocols.Tls13 => "TLS 1.3",
                var p => p.ToString(),
            };
            return new TlsMeasurement(negotiated, counter.ClientFlights, ms);
        }
        finally
        {
            relay.Stop();
            await relayTask.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        }
    }

    /// <summary>Counts client flights: a run of client chunks with no server chunk between is one flight.</summary>
    internal sealed class FlightCounter
    {
        private readonly object _gate = new();
        private bool _lastFromClient;
        private bool _any;

        public int ClientFlights { get; private set; }

        public void Saw(bool fromClient)
        {
            lock (_gate)
            {
                if (fromClient && (!_any || !_lastFromClient)) ClientFlights++;
                _lastFromClient = fromClient;
                _any = true;
            }
        }
    }

    private static async Task RelayAsync(TcpListener relay, int serverPort, TimeSpan delay, FlightCounter counter)
    {
        using var front = await relay.AcceptTcpClientAsync();
        using var back = new TcpClient { NoDelay = true };
        front.NoDelay = true;
        await back.ConnectAsync(IPAddress.Loopback, serverPort);
        var up = PumpAsync(front.GetStream(), back.GetStream(), delay, () => counter.Saw(true));
        var down = PumpAsync(back.GetStream(), front.GetStream(), delay, () => counter.Saw(false));
        await Task.WhenAny(up, down);
        front.Close();
        back.Close();
        await Task.WhenAll(up, down).ContinueWith(_ => { });
    }

    // Reads chunks as they arrive and writes each one `delay` after its arrival, in order.
    private static async Task PumpAsync(NetworkStream from, NetworkStream to, TimeSpan delay, Action seen)
    {
        var queue = Channel.CreateUnbounded<(long Due, byte[] Data)>();
        var writer = Task.Run(async () =>
        {
            await foreach (var (due, data) in queue.Reader.ReadAllAsync())
            {
                // A floor, as netem's delay is: Task.Delay can end up to a kernel tick (4 ms) early, its timers
                // reading CLOCK_MONOTONIC_COARSE (dotnet/runtime#45585), so wait again for what is left.
                TimeSpan wait;
                while ((wait = TimeSpan.FromTicks(due - Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond
                    / Stopwatch.Frequency)) > TimeSpan.Zero)
                    await Task.Delay(wait);
                await to.WriteAsync(data);
            }
        });
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer)) > 0)
            {
                seen();
                long now = Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / Stopwatch.Frequency;
                queue.Writer.TryWrite((now + delay.Ticks, buffer[..n]));
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        queue.Writer.TryComplete();
        try { await writer; } catch (IOException) { } catch (ObjectDisposedException) { }
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
    }
}
