// Plausible but wrong: meets the lag target on paper and forgets that the projector must keep up.
double LongestPoll(double rate, int batch, double maxMeanLagMs) => 2 * maxMeanLagMs;
