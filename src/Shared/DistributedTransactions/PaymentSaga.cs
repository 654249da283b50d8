namespace SystemDesign.DistributedTransactions;

/// <summary>How the orchestrator keys its retries.</summary>
public enum RetryKeys
{
    /// <summary>idempotency key = order id + step name, the same on every retry.</summary>
    SameKey,
    /// <summary>every attempt looks like a new request (no key): what a naive client does.</summary>
    FreshKeyPerAttempt,
}

/// <summary>What the orchestrator does with a step whose outcome stayed unknown (every attempt timed out).</summary>
public enum UnknownPolicy
{
    /// <summary>Before the pivot, compensate the unknown step too (its compensation is a keyed no-op when it
    /// never ran); the pivot and the steps after it are retried with the same key until they answer.</summary>
    PivotAware,
    /// <summary>The guide's rule: after the retries, compensate from the last *confirmed* step, whatever the
    /// step (the unknown one is left alone, even the charge capture).</summary>
    LastConfirmedOnly,
}

/// <summary>Faults of every call: the request is lost before it runs with probability <paramref name="RequestLoss"/>;
/// otherwise it runs and its answer takes an exponential time of mean <paramref name="MeanLatencyMs"/>, and the
/// caller gives up after <paramref name="TimeoutMs"/> (the work is done, the caller does not know).
/// Inventory and card authorisation decline with probability <paramref name="DeclineRate"/>.</summary>
public sealed record PaymentFaults(double RequestLoss, double MeanLatencyMs, double TimeoutMs, double DeclineRate)
{
    /// <summary>P(answer later than the timeout) = exp(−timeout/mean) for an exponential latency.</summary>
    public double LateProbability => Math.Exp(-TimeoutMs / MeanLatencyMs);
}

/// <summary>Totals over many orders of the payment saga, read from the services' own tables.</summary>
/// <param name="ChargedUnfulfilled">orders charged whose goods were never fulfilled</param>
/// <param name="DoubleCharged">orders charged more than once</param>
/// <param name="ExtraCharges">charges beyond the first, summed over orders</param>
/// <param name="LeakedHolds">orders not charged that still hold a reservation or a card authorisation</param>
/// <param name="CaptureAttempts">capture requests sent (every retry counts)</param>
public sealed record PaymentSagaResult(int Orders, RetryKeys Keys, UnknownPolicy Policy, int Completed, int Compensated,
    int ChargedUnfulfilled, int DoubleCharged, int ExtraCharges, int LeakedHolds, int OrdersCharged,
    long Requests, long CaptureAttempts, long CaptureCalls, double MeanSagaMs)
{
    /// <summary>No order is charged and unfulfilled, none is charged twice, none leaks a hold.</summary>
    public bool Consistent => ChargedUnfulfilled == 0 && DoubleCharged == 0 && LeakedHolds == 0;
}

/// <summary>
/// An orchestrated payment saga: ReserveInventory (compensation ReleaseInventory) → AuthorizeCard (VoidAuthorization)
/// → CaptureCharge (the pivot: once it has happened the saga only goes forward) → FulfillOrder (retriable: transient
/// failures only). Four services each keep their own table and their own idempotency store (key → stored answer);
/// calls suffer the <see cref="PaymentFaults"/>; a timed-out call is retried (up to <c>maxRetries</c> times before
/// the pivot, until it answers from the pivot on). Invariants are read from the services' tables afterwards.
/// </summary>
public static class PaymentSaga
{
    public const int PivotAttemptCap = 10_000;   // a safety stop; with p(late) ≤ 0.99 never reached in practice

