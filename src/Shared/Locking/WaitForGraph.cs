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
        var path = new List<int> { start };
        var onPath = new HashSet<int> { start };
        var dead = new HashSet<int>();
        return Search(start) ? path : null;

        bool Search(int node)
        {
            foreach (int n in next.GetValueOrDefault(node, []))
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
        var state = new Dictionary<int, int>(); // 1 = on the current path, 2 = finished
        var path = new List<int>();
        foreach (int node in next.Keys.Order())
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
            foreach (int n in next.GetValueOrDefault(node, []))
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
