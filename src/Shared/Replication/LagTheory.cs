namespace SystemDesign.Replication;

/// <summary>
/// Closed forms for a replica whose single replay process applies μ records/s while the primary commits a
/// Poisson stream of λ records/s, and the standard errors the notebook's tolerances come from.
/// </summary>
public static class LagTheory
{
    /// <summary>Utilisation of the replay process, ρ = λ/μ; lag is bounded only while ρ &lt; 1.</summary>
    public static double Utilisation(double writeRate, double replayRate)
        => Guard.NonNegative(writeRate) / Guard.Positive(replayRate);

    /// <summary>While the replica is saturated (λ &gt; μ) the backlog grows by λ − μ records per second.</summary>
    public static double BacklogSlope(double writeRate, double replayRate)
    {
        Guard.That(writeRate > replayRate, $"the backlog grows only while writeRate > replayRate; got {writeRate} ≤ {replayRate}.", nameof(writeRate));
        return writeRate - replayRate;
    }

    /// <summary>
    /// Standard error of a backlog slope measured over <paramref name="interval"/> seconds of saturation:
    /// replay advances exactly μ·Δ, arrivals are Poisson with variance λ·Δ, so σ = √(λΔ)/Δ.
    /// </summary>
    public static double BacklogSlopeStdErr(double writeRate, double interval)
        => Math.Sqrt(Guard.Positive(writeRate) * Guard.Positive(interval)) / interval;

    /// <summary>
    /// While saturated, the age of the newest visible write grows at 1 − μ/λ seconds per second: after t
    /// seconds the replica has replayed μt records, which the primary wrote in the first μt/λ seconds.
    /// </summary>
    public static double StalenessSlope(double writeRate, double replayRate)
        => 1 - Guard.Positive(replayRate) / Guard.Positive(writeRate);

    /// <summary>
    /// Standard error of a staleness slope measured over <paramref name="interval"/> seconds of saturation:
    /// replay passes μΔ records whose commit times are separated by μΔ exponential gaps of variance 1/λ²,
    /// so σ = √(μΔ)/(λΔ).
    /// </summary>
    public static double StalenessSlopeStdErr(double writeRate, double replayRate, double interval)
        => Math.Sqrt(Guard.Positive(replayRate) * Guard.Positive(interval)) / (Guard.Positive(writeRate) * interval);

    /// <summary>
    /// Expected time to drain a backlog of B records once writes drop back to λ &lt; μ: the busy period
    /// started by B/μ seconds of work in an M/D/1 queue, B/(μ − λ).
    /// </summary>
    public static double DrainTime(double backlog, double writeRate, double replayRate)
    {
        Guard.NonNegative(backlog);
        Guard.That(writeRate < replayRate, $"a backlog drains only while writeRate < replayRate; got {writeRate} ≥ {replayRate}.", nameof(writeRate));
        return backlog / (replayRate - writeRate);
    }

    /// <summary>
    /// Standard deviation of that drain time. For an M/G/1 busy period started by work x, the variance is
    /// x·λ·E[S²]/(1 − ρ)³; here x = B/μ and E[S²] = 1/μ².
    /// </summary>
    public static double DrainTimeStdDev(double backlog, double writeRate, double replayRate)
    {
        Guard.NonNegative(backlog);
        Guard.That(writeRate < replayRate, $"a backlog drains only while writeRate < replayRate; got {writeRate} ≥ {replayRate}.", nameof(writeRate));
        double rho = writeRate / replayRate;
        return Math.Sqrt(backlog / replayRate * writeRate / (replayRate * replayRate) / Math.Pow(1 - rho, 3));
    }

    /// <summary>Mean queueing wait in an M/D/1 queue, ρ/(2μ(1 − ρ)) (Pollaczek–Khinchine with a fixed service time).</summary>
    public static double MD1MeanWait(double writeRate, double replayRate)
    {
        double rho = Utilisation(writeRate, replayRate);
        Guard.That(rho < 1, $"the queue is stable only while writeRate < replayRate; got ρ = {rho}.", nameof(writeRate));
        return rho / (2 * replayRate * (1 - rho));
    }

    /// <summary>
    /// Mean time from commit until a write is visible on the replica in steady state, for an instant fsync:
    /// network delay + queueing for the replay process + one replay.
    /// </summary>
    public static double MeanVisibilityLag(double writeRate, double replayRate, double networkDelay)
        => Guard.NonNegative(networkDelay) + MD1MeanWait(writeRate, replayRate) + 1 / replayRate;

