using Npgsql;
using SystemDesign.Api;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Api;

public sealed class PgFeedTests
{
    [SkippableFact]
    public void Keys_and_page_plans_of_a_created_feed_are_exact()
    {
        using var schema = new PgSchema();
        using var db = schema.Open();
        PgFeed.Create(db, 3000, rowsPerSecond: 2);
        Assert.Equal(3000L, schema.Scalar<long>("SELECT count(*) FROM nb11_feed"));
        Assert.Equal("post 7", schema.Scalar<string>("SELECT title FROM nb11_feed WHERE id = 7"));
        Assert.Equal(new FeedKey(1_700_000_000 + 1499, 3000), PgFeed.KeyAt(db, 0));
        Assert.Equal(new FeedKey(1_700_000_000 + 1499, 2999), PgFeed.KeyAt(db, 1));
        Assert.Equal(new FeedKey(1_700_000_000, 1), PgFeed.KeyAt(db, 2999));
        Invalid("offset", () => PgFeed.KeyAt(db, 3000), "offset 3000 is beyond the table");

        var (o0, k0) = PgFeed.AtDepth(db, 0, 10);
        Assert.Equal(("OFFSET", 0L, 10L, 10L), (o0.Kind, o0.Depth, o0.IndexRowsRead, o0.Returned));
        Assert.Equal(("keyset", 0L, 10L, 10L), (k0.Kind, k0.Depth, k0.IndexRowsRead, k0.Returned));
        var (o, k) = PgFeed.AtDepth(db, 1000, 20);
        Assert.Equal(("OFFSET", 1000L, 1020L, 20L), (o.Kind, o.Depth, o.IndexRowsRead, o.Returned));
        Assert.Equal(("keyset", 1000L, 20L, 20L), (k.Kind, k.Depth, k.IndexRowsRead, k.Returned));
        Assert.Contains("Index", o.ScanNode);
        Assert.Contains("Index", k.ScanNode);
        Assert.True(k.Buffers > 0);
        Assert.True(o.Buffers > k.Buffers);
        Assert.True(o.ExecutionMs > 0);
        // at the last row the keyset cursor is the key of row 2998: one row left either way
        var (oLast, kLast) = PgFeed.AtDepth(db, 2999, 20);
        Assert.Equal((1L, 1L), (oLast.Returned, kLast.Returned));
        Assert.Equal((3000L, 1L), (oLast.IndexRowsRead, kLast.IndexRowsRead));

        PgFeed.Create(db, 5);                            // creating again replaces the table
        Assert.Equal(5L, schema.Scalar<long>("SELECT count(*) FROM nb11_feed"));
        PgFeed.Drop(db);
        Assert.True(schema.Scalar<bool>("SELECT to_regclass('nb11_feed') IS NULL"));
        PgFeed.Drop(db);                                 // dropping twice is fine
    }

    [SkippableFact]
    public void Explain_finds_the_scan_below_other_nodes_and_refuses_a_plan_without_one()
    {
        using var schema = new PgSchema();
        using var db = schema.Open();
        PgFeed.Create(db, 500);
        var agg = PgFeed.Explain(db, "count", 3, "SELECT count(*) FROM nb11_feed WHERE title <> ''");
        Assert.Equal(("count", 3L, 500L, 1L), (agg.Kind, agg.Depth, agg.IndexRowsRead, agg.Returned));
        Assert.Contains("Scan", agg.ScanNode);
        // the inner side of a nested loop runs once per outer row: rows read = actual rows × loops
        var loop = PgFeed.Explain(db, "loop", 0, "SELECT f.id FROM (SELECT 1 AS i UNION ALL SELECT 2 UNION ALL SELECT 3) v "
                                             + "CROSS JOIN LATERAL (SELECT id FROM nb11_feed WHERE id = v.i OFFSET 0) f");
        Assert.Equal((3L, 3L), (loop.IndexRowsRead, loop.Returned));
        var e = Assert.Throws<InvalidOperationException>(() => PgFeed.Explain(db, "none", 0, "SELECT 1"));
        Assert.StartsWith("no scan node in the plan: [", e.Message);
    }
}

public sealed class PaymentsApiTests
{
    private static long Balance(PgSchema s) => s.Scalar<long>("SELECT balance FROM nb11_accounts WHERE id = 1");

    [SkippableFact]
    public void A_payment_is_charged_once_and_its_response_replayed_for_the_same_key_and_amount()
    {
        using var schema = new PgSchema();
        var api = new PaymentsApi(schema.ConnectionString);
        api.Reset(1000);
        Assert.Equal(1000, Balance(schema));
        Assert.Equal(new PaymentResponse(201, "{\"payment_id\":1,\"amount\":300}", false), api.Pay("a", 300));
        Assert.Equal(new PaymentResponse(201, "{\"payment_id\":1,\"amount\":300}", true), api.Pay("a", 300));
        Assert.Equal(700, Balance(schema));
        Assert.Equal(new PaymentResponse(422, "{\"error\":\"idempotency_key_reused_with_a_different_request\"}", false), api.Pay("a", 301));
        Assert.Equal(new PaymentResponse(402, "{\"error\":\"insufficient_funds\",\"amount\":800}", false), api.Pay("b", 800));
        Assert.Equal(new PaymentResponse(402, "{\"error\":\"insufficient_funds\",\"amount\":800}", true), api.Pay("b", 800));
        Assert.Equal(new PaymentResponse(201, "{\"payment_id\":2,\"amount\":700}", false), api.Pay("c", 700));   // exactly the balance
        Assert.Equal(0, Balance(schema));
        Assert.Equal(2, api.Charges());
        Assert.Equal(1, api.Charges("a"));
        Assert.Equal(0, api.Charges("b"));
        Assert.Equal(0, api.Charges("zz"));
        api.SetBalance(55);
        Assert.Equal(55, Balance(schema));
        api.Reset(5);
        Assert.Equal(0, api.Charges());
        Assert.Equal(5, Balance(schema));
        api.Drop();
        Assert.True(schema.Scalar<bool>("SELECT to_regclass('nb11_payments') IS NULL AND to_regclass('nb11_accounts') IS NULL AND to_regclass('nb11_idempotency') IS NULL"));
    }

