namespace SystemDesign.Transactions;

public enum TransferOutcome { Applied, Declined }

/// <summary>A transfer's result as the client receives it; <see cref="Replayed"/> when it was answered from the key store.</summary>
public sealed record TransferReceipt(TransferOutcome Outcome, bool Replayed);

/// <summary>
/// Accounts whose transfer endpoint honours idempotency keys: the first request with a key is applied and its
/// result stored under the key in the same step (in a database: the same transaction, with a unique key);
/// a request repeating the key gets the stored result back and moves no money. A null key means the caller
/// sent none: every request is applied.
/// </summary>
public sealed class IdempotentLedger
{
    private readonly long[] _balance;
    private readonly Dictionary<string, TransferOutcome> _results = new();

    public IdempotentLedger(int accounts, long initialBalance)
    {
        Guard.InRange(accounts, 2, 1_000_000);
        Guard.InRange(initialBalance, 0, long.MaxValue / accounts);
        _balance = Enumerable.Repeat(initialBalance, accounts).ToArray();
    }

    public IReadOnlyList<long> Balances => _balance;
    public long Total => _balance.Sum();
    /// <summary>Transfers that moved money.</summary>
    public int Applied { get; private set; }
    public int Replayed { get; private set; }

    public TransferReceipt Transfer(string? idempotencyKey, int from, int to, long amount)
    {
        Guard.InRange(from, 0, _balance.Length - 1);
        Guard.InRange(to, 0, _balance.Length - 1);
        Guard.That(from != to, "from and to must differ.", nameof(to));
        Guard.InRange(amount, 1, long.MaxValue);
        if (idempotencyKey is not null)
        {
            Guard.NotEmpty(idempotencyKey);
            if (_results.TryGetValue(idempotencyKey, out var stored))
            {
                Replayed++;
                return new TransferReceipt(stored, true);
            }
        }
        var outcome = TransferOutcome.Declined;
        if (_balance[from] >= amount)
        {
            _balance[from] -= amount;
            _balance[to] += amount;
            Applied++;
            outcome = TransferOutcome.Applied;
        }
        if (idempotencyKey is not null) _results[idempotencyKey] = outcome;
        return new TransferReceipt(outcome, false);
    }
}

/// <summary>What <see cref="Idempotency.SimulateRetries"/> observed.</summary>
public sealed record RetryResult(int Transfers, bool UseKeys, double ResponseLoss, int Requests, int Applied, int Replayed,
    long MoneyMoved, long MoneyIntended, long TotalBefore, long TotalAfter);

public static class Idempotency
{
    /// <summary>
    /// A client makes <paramref name="transfers"/> transfers over a network that loses each response with
    /// probability <paramref name="responseLoss"/> after the server has processed the request. On a lost
    /// response the client cannot tell whether the transfer happened, so it retries, with the same key or,
    /// without keys, as a fresh request. Requests per transfer follow a geometric law: mean 1/(1 − p).
    /// </summary>
    public static RetryResult SimulateRetries(int transfers, double responseLoss, bool useKeys, int seed, int accounts = 100, long initialBalance = 1_000_000)
    {
        Guard.InRange(transfers, 1, 1_000_000);
        Guard.InRange(responseLoss, 0, 0.99);
        Guard.InRange(accounts, 2, 100_000);
        var rng = new Random(seed);
        var ledger = new IdempotentLedger(accounts, initialBalance);
        long before = ledger.Total, moved = 0, intended = 0;
        int requests = 0;
        for (int i = 0; i < transfers; i++)
        {
            int from = rng.Next(accounts), to;
            do to = rng.Next(accounts); while (to == from);
            long amount = rng.Next(1, 100);
            intended += amount;
            string key = $"transfer-{seed}-{i}";
            while (true)
            {
                requests++;
                long fromBefore = ledger.Balances[from];
                ledger.Transfer(useKeys ? key : null, from, to, amount);
                moved += fromBefore - ledger.Balances[from];
                if (rng.NextDouble() >= responseLoss) break; // the response arrived
            }
        }
        return new RetryResult(transfers, useKeys, responseLoss, requests, ledger.Applied, ledger.Replayed, moved, intended, before, ledger.Total);
    }
}