    /// <summary>
    /// Standard error of the mean of a correlated series (queue waits are strongly correlated) by batch means:
    /// the series is cut into <paramref name="batches"/> consecutive batches whose means are nearly independent.
    /// </summary>
    public static double BatchMeansStdErr(IReadOnlyList<double> values, int batches = 20)
    {
        Guard.NotNull(values);
        Guard.InRange(batches, 2, 1000);
        Guard.That(values.Count >= batches * 10, $"batch means needs at least 10 values per batch: {values.Count} values for {batches} batches.", nameof(values));
        int size = values.Count / batches;
        var means = new double[batches];
        for (int b = 0; b < batches; b++)
        {
            double s = 0;
            for (int k = b * size; k < (b + 1) * size; k++) s += values[k];
            means[b] = s / size;
        }
        double m = means.Average();
        double variance = means.Sum(x => (x - m) * (x - m)) / (batches - 1);
        return Math.Sqrt(variance / batches);
    }

    /// <summary>
    /// Records/s one TCP stream can carry when its window limits it: at most one window of bytes per round
    /// trip (the bandwidth-delay product), window / (RTT · bytes per record).
    /// </summary>
    public static double WindowCapRecords(double windowBytes, double roundTrip, double bytesPerRecord)
        => Guard.Positive(windowBytes) / (Guard.Positive(roundTrip) * Guard.Positive(bytesPerRecord));

    /// <summary>
    /// Backlog growth on the link (unsent WAL, records/s) when the primary writes λ records/s into a
    /// window-limited stream: max(0, λ − window/(RTT · bytes per record)). Zero below the critical RTT:
    /// there latency only shifts lag; above it lag grows without bound.
    /// </summary>
    public static double WindowBacklogSlope(double writeRate, double windowBytes, double roundTrip, double bytesPerRecord)
        => Math.Max(0, Guard.NonNegative(writeRate) - WindowCapRecords(windowBytes, roundTrip, bytesPerRecord));

    /// <summary>
    /// Commits per second one session can make when every commit waits for a standby's acknowledgement:
    /// at most one per round trip, 1/RTT (the session issues the next commit only after the last returned).
    /// </summary>
    public static double SyncCommitSessionRate(double roundTrip) => 1 / Guard.Positive(roundTrip);

    /// <summary>
    /// Relaxation time of an M/D/1-like queue at utilisation ρ, about 1/(μ(1 − √ρ)²): how long the queue
    /// takes to forget its state. Batch means need batches several times longer than this.
    /// </summary>
    public static double RelaxationTime(double writeRate, double replayRate)
    {
        double rho = Utilisation(writeRate, replayRate);
        Guard.That(rho < 1, $"a queue relaxes only while writeRate < replayRate; got ρ = {rho}.", nameof(writeRate));
        return 1 / (replayRate * Math.Pow(1 - Math.Sqrt(rho), 2));
    }

    /// <summary>
    /// Mean extra delay a record sees when each record's one-way delay gets an independent exponential
    /// jitter of mean m but the stream delivers in order (TCP): record i arrives at
    /// max(arrival of i − 1, its own send + d + X_i). With Poisson sends at rate λ, the probability
    /// generating functional of the Poisson process gives P(extra ≤ x) = (1 − e^(−x/m))·exp(−λm·e^(−x/m)),
    /// whose mean is m·∫₀¹ (1 − (1 − u)·e^(−λmu))/u du, about m·(ln(λm) + 0.577) when λm is large: the
    /// tail of the jitter, not its mean, becomes lag.
    /// </summary>
    public static double InOrderJitterMean(double sendRate, double jitterMean)
    {
        Guard.Positive(sendRate);
        Guard.Positive(jitterMean);
        double a = sendRate * jitterMean;
        double F(double u) => u == 0 ? 1 + a : (1 - (1 - u) * Math.Exp(-a * u)) / u;
        const int n = 20_000; // Simpson's rule on a smooth integrand
        double h = 1.0 / n, sum = F(0) + F(1);
        for (int k = 1; k < n; k++) sum += (k % 2 == 1 ? 4 : 2) * F(k * h);
        return jitterMean * sum * h / 3;
    }
}
