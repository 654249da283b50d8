// The smallest LRU size whose Che hit ratio reaches the target: bisection on the size.
int EdgeObjectsFor(int catalog, double exponent, double targetHitRatio)
{
    var w = new ZipfSampler(catalog, exponent).Weights;
    int lo = 1, hi = catalog - 1;
    while (lo < hi)
    {
        int mid = (lo + hi) / 2;
        if (Eviction.CheLruHitRatio(w, mid) >= targetHitRatio) hi = mid; else lo = mid + 1;
    }
    return lo;
}
