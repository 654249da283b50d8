using System.Text;
using Xunit.Abstractions;

namespace SystemDesign.Notebooks.Tests;

/// <summary>
/// Executes every notebook headlessly. A failing cell fails the test with the notebook, the cell and the
/// error; a notebook must also draw at least one chart and pass claim checks, and each exercise's check
/// cell must accept the reference solution kept in Solutions/ and reject the wrong one beside it.
/// </summary>
[Collection(Serial.Name)]
public sealed class NotebookExecutionTests(ITestOutputHelper log)
{
    /// <summary>Marks the reader's exercise cell and the cell that checks it.</summary>
    public const string ExerciseMarker = "// EXERCISE:";
    public const string ExerciseCheckMarker = "// CHECK EXERCISE:";

    [Theory]
    [MemberData(nameof(NotebookFile.All), MemberType = typeof(NotebookFile))]
    public async Task Notebook_runs_top_to_bottom_and_its_claims_hold(string notebook)
    {
        var nb = new NotebookFile(Path.Combine(NotebookFile.NotebooksFolder, notebook));
        using var runner = new NotebookRunner(NotebookFile.NotebooksFolder);
        var runs = new List<CellRun>();
        foreach (var cell in nb.CodeCells)
        {
            var run = await runner.RunAsync(cell);
            runs.Add(run);
            if (run.Failed)
                Assert.Fail($"{nb.Name} {cell} failed:\n{run.Error}\n--- cell output ---\n{run.Output}");
            if (run.Warnings.Count > 0)
                Assert.Fail($"{nb.Name} {cell} compiles with warnings (Jupyter prints them in red):\n" + string.Join("\n", run.Warnings));
        }

        Report(nb, runs);
        Assert.True(runs.Sum(r => r.Charts) > 0, $"{nb.Name} drew no Plotly chart.");
        Assert.True(runs.Sum(r => r.ChecksPassed) >= 5, $"{nb.Name} passed only {runs.Sum(r => r.ChecksPassed)} claim checks; a notebook must prove what it says.");

        foreach (var (exercise, check) in Exercises(nb))
            await ProveExerciseCheck(nb, runner, exercise, check);
    }

    public static IEnumerable<object[]> UsingServers() =>
        NotebookFile.All().Where(row => new NotebookFile(Path.Combine(NotebookFile.NotebooksFolder, (string)row[0]))
            .CodeCells.Any(c => System.Text.RegularExpressions.Regex.IsMatch(c.Source, @"Servers\.(?!Sqlite)\w+\(")));

