namespace SystemDesign.Distribution;

/// <summary>How one key's replica set changed: the nodes that stopped and started holding it.</summary>
public sealed record ReplicaChange(string Key, IReadOnlyList<string> Lost, IReadOnlyList<string> Gained);

/// <summary>
/// Which replica sets change between two placements, e.g. before and after a node fails. With a ring and RF
/// copies, a failed node's keys each lose that one replica and gain exactly one new node (the next distinct one
/// clockwise); the other replicas stay, so recovery copies one replica per affected key.
/// </summary>
public sealed class ReplicaReport
{
    private ReplicaReport(int keys, int replicationFactor, IReadOnlyList<ReplicaChange> changes, int duplicates)
    {
        Keys = keys;
        ReplicationFactor = replicationFactor;
        Changes = changes;
        KeysWithRepeatedNode = duplicates;
    }

    public static ReplicaReport Between(IReadOnlyCollection<string> keys, IReplicatedPlacement before, IReplicatedPlacement after, int replicationFactor)
    {
        Guard.NotEmpty(keys);
        Guard.NotNull(before);
        Guard.NotNull(after);
        Guard.InRange(replicationFactor, 1, Math.Min(before.Nodes.Count, after.Nodes.Count));
        var changes = new List<ReplicaChange>();
        int duplicates = 0;
        foreach (var key in keys)
        {
            var b = before.Replicas(key, replicationFactor);
            var a = after.Replicas(key, replicationFactor);
            if (b.Distinct().Count() != b.Count || a.Distinct().Count() != a.Count) duplicates++;
            var lost = b.Except(a).ToArray();
            var gained = a.Except(b).ToArray();
            if (lost.Length > 0 || gained.Length > 0) changes.Add(new ReplicaChange(key, lost, gained));
        }
        return new ReplicaReport(keys.Count, replicationFactor, changes, duplicates);
    }

    public int Keys { get; }

    public int ReplicationFactor { get; }

    /// <summary>Keys whose replica set changed.</summary>
    public IReadOnlyList<ReplicaChange> Changes { get; }

    /// <summary>Keys whose replica list (before or after) named a node twice: must be 0.</summary>
    public int KeysWithRepeatedNode { get; }

    public double FractionChanged => (double)Changes.Count / Keys;

    /// <summary>Replica copies that have to be made: one per node gained per key.</summary>
    public int CopiesToMake => Changes.Sum(c => c.Gained.Count);

    /// <summary>How many new copies each node receives.</summary>
    public IReadOnlyDictionary<string, int> CopiesByNode() =>
        Changes.SelectMany(c => c.Gained).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
