// Inclusion–exclusion: |A ∩ B| = |A| + |B| − |A ∪ B|, the union from the register-wise maximum.
double Overlap(HyperLogLog a, HyperLogLog b)
    => a.Estimate() + b.Estimate() - HyperLogLog.Union(a, b).Estimate();
