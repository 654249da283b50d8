using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

/// <summary>
/// A stand-in for Prometheus's HTTP API on a loopback port, with canned answers, so that PrometheusApi's parsing
/// is tested on exact inputs (the live tests check it against the real server). Rule and target folders are a
/// temporary directory; the configuration names them the way Prometheus's /api/v1/status/config does.
/// </summary>
internal sealed class FakePrometheus : IDisposable
{
    private readonly WebApplication _app;

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "sdn-fakeprom-" + Guid.NewGuid().ToString("N")[..8]);
    public string RulesDir => Path.Combine(Dir, "rules");
    public string TargetsDir => Path.Combine(Dir, "targets");

    /// <summary>The body of /api/v1/status/config (null: the standard one, with an sdn-live target on
    /// <see cref="LivePort"/>, or without an sdn-live job when that is null).</summary>
    public string? ConfigBody { get; set; }
    public int? LivePort { get; set; } = 9123;
    /// <summary>Answers /api/v1/query before <see cref="QueryResults"/> when it returns non-null.</summary>
    public Func<string, string?>? QueryHandler { get; set; }
    /// <summary>Answers of /api/v1/query by the query string's exact text; a query not listed gets an empty result.</summary>
    public ConcurrentDictionary<string, string> QueryResults { get; } = new();
    public ConcurrentQueue<string> Queries { get; } = new();
    public string TargetsBody { get; set; } = """{"status":"success","data":{"activeTargets":[]}}""";
    public string RulesBody { get; set; } = """{"status":"success","data":{"groups":[]}}""";
    public int ReadyStatus { get; set; } = 200;
    public int ReloadStatus { get; set; } = 200;
    public int Reloads;
    public int RulesRequests;

    public FakePrometheus()
    {
        Directory.CreateDirectory(RulesDir);
        Directory.CreateDirectory(TargetsDir);
        (_app, Port) = LoopbackApp.Start(_ => { }, app =>
        {
            // Also served under /prom/ (a Prometheus behind a path prefix).
            app.UsePathBase("/prom");
            app.UseRouting();
            app.MapGet("/api/v1/status/config", () => Results.Text(ConfigBody ?? Config(
                $"rule_files:\n- {RulesDir}/*.yml\nscrape_configs:\n- job_name: sdn\n  file_sd_configs:\n  - files:\n    - {TargetsDir}/*.json\n    refresh_interval: 1s\n"
                + (LivePort is int live ? $"- job_name: sdn-live\n  honor_timestamps: false\n  scrape_interval: 100ms\n  static_configs:\n  - targets:\n    - 127.0.0.1:{live}\n" : "")),
                "application/json"));
            app.MapGet("/api/v1/query", (HttpContext ctx) =>
            {
                string q = ctx.Request.Query["query"].ToString();
                Queries.Enqueue(q);
                return Results.Text(QueryHandler?.Invoke(q) ?? (QueryResults.TryGetValue(q, out var body) ? body
                    : """{"status":"success","data":{"resultType":"vector","result":[]}}"""), "application/json");
            });
            app.MapGet("/api/v1/targets", () => Results.Text(TargetsBody, "application/json"));
            app.MapGet("/api/v1/rules", () =>
            {
                Interlocked.Increment(ref RulesRequests);
                return Results.Text(RulesBody, "application/json");
            });
            app.MapGet("/-/ready", () => Results.StatusCode(ReadyStatus));
            app.MapPost("/-/reload", () => { Interlocked.Increment(ref Reloads); return Results.StatusCode(ReloadStatus); });
        });
    }

    /// <summary>A status/config answer carrying <paramref name="yaml"/>.</summary>
    public static string Config(string yaml) =>
        "{\"status\":\"success\",\"data\":{\"yaml\":" + System.Text.Json.JsonSerializer.Serialize(yaml) + "}}";

    public void Dispose()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
