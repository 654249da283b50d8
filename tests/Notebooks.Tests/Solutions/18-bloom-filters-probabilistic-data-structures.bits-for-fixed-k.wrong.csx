// Plausible but wrong: the optimal-k size, used whatever k is.
long BitsFor(long n, double p, int k) =>
    (long)Math.Ceiling(-n * Math.Log(p) / (Math.Log(2) * Math.Log(2)));
