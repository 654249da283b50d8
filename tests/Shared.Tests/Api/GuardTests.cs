using Npgsql;
using SystemDesign.Api;
using SystemDesign.Api.Proto;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Api;

/// <summary>Every public entry's argument guard of the Api area: exception type and the parameter it names.</summary>
public sealed class GuardTests
{
    private static readonly User U = SampleUsers.Make(1);

    [Fact]
    public void Sample_users_refuse_bad_ids_counts_users_and_fields()
    {
        OutOfRange("id", () => SampleUsers.Make(0));
        OutOfRange("count", () => SampleUsers.Page(0));
        OutOfRange("count", () => SampleUsers.Page(100_001));
        Null("user", () => SampleUsers.Mask(null!, new[] { "name" }));
        Null("fields", () => SampleUsers.Mask(U, null!));
        Invalid("jsonName", () => SampleUsers.Mask(U, new[] { "nope" }), "unknown user field 'nope'; known: " + string.Join(", ", SampleUsers.FieldNames));
        Null("user", () => SampleUsers.AsJsonObject(null!));
        Invalid("jsonName", () => SampleUsers.AsJsonObject(U, new[] { "Name" }));
    }

    [Fact]
    public void Payload_measurements_refuse_missing_users_fields_and_bytes()
    {
        var users = new[] { U };
        Null("users", () => Payloads.Measure(null!, new[] { "name" }));
        Invalid("users", () => Payloads.Measure(Array.Empty<User>(), new[] { "name" }), "users must contain at least one element.");
        Null("fields", () => Payloads.Measure(users, null!));
        Invalid("fields", () => Payloads.Measure(users, Array.Empty<string>()), "fields must contain at least one element.");
        Invalid("jsonName", () => Payloads.Measure(users, new[] { "name", "shoeSize" }), "unknown user field 'shoeSize'; known: " + string.Join(", ", SampleUsers.FieldNames));
        Null("user", () => Payloads.PerField(null!));
        Null("format", () => Payloads.Sizes(null!, new byte[1]));
        Invalid("format", () => Payloads.Sizes("", new byte[1]), "format must not be empty.");
        Null("raw", () => Payloads.Sizes("x", null!));
        Null("raw", () => Payloads.Gzip(null!));
        Null("raw", () => Payloads.Brotli(null!));
    }

    [Fact]
    public void Versioning_entries_refuse_missing_schemas_users_and_header_values()
    {
        Null("before", () => SchemaDiff.Classify(null!, Array.Empty<ApiField>()));
        Null("after", () => SchemaDiff.Classify(Array.Empty<ApiField>(), null!));
        Null("value", () => DeprecationHeaders.ParseSunset(null!));
        Invalid("value", () => DeprecationHeaders.ParseSunset(""), "value must not be empty.");
        Null("value", () => DeprecationHeaders.ParseDeprecation(null!));
        Invalid("value", () => DeprecationHeaders.ParseDeprecation(""));
        Null("user", () => WireEvolution.AddedField(null!, "x"));
        Null("user", () => WireEvolution.TypeChanged(null!, 1));
        Null("user", () => WireEvolution.RenamedJsonField(null!));
    }

    [Fact]
    public void Sqlite_feed_refuses_bad_sizes_offsets_sql_and_ids()
    {
        OutOfRange("rows", () => new SqliteFeed(0));
        OutOfRange("rows", () => new SqliteFeed(5_000_001));
        OutOfRange("rowsPerSecond", () => new SqliteFeed(10, 0));
        OutOfRange("rowsPerSecond", () => new SqliteFeed(10, 1001));
        OutOfRange("rows", () => SqliteFeed.Shared(0));
        using var feed = new SqliteFeed(10);
        OutOfRange("size", () => feed.Offset(0, 0));
        OutOfRange("size", () => feed.Offset(0, 10_001));
        OutOfRange("offset", () => feed.Offset(-1, 5));
        OutOfRange("size", () => feed.Keyset(null, 0));
        OutOfRange("size", () => feed.Keyset(new FeedKey(1, 1), 10_001));
        Invalid("offset", () => feed.KeyAt(10), "offset 10 is beyond the table's 10 rows");
        OutOfRange("offset", () => feed.KeyAt(-1));
        Null("sql", () => feed.Run(null!));
        Invalid("sql", () => feed.Run(""), "sql must not be empty.");
        Invalid("sql", () => feed.Run("SELEKT id FROM nb11_feed"), "SQLite rejected the SQL: near \"SELEKT\": syntax error");
        OutOfRange("repeats", () => feed.AtDepth(0, 5, 0));
        OutOfRange("repeats", () => feed.AtDepth(0, 5, 51));
        OutOfRange("size", () => feed.AtDepth(0, 0));
        OutOfRange("count", () => feed.InsertNewest(-1));
        OutOfRange("count", () => feed.InsertNewest(100_001));
        Null("ids", () => feed.Delete(null!));
        OutOfRange("size", () => feed.WalkAll(PagingKind.Offset, 0));
        OutOfRange("size", () => feed.WalkAll(PagingKind.KeysetComposite, 10_001));
    }

