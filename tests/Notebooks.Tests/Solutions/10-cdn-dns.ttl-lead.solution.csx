// The copy fetched just before the TTL is lowered keeps the old TTL: it must expire by newTtl after the
// switch, so lead + newTtl ≥ oldTtl.
double LeadSeconds(double oldTtl, double newTtl) => Math.Max(0, oldTtl - newTtl);
