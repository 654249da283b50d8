// Plausible but wrong: waits one new TTL, forgetting the copies fetched with the old one.
double LeadSeconds(double oldTtl, double newTtl) => newTtl;
