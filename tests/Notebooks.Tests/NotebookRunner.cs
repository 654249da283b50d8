using System.Diagnostics;
using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;

namespace SystemDesign.Notebooks.Tests;

/// <summary>What one cell did when it ran.</summary>
public sealed record CellRun(NotebookCell Cell, bool Failed, string Error, string Output, int Charts, int Tables, TimeSpan Elapsed,
    IReadOnlyList<string> Warnings)
{
    public int ChecksPassed => Output.Split('\n').Count(l => l.StartsWith("✓ "));
}

/// <summary>
/// Runs a notebook's C# cells in an in-process .NET Interactive kernel, the way Jupyter would, with the
/// kernel's working directory set to the notebook's folder.
/// </summary>
public sealed class NotebookRunner : IDisposable
{
    private readonly CompositeKernel _kernel;

    public NotebookRunner(string workingDirectory)
    {
        Environment.CurrentDirectory = workingDirectory;
        var csharp = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        _kernel = new CompositeKernel { csharp };
        _kernel.DefaultKernelName = csharp.Name;
    }

    public async Task<CellRun> RunAsync(NotebookCell cell) => await RunAsync(cell, cell.Source);

    public async Task<CellRun> RunAsync(NotebookCell cell, string code)
    {
        var watch = Stopwatch.StartNew();
        var result = await _kernel.SendAsync(new SubmitCode(code));
        watch.Stop();
        var output = new StringBuilder();
        string error = "";
        int charts = 0, tables = 0;
        var warnings = new List<string>();
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case CommandFailed failed:
                    error = failed.Exception?.ToString() ?? failed.Message;
                    break;
                // Jupyter shows compiler warnings to the reader in red (on stderr): treat them as defects too.
                case DiagnosticsProduced diagnostics:
                    warnings.AddRange(diagnostics.Diagnostics
                        .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
                        .Select(d => $"{d.LinePositionSpan}: {d.Code} {d.Message}"));
                    break;
                case StandardOutputValueProduced stdout:
                    output.Append(Text(stdout));
                    break;
                case DisplayEvent display:
                    foreach (var v in display.FormattedValues)
                    {
                        if (v.MimeType != "text/html") continue;
                        if (v.Value.Contains("Plotly.newPlot")) charts++;
                        if (v.Value.Contains("sdn-table")) tables++;
                    }
                    break;
            }
        }
        return new CellRun(cell, error.Length > 0, error, output.ToString(), charts, tables, watch.Elapsed, warnings);
    }

    private static string Text(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == "text/plain")?.Value ?? "";

    public void Dispose() => _kernel.Dispose();
}
