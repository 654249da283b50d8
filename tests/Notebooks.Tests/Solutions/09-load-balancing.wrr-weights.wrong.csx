// EXERCISE: wrr-weights
// Plausible but backwards: weights proportional to the service time favour the slow backend.
int[] WeightsFor(double[] serviceMs) => serviceMs.Select(ms => (int)(ms / 3)).ToArray();
