using SystemDesign.Edge;

namespace SystemDesign.Tests.Edge;

public sealed class VideoDeliveryTests
{
    private static readonly double[] Ladder = { 300, 750, 1200, 1850, 2850, 4300 };

    [Fact]
    public void Bba0_follows_algorithm_1()
    {
        var bba = new Bba0(10, 40);
        Assert.Equal(0, bba.Next(3, 9, [], Ladder));            // below the reservoir: R_min
        Assert.Equal(5, bba.Next(0, 50, [], Ladder));           // above reservoir + cushion: R_max
        // f(30) = 300 + 20/40·4000 = 2300: from 750 (Rate+ = 1200 ≤ f) up to the highest rate below f, 1850.
        Assert.Equal(3, bba.Next(1, 30, [], Ladder));
        // From 2850 (Rate− = 1850 < 2300 < 2850): stay.
        Assert.Equal(4, bba.Next(4, 30, [], Ladder));
        // f(20) = 1300 ≤ Rate− = 1850 from 4300: down to the lowest rate above f, 1850.
        Assert.Equal(3, bba.Next(5, 20, [], Ladder));
        Assert.Equal(2300, bba.RateMap(30, Ladder), 6);
    }

    [Fact]
    public void Throughput_rule_takes_the_highest_rate_under_the_discounted_harmonic_mean()
    {
        var rule = new ThroughputRule(0.9, 3);
        Assert.Equal(0, rule.Next(0, 10, [], Ladder));
        // harmonic mean of 2000, 4000, 4000 = 3000; × 0.9 = 2700 → 1850.
        Assert.Equal(3, rule.Next(0, 10, [9000, 2000, 4000, 4000], Ladder));
    }

    [Fact]
    public void Download_time_integrates_the_trace()
    {
        var trace = new BandwidthTrace(1, [1000, 500, 2000]);
        Assert.Equal(1.0, trace.DownloadSeconds(0, 1000), 9);
        Assert.Equal(2.0, trace.DownloadSeconds(0, 1500), 9);
        Assert.Equal(0.5 + 1 + 0.125, trace.DownloadSeconds(0.5, 500 + 500 + 250), 9);
    }

    [Fact]
    public void Bba0_never_stalls_above_its_stall_free_capacity_and_a_throughput_rule_can()
    {
        var bba = new Bba0(10, 40);
        double need = bba.StallFreeCapacityKbps(Ladder, 2);
        Assert.Equal(300, need, 6);
        for (int seed = 1; seed <= 10; seed++)
        {
            var trace = BandwidthTrace.RegimeSwitching([need, 1000, 3000, 8000], 2000, seed);
            var s = AbrPlayer.Play(trace, Ladder, 2, 60, 300, bba);
            Assert.Equal(0, s.Stalls);
        }
        var fast = new BandwidthTrace(1, Enumerable.Repeat(8000.0, 6).Concat(Enumerable.Repeat(320.0, 200)).ToArray());
        Assert.True(AbrPlayer.Play(fast, Ladder, 2, 60, 30, new ThroughputRule()).Stalls > 0);
        Assert.Equal(0, AbrPlayer.Play(fast, Ladder, 2, 60, 30, bba).Stalls);
    }

    [Fact]
    public void Live_latency_has_the_floor_and_mean_of_the_formula()
    {
        var run = LiveStream.Simulate(4, 1, 3, 0, 5, 20_000, seed: 1);
        Assert.True(run.MinLatency >= 1 + 3 * 4 - 1e-9);
        Assert.InRange(run.MeanLatency, 1 + 3.5 * 4 - 0.1, 1 + 3.5 * 4 + 0.1);
        var cached = LiveStream.Simulate(4, 1, 3, 10, 5, 20_000, seed: 1);
        Assert.True(cached.MaxAge <= 10);
        Assert.InRange(cached.MeanAge, LiveStream.MeanPlaylistAge(10, 5) - 0.15, LiveStream.MeanPlaylistAge(10, 5) + 0.15);
    }
}
