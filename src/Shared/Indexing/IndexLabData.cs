namespace SystemDesign.Indexing;

/// <summary>One row of the users table the index experiments query, in PostgreSQL and SQLite alike.</summary>
public sealed record UserRow(int Id, int UserId, DateTime CreatedAt, string Status, string Email, string Name, decimal Total, int A);

/// <summary>
/// The seeded data set behind the planner experiments: the same rows go into PostgreSQL and SQLite, so both
/// planners answer the same question. Columns are chosen for the guide's cases: user_id with about 10 rows per
/// value (selective), status with a 90/9.5/0.5% skew (low selectivity), mixed-case e-mails (functions), surnames
/// with shared suffixes (wildcards), and a uniform column a in 0..99 999 (a selectivity dial).
/// </summary>
public static class IndexLabData
{
    /// <summary>Status shares: 90% active, 9.5% inactive, 0.5% banned.</summary>
    public static readonly IReadOnlyList<(string Status, double Share)> StatusShares = [("active", 0.90), ("inactive", 0.095), ("banned", 0.005)];

    /// <summary>Surnames; several end in "smith" so a suffix search has real matches.</summary>
    public static readonly IReadOnlyList<string> Surnames = ["smith", "goldsmith", "blacksmith", "jones", "brown", "taylor", "wilson", "evans", "thomas", "johnson"];

    /// <summary>The a column is uniform over 0..ARange − 1, so "a &lt; t" selects a fraction t/ARange.</summary>
    public const int ARange = 100_000;

    public static readonly DateTime Start = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    public static IReadOnlyList<UserRow> Users(int count, int seed)
    {
        Guard.InRange(count, 10, 1_000_000);
        var rng = new Random(seed);
        int users = Math.Max(1, count / 10);
        var rows = new UserRow[count];
        for (int i = 0; i < count; i++)
        {
            int id = i + 1;
            double u = rng.NextDouble();
            string status = u < 0.90 ? "active" : u < 0.995 ? "inactive" : "banned";
            rows[i] = new UserRow(
                id,
                1 + rng.Next(users),
                Start.AddSeconds(rng.Next(366 * 24 * 3600)),
                status,
                $"User{id}@Example.com",
                Surnames[rng.Next(Surnames.Count)] + (id % 100),
                rng.Next(100_000) / 100m,
                rng.Next(ARange));
        }
        return rows;
    }
}
