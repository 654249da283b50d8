// Takes the smaller set as the overlap: right only when one set contains the other.
double Overlap(HyperLogLog a, HyperLogLog b) => Math.Min(a.Estimate(), b.Estimate());
