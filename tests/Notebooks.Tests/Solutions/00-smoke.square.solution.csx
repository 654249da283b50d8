double Square(double x) => x * x;
