namespace SystemDesign.Indexing;

/// <summary>One case of a planner experiment, side by side: PostgreSQL's plan and index pages, SQLite's plan.</summary>
public sealed record PlanRow(string Case, string Question, string PostgreSQL, long PgIndexPagesRead, long PgIndexPages, string SQLite);

/// <summary>A PostgreSQL B-tree next to the formula and to our bulk-loaded tree with PostgreSQL's capacities.</summary>
public sealed record BTreeComparison(string Key, int Rows, int LeafCapacity, int InternalFanout, int PgHeight, int Formula,
    int OurTree, string PgPagesPerLevel, string PredictedPagesPerLevel, bool LinksOk);

/// <summary>Tables that put the real systems' answers next to each other and next to our models.</summary>
public static class PlanComparison
{
    /// <summary>
    /// One row per case: PostgreSQL's plan summary and the index pages its Bitmap Index Scans read (0 and
    /// "(not run)" when PostgreSQL is down), SQLite's plan ("—" when the case has no SQLite query).
    /// </summary>
    public static IReadOnlyList<PlanRow> Rows(IEnumerable<IndexCase> cases,
        IReadOnlyDictionary<string, PostgresCaseResult> postgres, IReadOnlyDictionary<string, SqliteCaseResult> sqlite)
    {
        Guard.NotNull(cases);
        Guard.NotNull(postgres);
        Guard.NotNull(sqlite);
        return cases.Select(c =>
        {
            postgres.TryGetValue(c.Key, out var p);
            sqlite.TryGetValue(c.Key, out var s);
            return new PlanRow(c.Key, c.Question, p?.Plan.Summary() ?? "(not run)", p?.IndexPagesRead ?? 0,
                p?.IndexPages.Values.Sum() ?? 0, s?.Plan.Text ?? "—");
        }).ToArray();
    }

    /// <summary>
    /// For each inspected PostgreSQL index: the capacities read from the largest index of the same key type,
    /// the height bt_metap reports, ⌈log_f(N/L)⌉ + 1, the height of our bulk-loaded B+tree with those
    /// capacities, pages per level measured and predicted, and whether every level's links are consistent.
    /// </summary>
    public static IReadOnlyList<BTreeComparison> PostgresTrees(IReadOnlyList<(string Key, int Rows, BTreeInspection Tree)> trees)
    {
        Guard.NotNull(trees);
        var capacities = Capacities(trees);
        return trees.Select(t =>
        {
            var cap = capacities[t.Key];
            var predicted = PostgresBTree.PredictPagesPerLevel(t.Rows, cap.LeafCapacity, cap.InternalFanout);
            var ours = BPlusTree<int, int>.BulkLoad(
                Enumerable.Range(0, t.Rows).Select(i => new KeyValuePair<int, int>(i, i)), cap.InternalFanout, cap.LeafCapacity);
            return new BTreeComparison(t.Key, t.Rows, cap.LeafCapacity, cap.InternalFanout, t.Tree.Height,
                TreeHeight.LogFormula(t.Rows, cap.InternalFanout, cap.LeafCapacity), ours.Height,
                string.Join(" / ", t.Tree.Levels.Select(l => l.Pages)), string.Join(" / ", predicted),
                t.Tree.Levels.All(l => l.LinksConsistent));
        }).ToArray();
    }

    /// <summary>Per key type, the largest inspected index: the one whose full pages show PostgreSQL's capacities.</summary>
    public static IReadOnlyDictionary<string, BTreeInspection> Capacities(IReadOnlyList<(string Key, int Rows, BTreeInspection Tree)> trees)
    {
        Guard.NotNull(trees);
        return trees.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.OrderBy(t => t.Rows).Last().Tree);
    }
}
