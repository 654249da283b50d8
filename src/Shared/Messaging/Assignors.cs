namespace SystemDesign.Messaging;

/// <summary>A partition of a topic, written like Kafka writes it: <c>t0-2</c>.</summary>
public readonly record struct TopicPartition(string Topic, int Partition) : IComparable<TopicPartition>
{
    public int CompareTo(TopicPartition other)
    {
        int c = string.CompareOrdinal(Topic, other.Topic);
        return c != 0 ? c : Partition.CompareTo(other.Partition);
    }

    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>The consumer-group assignors Kafka ships (org.apache.kafka.clients.consumer).</summary>
public enum AssignorKind
{
    /// <summary>RangeAssignor (the default before 3.x clients' list): per topic, consecutive ranges.</summary>
    Range,
    /// <summary>RoundRobinAssignor: all partitions, sorted, dealt to consumers in turn.</summary>
    RoundRobin,
    /// <summary>CooperativeStickyAssignor: balanced, and keeps as many previous owners as it can.</summary>
    CooperativeSticky,
}

/// <summary>
/// Consumer-group partition assignment, as Kafka's assignors do it for members that all subscribe to the same
/// topics. Members are ordered by member id (Kafka sorts by member id, which starts with client id).
/// </summary>
public static class Assignors
{
    /// <summary>Partitions of the given topics (name → partition count), sorted by topic then partition.</summary>
    public static IReadOnlyList<TopicPartition> Partitions(IReadOnlyDictionary<string, int> topics)
    {
        Guard.NotNull(topics);
        return topics.SelectMany(t => Enumerable.Range(0, Guard.InRange(t.Value, 1, 100_000, "partitions"))
            .Select(p => new TopicPartition(t.Key, p))).OrderBy(tp => tp).ToList();
    }

    /// <summary>Assign <paramref name="topics"/> to <paramref name="members"/>; <paramref name="previous"/>
    /// (owned partitions per member) is used only by the sticky assignor.</summary>
    public static Dictionary<string, List<TopicPartition>> Assign(AssignorKind kind, IReadOnlyList<string> members,
        IReadOnlyDictionary<string, int> topics, IReadOnlyDictionary<string, List<TopicPartition>>? previous = null)
    {
        Guard.NotEmpty(members);
        Guard.That(members.Distinct().Count() == members.Count, "member ids must be distinct", nameof(members));
        var sorted = members.OrderBy(m => m, StringComparer.Ordinal).ToList();
        var result = sorted.ToDictionary(m => m, _ => new List<TopicPartition>());
        var all = Partitions(topics);
        switch (kind)
        {
            case AssignorKind.Range:
                foreach (var topic in topics.Keys.OrderBy(t => t, StringComparer.Ordinal))
                {
                    int n = topics[topic], per = n / sorted.Count, extra = n % sorted.Count, start = 0;
                    for (int i = 0; i < sorted.Count; i++)
                    {
                        int len = per + (i < extra ? 1 : 0);
                        for (int p = start; p < start + len; p++) result[sorted[i]].Add(new TopicPartition(topic, p));
                        start += len;
                    }
                }
                break;
            case AssignorKind.RoundRobin:
                for (int i = 0; i < all.Count; i++) result[sorted[i % sorted.Count]].Add(all[i]);
                break;
            case AssignorKind.CooperativeSticky:
                StickyAssign(sorted, all, previous, result);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        foreach (var list in result.Values) list.Sort();
        return result;
    }

    // Balanced: every member gets ⌊N/C⌋ or ⌈N/C⌉. Members keep what they owned up to their quota (the members
    // that owned most keep the ⌈⌉ quotas), then the free partitions go to the members with fewest.
    private static void StickyAssign(List<string> members, IReadOnlyList<TopicPartition> all,
        IReadOnlyDictionary<string, List<TopicPartition>>? previous, Dictionary<string, List<TopicPartition>> result)
    {
        int n = all.Count, c = members.Count, floor = n / c, ceilings = n % c;
        var valid = new HashSet<TopicPartition>(all);
        var taken = new HashSet<TopicPartition>();
        var byOwned = members.OrderByDescending(m => previous is not null && previous.TryGetValue(m, out var o) ? o.Count : 0)
            .ThenBy(m => m, StringComparer.Ordinal).ToList();
        for (int i = 0; i < byOwned.Count; i++)
        {
            var m = byOwned[i];
            int quota = floor + (i < ceilings ? 1 : 0);
            if (previous is null || !previous.TryGetValue(m, out var owned)) continue;
            foreach (var tp in owned.OrderBy(tp => tp))
                if (result[m].Count < quota && valid.Contains(tp) && taken.Add(tp)) result[m].Add(tp);
        }
        foreach (var tp in all.Where(tp => !taken.Contains(tp)))
        {
            var target = members.OrderBy(m => result[m].Count).ThenBy(m => m, StringComparer.Ordinal).First();
            result[target].Add(tp);
        }
    }

    /// <summary>Members that own at least one partition.</summary>
    public static int ActiveMembers(IReadOnlyDictionary<string, List<TopicPartition>> assignment) =>
        Guard.NotNull(assignment).Values.Count(l => l.Count > 0);

    /// <summary>Partitions whose owner differs between two assignments (a partition owned before by a member
    /// that is gone counts as moved).</summary>
    public static int Moved(IReadOnlyDictionary<string, List<TopicPartition>> before,
        IReadOnlyDictionary<string, List<TopicPartition>> after)
    {
        Guard.NotNull(before);
        Guard.NotNull(after);
        var ownerBefore = before.SelectMany(kv => kv.Value.Select(tp => (tp, kv.Key))).ToDictionary(x => x.tp, x => x.Key);
        return after.Sum(kv => kv.Value.Count(tp => !ownerBefore.TryGetValue(tp, out var o) || o != kv.Key));
    }

    /// <summary>The fewest partitions any balanced assignment must move: every member keeps at most its quota
    /// of what it owned; the rest must change owner. Computed from the counts alone.</summary>
    public static int MinimumMoves(IReadOnlyDictionary<string, List<TopicPartition>> before, IReadOnlyList<string> membersAfter)
    {
        Guard.NotNull(before);
        Guard.NotEmpty(membersAfter);
        int n = before.Values.Sum(l => l.Count), c = membersAfter.Count, floor = n / c, ceilings = n % c;
        var owned = membersAfter.Select(m => before.TryGetValue(m, out var l) ? l.Count : 0).OrderByDescending(x => x).ToList();
        int keep = owned.Select((o, i) => Math.Min(o, floor + (i < ceilings ? 1 : 0))).Sum();
        return n - keep;
    }

    /// <summary>One line per member: <c>c1: t0-0, t0-1</c>.</summary>
    public static string Describe(IReadOnlyDictionary<string, List<TopicPartition>> assignment) =>
        string.Join("; ", Guard.NotNull(assignment).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}: [{string.Join(", ", kv.Value)}]"));
}