    public static PaymentSagaResult Run(int orders, PaymentFaults faults, RetryKeys keys, UnknownPolicy policy,
        int maxRetries, int seed)
    {
        Guard.InRange(orders, 1, 1_000_000);
        Guard.NotNull(faults);
        Guard.InRange(faults.RequestLoss, 0, 0.9, nameof(faults));
        Guard.Positive(faults.MeanLatencyMs, nameof(faults));
        Guard.Positive(faults.TimeoutMs, nameof(faults));
        Guard.InRange(faults.DeclineRate, 0, 1, nameof(faults));
        Guard.That(faults.LateProbability <= 0.9, "the timeout must exceed the mean latency × ln 10", nameof(faults));
        Guard.InRange(maxRetries, 0, 100);
        var world = new World(new Random(seed), faults, keys);
        int completed = 0, compensated = 0;
        double sagaMs = 0;
        for (int o = 0; o < orders; o++)
        {
            world.Clock = 0;
            if (RunOrder(world, o, policy, maxRetries)) completed++; else compensated++;
            sagaMs += world.Clock;
        }
        int chargedUnfulfilled = 0, doubleCharged = 0, extra = 0, leaked = 0, charged = 0;
        for (int o = 0; o < orders; o++)
        {
            int c = world.Get(world.Charges, o);
            if (c > 0) charged++;
            if (c > 1) doubleCharged++;
            extra += Math.Max(0, c - 1);
            if (c > 0 && world.Get(world.Fulfilled, o) == 0) chargedUnfulfilled++;
            if (c == 0 && (world.Get(world.Reserved, o) > 0 || world.Get(world.Authorized, o) > 0)) leaked++;
        }
        return new PaymentSagaResult(orders, keys, policy, completed, compensated, chargedUnfulfilled, doubleCharged,
            extra, leaked, charged, world.Requests, world.CaptureAttempts, world.CaptureCalls, sagaMs / orders);
    }

    private enum Answer { Ok, Declined, Unknown }

    // true when the order completed (charged and fulfilled), false when it was compensated
    private static bool RunOrder(World w, int order, UnknownPolicy policy, int maxRetries)
    {
        var confirmed = new Stack<string>();
        foreach (var step in new[] { "reserve", "authorize" })
        {
            var a = w.Call(order, step, maxRetries);
            if (a == Answer.Ok) { confirmed.Push(step); continue; }
            if (a == Answer.Unknown && policy == UnknownPolicy.PivotAware) confirmed.Push(step);
            Compensate(w, order, confirmed);
            return false;
        }
        w.CaptureCalls++;
        var capture = w.Call(order, "capture", policy == UnknownPolicy.PivotAware ? PivotAttemptCap : maxRetries);
        if (capture != Answer.Ok)
        {
            Compensate(w, order, confirmed);   // the guide's rule: the unknown capture is not undone
            return false;
        }
        w.Call(order, "fulfill", PivotAttemptCap);  // retriable: the saga is past its pivot
        return true;
    }

    private static void Compensate(World w, int order, Stack<string> confirmed)
    {
        while (confirmed.Count > 0)
            w.Call(order, confirmed.Pop() == "reserve" ? "release" : "void", PivotAttemptCap);
    }

    private sealed class World(Random rng, PaymentFaults faults, RetryKeys keys)
    {
        public readonly Dictionary<int, int> Reserved = new(), Authorized = new(), Charges = new(), Fulfilled = new();
        private readonly Dictionary<string, Answer> _stored = new();
        public long Requests, CaptureAttempts, CaptureCalls;
        public double Clock;
        private long _fresh;

        public int Get(Dictionary<int, int> table, int order) => table.GetValueOrDefault(order);

        // Sends the step until it answers or the attempts run out; the key is the same on every retry
        // (order + step) unless the keys are fresh per attempt.
        public Answer Call(int order, string step, int retries)
        {
            for (int attempt = 0; attempt <= retries; attempt++)
            {
                Requests++;
                if (step == "capture") CaptureAttempts++;
                string key = keys == RetryKeys.SameKey ? $"{order}:{step}" : $"{order}:{step}:{_fresh++}";
                if (rng.NextDouble() < faults.RequestLoss) { Clock += faults.TimeoutMs; continue; }
                var answer = Execute(order, step, key);
                double latency = -faults.MeanLatencyMs * Math.Log(1 - rng.NextDouble());
                if (latency > faults.TimeoutMs) { Clock += faults.TimeoutMs; continue; }
                Clock += latency;
                return answer;
            }
            return Answer.Unknown;
        }

