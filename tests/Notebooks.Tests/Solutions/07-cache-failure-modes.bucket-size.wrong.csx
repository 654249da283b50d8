// Plausible but wrong: sized for the burst rate, not the average rate.
(int Capacity, double RatePerSecond) BucketFor(int burst, double periodSeconds) =>
    (burst, burst);
