namespace SystemDesign.Messaging;

/// <summary>Lag of one consumer group over time: records produced but not yet consumed, sampled each second.</summary>
public sealed record LagTrace(double[] Seconds, double[] Lag, double[] ProducedPerSecond);

/// <summary>
/// Consumer lag is a queue: records arrive at the producers' rate λ(t) and leave at the group's capacity
/// μ = active consumers × records/s each (active = min(consumers, partitions)). Arrivals and services are
/// Poisson per 10 ms step, so the run is a measurement, not the fluid formula.
/// </summary>
public static class ConsumerLag
{
    /// <summary>Simulate <paramref name="seconds"/> s: λ = <paramref name="baseRate"/> except during
    /// [burstStart, burstEnd) where it is <paramref name="burstRate"/>.</summary>
    public static LagTrace Run(double baseRate, double burstRate, double burstStart, double burstEnd,
        int consumers, int partitions, double perConsumerRate, int seconds, int seed)
    {
        Guard.InRange(baseRate, 0, 1e7);
        Guard.InRange(burstRate, 0, 1e7);
        Guard.InRange(burstStart, 0, 1e6);
        Guard.InRange(burstEnd, burstStart, 1e6);
        Guard.InRange(consumers, 1, 10_000);
        Guard.InRange(partitions, 1, 10_000);
        Guard.InRange(perConsumerRate, 0, 1e7);
        Guard.InRange(seconds, 1, 100_000);
        var rng = new Random(seed);
        const int stepsPerSecond = 100;
        double mu = Math.Min(consumers, partitions) * perConsumerRate;
        long lag = 0;
        var xs = new double[seconds + 1];
        var lags = new double[seconds + 1];
        var produced = new double[seconds + 1];
        for (int s = 0; s < seconds; s++)
        {
            long inSecond = 0;
            for (int k = 0; k < stepsPerSecond; k++)
            {
                double t = s + (double)k / stepsPerSecond;
                double lambda = t >= burstStart && t < burstEnd ? burstRate : baseRate;
                long arrive = Poisson(rng, lambda / stepsPerSecond), serve = Poisson(rng, mu / stepsPerSecond);
                lag = Math.Max(0, lag + arrive - serve);
                inSecond += arrive;
            }
            xs[s + 1] = s + 1;
            lags[s + 1] = lag;
            produced[s + 1] = inSecond;
        }
        return new LagTrace(xs, lags, produced);
    }

    /// <summary>Seconds to drain <paramref name="lag"/> records when capacity exceeds the arrival rate.</summary>
    public static double DrainSeconds(double lag, double arrivalRate, double capacity)
    {
        Guard.NonNegative(lag);
        Guard.NonNegative(arrivalRate);
        Guard.That(capacity > arrivalRate, "capacity must exceed the arrival rate to drain", nameof(capacity));
        return lag / (capacity - arrivalRate);
    }

    private static long Poisson(Random rng, double mean)
    {
        if (mean <= 0) return 0;
        if (mean > 30) // normal approximation, rounded: fine for per-step means this large
            return Math.Max(0, (long)Math.Round(mean + Math.Sqrt(mean) * Normal(rng)));
        double l = Math.Exp(-mean), p = 1;
        long k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}

/// <summary>Group rebalance protocols.</summary>
public enum RebalanceProtocol
{
    /// <summary>Eager (stop the world): every member revokes everything, then the group reassigns.</summary>
    Eager,
    /// <summary>Incremental cooperative (KIP-429): members keep their partitions; only the ones that move are
    /// revoked at the end of a first round and assigned in a second.</summary>
    Cooperative,
}

/// <summary>What one rebalance cost: partitions that stopped, for how long, and the records not consumed.</summary>
public sealed record RebalanceCost(RebalanceProtocol Protocol, int Partitions, int PausedPartitions, int MovedPartitions,
    double PauseSeconds, double PartitionSecondsPaused, double RecordsDelayed);

/// <summary>The pause of a rebalance: a consumer joins a group; the assignment before and after come from the
/// assignors (range for eager, cooperative-sticky for cooperative, as Kafka pairs them).</summary>
public static class Rebalance
{
    /// <param name="roundSeconds">one join + sync round (a member's poll loop and session settings set it)</param>
    /// <param name="recordsPerPartitionPerSecond">production rate per partition, delayed while paused</param>
    public static RebalanceCost Join(RebalanceProtocol protocol, int partitions, int consumersBefore,
        double roundSeconds, double recordsPerPartitionPerSecond)
    {
        Guard.InRange(partitions, 1, 100_000);
        Guard.InRange(consumersBefore, 1, 10_000);
        Guard.InRange(roundSeconds, 0, 3600);
        Guard.InRange(recordsPerPartitionPerSecond, 0, 1e7);
        var topics = new Dictionary<string, int> { ["t"] = partitions };
        var before = Members(consumersBefore);
        var after = Members(consumersBefore + 1);
        var kind = protocol == RebalanceProtocol.Eager ? AssignorKind.Range : AssignorKind.CooperativeSticky;
        var a0 = Assignors.Assign(kind, before, topics);
        var a1 = Assignors.Assign(kind, after, topics, a0);
        int moved = Assignors.Moved(a0, a1);
        // Eager: all partitions are revoked at the start and assigned after one round.
        // Cooperative: nothing stops in round 1; moved partitions are revoked at its end, assigned after round 2.
        int paused = protocol == RebalanceProtocol.Eager ? partitions : moved;
        double pause = roundSeconds;
        double ps = paused * pause;
        return new RebalanceCost(protocol, partitions, paused, moved, pause, ps, ps * recordsPerPartitionPerSecond);
    }

    /// <summary>Member ids c00, c01, … (sorted like Kafka sorts member ids).</summary>
    public static IReadOnlyList<string> Members(int count) =>
        Enumerable.Range(0, Guard.InRange(count, 1, 10_000)).Select(i => $"c{i:D2}").ToList();
}
