using SystemDesign.Resilience;
using Xunit;
using static SystemDesign.Tests.GuardAssert;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Resilience;

public class ChainTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Healthy_chain_answers_everything_and_counts_calls()
    {
        var run = await ChainLab.AvailabilityAsync("ok", new[] { 0.0, 0.0, 0.0 }, CallPolicy.None,
            CallPolicy.None, 50, 4, seed: 1);
        Assert.Equal(1.0, run.FullShare);
        Assert.Equal(new[] { 50, 50, 50 }, run.Received);
    }

    [Fact]
    public async Task Availability_is_near_the_product()
    {
        var run = await ChainLab.AvailabilityAsync("p", new[] { 0.05, 0.1, 0.15 }, CallPolicy.None,
            CallPolicy.None, 400, 8, seed: 2);
        output.WriteLine($"{run}");
        double model = 0.95 * 0.9 * 0.85, se = Math.Sqrt(model * (1 - model) / 400);
        Assert.InRange(run.FullShare, model - 4 * se, model + 4 * se);
        var fb = await ChainLab.AvailabilityAsync("fb", new[] { 0.05, 0.1, 0.15 },
            new CallPolicy(Fallback: true), new CallPolicy(Retries: 2), 400, 8, seed: 3);
        output.WriteLine($"{fb}");
        Assert.InRange(fb.AnsweredShare, 0.95 - 4 * Math.Sqrt(0.95 * 0.05 / 400), 1);
    }

    [Fact]
    public async Task Breaker_in_the_chain_agrees_with_the_shadow()
    {
        var o = new BreakerOptions(0.5, 10, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1.5));
        var run = await ChainLab.BreakerOutageAsync(o, 320, 80, 200, 25, seed: 4);
        output.WriteLine(string.Join(", ", run.Polly));
        output.WriteLine($"reached {run.OutageCallsReachingC}/{run.OutageRequests} open {run.OpenP50Ms} failing {run.FailingP50Ms}");
        Assert.Equal(0, run.Disagreements);
        Assert.Equal(run.Ours, run.Polly);
        Assert.True(run.Polly.Count >= 3);
        Assert.True(run.OutageCallsReachingC < run.OutageRequests / 2);
    }

    [Fact]
    public void Shadow_needs_a_plain_breaker()
    {
        OutOfRange("requests", () => ChainLab.BreakerOutageAsync(
            BreakerOptions.PollyDefaults, 5, 0, 1, 25, 1).GetAwaiter().GetResult());
    }
}

public class TailTests
{
    [Fact]
    public async Task Hedging_cuts_the_slow_share_and_adds_calls()
    {
        var plain = await ChainLab.TailAsync("p", null, 0.2, 60, 1, 30, 100, 4, seed: 1);
        var hedged = await ChainLab.TailAsync("h", 8, 0.2, 60, 1, 30, 100, 4, seed: 2);
        Assert.True(hedged.SlowAnswerShare < plain.SlowAnswerShare);
        Assert.True(hedged.CallsToCPerRequest > 1.0);
        Assert.InRange(plain.CallsToCPerRequest, 1.0, 1.0);
    }
}

public class HopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Longer_chains_take_longer()
    {
        var m = await ChainLab.ForwardingHopsAsync(6, 100, seed: 1);
        output.WriteLine(string.Join(" ", m.Select(x => x.ToString("F3"))));
        Assert.Equal(5, m.Length);
        Assert.True(m[^1] > m[0]);
    }
}

public class RealCascadeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_slow_C_slows_requests_that_never_reach_it_unless_B_is_protected()
    {
        var bare = await ChainLab.CascadeAsync(false, 4, 100, 24, 8, seed: 1);
        var safe = await ChainLab.CascadeAsync(true, 4, 100, 24, 8, seed: 2);
        output.WriteLine($"bare local p50 {bare.Local.P50Ms:F1} checkout p50 {bare.Checkout.P50Ms:F1}; safe local p50 {safe.Local.P50Ms:F1} checkout p50 {safe.Checkout.P50Ms:F1} answered {safe.Checkout.AnsweredShare}");
        Assert.True(safe.Local.P50Ms < bare.Local.P50Ms);
    }
}
