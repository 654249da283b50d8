using SystemDesign.Observability;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.Observability;

[Collection(SerialCollection.Name)]
public sealed class LivePrometheusTests
{
    [SkippableFact]
    public void Prometheus_fires_when_our_evaluation_of_its_samples_does()
    {
        using var prom = PrometheusApi.TryConnect(Servers.PrometheusUrl, out string why);
        Skip.If(prom is null && Environment.GetEnvironmentVariable("CI") != "true", "Prometheus: " + why);
        Assert.NotNull(prom);
        // The registry's Prometheus scrapes a static live target on its own port + 1 (no 5 s discovery wait).
        Assert.Equal(prom!.Url.Port + 1, prom.LivePort);
        var r = LiveAlertExperiment.Run(prom!, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1.4),
            TimeSpan.FromSeconds(0.6));
        string table = string.Join("\n", r.Evaluations.Select(e =>
            $"{e.Ms - r.FaultStartMs,6} {e.PromLong:F6} {e.OursLong:F6} {e.PromShort:F6} {e.OursShort:F6} {e.PromFiring} {e.OursFiring}"));
        Assert.True(r.Evaluations.Count > 10, table);
        Assert.NotNull(r.FirstPromFiring);
        Assert.NotNull(r.FirstOursFiring);
        Assert.InRange(Math.Abs(r.FirstPromFiring!.Ms - r.FirstOursFiring!.Ms), 0, 100);
        // Same bound as notebook 14: equal to ours, or to ours without the scrape the evaluation raced.
        Assert.True(r.ExplainedShare >= 0.9, $"explained {r.ExplainedShare}, exact {r.AgreementShare}\n{table}");
        Assert.All(r.Evaluations.Where(e => e.AgreesRaced), e => Assert.False(e.Agrees));
    }
}
