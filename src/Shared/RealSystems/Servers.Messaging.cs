using NATS.Client.Core;
using RabbitMQ.Client;

namespace SystemDesign.RealSystems;

public static partial class Servers
{
    /// <summary>RabbitMQ's AMQP endpoint: $SDN_RABBITMQ, else 127.0.0.1:45672 (user guest, loopback only).</summary>
    public static string RabbitMqEndpoint => Environment.GetEnvironmentVariable("SDN_RABBITMQ") ?? "127.0.0.1:45672";

    /// <summary>An open AMQP connection to RabbitMQ, or null after one line saying how to start it.</summary>
    public static IConnection? RabbitMq()
    {
        var (host, port) = HostPort(RabbitMqEndpoint, 45672);
        if (!Listening(new System.Net.DnsEndPoint(host, port)))
        {
            Say($"RabbitMQ is not running at {RabbitMqEndpoint} (nothing listens there): {StartIt("rabbitmq")}");
            return null;
        }
        var factory = new ConnectionFactory
        {
            HostName = host, Port = port, UserName = "guest", Password = "guest",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5), AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false, ClientProvidedName = "system-design-notebooks",
        };
        try
        {
            return factory.CreateConnectionAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or System.Net.Sockets.SocketException
                                       or TimeoutException or IOException)
        {
            Say($"RabbitMQ is not running at {RabbitMqEndpoint} ({FirstLine(e.Message)}): {StartIt("rabbitmq")}");
            return null;
        }
    }

    /// <summary>NATS (with JetStream): $SDN_NATS, else nats://127.0.0.1:44222.</summary>
    public static string NatsUrl => Environment.GetEnvironmentVariable("SDN_NATS") ?? "nats://127.0.0.1:44222";

    /// <summary>A connected NATS client, or null after one line saying how to start the server.</summary>
    public static NatsConnection? Nats()
    {
        var (host, port) = HostPort(NatsUrl.Replace("nats://", ""), 44222);
        if (!Listening(new System.Net.DnsEndPoint(host, port)))
        {
            Say($"NATS is not running at {NatsUrl} (nothing listens there): {StartIt("nats")}");
            return null;
        }
        var nats = new NatsConnection(new NatsOpts
        {
            Url = NatsUrl, Name = "system-design-notebooks", ConnectTimeout = TimeSpan.FromSeconds(3),
            RequestTimeout = TimeSpan.FromSeconds(5), MaxReconnectRetry = 0,
        });
        try
        {
            nats.ConnectAsync().AsTask().GetAwaiter().GetResult();
            return nats;
        }
        catch (Exception e) when (e is NatsException or TimeoutException or System.Net.Sockets.SocketException)
        {
            nats.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Say($"NATS is not running at {NatsUrl} ({FirstLine(e.Message)}): {StartIt("nats")}");
            return null;
        }
    }

    private static (string Host, int Port) HostPort(string endpoint, int defaultPort)
    {
        string e = endpoint.Split(',')[0].Trim().TrimEnd('/');
        int colon = e.LastIndexOf(':');
        return colon > 0 && int.TryParse(e[(colon + 1)..], out int p) ? (e[..colon], p) : (e, defaultPort);
    }
}
