using Microsoft.Data.Sqlite;
using SystemDesign.DistributedTransactions;

namespace SystemDesign.Tests.DistributedTransactions;

public class EventStoreExactTests
{
    [Fact]
    public void Commands_append_versioned_events_and_a_load_replays_them()
    {
        var store = new EventStore();
        Assert.True(store.Deposit("a", 1000));
        Assert.True(store.Withdraw("a", 300));
        Assert.True(store.Deposit("b", 5));
        Assert.Equal(new[]
        {
            new StoredEvent(0, "a", 1, "Deposited", 2, """{"cents":1000,"currency":"EUR"}"""),
            new StoredEvent(1, "a", 2, "Withdrawn", 2, """{"cents":300,"currency":"EUR"}"""),
            new StoredEvent(2, "b", 1, "Deposited", 2, """{"cents":5,"currency":"EUR"}"""),
        }, store.Log);
        Assert.Equal(new AccountState("a", 2, 700, 2, false), store.Load("a"));
        Assert.Equal(new AccountState("nobody", 0, 0, 0, false), store.Load("nobody"));
    }

    [Fact]
    public void A_withdrawal_of_the_whole_balance_is_accepted_and_one_cent_more_is_refused()
    {
        var store = new EventStore();
        store.Deposit("a", 500);
        Assert.False(store.Withdraw("a", 501));
        Assert.Single(store.Log);
        Assert.True(store.Withdraw("a", 500));
        Assert.Equal(0, store.Load("a").BalanceCents);
        Assert.False(new EventStore().Withdraw("empty", 1));
    }

    [Fact]
    public void A_legacy_command_writes_dollars_as_a_decimal_string_in_schema_1()
    {
        var store = new EventStore();
        store.Deposit("a", 1234, legacy: true);
        store.Withdraw("a", 5, legacy: true);
        Assert.Equal(new StoredEvent(0, "a", 1, "Deposited", 1, """{"amount":"12.34"}"""), store.Log[0]);
        Assert.Equal("""{"amount":"0.05"}""", store.Log[1].Json);
        store.Deposit("b", 100, legacy: true);
        store.Deposit("b", 1230, legacy: true);
        // always two decimals, as the old service wrote them
        Assert.Equal(new[] { """{"amount":"1.00"}""", """{"amount":"12.30"}""" }, store.Log.Skip(2).Select(e => e.Json));
        Assert.Equal(1330, store.Load("b").BalanceCents);
        Assert.Equal(1229, store.Load("a").BalanceCents);
        Assert.Equal(new Dictionary<string, long> { ["a"] = 1229, ["b"] = 1330 }, store.ReplayAll());
        Assert.Equal(new Dictionary<string, long> { ["a"] = 0, ["b"] = 0 }, store.ReplayAll(upcast: false));
    }

    [Fact]
    public void Every_load_counts_the_events_it_replays_including_the_loads_of_commands()
    {
        var store = new EventStore();
        for (int i = 0; i < 3; i++) store.Deposit("a", 10);   // loads of 0, 1, 2 events
        Assert.Equal(3, store.EventsReplayed);
        Assert.Equal(3, store.Load("a").EventsApplied);
        Assert.Equal(6, store.EventsReplayed);
    }

    [Fact]
    public void A_snapshot_is_taken_at_every_multiple_of_the_interval_and_loads_start_from_it()
    {
        var store = new EventStore(snapshotEvery: 2);
        Assert.Equal(2, store.SnapshotEvery);
        store.Deposit("a", 100);
        Assert.Equal(new AccountState("a", 1, 100, 1, false), store.Load("a"));
        store.Deposit("a", 20);
        Assert.Equal(new AccountState("a", 2, 120, 0, true), store.Load("a"));
        store.Withdraw("a", 50);
        Assert.Equal(new AccountState("a", 3, 70, 1, true), store.Load("a"));
        Assert.Equal(new AccountState("a", 3, 70, 3, false), store.Load("a", useSnapshot: false));
        store.Withdraw("a", 10);
        Assert.Equal(new AccountState("a", 4, 60, 0, true), store.Load("a"));
        Assert.Equal(0, new EventStore().SnapshotEvery);
    }

