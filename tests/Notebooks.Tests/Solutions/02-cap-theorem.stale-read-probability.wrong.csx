// Plausible but wrong: treats the R replicas as drawn with replacement, each missing the write with probability (N − W)/N.
double StaleReadChance(int n, int w, int r) => Math.Pow((double)(n - w) / n, r);
