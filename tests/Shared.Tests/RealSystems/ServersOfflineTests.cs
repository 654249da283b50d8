using SystemDesign.RealSystems;

namespace SystemDesign.Tests.RealSystems;

/// <summary>
/// The accessors of servers this area's tests do not run (RabbitMQ, NATS, S3, Prometheus, Varnish, the load
/// balancers' binaries, a private redis-server), pointed at a port where nothing listens or a missing binary:
/// each returns null after exactly one line naming what is missing and how to start it.
/// </summary>
[Collection("environment")]
public sealed class ServersOfflineTests
{
    private const string Skip = "skipping this experiment.";

    private static (T? Result, string Said) With<T>(string variable, string? value, Func<T?> connect) where T : class
    {
        string? old = Environment.GetEnvironmentVariable(variable);
        var said = new StringWriter();
        Environment.SetEnvironmentVariable(variable, value);
        Servers.Out = said;
        try { return (connect(), said.ToString()); }
        finally
        {
            Servers.Out = null;
            Environment.SetEnvironmentVariable(variable, old);
        }
    }

    private static string Start(string service) => $"start it with `./scripts/services.sh start {service}`; {Skip}";

    [Fact]
    public void Each_endpoint_has_its_default_and_follows_its_variable()
    {
        Assert.Equal("127.0.0.1:45672", With("SDN_RABBITMQ", null, () => Servers.RabbitMqEndpoint).Result);
        Assert.Equal("nats://127.0.0.1:44222", With("SDN_NATS", null, () => Servers.NatsUrl).Result);
        Assert.Equal("http://127.0.0.1:24569", With("SDN_S3", null, () => Servers.S3Url).Result);
        Assert.Equal("http://127.0.0.1:29090", With("SDN_PROMETHEUS", null, () => Servers.PrometheusUrl).Result);
        Assert.Equal("h:1", With("SDN_RABBITMQ", "h:1", () => Servers.RabbitMqEndpoint).Result);
        Assert.Equal("nats://h:2", With("SDN_NATS", "nats://h:2", () => Servers.NatsUrl).Result);
        Assert.Equal("http://h:3", With("SDN_S3", "http://h:3//", () => Servers.S3Url).Result);
        Assert.Equal("http://h:4", With("SDN_PROMETHEUS", "http://h:4", () => Servers.PrometheusUrl).Result);
        Assert.Equal("S3RVER", Servers.S3AccessKey);
        Assert.Equal("S3RVER", Servers.S3SecretKey);
    }

    [Fact]
    public void The_s3_configuration_is_path_style_without_retries_and_http_only_for_an_http_url()
    {
        var http = With("SDN_S3", "http://127.0.0.1:1", Servers.S3Config).Result!;
        Assert.StartsWith("http://127.0.0.1:1", http.ServiceURL);
        Assert.True(http.ForcePathStyle);
        Assert.Equal("us-east-1", http.AuthenticationRegion);
        Assert.True(http.UseHttp);
        Assert.Equal(Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED, http.RequestChecksumCalculation);
        Assert.Equal(Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED, http.ResponseChecksumValidation);
        Assert.Equal(TimeSpan.FromSeconds(10), http.Timeout);
        Assert.Equal(0, http.MaxErrorRetry);
        var https = With("SDN_S3", "https://127.0.0.1:1", Servers.S3Config).Result!;
        Assert.False(https.UseHttp);
    }

    [Fact]
    public void A_missing_rabbitmq_or_nats_gives_null_and_one_line()
    {
        var (rabbit, r) = With("SDN_RABBITMQ", "127.0.0.1:1, 127.0.0.1:2", Servers.RabbitMq);
        Assert.Null(rabbit);
        Assert.Equal($"RabbitMQ is not running at 127.0.0.1:1, 127.0.0.1:2 (nothing listens there): {Start("rabbitmq")}"
            + Environment.NewLine, r);
        var (nats, n) = With("SDN_NATS", "nats://127.0.0.1:1", Servers.Nats);
        Assert.Null(nats);
        Assert.Equal($"NATS is not running at nats://127.0.0.1:1 (nothing listens there): {Start("nats")}"
            + Environment.NewLine, n);
    }

