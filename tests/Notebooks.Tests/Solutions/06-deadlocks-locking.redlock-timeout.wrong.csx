// EXERCISE: redlock-timeout
// Plausible but wrong: charges the timeout to every instance, not only the slow ones, so the answer is
// safe but far from the longest timeout.
double LongestTimeoutMs(int instances, double ttlMs, double minValidityMs)
{
    double drift = ttlMs * 0.01 + 2;
    return (ttlMs - drift - minValidityMs) / instances;
}
