// Expected losses a year are objects × 10^−nines; the mean gap between losses is its inverse.
double YearsPerLostObject(double objects, double nines) => 1 / (objects * Math.Pow(10, -nines));
