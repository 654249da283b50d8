// Capacity must cover the arrivals plus the backlog spread over the deadline: c·μ ≥ λ + lag/seconds.
int ConsumersToCatchUp(int partitions, double lambda, double mu, double lag, double seconds) =>
    (int)Math.Ceiling((lambda + lag / seconds) / mu);