    [Fact]
    public void A_missing_s3_or_prometheus_gives_null_and_one_line()
    {
        var (s3, s) = With("SDN_S3", "http://127.0.0.1:1/", Servers.S3);
        Assert.Null(s3);
        Assert.Equal("The S3 server (s3rver) is not running at http://127.0.0.1:1 (nothing listens there): "
            + Start("s3") + Environment.NewLine, s);
        var (prometheus, p) = With("SDN_PROMETHEUS", "http://127.0.0.1:1", Servers.Prometheus);
        Assert.Null(prometheus);
        Assert.Equal($"Prometheus is not running at http://127.0.0.1:1 (nothing listens there): {Start("prometheus")}"
            + Environment.NewLine, p);
    }

    [Fact]
    public void Varnish_refuses_an_endpoint_that_is_not_host_port_and_names_the_first_port_not_listening()
    {
        var (bad, b) = With("SDN_VARNISH", "nonsense", Servers.Varnish);
        Assert.Null(bad);
        Assert.Equal($"Varnish (3 edges + shield) is not running (SDN_VARNISH='nonsense' is not host:port): "
            + Start("varnish") + Environment.NewLine, b);
        var (down, d) = With("SDN_VARNISH", "127.0.0.1:1", Servers.Varnish);
        Assert.Null(down);
        Assert.Equal($"Varnish (3 edges + shield) is not running (nothing listens on 127.0.0.1:1): "
            + Start("varnish") + Environment.NewLine, d);
    }

    [Fact]
    public void A_configured_binary_is_used_when_it_exists_and_named_when_it_does_not()
    {
        Assert.Equal(("/bin/sh", ""), With("SDN_HAPROXY", "/bin/sh", Servers.Haproxy));
        Assert.Equal(("/bin/sh", ""), With("SDN_NGINX", "/bin/sh", Servers.Nginx));
        var (haproxy, h) = With("SDN_HAPROXY", "/nonexistent/haproxy", Servers.Haproxy);
        Assert.Null(haproxy);
        Assert.Equal("HAProxy is not running here (no `haproxy` binary at /nonexistent/haproxy; each experiment runs "
            + $"its own on loopback): {Start("loadbalancers")}" + Environment.NewLine, h);
        var (nginx, n) = With("SDN_NGINX", "/nonexistent/nginx", Servers.Nginx);
        Assert.Null(nginx);
        Assert.Equal("nginx is not running here (no `nginx` binary at /nonexistent/nginx; each experiment runs "
            + $"its own on loopback): {Start("loadbalancers")}" + Environment.NewLine, n);
        var (redis, r) = With("SDN_REDIS_SERVER", "/nonexistent/redis-server", Servers.RedisPrivate);
        Assert.Null(redis);
        Assert.Equal("A private redis-server (started per experiment) is not running: no redis-server binary at "
            + "/nonexistent/redis-server; `./scripts/services.sh start redis` checks that redis-server is installed; "
            + Skip + Environment.NewLine, r);
    }

