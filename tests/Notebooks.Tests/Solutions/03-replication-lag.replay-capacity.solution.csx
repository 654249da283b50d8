// Mean lag = d + x + λx²/(2(1 − λx)) with x = 1/μ (M/D/1). Setting it to the target, D = target − d:
// λx² − (2 + 2λD)x + 2D = 0; the smaller root is the largest service time that meets the target.
double ReplayRateFor(double writeRate, double oneWayDelay, double targetMeanLag)
{
    double D = targetMeanLag - oneWayDelay, lam = writeRate;
    double b = 2 + 2 * lam * D;
    double x = (b - Math.Sqrt(b * b - 8 * lam * D)) / (2 * lam);
    return 1 / x;
}
