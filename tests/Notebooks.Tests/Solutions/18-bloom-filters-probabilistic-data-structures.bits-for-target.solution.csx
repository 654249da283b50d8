long BitsFor(long n, double p) => (long)Math.Ceiling(-n * Math.Log(p) / (Math.Log(2) * Math.Log(2)));
