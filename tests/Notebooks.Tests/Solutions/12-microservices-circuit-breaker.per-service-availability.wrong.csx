double PerService(int depth, int retries, double target) => Math.Pow(target, 1.0 / depth);
