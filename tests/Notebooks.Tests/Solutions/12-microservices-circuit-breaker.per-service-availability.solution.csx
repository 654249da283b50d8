double PerService(int depth, int retries, double target)
{
    double lo = 0, hi = 1;
    for (int i = 0; i < 60; i++)
    {
        double u = (lo + hi) / 2;
        double a = Math.Pow(u, depth - 1) * (1 - Math.Pow(1 - u, retries + 1));
        if (a < target) lo = u; else hi = u;
    }
    return hi;
}
