namespace SystemDesign.Edge;

/// <summary>A way to open an HTTPS connection, and the round trips it needs before the first response byte.</summary>
/// <param name="TransportRtts">round trips of the transport handshake (TCP's SYN/SYN-ACK: 1; QUIC: 0, its
/// handshake is the TLS one).</param>
/// <param name="CryptoRtts">round trips of the TLS handshake before the client may send the request.</param>
/// <param name="Note">what the count assumes.</param>
public sealed record ConnectionSetup(string Name, int TransportRtts, int CryptoRtts, string Note)
{
    /// <summary>Handshake round trips plus the request/response round trip itself.</summary>
    public int RttsToFirstByte => TransportRtts + CryptoRtts + 1;

    /// <summary>Time to first byte at round-trip time <paramref name="rttMs"/>, ignoring server think time.</summary>
    public double FirstByteMs(double rttMs) => RttsToFirstByte * Guard.NonNegative(rttMs);
}

/// <summary>The round-trip model of connection set-up (RFC 5246, RFC 8446, RFC 9000/9001).</summary>
public static class ConnectionSetups
{
    public static IReadOnlyList<ConnectionSetup> All { get; } =
    [
        new("TCP + TLS 1.2", 1, 2, "full handshake: ClientHello…ServerHelloDone, then key exchange…Finished"),
        new("TCP + TLS 1.2 resumed", 1, 1, "session ticket / id: abbreviated handshake"),
        new("TCP + TLS 1.3", 1, 1, "key share in the ClientHello"),
        new("TCP + TLS 1.3 0-RTT", 1, 0, "resumption with early data: the request rides with the ClientHello"),
        new("QUIC (HTTP/3)", 0, 1, "transport and TLS 1.3 handshakes in one round trip"),
        new("QUIC 0-RTT", 0, 0, "resumption with early data; replayable, so idempotent requests only"),
        new("QUIC + Retry", 1, 1, "server asks for address validation first (under load/DoS)"),
    ];

    public static ConnectionSetup Get(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"unknown set-up '{name}'", nameof(name));
}
