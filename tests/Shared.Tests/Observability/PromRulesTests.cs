using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

public sealed class PromRulesTests
{
    [Fact]
    public void Rate_extrapolates_like_prometheus()
    {
        // Samples every 10 s from t = 5 s to 55 s on a counter growing 1/s, range [0, 60]: the edges are
        // within 1.1 intervals, so the increase 50 extrapolates to 60 s: rate 1/s. The start is limited by
        // the counter's zero point (value 5 at 5 s: zero at 0 s), which here changes nothing.
        var s = Enumerable.Range(0, 6).Select(i => new PromSample(5_000 + i * 10_000, 5 + i * 10.0)).ToList();
        Assert.Equal(1.0, PromRate.Rate(s, 60_000, 60_000)!.Value, 9);
        // A counter reset adds the value before it back.
        var r = new List<PromSample> { new(0, 10), new(10_000, 20), new(20_000, 5), new(30_000, 15) };
        Assert.Equal((10 + 5 + 10) / 30.0, PromRate.Rate(r, 30_000, 30_000)!.Value, 9);  // 10→20, reset, 0→5→15
        Assert.Null(PromRate.Rate(r.Take(1).ToList(), 30_000, 30_000));
        Assert.Equal("500ms", PromRate.Duration(TimeSpan.FromMilliseconds(500)));
        Assert.Equal("3d", PromRate.Duration(TimeSpan.FromDays(3)));
    }

    [SkippableFact]
    public void Promtool_agrees_with_our_evaluation_of_the_workbook_rules()
    {
        Skip.If(!File.Exists("/usr/bin/promtool") && Environment.GetEnvironmentVariable("CI") != "true",
            "promtool is not installed");
        var c = new PromtoolCase(PromRuleSet.Workbook(), 600, 1000, m => m >= 100 && m < 300 ? 0.02 : 0.0002);
        Assert.NotNull(c.Expected["Nb14Burn14x"]);
        var (passed, output) = c.Run("promtool");
        Assert.True(passed, output + "\n" + c.TestYaml("rules.yml"));
        // A wrong expectation (one minute early) is rejected.
        Assert.False(c.Run("promtool", shiftMinutes: -1).Passed);
    }
}
