double BetaFor(double lambda, double delta, double p) => Math.Log(1 / p) / (lambda * delta);
