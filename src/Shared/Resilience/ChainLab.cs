namespace SystemDesign.Resilience;

/// <summary>Availability and latency of a run through the real chain.</summary>
public sealed record ChainRun(string Name, int Requests, double FullShare, double AnsweredShare,
    double P50Ms, double P99Ms, int[] Received)
{
    /// <summary>Summarizes answers.</summary>
    public static ChainRun From(string name, IReadOnlyList<ChainAnswer> answers, int[] received)
    {
        Guard.NotEmpty(answers);
        var ms = answers.Select(a => a.Ms).ToArray();
        return new ChainRun(name, answers.Count, answers.Count(a => a.Full) / (double)answers.Count,
            answers.Count(a => a.Status == 200) / (double)answers.Count,
            Notebook.Stats.Percentile(ms, 0.5), Notebook.Stats.Percentile(ms, 0.99), received);
    }
}

/// <summary>What the breaker experiment on the real chain measured.</summary>
public sealed record BreakerChainRun(ChainAnswer[] Answers, IReadOnlyList<Transition> Polly,
    IReadOnlyList<Transition> Ours, int Disagreements, int OutageRequests, int OutageCallsReachingC,
    double OpenP50Ms, double FailingP50Ms);

/// <summary>Experiments on the real three-service chain (A → B → C on loopback).</summary>
public static class ChainLab
{
    /// <summary>
    /// A, B and C fail their own share of requests (503) independently; B → C uses
    /// <paramref name="bToC"/>, A → B <paramref name="aToB"/>. Returns the measured availability and latency.
    /// </summary>
    public static async Task<ChainRun> AvailabilityAsync(string name, double[] failure, CallPolicy aToB,
        CallPolicy bToC, int requests, int concurrency, int seed, int workMs = 1)
    {
        Guard.NotNull(failure);
        Guard.That(failure.Length == 3, "three services", nameof(failure));
        await using var chain = await ServiceChain.StartAsync(new[] { aToB, bToC }, seed);
        for (int i = 0; i < 3; i++)
        {
            chain.Faults(i).FailureRate = failure[i];
            chain.Faults(i).DelayMs = i == 2 ? Guard.InRange(workMs, 0, 1_000) : 0;
        }
        await chain.DriveAsync(Math.Min(20, requests), concurrency);       // warm the connections
        chain.ResetCounts();
        var answers = await chain.DriveAsync(requests, concurrency);
        return ChainRun.From(name, answers, chain.Received);
    }

    /// <summary>
    /// Sequential requests 50 ms apart in virtual time; C is down for requests [from, to): it hangs (8× B's
    /// timeout) in the first half of the outage and answers a fast 503 in the second. B → C has a timeout and
    /// Polly's breaker, with our breaker as a shadow on the same outcomes and the same virtual clock.
    /// </summary>
    public static async Task<BreakerChainRun> BreakerOutageAsync(BreakerOptions options, int requests,
        int from, int to, int timeoutMs, int seed)
    {
        Guard.NotNull(options).Validate();
        Guard.InRange(requests, 10, 10_000);
        Guard.InRange(from, 0, requests);
        Guard.InRange(to, from, requests);
        Guard.InRange(timeoutMs, 10, 1_000);                              // Polly's timeout is at least 10 ms
        var clock = new ManualClock();
        var bToC = new CallPolicy(TimeoutMs: timeoutMs, Breaker: options, Shadow: true);
        await using var chain = await ServiceChain.StartAsync(new[] { CallPolicy.None, bToC }, seed, clock);
        var c = chain.Faults(2);
        int reached = 0, mid = (from + to) / 2;
        var answers = await chain.DriveAsync(requests, 1, k =>
        {
            clock.SetTo(TimeSpan.FromMilliseconds(50.0 * k));
            if (k == from) { chain.ResetCounts(); c.Down = true; c.OutageDelayMs = timeoutMs * 8; }
            if (k == mid) c.OutageDelayMs = 0;
            if (k == to) { reached = chain.Received[2]; c.Down = false; c.OutageDelayMs = 0; }
        });
        if (to == requests) reached = chain.Received[2];
        var outage = answers.Skip(from).Take(to - from).ToArray();
        var fast = outage.Where(a => a.Refused).Select(a => a.Ms).ToArray();
        var slow = outage.Where(a => !a.Refused && a.Status != 200).Select(a => a.Ms).ToArray();
        return new BreakerChainRun(answers, chain.PollyTransitions(1), chain.Shadow(1)!.Transitions.ToArray(),
            chain.ShadowDisagreements(1), to - from, reached,
            fast.Length == 0 ? double.NaN : Notebook.Stats.Percentile(fast, 0.5),
            slow.Length == 0 ? double.NaN : Notebook.Stats.Percentile(slow, 0.5));
    }

