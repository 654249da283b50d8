// Plausible but wrong: returns the losses per year, not the years per loss.
double YearsPerLostObject(double objects, double nines) => objects * Math.Pow(10, -nines);
