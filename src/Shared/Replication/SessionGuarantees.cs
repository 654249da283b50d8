namespace SystemDesign.Replication;

/// <summary>How a session's reads are spread over two replicas of the same primary.</summary>
public enum ReplicaRouting
{
    /// <summary>Each read goes to a replica chosen at random (a load balancer without session affinity).</summary>
    Random,
    /// <summary>Every read of a session goes to the same replica (session affinity).</summary>
    Pinned,
    /// <summary>Random replica, but the session carries the highest LSN it has seen and the read waits for it.</summary>
    RandomWithLsnFloor,
}

/// <summary>What one routing did to a workload of two-read sessions.</summary>
/// <param name="Routing">The routing.</param>
/// <param name="Sessions">Sessions (each reads twice).</param>
/// <param name="Backwards">Sessions whose second read showed fewer writes than the first (a monotonic-reads violation).</param>
/// <param name="MeanWaitMs">Mean time the second read waited for the LSN floor, ms (0 for the other routings).</param>
public sealed record MonotonicReadsOutcome(ReplicaRouting Routing, int Sessions, int Backwards, double MeanWaitMs)
{
    public double BackwardsRate => (double)Backwards / Sessions;
}

/// <summary>
/// Monotonic reads across two replicas replaying the same WAL at different speeds: a session reads at a
/// uniformly random time, then again <c>gap</c> seconds later; a read shows the replica's replay position
/// at the instant it is served (<see cref="ReplicationTrace.ReplayLsn"/>).
/// </summary>
public static class SessionGuarantees
{
    public static MonotonicReadsOutcome MonotonicReads(ReplicationTrace replicaA, ReplicationTrace replicaB,
        ReplicaRouting routing, int sessions, double gap, int seed)
    {
        Guard.NotNull(replicaA);
        Guard.NotNull(replicaB);
        Guard.That(replicaA.Count == replicaB.Count
                   && (replicaA.Count == 0 || replicaA.Committed[^1] == replicaB.Committed[^1]),
            "both replicas must replay the same commits (same write rate, bursts, duration and seed).", nameof(replicaB));
        Guard.That(Enum.IsDefined(routing), $"unknown routing {routing}.", nameof(routing));
        Guard.InRange(sessions, 1, 1_000_000);
        Guard.InRange(gap, 0, 3600);
        var rng = new Random(seed);
        var replicas = new[] { replicaA, replicaB };
        double horizon = replicaA.Options.Duration;
        int backwards = 0;
        double waited = 0;
        for (int k = 0; k < sessions; k++)
        {
            double t1 = rng.NextDouble() * horizon, t2 = t1 + gap;
            int first = rng.Next(2), second = routing == ReplicaRouting.Pinned ? first : rng.Next(2);
            int seen = replicas[first].ReplayLsn(t1);
            double served = t2;
            if (routing == ReplicaRouting.RandomWithLsnFloor && seen > 0 && replicas[second].ReplayLsn(t2) < seen)
                served = Math.Max(t2, replicas[second].Replayed[seen - 1]); // wait until it replayed LSN `seen`
            waited += served - t2;
            if (replicas[second].ReplayLsn(served) < seen) backwards++;
        }
        return new MonotonicReadsOutcome(routing, sessions, backwards, waited / sessions * 1000);
    }
}