        // The service side: a key seen before returns the stored answer and changes nothing.
        private Answer Execute(int order, string step, string key)
        {
            if (_stored.TryGetValue(key, out var stored)) return stored;
            Answer a = Answer.Ok;
            switch (step)
            {
                case "reserve":
                    if (rng.NextDouble() < faults.DeclineRate) a = Answer.Declined;
                    else Add(Reserved, order, 1);
                    break;
                case "authorize":
                    if (rng.NextDouble() < faults.DeclineRate) a = Answer.Declined;
                    else Add(Authorized, order, 1);
                    break;
                case "capture": Add(Charges, order, 1); break;
                case "fulfill": Add(Fulfilled, order, 1); break;
                case "release": Reserved[order] = 0; break;        // a no-op when nothing was reserved
                case "void": Authorized[order] = 0; break;         // a no-op when nothing was authorised
            }
            _stored[key] = a;
            return a;
        }

        private static void Add(Dictionary<int, int> table, int order, int n) => table[order] = table.GetValueOrDefault(order) + n;
    }

    /// <summary>Extra charges per charged order, with and without keys, as the timeout varies (in units of the
    /// mean latency): one run of <paramref name="orders"/> orders per ratio and key mode.</summary>
    public static IReadOnlyList<(double TimeoutRatio, double SameKey, double FreshKeys)> ExtraChargeSweep(
        IReadOnlyList<double> timeoutRatios, int orders, int seed)
    {
        Guard.NotNull(timeoutRatios);
        Guard.NotEmpty(timeoutRatios);
        var rows = new List<(double, double, double)>();
        foreach (double ratio in timeoutRatios)
        {
            var f = new PaymentFaults(0.02, 100, 100 * Guard.InRange(ratio, 0.2, 20, nameof(timeoutRatios)), 0.05);
            var same = Run(orders, f, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, seed);
            var fresh = Run(orders, f, RetryKeys.FreshKeyPerAttempt, UnknownPolicy.PivotAware, 2, seed);
            rows.Add((ratio, (double)same.ExtraCharges / same.OrdersCharged, (double)fresh.ExtraCharges / fresh.OrdersCharged));
        }
        return rows;
    }

    /// <summary>The four designs (keys × unknown-step policy) over <paramref name="seeds"/> seeds of
    /// <paramref name="orders"/> orders each; one row per design with the totals.</summary>
    public static IReadOnlyList<PaymentSagaResult> Designs(PaymentFaults faults, int orders, int seeds, int maxRetries)
    {
        Guard.InRange(seeds, 1, 1000);
        var rows = new List<PaymentSagaResult>();
        foreach (var policy in new[] { UnknownPolicy.PivotAware, UnknownPolicy.LastConfirmedOnly })
            foreach (var keys in new[] { RetryKeys.SameKey, RetryKeys.FreshKeyPerAttempt })
            {
                var runs = Enumerable.Range(1, seeds).Select(s => Run(orders, faults, keys, policy, maxRetries, s)).ToList();
                rows.Add(new PaymentSagaResult(runs.Sum(r => r.Orders), keys, policy, runs.Sum(r => r.Completed),
                    runs.Sum(r => r.Compensated), runs.Sum(r => r.ChargedUnfulfilled), runs.Sum(r => r.DoubleCharged),
                    runs.Sum(r => r.ExtraCharges), runs.Sum(r => r.LeakedHolds), runs.Sum(r => r.OrdersCharged),
                    runs.Sum(r => r.Requests), runs.Sum(r => r.CaptureAttempts), runs.Sum(r => r.CaptureCalls),
                    runs.Average(r => r.MeanSagaMs)));
            }
        return rows;
    }
}
