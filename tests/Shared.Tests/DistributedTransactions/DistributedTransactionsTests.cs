using Microsoft.Data.Sqlite;
using SystemDesign.DistributedTransactions;
using SystemDesign.Messaging;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.DistributedTransactions;

public class TravelSagaTests
{
    [Fact]
    public void Success_holds_every_booking_and_compensates_nothing()
    {
        var run = TravelSaga.Run(TravelSaga.Booking, null);
        Assert.True(run.Completed);
        Assert.Equal(4, run.Held);
        Assert.Empty(run.CompensationOrder);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_failure_compensates_the_completed_steps_newest_first_and_leaves_nothing_held(int failAt)
    {
        var run = TravelSaga.Run(TravelSaga.Booking, failAt);
        Assert.False(run.Completed);
        Assert.Equal(0, run.Held);
        Assert.Equal(TravelSaga.Booking.Take(failAt).Select(s => s.Name).Reverse(), run.CompensationOrder);
        Assert.All(run.Timeline.Zip(run.Timeline.Skip(1)), p => Assert.Equal(p.First.EndMs, p.Second.StartMs));
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Equal("failAt", Assert.Throws<ArgumentOutOfRangeException>(() => TravelSaga.Run(TravelSaga.Booking, 4)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentException>(() => TravelSaga.Run(Array.Empty<SagaStep>(), null)).ParamName);
    }
}

public class PaymentSagaTests
{
    private static readonly PaymentFaults Faults = new(0.05, 100, 250, 0.1);

    [Fact]
    public void Same_keys_and_pivot_aware_policy_keep_every_invariant()
    {
        var r = PaymentSaga.Run(3000, Faults, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, seed: 1);
        Assert.True(r.Consistent);
        Assert.Equal(r.Completed, r.OrdersCharged);
        Assert.True(r.Compensated > 0);
    }

    [Fact]
    public void Fresh_keys_charge_twice()
    {
        var r = PaymentSaga.Run(3000, Faults, RetryKeys.FreshKeyPerAttempt, UnknownPolicy.PivotAware, 2, seed: 1);
        Assert.True(r.DoubleCharged > 0);
        // extra charges per captured order: q/(1−q), q = exp(−250/100)
        double q = Faults.LateProbability, perOrder = (double)r.ExtraCharges / r.OrdersCharged;
        Assert.InRange(perOrder, q / (1 - q) * 0.7, q / (1 - q) * 1.3);
    }

    [Fact]
    public void The_guides_last_confirmed_rule_leaves_charged_unfulfilled_orders()
    {
        var r = PaymentSaga.Run(3000, Faults, RetryKeys.SameKey, UnknownPolicy.LastConfirmedOnly, 2, seed: 1);
        Assert.True(r.ChargedUnfulfilled > 0);
        Assert.True(r.LeakedHolds > 0);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Equal("orders", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PaymentSaga.Run(0, Faults, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, 1)).ParamName);
        Assert.Equal("maxRetries", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PaymentSaga.Run(10, Faults, RetryKeys.SameKey, UnknownPolicy.PivotAware, -1, 1)).ParamName);
        Assert.Equal("faults", Assert.Throws<ArgumentException>(() =>
            PaymentSaga.Run(10, Faults with { TimeoutMs = 1 }, RetryKeys.SameKey, UnknownPolicy.PivotAware, 2, 1)).ParamName);
    }
}

public class TwoPhaseCommitTests
{
    private static readonly TwoPcTiming T = new(1, 5, 2000, 500, 300);

    [Theory]
    [InlineData(CrashPoint.None, TxOutcome.Committed)]
    [InlineData(CrashPoint.CoordinatorBeforePrepare, TxOutcome.Aborted)]
    [InlineData(CrashPoint.ParticipantBeforeVote, TxOutcome.Aborted)]
    [InlineData(CrashPoint.ParticipantAfterVoteYes, TxOutcome.Committed)]
    [InlineData(CrashPoint.CoordinatorBeforeDecision, TxOutcome.Aborted)]
    [InlineData(CrashPoint.CoordinatorAfterDecision, TxOutcome.Committed)]
    public void Every_crash_point_ends_atomic(CrashPoint crash, TxOutcome expected)
    {
        var run = TwoPhaseCommit.Run(3, crash, T);
        Assert.True(run.Atomic);
        Assert.Equal(expected, run.Decision);
    }

