double Square(double x) => 2 * x;
