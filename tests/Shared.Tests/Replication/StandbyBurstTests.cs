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
            Assert.Equal(600, r.PauseMs);
            Assert.Equal(3, r.Calibrations.Count);                               // one before, two after the burst
            Assert.All(r.Calibrations, c => Assert.True(c.BacklogBytes > 0 && c.DrainMs > 0, $"{c}"));
            Assert.True(r.BacklogBytes > 0 && r.WriteRate >= 0 && r.PollMs > 0 && r.DrainMs > 0, $"{r.WriteRate} B/s");
            // Paused samples first, then the drain's polls (nothing unreceived counted), ending caught up.
            var paused = r.Samples.TakeWhile(smp => smp.Paused).ToArray();
            var drain = r.Samples.Skip(paused.Length).ToArray();
            Assert.True(paused.Length >= 5 && drain.Length >= 1, $"{paused.Length} paused, {drain.Length} drain");
            Assert.All(drain, smp => Assert.False(smp.Paused));
            Assert.All(drain, smp => Assert.Equal(0, smp.UnreceivedBytes));
            Assert.All(drain, smp => Assert.True(smp.Ms >= r.PauseMs, $"{smp.Ms} ms"));
            Assert.Equal(0, drain[^1].BacklogBytes);
            Assert.True(paused[^1].BacklogBytes > paused[0].BacklogBytes, "the backlog grows while paused");
            Assert.Equal(paused.Max(smp => smp.UnreceivedBytes), r.MaxUnreceivedBytes);
            Assert.All(r.Samples.Zip(r.Samples.Skip(1)), p => Assert.True(p.First.Ms <= p.Second.Ms));
            Assert.All(paused, smp => Assert.InRange(smp.UnreceivedBytes, 0, smp.BacklogBytes));
            using var cmd = new Npgsql.NpgsqlCommand($"SELECT to_regclass('{StandbyBurst.Table}') IS NULL", primary);
            Assert.True((bool)cmd.ExecuteScalar()!);                             // dropped at the end
        }
    }
}
