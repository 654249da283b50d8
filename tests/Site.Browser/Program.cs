// The book's tool (issue 12), run by scripts/build-site.sh:
//   SystemDesign.Site.Browser export <dir>                             the kernel-free visualizers' JSON (src/Shared/Book)
//   SystemDesign.Site.Browser test <site dir> <screenshot dir> [chromium]   the browser test below (--test, .ci/run)
// Opens every page of the site from file:// in headless Chromium (Debian's package; Playwright only drives it)
// and fails (exit 1) when a page logs a console error or a page error, a request fails (the site must need no
// network), a chart has not drawn (no svg.main-svg in a .sdn-chart or .sdn-viz), moving a visualizer's slider
// does not change its plot, a local link or its #fragment does not resolve, or search does not find a known
// question. Screenshots of the index and of the first topic go to the screenshot dir.
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

if (args.Length > 0 && args[0] == "export")
{
    var exportClock = Stopwatch.StartNew();
    string dir = args.Length > 1 ? args[1] : "artifacts/book/viz";
    foreach (var (id, grid, bytes) in SystemDesign.Book.VisualizerExport.WriteAll(dir, SystemDesign.Book.Visualizers.All()))
        Console.WriteLine($"  {id}: {grid} grid points, {bytes / 1024.0:N0} KB");
    Console.WriteLine($"visualizers exported to {dir} in {exportClock.Elapsed.TotalSeconds:F1} s");
    return 0;
}
if (args.Length > 0 && args[0] == "test") args = args[1..];
string site = Path.GetFullPath(args.Length > 0 ? args[0] : "site");
string shots = Path.GetFullPath(args.Length > 1 ? args[1] : "artifacts/site-screenshots");
string chromium = args.Length > 2 ? args[2] : (File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : "");
const string SearchQuery = "consistent hashing modulo";
const string SearchExpect = "Explain consistent hashing";

if (!File.Exists(Path.Combine(site, "index.html")))
{
    Console.Error.WriteLine($"site test: {site}/index.html is missing: run ./scripts/build-site.sh first");
    return 2;
}
if (chromium == "" || !File.Exists(chromium))
{
    Console.Error.WriteLine("site test: no Chromium at /usr/bin/chromium (apt-get install chromium, or pass its path)");
    return 2;
}
Directory.CreateDirectory(shots);
var failures = new List<string>();

var clock = Stopwatch.StartNew();
using var pw = await Playwright.CreateAsync();
await using var browser = await pw.Chromium.LaunchAsync(new()
{
    ExecutablePath = chromium, Headless = true,
    Args = ["--disable-gpu", "--no-first-run", "--disable-extensions"],
});

var pages = Directory.GetFiles(site, "*.html").OrderBy(p => Path.GetFileName(p) == "index.html" ? "" : p).ToList();
int charts = 0, links = 0, external = 0, sliders = 0;
string? firstTopic = pages.Select(Path.GetFileName).FirstOrDefault(n => Regex.IsMatch(n!, @"^\d\d-.*\.html$"));
var idCache = new System.Collections.Concurrent.ConcurrentDictionary<string, HashSet<string>>();
HashSet<string> IdsOf(string file)
{
    if (!idCache.TryGetValue(file, out var ids))
    {
        string text = File.ReadAllText(file);
        ids = Regex.Matches(text, "\\bid=(?:\"([^\"]*)\"|'([^']*)')")
            .Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value))
            .ToHashSet();
        idCache[file] = ids;
    }
    return ids;
}

// Pages are checked a few at a time (Chromium renders each in its own process).
using var gate = new SemaphoreSlim(Math.Max(1, int.TryParse(Environment.GetEnvironmentVariable("SDN_SITE_TEST_TABS"), out int tabs) ? tabs : 2));
var results = await Task.WhenAll(pages.Select(async path =>
{
    await gate.WaitAsync();
    try { return await CheckPage(path); }
    catch (Exception e) // a missing element or a page that never loads is a failure of that page, not a crash
    {
        string name = Path.GetFileName(path);
        return ($"{name}\n  ✗ {e.GetType().Name}: {e.Message.Split('\n')[0]}\n",
            new List<string> { $"{name}: {e.GetType().Name}: {e.Message.Split('\n')[0]}" });
    }
    finally { gate.Release(); }
}));
foreach (var (log, problems) in results)
{
    Console.Write(log);
    failures.AddRange(problems);
}

