namespace SystemDesign.Locking;

/// <summary>
/// The back-of-the-envelope model of lock waits and deadlocks from Gray, Homan, Korth and Obermarck, "A Straw
/// Man Analysis of the Probability of Waiting and Deadlock in a Database System" (IBM Research, 1981), in the
/// form Gray, Helland, O'Neil and Shasha restate it ("The Dangers of Replication and a Solution", SIGMOD 1996).
/// A transaction makes <c>r</c> exclusive lock requests on rows drawn uniformly from <c>R</c>; while it runs,
/// each of the other concurrent transactions holds r/2 locks on average. So one request conflicts with
/// probability (others·r/2)/R, the transaction waits at least once with probability
/// PW ≈ others·r²/(2R), and it deadlocks when a transaction it waits for in turn waits for it:
/// PD ≈ PW²/others. Gray writes n (the number of concurrent transactions) for "others" because he has many;
/// with a handful, the count of the *other* transactions, n − 1, is the one the argument uses.
/// The approximations are first order: they hold while PW ≪ 1 (few waits, cycles of length 2 dominate).
/// <para>The straw man gets the scaling (n, r⁴, 1/R²) but not the constant: it lets the waited-for transaction
/// make all r requests against all r of the waiter's rows. When T starts to wait it holds (r − 1)/2 rows on
/// average, and the transaction it waits for, picked in proportion to the rows it holds, has (r − 1)/3
/// requests left, so that one waits for T with probability (r − 1)²/(6R): <see cref="RefinedDeadlockProbability"/>.</para>
/// </summary>
public static class DeadlockModel
{
    /// <summary>1 − (1 − (n − 1)·r/(2R))^r: the wait probability before its first-order expansion.</summary>
    public static double WaitProbabilityExact(int concurrency, int rowsTouched, int tableRows)
    {
        Validate(concurrency, rowsTouched, tableRows);
        double perRequest = Math.Min(1, (concurrency - 1) * rowsTouched / (2.0 * tableRows));
        return 1 - Math.Pow(1 - perRequest, rowsTouched);
    }

    /// <summary>PW·(r − 1)²/(6R), PW from <see cref="WaitProbabilityExact"/>: the straw man with the rows actually held and requested while T waits.</summary>
    public static double RefinedDeadlockProbability(int concurrency, int rowsTouched, int tableRows)
    {
        double pw = WaitProbabilityExact(concurrency, rowsTouched, tableRows);
        return pw * (rowsTouched - 1) * (rowsTouched - 1) / (6.0 * tableRows);
    }

    /// <summary>
    /// Runs the lock manager (detection, random order, exclusive locks) at each transaction size and puts the
    /// measured wait and deadlock rates beside the model's.
    /// </summary>
    public static IReadOnlyList<DeadlockModelPoint> Compare(int concurrency, IReadOnlyList<int> rowsTouched, int tableRows,
        int transactions, int seed)
    {
        Guard.NotEmpty(rowsTouched);
        Guard.InRange(transactions, 1, 1_000_000);
        return rowsTouched.Select(r =>
        {
            Validate(concurrency, r, tableRows);
            var run = LockSimulation.Run(new LockWorkload(transactions, concurrency, r, tableRows), DeadlockPolicy.Detect, seed);
            return new DeadlockModelPoint(concurrency, r, tableRows, run.Attempts, run.WaitRate,
                WaitProbability(concurrency, r, tableRows), WaitProbabilityExact(concurrency, r, tableRows),
                run.Deadlocks, run.DeadlockRate, DeadlockProbability(concurrency, r, tableRows),
                RefinedDeadlockProbability(concurrency, r, tableRows));
        }).ToList();
    }

    /// <summary>PW ≈ (n − 1)·r²/(2R): probability that a transaction waits for a lock at least once.</summary>
    public static double WaitProbability(int concurrency, int rowsTouched, int tableRows)
    {
        Validate(concurrency, rowsTouched, tableRows);
        return (concurrency - 1) * (double)rowsTouched * rowsTouched / (2.0 * tableRows);
    }

    /// <summary>PD ≈ PW²/(n − 1) = (n − 1)·r⁴/(4R²): probability that a transaction deadlocks.</summary>
    public static double DeadlockProbability(int concurrency, int rowsTouched, int tableRows)
    {
        double pw = WaitProbability(concurrency, rowsTouched, tableRows);
        return concurrency == 1 ? 0 : pw * pw / (concurrency - 1);
    }

    private static void Validate(int concurrency, int rowsTouched, int tableRows)
    {
        Guard.InRange(concurrency, 1, 1000, nameof(concurrency));
        Guard.InRange(tableRows, 1, 10_000_000, nameof(tableRows));
        Guard.InRange(rowsTouched, 1, tableRows, nameof(rowsTouched));
    }
}

/// <summary>One point of <see cref="DeadlockModel.Compare"/>: the simulation's rates beside the model's.</summary>
public sealed record DeadlockModelPoint(int Concurrency, int RowsTouched, int TableRows, int Attempts, double WaitRate,
    double WaitModel, double WaitModelExact, int Deadlocks, double DeadlockRate, double StrawMan, double Refined);
