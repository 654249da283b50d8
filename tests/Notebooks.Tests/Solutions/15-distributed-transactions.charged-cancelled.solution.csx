// Reserve and authorise must each answer (1 − u^(r+1)) and not decline (1 − d); the capture then stays unknown
// in all r + 1 attempts (u^(r+1)) yet ran at least once (not all attempts lost: minus a^(r+1)).
double ChargedCancelled(PaymentFaults f, int retries)
{
    double a = f.RequestLoss, u = a + (1 - a) * f.LateProbability;
    double answered = 1 - Math.Pow(u, retries + 1);
    double reach = Math.Pow(answered * (1 - f.DeclineRate), 2);
    return reach * (Math.Pow(u, retries + 1) - Math.Pow(a, retries + 1));
}
