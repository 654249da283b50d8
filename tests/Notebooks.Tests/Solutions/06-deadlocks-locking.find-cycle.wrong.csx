// EXERCISE: find-cycle
// Plausible but wrong: only looks for two transactions waiting for each other, so it misses longer cycles.
int[] FindCycle(IReadOnlyDictionary<int, int[]> waitsFor)
{
    foreach (var (t, blockers) in waitsFor)
        foreach (int b in blockers)
            if (waitsFor.GetValueOrDefault(b, []).Contains(t)) return [t, b, t];
    return null;
}
