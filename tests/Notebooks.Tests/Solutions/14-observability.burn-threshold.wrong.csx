// EXERCISE: burn-threshold
// Plausible but wrong: mixes days and hours.
double BurnThreshold(double budgetShare, double windowHours, double periodDays) =>
    budgetShare * periodDays / windowHours;
