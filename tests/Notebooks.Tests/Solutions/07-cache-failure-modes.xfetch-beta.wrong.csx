// Plausible but wrong: treats the refresh probability as linear in beta.
double BetaFor(double lambda, double delta, double p) => 1 / (lambda * delta * p);
