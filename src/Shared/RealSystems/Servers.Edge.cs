using SystemDesign.Edge;

namespace SystemDesign.RealSystems;

public static partial class Servers
{
    /// <summary>
    /// A real resolution chain (three Knot servers for root, TLD and domain, Unbound recursing through them),
    /// started for one experiment: dispose it at the end of the cell. Returns null and prints one line when it
    /// cannot run here (a binary missing, not root for port 53, $SDN_DNS_RESOLVER unusable).
    /// </summary>
    public static DnsChainLab? DnsChain(DnsChainLab.Zones? zones = null)
    {
        var lab = DnsChainLab.TryStart(zones ?? new DnsChainLab.Zones(), out string why);
        if (lab is null)
            Say($"The DNS chain (Knot + Unbound, started per experiment) is not running: {why}; "
                + $"`{StartCommand} dns-chain` checks what it needs; skipping this experiment.");
        return lab;
    }

    /// <summary>
    /// Notebook 10's real CDN: the Varnish edges and shield of the registry ($SDN_VARNISH = host:base port; edges
    /// on base … base + 2, shield on base + 3) with a Kestrel origin started in process on base + 9. Dispose the
    /// lab at the end of the cell (it stops the origin). Returns null and prints one line when Varnish is not
    /// running.
    /// </summary>
    public static VarnishLab? Varnish()
    {
        string configured = Environment.GetEnvironmentVariable("SDN_VARNISH") ?? "127.0.0.1:27200";
        int? basePort = VarnishLab.ParseBasePort(configured);
        string? down = basePort is not { } b ? $"SDN_VARNISH='{configured}' is not host:port"
            : Enumerable.Range(0, 4).Select(i => b + i)
                .Where(p => !Listening(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, p)))
                .Select(p => $"nothing listens on 127.0.0.1:{p}").FirstOrDefault();
        if (down is not null)
        {
            Say($"Varnish (3 edges + shield) is not running ({down}): {StartIt("varnish")}");
            return null;
        }
        return VarnishLab.Start(basePort!.Value);
    }
}
