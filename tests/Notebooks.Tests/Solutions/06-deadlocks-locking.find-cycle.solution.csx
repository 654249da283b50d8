// EXERCISE: find-cycle
// Depth-first search from every transaction; a transaction already on the current path closes a cycle.
int[] FindCycle(IReadOnlyDictionary<int, int[]> waitsFor)
{
    var done = new HashSet<int>();
    var path = new List<int>();
    int[] Visit(int t)
    {
        int at = path.IndexOf(t);
        if (at >= 0) return path.Skip(at).Append(t).ToArray();
        if (!done.Add(t)) return null;
        path.Add(t);
        foreach (int next in waitsFor.GetValueOrDefault(t, []))
            if (Visit(next) is { } cycle) return cycle;
        path.RemoveAt(path.Count - 1);
        return null;
    }
    foreach (int t in waitsFor.Keys)
        if (Visit(t) is { } cycle) return cycle;
    return null;
}