    [Fact]
    public void Paging_consistency_refuses_a_table_too_small_for_two_pages_plus_the_inserts()
    {
        OutOfRange("pageSize", () => PagingConsistency.Run(PagingKind.Offset, 100, 0, 0, 0));
        OutOfRange("pageSize", () => PagingConsistency.Run(PagingKind.Offset, 100_000, 1001, 0, 0));
        OutOfRange("rows", () => PagingConsistency.Run(PagingKind.Offset, 39, 20, 0, 0));
        OutOfRange("rows", () => PagingConsistency.Run(PagingKind.Offset, 44, 20, 5, 0));
        OutOfRange("rows", () => PagingConsistency.Run(PagingKind.Offset, 1_000_001, 20, 0, 0));
        OutOfRange("deleted", () => PagingConsistency.Run(PagingKind.Offset, 100, 20, 0, 21));
        OutOfRange("deleted", () => PagingConsistency.Run(PagingKind.Offset, 100, 20, 0, -1));
        // the smallest accepted table: exactly two pages plus the inserted rows
        Assert.Equal(0, PagingConsistency.Run(PagingKind.Offset, 45, 20, 5, 0).Skipped);
    }

    [Fact]
    public void Cursors_need_a_secret_of_16_bytes_and_refuse_malformed_input_by_name()
    {
        var key = new FeedKey(1_700_000_000, 62);
        Null("secret", () => OpaqueCursor.Encode(key, null!));
        Invalid("secret", () => OpaqueCursor.Encode(key, new byte[15]), "the secret needs at least 16 bytes");
        string c = OpaqueCursor.Encode(key, new byte[16]);
        Null("cursor", () => OpaqueCursor.Decode(null!, new byte[16]));
        Invalid("cursor", () => OpaqueCursor.Decode("", new byte[16]), "cursor must not be empty.");
        Null("secret", () => OpaqueCursor.Decode(c, null!));
        Invalid("secret", () => OpaqueCursor.Decode(c, new byte[15]), "the secret needs at least 16 bytes");
        Invalid("cursor", () => OpaqueCursor.Decode("!!!!", new byte[16]), "the cursor is not base64url");
        Invalid("cursor", () => OpaqueCursor.Decode(c[..28], new byte[16]), "the cursor has the wrong length");
        Invalid("cursor", () => OpaqueCursor.Decode(c[..30], new byte[16]), "the cursor has the wrong length");
        Invalid("cursor", () => OpaqueCursor.Decode(c[..31], new byte[16]), "the cursor has the wrong length");
        Invalid("cursor", () => OpaqueCursor.Decode(c + "AAAA", new byte[16]), "the cursor has the wrong length");
        Invalid("cursor", () => OpaqueCursor.Decode(c, Enumerable.Repeat((byte)1, 16).ToArray()),
            "the cursor was altered (its HMAC does not match)");
    }

