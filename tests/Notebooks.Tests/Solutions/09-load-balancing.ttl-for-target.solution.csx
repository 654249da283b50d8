// EXERCISE: ttl-for-target
// Worst-case detection is threshold·interval; the stale resolvers never move in time, so the others must
// cover the target on their own: (1 − s)·(T − d)/TTL ≥ target.
double MaxTtl(double withinSeconds, double intervalSeconds, int threshold, double staleShare,
    double target) => (withinSeconds - threshold * intervalSeconds) * (1 - staleShare) / target;
