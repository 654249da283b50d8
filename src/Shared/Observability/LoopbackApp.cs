using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SystemDesign.Observability;

/// <summary>A Kestrel app on 127.0.0.1 with a port the OS picks (port 0), started and reported.</summary>
public static class LoopbackApp
{
    /// <summary>Builds, maps and starts the app; returns it with the port it got.</summary>
    /// <param name="port">0: any free port.</param>
    public static (WebApplication App, int Port) Start(Action<IServiceCollection> services,
        Action<WebApplication> map, int port = 0)
    {
        Guard.NotNull(services); Guard.NotNull(map);
        Guard.InRange(port, 0, 65535);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        services(builder.Services);
        var app = builder.Build();
        map(app);
        app.StartAsync().GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features
            .Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address).Port);
    }
}
