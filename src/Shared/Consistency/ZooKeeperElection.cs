namespace SystemDesign.Consistency;

/// <summary>How the contenders of a ZooKeeper-style election learn that leadership may have moved.</summary>
public enum WatchStrategy
{
    /// <summary>Every contender watches the children of the election node: each deletion wakes all of them (herd effect).</summary>
    AllChildren,

    /// <summary>Each contender watches only the znode just below its own (the ZooKeeper recipe).</summary>
    Predecessor,
}

/// <summary>The count of one <see cref="ZooKeeperElection"/> run.</summary>
/// <param name="Notifications">watch events delivered (each one makes a client re-read the children).</param>
/// <param name="LeaderChanges">times leadership moved to another contender.</param>
/// <param name="AlwaysOneLeader">after every deletion exactly one live contender believed it was leader, and it held the lowest sequence number.</param>
/// <param name="LeaderSequences">the sequence numbers of successive leaders: increasing, so usable as fencing tokens.</param>
public sealed record ZooKeeperElectionRun(int Notifications, int LeaderChanges, bool AlwaysOneLeader, IReadOnlyList<long> LeaderSequences);

/// <summary>
/// The ZooKeeper leader-election recipe on a model of one election znode: each contender creates an ephemeral
/// sequential child; the lowest sequence number leads; a contender's session ending deletes its child. The model
/// counts watch notifications, which is the cost the "watch your predecessor" rule exists to cut from O(n) per
/// change to O(1).
/// </summary>
public static class ZooKeeperElection
{
    /// <summary><paramref name="contenders"/> join, then their sessions end one by one in random order until none is left.</summary>
    public static ZooKeeperElectionRun Run(int contenders, WatchStrategy strategy, Random rng)
    {
        Guard.InRange(contenders, 1, 100_000);
        Guard.NotNull(rng);
        if (strategy is not (WatchStrategy.AllChildren or WatchStrategy.Predecessor))
            throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "strategy must be AllChildren or Predecessor.");
        var live = new SortedSet<long>();
        long next = 0;
        for (int i = 0; i < contenders; i++) live.Add(next++); // create(…, EPHEMERAL_SEQUENTIAL)
        var believesLeader = new HashSet<long> { live.Min };
        // watchers[z] = contenders watching znode z (Predecessor) — AllChildren needs no table.
        var watchers = new Dictionary<long, List<long>>();
        long prev = -1;
        foreach (long z in live)
        {
            if (prev >= 0 && strategy == WatchStrategy.Predecessor) watchers[prev] = [z];
            prev = z;
        }

        int notifications = 0, changes = 0;
        bool oneLeader = true;
        var leaders = new List<long> { live.Min };
        var order = live.OrderBy(_ => rng.Next()).ToList();
        foreach (long dead in order)
        {
            live.Remove(dead);
            believesLeader.Remove(dead);
            IEnumerable<long> woken = strategy == WatchStrategy.AllChildren ? live.ToList() : watchers.GetValueOrDefault(dead) ?? [];
            watchers.Remove(dead);
            foreach (long z in woken)
            {
                if (!live.Contains(z)) continue;
                notifications++;
                // getChildren: am I the lowest? If not, (re)watch what is now just below me.
                if (live.Min == z)
                {
                    if (believesLeader.Add(z)) { changes++; leaders.Add(z); }
                }
                else if (strategy == WatchStrategy.Predecessor)
                {
                    long p = live.GetViewBetween(long.MinValue, z - 1).Max;
                    if (!watchers.TryGetValue(p, out var list)) watchers[p] = list = [];
                    list.Add(z);
                }
            }
            if (live.Count > 0) oneLeader &= believesLeader.Count == 1 && believesLeader.Contains(live.Min);
        }
        return new ZooKeeperElectionRun(notifications, changes, oneLeader, leaders);
    }
}
