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
        for (int i = 0; i < 6; i++)
        {
            var r = StandbyBurst.Run(primary, standby, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(20));
            log.WriteLine($"B {r.BacklogBytes / 1e6:F2} MB, λ {r.WriteRate / 1e6:F1} MB/s, μ {r.ReplayRate / 1e6:F1} MB/s, " +
                $"ρ {r.Utilisation:F2}, drain {r.DrainMs:F0} ms, predicted {r.PredictedDrainMs:F0} ms, range " +
                $"{r.PredictedDrainRangeMs}; B/μ {r.DrainWithoutWritesMs:F0} ms; μ before {r.Before.ReplayRate / 1e6:F1}, after " +
                $"{r.After.ReplayRate / 1e6:F1}; max unreceived {r.MaxUnreceivedBytes / 1e3:F0} kB; samples {r.Samples.Count}");
        }
    }
}
