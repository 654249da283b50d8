using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace SystemDesign.Notebook;

/// <summary>
/// What the setup cell of every notebook calls: makes charts and tables display the same way in Jupyter,
/// VS Code, dotnet-repl and the headless test runner.
/// </summary>
public static class NotebookHost
{
    /// <summary>The plotly.js version Plotly.NET 6.0.0 is written against; the set-up installs the same one from npm.</summary>
    public const string PlotlyJsVersion = "2.28.0";

    private static readonly object Gate = new();
    private static bool _formattersRegistered;
    private static bool _plotlyEmbedded;

    /// <summary>The repository root found by the setup cell.</summary>
    public static string? RepositoryRoot { get; private set; }

    /// <summary>Path of the local plotly.js (from npm), or null when the set-up has not installed it.</summary>
    public static string? LocalPlotlyJs { get; private set; }

    /// <summary>Called by the setup cell. Safe to call again: re-running the setup cell re-embeds plotly.js once.</summary>
    public static void Init(string repositoryRoot)
    {
        Guard.NotEmpty(repositoryRoot);
        InstallResolvers(Path.GetDirectoryName(typeof(NotebookHost).Assembly.Location)!);
        lock (Gate)
        {
            RepositoryRoot = repositoryRoot;
            string js = Path.Combine(repositoryRoot, "node_modules", "plotly.js-dist-min", "plotly.min.js");
            LocalPlotlyJs = File.Exists(js) ? js : null;
            _plotlyEmbedded = false;
            if (!_formattersRegistered)
            {
                RegisterFormatters();
                _formattersRegistered = true;
                // The first chart of a fresh kernel costs 1–2 s of JIT (Plotly.NET, FSharp.Core, System.Text.Json)
                // and the first table a little: pay it on a pool thread while the reader reads, or while the
                // cells before the first chart run, instead of in the first chart's cell.
                ThreadPool.UnsafeQueueUserWorkItem(_ => WarmUp(), null);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WarmUp()
    {
        try
        {
            var chart = Charts.Line("warm-up", "x", "y", new Series("s", [0.0, 1.0], [1.0, 0.0]));
            GenericChart.getLayout(chart).RemoveProperty("template");
            _ = GenericChart.toJson(chart);
            _ = Tables.ToHtml(Tables.From(new[] { new { A = 1, B = "b" } }));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only a head start: the first real chart or table will report any problem itself.
        }
    }

    /// <summary>
    /// Makes the library's folder usable from a kernel whose own application (the dotnet-interactive tool)
    /// knows nothing of it:
    /// <list type="bullet">
    /// <item>An assembly already loaded at another version is handed over as it is. This is the fix for
    /// Plotly.NET 6, compiled against FSharp.Core 10.1, in a tool that has FSharp.Core 10.0 loaded: without
    /// it the first chart throws FileNotFoundException for FSharp.Core 10.1.0.0.</item>
    /// <item>Other managed dependencies load from the library's folder.</item>
    /// <item>Native libraries (SQLite's e_sqlite3) load from its runtimes/&lt;rid&gt;/native folder.</item>
    /// </list>
    /// Harmless in the test host, where every request is satisfied before these handlers are asked.
    /// </summary>
    public static void InstallResolvers(string libraryFolder)
    {
        Guard.NotEmpty(libraryFolder);
        lock (Gate)
        {
            if (_resolversInstalled) return;
            AssemblyLoadContext.Default.Resolving += (context, name) =>
            {
                var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name.Name);
                if (loaded is not null) return loaded;
                string path = Path.Combine(libraryFolder, name.Name + ".dll");
                return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
            };
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) =>
            {
                string native = Path.Combine(libraryFolder, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
                foreach (var candidate in new[] { name, "lib" + name + ".so", "lib" + name + ".dylib", name + ".dll" })
                {
                    string path = Path.Combine(native, candidate);
                    if (File.Exists(path)) return NativeLibrary.Load(path);
                }
                string portable = Path.Combine(libraryFolder, "runtimes", PortableRid(), "native", "lib" + name + ".so");
                return File.Exists(portable) ? NativeLibrary.Load(portable) : IntPtr.Zero;
            };
            _resolversInstalled = true;
        }
    }
    private static bool _resolversInstalled;

    internal static string PortableRid()
        => (OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : "win") + "-"
           + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    // Kept out of Init so that no Plotly or FSharp.Core type is touched before the redirect exists.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RegisterFormatters()
    {
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(ChartHtml(chart)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
        Formatter.Register<DataFrame>((frame, writer) => writer.Write(Tables.ToHtml(frame)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(DataFrame), HtmlFormatter.MimeType);
    }

    // One look for every chart: white background, light grid, plotly's default colour sequence.
    private const string Template = """
        {"layout":{"colorway":["#636efa","#EF553B","#00cc96","#ab63fa","#FFA15A","#19d3f3","#FF6692","#B6E880","#FF97FF","#FECB52"],
        "paper_bgcolor":"white","plot_bgcolor":"white","font":{"family":"Helvetica, Arial, sans-serif","size":13},
        "hovermode":"closest","legend":{"bgcolor":"rgba(255,255,255,0.8)"},
        "xaxis":{"gridcolor":"#ebebeb","linecolor":"#888","showline":true,"ticks":"outside","zeroline":false,"automargin":true},
        "yaxis":{"gridcolor":"#ebebeb","linecolor":"#888","showline":true,"ticks":"outside","zeroline":false,"automargin":true}}}
        """;

    /// <summary>
    /// The HTML of one chart. The first chart after <see cref="Init"/> carries plotly.js inline (from the
    /// npm package, so charts work offline); later ones wait for it. Without the package, plotly.js comes
    /// from its CDN.
    /// </summary>
    public static string ChartHtml(GenericChart chart)
    {
        string id = "sdn-" + Guid.NewGuid().ToString("N")[..12];
        // Plotly.NET puts its default template in every layout, and serializing that template costs 1–5 s per
        // chart (measured under load; ~1 ms without it). Drop it and apply the small template below instead.
        GenericChart.getLayout(chart).RemoveProperty("template");
        string figure = GenericChart.toJson(chart); // {"data":…,"layout":…,"config":…}
        string loader;
        lock (Gate)
        {
            if (LocalPlotlyJs is not null && !_plotlyEmbedded)
            {
                // plotly.js is a UMD bundle: hide require.js's define (Jupyter has it) so it sets window.Plotly.
                loader = "<script type=\"text/javascript\">(function(define, module, exports){\n"
                         + File.ReadAllText(LocalPlotlyJs) + "\n}).call(window);</script>\n";
                _plotlyEmbedded = true;
            }
            else
            {
                loader = "";
            }
        }
        return $$"""
            {{loader}}<div id="{{id}}" class="sdn-chart"></div>
            <script type="text/javascript">
            (function () {
              var fig = {{figure}};
              fig.layout.template = fig.layout.template || {{Template}};
              function draw() { Plotly.newPlot('{{id}}', fig.data, fig.layout, fig.config); }
              if (window.Plotly) { draw(); return; }
              window.__sdnPlotlyWaiting = (window.__sdnPlotlyWaiting || []);
              window.__sdnPlotlyWaiting.push(draw);
              if (window.__sdnPlotlyLoading) return;
              window.__sdnPlotlyLoading = true;
              var s = document.createElement('script');
              s.src = 'https://cdn.plot.ly/plotly-{{PlotlyJsVersion}}.min.js';
              s.onload = function () { window.__sdnPlotlyWaiting.forEach(function (f) { f(); }); };
              document.head.appendChild(s);
            })();
            </script>
            """;
    }
}
