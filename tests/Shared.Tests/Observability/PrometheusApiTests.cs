using System.Net;
using System.Net.Sockets;
using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

/// <summary>PrometheusApi against <see cref="FakePrometheus"/>: exact parsing of canned answers.</summary>
public sealed class PrometheusApiTests
{
    private static PrometheusApi Connect(FakePrometheus fake)
    {
        var api = PrometheusApi.TryConnect(fake.Url, out string why);
        Assert.True(api is not null, why);
        Assert.Equal("", why);
        return api!;
    }

    [Fact]
    public void Connecting_reads_the_rule_and_target_folders_and_the_live_port_from_the_configuration()
    {
        using var fake = new FakePrometheus();
        using var api = Connect(fake);
        Assert.Equal(new Uri(fake.Url + "/"), api.Url);
        Assert.Equal(fake.RulesDir, api.RulesDir);
        Assert.Equal(fake.TargetsDir, api.TargetsDir);
        Assert.Equal(9123, api.LivePort);
        using var slash = PrometheusApi.TryConnect(fake.Url + "/", out _)!;
        Assert.Equal(new Uri(fake.Url + "/"), slash.Url);
        // Under a path prefix the base address ends with a slash, so that the API paths go below it.
        using var prefixed = PrometheusApi.TryConnect(fake.Url + "/prom", out string why)!;
        Assert.True(prefixed is not null, why);
        Assert.Equal(new Uri(fake.Url + "/prom/"), prefixed.Url);
        Assert.Null(prefixed.Health());
    }

    [Fact]
    public void The_live_port_is_the_first_target_of_the_sdn_live_job_not_of_a_later_job()
    {
        using var fake = new FakePrometheus();
        fake.ConfigBody = FakePrometheus.Config(
            $"rule_files:\n- {fake.RulesDir}/*.yml\nscrape_configs:\n- job_name: sdn-live\n  scrape_interval: 100ms\n  static_configs:\n  - targets:\n    - 127.0.0.1:9124\n"
            + $"- job_name: other\n  static_configs:\n  - targets:\n    - 127.0.0.1:7777\n- job_name: sdn\n  file_sd_configs:\n  - files:\n    - {fake.TargetsDir}/*.json\n");
        using var api = Connect(fake);
        Assert.Equal(9124, api.LivePort);
    }

    [Fact]
    public void Without_an_sdn_live_job_there_is_no_live_port()
    {
        using var fake = new FakePrometheus();
        fake.ConfigBody = FakePrometheus.Config(
            $"rule_files:\n- {fake.RulesDir}/*.yml\nscrape_configs:\n- job_name: other\n  static_configs:\n  - targets:\n    - 127.0.0.1:9123\n  file_sd_configs:\n  - files:\n    - {fake.TargetsDir}/*.json\n");
        using var api = Connect(fake);
        Assert.Null(api.LivePort);
        Assert.Equal(fake.TargetsDir, api.TargetsDir);
    }

    [Fact]
    public void A_configuration_without_rule_files_or_file_sd_folders_is_refused_with_the_reason()
    {
        using var fake = new FakePrometheus();
        const string reason = "its configuration has no rule_files or file_sd_configs folder";
        fake.ConfigBody = FakePrometheus.Config($"scrape_configs:\n- job_name: sdn\n  file_sd_configs:\n  - files:\n    - {fake.TargetsDir}/*.json\n");
        Assert.Null(PrometheusApi.TryConnect(fake.Url, out string why));
        Assert.Equal(reason, why);
        fake.ConfigBody = FakePrometheus.Config($"rule_files:\n- {fake.RulesDir}/*.yml\nscrape_configs: []\n");
        Assert.Null(PrometheusApi.TryConnect(fake.Url, out why));
        Assert.Equal(reason, why);
    }

