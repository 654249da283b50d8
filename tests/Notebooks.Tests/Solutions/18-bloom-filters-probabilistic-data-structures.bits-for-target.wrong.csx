// Forgets the 1/ln 2 factor: log2(1/p) bits per item is the information-theoretic minimum, not what a Bloom filter needs.
long BitsFor(long n, double p) => (long)Math.Ceiling(n * Math.Log2(1 / p));
