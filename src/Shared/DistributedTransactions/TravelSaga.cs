using SystemDesign.Notebook;

namespace SystemDesign.DistributedTransactions;

/// <summary>One step of a saga: a local transaction in its own service and the compensation that undoes it.</summary>
public sealed record SagaStep(string Name, double DurationMs, double CompensationMs);

public enum SagaPhase { Forward, Failed, Compensation }

/// <summary>One bar of the saga's timeline: what ran, in which service, from when to when.</summary>
public sealed record SagaEvent(string Step, SagaPhase Phase, double StartMs, double EndMs);

/// <summary>The outcome of one saga run: its timeline and what each service holds at the end.</summary>
public sealed record SagaRun(bool Completed, int? FailedAt, IReadOnlyList<SagaEvent> Timeline,
    IReadOnlyDictionary<string, int> HeldAtEnd, IReadOnlyList<string> CompensationOrder, double TotalMs)
{
    /// <summary>Bookings still held in any service (a failed saga must end with none).</summary>
    public int Held => HeldAtEnd.Values.Sum();
}

/// <summary>
/// A saga over independent services (one in-memory booking table each). Each forward step books in its own
/// service; the step at <c>failAt</c> fails after doing its work and rolls its own local transaction back;
/// the orchestrator then runs the compensations of the completed steps, newest first. The services do not
/// know the saga: what they hold at the end is read from their tables, not from the orchestrator's log.
/// </summary>
public static class TravelSaga
{
    /// <summary>Flight → Hotel → Payment → Confirm, with plausible service times.</summary>
    public static IReadOnlyList<SagaStep> Booking { get; } = new[]
    {
        new SagaStep("Flight", 120, 80), new SagaStep("Hotel", 90, 60),
        new SagaStep("Payment", 150, 110), new SagaStep("Confirm", 40, 30),
    };

    public static SagaRun Run(IReadOnlyList<SagaStep> steps, int? failAt, string sagaId = "trip-1")
    {
        Guard.NotNull(steps);
        Guard.NotEmpty(steps);
        Guard.NotEmpty(sagaId);
        if (failAt is int f) Guard.InRange(f, 0, steps.Count - 1, nameof(failAt));
        foreach (var s in steps)
        {
            Guard.NotEmpty(s.Name, nameof(steps));
            Guard.Positive(s.DurationMs, nameof(steps));
            Guard.Positive(s.CompensationMs, nameof(steps));
        }
        var services = steps.ToDictionary(s => s.Name, _ => new HashSet<string>());
        var timeline = new List<SagaEvent>();
        var done = new Stack<SagaStep>();
        var compensated = new List<string>();
        double t = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var table = services[step.Name];
            table.Add(sagaId);                                  // the local transaction's write
            if (failAt == i)
            {
                table.Remove(sagaId);                           // it fails: its own local rollback
                timeline.Add(new SagaEvent(step.Name, SagaPhase.Failed, t, t + step.DurationMs));
                t += step.DurationMs;
                while (done.Count > 0)
                {
                    var undo = done.Pop();
                    services[undo.Name].Remove(sagaId);         // the compensating transaction
                    compensated.Add(undo.Name);
                    timeline.Add(new SagaEvent(undo.Name, SagaPhase.Compensation, t, t + undo.CompensationMs));
                    t += undo.CompensationMs;
                }
                return new SagaRun(false, i, timeline, Held(services), compensated, t);
            }
            timeline.Add(new SagaEvent(step.Name, SagaPhase.Forward, t, t + step.DurationMs));
            t += step.DurationMs;
            done.Push(step);
        }
        return new SagaRun(true, null, timeline, Held(services), compensated, t);
    }

    private static Dictionary<string, int> Held(Dictionary<string, HashSet<string>> services) =>
        services.ToDictionary(kv => kv.Key, kv => kv.Value.Count);

    /// <summary>The timeline as chart series: one horizontal segment per step run, at the step's row
    /// (0 = first step), named by step and phase.</summary>
    public static Series[] TimelineSeries(SagaRun run, IReadOnlyList<SagaStep> steps)
    {
        Guard.NotNull(run);
        Guard.NotNull(steps);
        var row = steps.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => (double)p.i);
        string Mark(SagaPhase p) => p switch { SagaPhase.Forward => "done", SagaPhase.Failed => "FAILED", _ => "compensated" };
        return run.Timeline.Select(e => new Series($"{e.Step}: {Mark(e.Phase)}", new[] { e.StartMs, e.EndMs },
            new[] { row[e.Step], row[e.Step] }, e.Phase == SagaPhase.Compensation ? SeriesStyle.Theory : SeriesStyle.LinesAndMarkers)).ToArray();
    }
}
