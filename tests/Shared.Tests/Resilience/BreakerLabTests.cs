using Polly;
using Polly.CircuitBreaker;
using SystemDesign.Resilience;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Resilience;

public class BreakerLabTests
{
    private static readonly BreakerOptions Opts = new(0.5, 10, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));

    private static ScriptedCall Call(int ms, bool fails) => new(TimeSpan.FromMilliseconds(ms), fails);

    [Fact]
    public void An_outage_script_fails_inside_the_outage_and_nowhere_else_without_base_failures()
    {
        var s = BreakerLab.Outage(1, 100, 0.2, 0.5, 0, seed: 1);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => Call(i * 100, i is >= 2 and < 5)), s);
    }

    [Fact]
    public void An_outage_script_with_certain_base_failure_fails_everywhere()
    {
        var s = BreakerLab.Outage(0.5, 50, 0.1, 0.1, 1, seed: 2);
        Assert.Equal(10, s.Length);
        Assert.All(s, c => Assert.True(c.Fails));
        Assert.Equal(TimeSpan.FromMilliseconds(450), s[^1].At);
    }

    [Fact]
    public void Base_failures_hit_about_their_share_of_healthy_calls_and_repeat_with_the_seed()
    {
        var s = BreakerLab.Outage(100, 10, 0, 0, 0.3, seed: 3);
        Assert.Equal(10_000, s.Length);
        double share = s.Count(c => c.Fails) / 10_000.0, se = Math.Sqrt(0.3 * 0.7 / 10_000);
        Assert.InRange(share, 0.3 - 5 * se, 0.3 + 5 * se);
        Assert.Equal(s, BreakerLab.Outage(100, 10, 0, 0, 0.3, seed: 3));
        Assert.NotEqual(s, BreakerLab.Outage(100, 10, 0, 0, 0.3, seed: 4));
    }

    [Fact]
    public void Outage_guards_its_arguments()
    {
        OutOfRange("seconds", () => BreakerLab.Outage(0.05, 10, 0, 0, 0, 1));
        OutOfRange("seconds", () => BreakerLab.Outage(3_601, 10, 0, 0, 0, 1));
        OutOfRange("intervalMs", () => BreakerLab.Outage(10, 0.5, 0, 0, 0, 1));
        OutOfRange("intervalMs", () => BreakerLab.Outage(10, 60_001, 0, 0, 0, 1));
        OutOfRange("outageFrom", () => BreakerLab.Outage(10, 10, -1, 2, 0, 1));
        OutOfRange("outageFrom", () => BreakerLab.Outage(10, 10, 11, 11, 0, 1));
        OutOfRange("outageTo", () => BreakerLab.Outage(10, 10, 5, 4, 0, 1));
        OutOfRange("outageTo", () => BreakerLab.Outage(10, 10, 5, 11, 0, 1));
        OutOfRange("baseFailure", () => BreakerLab.Outage(10, 10, 1, 2, -0.1, 1));
        OutOfRange("baseFailure", () => BreakerLab.Outage(10, 10, 1, 2, 1.1, 1));
    }

    [Fact]
    public void Our_run_admits_calls_until_the_breaker_opens_and_probes_after_the_break()
    {
        // Minimum 10, ratio 0.5, break 1 s: ten failures 10 ms apart open it at 90 ms.
        var script = Enumerable.Range(0, 10).Select(i => Call(i * 10, true))
            .Append(Call(500, false)).Append(Call(1_090, false)).Append(Call(1_100, false)).ToArray();
        foreach (var run in new[] { BreakerLab.RunOurs(script, Opts), BreakerLab.RunPolly(script, Opts) })
        {
            Assert.Equal(Enumerable.Repeat(true, 10).Append(false).Append(true).Append(true), run.Admitted);
            Assert.Equal(12, run.Calls);
            Assert.Equal(new[]
            {
                new Transition(TimeSpan.FromMilliseconds(90), BreakerState.Closed, BreakerState.Open),
                new Transition(TimeSpan.FromMilliseconds(1_090), BreakerState.Open, BreakerState.HalfOpen),
                new Transition(TimeSpan.FromMilliseconds(1_090), BreakerState.HalfOpen, BreakerState.Closed),
            }, run.Transitions);
        }
        Assert.Equal("ours", BreakerLab.RunOurs(script, Opts).Name);
        Assert.Equal("Polly", BreakerLab.RunPolly(script, Opts).Name);
    }

    [Fact]
    public void A_healthy_script_never_trips_either_breaker()
    {
        var script = Enumerable.Range(0, 50).Select(i => Call(i * 10, false)).ToArray();
        foreach (var run in new[] { BreakerLab.RunOurs(script, Opts), BreakerLab.RunPolly(script, Opts) })
        {
            Assert.Equal(50, run.Calls);
            Assert.Empty(run.Transitions);
        }
    }

    [Fact]
    public void Runs_need_a_script()
    {
        Null("script", () => BreakerLab.RunOurs(null!, Opts));
        Null("script", () => BreakerLab.RunPolly(null!, Opts));
    }

    [Theory]
    [InlineData(0.5, 10, 0, 10)]      // the minimum throughput decides
    [InlineData(0.5, 10, 20, 20)]     // 20 of 40
    [InlineData(0.5, 10, 5, 5)]       // 5 of 10 reaches both
    [InlineData(0.1, 30, 27, 3)]      // 3 of 30 is exactly 10%
    [InlineData(0.2, 2, 40, 10)]      // 10 of 50
    [InlineData(1.0, 5, 0, 5)]
    [InlineData(0.0, 3, 7, 1)]        // a ratio of 0 opens on the first failure past the minimum
    public void Failures_to_open_follow_the_ratio_and_the_minimum(double ratio, int minimum, int healthy,
        int expected)
    {
        var o = new BreakerOptions(ratio, minimum, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));
        Assert.Equal(expected, BreakerLab.FailuresToOpen(o, healthy, polly: false));
        Assert.Equal(expected, BreakerLab.FailuresToOpen(o, healthy, polly: true));
    }

    [Fact]
    public void FailuresToOpen_guards_its_arguments()
    {
        Null("options", () => BreakerLab.FailuresToOpen(null!, 0, false));
        OutOfRange("FailureRatio", () => BreakerLab.FailuresToOpen(Opts with { FailureRatio = 2 }, 0, false));
        OutOfRange("healthyCalls", () => BreakerLab.FailuresToOpen(Opts, -1, false));
        OutOfRange("healthyCalls", () => BreakerLab.FailuresToOpen(Opts, 100_001, false));
        Invalid("options", () => BreakerLab.FailuresToOpen(Opts with { FailureRatio = 1 }, 1, false),
            "a ratio of 1 never opens after a success");
        // 1,000 + 10 + 2 + 1,000 calls 10 ms apart do not fit in 90% of a 10 s window.
        Invalid("options", () => BreakerLab.FailuresToOpen(Opts, 1_000, false),
            "the sampling window must hold the whole run");
    }

    [Fact]
    public void The_window_must_hold_the_run_with_room_to_spare()
    {
        // Minimum 88, no healthy calls: 90 calls take 0.9 s, exactly 90% of a 1 s window: refused.
        var tight = new BreakerOptions(0.5, 88, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Invalid("options", () => BreakerLab.FailuresToOpen(tight, 0, false),
            "the sampling window must hold the whole run");
        Assert.Equal(87, BreakerLab.FailuresToOpen(tight with { MinimumThroughput = 87 }, 0, false));
    }

    [Fact]
    public async Task During_a_probe_neither_breaker_admits_anyone_else()
    {
        var o = new BreakerOptions(0.5, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        var r = await BreakerLab.CallsDuringProbeAsync(o, 1);
        Assert.Equal((0, 0, BreakerState.Closed, BreakerState.Closed), r);
    }

    [Fact]
    public void CallsDuringProbe_guards_its_arguments()
    {
        Null("options", () => BreakerLab.CallsDuringProbeAsync(null!, 1).GetAwaiter().GetResult());
        OutOfRange("MinimumThroughput", () => BreakerLab.CallsDuringProbeAsync(Opts with { MinimumThroughput = 0 }, 1)
            .GetAwaiter().GetResult());
        OutOfRange("others", () => BreakerLab.CallsDuringProbeAsync(Opts, 0).GetAwaiter().GetResult());
        OutOfRange("others", () => BreakerLab.CallsDuringProbeAsync(Opts, 10_001).GetAwaiter().GetResult());
    }

    [Fact]
    public void The_first_disagreement_is_the_first_differing_call_or_the_end_of_the_shorter_run()
    {
        BreakerRun R(params bool[] a) => new("r", a, Array.Empty<Transition>());
        Assert.Equal(-1, BreakerLab.FirstDisagreement(R(true, false, true), R(true, false, true)));
        Assert.Equal(0, BreakerLab.FirstDisagreement(R(true, false), R(false, false)));
        Assert.Equal(2, BreakerLab.FirstDisagreement(R(true, false, true, true), R(true, false, false, false)));
        Assert.Equal(2, BreakerLab.FirstDisagreement(R(true, false), R(true, false, true)));
        Assert.Equal(1, BreakerLab.FirstDisagreement(R(false, true), R(false)));
        Assert.Equal(-1, BreakerLab.FirstDisagreement(R(), R()));
        Null("a", () => BreakerLab.FirstDisagreement(null!, R()));
        Null("b", () => BreakerLab.FirstDisagreement(R(), null!));
    }

    [Fact]
    public void Calls_counts_the_admitted()
    {
        Assert.Equal(2, new BreakerRun("r", new[] { true, false, true, false }, Array.Empty<Transition>()).Calls);
        Assert.Equal(0, new BreakerRun("r", Array.Empty<bool>(), Array.Empty<Transition>()).Calls);
    }

    [Fact]
    public void The_state_line_steps_at_each_transition_and_holds_to_the_end()
    {
        var run = new BreakerRun("r", Array.Empty<bool>(), new[]
        {
            new Transition(TimeSpan.FromSeconds(1), BreakerState.Closed, BreakerState.Open),
            new Transition(TimeSpan.FromSeconds(2), BreakerState.Open, BreakerState.HalfOpen),
            new Transition(TimeSpan.FromSeconds(2.5), BreakerState.HalfOpen, BreakerState.Open),
        });
        var (xs, ys) = BreakerLab.StateLine(run, 4);
        Assert.Equal(new[] { 0, 1, 1, 2, 2, 2.5, 2.5, 4 }, xs);
        Assert.Equal(new double[] { 0, 0, 2, 2, 1, 1, 2, 2 }, ys);
        var closed = new BreakerRun("c", Array.Empty<bool>(), new[]
        {
            new Transition(TimeSpan.FromSeconds(3), BreakerState.HalfOpen, BreakerState.Closed),
        });
        var (cx, cy) = BreakerLab.StateLine(closed, 5);
        Assert.Equal(new double[] { 0, 3, 3, 5 }, cx);
        Assert.Equal(new double[] { 0, 1, 0, 0 }, cy);
        var quiet = BreakerLab.StateLine(new BreakerRun("q", Array.Empty<bool>(), Array.Empty<Transition>()), 7);
        Assert.Equal(new double[] { 0, 7 }, quiet.Seconds);
        Assert.Equal(new double[] { 0, 0 }, quiet.Level);
        Null("run", () => BreakerLab.StateLine(null!, 1));
    }

    [Fact]
    public void The_injected_fault_says_so()
    {
        Assert.Equal("injected fault", new InjectedFault().Message);
    }
}

public class PollyPipelinesTests
{
    private static readonly BreakerOptions Opts = new(0.5, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));

    [Fact]
    public void Pollys_options_are_ours_with_callbacks_that_note_each_transition()
    {
        var noted = new List<BreakerState>();
        var o = new BreakerOptions(0.25, 7, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4));
        var target = new CircuitBreakerStrategyOptions<int>();
        var result = PollyPipelines.Options(target, o, _ => new ValueTask<bool>(true), noted.Add);
        Assert.Same(target, result);
        Assert.Equal(0.25, result.FailureRatio);
        Assert.Equal(7, result.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(3), result.SamplingDuration);
        Assert.Equal(TimeSpan.FromSeconds(4), result.BreakDuration);
        Assert.NotNull(result.ShouldHandle);
        var context = ResilienceContextPool.Shared.Get();
        result.OnOpened!(new OnCircuitOpenedArguments<int>(context, Outcome.FromResult(0), TimeSpan.Zero, false));
        result.OnHalfOpened!(new OnCircuitHalfOpenedArguments(context));
        result.OnClosed!(new OnCircuitClosedArguments<int>(context, Outcome.FromResult(0), false));
        Assert.Equal(new[] { BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed }, noted);
    }

    [Fact]
    public void The_pipeline_logs_open_half_open_and_closed_on_its_clock()
    {
        var clock = new ManualClock();
        clock.Advance(TimeSpan.FromSeconds(5));                        // times count from the pipeline's start
        var log = new List<Transition>();
        var p = PollyPipelines.Breaker(Opts, clock, log);
        for (int i = 0; i < 2; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            Assert.Throws<InjectedFault>(() => p.Execute(() => throw new InjectedFault()));
        }
        Assert.Throws<BrokenCircuitException>(() => p.Execute(() => { }));
        clock.Advance(TimeSpan.FromSeconds(1));
        p.Execute(() => { });
        Assert.Equal(new[]
        {
            new Transition(TimeSpan.FromMilliseconds(200), BreakerState.Closed, BreakerState.Open),
            new Transition(TimeSpan.FromMilliseconds(1_200), BreakerState.Open, BreakerState.HalfOpen),
            new Transition(TimeSpan.FromMilliseconds(1_200), BreakerState.HalfOpen, BreakerState.Closed),
        }, log);
    }

    [Fact]
    public void Only_the_injected_fault_counts_as_a_failure()
    {
        var log = new List<Transition>();
        var p = PollyPipelines.Breaker(Opts, new ManualClock(), log);
        for (int i = 0; i < 5; i++)
            Assert.Throws<InvalidOperationException>(() => p.Execute(() => throw new InvalidOperationException()));
        Assert.Empty(log);
    }

    [Fact]
    public void Breaker_and_Options_guard_their_arguments()
    {
        var clock = new ManualClock();
        var log = new List<Transition>();
        Null("options", () => PollyPipelines.Breaker(null!, clock, log));
        OutOfRange("FailureRatio", () => PollyPipelines.Breaker(Opts with { FailureRatio = -1 }, clock, log));
        Null("clock", () => PollyPipelines.Breaker(Opts, null!, log));
        Null("log", () => PollyPipelines.Breaker(Opts, clock, null!));
        Func<CircuitBreakerPredicateArguments<int>, ValueTask<bool>> handle = _ => default;
        Action<BreakerState> note = _ => { };
        Null("target", () => PollyPipelines.Options(null!, Opts, handle, note));
        Null("o", () => PollyPipelines.Options(new CircuitBreakerStrategyOptions<int>(), null!, handle, note));
        Null("shouldHandle", () => PollyPipelines.Options(new CircuitBreakerStrategyOptions<int>(), Opts, null!, note));
        Null("note", () => PollyPipelines.Options(new CircuitBreakerStrategyOptions<int>(), Opts, handle, null!));
    }
}