    [Fact]
    public void Unusable_answers_and_unreachable_servers_give_null_with_the_first_line_of_the_error()
    {
        using var fake = new FakePrometheus();
        fake.ConfigBody = "not json";
        Assert.Null(PrometheusApi.TryConnect(fake.Url, out string why));
        Assert.False(string.IsNullOrEmpty(why));
        Assert.DoesNotContain('\n', why);
        fake.ConfigBody = """{"status":"success"}""";    // no data: KeyNotFoundException
        Assert.Null(PrometheusApi.TryConnect(fake.Url, out why));
        Assert.False(string.IsNullOrEmpty(why));
        fake.ConfigBody = """{"status":"success","data":[]}""";    // data not an object: InvalidOperationException
        Assert.Null(PrometheusApi.TryConnect(fake.Url, out why));
        Assert.False(string.IsNullOrEmpty(why));
        Assert.Null(PrometheusApi.TryConnect($"http://127.0.0.1:{FreePort()}", out why));
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void Health_is_null_when_ready_else_says_why()
    {
        var fake = new FakePrometheus();
        var api = Connect(fake);
        Assert.Null(api.Health());
        fake.ReadyStatus = 503;
        Assert.Equal("Prometheus is not ready (503)", api.Health());
        fake.Dispose();
        Assert.StartsWith("Prometheus: ", api.Health(), StringComparison.Ordinal);
        api.Dispose();
        Assert.Throws<ObjectDisposedException>(() => api.Health());
    }

    [Fact]
    public void Samples_parse_labels_millisecond_timestamps_and_special_values()
    {
        using var fake = new FakePrometheus();
        using var api = Connect(fake);
        fake.QueryResults["up{job=\"x\"}[5s]"] = """
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"up","job":"x"},"values":[[1700000000.123,"1.5"],[1700000001,"NaN"]]},
              {"metric":{"job":"y"},"values":[[1700000000.5,"+Inf"],[1700000002.25,"-Inf"],[1700000003,"1e3"]]}]}}
            """;
        var r = api.Samples("up{job=\"x\"}", TimeSpan.FromSeconds(5));
        Assert.Equal(2, r.Count);
        Assert.Equal(new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "x" }, r[0].Labels);
        Assert.Equal(new Dictionary<string, string> { ["job"] = "y" }, r[1].Labels);
        Assert.Equal(new[] { 1_700_000_000_123L, 1_700_000_001_000L }, r[0].Samples.Select(s => s.Ms));
        Assert.Equal(1.5, r[0].Samples[0].Value);
        Assert.True(double.IsNaN(r[0].Samples[1].Value));
        Assert.Equal(new[] { 1_700_000_000_500L, 1_700_000_002_250L, 1_700_000_003_000L }, r[1].Samples.Select(s => s.Ms));
        Assert.Equal(new[] { double.PositiveInfinity, double.NegativeInfinity, 1000 }, r[1].Samples.Select(s => s.Value));
        Assert.Empty(api.Samples("absent", TimeSpan.FromMinutes(1)));
        Assert.Equal(new[] { "up{job=\"x\"}[5s]", "absent[1m]" }, fake.Queries);
    }

    [Fact]
    public void Scalar_is_the_first_results_value_or_NaN_when_there_is_none()
    {
        using var fake = new FakePrometheus();
        using var api = Connect(fake);
        fake.QueryResults["sum(x)"] = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"42.25"]},{"metric":{},"value":[1700000000,"7"]}]}}""";
        fake.QueryResults["inf"] = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"+Inf"]}]}}""";
        Assert.Equal(42.25, api.Scalar("sum(x)"));
        Assert.Equal(double.PositiveInfinity, api.Scalar("inf"));
        Assert.True(double.IsNaN(api.Scalar("nothing")));
    }

    [Fact]
    public void The_target_state_is_found_by_the_exp_label()
    {
        using var fake = new FakePrometheus();
        using var api = Connect(fake);
        fake.TargetsBody = """
            {"status":"success","data":{"activeTargets":[
              {"labels":{"job":"sdn"},"health":"up","lastError":""},
              {"labels":{"exp":"other"},"health":"up","lastError":""},
              {"labels":{"exp":"mine"},"health":"down","lastError":"connection refused"}]}}
            """;
        Assert.Equal("down connection refused", api.TargetState("mine"));
        Assert.Equal("up ", api.TargetState("other"));
        Assert.Equal("not discovered", api.TargetState("absent"));
    }

    [Fact]
    public void Targets_are_written_as_file_sd_json_and_removed()
    {
        using var fake = new FakePrometheus();
        using var api = Connect(fake);
        api.AddTarget("e1", 9000);
        string path = Path.Combine(fake.TargetsDir, "e1.json");
        Assert.Equal("""[{"targets":["127.0.0.1:9000"],"labels":{"exp":"e1"}}]""", File.ReadAllText(path));
        api.AddTarget("e1", 65535);
        Assert.Equal("""[{"targets":["127.0.0.1:65535"],"labels":{"exp":"e1"}}]""", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(fake.TargetsDir));   // no temporary file left behind
        api.RemoveTarget("e1");
        Assert.False(File.Exists(path));
        api.RemoveTarget("e1");   // already gone: fine
    }

    [Fact]
    public async Task Rules_are_written_reloaded_only_when_changed_and_waited_for_until_the_group_loads()
    {
        using var fake = new FakePrometheus();
        using var api = Connect(fake);
        fake.RulesBody = """{"status":"success","data":{"groups":[{"name":"g","rules":[]}]}}""";
        api.EnsureRules("g", "groups: []\n");
        string path = Path.Combine(fake.RulesDir, "g.yml");
        Assert.Equal("groups: []\n", File.ReadAllText(path));
        Assert.Equal(1, fake.Reloads);
        api.EnsureRules("g", "groups: []\n");
        Assert.Equal(1, fake.Reloads);                   // same content: no reload
        api.EnsureRules("g", "groups: [] # v2\n");
        Assert.Equal(2, fake.Reloads);
        Assert.Equal("groups: [] # v2\n", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(fake.RulesDir));

        // Not loaded yet: EnsureRules polls until the group shows up.
        fake.RulesBody = """{"status":"success","data":{"groups":[]}}""";
        int before = fake.RulesRequests;
        var loaded = Task.Run(async () => { await Task.Delay(300); fake.RulesBody = """{"data":{"groups":[{"name":"h"}]}}"""; });
        api.EnsureRules("h", "groups: []\n");
        await loaded;
        Assert.True(fake.RulesRequests - before >= 2, $"{fake.RulesRequests - before} rule requests");

        fake.ReloadStatus = 500;
        Assert.Throws<HttpRequestException>(() => api.EnsureRules("g", "groups: [] # v3\n"));
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
