using SystemDesign.Edge;

namespace SystemDesign.Tests.Edge;

/// <summary>Exact values of the bandwidth traces, the ABR rules at their thresholds, a scripted player session
/// step by step, and the live stream against its arrivals.</summary>
public sealed class VideoDeliveryExactTests
{
    private static readonly double[] Ladder = { 300, 750, 1200, 1850, 2850, 4300 };

    [Fact]
    public void A_trace_holds_each_step_and_repeats_the_last_one()
    {
        var trace = new BandwidthTrace(1, [1000, 500, 2000]);
        Assert.Equal([1000.0, 1000.0, 500.0, 500.0, 2000.0, 2000.0], new[] { -1, 0.5, 1, 1.99, 2.5, 10 }.Select(trace.At));
        Assert.Equal(500, trace.MinKbps);
        Assert.Equal(0.5, trace.DownloadSeconds(5, 1000), 9);   // beyond the end: 2000 kb/s
        Assert.Equal(0, trace.DownloadSeconds(0.3, 0), 9);
        Assert.Equal(1.0, new BandwidthTrace(0.5, [1000, 2000]).DownloadSeconds(0, 1500), 9);
        Assert.Equal(0.5, new BandwidthTrace(0.5, [1000, 2000]).DownloadSeconds(0.5, 1000), 9);
    }

    [Fact]
    public void A_regime_switching_trace_jitters_its_level_and_never_goes_below_the_lowest()
    {
        // Never switching: the highest level, jittered ±20%, floored at the lowest level.
        var steady = BandwidthTrace.RegimeSwitching([900, 1000], 10, seed: 4, stepSeconds: 3, switchProbability: 0);
        Assert.Equal(3, steady.StepSeconds);
        var rng = new Random(4);
        var expected = Enumerable.Range(0, 4).Select(_ =>
        {
            rng.NextDouble();
            return Math.Max(900, 1000 * (0.8 + 0.4 * rng.NextDouble()));
        }).ToArray();
        Assert.Equal(expected, steady.Kbps);
        // Always switching: a level drawn uniformly every step.
        double[] levels = [100, 1000, 10_000];
        var jumpy = BandwidthTrace.RegimeSwitching(levels, 20, seed: 9, switchProbability: 1);
        rng = new Random(9);
        expected = Enumerable.Range(0, 20).Select(_ =>
        {
            rng.NextDouble();
            double level = levels[rng.Next(levels.Length)];
            return Math.Max(100, level * (0.8 + 0.4 * rng.NextDouble()));
        }).ToArray();
        Assert.Equal(expected, jumpy.Kbps);
        Assert.Equal(100, BandwidthTrace.RegimeSwitching([100, 101], 200, seed: 1).MinKbps);
    }

    [Fact]
    public void Bba0_rate_map_and_thresholds()
    {
        var bba = new Bba0(10, 40);
        Assert.Equal("BBA-0 (buffer)", bba.Name);
        Assert.Equal([300.0, 300.0, 1300.0, 4300.0, 4300.0], new[] { 5.0, 10, 20, 50, 60 }.Select(b => bba.RateMap(b, Ladder)));
        Assert.Equal(0, bba.Next(3, 10, [], Ladder));          // at the reservoir: R_min
        Assert.Equal(5, bba.Next(0, 50, [], Ladder));          // at reservoir + cushion: R_max
        Assert.Equal(3, bba.Next(0, 30, [], Ladder));          // f = 2300: up to 1850
        Assert.Equal(1, bba.Next(5, 12, [], Ladder));          // f = 500: down to 750
        // f(15) = 800 exactly, a rate of this ladder: "below f" and "above f" are strict.
        double[] ladder = [300, 800, 1300, 4300];
        Assert.Equal(0, bba.Next(0, 15, [], ladder));
        Assert.Equal(1, bba.Next(1, 15, [], ladder));
        Assert.Equal(2, bba.Next(2, 15, [], ladder));
    }

    [Fact]
    public void Bba0_stall_free_capacity_takes_the_binding_rate_and_the_segment_floor()
    {
        // Reservoir 2, cushion 8, segments of 4 s: R_max needs 4·4300 / f⁻¹(2850) = 4·4300 / 7.1.
        Assert.Equal(4 * 4300 / (2 + 8 * 2550.0 / 4000), new Bba0(2, 8).StallFreeCapacityKbps(Ladder, 4), 9);
        // Every f⁻¹ below the segment length: each rate must download in real time, so R_max.
        Assert.Equal(4300, new Bba0(0.5, 2).StallFreeCapacityKbps(Ladder, 4), 9);
        Assert.Equal(300, new Bba0(10, 40).StallFreeCapacityKbps([300], 2), 9);
    }

