namespace SystemDesign.Locking;

/// <summary>One lock a transaction takes: a row and a mode.</summary>
public readonly record struct LockOp(int Row, LockMode Mode)
{
    public override string ToString() => $"{(Mode == LockMode.Exclusive ? "X" : "S")}-lock row {Row}";
}

/// <summary>A transaction's plan: the locks it takes, in order, before it commits. Timestamp = age (smaller is older).</summary>
public sealed record TxnPlan(int Id, long Timestamp, IReadOnlyList<LockOp> Ops);

/// <summary>
/// A closed-system workload: <paramref name="Concurrency"/> transactions run at once until
/// <paramref name="Transactions"/> have committed; each locks <paramref name="RowsTouched"/> distinct rows drawn
/// uniformly from <paramref name="TableRows"/>, in random order, or ascending when <paramref name="GlobalOrder"/>
/// is set. A lock is shared with probability <paramref name="SharedFraction"/>, exclusive otherwise.
/// </summary>
public sealed record LockWorkload(int Transactions, int Concurrency, int RowsTouched, int TableRows, bool GlobalOrder = false, double SharedFraction = 0)
{
    internal void Validate()
    {
        Guard.InRange(Transactions, 1, 1_000_000, nameof(Transactions));
        Guard.InRange(Concurrency, 1, 1000, nameof(Concurrency));
        Guard.InRange(TableRows, 1, 10_000_000, nameof(TableRows));
        Guard.InRange(RowsTouched, 1, TableRows, nameof(RowsTouched));
        Guard.InRange(SharedFraction, 0, 1, nameof(SharedFraction));
    }
}

/// <summary>What a simulated run did.</summary>
/// <param name="Attempts">transaction starts, restarts included.</param>
/// <param name="Deadlocks">cycles found by detection (0 under the timestamp policies, which never let one form).</param>
/// <param name="Aborts">every abort: deadlock victims, wait-die deaths, wound-wait wounds.</param>
/// <param name="CyclesSeen">under wait-die and wound-wait, steps after which the wait-for graph held a cycle (checked after every new wait): always 0 unless the scheme is broken. Not counted under detection, which searches from every new waiter as it waits.</param>
/// <param name="Steps">scheduler steps (one lock request or commit each).</param>
/// <param name="AttemptsThatWaited">transaction attempts that hit a lock conflict at least once (waited, or were aborted at the conflicting request).</param>
public sealed record SimulationResult(LockWorkload Workload, DeadlockPolicy Policy, int Committed, int Attempts, int Deadlocks, int Aborts,
    int CyclesSeen, long Steps, IReadOnlyList<AbortRecord> AbortRecords, int AttemptsThatWaited = 0)
{
    /// <summary>Fraction of transaction attempts that hit a lock conflict at least once (Gray's P(wait)).</summary>
    public double WaitRate => Attempts == 0 ? 0 : (double)AttemptsThatWaited / Attempts;

    /// <summary>Fraction of transaction attempts that were deadlock victims.</summary>
    public double DeadlockRate => Attempts == 0 ? 0 : (double)Deadlocks / Attempts;

    /// <summary>Fraction of transaction attempts that were aborted, for any reason.</summary>
    public double AbortRate => Attempts == 0 ? 0 : (double)Aborts / Attempts;
}

/// <summary>One line of a scripted run's log.</summary>
public sealed record LockEvent(int Step, string Txn, string Action, string Outcome);

/// <summary>A scripted run: the log, the wait-for graph at its fullest (at detection time when a deadlock was found), and who finished how.</summary>
public sealed record ScriptResult(IReadOnlyList<LockEvent> Events, IReadOnlyList<int> Transactions, IReadOnlyList<WaitEdge> Graph,
    IReadOnlyList<int>? Cycle, IReadOnlyList<int> Committed, IReadOnlyList<AbortRecord> Aborts);

/// <summary>
/// Drives a <see cref="LockManager"/> with a deterministic scheduler: at every step one runnable transaction
/// (not waiting, not backing off) issues its next lock request or commits. Random workloads use a seeded
/// <see cref="Random"/>; scripts use a fixed turn order. Time is the step counter, never the wall clock.
/// </summary>
public static class LockSimulation
{
    private sealed class Progress(TxnPlan plan)
    {
        public TxnPlan Plan { get; } = plan;
        public int Next { get; set; }
        public bool Waiting { get; set; }
        public long ReadyAt { get; set; }
        public bool WaitedThisAttempt { get; set; }
        public bool Done => Next == Plan.Ops.Count;
    }

