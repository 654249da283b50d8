// EXERCISE: budget-left
// Plausible but wrong: budgets a 30-day month whatever the window.
double MinutesLeft(double slo, double windowDays, double outageMinutes,
    double partialMinutes, double partialErrorRatio) =>
    (1 - slo) * 30 * 1440 - outageMinutes - partialMinutes * partialErrorRatio;
