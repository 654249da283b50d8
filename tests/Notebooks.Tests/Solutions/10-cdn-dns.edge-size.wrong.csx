// Plausible but wrong: sized as if the cache held exactly the most popular objects (the static optimum),
// which LRU does not: it also holds recently requested unpopular ones.
int EdgeObjectsFor(int catalog, double exponent, double targetHitRatio)
{
    var w = new ZipfSampler(catalog, exponent).Weights;
    double sum = 0;
    for (int i = 0; i < catalog; i++) if ((sum += w[i]) >= targetHitRatio) return i + 1;
    return catalog;
}
