using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SystemDesign.DistributedTransactions;

/// <summary>An event as stored: append-only, per account a version 1, 2, 3, …; the payload is JSON whose shape
/// depends on <see cref="Schema"/> (v1: amount in dollars as a decimal string; v2: integer cents + currency).</summary>
public sealed record StoredEvent(long Position, string Account, long Version, string Type, int Schema, string Json);

/// <summary>A ledger event after upcasting: the only shape the domain code knows.</summary>
public sealed record LedgerEvent(string Account, long Version, string Type, long Cents);

/// <summary>The state of one account rebuilt from events, and how many events it took.</summary>
public sealed record AccountState(string Account, long Version, long BalanceCents, int EventsApplied, bool FromSnapshot);

/// <summary>
/// An event-sourced ledger. Commands (deposit, withdraw) load the account by replaying its events (from the
/// latest snapshot when snapshots are on), decide, and append one event; a withdrawal larger than the balance
/// is refused. Old events may be stored in schema v1 and are upcast to v2 on read; <see cref="NaiveRead"/> reads
/// every event as v2 (what a consumer without an upcaster does).
/// </summary>
public sealed class EventStore
{
    private readonly List<StoredEvent> _log = new();
    private readonly Dictionary<string, List<int>> _byAccount = new();
    private readonly Dictionary<string, (long Version, long Balance)> _snapshots = new();

    /// <param name="snapshotEvery">take a snapshot each time an account's version is a multiple of this; 0 = never</param>
    public EventStore(int snapshotEvery = 0) => SnapshotEvery = Guard.InRange(snapshotEvery, 0, 1_000_000);

    public int SnapshotEvery { get; }
    public IReadOnlyList<StoredEvent> Log => _log;
    /// <summary>Events applied by every load so far (the replay cost).</summary>
    public long EventsReplayed { get; private set; }

    /// <summary>Appends with schema 2, or, for <paramref name="legacy"/>, as an old service wrote it (v1).</summary>
    public bool Deposit(string account, long cents, bool legacy = false) => Command(account, "Deposited", cents, legacy);
    public bool Withdraw(string account, long cents, bool legacy = false) => Command(account, "Withdrawn", cents, legacy);

    private bool Command(string account, string type, long cents, bool legacy)
    {
        Guard.NotEmpty(account);
        Guard.InRange(cents, 1, 1_000_000_000_00L);
        var state = Load(account);
        if (type == "Withdrawn" && state.BalanceCents < cents) return false;
        long version = state.Version + 1;
        string json = legacy
            ? new JsonObject { ["amount"] = (cents / 100m).ToString("0.00", CultureInfo.InvariantCulture) }.ToJsonString()
            : new JsonObject { ["cents"] = cents, ["currency"] = "EUR" }.ToJsonString();
        _log.Add(new StoredEvent(_log.Count, account, version, type, legacy ? 1 : 2, json));
        if (!_byAccount.TryGetValue(account, out var list)) _byAccount[account] = list = new List<int>();
        list.Add(_log.Count - 1);
        long balance = state.BalanceCents + (type == "Deposited" ? cents : -cents);
        if (SnapshotEvery > 0 && version % SnapshotEvery == 0) _snapshots[account] = (version, balance);
        return true;
    }

    /// <summary>Rebuilds an account: from its latest snapshot (if any) plus the events after it.</summary>
    public AccountState Load(string account, bool useSnapshot = true)
    {
        Guard.NotEmpty(account);
        long version = 0, balance = 0;
        bool fromSnapshot = false;
        if (useSnapshot && _snapshots.TryGetValue(account, out var snap)) { (version, balance) = snap; fromSnapshot = true; }
        int applied = 0;
        if (_byAccount.TryGetValue(account, out var positions))
            for (int i = (int)version; i < positions.Count; i++)
            {
                var e = Upcast(_log[positions[i]]);
                balance += e.Type == "Deposited" ? e.Cents : -e.Cents;
                version = e.Version;
                applied++;
            }
        EventsReplayed += applied;
        return new AccountState(account, version, balance, applied, fromSnapshot);
    }

    /// <summary>Every account's balance by a full replay of the log, with the upcaster or naively.</summary>
    public IReadOnlyDictionary<string, long> ReplayAll(bool upcast = true)
    {
        var balances = new Dictionary<string, long>();
        foreach (var s in _log)
        {
            var e = upcast ? Upcast(s) : NaiveRead(s);
            balances[e.Account] = balances.GetValueOrDefault(e.Account) + (e.Type == "Deposited" ? e.Cents : -e.Cents);
        }
        return balances;
    }

    /// <summary>v1 → v2: "amount" (dollars, decimal string) becomes "cents" (integer), currency EUR.</summary>
    public static LedgerEvent Upcast(StoredEvent e)
    {
        Guard.NotNull(e);
        var node = JsonNode.Parse(e.Json)!.AsObject();
        long cents = e.Schema switch
        {
            1 => (long)Math.Round(decimal.Parse((string)node["amount"]!, CultureInfo.InvariantCulture) * 100m),
            2 => (long)node["cents"]!,
            _ => throw new ArgumentException($"unknown schema {e.Schema}", nameof(e)),
        };
        return new LedgerEvent(e.Account, e.Version, e.Type, cents);
    }

    /// <summary>Reads every event as v2: a v1 event has no "cents", so it counts as 0.</summary>
    public static LedgerEvent NaiveRead(StoredEvent e)
    {
        Guard.NotNull(e);
        var node = JsonNode.Parse(e.Json)!.AsObject();
        return new LedgerEvent(e.Account, e.Version, e.Type, node["cents"] is { } c ? (long)c : 0);
    }
}

