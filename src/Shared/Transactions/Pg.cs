using Npgsql;
using SystemDesign.RealSystems;

namespace SystemDesign.Transactions;

/// <summary>Small helpers shared by the PostgreSQL experiments of this area.</summary>
internal static class Pg
{
    /// <summary>Table names of this notebook start with this prefix; other notebooks share the server.</summary>
    public const string Prefix = "nb05_";

    /// <summary>Another connection to the same server, for a second concurrent session.</summary>
    public static NpgsqlConnection OpenSibling()
    {
        // Error details carry PostgreSQL's reason codes ("Canceled on identification as a pivot, …").
        var b = new NpgsqlConnectionStringBuilder(Servers.PostgresConnectionString) { IncludeErrorDetail = true };
        var c = new NpgsqlConnection(b.ConnectionString);
        c.Open();
        // Durability is not what these experiments measure; waiting for a WAL flush per commit only slows them.
        Exec(c, "SET synchronous_commit = off");
        return c;
    }

    public static int Exec(NpgsqlConnection c, string sql, params (string Name, object Value)[] args)
    {
        using var cmd = Command(c, sql, args);
        return cmd.ExecuteNonQuery();
    }

    public static T Scalar<T>(NpgsqlConnection c, string sql, params (string Name, object Value)[] args)
    {
        using var cmd = Command(c, sql, args);
        object? v = cmd.ExecuteScalar();
        return v is null or DBNull ? default! : (T)Convert.ChangeType(v, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static List<T> Rows<T>(NpgsqlConnection c, string sql, Func<NpgsqlDataReader, T> map, params (string Name, object Value)[] args)
    {
        using var cmd = Command(c, sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(map(r));
        return list;
    }

    public static NpgsqlCommand Command(NpgsqlConnection c, string sql, params (string Name, object Value)[] args)
    {
        var cmd = new NpgsqlCommand(sql, c);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    /// <summary>Rolls back whatever transaction the session is in; harmless outside one.</summary>
    public static void Reset(NpgsqlConnection c)
    {
        try { Exec(c, "ROLLBACK"); } catch (PostgresException) { }
    }

    public static bool IsSerializationFailure(PostgresException e) => e.SqlState == PostgresErrorCodes.SerializationFailure;

    /// <summary>SHOW a setting as text.</summary>
    public static string Show(NpgsqlConnection c, string setting)
    {
        Guard.That(setting.All(ch => char.IsLetterOrDigit(ch) || ch == '_'), $"setting must be a plain name; got '{setting}'.", nameof(setting));
        return Scalar<string>(c, "SHOW " + setting);
    }
}
