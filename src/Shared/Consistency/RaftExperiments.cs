using SystemDesign.Fencing;
using SystemDesign.Notebook;

namespace SystemDesign.Consistency;

/// <summary>One fail-over: how long after the leader crashed a new one was elected, and how many terms split.</summary>
/// <param name="TimeToElect">ms from the crash to the new leader's election; null when none was elected before the cap.</param>
/// <param name="SplitTerms">terms in which some node ran for leader and nobody won (split votes).</param>
public sealed record FailoverTiming(double? TimeToElect, int Candidacies, int SplitTerms);

/// <summary>The zombie-leader run: the cluster, and the store its leaders wrote to.</summary>
public sealed record ZombieRun(RaftCluster Cluster, FencedStore<string> Store, int PausedLeader, long PausedTerm);

/// <summary>One width of the election-timing sweep (<see cref="RaftExperiments.ElectionTiming"/>).</summary>
/// <param name="Elected">fail-overs (of <paramref name="Failovers"/>) that elected a leader before the cap.</param>
/// <param name="ShareWithSplit">share of fail-overs with at least one split-vote term.</param>
/// <param name="OutsideWindow">fail-overs without a split vote whose time to elect fell outside
/// [T − H + 3·dmin, T + width + 3·dmax], the window the timing rules allow (0 unless the model is wrong).</param>
public sealed record ElectionTimingRow(double WidthMs, int Failovers, int Elected, double MedianMs, double P90Ms,
    double MeanSplitTerms, double ShareWithSplit, int OutsideWindow);

/// <summary>One partition of the leader away from the majority (<see cref="RaftExperiments.PartitionedLeader"/>).</summary>
/// <param name="OldLeaderLedFor">ms from the cut until the old leader stopped believing it leads; +∞ when it never
/// did (a partition shorter than CheckQuorum's window and the majority's election timeout goes unnoticed).</param>
/// <param name="NewLeaderAfter">ms from the cut until the majority side elected a leader (null: none before the heal).</param>
/// <param name="TwoLeadersFor">ms during which both believed they lead (0 when the old one stepped down first).</param>
/// <param name="LostQuorum">the old leader stepped down by CheckQuorum (false: it learnt a higher term after the heal,
/// or never stepped down).</param>
public sealed record PartitionedLeaderRun(double PartitionMs, double OldLeaderLedFor, double? NewLeaderAfter,
    double TwoLeadersFor, bool LostQuorum);

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

    /// <summary>
    /// The old leader cut off from the majority: node 0 is elected, and at about 1 s (a random phase within one
    /// election timeout, so the cut falls anywhere between two quorum checks) it and the next
    /// n − majority − 1 nodes are partitioned from the rest for <paramref name="partitionMs"/>, then healed.
    /// Measures how long the old leader keeps believing it leads, when the majority elects a new one, and how
    /// long both believe it at once.
    /// </summary>
    public static PartitionedLeaderRun PartitionedLeader(RaftOptions options, int seed, double partitionMs = 4000)
    {
        Guard.NotNull(options);
        Guard.InRange(options.Nodes, 3, 101, nameof(options.Nodes));
        Guard.InRange(partitionMs, 1, 1e7);
        var rng = new Random(seed);
        var cluster = new RaftCluster(options, rng.Next());
        cluster.Campaign(0);
        cluster.RunUntil(1000 + options.ElectionTimeoutMin * rng.NextDouble());
        int leader = cluster.BelievedLeaders().Single();
        long term = cluster.Term(leader);
        int minority = options.Nodes - Quorums.Majority(options.Nodes);
        var cut = Enumerable.Range(0, options.Nodes).Where(v => v != leader).Take(minority - 1).Prepend(leader).ToArray();
        double p = cluster.Now;
        cluster.Partition(cut);
        cluster.RunUntil(p + partitionMs);
        cluster.Heal();
        cluster.RunUntil(p + partitionMs + 500);
        // A short partition may heal before anyone notices: then the old leader simply goes on leading.
        var end = cluster.LeadershipEnds.FirstOrDefault(e => e.Node == leader && e.Term == term);
        var elected = cluster.Elections.FirstOrDefault(e => e.Time > p && !cut.Contains(e.Node));
        double oldFor = end is null ? double.PositiveInfinity : end.Time - p;
        double? newAfter = elected is null || elected.Time > p + partitionMs ? null : elected.Time - p;
        double both = newAfter is { } t ? Math.Max(0, oldFor - t) : 0;
        return new PartitionedLeaderRun(partitionMs, oldFor, newAfter, both, end?.LostQuorum ?? false);
    }

    /// <summary>
    /// The election-timing sweep: for each timeout width, <paramref name="failovers"/> seeded
    /// <see cref="Failover"/> runs (seeds 0 … failovers − 1), summarised: how many elected a leader before the
    /// cap, median and 90th percentile time to elect, split votes, and how many runs without a split vote fell
    /// outside the window the timing rules allow.
    /// </summary>
    public static IReadOnlyList<ElectionTimingRow> ElectionTiming(RaftOptions options, IReadOnlyList<double> widths,
        int failovers, double capMs = 2000)
    {
        Guard.NotNull(options);
        Guard.NotNull(widths);
        Guard.InRange(failovers, 1, 100_000);
        Guard.InRange(capMs, 1, 1e7);
        var rows = new List<ElectionTimingRow>();
        foreach (double width in widths)
        {
            Guard.InRange(width, 0, 1e6, nameof(widths));
            var o = options with { ElectionTimeoutWidth = width };
            var runs = Enumerable.Range(0, failovers).Select(s => Failover(o, s, capMs)).ToList();
            var done = runs.Where(r => r.TimeToElect is not null).Select(r => r.TimeToElect!.Value).ToList();
            double lo = o.ElectionTimeoutMin - o.HeartbeatInterval + 3 * o.MessageDelayMin;
            double hi = o.ElectionTimeoutMin + width + 3 * o.MessageDelayMax;
            int outside = runs.Count(r => r.SplitTerms == 0 && r.TimeToElect is { } x && (x < lo || x > hi));
            rows.Add(new ElectionTimingRow(width, failovers, done.Count,
                done.Count > 0 ? Stats.Percentile(done, 0.5) : double.NaN,
                done.Count > 0 ? Stats.Percentile(done, 0.9) : double.NaN,
                runs.Average(r => r.SplitTerms), runs.Count(r => r.SplitTerms > 0) / (double)failovers, outside));
        }
        return rows;
    }
}