/// <summary>A replay-cost measurement for one snapshot interval.</summary>
public sealed record SnapshotCost(int SnapshotEvery, int Commands, double MeanEventsPerLoad, double ReplayMicros);

/// <summary>The ledger driven by a seeded workload, beside a CRUD table in SQLite that gets the same commands.</summary>
public static class Ledger
{
    /// <summary>Runs <paramref name="commands"/> random deposits/withdrawals over <paramref name="accounts"/> accounts;
    /// a share <paramref name="legacyShare"/> of the first half is written in schema v1 (an old service version).</summary>
    public static EventStore Drive(EventStore store, int accounts, int commands, double legacyShare, int seed,
        Microsoft.Data.Sqlite.SqliteConnection? crud = null)
    {
        Guard.NotNull(store);
        Guard.InRange(accounts, 1, 100_000);
        Guard.InRange(commands, 1, 1_000_000);
        Guard.InRange(legacyShare, 0, 1);
        var rng = new Random(seed);
        if (crud is not null)
            Sql(crud, "DROP TABLE IF EXISTS nb15_accounts; CREATE TABLE nb15_accounts (id TEXT PRIMARY KEY, cents INTEGER NOT NULL)");
        using var tx = crud?.BeginTransaction();
        for (int i = 0; i < commands; i++)
        {
            string account = $"acc-{rng.Next(accounts)}";
            long cents = rng.Next(1, 50_000);
            bool legacy = i < commands / 2 && rng.NextDouble() < legacyShare;
            bool deposit = rng.NextDouble() < 0.55;
            bool ok = deposit ? store.Deposit(account, cents, legacy) : store.Withdraw(account, cents, legacy);
            if (crud is not null && ok)
                Sql(crud, $"INSERT INTO nb15_accounts VALUES ('{account}', {(deposit ? cents : -cents)}) " +
                          $"ON CONFLICT(id) DO UPDATE SET cents = cents + excluded.cents");
        }
        tx?.Commit();
        return store;
    }

    /// <summary>The CRUD table's balances.</summary>
    public static IReadOnlyDictionary<string, long> CrudBalances(Microsoft.Data.Sqlite.SqliteConnection crud)
    {
        Guard.NotNull(crud);
        var result = new Dictionary<string, long>();
        using var cmd = crud.CreateCommand();
        cmd.CommandText = "SELECT id, cents FROM nb15_accounts";
        using var r = cmd.ExecuteReader();
        while (r.Read()) result[r.GetString(0)] = r.GetInt64(1);
        return result;
    }

    /// <summary>For each interval: replays every account once from its snapshot and reports the mean events
    /// applied per load and the wall time of those loads (µs per load).</summary>
    public static IReadOnlyList<SnapshotCost> SnapshotSweep(IReadOnlyList<int> intervals, int accounts, int commands, int seed)
    {
        Guard.NotNull(intervals);
        Guard.NotEmpty(intervals);
        var rows = new List<SnapshotCost>();
        foreach (int k in intervals)
        {
            // k = 0 (no snapshots): the commands still write through a snapshotting store (cheap to drive),
            // and the measured loads ignore the snapshots, replaying each account's whole history
            Guard.InRange(k, 0, 1_000_000, nameof(intervals));
            var store = Drive(new EventStore(k > 0 ? k : 16), accounts, commands, 0, seed);
            long before = store.EventsReplayed;
            var w = System.Diagnostics.Stopwatch.StartNew();
            for (int a = 0; a < accounts; a++) store.Load($"acc-{a}", useSnapshot: k > 0);
            w.Stop();
            rows.Add(new SnapshotCost(k, commands, (store.EventsReplayed - before) / (double)accounts,
                w.Elapsed.TotalMilliseconds * 1000 / accounts));
        }
        return rows;
    }

    private static void Sql(Microsoft.Data.Sqlite.SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}

/// <summary>How a CQRS read model kept up: per event, the delay from append to being visible in the projection.</summary>
public sealed record ProjectionLag(double ArrivalsPerSecond, int Events, double MeanLagMs, double P99LagMs, double LastLagMs,
    double CapacityPerSecond);

/// <summary>
/// A polling projector: events are appended at Poisson times (rate λ); every <c>pollMs</c> the projector reads up
/// to <c>batch</c> unprocessed events, in log order, and applies them to the read model. The lag of an event is
/// the time from its append to the poll that applied it. Under capacity (λ &lt; batch/poll) an event waits for
/// the next poll, on average poll/2; above it the backlog and the lag grow without bound.
/// </summary>
public static class Projection
{
    public static ProjectionLag Simulate(double arrivalsPerSecond, double pollMs, int batch, int events, int seed)
    {
        Guard.Positive(arrivalsPerSecond);
        Guard.Positive(pollMs);
        Guard.InRange(batch, 1, 1_000_000);
        Guard.InRange(events, 1, 10_000_000);
        var rng = new Random(seed);
        var arrivals = new double[events];
        double t = 0;
        for (int i = 0; i < events; i++) { t += -1000.0 / arrivalsPerSecond * Math.Log(1 - rng.NextDouble()); arrivals[i] = t; }
        double phase = rng.NextDouble() * pollMs;   // the projector's poll grid is not aligned with the first event
        var lags = new double[events];
        int next = 0;
        for (double poll = phase; next < events; poll += pollMs)
        {
            int taken = 0;
            while (next < events && taken < batch && arrivals[next] <= poll) { lags[next] = poll - arrivals[next]; next++; taken++; }
        }
        var sorted = lags.OrderBy(x => x).ToArray();
        return new ProjectionLag(arrivalsPerSecond, events, lags.Average(), sorted[(int)Math.Min(events - 1, Math.Ceiling(0.99 * events) - 1)],
            lags[^1], batch * 1000.0 / pollMs);
    }
}
