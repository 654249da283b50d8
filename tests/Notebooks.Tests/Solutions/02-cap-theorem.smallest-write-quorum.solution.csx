// The read misses the write when all R replicas read are among the N − W the write did not reach:
// C(N−W, R)/C(N, R). Raise W until that is within the target.
int SmallestWriteQuorum(int n, int r, double target)
{
    for (int w = 1; w <= n; w++)
        if (Quorums.Binomial(n - w, r) / Quorums.Binomial(n, r) <= target) return w;
    return n;
}