    [Fact]
    public void Throughput_rule_uses_its_window_and_takes_a_rate_equal_to_the_estimate()
    {
        Assert.Equal("throughput", new ThroughputRule().Name);
        Assert.Equal(1, new ThroughputRule(1, 3).Next(0, 0, [750], Ladder));
        Assert.Equal(0, new ThroughputRule().Next(4, 0, [100], Ladder));
        Assert.Equal(3, new ThroughputRule().Next(0, 0, [3000], Ladder));                 // fewer than the window
        Assert.Equal(2, new ThroughputRule(0.9, 1).Next(0, 0, [100, 2000], Ladder));      // 1800
        Assert.Equal(0, new ThroughputRule(0.9, 2).Next(0, 0, [100, 2000], Ladder));      // 0.9·190.5
    }

    private sealed class Scripted(params int[] picks) : IAbrRule
    {
        public List<(int Previous, double Buffer, double[] Throughputs)> Calls { get; } = [];
        public string Name => "scripted";

        public int Next(int previous, double bufferSeconds, IReadOnlyList<double> throughputsKbps, double[] ladderKbps)
        {
            Calls.Add((previous, bufferSeconds, throughputsKbps.ToArray()));
            return picks[Calls.Count - 1];
        }
    }

    [Fact]
    public void A_session_counts_switches_stalls_and_rebuffering_exactly()
    {
        // 1000 kb/s, 2 s segments: 1000 kb/s takes 2 s (as long as it plays), 2000 kb/s 4 s (stalls 2 s).
        var rule = new Scripted(1, 2, 1, 1);
        var s = AbrPlayer.Play(new BandwidthTrace(1, [1000]), [500, 1000, 2000], 2, 10, 4, rule);
        Assert.Equal("scripted", s.Rule);
        Assert.Equal([new AbrSegment(0, 1, 1000, 0), new AbrSegment(2, 2, 2000, 2), new AbrSegment(6, 1, 1000, 2),
            new AbrSegment(8, 1, 1000, 2)], s.Segments);
        Assert.Equal((2, 1, 2.0, 1250.0, 10_000.0, 12.0),
            (s.Switches, s.Stalls, s.RebufferSeconds, s.MeanKbps, s.DownloadedKilobits, s.SessionSeconds));
        Assert.Equal([(0, 0.0), (1, 2.0), (2, 2.0), (1, 2.0)], rule.Calls.Select(c => (c.Previous, c.Buffer)));
        Assert.Equal([0, 1, 2, 3], rule.Calls.Select(c => c.Throughputs.Length));
        Assert.All(rule.Calls.SelectMany(c => c.Throughputs), x => Assert.Equal(1000, x, 9));
    }

    [Fact]
    public void A_full_buffer_makes_the_player_wait()
    {
        // 4000 kb/s: a 1000 kb segment takes 0.25 s; with at most 4 s buffered the player waits 1.75 s each time.
        var rule = new Scripted(0, 0, 0, 0);
        var s = AbrPlayer.Play(new BandwidthTrace(1, [4000]), [500, 1000, 2000], 2, 4, 4, rule);
        Assert.Equal([0.0, 0.25, 2.25, 4.25], s.Segments.Select(x => x.StartSeconds));
        Assert.Equal([0.0, 2.0, 2.0, 2.0], s.Segments.Select(x => x.BufferSeconds));
        Assert.Equal((0, 0, 0.0, 500.0, 4000.0, 8.25),
            (s.Switches, s.Stalls, s.RebufferSeconds, s.MeanKbps, s.DownloadedKilobits, s.SessionSeconds));
        Assert.Equal([4000.0], rule.Calls[1].Throughputs);
    }

    [Fact]
    public void Live_run_aggregates()
    {
        var run = new LiveRun([1, 2, 6], [0, 3, 1]);
        Assert.Equal((3.0, 1.0, 3.0), (run.MeanLatency, run.MinLatency, run.MaxAge));
        Assert.Equal(4.0 / 3, run.MeanAge, 12);
        Assert.Equal(2.0 / 3, LiveStream.MeanPlaylistAge(2, 1), 12);
        Assert.Equal(0, LiveStream.MeanPlaylistAge(0, 5), 12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(2.0)]
    public void Live_players_start_n_segments_behind_the_newest_in_the_playlist_they_got(double ttl)
    {
        // D = 4 s, packaging 1 s, 3 segments back, one join a second on average.
        var run = LiveStream.Simulate(4, 1, 3, ttl, 1, 40, seed: 6);
        var rng = new Random(6);
        double t = 4001, fetchedAt = double.NegativeInfinity;
        int newest = 0, refetches = 0;
        for (int i = 0; i < 40; i++)
        {
            t += -Math.Log(1 - rng.NextDouble());
            if (t - fetchedAt >= ttl)
            {
                fetchedAt = t;
                newest = (int)Math.Floor((t - 1) / 4) - 1;   // the largest k with (k + 1)·4 + 1 ≤ t
                refetches++;
            }
            Assert.Equal(t - (newest - 2) * 4, run.LatencySeconds[i], 9);
            Assert.Equal(t - fetchedAt, run.PlaylistAgeSeconds[i], 9);
        }
        if (ttl > 0) Assert.InRange(refetches, 2, 39);
        else Assert.Equal(40, refetches);
    }
}