    /// <summary>
    /// C answers in <paramref name="fastMs"/>, but a share <paramref name="slowShare"/> of its requests take
    /// <paramref name="slowMs"/>. B → C is plain, or hedged: a second request to C after
    /// <paramref name="hedgeAfterMs"/> if the first has not answered, the first answer wins.
    /// </summary>
    public static async Task<TailRun> TailAsync(string name, int? hedgeAfterMs, double slowShare, int slowMs,
        int fastMs, double thresholdMs, int requests, int concurrency, int seed)
    {
        Guard.InRange(slowShare, 0, 1);
        Guard.InRange(thresholdMs, 0, 60_000);
        var bToC = new CallPolicy(TimeoutMs: 2_000, HedgeAfterMs: hedgeAfterMs);
        await using var chain = await ServiceChain.StartAsync(new[] { CallPolicy.None, bToC }, seed);
        var c = chain.Faults(2);
        c.DelayMs = fastMs; c.SlowShare = slowShare; c.SlowMs = slowMs;
        await chain.DriveAsync(Math.Min(20, requests), concurrency);
        chain.ResetCounts();
        var answers = await chain.DriveAsync(requests, concurrency);
        return new TailRun(ChainRun.From(name, answers, chain.Received),
            answers.Count(a => a.Ms > thresholdMs) / (double)requests,
            chain.Received[2] / (double)requests, answers.Count(a => a.Slow) / (double)requests);
    }

    /// <summary>Least-squares slope of y on x.</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Guard.NotNull(x); Guard.NotNull(y);
        Guard.That(x.Count == y.Count && x.Count >= 2, "two or more points, as many x as y", nameof(y));
        double mx = x.Average(), my = y.Average();
        double sxy = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum(), sxx = x.Sum(a => (a - mx) * (a - mx));
        Guard.That(sxx > 0, "x must vary", nameof(x));
        return sxy / sxx;
    }

    /// <summary>
    /// Median client latency (ms) through chains of 2, 3, … services that do no work and only forward
    /// (what a proxy hop is), <paramref name="requests"/> sequential requests each; index k is k + 2 services.
    /// </summary>
    public static async Task<double[]> ForwardingHopsAsync(int maxServices, int requests, int seed)
    {
        Guard.InRange(maxServices, 2, 9);
        Guard.InRange(requests, 10, 10_000);
        var medians = new List<double>();
        for (int n = 2; n <= maxServices; n++)
        {
            await using var chain = await ServiceChain.StartAsync(
                Enumerable.Repeat(CallPolicy.None, n - 1).ToArray(), seed + n);
            await chain.DriveAsync(20);
            var answers = await chain.DriveAsync(requests);
            Guard.That(answers.All(a => a.Status == 200), "a healthy chain answers", nameof(requests));
            medians.Add(Notebook.Stats.Percentile(answers.Select(a => a.Ms).ToArray(), 0.5));
        }
        return medians.ToArray();
    }

    /// <summary>
    /// A real cascade: every service has <paramref name="workers"/> workers; C takes
    /// <paramref name="slowMs"/> per request. Clients send <paramref name="requests"/> checkouts (A → B → C)
    /// and as many "/local" requests that A answers alone, <paramref name="concurrency"/> at a time each.
    /// Protected: B → C has a timeout, Polly's breaker and a fallback. Returns both kinds' answers.
    /// </summary>
    public static async Task<(ChainRun Checkout, ChainRun Local)> CascadeAsync(bool protectedCalls,
        int workers, int slowMs, int requests, int concurrency, int seed)
    {
        Guard.InRange(workers, 1, 1_000);
        Guard.InRange(slowMs, 1, 10_000);
        Guard.InRange(requests, 1, 10_000);
        Guard.InRange(concurrency, 1, 256);
        var bToC = protectedCalls
            ? new CallPolicy(TimeoutMs: Math.Max(10, slowMs / 10), Fallback: true,
                Breaker: new BreakerOptions(0.5, 5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)))
            : CallPolicy.None;
        await using var chain = await ServiceChain.StartAsync(new[] { CallPolicy.None, bToC }, seed,
            workers: workers);
        chain.Faults(2).DelayMs = slowMs;
        async Task<ChainAnswer[]> Drive(string path)
        {
            var answers = new ChainAnswer[requests];
            int next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                int k;
                while ((k = Interlocked.Increment(ref next)) < requests) answers[k] = await chain.CallAsync(path);
            }));
            return answers;
        }
        var checkout = Drive("/");
        await Task.Delay(Math.Min(slowMs, 50));   // let the checkouts take A's workers first
        var local = await Drive("/local");
        var c = await checkout;
        return (ChainRun.From("checkout", c, chain.Received), ChainRun.From("local", local, chain.Received));
    }
}

/// <summary>A tail-latency run: the share of requests slower than the threshold, C's load, and the share
/// of answers that came from C's slow path (what hedging removes; immune to CPU noise).</summary>
public sealed record TailRun(ChainRun Run, double ShareOverThreshold, double CallsToCPerRequest,
    double SlowAnswerShare);