    [Fact]
    public void A_binary_is_looked_up_on_path_when_no_variable_names_it()
    {
        string dir = Directory.CreateTempSubdirectory("sdn-bin-").FullName;
        try
        {
            foreach (var name in new[] { "haproxy", "nginx", "promtool", "redis-server" })
                File.WriteAllText(Path.Combine(dir, name), "");
            string? path = Environment.GetEnvironmentVariable("PATH");
            Environment.SetEnvironmentVariable("PATH", ":" + dir);
            try
            {
                Assert.Equal((Path.Combine(dir, "haproxy"), ""), With("SDN_HAPROXY", "", Servers.Haproxy));
                Assert.Equal((Path.Combine(dir, "nginx"), ""), With("SDN_NGINX", null, Servers.Nginx));
                Assert.Equal((Path.Combine(dir, "promtool"), ""), With("SDN_UNUSED", null, Servers.Promtool));
                File.Delete(Path.Combine(dir, "promtool"));
                var (promtool, p) = With("SDN_UNUSED", null, Servers.Promtool);
                Assert.Null(promtool);
                Assert.Equal("promtool is not installed (Debian package `prometheus`; `./setup.sh` installs it): "
                    + Skip + Environment.NewLine, p);
            }
            finally { Environment.SetEnvironmentVariable("PATH", path); }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
    [Fact]
    public void A_missing_two_phase_commit_postgres_gives_null_and_one_line_and_has_its_default()
    {
        Assert.Equal("Host=127.0.0.1;Port=25434;Username=sdn;Database=sdn;Timeout=3;Command Timeout=60;Pooling=false",
            With("SDN_POSTGRES_2PC", null, () => Servers.PostgresTwoPcConnectionString).Result);
        var (pg, said) = With("SDN_POSTGRES_2PC", "Host=127.0.0.1;Port=1;Username=sdn;Database=sdn;Timeout=2",
            Servers.PostgresTwoPc);
        Assert.Null(pg);
        Assert.StartsWith("PostgreSQL for two-phase commit is not running at 127.0.0.1:1 (", said);
        Assert.EndsWith($"): {Start("postgres-2pc")}" + Environment.NewLine, said);
        Assert.Single(said.Trim().Split('\n'));
    }

    [Fact]
    public void Only_a_listening_port_counts_and_an_endpoint_of_unknown_kind_is_left_to_the_client()
    {
        Assert.True(Servers.Listening(new System.Net.Sockets.UnixDomainSocketEndPoint("/nonexistent/sock")));
        Assert.False(Servers.Listening(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1)));
        Assert.False(Servers.Listening(new System.Net.DnsEndPoint("127.0.0.1", 1)));
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var open = (System.Net.IPEndPoint)listener.LocalEndpoint;
        Assert.True(Servers.Listening(open));
        Assert.True(Servers.Listening(new System.Net.DnsEndPoint("127.0.0.1", open.Port)));
    }
    /// <summary>Accepts and answers every HTTP request with one fixed response, or closes at once (no status).</summary>
    private sealed class FixedServer : LoopbackServer
    {
        private readonly int _status;
        private readonly string _body;

        public FixedServer(int status = 0, string body = "")
        {
            _status = status;
            _body = body;
            StartAccepting();
        }

        protected override void Serve(System.Net.Sockets.NetworkStream stream)
        {
            if (_status == 0) return;
            ReadHttpRequest(stream);
            WriteHttpResponse(stream, _status, _body, "application/json");
        }
    }

    [Fact]
    public void A_prometheus_without_rule_files_is_not_usable()
    {
        using var server = new FixedServer(200, """{"status":"success","data":{"yaml":"global: {}"}}""");
        string url = $"http://127.0.0.1:{server.Port}";
        var (prometheus, said) = With("SDN_PROMETHEUS", url, Servers.Prometheus);
        Assert.Null(prometheus);
        Assert.Equal($"Prometheus at {url} is not usable (its configuration has no rule_files or file_sd_configs "
            + $"folder): {Start("prometheus")}" + Environment.NewLine, said);
    }

    [Fact]
    public void An_s3_server_that_refuses_the_bucket_listing_is_not_usable()
    {
        using var server = new FixedServer(403, "");
        string url = $"http://127.0.0.1:{server.Port}";
        var (s3, said) = With("SDN_S3", url, Servers.S3);
        Assert.Null(s3);
        Assert.StartsWith($"The S3 server at {url} is not usable (", said);
        Assert.EndsWith($"): {Start("s3")}" + Environment.NewLine, said);
    }

    [Theory]
    [InlineData("rabbitmq")]
    [InlineData("nats")]
    public void A_port_that_closes_at_once_gives_null_and_one_line(string service)
    {
        using var server = new FixedServer();
        var (variable, address, name, connect) = service == "rabbitmq"
            ? ("SDN_RABBITMQ", $"127.0.0.1:{server.Port}", "RabbitMQ", (Func<object?>)Servers.RabbitMq)
            : ("SDN_NATS", $"nats://127.0.0.1:{server.Port}", "NATS", Servers.Nats);
        var (client, said) = With(variable, address, connect);
        Assert.Null(client);
        Assert.StartsWith($"{name} is not running at {address} (", said);
        Assert.EndsWith($"): {Start(service)}" + Environment.NewLine, said);
        Assert.DoesNotContain("nothing listens there", said);
    }
}