    [Fact]
    public void Sharded_feed_refuses_bad_sizes_and_timestamp_only_paging()
    {
        OutOfRange("rows", () => new ShardedFeed(0, 2));
        OutOfRange("rows", () => new ShardedFeed(1_000_001, 2));
        OutOfRange("shards", () => new ShardedFeed(10, 0));
        OutOfRange("shards", () => new ShardedFeed(10, 65));
        using var feed = new ShardedFeed(10, 2);
        OutOfRange("size", () => feed.Walk(PagingKind.Offset, 0, 1));
        OutOfRange("size", () => feed.Walk(PagingKind.Offset, 1001, 1));
        OutOfRange("pages", () => feed.Walk(PagingKind.Offset, 5, 0));
        OutOfRange("pages", () => feed.Walk(PagingKind.Offset, 5, 10_001));
        Invalid("kind", () => feed.Walk(PagingKind.KeysetTimestampOnly, 5, 1), "shards are paged by offset or by the composite key");
    }

    [Fact]
    public void Graph_stores_and_servers_refuse_missing_stores_queries_and_bad_counts()
    {
        OutOfRange("users", () => new SqliteUserStore(0, 1));
        OutOfRange("users", () => new SqliteUserStore(10_001, 1));
        OutOfRange("postsPerUser", () => new SqliteUserStore(1, -1));
        OutOfRange("postsPerUser", () => new SqliteUserStore(1, 101));
        using var store = new SqliteUserStore(2, 0);
        OutOfRange("first", () => store.Users(0));
        OutOfRange("first", () => store.Users(10_001));
        Null("users", () => new UserGraph((IReadOnlyList<User>)null!));
        Null("store", () => new UserGraph(null!, batched: true));
        var graph = new UserGraph(store, batched: false);
        Null("query", () => graph.Execute(null!));
        Invalid("query", () => graph.Execute(""), "query must not be empty.");
        Null("store", () => ApiServer.StartAsync(null!).GetAwaiter().GetResult());
        Null("store", () => ApiServer.Start(null!));
        Null("server", () => new ApiClients(null!));
        using var clients = new ApiClients(new Uri("http://127.0.0.1:9"));   // nothing is sent before the guards
        Invalid("query", () => clients.GraphQl("", 1));
        OutOfRange("calls", () => clients.Compare(1, new[] { "name" }, 0));
        OutOfRange("calls", () => clients.Compare(1, new[] { "name" }, 1001));
        Null("fields", () => clients.Compare(1, null!, 1));
        Invalid("fields", () => clients.Compare(1, Array.Empty<string>(), 1), "fields must contain at least one element.");
    }

    [Fact]
    public void Postgres_entries_refuse_missing_connections_and_bad_sizes_before_touching_the_server()
    {
        using var unopened = new NpgsqlConnection();
        Null("db", () => PgFeed.Create(null!, 10));
        OutOfRange("rows", () => PgFeed.Create(unopened, 0));
        OutOfRange("rows", () => PgFeed.Create(unopened, 5_000_001));
        OutOfRange("rowsPerSecond", () => PgFeed.Create(unopened, 10, 0));
        OutOfRange("rowsPerSecond", () => PgFeed.Create(unopened, 10, 1001));
        Null("db", () => PgFeed.Drop(null!));
        OutOfRange("offset", () => PgFeed.KeyAt(unopened, -1));
        Null("db", () => PgFeed.KeyAt(null!, 0));
        Null("db", () => PgFeed.AtDepth(null!, 0, 10));
        OutOfRange("size", () => PgFeed.AtDepth(unopened, 0, 0));
        OutOfRange("size", () => PgFeed.AtDepth(unopened, 0, 10_001));
        Null("sql", () => PgFeed.Explain(unopened, "k", 0, null!));
        Invalid("sql", () => PgFeed.Explain(unopened, "k", 0, ""));
        Null("db", () => PgFeed.Explain(null!, "k", 0, "SELECT 1"));
        Null("connectionString", () => new PaymentsApi(null!));
        Invalid("connectionString", () => new PaymentsApi(""), "connectionString must not be empty.");
        var api = new PaymentsApi("Host=127.0.0.1;Port=9;Timeout=1");     // the guards run before any connection
        Null("key", () => api.Pay(null!, 1));
        Invalid("key", () => api.Pay("", 1), "key must not be empty.");
        OutOfRange("amount", () => api.Pay("k", 0));
        OutOfRange("clients", () => api.ConcurrentRetries("k", 1, 1));
        OutOfRange("clients", () => api.ConcurrentRetries("k", 1, 33));
    }
}
