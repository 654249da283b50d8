using SystemDesign.Resilience;
using Xunit;
using static SystemDesign.Tests.GuardAssert;
using Xunit.Abstractions;

namespace SystemDesign.Tests.Resilience;

public class StormTests(ITestOutputHelper output)
{
    [Fact]
    public void Cascade_spreads_without_timeouts_and_not_with_them()
    {
        var bare = CascadeSimulation.Run(false);
        var safe = CascadeSimulation.Run(true);
        double bareBrowse = CascadeRun.Mean(bare.BrowseAnswered, 15, 30);
        double safeBrowse = CascadeRun.Mean(safe.BrowseAnswered, 15, 30);
        output.WriteLine($"browse bare {bareBrowse:P1} safe {safeBrowse:P1}; checkout safe {CascadeRun.Mean(safe.CheckoutAnswered, 15, 30):P1} degraded {safe.Degraded}");
        output.WriteLine($"before: {CascadeRun.Mean(bare.BrowseAnswered, 0, 10):P1}; after: {string.Join(" ", bare.BrowseAnswered.Skip(28).Select(x => x.ToString("P0")))}");
        Assert.True(bareBrowse < 0.1);
        Assert.True(safeBrowse > 0.99);
    }

    [Fact]
    public void Retry_policies_differ_in_amplification_and_recovery()
    {
        foreach (var p in Enum.GetValues<RetryPolicy>())
        {
            var r = RetryStorm.Run(p);
            output.WriteLine($"{p}: amplification {r.OutageAmplification:F2}, recovery {r.RecoverySeconds} s");
        }
        output.WriteLine($"fluid {RetryStorm.FluidRecoveryWithoutRetries(500, 700, 5)}");
        var none = RetryStorm.Run(RetryPolicy.None);
        Assert.Equal(1.0, none.OutageAmplification, 3);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        OutOfRange("lambda", () => RetryStorm.Run(RetryPolicy.None, lambda: 0));
        OutOfRange("poolA", () => CascadeSimulation.Run(true, poolA: 0));
        OutOfRange("mu", () => RetryStorm.FluidRecoveryWithoutRetries(10, 5, 1));
    }
}

public class OutageTimelineTests(ITestOutputHelper output)
{
    [Fact]
    public void Sync_is_the_product_and_async_the_front()
    {
        var r = OutageTimeline.Run(new[] { 3600.0, 3600, 3600 }, new[] { 36.0, 72, 180 }, 3600 * 2000,
            200_000, seed: 1);
        output.WriteLine($"{r}");
        double a0 = 3600 / 3636.0, a1 = 3600 / 3672.0, a2 = 3600 / 3780.0;
        Assert.InRange(r.SyncShare, a0 * a1 * a2 - 5 * r.SyncStdErr, a0 * a1 * a2 + 5 * r.SyncStdErr);
        Assert.InRange(r.AcceptedShare, a0 - 5 * r.AcceptedStdErr, a0 + 5 * r.AcceptedStdErr);
        Assert.True(r.MeanDelaySeconds > 0);
    }
}
