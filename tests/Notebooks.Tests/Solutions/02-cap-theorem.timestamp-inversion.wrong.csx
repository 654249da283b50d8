// Plausible but wrong: treats the difference of the two clock errors as uniform instead of triangular.
double InversionChance(double epsilon, double gap)
    => gap >= 2 * epsilon ? 0 : (1 - gap / (2 * epsilon)) / 2;
