using GraphQL;
using GraphQL.DataLoader;
using GraphQL.SystemTextJson;
using GraphQL.Types;
using Google.Protobuf.Reflection;
using Microsoft.Data.Sqlite;
using SystemDesign.Api.Proto;

namespace SystemDesign.Api;

/// <summary>Where the API's users and posts come from; <see cref="Queries"/> counts the round trips to it.</summary>
public interface IUserStore
{
    User? User(long id);
    IReadOnlyList<User> Users(int first);
    IReadOnlyList<Post> PostsOf(long userId);
    /// <summary>One query for the posts of many users: what a DataLoader batches into.</summary>
    IReadOnlyList<Post> PostsOf(IReadOnlyCollection<long> userIds);
    int Queries { get; }
}

/// <summary>Users in memory (the visualizer's payloads); no posts.</summary>
public sealed class MemoryUserStore(IReadOnlyList<User> users) : IUserStore
{
    private int _queries;
    public int Queries => _queries;
    public User? User(long id) { Interlocked.Increment(ref _queries); return users.FirstOrDefault(u => u.Id == id); }
    public IReadOnlyList<User> Users(int first) { Interlocked.Increment(ref _queries); return users.Take(first).ToArray(); }
    public IReadOnlyList<Post> PostsOf(long userId) { Interlocked.Increment(ref _queries); return Array.Empty<Post>(); }
    public IReadOnlyList<Post> PostsOf(IReadOnlyCollection<long> userIds) { Interlocked.Increment(ref _queries); return Array.Empty<Post>(); }
}

/// <summary>
/// Users and posts in a real SQLite database (tables nb11_users, nb11_posts); every SELECT it sends is counted,
/// so N+1 and batching show up as query counts. Thread-safe (one lock around the connection).
/// </summary>
public sealed class SqliteUserStore : IUserStore, IDisposable
{
    private readonly SqliteConnection _db;
    private readonly object _gate = new();
    private int _queries;

    public SqliteUserStore(int users, int postsPerUser, int seed = 1)
    {
        Guard.InRange(users, 1, 10_000);
        Guard.InRange(postsPerUser, 0, 100);
        _db = new SqliteConnection("Data Source=:memory:");
        _db.Open();
        Exec("CREATE TABLE nb11_users (id INTEGER PRIMARY KEY, blob BLOB NOT NULL);"
           + "CREATE TABLE nb11_posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title TEXT NOT NULL);"
           + "CREATE INDEX nb11_posts_user ON nb11_posts (user_id);");
        using var tx = _db.BeginTransaction();
        using var u = Cmd("INSERT INTO nb11_users VALUES ($id, $b)");
        using var p = Cmd("INSERT INTO nb11_posts (user_id, title) VALUES ($u, $t)");
        for (int i = 1; i <= users; i++)
        {
            u.Parameters.AddWithValue("$id", i); u.Parameters.AddWithValue("$b", Google.Protobuf.MessageExtensions.ToByteArray(SampleUsers.Make(i, seed)));
            u.ExecuteNonQuery(); u.Parameters.Clear();
            for (int j = 0; j < postsPerUser; j++)
            {
                p.Parameters.AddWithValue("$u", i); p.Parameters.AddWithValue("$t", $"Post {j + 1} by user {i}");
                p.ExecuteNonQuery(); p.Parameters.Clear();
            }
        }
        tx.Commit();
    }

    public int Queries => Volatile.Read(ref _queries);

    public User? User(long id) => Read("SELECT blob FROM nb11_users WHERE id = " + id, r => Proto.User.Parser.ParseFrom((byte[])r[0])).FirstOrDefault();

    public IReadOnlyList<User> Users(int first) =>
        Read($"SELECT blob FROM nb11_users ORDER BY id LIMIT {Guard.InRange(first, 1, 10_000)}", r => Proto.User.Parser.ParseFrom((byte[])r[0]));

    public IReadOnlyList<Post> PostsOf(long userId) =>
        Read("SELECT id, user_id, title FROM nb11_posts WHERE user_id = " + userId + " ORDER BY id", ToPost);

    public IReadOnlyList<Post> PostsOf(IReadOnlyCollection<long> userIds) =>
        userIds.Count == 0 ? Array.Empty<Post>()
        : Read($"SELECT id, user_id, title FROM nb11_posts WHERE user_id IN ({string.Join(",", userIds)}) ORDER BY id", ToPost);

    private static Post ToPost(SqliteDataReader r) => new() { Id = r.GetInt64(0), UserId = r.GetInt64(1), Title = r.GetString(2) };

    private List<T> Read<T>(string sql, Func<SqliteDataReader, T> map)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _queries);
            using var c = Cmd(sql);
            using var r = c.ExecuteReader();
            var list = new List<T>();
            while (r.Read()) list.Add(map(r));
            return list;
        }
    }

    private void Exec(string sql) { using var c = Cmd(sql); c.ExecuteNonQuery(); }
    private SqliteCommand Cmd(string sql) { var c = _db.CreateCommand(); c.CommandText = sql; return c; }
    public void Dispose() => _db.Dispose();
}

