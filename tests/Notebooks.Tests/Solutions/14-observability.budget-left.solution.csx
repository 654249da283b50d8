// EXERCISE: budget-left
// Budget (1 − SLO)·window in minutes, minus what the outage and the partial errors spent.
double MinutesLeft(double slo, double windowDays, double outageMinutes,
    double partialMinutes, double partialErrorRatio) =>
    (1 - slo) * windowDays * 1440 - outageMinutes - partialMinutes * partialErrorRatio;
