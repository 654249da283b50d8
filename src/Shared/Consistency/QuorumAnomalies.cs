namespace SystemDesign.Consistency;

/// <summary>A scripted run on a <see cref="QuorumRegister"/>: the client-visible history and what happened, step by step.</summary>
public sealed record AnomalyRun(IReadOnlyList<RegisterOp> History, IReadOnlyList<string> Steps, long LastRead);

/// <summary>
/// Two executions in which every read and write uses overlapping quorums (W + R &gt; N) and the history is still not
/// linearizable. The register really does the work (partial writes, last-write-wins on timestamps); only the
/// schedule is fixed, so that the consistency checker has something definite to judge.
/// </summary>
public static class QuorumAnomalies
{
    /// <summary>
    /// N = 3, W = R = 2. Client 0 writes 1 but its coordinator crashes after reaching one replica, so the write
    /// never completes (pending). Client 1 then reads replicas {0, 1} and sees 1; client 2, starting after client 1
    /// finished, reads {1, 2} and sees the old 0 — a new-then-old inversion no single-copy register allows. With
    /// <paramref name="readRepair"/> client 1 writes what it read back to its quorum before answering, and the
    /// inversion disappears.
    /// </summary>
    public static AnomalyRun PartialWrite(bool readRepair)
    {
        var reg = new QuorumRegister(3);
        var steps = new List<string>();
        reg.Write(1, timestamp: 1, writer: 0, replicas: [0]);
        steps.Add("t=0: client 0 writes 1 with W=2; the coordinator reaches replica 0, then crashes: no response (pending)");
        var first = reg.Read([0, 1], readRepair);
        steps.Add($"t=10–20: client 1 reads replicas {{0,1}} → {first.Value}" + (readRepair ? " and writes it back to {0,1} before answering" : ""));
        var second = reg.Read([1, 2]);
        steps.Add($"t=30–40: client 2 reads replicas {{1,2}} → {second.Value}");
        var history = new[]
        {
            RegisterOp.Write(0, 1, 0, double.PositiveInfinity),
            RegisterOp.Read(1, first.Value, 10, 20),
            RegisterOp.Read(2, second.Value, 30, 40),
        };
        return new AnomalyRun(history, steps, second.Value);
    }

    /// <summary>
    /// N = 3, W = R = 2, last-write-wins by the coordinator's clock. Client 0 writes 1 (effect at t = 5, correct
    /// clock); <paramref name="gapMs"/> later client 1 writes 2 through a coordinator whose clock is
    /// <paramref name="skewMs"/> behind; then client 2 reads. Once the skew exceeds the 10 ms + gap between the
    /// two writes, the later write carries the smaller timestamp and the read returns 1 although the write of 2
    /// completed before the read began: overlapping quorums, yet a stale read.
    /// </summary>
    public static AnomalyRun SkewedClocks(double skewMs, double gapMs)
    {
        Guard.InRange(skewMs, 0, 1e6);
        Guard.InRange(gapMs, 0, 1e6);
        var reg = new QuorumRegister(3);
        var steps = new List<string>();
        double t1 = 5, t2 = 15 + gapMs;
        long ts1 = (long)Math.Round(t1 * 1000), ts2 = (long)Math.Round((t2 - skewMs) * 1000); // µs
        reg.Write(1, ts1, writer: 0, replicas: [0, 1]);
        steps.Add($"t=0–10: client 0 writes 1 to {{0,1}}, timestamp {ts1 / 1000.0:0.###} ms (correct clock)");
        reg.Write(2, ts2, writer: 1, replicas: [1, 2]);
        steps.Add($"t={10 + gapMs:0.##}–{20 + gapMs:0.##}: client 1 writes 2 to {{1,2}}, timestamp {ts2 / 1000.0:0.###} ms (clock {skewMs:0.##} ms behind); replica 1 keeps {reg[1].Value}");
        var read = reg.Read([0, 2]);
        steps.Add($"t={30 + gapMs:0.##}–{40 + gapMs:0.##}: client 2 reads {{0,2}} → {read.Value}");
        var history = new[]
        {
            RegisterOp.Write(0, 1, 0, 10),
            RegisterOp.Write(1, 2, 10 + gapMs, 20 + gapMs),
            RegisterOp.Read(2, read.Value, 30 + gapMs, 40 + gapMs),
        };
        return new AnomalyRun(history, steps, read.Value);
    }
}