    [SkippableFact]
    public void Without_one_transaction_the_key_is_recorded_after_the_charge_and_replayed_too()
    {
        using var schema = new PgSchema();
        var api = new PaymentsApi(schema.ConnectionString);
        api.Reset(500);
        Assert.Equal(new PaymentResponse(201, "{\"payment_id\":1,\"amount\":200}", false), api.Pay("s", 200, oneTransaction: false));
        Assert.Equal(new PaymentResponse(201, "{\"payment_id\":1,\"amount\":200}", true), api.Pay("s", 200, oneTransaction: false));
        Assert.Equal(new PaymentResponse(402, "{\"error\":\"insufficient_funds\",\"amount\":400}", false), api.Pay("t", 400, oneTransaction: false));
        Assert.Equal(new PaymentResponse(402, "{\"error\":\"insufficient_funds\",\"amount\":400}", true), api.Pay("t", 400, oneTransaction: false));
        Assert.Equal(1, api.Charges());
        Assert.Equal(300, Balance(schema));
        Assert.Equal("200", schema.Scalar<string>("SELECT request_hash FROM nb11_idempotency WHERE key = 's'"));
    }

    [SkippableFact]
    public void A_key_claimed_but_unfinished_answers_409_or_422_and_real_errors_are_not_swallowed()
    {
        using var schema = new PgSchema();
        var api = new PaymentsApi(schema.ConnectionString);
        api.Reset(500);
        using (var db = schema.Open())
        using (var c = new NpgsqlCommand("INSERT INTO nb11_idempotency (key, request_hash) VALUES ('p', '100')", db)) c.ExecuteNonQuery();
        Assert.Equal(new PaymentResponse(409, "{\"error\":\"request_in_progress\"}", false), api.Pay("p", 100));
        Assert.Equal(422, api.Pay("p", 101)!.Status);
        Assert.Equal(0, api.Charges());
        // the separate-transactions path sees no finished response, charges, then cannot record the key
        Assert.Throws<Npgsql.PostgresException>(() => api.Pay("p", 100, oneTransaction: false));
        api.Drop();
        Assert.Throws<Npgsql.PostgresException>(() => api.Pay("q", 1));
        Assert.Throws<Npgsql.PostgresException>(() => api.Pay("q", 1, oneTransaction: false));
    }

    [SkippableFact]
    public void A_caller_supplied_connection_stays_open_and_a_crash_returns_null()
    {
        using var schema = new PgSchema();
        var api = new PaymentsApi(schema.ConnectionString);
        api.Reset(1000);
        using var db = api.Open();
        Assert.Equal(201, api.Pay("own", 10, connection: db)!.Status);
        Assert.Equal(System.Data.ConnectionState.Open, db.State);
        Assert.Equal(201, api.Pay("own2", 10, connection: db)!.Status);
        // the caller's connection is the one used: here it points at another schema's tables
        using (var other = new PgSchema())
        {
            var otherApi = new PaymentsApi(other.ConnectionString);
            otherApi.Reset(100);
            using var there = other.Open();
            Assert.Equal(new PaymentResponse(201, "{\"payment_id\":1,\"amount\":7}", false), api.Pay("elsewhere", 7, connection: there));
            Assert.Equal(1, otherApi.Charges("elsewhere"));
            Assert.Equal(0, api.Charges("elsewhere"));
            // a crash terminates the server session of the connection the payment ran on
            Assert.Null(api.Pay("dies", 7, crash: CrashPoint.AfterEffectBeforeKey, connection: there));
            Assert.NotEqual(System.Data.ConnectionState.Open, there.State);
            Assert.Equal(0, otherApi.Charges("dies"));
        }
        Assert.Null(api.Pay("x", 10, crash: CrashPoint.AfterEffectBeforeKey));
        Assert.Equal(0, api.Charges("x"));
        Assert.Equal(980, Balance(schema));
        Assert.Null(api.Pay("y", 10, oneTransaction: false, crash: CrashPoint.AfterEffectBeforeKey));
        Assert.Equal(1, api.Charges("y"));
        Assert.Equal(970, Balance(schema));
        Assert.Equal(0L, schema.Scalar<long>("SELECT count(*) FROM nb11_idempotency WHERE key = 'y'"));
        OutOfRange("balance", () => api.Reset(-1));
    }
}