    [Fact]
    public void A_coordinator_crash_after_the_votes_holds_locks_for_its_recovery()
    {
        var run = TwoPhaseCommit.Run(3, CrashPoint.CoordinatorAfterDecision, T);
        Assert.True(run.MaxLockHeldMs >= T.CoordinatorRecoveryMs);
        Assert.True(TwoPhaseCommit.Run(3, CrashPoint.None, T).MaxLockHeldMs < 20);
    }

    [Fact]
    public void Aborting_after_a_yes_vote_breaks_atomicity()
    {
        Assert.False(TwoPhaseCommit.AfterYes(true, T, 3).Atomic);
        Assert.True(TwoPhaseCommit.AfterYes(false, T, 3).Atomic);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Equal("participants", Assert.Throws<ArgumentOutOfRangeException>(() => TwoPhaseCommit.Run(0, CrashPoint.None, T)).ParamName);
        Assert.Equal("timing", Assert.Throws<ArgumentOutOfRangeException>(() =>
            TwoPhaseCommit.Run(2, CrashPoint.None, T with { MessageMs = 0 })).ParamName);
    }
}

public class EventSourcingTests
{
    [Fact]
    public void Replay_with_upcasting_matches_the_crud_table_and_naive_reading_does_not()
    {
        using var crud = new SqliteConnection("Data Source=:memory:");
        crud.Open();
        var store = Ledger.Drive(new EventStore(), 20, 2000, 0.5, 7, crud);
        var crudBalances = Ledger.CrudBalances(crud);
        var replay = store.ReplayAll();
        Assert.Equal(crudBalances.OrderBy(k => k.Key), replay.OrderBy(k => k.Key));
        Assert.NotEqual(crudBalances.Values.Sum(), store.ReplayAll(upcast: false).Values.Sum());
    }

    [Fact]
    public void Snapshots_give_the_same_state_with_fewer_events()
    {
        var plain = Ledger.Drive(new EventStore(), 5, 1000, 0, 3);
        var snap = Ledger.Drive(new EventStore(50), 5, 1000, 0, 3);
        for (int a = 0; a < 5; a++)
        {
            var full = plain.Load($"acc-{a}");
            var fast = snap.Load($"acc-{a}");
            Assert.Equal(full.BalanceCents, fast.BalanceCents);
            Assert.Equal(full.Version, fast.Version);
            Assert.True(fast.EventsApplied < 50);
        }
    }

    [Fact]
    public void Projection_lag_is_half_a_poll_under_capacity_and_grows_above()
    {
        var under = Projection.Simulate(100, 100, 50, 20_000, 1);
        Assert.InRange(under.MeanLagMs, 45, 55);
        var over = Projection.Simulate(1000, 100, 50, 20_000, 1);
        Assert.True(over.LastLagMs > 10_000);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Equal("snapshotEvery", Assert.Throws<ArgumentOutOfRangeException>(() => new EventStore(-1)).ParamName);
        Assert.Equal("cents", Assert.Throws<ArgumentOutOfRangeException>(() => new EventStore().Deposit("a", 0)).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => Projection.Simulate(1, 1, 0, 1, 1)).ParamName);
    }
}

/// <summary>These crash and restart the postgres-2pc server (its own server: nothing else uses it); they run one
/// at a time.</summary>
[CollectionDefinition("postgres crash", DisableParallelization = true)]
public sealed class PostgresCrashCollection;

[Collection("postgres crash")]
public class RealDistributedTransactionTests
{
    /// <summary>Every test here starts with the crashed server back up. A run that fails between its kill and its
    /// restart (a broken build, a mutant under mutation testing) leaves postgres-2pc down, and every later test
    /// here would skip, proving nothing: when the server is down although it was started in this state folder,
    /// and no other experiment brings it back within a few seconds, it is restarted.</summary>
    public RealDistributedTransactionTests() => ReviveCrashedServer();

    private static string? Health()
    {
        try
        {
            using var c = new Npgsql.NpgsqlConnection(Servers.PostgresTwoPcConnectionString);
            c.Open();
            return null;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException) { return e.Message; }
    }

