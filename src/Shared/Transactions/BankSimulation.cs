using System.Runtime.CompilerServices;

namespace SystemDesign.Transactions;

public enum TransferStrategy
{
    /// <summary>Read both balances, think, write both back: no locks, no checks (the race the others prevent).</summary>
    NoControl,
    /// <summary>SELECT … FOR UPDATE on both accounts, lower id first, then check and write.</summary>
    PessimisticOrdered,
    /// <summary>The same locks taken in the order the transfer names them (from, then to): deadlocks possible.</summary>
    PessimisticUnordered,
    /// <summary>Read balance and version without locks; write only if both versions are unchanged, else retry.</summary>
    Optimistic,
}

/// <param name="Accounts">number of accounts: fewer accounts, more contention.</param>
/// <param name="Workers">concurrent clients, each running its transfers one after another.</param>
/// <param name="TransfersPerWorker">transfers each client completes (committed or declined).</param>
/// <param name="InitialBalance">every account's opening balance.</param>
/// <param name="MaxAmount">amounts are uniform in 1..MaxAmount.</param>
/// <param name="WorkTicks">ticks between reading and writing (application logic, a network round trip).</param>
/// <param name="Seed">seeds both the workload and the scheduler.</param>
public sealed record BankOptions(int Accounts, int Workers = 8, int TransfersPerWorker = 100, long InitialBalance = 100,
    int MaxAmount = 50, int WorkTicks = 2, int Seed = 1);

/// <summary>What a run of <see cref="BankSimulation"/> did.</summary>
public sealed record BankResult(TransferStrategy Strategy, int Accounts, int Workers, int Committed, int Declined, int Retries, int Deadlocks,
    long Ticks, long WaitTicks, long WastedTicks, long TotalBefore, long TotalAfter, long MinBalance, bool LedgerReconciles)
{
    /// <summary>Share of the clients' time spent waiting for locks or on attempts that were thrown away.</summary>
    public double LostFraction => (WaitTicks + WastedTicks) / ((double)Workers * Ticks);

    public int Completed => Committed + Declined;
    /// <summary>Completed transfers per 1000 ticks.</summary>
    public double Throughput => Completed * 1000.0 / Ticks;
    public double RetriesPerTransfer => (double)Retries / Completed;
    /// <summary>Money was neither created nor destroyed.</summary>
    public bool Conserved => TotalBefore == TotalAfter;
}

