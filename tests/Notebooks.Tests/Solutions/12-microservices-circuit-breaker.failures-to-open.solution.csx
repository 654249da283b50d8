int FailuresToOpen(double ratio, int minCalls, int healthy)
{
    // The smallest k with k ≥ minCalls − healthy and k / (healthy + k) ≥ ratio.
    int k = Math.Max(1, minCalls - healthy);
    while ((double)k / (healthy + k) < ratio) k++;
    return k;
}
