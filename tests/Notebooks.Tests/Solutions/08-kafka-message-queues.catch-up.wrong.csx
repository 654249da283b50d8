// Plausible but wrong: sized to drain the backlog alone, forgetting that producers keep writing.
int ConsumersToCatchUp(int partitions, double lambda, double mu, double lag, double seconds) =>
    (int)Math.Ceiling(lag / seconds / mu);