    [Fact]
    public void The_upcaster_rounds_dollars_to_the_nearest_cent_and_reads_v2_as_is()
    {
        var v1 = new StoredEvent(0, "a", 1, "Deposited", 1, """{"amount":"0.127"}""");
        Assert.Equal(new LedgerEvent("a", 1, "Deposited", 13), EventStore.Upcast(v1));
        Assert.Equal(12, EventStore.Upcast(v1 with { Json = """{"amount":"0.121"}""" }).Cents);
        var v2 = new StoredEvent(3, "b", 7, "Withdrawn", 2, """{"cents":42,"currency":"EUR"}""");
        Assert.Equal(new LedgerEvent("b", 7, "Withdrawn", 42), EventStore.Upcast(v2));
        Assert.Equal(new LedgerEvent("b", 7, "Withdrawn", 42), EventStore.NaiveRead(v2));
        Assert.Equal(new LedgerEvent("a", 1, "Deposited", 0), EventStore.NaiveRead(v1));
    }

    [Fact]
    public void Every_argument_is_checked()
    {
        var store = new EventStore();
        Assert.Equal("snapshotEvery", Assert.Throws<ArgumentOutOfRangeException>(() => new EventStore(1_000_001)).ParamName);
        Assert.Equal("account", Assert.Throws<ArgumentException>(() => store.Deposit("", 1)).ParamName);
        Assert.Equal("account", Assert.Throws<ArgumentException>(() => store.Withdraw("", 1)).ParamName);
        Assert.Equal("cents", Assert.Throws<ArgumentOutOfRangeException>(() => store.Withdraw("a", 0)).ParamName);
        Assert.Equal("cents", Assert.Throws<ArgumentOutOfRangeException>(() => store.Deposit("a", 1_000_000_000_01L)).ParamName);
        Assert.True(store.Deposit("a", 1_000_000_000_00L));
        Assert.Equal("account", Assert.Throws<ArgumentException>(() => store.Load("")).ParamName);
        Assert.Equal("e", Assert.Throws<ArgumentNullException>(() => EventStore.Upcast(null!)).ParamName);
        Assert.Equal("e", Assert.Throws<ArgumentNullException>(() => EventStore.NaiveRead(null!)).ParamName);
        var unknown = Assert.Throws<ArgumentException>(() =>
            EventStore.Upcast(new StoredEvent(0, "a", 1, "Deposited", 3, """{"cents":1}""")));
        Assert.Equal("e", unknown.ParamName);
        Assert.Contains("unknown schema 3", unknown.Message);
        Assert.Empty(store.Log.Skip(1));
    }
}

public class LedgerExactTests
{
    [Fact]
    public void A_seeded_workload_writes_legacy_events_only_in_its_first_half()
    {
        var store = Ledger.Drive(new EventStore(), 3, 40, 1.0, 11);
        // commands 0..19 may be legacy (all of them with share 1), 20..39 never
        Assert.Equal(32, store.Log.Count);
        Assert.Equal(Enumerable.Repeat(1, 14).Concat(Enumerable.Repeat(2, 18)), store.Log.Select(e => e.Schema));
        Assert.Equal(171, store.EventsReplayed);
        Assert.Equal(new Dictionary<string, long> { ["acc-0"] = 38557, ["acc-1"] = 219686, ["acc-2"] = 116689 }, store.ReplayAll());
        Assert.Equal(new Dictionary<string, long> { ["acc-0"] = 14064, ["acc-1"] = 154050, ["acc-2"] = 64438 }, store.ReplayAll(upcast: false));
        Assert.All(store.ReplayAll().Values, b => Assert.True(b >= 0));
    }

    [Fact]
    public void Without_a_legacy_share_every_event_is_v2_and_both_readings_agree()
    {
        var store = Ledger.Drive(new EventStore(), 3, 40, 0, 11);
        Assert.All(store.Log, e => Assert.Equal(2, e.Schema));
        Assert.Equal(store.ReplayAll(), store.ReplayAll(upcast: false));
    }