/// <summary>
/// Concurrent money transfers on a deterministic scheduler with a virtual clock: every tick each client, in a
/// seeded random order, performs one step (take a lock, read a row, think, write). A step that needs a lock
/// held by another client waits. With unordered locking, a wait-for cycle is a deadlock: like PostgreSQL's
/// detector, the scheduler rolls one transaction back (the youngest) and it retries. Every run checks the
/// ledger: each account's balance must equal its opening balance plus its credits minus its debits.
/// </summary>
public static class BankSimulation
{
    private sealed class Worker
    {
        public required Random Rng;
        public int Left;
        public int From, To;
        public long Amount;
        public int Phase;          // 0, 1: first and second account; 2: thinking; 3: write/commit
        public int Think;
        public long ReadFrom, ReadTo, VerFrom, VerTo;
        public long Started;       // tick the current attempt began (deadlock victim choice)
        public int WaitingFor = -1;
        public bool HasTransfer;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop; see MvccStore
    public static BankResult Run(BankOptions options, TransferStrategy strategy)
    {
        Guard.NotNull(options);
        Guard.InRange(options.Accounts, 2, 1_000_000, "Accounts");
        Guard.InRange(options.Workers, 1, 256, "Workers");
        Guard.InRange(options.TransfersPerWorker, 1, 100_000, "TransfersPerWorker");
        Guard.InRange(options.InitialBalance, 0, 1_000_000_000, "InitialBalance");
        Guard.InRange(options.MaxAmount, 1, 1_000_000_000, "MaxAmount");
        Guard.InRange(options.WorkTicks, 0, 1000, "WorkTicks");
        Guard.That(Enum.IsDefined(strategy), $"strategy must be one of {string.Join(", ", Enum.GetNames<TransferStrategy>())}.", nameof(strategy));

        int n = options.Accounts;
        var balance = Enumerable.Repeat(options.InitialBalance, n).ToArray();
        var version = new long[n];
        var owner = Enumerable.Repeat(-1, n).ToArray();
        var ledger = new long[n];
        long totalBefore = balance.Sum();
        var sched = new Random(options.Seed);
        var workers = Enumerable.Range(0, options.Workers)
            .Select(w => new Worker { Rng = new Random(unchecked(options.Seed * 7919 + w)), Left = options.TransfersPerWorker }).ToArray(); // HashCode.Combine would differ per process
        int committed = 0, declined = 0, retries = 0, deadlocks = 0;
        long tick = 0, waits = 0, wasted = 0, minBalance = options.InitialBalance;
        var order = Enumerable.Range(0, workers.Length).ToArray();
        bool pessimistic = strategy is TransferStrategy.PessimisticOrdered or TransferStrategy.PessimisticUnordered;

        while (workers.Any(w => w.Left > 0))
        {
            tick++;
            Guard.That(tick < 50_000_000, "the simulation did not finish: livelock?");
            sched.Shuffle(order);
            foreach (int id in order)
            {
                var w = workers[id];
                if (w.Left == 0) continue;
                if (!w.HasTransfer)
                {
                    w.From = w.Rng.Next(n);
                    do w.To = w.Rng.Next(n); while (w.To == w.From);
                    w.Amount = w.Rng.Next(1, options.MaxAmount + 1);
                    w.HasTransfer = true;
                    w.Phase = 0;
                    w.Started = tick;
                }
                int first = strategy == TransferStrategy.PessimisticOrdered ? Math.Min(w.From, w.To) : w.From;
                int second = first == w.From ? w.To : w.From;
                switch (w.Phase)
                {
                    case 0 or 1:
                        int account = w.Phase == 0 ? first : second;
                        if (pessimistic)
                        {
                            if (owner[account] != -1 && owner[account] != id) { w.WaitingFor = account; waits++; continue; }
                            owner[account] = id;
                            w.WaitingFor = -1;
                        }
                        if (account == w.From) { w.ReadFrom = balance[account]; w.VerFrom = version[account]; }
                        else { w.ReadTo = balance[account]; w.VerTo = version[account]; }
                        w.Phase++;
                        w.Think = options.WorkTicks;
                        if (w.Phase == 2 && w.Think == 0) w.Phase = 3;
                        break;
                    case 2:
                        if (--w.Think <= 0) w.Phase = 3;
                        break;
                    case 3:
                        if (strategy == TransferStrategy.Optimistic && (version[w.From] != w.VerFrom || version[w.To] != w.VerTo))
                        {
                            retries++;                      // UPDATE … WHERE version = @read matched 0 rows
                            wasted += tick - w.Started + 1;
                            w.Phase = 0;
                            w.Started = tick;
                            break;
                        }
                        if (w.ReadFrom >= w.Amount)
                        {
                            balance[w.From] = w.ReadFrom - w.Amount;   // pessimistic/optimistic: ReadFrom is current
                            balance[w.To] = w.ReadTo + w.Amount;       // no control: a blind write of stale values
                            version[w.From]++;
                            version[w.To]++;
                            ledger[w.From] -= w.Amount;
                            ledger[w.To] += w.Amount;
                            committed++;
                            minBalance = Math.Min(minBalance, Math.Min(balance[w.From], balance[w.To]));
                        }
                        else declined++;
                        if (pessimistic) { owner[first] = -1; owner[second] = -1; }
                        w.HasTransfer = false;
                        w.Left--;
                        break;
                }
            }
            if (strategy == TransferStrategy.PessimisticUnordered)
                deadlocks += BreakDeadlocks(workers, owner, tick, ref retries, ref wasted);
        }
        bool reconciles = Enumerable.Range(0, n).All(a => balance[a] == options.InitialBalance + ledger[a]);
        return new BankResult(strategy, n, workers.Length, committed, declined, retries, deadlocks, tick, waits, wasted, totalBefore, balance.Sum(),
            Math.Min(minBalance, balance.Min()), reconciles);
    }

    /// <summary>Finds wait-for cycles and rolls back the youngest transaction of each.</summary>
    private static int BreakDeadlocks(Worker[] workers, int[] owner, long tick, ref int retries, ref long wasted)
    {
        int found = 0;
        for (int start = 0; start < workers.Length; start++)
        {
            if (workers[start].WaitingFor < 0) continue;
            var path = new List<int>();
            int at = start;
            while (at >= 0 && workers[at].WaitingFor >= 0 && !path.Contains(at))
            {
                path.Add(at);
                at = owner[workers[at].WaitingFor];
            }
            if (at < 0 || !path.Contains(at)) continue;
            var cycle = path.Skip(path.IndexOf(at)).ToList();
            int victim = cycle.OrderByDescending(v => workers[v].Started).ThenByDescending(v => v).First();
            for (int a = 0; a < owner.Length; a++) if (owner[a] == victim) owner[a] = -1;
            var w = workers[victim];
            wasted += tick - w.Started + 1;
            w.WaitingFor = -1;
            w.Phase = 0;
            w.Started = tick;
            retries++;
            found++;
        }
        return found;
    }
}
