// (1 − e^(−kn/m))^k = p  ⇔  m = −k·n / ln(1 − p^(1/k))
long BitsFor(long n, double p, int k) =>
    (long)Math.Ceiling(-k * n / Math.Log(1 - Math.Pow(p, 1.0 / k)));
