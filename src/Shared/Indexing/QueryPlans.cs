using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SystemDesign.Indexing;

/// <summary>
/// One node of a PostgreSQL plan, from <c>EXPLAIN (FORMAT JSON)</c>. Counters that only
/// <c>EXPLAIN ANALYZE</c> (with BUFFERS or WAL) fills in are null or 0 otherwise.
/// </summary>
public sealed record PlanNode(
    string NodeType,
    string? Relation,
    string? Index,
    string? IndexCond,
    string? Filter,
    double PlanRows,
    double? ActualRows,
    long? HeapFetches,
    long SharedHit,
    long SharedRead,
    long WalRecords,
    IReadOnlyList<PlanNode> Children)
{
    /// <summary>This node and every node below it, depth first.</summary>
    public IEnumerable<PlanNode> Walk() => new[] { this }.Concat(Children.SelectMany(c => c.Walk()));

    /// <summary>Buffers (8 KB pages) this node touched, its children included: shared hit + read.</summary>
    public long Buffers => SharedHit + SharedRead;

    /// <summary>Index names used anywhere in the plan.</summary>
    public IReadOnlyList<string> IndexesUsed => Walk().Select(n => n.Index).OfType<string>().Distinct().ToArray();

    /// <summary>
    /// How the table is read: the top-most node among Seq Scan, Index Scan, Index Only Scan and
    /// Bitmap Heap Scan (the last one always sits over Bitmap Index Scans, possibly joined by BitmapOr/BitmapAnd).
    /// </summary>
    public string Access => Walk().FirstOrDefault(n => QueryPlans.TableAccessNodes.Contains(n.NodeType))?.NodeType ?? NodeType;

    /// <summary>The plan as indented text, one node a line with its index and conditions.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        Append(sb, 0);
        return sb.ToString().TrimEnd();
    }

    /// <summary>One line: node types from the top, e.g. "Bitmap Heap Scan ← BitmapOr ← Bitmap Index Scan (a_idx) + Bitmap Index Scan (b_idx)".</summary>
    public string Summary()
    {
        string self = Index is null ? NodeType : $"{NodeType} ({Index})";
        return Children.Count == 0 ? self : self + " ← " + string.Join(" + ", Children.Select(c => c.Summary()));
    }

    private void Append(StringBuilder sb, int depth)
    {
        sb.Append(' ', depth * 2).Append(NodeType);
        if (Index is not null) sb.Append(" using ").Append(Index);
        if (Relation is not null) sb.Append(" on ").Append(Relation);
        if (IndexCond is not null) sb.Append("  [cond: ").Append(IndexCond).Append(']');
        if (Filter is not null) sb.Append("  [filter: ").Append(Filter).Append(']');
        if (HeapFetches is not null) sb.Append("  [heap fetches: ").Append(HeapFetches).Append(']');
        sb.AppendLine();
        foreach (var c in Children) c.Append(sb, depth + 1);
    }
}

/// <summary>What SQLite's EXPLAIN QUERY PLAN said about one step.</summary>
public enum SqliteAccess
{
    /// <summary>"SCAN t …": every row of the table (or every entry of an index) is read.</summary>
    Scan,

    /// <summary>"SEARCH t USING … INDEX i (…)": a seek on a key prefix.</summary>
    Search,

    /// <summary>"MULTI-INDEX OR": each arm of an OR is looked up in its own index.</summary>
    MultiIndexOr,

    Other,
}

/// <summary>One row of SQLite's EXPLAIN QUERY PLAN, parsed.</summary>
public sealed record SqlitePlanStep(int Id, int Parent, string Detail, SqliteAccess Access, string? Table, string? Index, bool Covering, string? Constraint);

/// <summary>A SQLite plan: its steps in output order.</summary>
public sealed record SqlitePlan(IReadOnlyList<SqlitePlanStep> Steps)
{
    /// <summary>The first step that reads a table, or the MULTI-INDEX OR step.</summary>
    public SqliteAccess Access => Steps.FirstOrDefault(s => s.Access != SqliteAccess.Other)?.Access ?? SqliteAccess.Other;

    public IReadOnlyList<string> IndexesUsed => Steps.Select(s => s.Index).OfType<string>().Distinct().ToArray();

    /// <summary>The plan's details joined by " | ".</summary>
    public string Text => string.Join(" | ", Steps.Select(s => s.Detail));
}

/// <summary>
/// Runs EXPLAIN on PostgreSQL and SQLite and parses the answers into types, so a notebook can check what a
/// planner chose (Seq Scan, Index Scan, Index Only Scan, Bitmap Heap Scan; SCAN or SEARCH … USING INDEX)
/// instead of eyeballing text.
/// </summary>
public static partial class QueryPlans
{
    /// <summary>PostgreSQL node types that read a table's rows.</summary>
    public static readonly IReadOnlySet<string> TableAccessNodes = new HashSet<string> { "Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan" };

