using SystemDesign.Observability;

namespace SystemDesign.RealSystems;

public static partial class Servers
{
    /// <summary>Prometheus's URL: $SDN_PROMETHEUS, else http://127.0.0.1:29090.</summary>
    public static string PrometheusUrl => Environment.GetEnvironmentVariable("SDN_PROMETHEUS") ?? "http://127.0.0.1:29090";

    /// <summary>A client of the running Prometheus, or null after one line saying how to start it.</summary>
    public static PrometheusApi? Prometheus()
    {
        var (host, port) = HostPort(PrometheusUrl.Replace("http://", ""), 29090);
        if (!Listening(new System.Net.DnsEndPoint(host, port)))
        {
            Say($"Prometheus is not running at {PrometheusUrl} (nothing listens there): {StartIt("prometheus")}");
            return null;
        }
        var api = PrometheusApi.TryConnect(PrometheusUrl, out string why);
        if (api is null)
            Say($"Prometheus at {PrometheusUrl} is not usable ({why}): {StartIt("prometheus")}");
        return api;
    }

    /// <summary>The promtool binary (Debian package prometheus), or null after one line saying so.</summary>
    public static string? Promtool()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "promtool")).FirstOrDefault(File.Exists);
        if (path is null)
            Say("promtool is not installed (Debian package `prometheus`; `./setup.sh` installs it): skipping this experiment.");
        return path;
    }
}
