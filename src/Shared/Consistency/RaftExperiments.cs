using SystemDesign.Fencing;

namespace SystemDesign.Consistency;

/// <summary>One fail-over: how long after the leader crashed a new one was elected, and how many terms split.</summary>
/// <param name="TimeToElect">ms from the crash to the new leader's election; null when none was elected before the cap.</param>
/// <param name="SplitTerms">terms in which some node ran for leader and nobody won (split votes).</param>
public sealed record FailoverTiming(double? TimeToElect, int Candidacies, int SplitTerms);

/// <summary>The zombie-leader run: the cluster, and the store its leaders wrote to.</summary>
public sealed record ZombieRun(RaftCluster Cluster, FencedStore<string> Store, int PausedLeader, long PausedTerm);

/// <summary>The Raft experiments of the CAP notebook, each a seeded run of a <see cref="RaftCluster"/>.</summary>
public static class RaftExperiments
{
    /// <summary>
    /// Node 0 campaigns at t = 0 and leads; at about 1 s (a random phase within one heartbeat interval) it crashes.
    /// Measures the time until another node is elected, as in Figure 16 of the Raft paper.
    /// </summary>
    public static FailoverTiming Failover(RaftOptions options, int seed, double capMs = 10_000)
    {
        Guard.NotNull(options);
        Guard.InRange(capMs, 1, 1e7);
        var rng = new Random(seed);
        var cluster = new RaftCluster(options, rng.Next());
        cluster.Campaign(0);
        cluster.RunUntil(1000 + options.HeartbeatInterval * rng.NextDouble());
        double crashAt = cluster.Now;
        foreach (int leader in cluster.BelievedLeaders()) cluster.Crash(leader);
        var elected = cluster.RunUntilLeader(crashAt, crashAt + capMs);
        var terms = cluster.Candidacies.Where(c => c.Time > crashAt).Select(c => c.Term).Distinct().Count();
        return new FailoverTiming(elected is null ? null : elected.Time - crashAt, cluster.Candidacies.Count(c => c.Time > crashAt),
            elected is null ? terms : terms - 1);
    }

    /// <summary>
    /// A run under random faults: every so often (exponential, mean <paramref name="meanFaultInterval"/> ms) the
    /// network is split into two random groups, healed, or a random node is paused for up to three election timeouts.
    /// </summary>
    public static RaftCluster RandomFaults(RaftOptions options, int seed, double durationMs = 5000, double meanFaultInterval = 300)
    {
        Guard.NotNull(options);
        Guard.InRange(durationMs, 1, 1e7);
        Guard.InRange(meanFaultInterval, 1, 1e7);
        var rng = new Random(seed);
        var cluster = new RaftCluster(options, rng.Next());
        int n = options.Nodes;
        double t = 0;
        while (true)
        {
            t += -meanFaultInterval * Math.Log(1 - rng.NextDouble());
            if (t >= durationMs) break;
            cluster.RunUntil(t);
            double u = rng.NextDouble();
            if (u < 0.4)
            {
                var side = Enumerable.Range(0, n).Where(_ => rng.NextDouble() < 0.5).ToArray();
                cluster.Partition(side);
            }
            else if (u < 0.7)
            {
                cluster.Heal();
            }
            else
            {
                double maxTimeout = options.ElectionTimeoutMin + options.ElectionTimeoutWidth;
                cluster.Pause(rng.Next(n), 3 * maxTimeout * rng.NextDouble());
            }
        }
        cluster.RunUntil(durationMs);
        return cluster;
    }

    /// <summary>
    /// The zombie leader: node 0 is elected and writes every <see cref="RaftOptions.ClientWriteInterval"/> ms with its
    /// term as fencing token; at t = 500 ms it pauses for <paramref name="pauseMs"/> (longer than an election timeout,
    /// so another node takes over and writes with a higher term); when it resumes, its in-flight write lands first.
    /// With <paramref name="enforce"/> the store rejects it; without, the stale leader overwrites newer data.
    /// </summary>
    public static ZombieRun ZombieLeader(RaftOptions options, bool enforce, int seed, double pauseMs = 1000)
    {
        Guard.NotNull(options);
        Guard.That(options.ClientWriteInterval > 0, "the zombie-leader run needs leaders that write: set ClientWriteInterval", nameof(options));
        Guard.InRange(pauseMs, 0, 1e6);
        var store = new FencedStore<string>(enforce);
        var cluster = new RaftCluster(options, seed, store);
        cluster.Campaign(0);
        cluster.RunUntil(500);
        int leader = cluster.BelievedLeaders().Single();
        long term = cluster.Term(leader);
        cluster.Pause(leader, pauseMs);
        cluster.RunUntil(500 + pauseMs + 500);
        return new ZombieRun(cluster, store, leader, term);
    }
}