async Task<(string Log, List<string> Problems)> CheckPage(string path)
{
    string name = Path.GetFileName(path);
    var t0 = clock.Elapsed;
    var log = new System.Text.StringBuilder($"{name}\n");
    var problems = new List<string>();
    void Fail(string page, string what) { problems.Add($"{page}: {what}"); log.AppendLine($"  ✗ {what}"); }
    // A context of its own per page: pages side by side in one context are throttled as background tabs.
    await using var pageContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
    var page = await pageContext.NewPageAsync();
    page.SetDefaultTimeout(60_000);
    var errors = new List<string>();
    page.Console += (_, m) => { if (m.Type == "error") lock (errors) errors.Add("console error: " + m.Text); };
    page.PageError += (_, e) => { lock (errors) errors.Add("page error: " + e); };
    page.RequestFailed += (_, r) => { lock (errors) errors.Add($"request failed: {r.Url} ({r.Failure})"); };
    // Offline by construction: any request that is not a file of the site fails the test.
    page.Request += (_, r) =>
    {
        if (!r.Url.StartsWith("file://") && !r.Url.StartsWith("data:") && !r.Url.StartsWith("blob:"))
            lock (errors) errors.Add($"network request: {r.Url}");
    };
    await page.GotoAsync(new Uri(path).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });

    // Every chart drew.
    int n = await page.EvaluateAsync<int>("document.querySelectorAll('.sdn-chart, .sdn-viz').length");
    try
    {
        await page.WaitForFunctionAsync(
            "() => Array.from(document.querySelectorAll('.sdn-chart, .sdn-viz')).every(c => c.querySelector('svg.main-svg'))",
            null, new() { Timeout = 30_000 });
    }
    catch (TimeoutException)
    {
        int drawn = await page.EvaluateAsync<int>(
            "Array.from(document.querySelectorAll('.sdn-chart, .sdn-viz')).filter(c => c.querySelector('svg.main-svg')).length");
        Fail(name, $"{n - drawn} of {n} charts did not draw (no svg.main-svg)");
    }
    Interlocked.Add(ref charts, n);

    // Kernel-free visualizers: moving each slider changes the plot.
    foreach (var viz in await page.QuerySelectorAllAsync(".sdn-viz"))
    {
        const string signature = "el => JSON.stringify([el.data.map(d => [d.x, d.y, d.r, d.theta, d.z, d.text]), el.layout.title])";
        var rails = await viz.QuerySelectorAllAsync(".slider-rail-rect");
        if (rails.Count == 0) { Fail(name, "a visualizer has no slider"); continue; }
        for (int k = 0; k < rails.Count; k++)
        {
            rails = await viz.QuerySelectorAllAsync(".slider-rail-rect"); // redrawn after each move
            string before = await viz.EvaluateAsync<string>(signature);
            string stateBefore = await viz.GetAttributeAsync("data-state") ?? "";
            await rails[k].ScrollIntoViewIfNeededAsync(); // a mouse click lands only inside the viewport
            var box = await rails[k].BoundingBoxAsync();
            if (box is null) { Fail(name, $"slider {k} is not visible"); continue; }
            // Click the rail away from the active step: the far end when the slider sits at its start.
            bool atStart = stateBefore.Split(',').ElementAtOrDefault(k) == "0";
            double x = box.X + box.Width * (atStart ? 0.97 : 0.03);
            await page.Mouse.ClickAsync((float)x, (float)(box.Y + box.Height / 2));
            try
            {
                await page.WaitForFunctionAsync($"([el, b]) => ({signature})(el) !== b",
                    new object[] { viz, before }, new() { Timeout = 10_000 });
                Interlocked.Increment(ref sliders);
            }
            catch (TimeoutException)
            {
                Fail(name, $"moving slider {k} did not change the plot (state {stateBefore} → {await viz.GetAttributeAsync("data-state")})");
            }
        }
    }

    // Every local link (and its #fragment) resolves; external ones are counted, not followed (no network).
    var hrefs = await page.EvaluateAsync<string[]>(
        "Array.from(document.querySelectorAll('a[href], link[href], script[src]')).map(a => a.href || a.src)");
    foreach (string href in hrefs)
    {
        if (href.StartsWith("http://") || href.StartsWith("https://")) { Interlocked.Increment(ref external); continue; }
        if (!href.StartsWith("file://")) { Fail(name, $"link with an unexpected scheme: {href}"); continue; }
        Interlocked.Increment(ref links);
        var uri = new Uri(href);
        string file = Uri.UnescapeDataString(uri.AbsolutePath);
        if (!File.Exists(file)) { Fail(name, $"link to a missing file: {href}"); continue; }
        // As a browser does: the fragment as written first, then percent-decoded (nbconvert's heading ids are
        // percent-encoded in the page).
        string raw = uri.Fragment.TrimStart('#'), frag = Uri.UnescapeDataString(raw);
        if (frag != "" && file.EndsWith(".html") && !IdsOf(file).Contains(raw) && !IdsOf(file).Contains(frag))
            Fail(name, $"link to a missing anchor: {Path.GetFileName(file)}#{frag}");
    }

    // Search finds a known question.
    if (name == "search.html")
    {
        await page.FillAsync("#book-search", SearchQuery, new() { Timeout = 10_000 });
        var first = await page.EvaluateAsync<string>(
            "Array.from(document.querySelectorAll('#book-search-results li.hit-question a')).map(a => a.textContent).join('\\n')");
        if (!first.Contains(SearchExpect)) Fail(name, $"search for \"{SearchQuery}\" did not list the question \"{SearchExpect}…\"");
        else log.AppendLine($"  search \"{SearchQuery}\" → {first.Split('\n')[0]}");
    }

    if (name == "index.html")
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "index.png"), FullPage = true });
    if (name == firstTopic)
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, Path.ChangeExtension(name, ".png")) });

    foreach (string e in errors.Distinct()) Fail(name, e);
    log.AppendLine($"  {n} charts, {(clock.Elapsed - t0).TotalSeconds:F1} s");
    await page.CloseAsync();
    return (log.ToString(), problems);
}

Console.WriteLine($"site test: {pages.Count} pages, {charts} charts drawn, {sliders} slider moves, {links} local links " +
                  $"resolved ({external} external not followed), {clock.Elapsed.TotalSeconds:F0} s; screenshots in {shots}");
if (failures.Count > 0)
{
    Console.WriteLine($"site test FAILED: {failures.Count} problem(s)");
    foreach (string f in failures) Console.WriteLine("  " + f);
    return 1;
}
Console.WriteLine("site test: all pages passed");
return 0;
