using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace SystemDesign.LoadBalancing;

/// <summary>
/// YARP (Microsoft's reverse proxy library) in process on 127.0.0.1: one route per load-balancing policy, each
/// on its own port, over the same Kestrel backends. Policies are YARP's names: RoundRobin, LeastRequests,
/// PowerOfTwoChoices, Random, FirstAlphabetical. Dispose stops it.
/// </summary>
public sealed class YarpProxy : IDisposable
{
    private readonly List<WebApplication> apps;

    private YarpProxy(List<WebApplication> apps, int port)
    {
        this.apps = apps;
        Port = port;
    }

    /// <summary>The first port: policy i listens on Port + i.</summary>
    public int Port { get; }

    /// <summary>URL of policy i.</summary>
    public string Url(int i) => $"http://127.0.0.1:{Port + i}/";

    /// <summary>YARP's policy name for an algorithm of ours, or null when YARP has none.</summary>
    public static string? Policy(Algorithm algorithm) => algorithm switch
    {
        Algorithm.RoundRobin => "RoundRobin",
        Algorithm.LeastConnections => "LeastRequests",
        Algorithm.PowerOfTwo => "PowerOfTwoChoices",
        Algorithm.Random => "Random",
        _ => null,
    };

    /// <summary>Starts YARP with one listener per policy from <paramref name="port"/> (moving 10 up, up to 4
    /// times, when a port is taken).</summary>
    public static YarpProxy Start(KestrelBackends backends, IReadOnlyList<string> policies, int port)
    {
        Guard.NotNull(backends);
        Guard.NotEmpty(policies);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return StartOnce(backends, policies, port + 10 * attempt);
            }
            catch (IOException) when (attempt < 4)
            {
            }
        }
    }

    private static YarpProxy StartOnce(KestrelBackends backends, IReadOnlyList<string> policies, int port)
    {
        var destinations = Enumerable.Range(0, backends.Count).ToDictionary(i => backends.Specs[i].Name,
            i => new DestinationConfig { Address = $"http://127.0.0.1:{backends.Port(i)}/" });
        var apps = new List<WebApplication>();
        try
        {
            for (int i = 0; i < policies.Count; i++)
            {
                var route = new RouteConfig { RouteId = "all", ClusterId = "backends",
                    Match = new RouteMatch { Path = "/{**rest}" } };
                var cluster = new ClusterConfig { ClusterId = "backends", LoadBalancingPolicy = policies[i],
                    Destinations = destinations };
                var builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                int p = port + i;
                builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, p));
                builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
                var app = builder.Build();
                app.MapReverseProxy();
                apps.Add(app);
                app.StartAsync().GetAwaiter().GetResult();
            }
        }
        catch
        {
            foreach (var app in apps) app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return new YarpProxy(apps, port);
    }

    public void Dispose()
    {
        foreach (var app in apps)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            app.StopAsync(cts.Token).GetAwaiter().GetResult();
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