    /// <summary>
    /// With PostgreSQL and Redis unreachable, every real-system cell prints one line (what is not running
    /// and how to start it) and the notebook still runs to the end.
    /// </summary>
    [Theory]
    [MemberData(nameof(UsingServers))]
    public async Task Notebook_runs_to_the_end_with_the_servers_down(string notebook)
    {
        var nb = new NotebookFile(Path.Combine(NotebookFile.NotebooksFolder, notebook));
        var saved = DownServers.ToDictionary(kv => kv.Key, kv => Environment.GetEnvironmentVariable(kv.Key));
        foreach (var (name, value) in DownServers) Environment.SetEnvironmentVariable(name, value);
        try
        {
            using var runner = new NotebookRunner(NotebookFile.NotebooksFolder);
            var notices = new List<string>();
            foreach (var cell in nb.CodeCells)
            {
                var run = await runner.RunAsync(cell);
                Assert.False(run.Failed, $"{nb.Name} {cell} failed with the servers down:\n{run.Error}");
                notices.AddRange(run.Output.Split('\n').Where(l => l.Contains("is not running")));
            }
            Assert.NotEmpty(notices);
            Assert.All(notices, line => Assert.Contains("./scripts/services.sh start", line));
            log.WriteLine($"{nb.Name} with the servers down:\n  " + string.Join("\n  ", notices.Distinct()));
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }

    // Port 1 on loopback: nothing listens there, so connecting fails at once.
    private static readonly Dictionary<string, string> DownServers = new()
    {
        ["SDN_POSTGRES"] = "Host=127.0.0.1;Port=1;Username=sdn;Database=sdn;Timeout=2;Pooling=false",
        ["SDN_REDIS"] = "127.0.0.1:1",
        ["SDN_REDIS_CLUSTER"] = "127.0.0.1:1",
        ["SDN_POSTGRES_STANDBY"] = "Host=127.0.0.1;Port=1;Username=sdn;Database=sdn;Timeout=2;Pooling=false",
        ["SDN_POSTGRES_2PC"] = "Host=127.0.0.1;Port=1;Username=sdn;Database=sdn;Timeout=2;Pooling=false",
        ["SDN_REDIS_REPLICATED"] = "127.0.0.1:1",
        ["SDN_REDIS_SENTINEL"] = "127.0.0.1:1",
        ["SDN_REDIS_CLUSTER3"] = "127.0.0.1:1",
        ["SDN_ETCD"] = "http://127.0.0.1:1",
        ["SDN_RABBITMQ"] = "127.0.0.1:1",
        ["SDN_NATS"] = "nats://127.0.0.1:1",
        ["SDN_HAPROXY"] = "127.0.0.1:1",
        ["SDN_NGINX"] = "127.0.0.1:1",
        ["SDN_DNS_RESOLVER"] = "127.0.0.1:1",
        ["SDN_VARNISH"] = "127.0.0.1:1",
        ["SDN_REDIS_SERVER"] = "127.0.0.1:1",
        ["SDN_PROMETHEUS"] = "http://127.0.0.1:1",
        ["SDN_S3"] = "http://127.0.0.1:1",
    };

    private async Task ProveExerciseCheck(NotebookFile nb, NotebookRunner runner, NotebookCell exercise, NotebookCell check)
    {
        string name = exercise.FirstLine[ExerciseMarker.Length..].Trim();
        string baseName = Path.GetFileNameWithoutExtension(nb.Name) + "." + name;
        string solutions = Path.Combine(NotebookFile.RepositoryRoot, "tests", "Notebooks.Tests", "Solutions");
        string solution = Path.Combine(solutions, baseName + ".solution.csx");
        string wrong = Path.Combine(solutions, baseName + ".wrong.csx");
        Assert.True(File.Exists(solution), $"{nb.Name}: exercise '{name}' has no reference solution at {solution}");
        Assert.True(File.Exists(wrong), $"{nb.Name}: exercise '{name}' has no wrong answer at {wrong}");

        var unsolved = await runner.RunAsync(check);
        Assert.Contains("not solved yet", unsolved.Output);

        var s = await runner.RunAsync(exercise, File.ReadAllText(solution));
        Assert.False(s.Failed, $"{nb.Name}: reference solution for '{name}' does not compile or run:\n{s.Error}");
        var accepted = await runner.RunAsync(check);
        Assert.False(accepted.Failed, $"{nb.Name} {check} rejected the reference solution:\n{accepted.Error}");
        Assert.Contains("solved.", accepted.Output);

        var w = await runner.RunAsync(exercise, File.ReadAllText(wrong));
        Assert.False(w.Failed, $"{nb.Name}: wrong answer for '{name}' does not compile or run:\n{w.Error}");
        var rejected = await runner.RunAsync(check);
        Assert.True(rejected.Failed, $"{nb.Name} {check} accepted a wrong answer: a check that cannot fail is a defect.");
        Assert.Contains("ClaimFailedException", rejected.Error);
        log.WriteLine($"exercise '{name}': unsolved → hint, reference → accepted, wrong → rejected");
    }

    private static IEnumerable<(NotebookCell Exercise, NotebookCell Check)> Exercises(NotebookFile nb)
    {
        var code = nb.CodeCells.ToList();
        foreach (var cell in code.Where(c => c.FirstLine.StartsWith(ExerciseMarker)))
        {
            string name = cell.FirstLine[ExerciseMarker.Length..].Trim();
            var check = code.FirstOrDefault(c => c.FirstLine == ExerciseCheckMarker + " " + name)
                        ?? throw new InvalidOperationException($"{nb.Name}: exercise '{name}' has no '{ExerciseCheckMarker} {name}' cell");
            yield return (cell, check);
        }
    }

    private void Report(NotebookFile nb, List<CellRun> runs)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{nb.Name}: {runs.Count} code cells in {runs.Sum(r => r.Elapsed.TotalSeconds):F1} s, "
                      + $"{runs.Sum(r => r.Charts)} charts, {runs.Sum(r => r.Tables)} tables, {runs.Sum(r => r.ChecksPassed)} checks passed");
        foreach (var r in runs.Where(r => r.Elapsed.TotalSeconds > 2))
            sb.AppendLine($"  slow: {r.Cell} took {r.Elapsed.TotalSeconds:F1} s");
        log.WriteLine(sb.ToString());
        // Figures for docs/benchmarks.md, not assertions: wall time depends on the machine.
        string dir = Path.Combine(NotebookFile.RepositoryRoot, "artifacts", "notebook-timings");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, Path.ChangeExtension(nb.Name, ".txt")),
            sb + string.Join("\n", runs.Select(r => $"{r.Cell.Index}\t{r.Elapsed.TotalMilliseconds:F0} ms\t{r.Cell.FirstLine}")) + "\n");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Serial
{
    public const string Name = "Notebooks run one at a time (they share the process's working directory)";
}
