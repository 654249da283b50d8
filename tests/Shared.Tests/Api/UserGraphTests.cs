using Grpc.Core;
using SystemDesign.Api;
using SystemDesign.Api.Proto;

namespace SystemDesign.Tests.Api;

public sealed class UserStoreTests
{
    [Fact]
    public void The_memory_store_counts_every_call_and_has_no_posts()
    {
        var store = new MemoryUserStore(SampleUsers.Page(3));
        Assert.Equal(0, store.Queries);
        Assert.Equal(SampleUsers.Make(2), store.User(2));
        Assert.Null(store.User(4));
        Assert.Equal(new long[] { 1, 2 }, store.Users(2).Select(u => u.Id));
        Assert.Equal(3, store.Users(10).Count);
        Assert.Empty(store.PostsOf(1));
        Assert.Empty(store.PostsOf(new long[] { 1, 2 }));
        Assert.Equal(6, store.Queries);
    }

    [Fact]
    public void The_sqlite_store_holds_the_seeded_users_and_their_posts_and_counts_each_select()
    {
        using var store = new SqliteUserStore(users: 3, postsPerUser: 2, seed: 4);
        Assert.Equal(0, store.Queries);
        Assert.Equal(SampleUsers.Make(2, 4), store.User(2));
        Assert.Null(store.User(4));
        Assert.Equal(new[] { SampleUsers.Make(1, 4), SampleUsers.Make(2, 4) }, store.Users(2));
        Assert.Equal(3, store.Users(10_000).Count);
        Assert.Equal(new[] { new Post { Id = 3, UserId = 2, Title = "Post 1 by user 2" }, new Post { Id = 4, UserId = 2, Title = "Post 2 by user 2" } },
            store.PostsOf(2));
        Assert.Equal(new long[] { 1, 2, 5, 6 }, store.PostsOf(new long[] { 3, 1 }).Select(p => p.Id));
        Assert.Equal(6, store.Queries);
        Assert.Empty(store.PostsOf(Array.Empty<long>()));
        Assert.Equal(6, store.Queries);                      // an empty batch sends nothing
        using var none = new SqliteUserStore(users: 1, postsPerUser: 0);
        Assert.Empty(none.PostsOf(1));
        Assert.Equal(SampleUsers.Make(1), none.User(1));
    }

    [Fact]
    public async Task The_posts_loader_sends_one_query_for_every_load_made_before_the_first_result()
    {
        using var store = new SqliteUserStore(users: 3, postsPerUser: 2);
        var loader = new PostsLoader(store);
        var one = loader.Load(1);
        var three = loader.Load(3);
        var again = loader.Load(1);
        Assert.Equal(0, loader.Batches);
        Assert.Equal(0, store.Queries);
        Assert.Equal(new long[] { 1, 2 }, (await one.GetResultAsync()).Select(p => p.Id));
        Assert.Equal(1, loader.Batches);
        Assert.Equal(1, store.Queries);
        Assert.Equal(new long[] { 5, 6 }, (await three.GetResultAsync()).Select(p => p.Id));
        Assert.Equal(new long[] { 1, 2 }, ((Post[])(await ((GraphQL.DataLoader.IDataLoaderResult)again).GetResultAsync())!).Select(p => p.Id));
        Assert.Equal(1, store.Queries);
        var cached = loader.Load(3);                          // already loaded: no new batch
        Assert.Equal(2, (await cached.GetResultAsync()).Length);
        Assert.Equal(1, loader.Batches);
        var two = loader.Load(2);
        Assert.Equal(new[] { "Post 1 by user 2", "Post 2 by user 2" }, (await two.GetResultAsync()).Select(p => p.Title));
        Assert.Equal(2, loader.Batches);
        Assert.Equal(2, store.Queries);
    }

