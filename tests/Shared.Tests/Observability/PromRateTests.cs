using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

/// <summary>PromRate.Rate's extrapolation, branch by branch, with values worked out by hand.</summary>
public sealed class PromRateTests
{
    private static List<PromSample> At(params (long Ms, double Value)[] xs) => xs.Select(x => new PromSample(x.Ms, x.Value)).ToList();

    [Fact]
    public void An_edge_further_than_1_1_intervals_is_extrapolated_by_half_an_interval()
    {
        // Samples at 30, 40, 50 s (counter far from zero), range [0, 60]: start 30 s away (> 11 s) adds 5 s,
        // end 10 s away adds 10 s: increase 20 over 20 s of samples, scaled to 35 s, over 60 s.
        Assert.Equal(35 / 60.0, PromRate.Rate(At((30_000, 100), (40_000, 110), (50_000, 120)), 60_000, 60_000)!.Value, 12);
        // Mirrored: samples at 0, 10, 20 s: start 0 s away, end 40 s away adds 5 s.
        Assert.Equal(25 / 60.0, PromRate.Rate(At((0, 100), (10_000, 110), (20_000, 120)), 60_000, 60_000)!.Value, 12);
    }

    [Fact]
    public void The_start_is_not_extrapolated_past_the_counters_zero()
    {
        // 10..60 s, values 1..51: the zero lies 1 s before the first sample, not 10 s: interval 50 + 1.
        var s = Enumerable.Range(0, 6).Select(i => new PromSample(10_000 + i * 10_000, 1 + i * 10.0)).ToList();
        Assert.Equal(51 / 60.0, PromRate.Rate(s, 60_000, 60_000)!.Value, 12);
        // A first value of 0: no extrapolation at the start at all.
        var z = Enumerable.Range(0, 6).Select(i => new PromSample(10_000 + i * 10_000, i * 10.0)).ToList();
        Assert.Equal(50 / 60.0, PromRate.Rate(z, 60_000, 60_000)!.Value, 12);
        // A negative first value (not a counter) is not limited: the full 10 s at either edge.
        Assert.Equal(1.0, PromRate.Rate(At((10_000, -10), (20_000, 0), (30_000, 10)), 40_000, 40_000)!.Value, 12);
    }

    [Fact]
    public void An_edge_exactly_1_1_intervals_away_counts_as_far()
    {
        // Interval 0.5 s; 0.55 s is exactly 1.1 intervals (both 0.55 in binary): half an interval, 0.25 s.
        var startFar = At((550, 1000), (1050, 1001), (1550, 1002));
        Assert.Equal(2 * (1.0 + 0.25 + 0.45) / 2.0, PromRate.Rate(startFar, 2000, 2000)!.Value, 12);
        var endFar = At((0, 1000), (500, 1001), (1000, 1002));
        Assert.Equal(2 * (1.0 + 0 + 0.25) / 1.55, PromRate.Rate(endFar, 1550, 1550)!.Value, 12);
    }

    [Fact]
    public void The_range_is_closed_at_both_ends_and_samples_outside_it_are_ignored()
    {
        var s = At((61_000, 5000), (60_000, 60), (-1000, 1000), (0, 0));   // unordered on purpose
        Assert.Equal(1.0, PromRate.Rate(s, 60_000, 60_000)!.Value, 12);
        Assert.Null(PromRate.Rate(At((0, 0), (60_001, 60)), 60_000, 60_000));
        Assert.Null(PromRate.Rate(At((-1, 0), (60_000, 60)), 60_000, 60_000));
        Assert.Null(PromRate.Rate(new List<PromSample>(), 60_000, 60_000));
    }

    [Fact]
    public void A_flat_counter_has_rate_zero_and_a_reset_adds_back_the_value_before_it()
    {
        Assert.Equal(0.0, PromRate.Rate(At((0, 5), (10_000, 5), (20_000, 5)), 20_000, 20_000)!.Value);
        // 10 → 20, reset, 5 → 15: increase 10 + 5 + 10 = 25 (the existing test); two resets in a row.
        Assert.Equal(25 / 30.0, PromRate.Rate(At((0, 10), (10_000, 20), (20_000, 5), (30_000, 15)), 30_000, 30_000)!.Value, 12);
        Assert.Equal((20 + 8 + 3) / 30.0, PromRate.Rate(At((0, 0), (10_000, 20), (20_000, 8), (30_000, 3)), 30_000, 30_000)!.Value, 12);
    }

    [Fact]
    public void The_error_ratio_is_the_error_rate_over_the_total_rate()
    {
        var err = At((0, 0), (10_000, 10), (20_000, 20));
        var ok = At((0, 0), (10_000, 30), (20_000, 60));
        Assert.Equal(0.25, PromRate.ErrorRatio(err, ok, 20_000, 20_000)!.Value, 12);
        // No ok series (one sample only): all of the rate is errors.
        Assert.Equal(1.0, PromRate.ErrorRatio(err, At((0, 5)), 20_000, 20_000)!.Value, 12);
        // No error rate: null (PromQL's empty result), whatever the ok series says.
        Assert.Null(PromRate.ErrorRatio(At((0, 5)), ok, 20_000, 20_000));
        // Nothing happening at all: 0/0.
        var flat = At((0, 5), (10_000, 5));
        Assert.True(double.IsNaN(PromRate.ErrorRatio(flat, flat, 10_000, 10_000)!.Value));
    }

    [Fact]
    public void Durations_use_the_largest_unit_that_divides_them()
    {
        Assert.Equal("1d", PromRate.Duration(TimeSpan.FromDays(1)));
        Assert.Equal("3d", PromRate.Duration(TimeSpan.FromDays(3)));
        Assert.Equal("36h", PromRate.Duration(TimeSpan.FromHours(36)));
        Assert.Equal("6h", PromRate.Duration(TimeSpan.FromHours(6)));
        Assert.Equal("90m", PromRate.Duration(TimeSpan.FromMinutes(90)));
        Assert.Equal("90s", PromRate.Duration(TimeSpan.FromSeconds(90)));
        Assert.Equal("1s", PromRate.Duration(TimeSpan.FromSeconds(1)));
        Assert.Equal("1500ms", PromRate.Duration(TimeSpan.FromMilliseconds(1500)));
        Assert.Equal("1ms", PromRate.Duration(TimeSpan.FromMilliseconds(1)));
        Assert.Equal("1ms", PromRate.Duration(TimeSpan.FromMilliseconds(1.7)));
        // Under a millisecond there is no Prometheus duration (it used to come out as "0d").
        Assert.Equal("d", Assert.Throws<ArgumentOutOfRangeException>(() => PromRate.Duration(TimeSpan.FromTicks(5000))).ParamName);
    }
}