    /// <summary>
    /// EXPLAIN (FORMAT JSON) of a statement. With <paramref name="analyze"/> the statement runs, and the plan
    /// carries actual rows, buffers and WAL counters: run data-changing statements inside a transaction you roll back.
    /// </summary>
    public static PlanNode ExplainPostgres(NpgsqlConnection connection, string sql, bool analyze = false, NpgsqlTransaction? transaction = null)
    {
        Guard.NotNull(connection);
        Guard.NotEmpty(sql);
        string options = analyze ? "ANALYZE, BUFFERS, WAL, TIMING OFF, FORMAT JSON" : "FORMAT JSON";
        using var cmd = new NpgsqlCommand($"EXPLAIN ({options}) {sql}", connection, transaction);
        return ParsePostgresJson((string)cmd.ExecuteScalar()!);
    }

    /// <summary>Parses EXPLAIN (FORMAT JSON) output: an array holding one object whose "Plan" is the root.</summary>
    public static PlanNode ParsePostgresJson(string json)
    {
        Guard.NotEmpty(json);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Array) root = root[0];
        Guard.That(root.TryGetProperty("Plan", out var plan), "the JSON has no \"Plan\" object: is it EXPLAIN (FORMAT JSON) output?", nameof(json));
        return Node(plan);
    }

    private static PlanNode Node(JsonElement e)
    {
        string? S(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        double? D(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        var children = e.TryGetProperty("Plans", out var plans) ? plans.EnumerateArray().Select(Node).ToArray() : [];
        return new PlanNode(
            S("Node Type") ?? "?",
            S("Relation Name"),
            S("Index Name"),
            S("Index Cond") ?? S("Recheck Cond"),
            S("Filter"),
            D("Plan Rows") ?? 0,
            D("Actual Rows"),
            (long?)D("Heap Fetches"),
            (long)(D("Shared Hit Blocks") ?? 0),
            (long)(D("Shared Read Blocks") ?? 0),
            (long)(D("WAL Records") ?? 0),
            children);
    }

    /// <summary>EXPLAIN QUERY PLAN of a SQLite statement.</summary>
    public static SqlitePlan ExplainSqlite(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        Guard.NotNull(connection);
        Guard.NotEmpty(sql);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<(int, int, string)>();
        while (reader.Read()) rows.Add((reader.GetInt32(0), reader.GetInt32(1), reader.GetString(3)));
        return ParseSqlite(rows);
    }

    /// <summary>Parses EXPLAIN QUERY PLAN rows (id, parent, detail).</summary>
    public static SqlitePlan ParseSqlite(IEnumerable<(int Id, int Parent, string Detail)> rows)
    {
        Guard.NotNull(rows);
        return new SqlitePlan(rows.Select(r => ParseSqliteStep(r.Id, r.Parent, r.Detail)).ToArray());
    }

    internal static SqlitePlanStep ParseSqliteStep(int id, int parent, string detail)
    {
        Guard.NotNull(detail);
        if (detail.StartsWith("MULTI-INDEX OR", StringComparison.Ordinal))
            return new SqlitePlanStep(id, parent, detail, SqliteAccess.MultiIndexOr, null, null, false, null);
        var m = SqliteStep().Match(detail);
        if (!m.Success) return new SqlitePlanStep(id, parent, detail, SqliteAccess.Other, null, null, false, null);
        var access = m.Groups["op"].Value == "SEARCH" ? SqliteAccess.Search : SqliteAccess.Scan;
        string? index = m.Groups["index"].Success ? m.Groups["index"].Value : m.Groups["pk"].Success ? "PRIMARY KEY" : null;
        return new SqlitePlanStep(id, parent, detail, access, m.Groups["table"].Value, index,
            m.Groups["covering"].Success, m.Groups["cons"].Success ? m.Groups["cons"].Value : null);
    }

    // SEARCH users USING COVERING INDEX cov (user_id=?) · SCAN users · SEARCH t USING INTEGER PRIMARY KEY (rowid=?)
    [GeneratedRegex(@"^(?<op>SEARCH|SCAN) (?:TABLE )?(?<table>\S+)(?: AS \S+)?(?: USING (?:(?<covering>COVERING )?INDEX (?<index>\S+)|(?<pk>INTEGER PRIMARY KEY|PRIMARY KEY)))?(?: \((?<cons>.*)\))?$")]
    private static partial Regex SqliteStep();
}
