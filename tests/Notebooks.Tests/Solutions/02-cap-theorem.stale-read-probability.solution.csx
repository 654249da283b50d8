// C(N−W, R) / C(N, R): the read set must be drawn entirely from the N − W replicas the write missed.
double StaleReadChance(int n, int w, int r)
{
    double Choose(int a, int b)
    {
        if (b < 0 || b > a) return 0;
        double x = 1;
        for (int i = 1; i <= b; i++) x = x * (a - b + i) / i;
        return x;
    }
    return Choose(n - w, r) / Choose(n, r);
}
