// Plausible but wrong: the overlap rule W + R > N, which never misses but is not the smallest W
// that meets a non-zero target.
int SmallestWriteQuorum(int n, int r, double target) => n - r + 1;
