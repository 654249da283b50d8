// Stale when the read goes to the replica (T ≥ W) and arrives before the write is visible (T < L).
double StaleProbability(double lag, double window, double meanThink)
    => lag > window ? Math.Exp(-window / meanThink) - Math.Exp(-lag / meanThink) : 0;