/// <summary>
/// A per-request batch loader for posts: every <see cref="Load"/> made while the executor resolves one level of
/// the query is remembered, and the first result awaited sends ONE query for all of them (the DataLoader pattern;
/// graphql-dotnet v8 defers <see cref="IDataLoaderResult"/> values until the level is done). The package holding
/// graphql-dotnet's own DataLoader is not served here, so this is ours, on the main package's interface.
/// </summary>
public sealed class PostsLoader(IUserStore store)
{
    private readonly object _gate = new();
    private readonly HashSet<long> _pending = new();
    private readonly Dictionary<long, Post[]> _loaded = new();

    public int Batches { get; private set; }

    public IDataLoaderResult<Post[]> Load(long userId)
    {
        lock (_gate) if (!_loaded.ContainsKey(userId)) _pending.Add(userId);
        return new Result(this, userId);
    }

    private Post[] Get(long userId)
    {
        lock (_gate)
        {
            if (_pending.Count > 0)
            {
                var posts = store.PostsOf(_pending.ToArray());
                Batches++;
                foreach (var id in _pending) _loaded[id] = posts.Where(p => p.UserId == id).ToArray();
                _pending.Clear();
            }
            return _loaded.TryGetValue(userId, out var found) ? found : Array.Empty<Post>();
        }
    }

    private sealed class Result(PostsLoader loader, long userId) : IDataLoaderResult<Post[]>
    {
        public Task<Post[]> GetResultAsync(CancellationToken cancellationToken = default) => Task.FromResult(loader.Get(userId));
        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}

/// <summary>
/// The GraphQL schema of the user resource, executed by graphql-dotnet: <c>user(id)</c>, <c>users(first)</c>, every
/// field of <c>api.proto</c>'s User, and <c>posts</c> resolved either one query per user (N+1) or through a
/// <see cref="PostsLoader"/> (batched).
/// </summary>
public sealed class UserGraph
{
    private readonly ISchema _schema;
    private readonly IUserStore _store;
    private readonly DocumentExecuter _executer = new();
    private readonly GraphQLSerializer _serializer = new();

    public UserGraph(IReadOnlyList<User> users) : this(new MemoryUserStore(Guard.NotNull(users)), batched: true) { }

    public UserGraph(IUserStore store, bool batched)
    {
        _store = Guard.NotNull(store);
        Batched = batched;
        var postType = new ObjectGraphType<Post> { Name = "Post" };
        postType.Field<NonNullGraphType<LongGraphType>>("id").Resolve(c => c.Source.Id);
        postType.Field<NonNullGraphType<StringGraphType>>("title").Resolve(c => c.Source.Title);
        var userType = new ObjectGraphType<User> { Name = "User" };
        foreach (var f in User.Descriptor.Fields.InFieldNumberOrder())
            userType.Field(f.JsonName, GraphType(f)).Resolve(c => f.Accessor.GetValue(c.Source));
        userType.Field("posts", new ListGraphType(new NonNullGraphType(postType))).Resolve(c => batched
            ? ((PostsLoader)c.UserContext["posts"]!).Load(c.Source.Id)
            : _store.PostsOf(c.Source.Id));
        var query = new ObjectGraphType { Name = "Query" };
        query.Field("user", userType).Argument<NonNullGraphType<LongGraphType>>("id")
             .Resolve(c => _store.User(c.GetArgument<long>("id")));
        query.Field("users", new ListGraphType(new NonNullGraphType(userType)))
             .Argument<NonNullGraphType<IntGraphType>>("first")
             .Resolve(c => _store.Users(c.GetArgument<int>("first")));
        _schema = new Schema { Query = query };
        _schema.Initialize();
    }

    public bool Batched { get; }

    private static Type GraphType(FieldDescriptor f) => f.FieldType switch
    {
        Google.Protobuf.Reflection.FieldType.String => typeof(StringGraphType),
        Google.Protobuf.Reflection.FieldType.Int64 => typeof(LongGraphType),
        Google.Protobuf.Reflection.FieldType.Int32 => typeof(IntGraphType),
        Google.Protobuf.Reflection.FieldType.Bool => typeof(BooleanGraphType),
        _ => throw new NotSupportedException(f.FieldType.ToString()),
    };

    /// <summary>Runs <paramref name="query"/> and returns the JSON response (<c>{"data":…}</c> or errors).</summary>
    public async Task<string> ExecuteAsync(string query, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(query);
        var result = await _executer.ExecuteAsync(new ExecutionOptions
        {
            Schema = _schema, Query = query, CancellationToken = cancellationToken,
            UserContext = new Dictionary<string, object?> { ["posts"] = new PostsLoader(_store) },
        });
        return _serializer.Serialize(result);
    }

    public string Execute(string query) => ExecuteAsync(query).GetAwaiter().GetResult();
}
