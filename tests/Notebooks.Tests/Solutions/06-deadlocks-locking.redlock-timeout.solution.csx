// EXERCISE: redlock-timeout
// validity = TTL − elapsed − (TTL·ρ + 2 ms), elapsed = ⌊N/2⌋ timeouts + ⌈N/2⌉ fast 1 ms answers.
// Setting validity = minValidity and solving for the timeout gives the longest one.
double LongestTimeoutMs(int instances, double ttlMs, double minValidityMs)
{
    int slow = instances / 2, fast = instances - slow;
    double drift = ttlMs * 0.01 + 2;
    return (ttlMs - drift - fast * 1.0 - minValidityMs) / slow;
}