    [Fact]
    public async Task A_loader_result_for_a_user_never_loaded_is_empty()
    {
        var store = new MemoryUserStore(SampleUsers.Page(1));
        var loader = new PostsLoader(store);
        Assert.Empty(await loader.Load(9).GetResultAsync());
        Assert.Equal(1, loader.Batches);
        Assert.Equal(1, store.Queries);
    }
}

public sealed class UserGraphTests
{
    [Fact]
    public void A_query_returns_exactly_the_selected_fields_of_the_user_with_their_graphql_types()
    {
        var users = SampleUsers.Page(3);
        var graph = new UserGraph(users);
        Assert.True(graph.Batched);
        var u = users[1];
        Assert.Equal($"{{\"data\":{{\"user\":{{\"id\":2,\"name\":\"{u.Name}\",\"followers\":{u.Followers},\"verified\":{(u.Verified ? "true" : "false")},"
                     + $"\"storageBytes\":{u.StorageBytes},\"posts\":[]}}}}}}",
            graph.Execute("{ user(id: 2) { id name followers verified storageBytes posts { id } } }"));
        Assert.Equal("{\"data\":{\"user\":null}}", graph.Execute("{ user(id: 9) { id } }"));
        Assert.Equal("{\"data\":{\"users\":[{\"id\":1},{\"id\":2}]}}", graph.Execute("{ users(first: 2) { id } }"));
        Assert.Contains("Cannot query field", graph.Execute("{ nope }"));
        Assert.Equal("{\"data\":{\"__typename\":\"Query\",\"user\":{\"__typename\":\"User\"}}}", graph.Execute("{ __typename user(id: 1) { __typename } }"));
    }

    [Fact]
    public async Task Every_user_field_resolves_to_the_protobuf_value()
    {
        var u = SampleUsers.Make(1);
        var graph = new UserGraph(new[] { u });
        string json = await graph.ExecuteAsync("{ user(id: 1) { " + string.Join(" ", SampleUsers.FieldNames) + " } }");
        Assert.Equal("{\"data\":{\"user\":" + System.Text.Encoding.UTF8.GetString(Payloads.RestJson(new[] { u })) + "}}",
            json.Replace("+", "\\u002B"));
    }

    [Fact]
    public void Posts_resolve_per_user_or_batched_to_the_same_json()
    {
        using var store = new SqliteUserStore(users: 2, postsPerUser: 2);
        var naive = new UserGraph(store, batched: false);
        var batched = new UserGraph(store, batched: true);
        Assert.False(naive.Batched);
        const string expected = "{\"data\":{\"users\":[{\"id\":1,\"posts\":[{\"id\":1,\"title\":\"Post 1 by user 1\"},{\"id\":2,\"title\":\"Post 2 by user 1\"}]},"
                              + "{\"id\":2,\"posts\":[{\"id\":3,\"title\":\"Post 1 by user 2\"},{\"id\":4,\"title\":\"Post 2 by user 2\"}]}]}}";
        int q0 = store.Queries;
        Assert.Equal(expected, naive.Execute("{ users(first: 2) { id posts { id title } } }"));
        Assert.Equal(3, store.Queries - q0);
        Assert.Equal(expected, batched.Execute("{ users(first: 2) { id posts { id title } } }"));
        Assert.Equal(5, store.Queries - q0);
        Assert.Equal("{\"data\":{\"user\":{\"posts\":[{\"__typename\":\"Post\"},{\"__typename\":\"Post\"}]}}}",
            batched.Execute("{ user(id: 1) { posts { __typename } } }"));
    }

    [Fact]
    public void The_grpc_service_returns_the_stored_user_or_not_found()
    {
        var service = new UsersGrpcService(new MemoryUserStore(SampleUsers.Page(2)));
        Assert.Equal(SampleUsers.Make(2), service.GetUser(new UserRequest { Id = 2 }, null!).Result);
        var e = Assert.Throws<RpcException>(() => { _ = service.GetUser(new UserRequest { Id = 5 }, null!); });   // thrown before a Task exists
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("no user 5", e.Status.Detail);
    }
}
