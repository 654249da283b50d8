using SystemDesign.Replication;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Replication;

/// <summary>The write burst on the real primary + streaming standby; skipped when either is down.</summary>
[Collection("real clusters")]
public sealed class StandbyBurstTests(Xunit.Abstractions.ITestOutputHelper log)
{
    [Fact]
    public void Arguments_are_validated()
    {
        Assert.Throws<ArgumentNullException>(() =>
            StandbyBurst.Run(null!, null!, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(20)));
    }

    [SkippableFact]
    public void A_backlog_built_while_replay_is_paused_drains_as_the_queue_model_predicts()
    {
        using var primary = RealSystem.RequirePostgres();
        using var standby = RealSystem.RequirePostgresStandby();
        var ex = Assert.Throws<ArgumentException>(() =>
            StandbyBurst.Run(primary, standby, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(5)));
        Assert.Equal("pause", ex.ParamName);
        for (int i = 0; i < 3; i++)
        {
            var r = StandbyBurst.Run(primary, standby, TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(20), 600);
            var (lo, hi) = r.PredictedDrainBandMs;
            log.WriteLine($"B {r.BacklogBytes / 1e6:F2} MB, λ {r.WriteRate / 1e6:F1} MB/s, μ {r.ReplayRate / 1e6:F1} MB/s, " +
                $"ρ {r.Utilisation:F2}, drain {r.DrainMs:F1} ms, predicted {r.PredictedDrainMs:F1} ms, band " +
                $"[{lo:F1}, {hi:F1}]; poll {r.PollMs:F1} ms; μs " +
                string.Join("/", r.Calibrations.Select(c => (c.ReplayRate / 1e6).ToString("F0"))) +
                $"; max unreceived {r.MaxUnreceivedBytes / 1e3:F0} kB; samples {r.Samples.Count}");
            // Paused replay does not stop the WAL receiver: the backlog is received, only not applied.
            Assert.True(r.ReceivedShareAtResume >= 0.5, $"received share {r.ReceivedShareAtResume:P1}");
            // ρ ≪ ½, so the model's drain P·ρ/(1 − ρ) is shorter than the pause.
            Assert.True(r.DrainMs < r.PauseMs, $"drain {r.DrainMs:F1} ms vs pause {r.PauseMs} ms");
            Assert.All(r.Samples, smp => Assert.True(smp.BacklogBytes >= 0));
        }
    }
}
