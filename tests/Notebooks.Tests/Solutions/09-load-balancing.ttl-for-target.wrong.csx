// EXERCISE: ttl-for-target
// Forgets the resolvers that keep stale answers.
double MaxTtl(double withinSeconds, double intervalSeconds, int threshold, double staleShare,
    double target) => (withinSeconds - threshold * intervalSeconds) / target;
