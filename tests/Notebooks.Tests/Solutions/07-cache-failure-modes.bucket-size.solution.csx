(int Capacity, double RatePerSecond) BucketFor(int burst, double periodSeconds) =>
    (burst, burst / periodSeconds);
