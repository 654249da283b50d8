using SystemDesign.Notebook;

namespace SystemDesign.Transactions;

/// <summary>Pessimistic (ordered locks) and optimistic runs of <see cref="BankSimulation"/> on the same seeds.</summary>
public sealed record SeedComparison(int Accounts, IReadOnlyList<BankResult> Pessimistic, IReadOnlyList<BankResult> Optimistic)
{
    public int Seeds => Pessimistic.Count;

    /// <summary>Per seed: how much less the optimistic design completed, 1 − throughput(opt)/throughput(pess).</summary>
    public double[] Gaps => Pessimistic.Zip(Optimistic, (p, o) => 1 - o.Throughput / p.Throughput).ToArray();

    /// <summary>Per seed: the gap predicted from client time lost to conflicts, lost(opt) − lost(pess).</summary>
    public double[] PredictedGaps => Pessimistic.Zip(Optimistic, (p, o) => o.LostFraction - p.LostFraction).ToArray();

    public double MeanGap => Gaps.Average();
    public double MeanPredictedGap => PredictedGaps.Average();

    /// <summary>Standard error of the mean of (gap − predicted gap) over the seeds.</summary>
    public double ResidualStdErr
    {
        get
        {
            var residual = Gaps.Zip(PredictedGaps, (g, e) => g - e).ToArray();
            return Stats.StdDev(residual) / Math.Sqrt(residual.Length);
        }
    }

    /// <summary>Per seed: throughput(opt)/throughput(pess) − 1, how much more the optimistic design completed.</summary>
    public double[] Gains => Gaps.Select(g => -g).ToArray();
    public double MeanGain => Gains.Average();
    public double GainStdErr => Stats.StdDev(Gains) / Math.Sqrt(Seeds);
    public int OptimisticWins => Pessimistic.Zip(Optimistic, (p, o) => o.Throughput > p.Throughput).Count(w => w);

    public double MeanRetries => Optimistic.Average(o => o.RetriesPerTransfer);
    public double RetriesStdErr => Stats.StdDev(Optimistic.Select(o => o.RetriesPerTransfer).ToArray()) / Math.Sqrt(Seeds);
    public double MeanLostPessimistic => Pessimistic.Average(p => p.LostFraction);
    public double MeanLostOptimistic => Optimistic.Average(o => o.LostFraction);
}

public static class BankSeeds
{
    /// <summary>
    /// Runs <see cref="TransferStrategy.PessimisticOrdered"/> and <see cref="TransferStrategy.Optimistic"/> with
    /// <paramref name="accounts"/> accounts on seeds 1 … <paramref name="seeds"/> (other options default).
    /// </summary>
    public static SeedComparison Compare(int accounts, int seeds)
    {
        Guard.InRange(accounts, 2, 1_000_000);
        Guard.InRange(seeds, 2, 1000);
        var range = Enumerable.Range(1, seeds).ToList();
        return new SeedComparison(accounts,
            range.Select(s => BankSimulation.Run(new BankOptions(accounts, Seed: s), TransferStrategy.PessimisticOrdered)).ToList(),
            range.Select(s => BankSimulation.Run(new BankOptions(accounts, Seed: s), TransferStrategy.Optimistic)).ToList());
    }
}