    [Fact]
    public void The_crud_table_gets_exactly_the_accepted_commands()
    {
        using var crud = new SqliteConnection("Data Source=:memory:");
        crud.Open();
        var store = Ledger.Drive(new EventStore(), 3, 40, 1.0, 11, crud);
        Assert.Equal(store.ReplayAll(), Ledger.CrudBalances(crud));
        // a second drive starts the table afresh
        var again = Ledger.Drive(new EventStore(), 2, 10, 0, 5, crud);
        Assert.Equal(again.ReplayAll(), Ledger.CrudBalances(crud));
    }

    [Fact]
    public void The_snapshot_sweep_counts_the_events_each_load_replays()
    {
        var rows = Ledger.SnapshotSweep(new[] { 0, 1, 7, 50 }, 4, 300, 3);
        Assert.Equal(new[] { (0, 300, 72.25), (1, 300, 0.0), (7, 300, 4.0), (50, 300, 22.25) },
            rows.Select(r => (r.SnapshotEvery, r.Commands, r.MeanEventsPerLoad)));
        Assert.All(rows, r => Assert.True(r.ReplayMicros >= 0 && double.IsFinite(r.ReplayMicros)));
        // interval 0 means a full replay: as many events as the accounts hold
        Assert.Equal(Ledger.Drive(new EventStore(), 4, 300, 0, 3).Log.Count / 4.0, rows[0].MeanEventsPerLoad);
    }

    [Fact]
    public void Every_argument_is_checked()
    {
        var s = new EventStore();
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => Ledger.Drive(null!, 2, 10, 0, 1)).ParamName);
        Assert.Equal("accounts", Assert.Throws<ArgumentOutOfRangeException>(() => Ledger.Drive(s, 0, 10, 0, 1)).ParamName);
        Assert.Equal("commands", Assert.Throws<ArgumentOutOfRangeException>(() => Ledger.Drive(s, 2, 0, 0, 1)).ParamName);
        Assert.Equal("crud", Assert.Throws<ArgumentNullException>(() => Ledger.CrudBalances(null!)).ParamName);
        Assert.Equal("intervals", Assert.Throws<ArgumentNullException>(() => Ledger.SnapshotSweep(null!, 2, 10, 1)).ParamName);
        Assert.Equal("intervals", Assert.Throws<ArgumentException>(() => Ledger.SnapshotSweep(Array.Empty<int>(), 2, 10, 1)).ParamName);
        Assert.Empty(s.Log);
    }
}

public class ProjectionExactTests
{
    [Theory]
    [InlineData(100.0, 100.0, 50, 1000, 50.75301274245839, 98.91819883248581, 97.5514803531878, 500.0)]
    [InlineData(1000.0, 100.0, 50, 1000, 549.5773799738288, 1064.3851643272696, 1016.8772267349018, 500.0)]
    [InlineData(10.0, 100.0, 1, 100, 547.2248060726747, 1054.9655440826828, 866.8029234964506, 10.0)]
    [InlineData(30.0, 100.0, 2, 7, 89.02976101982917, 183.82276620709263, 143.88379290414468, 20.0)]
    public void A_seeded_simulation_gives_its_exact_lags(double rate, double pollMs, int batch, int events,
        double mean, double p99, double last, double capacity)
    {
        var r = Projection.Simulate(rate, pollMs, batch, events, 4);
        Assert.Equal((rate, events, capacity), (r.ArrivalsPerSecond, r.Events, r.CapacityPerSecond));
        Assert.Equal(mean, r.MeanLagMs, 9);
        Assert.Equal(p99, r.P99LagMs, 9);
        Assert.Equal(last, r.LastLagMs, 9);
    }

    [Fact]
    public void Under_capacity_no_event_waits_a_whole_poll()
    {
        var r = Projection.Simulate(5, 100, 10, 2000, 9);
        Assert.InRange(r.P99LagMs, 0, 100);
        Assert.InRange(r.LastLagMs, 0, 100);
        Assert.True(r.P99LagMs >= r.MeanLagMs);
        Assert.Equal(100.0, r.CapacityPerSecond);
    }

    [Fact]
    public void Every_argument_is_checked()
    {
        Assert.Equal("pollMs", Assert.Throws<ArgumentOutOfRangeException>(() => Projection.Simulate(1, 0, 1, 1, 1)).ParamName);
        Assert.Equal("events", Assert.Throws<ArgumentOutOfRangeException>(() => Projection.Simulate(1, 1, 1, 0, 1)).ParamName);
    }
}
