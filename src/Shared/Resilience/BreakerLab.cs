using Polly;
using Polly.CircuitBreaker;

namespace SystemDesign.Resilience;

/// <summary>One call of a script: when it is made and whether the dependency would fail it.</summary>
public readonly record struct ScriptedCall(TimeSpan At, bool Fails);

/// <summary>What a breaker did with a script: per call, admitted or not; and its transitions.</summary>
public sealed record BreakerRun(string Name, bool[] Admitted, IReadOnlyList<Transition> Transitions)
{
    /// <summary>Calls that reached the dependency.</summary>
    public int Calls => Admitted.Count(a => a);
}

/// <summary>The exception our scripts inject (the only one the breakers count as a failure).</summary>
public sealed class InjectedFault() : Exception("injected fault");

/// <summary>Failure scripts, and the same script through our breaker and through Polly's.</summary>
public static class BreakerLab
{
    /// <summary>
    /// Calls every <paramref name="intervalMs"/> for <paramref name="seconds"/>: failing with probability
    /// <paramref name="baseFailure"/>, and always inside the outage [outageFrom, outageTo) (seconds).
    /// </summary>
    public static ScriptedCall[] Outage(double seconds, double intervalMs, double outageFrom, double outageTo,
        double baseFailure, int seed)
    {
        Guard.InRange(seconds, 0.1, 3_600);
        Guard.InRange(intervalMs, 1, 60_000);
        Guard.InRange(outageFrom, 0, seconds);
        Guard.InRange(outageTo, outageFrom, seconds);
        Guard.InRange(baseFailure, 0, 1);
        var rng = new Random(seed);
        int n = (int)(seconds * 1000 / intervalMs);
        return Enumerable.Range(0, n).Select(i =>
        {
            double t = i * intervalMs / 1000;
            bool fails = (t >= outageFrom && t < outageTo) || rng.NextDouble() < baseFailure;
            return new ScriptedCall(TimeSpan.FromMilliseconds(i * intervalMs), fails);
        }).ToArray();
    }

    /// <summary>The script through our <see cref="CircuitBreaker"/>, on a virtual clock.</summary>
    public static BreakerRun RunOurs(IReadOnlyList<ScriptedCall> script, BreakerOptions options)
    {
        Guard.NotNull(script);
        var clock = new ManualClock();
        var breaker = new CircuitBreaker(options, clock);
        var admitted = new bool[script.Count];
        for (int i = 0; i < script.Count; i++)
        {
            clock.SetTo(script[i].At);
            bool fails = script[i].Fails;
            admitted[i] = breaker.Execute(() => !fails) is not null;
        }
        return new BreakerRun("ours", admitted, breaker.Transitions.ToArray());
    }

    /// <summary>The script through Polly v8's circuit breaker strategy, on a virtual clock.</summary>
    public static BreakerRun RunPolly(IReadOnlyList<ScriptedCall> script, BreakerOptions options)
    {
        Guard.NotNull(script);
        var clock = new ManualClock();
        var transitions = new List<Transition>();
        var pipeline = PollyPipelines.Breaker(options, clock, transitions);
        var admitted = new bool[script.Count];
        for (int i = 0; i < script.Count; i++)
        {
            clock.SetTo(script[i].At);
            bool fails = script[i].Fails, ran = false;
            try
            {
                pipeline.Execute(() => { ran = true; if (fails) throw new InjectedFault(); });
            }
            catch (BrokenCircuitException) { }
            catch (InjectedFault) { }
            admitted[i] = ran;
        }
        return new BreakerRun("Polly", admitted, transitions);
    }

    /// <summary>
    /// Measures how many failing calls it takes to open: <paramref name="healthyCalls"/> successes, then
    /// failures only, 10 ms apart (the sampling window must hold them all). Runs ours or Polly's breaker.
    /// </summary>
    public static int FailuresToOpen(BreakerOptions options, int healthyCalls, bool polly)
    {
        Guard.NotNull(options).Validate();
        Guard.InRange(healthyCalls, 0, 100_000);
        Guard.That(options.FailureRatio < 1 || healthyCalls == 0, "a ratio of 1 never opens after a success",
            nameof(options));
        // Enough failures to open: k ≥ ratio·healthy/(1 − ratio) and k ≥ minimum − healthy.
        int total = healthyCalls + options.MinimumThroughput + 2 + (options.FailureRatio < 1
            ? (int)Math.Ceiling(options.FailureRatio * healthyCalls / (1 - options.FailureRatio)) : 0);
        Guard.That(total * 0.01 < options.SamplingDuration.TotalSeconds / 10 * 9,
            "the sampling window must hold the whole run", nameof(options));
        var script = Enumerable.Range(0, total).Select(i =>
            new ScriptedCall(TimeSpan.FromMilliseconds(i * 10), i >= healthyCalls)).ToArray();
        var run = polly ? RunPolly(script, options) : RunOurs(script, options);
        Guard.That(run.Transitions.Count > 0, "the breaker never opened", nameof(options));
        int openedAt = (int)Math.Round(run.Transitions[0].At.TotalMilliseconds / 10);
        return openedAt - healthyCalls + 1;
    }

