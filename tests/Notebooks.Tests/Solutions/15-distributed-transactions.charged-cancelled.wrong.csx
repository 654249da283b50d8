// Plausible but wrong: every capture whose attempts all timed out counts, even when none of them ran,
// and the chance of reaching the capture is ignored.
double ChargedCancelled(PaymentFaults f, int retries)
{
    double u = f.RequestLoss + (1 - f.RequestLoss) * f.LateProbability;
    return Math.Pow(u, retries + 1);
}
