// Forgets that a read after the lag sees the write: counts every replica read as stale.
double StaleProbability(double lag, double window, double meanThink)
    => lag > window ? Math.Exp(-window / meanThink) : 0;