    private static void ReviveCrashedServer()
    {
        if (Health() is null || Services.ScriptPath is not { } script) return;
        string state = Environment.GetEnvironmentVariable("SDN_STATE_DIR") is { Length: > 0 } dir
            ? dir : Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(script))!, ".state");
        if (!Directory.Exists(Path.Combine(state, PostgresTwoPhase.Service))) return;   // never started here: skip as usual
        try
        {
            using var other = Faults.Experiment(PostgresTwoPhase.Service, TimeSpan.FromSeconds(5), Health);
            return;   // another experiment's crash, over now
        }
        catch (IOException) { return; }          // another experiment still holds the server: it restarts it
        catch (TimeoutException) { }            // nobody is bringing it back
        Faults.Restart(PostgresTwoPhase.Service, TimeSpan.FromSeconds(60), Health);
    }

    /// <summary>Holds the server against another process's crash experiment (a second test runner).</summary>
    private static FaultExperiment Exclusive() => Faults.Experiment(PostgresTwoPhase.Service, check: Health);

    [SkippableFact]
    public void Prepared_transactions_survive_a_restart_and_hold_their_locks()
    {
        RealSystem.RequirePostgresTwoPc().Dispose();
        DateTime StartedAt()
        {
            using var c = new Npgsql.NpgsqlConnection(Servers.PostgresTwoPcConnectionString);
            c.Open();
            return (DateTime)new Npgsql.NpgsqlCommand("SELECT pg_postmaster_start_time()", c).ExecuteScalar()!;
        }
        var before = StartedAt();
        var r = PostgresTwoPhase.Run(Servers.PostgresTwoPcConnectionString, decisionLogged: true, coordinatorDownMs: 300);
        Assert.True(StartedAt() > before, "the server was really restarted");
        Assert.True(r.Committed);
        Assert.Equal(2, r.PreparedAfterRestart);
        Assert.True(r.WriterBlockedWhileInDoubt);
        Assert.True(r.ReaderSawBefore);
        // the clock starts once both have prepared: restart, then the writer, then (300 ms later at least) the resolution
        Assert.True(r.RestartMs > 0);
        Assert.True(r.WriterStartAtMs >= r.RestartMs);
        Assert.True(r.ResolveSentAtMs >= r.WriterStartAtMs + 300);
        Assert.True(r.ResolvedAtMs >= r.ResolveSentAtMs);
        Assert.Equal(0, r.LeftoversCleared);
        Assert.InRange(r.WriterDoneAtMs, r.ResolveSentAtMs, r.ResolvedAtMs + 1000);
        Assert.Equal((71, 130), (r.BalanceA, r.BalanceB));
        Assert.Equal(0, r.PreparedAtEnd);
    }

    [SkippableFact]
    public void Without_a_logged_decision_the_recovering_coordinator_presumes_abort()
    {
        RealSystem.RequirePostgresTwoPc().Dispose();
        var r = PostgresTwoPhase.Run(Servers.PostgresTwoPcConnectionString, decisionLogged: false, coordinatorDownMs: 100);
        Assert.False(r.Committed);
        Assert.Equal(2, r.PreparedAfterRestart);
        Assert.True(r.WriterBlockedWhileInDoubt);
        Assert.True(r.ReaderSawBefore);
        Assert.True(r.ResolveSentAtMs >= r.WriterStartAtMs + 100);
        Assert.InRange(r.WriterDoneAtMs, r.ResolveSentAtMs, r.ResolvedAtMs + 1000);
        Assert.Equal(0, r.LeftoversCleared);
        Assert.True(r.WriterDoneAtMs - r.WriterStartAtMs >= 100);
        Assert.Equal((101, 100), (r.BalanceA, r.BalanceB));
        Assert.Equal(0, r.PreparedAtEnd);
    }

    [SkippableFact]
    public void Preparing_rolls_back_leftover_prepared_transactions_and_resets_the_accounts()
    {
        RealSystem.RequirePostgresTwoPc().Dispose();
        using var exclusive = Exclusive();
        string cs = Servers.PostgresTwoPcConnectionString;
        PostgresTwoPhase.Prepare(cs);
        // an interrupted run left a committed change, a decision in the coordinator's log, and one prepared
        // transaction in each participant, with its row changes
        using (var c = new Npgsql.NpgsqlConnection(PostgresTwoPhase.Db(cs, "nb15_b")))
        {
            c.Open();
            new Npgsql.NpgsqlCommand("UPDATE nb15_accounts SET balance = 5 WHERE id = 1", c).ExecuteNonQuery();
        }
        using (var log = new Npgsql.NpgsqlConnection(cs))
        {
            log.Open();
            new Npgsql.NpgsqlCommand("INSERT INTO nb15_coordinator_log VALUES ('nb15', 'commit')", log).ExecuteNonQuery();
        }
        foreach (var (db, gid) in new[] { ("nb15_a", "nb15-a"), ("nb15_b", "nb15-b") })
        {
            using var c = new Npgsql.NpgsqlConnection(PostgresTwoPhase.Db(cs, db));
            c.Open();
            using var cmd = new Npgsql.NpgsqlCommand($"BEGIN; UPDATE nb15_accounts SET balance = 7 WHERE id = 1; PREPARE TRANSACTION '{gid}'", c);
            cmd.ExecuteNonQuery();
        }
        Assert.Equal(2, PostgresTwoPhase.Prepare(cs));
        foreach (var db in new[] { "nb15_a", "nb15_b" })
        {
            using var c = new Npgsql.NpgsqlConnection(PostgresTwoPhase.Db(cs, db));
            c.Open();
            Assert.Equal(0L, (long)new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'nb15-%'", c).ExecuteScalar()!);
            Assert.Equal(100, (int)new Npgsql.NpgsqlCommand("SELECT balance FROM nb15_accounts WHERE id = 1", c).ExecuteScalar()!);
        }
        using (var log = new Npgsql.NpgsqlConnection(cs))
        {
            log.Open();
            Assert.Equal(0L, (long)new Npgsql.NpgsqlCommand("SELECT count(*) FROM nb15_coordinator_log", log).ExecuteScalar()!);
        }
        Assert.Equal(0, PostgresTwoPhase.Prepare(cs));
    }

    [SkippableFact]
    public void The_two_phase_server_allows_prepared_transactions_and_the_main_one_does_not()
    {
        using var pg2 = RealSystem.RequirePostgresTwoPc();
        using var exclusive = Exclusive();
        Assert.Equal(20, PostgresTwoPhase.MaxPreparedTransactions(pg2));
        Assert.Equal(Servers.PostgresTwoPcConnectionString, PostgresTwoPhase.Server());
        using var pg = RealSystem.RequirePostgres();
        Assert.Equal(0, PostgresTwoPhase.MaxPreparedTransactions(pg));
    }

    [SkippableFact]
    public void Preparing_creates_missing_participant_databases()
    {
        RealSystem.RequirePostgresTwoPc().Dispose();
        using var exclusive = Exclusive();
        string cs = Servers.PostgresTwoPcConnectionString;
        using (var admin = new Npgsql.NpgsqlConnection(cs))
        {
            admin.Open();
            new Npgsql.NpgsqlCommand("DROP DATABASE IF EXISTS nb15_a WITH (FORCE)", admin).ExecuteNonQuery();
            new Npgsql.NpgsqlCommand("DROP DATABASE IF EXISTS nb15_b WITH (FORCE)", admin).ExecuteNonQuery();
        }
        Assert.Equal(0, PostgresTwoPhase.Prepare(cs));
        foreach (var db in new[] { "nb15_a", "nb15_b" })
        {
            using var c = new Npgsql.NpgsqlConnection(PostgresTwoPhase.Db(cs, db));
            c.Open();
            Assert.Equal(100, (int)new Npgsql.NpgsqlCommand("SELECT balance FROM nb15_accounts WHERE id = 1", c).ExecuteScalar()!);
        }
    }

    private static (string? Result, string Said) ServerWith(string connectionString)
    {
        string? old = Environment.GetEnvironmentVariable("SDN_POSTGRES_2PC");
        var said = new StringWriter();
        Environment.SetEnvironmentVariable("SDN_POSTGRES_2PC", connectionString);
        Servers.Out = said;
        try { return (PostgresTwoPhase.Server(), said.ToString()); }
        finally
        {
            Servers.Out = null;
            Environment.SetEnvironmentVariable("SDN_POSTGRES_2PC", old);
        }
    }

    [SkippableFact]
    public void A_server_without_prepared_transactions_is_refused_with_the_command_that_fixes_it()
    {
        RealSystem.RequirePostgres().Dispose();
        var (cs, said) = ServerWith(Servers.PostgresConnectionString);
        Assert.Null(cs);
        Assert.Single(said.Trim().Split('\n'));
        Assert.Contains("max_prepared_transactions = 0", said);
        Assert.Contains("./scripts/services.sh start postgres-2pc", said);
    }

    [Fact]
    public void A_missing_two_phase_server_gives_null()
    {
        var (cs, said) = ServerWith("Host=127.0.0.1;Port=1;Username=sdn;Database=sdn;Timeout=2;Pooling=false");
        Assert.Null(cs);
        Assert.Contains("postgres-2pc", said);
        Assert.DoesNotContain("max_prepared_transactions", said);
    }

    [Fact]
    public void The_participant_databases_are_named_in_the_connection_string()
    {
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(PostgresTwoPhase.Db("Host=127.0.0.1;Port=5;Database=sdn;Username=u", "nb15_a"));
        Assert.Equal(("nb15_a", "127.0.0.1", 5, "u"), (cs.Database, cs.Host, cs.Port, cs.Username));
        Assert.Equal("postgres-2pc", PostgresTwoPhase.Service);
    }

    [Fact]
    public void Real_two_phase_commit_rejects_bad_input()
    {
        Assert.Equal("coordinatorDownMs", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PostgresTwoPhase.Run("Host=127.0.0.1", true, 10_001)).ParamName);
        Assert.Equal("connectionString", Assert.Throws<ArgumentNullException>(() => PostgresTwoPhase.Run(null!, true, 0)).ParamName);
        Assert.Equal("connectionString", Assert.Throws<ArgumentException>(() => PostgresTwoPhase.Prepare("")).ParamName);
        Assert.Equal("connection", Assert.Throws<ArgumentNullException>(() => PostgresTwoPhase.MaxPreparedTransactions(null!)).ParamName);
        Assert.Equal("coordinatorDownMs", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PostgresTwoPhase.Run("Host=127.0.0.1", true, -1)).ParamName);
        Assert.Equal("connectionString", Assert.Throws<ArgumentException>(() =>
            PostgresTwoPhase.Run("", true, 0)).ParamName);
    }

    [SkippableFact]
    public async Task A_relay_killed_mid_batch_duplicates_and_the_idempotent_consumer_absorbs_them()
    {
        using var pg = RealSystem.RequirePostgres();
        using var rabbit = RealSystem.RequireRabbitMq();
        var r = await OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "t15_outbox", 40, 10, new[] { (1, 3), (2, 7) }, new[] { 5 });
        Assert.Equal(10 + 1, r.Duplicates);
        Assert.Equal(40, r.OrdersShippedOnce);
        Assert.Equal(40, r.IdempotentEffects);
        Assert.Equal(r.Deliveries, r.NaiveEffects);
    }
}

