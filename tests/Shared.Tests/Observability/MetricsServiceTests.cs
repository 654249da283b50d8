using System.Net;
using System.Net.Sockets;
using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

public sealed class MetricsServiceTests
{
    [Fact]
    public async Task On_a_given_port_with_an_experiment_id_every_series_carries_the_exp_label()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var svc = new MetricsService(port, "t-exp");
        Assert.Equal(port, svc.Port);
        using var http = new HttpClient();
        string metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        var series = metrics.Split('\n').Where(l => l.StartsWith("nb14_requests", StringComparison.Ordinal)).ToList();
        Assert.Contains(series, l => l.Contains("outcome=\"ok\"", StringComparison.Ordinal));
        Assert.Contains(series, l => l.Contains("outcome=\"error\"", StringComparison.Ordinal));
        Assert.All(series, l => Assert.Contains("exp=\"t-exp\"", l, StringComparison.Ordinal));
    }

    [Fact]
    public void A_port_outside_0_to_65535_is_refused_by_name() =>
        Assert.Equal("port", Assert.Throws<ArgumentOutOfRangeException>(() => new MetricsService(70_000)).ParamName);
}
