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
}