    /// <summary>Runs a random workload to completion. Aborted transactions restart with the same timestamp (so they age and cannot starve) after a random back-off of 1..Concurrency steps.</summary>
    public static SimulationResult Run(LockWorkload workload, DeadlockPolicy policy, int seed, VictimRule victimRule = VictimRule.Requester)
    {
        Guard.NotNull(workload);
        workload.Validate();
        var rng = new Random(seed);
        var lm = new LockManager(policy, victimRule);
        var active = new List<Progress>();
        var byId = new Dictionary<int, Progress>();
        int started = 0, committed = 0, attempts = 0, cyclesSeen = 0, waitedAttempts = 0;
        long step = 0, maxSteps = 1000L * workload.Transactions * (workload.RowsTouched + 1);
        int[] rows = Enumerable.Range(0, workload.TableRows).ToArray();

        while (committed < workload.Transactions)
        {
            while (active.Count < workload.Concurrency && started < workload.Transactions)
            {
                var run = new Progress(NewPlan(started, started, workload, rng, rows));
                started++;
                active.Add(run);
                byId[run.Plan.Id] = run;
                lm.Begin(run.Plan.Id, run.Plan.Timestamp);
                attempts++;
            }
            var runnable = active.Where(r => !r.Waiting && r.ReadyAt <= step).ToList();
            if (runnable.Count == 0)
            {
                var backingOff = active.Where(r => !r.Waiting).ToList();
                if (backingOff.Count == 0)
                    throw new InvalidOperationException($"stuck at step {step}: every active transaction waits (cycle {Show(lm.FindAnyCycle())})");
                step = backingOff.Min(r => r.ReadyAt);
                continue;
            }
            var pick = runnable[rng.Next(runnable.Count)];
            bool waited = false;
            if (pick.Done)
            {
                Wake(lm.Commit(pick.Plan.Id), byId);
                committed++;
                active.Remove(pick);
                byId.Remove(pick.Plan.Id);
            }
            else
            {
                var op = pick.Plan.Ops[pick.Next];
                var result = lm.Request(pick.Plan.Id, op.Row, op.Mode);
                if (result.Outcome == LockOutcome.Granted) pick.Next++;
                else if (result.Outcome == LockOutcome.Waiting) pick.Waiting = waited = true;
                // A conflict: the request waits, or (closing a cycle, dying under wait-die) is aborted at once.
                if (result.Outcome != LockOutcome.Granted && !pick.WaitedThisAttempt)
                {
                    waitedAttempts++;
                    pick.WaitedThisAttempt = true;
                }
                Wake(result.Woken, byId);
                foreach (int a in result.Aborted)
                {
                    var r = byId[a];
                    r.Next = 0;
                    r.Waiting = false;
                    r.WaitedThisAttempt = false;
                    r.ReadyAt = step + 1 + rng.Next(workload.Concurrency);
                    lm.Begin(a, r.Plan.Timestamp);
                    attempts++;
                }
            }
            // Invariant of the timestamp policies: no cycle ever forms. Only a new wait adds an edge (the queue
            // is strict FIFO, so a waiter's set of blockers can only shrink), so checking after those steps checks
            // every state. (Detection searches from every new waiter inside Request already.)
            if (waited && policy != DeadlockPolicy.Detect && lm.FindAnyCycle() is not null) cyclesSeen++;
            if (++step > maxSteps) throw new InvalidOperationException($"no progress after {maxSteps} steps ({committed} committed)");
        }
        return new SimulationResult(workload, policy, committed, attempts, lm.DeadlocksDetected, lm.Aborts.Count, cyclesSeen, step, lm.Aborts.ToList(),
            waitedAttempts);
    }

    /// <summary>
    /// Runs scripted transactions: the first moves follow <paramref name="turns"/> (transaction ids; a turn of a
    /// waiting or finished transaction is skipped), then runnable transactions move in id order until all have
    /// committed or aborted. Aborted transactions do not restart, so the log shows the victim plainly.
    /// </summary>
    public static ScriptResult Script(IReadOnlyList<TxnPlan> plans, IReadOnlyList<int> turns, DeadlockPolicy policy = DeadlockPolicy.Detect,
        VictimRule victimRule = VictimRule.Requester)
    {
        Guard.NotEmpty(plans);
        Guard.NotNull(turns);
        Guard.That(plans.Select(p => p.Id).Distinct().Count() == plans.Count, "transaction ids must be distinct", nameof(plans));
        Guard.That(turns.All(t => plans.Any(p => p.Id == t)), "every turn must name a planned transaction", nameof(turns));
        var lm = new LockManager(policy, victimRule);
        var runs = plans.ToDictionary(p => p.Id, p => new Progress(p));
        foreach (var p in plans) lm.Begin(p.Id, p.Timestamp);
        var events = new List<LockEvent>();
        var committed = new List<int>();
        IReadOnlyList<WaitEdge> fullest = [];
        int step = 0, turn = 0;

        while (runs.Count > 0)
        {
            Progress? pick = null;
            while (turn < turns.Count && pick is null)
            {
                int id = turns[turn++];
                if (runs.TryGetValue(id, out var r) && !r.Waiting) pick = r;
            }
            pick ??= runs.Values.Where(r => !r.Waiting).OrderBy(r => r.Plan.Id).FirstOrDefault()
                     ?? throw new InvalidOperationException($"stuck: every transaction waits (cycle {Show(lm.FindAnyCycle())})");
            step++;
            string name = Name(pick.Plan.Id);
            if (pick.Done)
            {
                var woken = lm.Commit(pick.Plan.Id);
                runs.Remove(pick.Plan.Id);
                committed.Add(pick.Plan.Id);
                events.Add(new LockEvent(step, name, "commit", Woke(woken)));
                Wake(woken, runs);
                continue;
            }
            var op = pick.Plan.Ops[pick.Next];
            var result = lm.Request(pick.Plan.Id, op.Row, op.Mode);
            var edges = result.Cycle is not null && lm.LastDeadlock is { } d ? d.Edges : lm.Edges();
            if (edges.Count > fullest.Count || result.Cycle is not null) fullest = edges;
            if (result.Outcome == LockOutcome.Granted) pick.Next++;
            else if (result.Outcome == LockOutcome.Waiting) pick.Waiting = true;
            events.Add(new LockEvent(step, name, op.ToString(), Describe(result, pick.Plan.Id, edges, lm.Aborts)));
            Wake(result.Woken, runs);
            foreach (int a in result.Aborted) runs.Remove(a);
        }
        var cycle = lm.Aborts.LastOrDefault(a => a.Cycle is not null)?.Cycle;
        if (cycle is not null && lm.LastDeadlock is { } last) fullest = last.Edges;
        return new ScriptResult(events, plans.Select(p => p.Id).ToList(), fullest, cycle, committed, lm.Aborts.ToList());
    }

