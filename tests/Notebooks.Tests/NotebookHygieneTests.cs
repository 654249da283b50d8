using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SystemDesign.Notebooks.Tests;

/// <summary>
/// The notebook contract's format rules (CONTRIBUTING.md): committed clean, opens as C# in Jupyter and VS
/// Code, starts with the canonical setup cell, has the required sections, and links only to files that exist.
/// `python3 tools/nb.py clean` fixes everything here except content.
/// </summary>
public sealed partial class NotebookHygieneTests
{
    private static readonly NotebookFile Template =
        new(Path.Combine(NotebookFile.RepositoryRoot, "templates", "NN-topic.ipynb"));

    public static IEnumerable<object[]> AllWithTemplate() =>
        NotebookFile.All().Append(["../templates/NN-topic.ipynb"]);

    private static NotebookFile Load(string notebook) => new(Path.GetFullPath(Path.Combine(NotebookFile.NotebooksFolder, notebook)));

    [Theory]
    [MemberData(nameof(AllWithTemplate))]
    public void Is_committed_without_outputs_and_with_the_csharp_kernel_metadata(string notebook)
    {
        var nb = Load(notebook);
        Assert.Equal(4, nb.Json["nbformat"]!.GetValue<int>());
        Assert.True(nb.Json["nbformat_minor"]!.GetValue<int>() >= 5, $"{nb.Name}: nbformat_minor must be ≥ 5 (cell ids)");
        var kernelspec = nb.Json["metadata"]?["kernelspec"];
        Assert.Equal(".net-csharp", kernelspec?["name"]?.GetValue<string>());
        Assert.Equal(".NET (C#)", kernelspec?["display_name"]?.GetValue<string>());
        Assert.Equal("csharp", nb.Json["metadata"]?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>());

        var ids = nb.Cells.Select(c => c.Id).ToList();
        Assert.All(nb.Cells, c => Assert.False(string.IsNullOrEmpty(c.Id), $"{nb.Name} cell {c.Index} has no id"));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var cell in nb.CodeCells)
        {
            Assert.True(cell.Json["outputs"] is JsonArray { Count: 0 }, $"{nb.Name} {cell} has committed outputs: run `python3 tools/nb.py clean {nb.Name}`");
            Assert.True(cell.Json["execution_count"] is null, $"{nb.Name} {cell} has an execution count: run `python3 tools/nb.py clean`");
            Assert.Equal("csharp", cell.Json["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>());
        }
    }

    [Theory]
    [MemberData(nameof(NotebookFile.All), MemberType = typeof(NotebookFile))]
    public void Starts_with_the_canonical_setup_cell(string notebook)
    {
        var nb = Load(notebook);
        string expected = Template.CodeCells.First().Source;
        Assert.True(nb.CodeCells.First().Source == expected,
            $"{nb.Name}: the first code cell must be the setup cell of templates/NN-topic.ipynb, byte for byte");
    }

    [Theory]
    [MemberData(nameof(NotebookFile.All), MemberType = typeof(NotebookFile))]
    public void Has_the_contract_sections_and_navigation_at_both_ends(string notebook)
    {
        var nb = Load(notebook);
        string markdown = string.Join("\n", nb.Cells.Where(c => c.Type == "markdown").Select(c => c.Source));
        foreach (var heading in new[] { "## Headline figures", "## Interactive visualizer", "## Interview questions",
                     "## Follow-up questions", "## Self-check exercise" })
            Assert.True(markdown.Contains(heading), $"{nb.Name} lacks the section '{heading}'");
        Assert.Contains("../README.md#the-19-topics", nb.Cells.First().Source);
        Assert.Contains("../README.md#the-19-topics", nb.Cells.Last().Source);
        Assert.Contains(nb.CodeCells, c => c.FirstLine.StartsWith(NotebookExecutionTests.ExerciseMarker));
    }

    [Theory]
    [MemberData(nameof(NotebookFile.All), MemberType = typeof(NotebookFile))]
    public void Navigation_links_the_previous_and_next_notebooks_that_exist(string notebook)
    {
        var nb = Load(notebook);
        var all = NotebookFile.All().Select(r => (string)r[0]).Where(n => !n.StartsWith("00-")).ToList();
        int at = all.IndexOf(notebook);
        var expected = new[] { at > 0 ? all[at - 1] : null, at + 1 < all.Count ? all[at + 1] : null }
            .OfType<string>().ToList();
        foreach (var (where, text) in new[] { ("top", nb.Cells.First().Source.Split('\n')[0]),
                     ("bottom", nb.Cells.Last().Source) })
        {
            var linked = RelativeLink().Matches(text).Select(m => m.Groups[1].Value)
                .Where(t => t.EndsWith(".ipynb")).ToList();
            Assert.True(expected.SequenceEqual(linked),
                $"{nb.Name}: navigation at the {where} links [{string.Join(", ", linked)}], expected " +
                $"[{string.Join(", ", expected)}]; run `python3 tools/nb.py nav`");
        }
    }

    [Theory]
    [MemberData(nameof(NotebookFile.All), MemberType = typeof(NotebookFile))]
    public void Links_to_notebooks_and_files_that_exist(string notebook)
    {
        var nb = Load(notebook);
        foreach (var cell in nb.Cells.Where(c => c.Type == "markdown"))
        foreach (Match m in RelativeLink().Matches(cell.Source))
        {
            string target = m.Groups[1].Value.Split('#')[0];
            string path = Path.GetFullPath(Path.Combine(NotebookFile.NotebooksFolder, target));
            Assert.True(File.Exists(path), $"{nb.Name} {cell} links to {target}, which does not exist");
        }
    }

    [Fact]
    public void The_readme_lists_every_notebook()
    {
        string readme = File.ReadAllText(Path.Combine(NotebookFile.RepositoryRoot, "README.md"));
        foreach (var row in NotebookFile.All())
        {
            string name = (string)row[0];
            if (name.StartsWith("00-")) continue;
            Assert.True(readme.Contains("notebooks/" + name), $"README.md does not link notebooks/{name}");
        }
    }

    // Markdown links that are not URLs: [text](target)
    [GeneratedRegex(@"\]\((?!https?:|mailto:|#)([^)\s]+)\)")]
    private static partial Regex RelativeLink();
}
