using System.Text.Json.Nodes;

namespace SystemDesign.Notebooks.Tests;

/// <summary>One cell of an .ipynb, as the runner and the hygiene tests see it.</summary>
public sealed record NotebookCell(int Index, string Id, string Type, string Source, JsonObject Json)
{
    public string FirstLine => Source.Split('\n')[0].Trim();
    public override string ToString() => $"cell {Index} (id {Id}): {FirstLine}";
}

/// <summary>Reads notebooks from the repository's notebooks/ folder.</summary>
public sealed class NotebookFile
{
    public string Path { get; }
    public string Name => System.IO.Path.GetFileName(Path);
    public JsonObject Json { get; }
    public IReadOnlyList<NotebookCell> Cells { get; }

    public NotebookFile(string path)
    {
        Path = path;
        Json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Cells = Json["cells"]!.AsArray().Select((c, i) => new NotebookCell(
            i,
            c!["id"]?.GetValue<string>() ?? "",
            c["cell_type"]!.GetValue<string>(),
            Join(c["source"]),
            c.AsObject())).ToList();
    }

    public IEnumerable<NotebookCell> CodeCells => Cells.Where(c => c.Type == "code");

    private static string Join(JsonNode? source) => source switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    public static string RepositoryRoot { get; } = FindRoot();

    public static string NotebooksFolder => System.IO.Path.Combine(RepositoryRoot, "notebooks");

    public static IEnumerable<object[]> All() =>
        Directory.GetFiles(NotebooksFolder, "*.ipynb").Order().Select(p => new object[] { System.IO.Path.GetFileName(p) });

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Notebooks.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Notebooks.sln not found above " + AppContext.BaseDirectory);
    }
}
