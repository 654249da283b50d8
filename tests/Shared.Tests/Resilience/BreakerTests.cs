using SystemDesign.Resilience;
using Xunit;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Resilience;

public class BreakerTests
{
    private static readonly BreakerOptions Opts =
        new(0.5, 10, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

    [Fact]
    public void Outage_opens_probes_and_closes()
    {
        var script = BreakerLab.Outage(12, 50, 3, 7, 0.05, seed: 1);
        var ours = BreakerLab.RunOurs(script, Opts);
        Assert.Equal(BreakerState.Open, ours.Transitions[0].To);
        // Half of a 2 s window must fail: about 1 s of a full outage.
        Assert.InRange(ours.Transitions[0].At.TotalSeconds, 3.5, 4.5);
        Assert.Equal(BreakerState.Closed, ours.Transitions[^1].To);
        Assert.InRange(ours.Transitions[^1].At.TotalSeconds, 7, 8.1);
        Assert.True(ours.Calls < script.Length);
    }

    [Theory]
    [InlineData(0.05, 1)]
    [InlineData(0.3, 2)]
    [InlineData(0.45, 3)]
    public void Ours_and_Polly_agree_call_by_call(double baseFailure, int seed)
    {
        var script = BreakerLab.Outage(30, 37, 5, 12, baseFailure, seed);
        var ours = BreakerLab.RunOurs(script, Opts);
        var polly = BreakerLab.RunPolly(script, Opts);
        Assert.Equal(-1, BreakerLab.FirstDisagreement(ours, polly));
        Assert.Equal(ours.Transitions, polly.Transitions);
        Assert.NotEmpty(ours.Transitions);
    }

    [Fact]
    public void Ratio_is_compared_as_a_share()
    {
        // 3 failures in 30 calls is exactly 10%: opens (0.1·30 would round above 3 in doubles).
        var o = new BreakerOptions(0.1, 30, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        var script = Enumerable.Range(0, 30).Select(i =>
            new ScriptedCall(TimeSpan.FromMilliseconds(i * 10), i >= 27)).ToArray();
        Assert.Single(BreakerLab.RunOurs(script, o).Transitions);
        Assert.Single(BreakerLab.RunPolly(script, o).Transitions);
    }

    [Fact]
    public void Half_open_failure_reopens_for_another_break()
    {
        var clock = new ManualClock();
        var b = new CircuitBreaker(new BreakerOptions(0.5, 2, TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1)), clock);
        b.Execute(() => false); b.Execute(() => false);
        Assert.Equal(BreakerState.Open, b.State);
        Assert.Null(b.Execute(() => true));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(b.Execute(() => false));
        Assert.Equal(BreakerState.Open, b.State);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(b.Execute(() => true));
        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        OutOfRange("MinimumThroughput", () =>
            new CircuitBreaker(new BreakerOptions(0.5, 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))));
        OutOfRange("FailureRatio", () =>
            new CircuitBreaker(new BreakerOptions(1.5, 5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))));
        OutOfRange("intervalMs", () => BreakerLab.Outage(10, 0, 1, 2, 0, 1));
    }
}

public class HalfOpenTests
{
    [Fact]
    public async Task Only_the_probe_passes_while_it_is_in_flight()
    {
        var o = new BreakerOptions(0.5, 4, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        var r = await BreakerLab.CallsDuringProbeAsync(o, 5);
        Assert.Equal(0, r.PollyAdmitted);
        Assert.Equal(0, r.OursAdmitted);
        Assert.Equal(BreakerState.Closed, r.PollyAfter);
        Assert.Equal(BreakerState.Closed, r.OursAfter);
    }
}