    /// <summary>
    /// The classic ring: transaction i locks row r(i) and then row r(i+1), rows 5, 7, 9, … and the last wraps
    /// to the first, so with two transactions T1 locks 5 then 7 and T2 locks 7 then 5. Turns: every first lock,
    /// then every second lock, so the last request closes the cycle. With <paramref name="ordered"/> each
    /// transaction takes its two rows in ascending order instead: the same rows, no cycle possible.
    /// </summary>
    public static IReadOnlyList<TxnPlan> Ring(int transactions, bool ordered = false)
    {
        Guard.InRange(transactions, 2, 26);
        int RowOf(int i) => 5 + 2 * (i % transactions);
        return Enumerable.Range(0, transactions).Select(i =>
        {
            int a = RowOf(i), b = RowOf(i + 1);
            var ops = ordered && b < a ? new[] { b, a } : new[] { a, b };
            return new TxnPlan(i + 1, i + 1, ops.Select(r => new LockOp(r, LockMode.Exclusive)).ToArray());
        }).ToList();
    }

    /// <summary>Turn order for <see cref="Ring"/>: T1…Tn take their first lock, then T1…Tn ask for their second.</summary>
    public static IReadOnlyList<int> RingTurns(int transactions)
    {
        Guard.InRange(transactions, 2, 26);
        var ids = Enumerable.Range(1, transactions).ToList();
        return ids.Concat(ids).ToList();
    }

    /// <summary>"T1", "T2", …</summary>
    public static string Name(int txn) => $"T{txn}";

    private static TxnPlan NewPlan(int id, long timestamp, LockWorkload w, Random rng, int[] rows)
    {
        // Partial Fisher–Yates: the first RowsTouched entries become a uniform sample without replacement.
        for (int i = 0; i < w.RowsTouched; i++)
        {
            int j = i + rng.Next(rows.Length - i);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }
        var picked = rows.Take(w.RowsTouched).ToArray();
        if (w.GlobalOrder) Array.Sort(picked);
        var ops = picked.Select(r => new LockOp(r, rng.NextDouble() < w.SharedFraction ? LockMode.Shared : LockMode.Exclusive)).ToArray();
        return new TxnPlan(id, timestamp, ops);
    }

    private static void Wake(IReadOnlyList<int> woken, Dictionary<int, Progress> runs)
    {
        foreach (int w in woken)
            if (runs.TryGetValue(w, out var r))
            {
                r.Waiting = false;
                r.Next++;
            }
    }

    private static string Describe(LockResult result, int requester, IReadOnlyList<WaitEdge> edges, IReadOnlyList<AbortRecord> aborts)
    {
        var parts = new List<string>();
        if (result.Cycle is not null) parts.Add($"deadlock: cycle {Show(result.Cycle)}");
        foreach (var a in aborts.TakeLast(result.Aborted.Count))
            parts.Add(a.Policy switch
            {
                DeadlockPolicy.WaitDie => $"{Name(a.Victim)} dies (younger than {Name(a.Other)})",
                DeadlockPolicy.WoundWait => $"{Name(a.Other)} wounds {Name(a.Victim)} (younger): {Name(a.Victim)} aborted",
                _ => $"{Name(a.Victim)} aborted",
            });
        if (result.Outcome == LockOutcome.Granted) parts.Add("granted");
        if (result.Outcome == LockOutcome.Waiting)
            parts.Add("waits for " + string.Join(", ", edges.Where(e => e.Waiter == requester).Select(e => Name(e.Blocker)).Distinct()));
        if (result.Woken.Count > 0) parts.Add(Woke(result.Woken));
        return string.Join("; ", parts);
    }

    private static string Woke(IReadOnlyList<int> woken) => woken.Count == 0 ? "" : "granted to " + string.Join(", ", woken.Select(Name));

    private static string Show(IReadOnlyList<int>? cycle) => cycle is null ? "none" : string.Join("→", cycle.Select(Name));
}
