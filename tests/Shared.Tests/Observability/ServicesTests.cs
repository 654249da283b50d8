using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

[Collection(SerialCollection.Name)]
public sealed class TraceChainExactTests
{
    [Fact]
    public void Three_services_give_a_chain_of_seven_spans_each_the_child_of_the_one_before()
    {
        var run = TraceChain.Run(3);
        Assert.Matches("^[0-9a-f]{32}$", run.TraceId);
        var s = run.Spans;
        Assert.Equal(new[] { "Internal", "Client", "Server", "Client", "Server", "Client", "Server" }, s.Select(x => x.Kind));
        Assert.Equal(new[] { "client", "(http client)", "svc-a", "(http client)", "svc-b", "(http client)", "svc-c" },
            s.Select(x => x.Service));
        Assert.Equal("checkout", s[0].Name);
        Assert.All(s.Where(x => x.Kind == "Server"), x => Assert.Equal("GET /work", x.Name));
        Assert.Equal(Enumerable.Range(0, 7), s.Select(x => x.Depth));
        Assert.Null(s[0].ParentId);
        for (int i = 1; i < s.Count; i++) Assert.Equal(s[i - 1].SpanId, s[i].ParentId);
        Assert.Equal(7, s.Select(x => x.SpanId).Distinct().Count());
        Assert.Equal(0, s[0].StartMs);
        for (int i = 1; i < s.Count; i++) Assert.True(s[i].StartMs >= s[i - 1].StartMs, $"span {i} starts before span {i - 1}");
        Assert.All(s, x => Assert.True(x.DurationMs > 0, x.Name));
        Assert.True(s[0].DurationMs >= s[1].DurationMs);
        Assert.True(s[1].StartMs + s[1].DurationMs <= s[0].StartMs + s[0].DurationMs + 1e-6);

        // Each service saw the traceparent of the client span that called it: same trace, sampled.
        Assert.Equal(new[] { "svc-a", "svc-b", "svc-c" }, run.Headers.Select(h => h.Service));
        for (int k = 0; k < 3; k++)
        {
            var p = TraceParent.Parse(run.Headers[k].TraceParent)!;
            Assert.Equal(run.TraceId, p.TraceId);
            Assert.Equal(s[2 * k + 1].SpanId, p.ParentId);
            Assert.True(p.Sampled);
        }
    }

    [Fact]
    public void Other_http_traffic_in_the_process_does_not_mix_into_the_trace()
    {
        // A MetricsService's load loop makes a request about every millisecond through HttpClient and Kestrel,
        // both instrumented by the chain's tracer provider while it runs.
        using var noise = new MetricsService();
        for (int i = 0; i < 3; i++)
        {
            var run = TraceChain.Run(3);
            Assert.Equal(7, run.Spans.Count);
            Assert.Equal(new[] { "client", "(http client)", "svc-a", "(http client)", "svc-b", "(http client)", "svc-c" },
                run.Spans.Select(x => x.Service));
        }
    }

    [Fact]
    public void One_service_gives_the_root_its_client_span_and_one_server_span()
    {
        var run = TraceChain.Run(1);
        Assert.Equal(new[] { "client", "(http client)", "svc-a" }, run.Spans.Select(x => x.Service));
        Assert.Equal(new[] { 0, 1, 2 }, run.Spans.Select(x => x.Depth));
        Assert.Equal("svc-a", Assert.Single(run.Headers).Service);
        Assert.Equal(TraceChain.SourceName, "SystemDesign.Nb14.Trace");
    }
}

public sealed class MetricsServiceBehaviourTests
{
    private static readonly Regex Line = new("^nb14_requests_total\\{([^}]*)\\} (\\d+)", RegexOptions.Multiline);

    private static async Task<(long Ok, long Error, string Text)> Counters(HttpClient http, int port)
    {
        string text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        long ok = 0, error = 0;
        foreach (Match m in Line.Matches(text))
        {
            if (m.Groups[1].Value.Contains("outcome=\"ok\"", StringComparison.Ordinal)) ok += long.Parse(m.Groups[2].Value);
            if (m.Groups[1].Value.Contains("outcome=\"error\"", StringComparison.Ordinal)) error += long.Parse(m.Groups[2].Value);
        }
        return (ok, error, text);
    }

    [Fact]
    public async Task Every_nth_request_fails_once_a_fault_is_set_and_none_when_it_is_cleared()
    {
        using var svc = new MetricsService();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{svc.Port}/") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("api")).StatusCode);

        svc.FailEvery = 1;
        Assert.Equal(HttpStatusCode.InternalServerError, (await http.GetAsync("api")).StatusCode);
        var before = await Counters(http, svc.Port);
        for (int i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.InternalServerError, (await http.GetAsync("api")).StatusCode);
        var after = await Counters(http, svc.Port);
        Assert.Equal(before.Ok, after.Ok);
        Assert.True(after.Error - before.Error >= 20, after.Text);

        // Every 4th fails: a quarter of everything counted meanwhile (ours and the load loop's).
        svc.FailEvery = 4;
        await http.GetAsync("api");
        before = await Counters(http, svc.Port);
        for (int i = 0; i < 400; i++) await http.GetAsync("api");
        after = await Counters(http, svc.Port);
        double share = (double)(after.Error - before.Error) / (after.Error - before.Error + after.Ok - before.Ok);
        Assert.InRange(share, 0.22, 0.28);

        svc.FailEvery = 0;
        await http.GetAsync("api");
        before = await Counters(http, svc.Port);
        for (int i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("api")).StatusCode);
        after = await Counters(http, svc.Port);
        Assert.Equal(before.Error, after.Error);
        Assert.True(after.Ok - before.Ok >= 20);
    }

    [Fact]
    public async Task Without_an_experiment_id_the_series_carry_no_exp_label_and_the_load_loop_counts_its_requests()
    {
        using var http = new HttpClient();
        int port;
        using (var svc = new MetricsService())
        {
            port = svc.Port;
            Assert.InRange(port, 1, 65535);
            var c = await Counters(http, port);
            Assert.Equal(2, Line.Matches(c.Text).Count);   // both outcomes exist from the start
            Assert.DoesNotContain("exp=", c.Text, StringComparison.Ordinal);
            for (int i = 0; i < 200 && svc.Requests == 0; i++) await Task.Delay(10);
            Assert.True(svc.Requests > 0);
            long seen = svc.Requests;
            for (int i = 0; i < 200 && svc.Requests == seen; i++) await Task.Delay(10);
            Assert.True(svc.Requests > seen);
        }
        // Disposed: nothing listens there any more.
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/api"));
    }
}

public sealed class LoopbackAppTests
{
    private sealed record Greeting(string Text);

    [Fact]
    public async Task The_app_gets_its_services_and_routes_and_reports_the_port_it_listens_on()
    {
        var (app, port) = LoopbackApp.Start(s => s.AddSingleton(new Greeting("hello")),
            a => a.MapGet("/hi", (Greeting g) => Results.Text(g.Text)));
        try
        {
            using var http = new HttpClient();
            Assert.Equal("hello", await http.GetStringAsync($"http://127.0.0.1:{port}/hi"));
            Assert.Empty(app.Services.GetServices<ILoggerProvider>());   // quiet: no console logging in a notebook
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        // The same port, asked for explicitly.
        var (again, p2) = LoopbackApp.Start(_ => { }, a => a.MapGet("/", () => "x"), port);
        try { Assert.Equal(port, p2); }
        finally
        {
            await again.StopAsync();
            await again.DisposeAsync();
        }
    }
}
