using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Metrics;
using OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;

namespace SystemDesign.Observability;

/// <summary>
/// A real HTTP service (Kestrel on 127.0.0.1, port 0) whose GET /api counts every request in the OpenTelemetry
/// counter <c>nb14.requests{outcome}</c>, exposed on /metrics by the OpenTelemetry Prometheus exporter (response
/// cache off, so every scrape sees the current value). A fault makes every n-th request fail with 500.
/// A load loop calls /api about every millisecond. With an experiment id, every series also carries the label
/// <c>exp</c> (for a scrape target that has none of its own: Prometheus's static live target).
/// </summary>
public sealed class MetricsService : IDisposable
{
    private readonly Microsoft.AspNetCore.Builder.WebApplication _app;
    private readonly Meter _meter;
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _load;
    private long _faulty;
    private volatile int _failEvery;

    public int Port { get; }
    public long Requests { get; private set; }

    /// <param name="port">0: any free port.</param>
    /// <param name="exp">null: no exp label on the series (the scrape target adds it).</param>
    public MetricsService(int port = 0, string? exp = null)
    {
        _meter = new Meter("SystemDesign.Nb14." + Guid.NewGuid().ToString("N")[..8]);
        var counter = _meter.CreateCounter<long>("nb14.requests");
        var ok = Tags("ok", exp);
        var error = Tags("error", exp);
        string meterName = _meter.Name;
        (_app, Port) = LoopbackApp.Start(
            s => s.AddOpenTelemetry().WithMetrics(m => m.AddMeter(meterName)
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0)),
            app =>
            {
                app.MapPrometheusScrapingEndpoint();
                app.MapGet("/api", () =>
                {
                    int every = _failEvery;
                    bool fail = every > 0 && Interlocked.Increment(ref _faulty) % every == 0;
                    counter.Add(1, fail ? error : ok);
                    return fail ? Results.StatusCode(500) : Results.Ok();
                });
            }, port);
        // Both series exist from the first scrape (rate() needs two samples of the error counter too). Only after
        // the app has started: its MeterProvider is what listens, and a measurement made before it is lost.
        counter.Add(0, ok);
        counter.Add(0, error);
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(2) };
        _load = Task.Run(LoadAsync);
    }

    private static KeyValuePair<string, object?>[] Tags(string outcome, string? exp) => exp is null
        ? [new("outcome", outcome)]
        : [new("outcome", outcome), new("exp", exp)];

    /// <summary>0: healthy; n ≥ 1: every n-th request fails (n = 2: half of them).</summary>
    public int FailEvery { get => _failEvery; set => _failEvery = Guard.NonNegative(value); }

    private async Task LoadAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { using var _ = await _client.GetAsync("api", _stop.Token); Requests++; }
            catch (OperationCanceledException) { break; }
            catch (HttpRequestException) { }
            try { await Task.Delay(1, _stop.Token); } catch (OperationCanceledException) { break; }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _load.Wait(TimeSpan.FromSeconds(3)); } catch (AggregateException) { }
        _client.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
        _meter.Dispose();
        _stop.Dispose();
    }
}
