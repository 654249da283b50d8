namespace SystemDesign.Resilience;

/// <summary>How clients retry a failed or timed-out attempt.</summary>
public enum RetryPolicy { None, Immediate, BackoffFullJitter, Budget }

/// <summary>Per-second attempts and successes of one retry run, with its outage and recovery figures.</summary>
public sealed record RetryRun(RetryPolicy Policy, double[] Seconds, double[] AttemptsPerSecond,
    double[] GoodPerSecond, double OutageAmplification, double RecoverySeconds);

/// <summary>
/// A server that completes μ requests a second from a FIFO queue (of bounded length), and clients that send
/// λ new requests a second (Poisson) and give up on an attempt after τ = 1 s, leaving its work queued: the
/// server still spends a slot on it (wasted). During the outage the server completes nothing. A failed
/// attempt (timed out, or refused because the queue is full) is retried up to 3 times: at once, after
/// U(0, min(cap, base·2^k)) (exponential backoff with full jitter), or only while a retry budget allows
/// (retries ≤ 10% of first attempts, as a token bucket). Recovery: seconds after the outage until a second
/// in which at least 95% of the new requests succeed.
/// </summary>
public static class RetryStorm
{
    /// <summary>Runs one policy; times in seconds.</summary>
    public static RetryRun Run(RetryPolicy policy, double lambda = 500, double mu = 700, double outageFrom = 10,
        double outageTo = 15, double seconds = 60, int maxRetries = 3, double baseDelay = 0.1,
        double capDelay = 5, double budgetRatio = 0.1, int queueLimit = 20_000, int seed = 1)
    {
        Guard.InRange(lambda, 1, 100_000);
        Guard.InRange(mu, 1, 100_000);
        Guard.InRange(seconds, 1, 3_600);
        Guard.InRange(outageFrom, 0, seconds);
        Guard.InRange(outageTo, outageFrom, seconds);
        Guard.InRange(maxRetries, 0, 10);
        Guard.InRange(baseDelay, 0.001, 60);
        Guard.InRange(capDelay, baseDelay, 600);
        Guard.InRange(budgetRatio, 0, 1);
        Guard.InRange(queueLimit, 1, 10_000_000);
        const double dt = 0.005, tau = 1.0;
        var rng = new Random(seed);
        int n = (int)Math.Ceiling(seconds);
        var attempts = new double[n];
        var good = new double[n];
        var offered = new double[n];
        var queue = new Queue<(int Req, double Deadline)>();
        var pending = new PriorityQueue<(int Req, int Attempt), double>();   // retries due
        var timeouts = new PriorityQueue<(int Req, int Attempt, double Deadline), double>();
        var done = new List<bool>();
        var firstSecond = new List<int>();
        var currentAttempt = new List<int>();
        double tokens = 10, credit = 0;
        long stepCount = (long)(seconds / dt);

        void Send(int req, int attempt, double now)
        {
            attempts[Math.Min(n - 1, (int)now)]++;
            currentAttempt[req] = attempt;
            if (queue.Count >= queueLimit) { Failed(req, attempt, now); return; }
            queue.Enqueue((req, now + tau));
            timeouts.Enqueue((req, attempt, now + tau), now + tau);
        }
        void Failed(int req, int attempt, double now)
        {
            if (done[req] || attempt >= maxRetries) return;
            switch (policy)
            {
                case RetryPolicy.None: return;
                case RetryPolicy.Immediate: pending.Enqueue((req, attempt + 1), now); return;
                case RetryPolicy.BackoffFullJitter:
                    double ceiling = Math.Min(capDelay, baseDelay * Math.Pow(2, attempt));
                    pending.Enqueue((req, attempt + 1), now + rng.NextDouble() * ceiling);
                    return;
                case RetryPolicy.Budget:
                    if (tokens < 1) return;
                    tokens -= 1;
                    pending.Enqueue((req, attempt + 1), now);
                    return;
            }
        }
        for (long step = 0; step < stepCount; step++)
        {
            double now = step * dt;
            int arrivals = Poisson(rng, lambda * dt);
            for (int i = 0; i < arrivals; i++)
            {
                int req = done.Count;
                done.Add(false); firstSecond.Add((int)now); currentAttempt.Add(0);
                offered[(int)now]++;
                tokens = Math.Min(tokens + budgetRatio, 10 + budgetRatio * lambda);
                Send(req, 0, now);
            }
            while (pending.TryPeek(out var p, out double due) && due <= now)
            {
                pending.Dequeue();
                if (!done[p.Req]) Send(p.Req, p.Attempt, now);
            }
            bool up = now < outageFrom || now >= outageTo;
            if (up)
            {
                credit += mu * dt;
                while (credit >= 1 && queue.Count > 0)
                {
                    credit -= 1;
                    var (req, deadline) = queue.Dequeue();
                    if (now <= deadline && !done[req])
                    {
                        done[req] = true;
                        if (firstSecond[req] < n) good[(int)now]++;
                    }
                }
                if (queue.Count == 0) credit = Math.Min(credit, 1);
            }
            else credit = 0;
            while (timeouts.TryPeek(out var to, out double at) && at <= now)
            {
                timeouts.Dequeue();
                if (!done[to.Req] && currentAttempt[to.Req] == to.Attempt) Failed(to.Req, to.Attempt, now);
            }
        }
        // Success per second of arrival: share of that second's new requests that ever succeeded.
        var okBySecond = new double[n];
        for (int r = 0; r < done.Count; r++) if (done[r]) okBySecond[firstSecond[r]]++;
        int from = (int)outageFrom, to2 = (int)outageTo;
        double amplification = attempts.Skip(from).Take(to2 - from).Sum() /
            Math.Max(1, offered.Skip(from).Take(to2 - from).Sum());
        double recovery = seconds - outageTo;
        for (int s = to2; s < n - 1; s++)
            if (offered[s] > 0 && okBySecond[s] / offered[s] >= 0.95) { recovery = s - outageTo; break; }
        return new RetryRun(policy, Enumerable.Range(0, n).Select(s => (double)s).ToArray(), attempts, good,
            amplification, recovery);
    }

    /// <summary>
    /// The fluid prediction of recovery without retries: the outage leaves λ·D requests queued, the queue
    /// drains at μ − λ, and answers arrive in time again once the queue is shorter than μ·τ (τ = 1 s).
    /// </summary>
    public static double FluidRecoveryWithoutRetries(double lambda, double mu, double outageSeconds)
    {
        Guard.InRange(lambda, 1, 100_000);
        Guard.InRange(mu, lambda + 1e-9, 1_000_000);
        Guard.InRange(outageSeconds, 0, 3_600);
        return Math.Max(0, (lambda * outageSeconds - mu * 1.0) / (mu - lambda));
    }

    private static int Poisson(Random rng, double mean)
    {
        double l = Math.Exp(-mean), p = 1;
        int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }
}
