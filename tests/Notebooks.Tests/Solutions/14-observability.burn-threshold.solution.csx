// EXERCISE: burn-threshold
// Spending a share s of a P-day budget in w hours is a burn rate of s·(P·24)/w.
double BurnThreshold(double budgetShare, double windowHours, double periodDays) =>
    budgetShare * periodDays * 24 / windowHours;
