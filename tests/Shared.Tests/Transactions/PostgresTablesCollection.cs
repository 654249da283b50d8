namespace SystemDesign.Tests.Transactions;

/// <summary>
/// The Transactions experiments on PostgreSQL share fixed tables (nb05_kv, nb05_accounts, …) and read the server
/// from <c>Servers.PostgresConnectionString</c>, so their test classes run one at a time: in parallel, one class
/// dropped the table another was reading (a loaded CI rehearsal: "relation nb05_kv does not exist").
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresTablesCollection
{
    public const string Name = "nb05 PostgreSQL tables, one class at a time";
}
