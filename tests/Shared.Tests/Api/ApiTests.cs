using System.Text.Json;
using SystemDesign.Api;
using SystemDesign.Tests.RealSystems;

namespace SystemDesign.Tests.Api;

public sealed class PayloadTests
{
    [Fact]
    public void Graphql_returns_only_the_selected_fields_and_protobuf_is_smaller_than_json()
    {
        var users = SampleUsers.Page(1);
        var sizes = Payloads.Measure(users, new[] { "name", "avatarUrl" });
        Assert.Equal(4, sizes.Count);
        Assert.True(sizes[2].Raw < sizes[0].Raw);
        Assert.True(sizes[1].Raw < sizes[0].Raw);
        var json = new UserGraph(users).Execute("{ user(id: 1) { name avatarUrl } }");
        using var doc = JsonDocument.Parse(json);
        var user = doc.RootElement.GetProperty("data").GetProperty("user");
        Assert.Equal(2, user.EnumerateObject().Count());
        Assert.Equal(users[0].Name, user.GetProperty("name").GetString());
    }

    [Fact]
    public void Mask_keeps_only_the_named_fields_and_rejects_unknown_ones()
    {
        var u = SampleUsers.Make(7);
        var m = SampleUsers.Mask(u, new[] { "name" });
        Assert.Equal(u.Name, m.Name);
        Assert.Equal("", m.Email);
        Assert.Throws<ArgumentException>(() => SampleUsers.Mask(u, new[] { "nope" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleUsers.Make(0));
    }

    [Fact]
    public void Batched_loading_sends_two_queries_where_n_plus_one_sends_n_plus_one()
    {
        using var store = new SqliteUserStore(users: 10, postsPerUser: 3);
        var naive = new UserGraph(store, batched: false);
        int before = store.Queries;
        string a = naive.Execute("{ users(first: 10) { id posts { title } } }");
        Assert.Equal(11, store.Queries - before);
        var batched = new UserGraph(store, batched: true);
        before = store.Queries;
        string b = batched.Execute("{ users(first: 10) { id posts { title } } }");
        Assert.Equal(2, store.Queries - before);
        Assert.Equal(a, b);
    }
}

public sealed class PagingTests
{
    [Fact]
    public void Offset_and_composite_keyset_walk_the_same_rows_and_timestamp_only_skips_ties()
    {
        using var feed = new SqliteFeed(1000, rowsPerSecond: 3);
        var offset = feed.WalkAll(PagingKind.Offset, 20);
        var keyset = feed.WalkAll(PagingKind.KeysetComposite, 20);
        var tsOnly = feed.WalkAll(PagingKind.KeysetTimestampOnly, 20);
        Assert.Equal(1000, offset.Count);
        Assert.Equal(offset, keyset);
        Assert.True(tsOnly.Count < 1000);
        Assert.Equal(tsOnly.Count, tsOnly.Distinct().Count());
    }

    [Fact]
    public void Offset_duplicates_after_inserts_and_skips_after_deletes_keyset_does_neither()
    {
        var ins = PagingConsistency.Run(PagingKind.Offset, 200, 20, inserted: 5, deleted: 0);
        Assert.Equal(5, ins.Duplicates);
        Assert.Equal(0, ins.Skipped);
        var del = PagingConsistency.Run(PagingKind.Offset, 200, 20, inserted: 0, deleted: 4);
        Assert.Equal(4, del.Skipped);
        Assert.Equal(0, del.Duplicates);
        var k = PagingConsistency.Run(PagingKind.KeysetComposite, 200, 20, inserted: 5, deleted: 4);
        Assert.Equal(0, k.Duplicates);
        Assert.Equal(0, k.Skipped);
    }

    [Fact]
    public void Keyset_work_does_not_grow_with_depth_but_offset_work_does()
    {
        var feed = SqliteFeed.Shared(50_000);
        var shallow = feed.AtDepth(0, 20, 1);
        var deep = feed.AtDepth(40_000, 20, 1);
        Assert.True(deep.Offset.Work > 40_000);
        Assert.True(deep.Keyset.Work < 2 * shallow.Keyset.Work + 50);
        Assert.Equal(deep.Offset.Ids, deep.Keyset.Ids);
    }

    [Fact]
    public void Cursor_round_trips_and_rejects_tampering()
    {
        var secret = new byte[32];
        var key = new FeedKey(1_700_000_123, 42);
        string c = OpaqueCursor.Encode(key, secret);
        Assert.Equal(key, OpaqueCursor.Decode(c, secret));
        var forged = OpaqueCursor.Encode(new FeedKey(1_700_000_123, 43), new byte[32] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        Assert.Throws<ArgumentException>(() => OpaqueCursor.Decode(forged, secret));
        Assert.Throws<ArgumentException>(() => OpaqueCursor.Decode("x" + c[1..], secret));
    }

    [Fact]
    public void Sharded_pages_equal_the_single_table_pages()
    {
        using var shards = new ShardedFeed(600, 4);
        using var single = new SqliteFeed(600);
        var truth = single.WalkAll(PagingKind.Offset, 25);
        var k = shards.Walk(PagingKind.KeysetComposite, 25, 30);
        var o = shards.Walk(PagingKind.Offset, 25, 30);
        Assert.Equal(truth, k.SelectMany(p => p.Ids));
        Assert.Equal(truth, o.SelectMany(p => p.Ids));
        Assert.Equal(4 * 25, k[5].RowsFetched);
        Assert.True(o[5].RowsFetched > k[5].RowsFetched);
    }

    [SkippableFact]
    public void Postgres_offset_reads_depth_plus_limit_rows_keyset_reads_limit()
    {
        using var schema = new PgSchema();       // nb11_feed of this run only
        using var db = schema.Open();
        PgFeed.Create(db, 20_000);
        var (off, key) = PgFeed.AtDepth(db, 10_000, 20);
        Assert.Equal(10_020, off.IndexRowsRead);
        Assert.Equal(20, key.IndexRowsRead);
        Assert.True(off.Buffers > key.Buffers);
    }
}

public sealed class IdempotencyTests
{
    [SkippableFact]
    public void Concurrent_retries_charge_once_and_replay_the_same_response()
    {
        using var schema = new PgSchema();       // the nb11_* tables of this run only
        var api = new PaymentsApi(schema.ConnectionString);
        try
        {
            api.Reset(10_000);
            var responses = api.ConcurrentRetries("k1", 500, 6);
            Assert.Equal(1, api.Charges("k1"));
            Assert.Single(responses.Select(r => r.Body).Distinct());
            Assert.Equal(5, responses.Count(r => r.Replayed));
            Assert.Equal(422, api.Pay("k1", 600)!.Status);
        }
        finally { api.Drop(); }
    }

    [SkippableFact]
    public void A_crash_between_effect_and_key_double_charges_only_without_one_transaction()
    {
        using var schema = new PgSchema();       // the nb11_* tables of this run only
        var api = new PaymentsApi(schema.ConnectionString);
        try
        {
            api.Reset(10_000);
            Assert.Null(api.Pay("sep", 100, oneTransaction: false, crash: CrashPoint.AfterEffectBeforeKey));
            Assert.Equal(201, api.Pay("sep", 100, oneTransaction: false)!.Status);
            Assert.Equal(2, api.Charges("sep"));
            Assert.Null(api.Pay("one", 100, oneTransaction: true, crash: CrashPoint.AfterEffectBeforeKey));
            Assert.Equal(0, api.Charges("one"));
            Assert.Equal(201, api.Pay("one", 100)!.Status);
            Assert.Equal(1, api.Charges("one"));
        }
        finally { api.Drop(); }
    }

    [SkippableFact]
    public void Errors_are_replayed_too()
    {
        using var schema = new PgSchema();       // the nb11_* tables of this run only
        var api = new PaymentsApi(schema.ConnectionString);
        try
        {
            api.Reset(50);
            var first = api.Pay("e", 100)!;
            api.SetBalance(1000);
            var again = api.Pay("e", 100)!;
            Assert.Equal(402, first.Status);
            Assert.Equal(first.Body, again.Body);
            Assert.True(again.Replayed);
        }
        finally { api.Drop(); }
    }
}

public sealed class VersioningTests
{
    [Fact]
    public void Classifies_additions_as_safe_and_removals_and_tightening_as_breaking()
    {
        var v1 = new[]
        {
            new ApiField(FieldSide.Request, "amount", "int", Required: true),
            new ApiField(FieldSide.Request, "note", "string", MaxLength: 100),
            new ApiField(FieldSide.Response, "status", "enum", EnumValues: new[] { "ok", "failed" }),
            new ApiField(FieldSide.Response, "name", "string"),
        };
        var v2 = new[]
        {
            new ApiField(FieldSide.Request, "amount", "int", Required: true),
            new ApiField(FieldSide.Request, "note", "string", MaxLength: 50),
            new ApiField(FieldSide.Request, "currency", "string"),
            new ApiField(FieldSide.Response, "status", "enum", EnumValues: new[] { "ok", "failed", "pending" }),
            new ApiField(FieldSide.Response, "displayName", "string"),
        };
        var c = SchemaDiff.Classify(v1, v2);
        Assert.Contains(c, x => x.Change.Contains("tightened") && x.Breaking);
        Assert.Contains(c, x => x.Change.Contains("currency") && !x.Breaking);
        Assert.Contains(c, x => x.Change.Contains("pending") && x.Breaking);
        Assert.Contains(c, x => x.Change.Contains("removed response field 'name'") && x.Breaking);
        Assert.Contains(c, x => x.Change.Contains("added response field 'displayName'") && !x.Breaking);
    }

    [Fact]
    public void Headers_round_trip_and_the_guides_sunset_value_is_rejected()
    {
        var when = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.Zero);
        Assert.Equal("Tue, 31 Dec 2024 23:59:59 GMT", DeprecationHeaders.Sunset(when));
        Assert.Equal(when, DeprecationHeaders.ParseSunset(DeprecationHeaders.Sunset(when)));
        Assert.Equal("@1735689599", DeprecationHeaders.Deprecation(when));
        Assert.Equal(when, DeprecationHeaders.ParseDeprecation("@1735689599"));
        Assert.Throws<FormatException>(() => DeprecationHeaders.ParseSunset("Sat, 31 Dec 2024"));
        Assert.Throws<FormatException>(() => DeprecationHeaders.ParseSunset("Sat, 31 Dec 2024 23:59:59 GMT"));
        Assert.Throws<FormatException>(() => DeprecationHeaders.ParseDeprecation("Mon, 01 Jan 2024"));
    }

    [Fact]
    public void Old_protobuf_readers_keep_unknown_fields_and_silently_drop_a_retyped_one()
    {
        var u = SampleUsers.Make(3);
        var (parsed, v2, re) = WireEvolution.AddedField(u, "extra");
        Assert.Equal(u.Name, parsed.Name);
        Assert.Equal(v2, re);
        Assert.Equal("", WireEvolution.TypeChanged(u, 42).Name);
        Assert.NotEqual("parsed", WireEvolution.RenamedJsonField(u));
    }
}

public sealed class ApiServerTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _out;
    public ApiServerTests(Xunit.Abstractions.ITestOutputHelper output) => _out = output;

    [Fact]
    public async Task One_kestrel_app_serves_rest_grpc_and_graphql_and_counts_queries()
    {
        using var store = new SqliteUserStore(users: 30, postsPerUser: 3);
        await using var server = await ApiServer.StartAsync(store);
        using var clients = new ApiClients(server.BaseAddress);
        var calls = clients.Compare(1, new[] { "name", "avatarUrl" }, 5);
        foreach (var c in calls) _out.WriteLine(c.ToString());
        Assert.Equal(Payloads.RestJson(new[] { store.User(1)! }).Length, calls[0].BodyBytes);
        foreach (var style in new[] { "REST", "gRPC", "GraphQL" })
            Assert.True(calls.Where(c => c.Style == style).Last().Total < calls.First(c => c.Style == style).Total);
        var (resp, _) = clients.Rest("/v1/users/2", 1);
        Assert.Equal(ApiServer.V1Sunset, DeprecationHeaders.ParseSunset(resp.Headers.GetValues("Sunset").Single()));
        int q0 = store.Queries;
        var naive = clients.GraphQl("{ users(first: 20) { name posts { title } } }", 1, batched: false).Json;
        int q1 = store.Queries;
        var batched = clients.GraphQl("{ users(first: 20) { name posts { title } } }", 1, batched: true).Json;
        Assert.Equal(21, q1 - q0);
        Assert.Equal(2, store.Queries - q1);
        Assert.Equal(naive, batched);
    }
}
