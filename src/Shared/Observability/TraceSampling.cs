namespace SystemDesign.Observability;

/// <summary>A finished trace, as a tail sampler sees it: did it fail, how long did it take.</summary>
public sealed record TraceSummary(int Id, bool Error, double DurationMs);

/// <summary>What a sampling strategy kept.</summary>
public sealed record SamplingResult(string Strategy, int Kept, int ErrorsKept, int Errors, int SlowKept, int Slow);

/// <summary>Head sampling (decide at the root, blind to the outcome) vs tail sampling (decide on the whole trace).</summary>
public static class TraceSampling
{
    /// <summary>n traces: log-normal durations (median 50 ms, σ = 0.6), errors independent with the given rate.</summary>
    public static TraceSummary[] Generate(int n, double errorRate, int seed)
    {
        Guard.InRange(n, 1, 10_000_000); Guard.InRange(errorRate, 0, 1);
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            double z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            return new TraceSummary(i, rng.NextDouble() < errorRate, 50 * Math.Exp(0.6 * z));
        }).ToArray();
    }

    /// <summary>Keeps each trace with probability <paramref name="rate"/>, decided before it runs.</summary>
    public static SamplingResult Head(IReadOnlyList<TraceSummary> traces, double rate, double slowMs, int seed)
    {
        Guard.NotNull(traces); Guard.InRange(rate, 0, 1); Guard.Positive(slowMs);
        var rng = new Random(seed);
        return Summarize("head", traces, traces.Where(_ => rng.NextDouble() < rate).ToList(), slowMs);
    }

    /// <summary>
    /// Keeps the same budget (rate × traces) after each trace finished: every error and every trace slower
    /// than <paramref name="slowMs"/> first (as many as fit), the rest of the budget drawn at random.
    /// </summary>
    public static SamplingResult Tail(IReadOnlyList<TraceSummary> traces, double rate, double slowMs, int seed)
    {
        Guard.NotNull(traces); Guard.InRange(rate, 0, 1); Guard.Positive(slowMs);
        int budget = (int)Math.Round(rate * traces.Count);
        var rng = new Random(seed);
        var interesting = traces.Where(t => t.Error || t.DurationMs > slowMs).Take(budget).ToList();
        var rest = traces.Where(t => !(t.Error || t.DurationMs > slowMs)).OrderBy(_ => rng.Next())
            .Take(budget - interesting.Count);
        return Summarize("tail", traces, interesting.Concat(rest).ToList(), slowMs);
    }

    private static SamplingResult Summarize(string name, IReadOnlyList<TraceSummary> all, List<TraceSummary> kept,
        double slowMs) => new(name, kept.Count, kept.Count(t => t.Error), all.Count(t => t.Error),
            kept.Count(t => t.DurationMs > slowMs), all.Count(t => t.DurationMs > slowMs));
}