public class GuardTests
{
    private static readonly TwoPcTiming T = new(1, 5, 2000, 500, 300);

    [Fact]
    public void Sweeps_and_helpers_reject_bad_input()
    {
        Assert.Equal("participants", Assert.Throws<ArgumentOutOfRangeException>(() => TwoPhaseCommit.AfterYes(true, T, 1)).ParamName);
        Assert.Equal("recoveryMs", Assert.Throws<ArgumentException>(() => TwoPhaseCommit.RecoverySweep(3, T, Array.Empty<double>())).ParamName);
        Assert.Equal("timeoutRatios", Assert.Throws<ArgumentOutOfRangeException>(() => PaymentSaga.ExtraChargeSweep(new[] { 50.0 }, 10, 1)).ParamName);
        Assert.Equal("seeds", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PaymentSaga.Designs(new PaymentFaults(0.05, 100, 250, 0.1), 10, 0, 2)).ParamName);
        Assert.Equal("legacyShare", Assert.Throws<ArgumentOutOfRangeException>(() => Ledger.Drive(new EventStore(), 2, 10, 1.5, 1)).ParamName);
        Assert.Equal("intervals", Assert.Throws<ArgumentOutOfRangeException>(() => Ledger.SnapshotSweep(new[] { -1 }, 2, 10, 1)).ParamName);
        Assert.Equal("arrivalsPerSecond", Assert.Throws<ArgumentOutOfRangeException>(() => Projection.Simulate(0, 100, 1, 1, 1)).ParamName);
    }

    [Fact]
    public void The_sweeps_return_one_row_per_point()
    {
        Assert.Equal(2 * Enum.GetValues<CrashPoint>().Length, TwoPhaseCommit.RecoverySweep(3, T, new[] { 100.0, 1000 }).Count);
        Assert.Equal(4, PaymentSaga.Designs(new PaymentFaults(0.05, 100, 250, 0.1), 100, 2, 2).Count);
        var series = TravelSaga.TimelineSeries(TravelSaga.Run(TravelSaga.Booking, 2), TravelSaga.Booking);
        Assert.Equal(5, series.Length);   // Flight, Hotel, Payment failed, Hotel and Flight compensated
    }

    [SkippableFact]
    public async Task The_relay_lab_rejects_bad_input()
    {
        using var pg = RealSystem.RequirePostgres();
        using var rabbit = RealSystem.RequireRabbitMq();
        Assert.Equal("batch", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "t15_bad", 10, 0, Array.Empty<(int, int)>(), Array.Empty<int>()))).ParamName);
        Assert.Equal("killRelay", (await Assert.ThrowsAsync<ArgumentException>(() =>
            OutboxLab.RelayKilledMidBatchAsync(pg, rabbit, "t15_bad", 10, 5, new[] { (0, 6) }, Array.Empty<int>()))).ParamName);
    }
}

