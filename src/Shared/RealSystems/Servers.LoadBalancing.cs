namespace SystemDesign.RealSystems;

/// <summary>Notebook 09's real load balancers. HAProxy and nginx are not long-running services: each
/// experiment writes its own configuration (pointing at the Kestrel backends it starts), runs the binary on
/// loopback and kills it at the end. These accessors only find the binaries (registry service
/// <c>loadbalancers</c>, whose packages setup.sh installs).</summary>
public static partial class Servers
{
    /// <summary>The haproxy binary ($SDN_HAPROXY, else on PATH or in /usr/sbin), or null after one line.</summary>
    public static string? Haproxy() => Binary("SDN_HAPROXY", "haproxy", "HAProxy");

    /// <summary>The nginx binary ($SDN_NGINX, else on PATH or in /usr/sbin), or null after one line.</summary>
    public static string? Nginx() => Binary("SDN_NGINX", "nginx", "nginx");

    private static string? Binary(string variable, string name, string what)
    {
        string? configured = Environment.GetEnvironmentVariable(variable);
        string? path = string.IsNullOrEmpty(configured)
            ? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
                .Concat(["/usr/sbin", "/usr/local/sbin"])
                .Where(d => d.Length > 0).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            : File.Exists(configured) ? configured : null;
        if (path is not null) return path;
        string where = string.IsNullOrEmpty(configured) ? "on PATH" : $"at {configured}";
        Say($"{what} is not running here (no `{name}` binary {where}; each experiment runs its own on "
            + $"loopback): {StartIt("loadbalancers")}");
        return null;
    }
}
