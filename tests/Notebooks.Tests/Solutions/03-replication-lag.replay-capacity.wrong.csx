// Uses the M/M/1 wait ρ/(μ − λ) instead of M/D/1's ρ/(2μ(1 − ρ)), solved by bisection.
double ReplayRateFor(double writeRate, double oneWayDelay, double targetMeanLag)
{
    double lo = writeRate * 1.0001, hi = writeRate * 100;
    for (int i = 0; i < 200; i++)
    {
        double mu = (lo + hi) / 2, rho = writeRate / mu;
        double lag = oneWayDelay + 1 / mu + rho / (mu - writeRate);
        if (lag > targetMeanLag) lo = mu; else hi = mu;
    }
    return (lo + hi) / 2;
}