    /// <summary>
    /// Opens a breaker with failures, waits out the break, starts a probe that stays in flight, and tries
    /// <paramref name="others"/> more calls meanwhile; then the probe succeeds. Returns how many of the
    /// others each breaker admitted, and each breaker's state after the probe.
    /// </summary>
    public static async Task<(int PollyAdmitted, int OursAdmitted, BreakerState PollyAfter,
        BreakerState OursAfter)> CallsDuringProbeAsync(BreakerOptions options, int others)
    {
        Guard.NotNull(options).Validate();
        Guard.InRange(others, 1, 10_000);
        var clock = new ManualClock();
        var log = new List<Transition>();
        var polly = PollyPipelines.Breaker(options, clock, log);
        var ours = new CircuitBreaker(options, clock);
        for (int i = 0; i < options.MinimumThroughput; i++)
        {
            try { polly.Execute(() => throw new InjectedFault()); } catch (InjectedFault) { }
            ours.Execute(() => false);
        }
        clock.Advance(options.BreakDuration);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = polly.ExecuteAsync(async _ => await release.Task);
        Guard.That(ours.TryAcquire(), "our breaker admits the probe", nameof(options));
        int pollyAdmitted = 0, oursAdmitted = 0;
        for (int i = 0; i < others; i++)
        {
            try { polly.Execute(() => { pollyAdmitted++; }); } catch (BrokenCircuitException) { }
            if (ours.TryAcquire()) { oursAdmitted++; ours.Record(true); }
        }
        release.SetResult();
        await probe;
        ours.Record(true);
        var pollyAfter = log.Count == 0 ? BreakerState.Closed : log[^1].To;
        return (pollyAdmitted, oursAdmitted, pollyAfter, ours.State);
    }

    /// <summary>Index of the first call where two runs decided differently, or −1.</summary>
    public static int FirstDisagreement(BreakerRun a, BreakerRun b)
    {
        Guard.NotNull(a); Guard.NotNull(b);
        int n = Math.Min(a.Admitted.Length, b.Admitted.Length);
        for (int i = 0; i < n; i++) if (a.Admitted[i] != b.Admitted[i]) return i;
        return a.Admitted.Length == b.Admitted.Length ? -1 : n;
    }

    /// <summary>The breaker's state over the script's time, as 0 closed, 1 half-open, 2 open (for a chart).</summary>
    public static (double[] Seconds, double[] Level) StateLine(BreakerRun run, double endSeconds)
    {
        Guard.NotNull(run);
        var xs = new List<double> { 0 };
        var ys = new List<double> { 0 };
        foreach (var t in run.Transitions)
        {
            xs.Add(t.At.TotalSeconds); ys.Add(Level(t.From));
            xs.Add(t.At.TotalSeconds); ys.Add(Level(t.To));
        }
        xs.Add(endSeconds); ys.Add(ys[^1]);
        return (xs.ToArray(), ys.ToArray());
    }

    private static double Level(BreakerState s) => s switch
    {
        BreakerState.Closed => 0, BreakerState.HalfOpen => 1, _ => 2
    };
}

/// <summary>Polly v8 pipelines built with Polly.Core's ResiliencePipelineBuilder.</summary>
public static class PollyPipelines
{
    /// <summary>A circuit breaker that counts <see cref="InjectedFault"/> and records its transitions.</summary>
    public static ResiliencePipeline Breaker(BreakerOptions options, TimeProvider clock, List<Transition> log)
    {
        Guard.NotNull(options).Validate();
        Guard.NotNull(clock); Guard.NotNull(log);
        var start = clock.GetUtcNow();
        var state = BreakerState.Closed;
        void Note(BreakerState to)
        {
            log.Add(new Transition(clock.GetUtcNow() - start, state, to));
            state = to;
        }
        return new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddCircuitBreaker((CircuitBreakerStrategyOptions)Options(new CircuitBreakerStrategyOptions(),
                options, new PredicateBuilder().Handle<InjectedFault>(), Note))
            .Build();
    }

    /// <summary>Polly's options from ours, with callbacks that report each transition.</summary>
    public static CircuitBreakerStrategyOptions<T> Options<T>(CircuitBreakerStrategyOptions<T> target,
        BreakerOptions o, Func<CircuitBreakerPredicateArguments<T>, ValueTask<bool>> shouldHandle,
        Action<BreakerState> note)
    {
        Guard.NotNull(target); Guard.NotNull(o); Guard.NotNull(shouldHandle); Guard.NotNull(note);
        target.FailureRatio = o.FailureRatio;
        target.MinimumThroughput = o.MinimumThroughput;
        target.SamplingDuration = o.SamplingDuration;
        target.BreakDuration = o.BreakDuration;
        target.ShouldHandle = shouldHandle;
        target.OnOpened = _ => { note(BreakerState.Open); return default; };
        target.OnHalfOpened = _ => { note(BreakerState.HalfOpen); return default; };
        target.OnClosed = _ => { note(BreakerState.Closed); return default; };
        return target;
    }
}
