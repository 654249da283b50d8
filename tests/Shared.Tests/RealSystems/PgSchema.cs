using Npgsql;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.RealSystems;

/// <summary>
/// A schema of its own on the shared PostgreSQL for one test. The library's classes use fixed table names
/// (nb06_jobs, nb11_*, nb13_products), so two tests at once (parallel classes, a notebook run, or a mutation
/// run's two test processes) would otherwise drop or count each other's tables. Connections opened from
/// <see cref="ConnectionString"/> (and <see cref="Connection"/>) have it as their search_path; disposing drops it
/// with everything in it.
/// </summary>
internal sealed class PgSchema : IDisposable
{
    private NpgsqlConnection? _connection;

    public PgSchema()
    {
        using var admin = RealSystem.RequirePostgres();
        using (var c = new NpgsqlCommand($"CREATE SCHEMA {Name}", admin)) c.ExecuteNonQuery();
        ConnectionString = new NpgsqlConnectionStringBuilder(Servers.PostgresConnectionString) { SearchPath = Name }.ConnectionString;
    }

    public string Name { get; } = "t_" + Guid.NewGuid().ToString("N")[..16];

    public string ConnectionString { get; }

    /// <summary>One open connection in the schema, for tests that need only one; closed on dispose.</summary>
    public NpgsqlConnection Connection => _connection ??= Open();

    public NpgsqlConnection Open()
    {
        var db = new NpgsqlConnection(ConnectionString);
        db.Open();
        return db;
    }

    public object? Scalar(string sql)
    {
        using var c = new NpgsqlCommand(sql, Connection);
        return c.ExecuteScalar();
    }

    public T Scalar<T>(string sql) => (T)Scalar(sql)!;

    public void Dispose()
    {
        _connection?.Dispose();
        using var admin = new NpgsqlConnection(Servers.PostgresConnectionString);
        admin.Open();
        using var c = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Name} CASCADE", admin);
        c.ExecuteNonQuery();
    }
}
