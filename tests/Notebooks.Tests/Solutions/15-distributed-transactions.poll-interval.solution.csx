// Mean lag under capacity is half a poll: poll ≤ 2·lag. Busy share = rate·poll/(1000·batch) ≤ 0.8.
double LongestPoll(double rate, int batch, double maxMeanLagMs) =>
    Math.Min(2 * maxMeanLagMs, 0.8 * 1000.0 * batch / rate);
