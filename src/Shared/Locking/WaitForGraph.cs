namespace SystemDesign.Locking;

/// <summary>
/// Cycle search in a wait-for graph. A deadlock is exactly a cycle: every transaction on it waits for the next,
/// so none can proceed until one of them is aborted. Depth-first search, with neighbours visited in ascending
/// order so the cycle reported is deterministic.
/// </summary>
public static class WaitForGraph
{
    /// <summary>A cycle that passes through <paramref name="start"/>, as [start, …, start], or null.</summary>
    public static IReadOnlyList<int>? CycleThrough(IReadOnlyList<WaitEdge> edges, int start)
    {
        Guard.NotNull(edges);
        var next = Adjacency(edges);
        return CycleThrough(t => next.GetValueOrDefault(t) ?? [], start);
    }

    /// <summary>A cycle through <paramref name="start"/>, following <paramref name="next"/> (each node's blockers, ascending), or null.</summary>
    public static IReadOnlyList<int>? CycleThrough(Func<int, IReadOnlyList<int>> next, int start)
    {
        Guard.NotNull(next);
        var path = new List<int> { start };
        var onPath = new HashSet<int> { start };
        var dead = new HashSet<int>();
        return Search(start) ? path : null;

        bool Search(int node)
        {
            foreach (int n in next(node))
            {
                if (n == start)
                {
                    path.Add(start);
                    return true;
                }
                if (onPath.Contains(n) || dead.Contains(n)) continue;
                path.Add(n);
                onPath.Add(n);
                if (Search(n)) return true;
                path.RemoveAt(path.Count - 1);
                onPath.Remove(n);
                dead.Add(n);
            }
            return false;
        }
    }

    /// <summary>Any cycle of the graph, as [t, …, t], or null when the graph is acyclic.</summary>
    public static IReadOnlyList<int>? AnyCycle(IReadOnlyList<WaitEdge> edges)
    {
        Guard.NotNull(edges);
        var next = Adjacency(edges);
        return AnyCycle(next.Keys.Order(), t => next.GetValueOrDefault(t) ?? []);
    }

    /// <summary>Any cycle reachable from <paramref name="nodes"/> following <paramref name="next"/>, or null.</summary>
    public static IReadOnlyList<int>? AnyCycle(IEnumerable<int> nodes, Func<int, IReadOnlyList<int>> next)
    {
        Guard.NotNull(nodes);
        Guard.NotNull(next);
        var state = new Dictionary<int, int>(); // 1 = on the current path, 2 = finished
        var path = new List<int>();
        foreach (int node in nodes)
        {
            if (state.ContainsKey(node)) continue;
            var found = Visit(node);
            if (found is not null) return found;
        }
        return null;

        List<int>? Visit(int node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (int n in next(node))
            {
                if (state.GetValueOrDefault(n) == 1)
                {
                    var cycle = path.Skip(path.IndexOf(n)).ToList();
                    cycle.Add(n);
                    return cycle;
                }
                if (state.GetValueOrDefault(n) == 0)
                {
                    var found = Visit(n);
                    if (found is not null) return found;
                }
            }
            state[node] = 2;
            path.RemoveAt(path.Count - 1);
            return null;
        }
    }

    /// <summary>Whether <paramref name="cycle"/> is a cycle of the graph: at least one edge, closes on its first node, every step an edge.</summary>
    public static bool IsCycle(IReadOnlyList<WaitEdge> edges, IReadOnlyList<int>? cycle)
    {
        Guard.NotNull(edges);
        if (cycle is null || cycle.Count < 2 || cycle[0] != cycle[^1]) return false;
        var set = edges.Select(e => (e.Waiter, e.Blocker)).ToHashSet();
        return Enumerable.Range(0, cycle.Count - 1).All(i => set.Contains((cycle[i], cycle[i + 1])));
    }

    /// <summary>Edges from an adjacency map (transaction → the transactions it waits for), row 0 on every edge.</summary>
    public static IReadOnlyList<WaitEdge> FromMap(IReadOnlyDictionary<int, int[]> waitsFor)
    {
        Guard.NotNull(waitsFor);
        return waitsFor.SelectMany(kv => kv.Value.Select(b => new WaitEdge(kv.Key, b, 0))).ToList();
    }

    private static Dictionary<int, List<int>> Adjacency(IReadOnlyList<WaitEdge> edges)
    {
        var next = new Dictionary<int, List<int>>();
        foreach (var e in edges)
        {
            if (!next.TryGetValue(e.Waiter, out var list)) next[e.Waiter] = list = [];
            if (!list.Contains(e.Blocker)) list.Add(e.Blocker);
        }
        foreach (var list in next.Values) list.Sort();
        return next;
    }
}
