// EXERCISE: wrr-weights
// Speed ∝ 1/serviceMs: scale by the slowest so the weights are ratios ≥ 1, round, divide by their gcd.
int[] WeightsFor(double[] serviceMs)
{
    double slowest = serviceMs.Max();
    var w = serviceMs.Select(ms => (int)Math.Round(slowest / ms)).ToArray();
    int g = w.Aggregate((a, b) => (int)System.Numerics.BigInteger.GreatestCommonDivisor(a, b));
    return w.Select(x => x / g).ToArray();
}
