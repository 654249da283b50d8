#!/usr/bin/env python3
"""Builds the book, site/, from the executed notebooks (scripts/build-site.sh runs it; only the standard library).

  python3 book/build.py --executed artifacts/executed --out site [--viz artifacts/book/viz]

1. For every notebooks/*.ipynb that has an executed copy: a cleaned copy for the renderer (the inline plotly.js
   bundle and .NET Interactive's kernel probe script removed: the site loads one shared plotly.js; each cell's
   index in its metadata, the page's navigation in the notebook's metadata), then ONE `jupyter nbconvert --to html`
   run with our template (book/templates/sdn) for all of them; then local links are rewritten (x.ipynb → x.html,
   README → index.html, any other repository file → its page on GitHub).
2. index.html (the 19 topics of the README with their figures), ledger.html (every ✓ line: notebook, cell, claim,
   measured, expected), interview.html (every "In the interview" box), search.html with assets/search-index.js,
   visualizers.html and one page per kernel-free visualizer (JSON written by src/Shared/Book, see --viz).
3. assets/: book.css, book.js and ONE plotly.min.js (node_modules/plotly.js-dist-min, the version package.json pins).
Also writes <out>/book-figures.json: per notebook the cells, charts, claims and the Jupyter timings of its cells.
"""
import argparse, datetime, glob, html, json, os, re, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOK = os.path.join(ROOT, "book")
PLOTLY_INLINE_START = '<script type="text/javascript">(function(define, module, exports){'
PROBE_MARK = "probeAddresses("  # .NET Interactive's kernel bootstrap: fetches 127.0.0.1:2048 and require.js


def text(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def esc(s):
    return html.escape(str(s), quote=True)


def repo_info():
    """(github base, binder base, the README's two commands, topics) from README.md."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    m = re.search(r"https://mybinder\.org/v2/gh/([^/\s)]+)/([^/\s)]+)/([^?\s)]+)", readme)
    owner, name, branch = (m.group(1), m.group(2), m.group(3)) if m else ("", "", "main")
    github = f"https://github.com/{owner}/{name}/blob/{branch}/"
    binder = f"https://mybinder.org/v2/gh/{owner}/{name}/{branch}?urlpath=tree/notebooks/"
    two = re.search(r"## Two commands.*?```bash\n(.*?)```", readme, re.S)
    commands = two.group(1).strip() if two else "./setup.sh\ndotnet test"
    topics = []
    for row in re.finditer(r"^\| (\d\d) \| (.+?) \| (.+?) \|$", readme, re.M):
        nn, cell, systems = row.groups()
        link = re.match(r"\[(.+?)\]\(notebooks/(.+?\.ipynb)\)", cell)
        topics.append({"nn": nn, "title": link.group(1) if link else cell.strip(),
                       "file": link.group(2) if link else None, "systems": systems.strip()})
    return github, binder, commands, topics


def strip_outputs(nb):
    """Removes the inline plotly.js bundle and the kernel probe; returns the bytes removed."""
    removed = 0
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                body = text(data["text/html"])
                if PROBE_MARK in body:
                    removed += len(body)
                    continue
                start = body.find(PLOTLY_INLINE_START)
                if start >= 0:
                    end = body.find("</script>", start)
                    if end < 0:
                        raise SystemExit("build.py: an inline plotly.js bundle without its </script>")
                    end += len("</script>")
                    removed += end - start
                    body = body[:start] + body[end:]
                data["text/html"] = fix_heatmap_axes(body)
            kept.append(out)
        cell["outputs"] = kept
    return removed


FIGURE = re.compile(r"(var fig = )(\{.*?\});\n", re.S)
FIXED_AXES = [0]


def fix_heatmap_axes(body):
    """Charts.Heatmap (src/Shared/Notebook) declares its categorical axes "linear": plotly.js then draws the heatmap
    image with a NaN size first and Chromium logs two console errors. The page declares them "category"."""
    def fix(m):
        try:
            fig = json.loads(m.group(2))
        except ValueError:
            return m.group(0)
        changed = False
        for trace in fig.get("data", []):
            if trace.get("type") != "heatmap":
                continue
            for axis in ("x", "y"):
                values = trace.get(axis) or []
                spec = fig.get("layout", {}).get(axis + "axis", {})
                if values and isinstance(values[0], str) and spec.get("type") == "linear":
                    spec["type"] = "category"
                    changed = True
        if not changed:
            return m.group(0)
        FIXED_AXES[0] += 1
        return m.group(1) + json.dumps(fig, ensure_ascii=False, separators=(",", ":")) + ";\n"
    return FIGURE.sub(fix, body) if "heatmap" in body else body


CHECK_LINE = re.compile(r"^(?P<claim>.*?): (?P<measured>[^:]*?) \(expected (?P<expected>.*)\)$")
LESS_LINE = re.compile(r"^(?P<claim>.*): (?P<measured>.+ < .+)$")
THAT_LINE = re.compile(r"^(?P<claim>.*?) \((?P<measured>.*)\)$")


def parse_claim(line):
    """Check's line formats (src/Shared/Notebook/Check.cs) → (claim, measured, expected)."""
    body = line[2:].strip()
    m = CHECK_LINE.match(body)
    if m:
        return m.group("claim"), m.group("measured"), m.group("expected")
    m = LESS_LINE.match(body)
    if m:
        return m.group("claim"), m.group("measured"), "the left side smaller"
    m = THAT_LINE.match(body)
    if m:
        return m.group("claim"), m.group("measured"), "holds"
    return body, "", ""


def seconds_between(a, b):
    try:
        fa = datetime.datetime.fromisoformat(a.replace("Z", "+00:00"))
        fb = datetime.datetime.fromisoformat(b.replace("Z", "+00:00"))
        return (fb - fa).total_seconds()
    except (AttributeError, ValueError):
        return None


def plain(markdown):
    """Markdown → plain text for the search index."""
    s = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    s = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = re.sub(r"[*_`>#|]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def analyse(nb, page):
    """Claims, interview boxes, questions, search entries and timings of one executed notebook."""
    claims, boxes, search, timings = [], [], [], []
    derivations = skipped = charts = 0
    heading = None  # the last ### / ## heading: (title, cell)
    for i, cell in enumerate(nb["cells"]):
        src = text(cell.get("source"))
        if cell["cell_type"] == "markdown":
            for h in re.finditer(r"^(#{1,3}) (.+)$", src, re.M):
                heading = (h.group(2).strip(), i)
                if h.group(1) == "###" and re.match(r"Q\d+\.", heading[0]):
                    search.append({"kind": "question", "title": heading[0], "href": f"{page}#cell-{i}", "text": ""})
            if src.lstrip().startswith("> **In the interview**"):
                quoted = []
                for l in src.strip().splitlines()[1:]:  # the box ends where the quote does
                    if not l.startswith(">"):
                        break
                    quoted.append(l)
                lines = [re.sub(r"^>\s?", "", l) for l in quoted]
                items, cur = [], None
                for l in lines:
                    if l.startswith("- "):
                        cur = l[2:].strip(); items.append(cur)
                    elif items and l.strip():
                        items[-1] += " " + l.strip()
                boxes.append({"question": heading[0] if heading else "", "cell": i, "items": items})
            elif search and search[-1]["kind"] == "question" and len(search[-1]["text"]) < 4000:
                search[-1]["text"] += " " + plain(src)
            else:
                search.append({"kind": "text", "title": heading[0] if heading else "", "href": f"{page}#cell-{i}",
                               "text": plain(src)[:1500]})
            continue
        if cell["cell_type"] != "code":
            continue
        ex = cell.get("metadata", {}).get("execution", {})
        took = seconds_between(ex.get("iopub.execute_input"), ex.get("iopub.status.idle"))
        timings.append({"cell": i, "seconds": took, "first": src.strip().splitlines()[0][:80] if src.strip() else "",
                        "start": ex.get("iopub.execute_input"), "end": ex.get("iopub.status.idle")})
        for out in cell.get("outputs", []):
            body = text(out.get("text")) if out.get("output_type") == "stream" else text(out.get("data", {}).get("text/plain"))
            if "Plotly.newPlot" in text(out.get("data", {}).get("text/html")):
                charts += 1
            for line in body.splitlines():
                if line.startswith("✓ "):
                    claim, measured, expected = parse_claim(line)
                    claims.append({"cell": i, "claim": claim, "measured": measured, "expected": expected, "line": line})
                    search.append({"kind": "claim", "title": claim, "href": f"{page}#cell-{i}",
                                   "text": f"{measured} (expected {expected})"})
                elif line.startswith("= "):
                    derivations += 1
                elif line.startswith("○ skipped"):
                    skipped += 1
    return {"claims": claims, "boxes": boxes, "search": search, "timings": timings,
            "derivations": derivations, "skipped": skipped, "charts": charts}


def first_minute(timings, wall):
    """Setup cell, slowest other cell and Run All (first input → last idle) from the kernel's timestamps."""
    timed = [t for t in timings if t["seconds"] is not None]
    if not timed:
        return None
    setup = timed[0]
    rest = timed[1:] or [setup]
    slow = max(rest, key=lambda t: t["seconds"])
    run_all = seconds_between(timed[0]["start"], timed[-1]["end"])
    return {"setup": setup["seconds"], "slowest": slow["seconds"], "slowest_cell": slow["cell"],
            "slowest_first_line": slow["first"], "run_all": run_all, "nbconvert_wall": wall,
            "cells": len(timed), "sum": sum(t["seconds"] for t in timed)}


def page_shell(title, body, scripts=(), active=""):
    extra = "".join(f'<script src="{esc(s)}"></script>\n' for s in scripts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · System Design Notebooks</title>
<link rel="stylesheet" href="assets/book.css">
{extra}</head>
<body class="book-page book-{esc(active)}">
<header class="book-bar">
  <a class="book-home" href="index.html">System Design Notebooks</a>
  <nav class="book-links">
    <a href="ledger.html">Claims ledger</a>
    <a href="interview.html">Interview cheat sheet</a>
    <a href="visualizers.html">Visualizers</a>
    <a href="search.html">Search</a>
  </nav>
</header>
<main class="book-main">
{body}
</main>
<script src="assets/book.js"></script>
</body>
</html>
"""


def rewrite_links(page_html, pages, github):
    """Local links of a rendered notebook: sibling notebooks → their pages, README → index, the rest → GitHub."""
    def fix(m):
        attr, url = m.group(1), html.unescape(m.group(2))
        if re.match(r"^(https?:|mailto:|#|data:|javascript:)", url) or url.startswith(("assets/", "source/", "viz-")):
            return m.group(0)
        path, _, frag = url.partition("#")
        name = os.path.basename(path)
        if path.endswith(".ipynb") and name in pages:
            new = pages[name] + ("#" + frag if frag else "")
        elif path in ("", ) or name in pages.values() or name in ("index.html", "ledger.html", "interview.html",
                                                                  "search.html", "visualizers.html"):
            return m.group(0)
        elif path.endswith("README.md"):
            new = "index.html"
        else:
            rel = os.path.normpath(os.path.join("notebooks", path))
            new = github + rel + ("#" + frag if frag else "")
        return f'{attr}="{esc(new)}"'
    return re.sub(r'(href)="([^"]*)"', fix, page_html)


def cell_sources(nb):
    return [(c.get("cell_type"), text(c.get("source"))) for c in nb.get("cells", [])]


def stale(executed):
    """The notebooks whose executed copy is missing, or whose cells differ from the notebook's (it was edited since)."""
    out = []
    for n in sorted(x for x in os.listdir(os.path.join(ROOT, "notebooks")) if x.endswith(".ipynb")):
        path = os.path.join(executed, n)
        if not os.path.exists(path):
            out.append(n)
            continue
        try:
            with open(path, encoding="utf-8") as a, open(os.path.join(ROOT, "notebooks", n), encoding="utf-8") as b:
                if cell_sources(json.load(a)) != cell_sources(json.load(b)):
                    out.append(n)
        except ValueError:
            out.append(n)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list-stale", action="store_true", help="only print the notebooks to (re)execute, one a line")
    ap.add_argument("--executed", default=os.path.join(ROOT, "artifacts", "executed"))
    ap.add_argument("--out", default=os.path.join(ROOT, "site"))
    ap.add_argument("--viz", default=os.path.join(ROOT, "artifacts", "book", "viz"))
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    if args.list_stale:
        for n in stale(args.executed):
            print(n)
        return

    github, binder, commands, topics = repo_info()
    names = sorted(n for n in os.listdir(os.path.join(ROOT, "notebooks")) if n.endswith(".ipynb"))
    present = [n for n in names if os.path.exists(os.path.join(args.executed, n))]
    for n in names:
        if n not in present:
            print(f"build.py: {n} has no executed copy in {args.executed}: left out of the site", file=sys.stderr)
    if not present:
        raise SystemExit("build.py: no executed notebooks")
    pages = {n: n[:-len(".ipynb")] + ".html" for n in present}
    known = {t["file"] for t in topics if t["file"]}
    for n in present:  # a notebook the README's table does not link yet (still "coming") gets its page too
        if n not in known:
            row = next((t for t in topics if t["nn"] == n[:2]), None)
            if row is None:
                row = {"nn": n[:2], "title": n[3:-6].replace("-", " ").title(), "systems": ""}
                topics.append(row)
            row["file"] = n
            if row["systems"] == "coming":
                row["systems"] = ""
    topics.sort(key=lambda t: t["nn"])
    title_of = {}
    for t in topics:
        if t["file"]:
            title_of[t["file"]] = f'{t["nn"]} {t["title"]}'

    times = {}
    tsv = os.path.join(args.executed, "times.tsv")
    if os.path.exists(tsv):
        for row in open(tsv, encoding="utf-8"):
            p = row.rstrip("\n").split("\t")
            if len(p) == 3:
                times[p[0]] = float(p[1])

    # viz JSON from src/Shared/Book (BookExport): one file per visualizer
    vizzes = []
    if os.path.isdir(args.viz):
        for path in sorted(glob.glob(os.path.join(args.viz, "*.json"))):
            with open(path, encoding="utf-8") as f:
                vizzes.append((os.path.basename(path)[:-5], json.load(f)))

    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "assets", "viz"))
    os.makedirs(os.path.join(out, "source"))
    plotly = os.path.join(ROOT, "node_modules", "plotly.js-dist-min", "plotly.min.js")
    if not os.path.exists(plotly):
        raise SystemExit("build.py: node_modules/plotly.js-dist-min/plotly.min.js is missing (npm ci)")
    shutil.copy(plotly, os.path.join(out, "assets", "plotly.min.js"))
    for asset in ("book.css", "book.js"):
        shutil.copy(os.path.join(BOOK, "assets", asset), os.path.join(out, "assets", asset))

    figures, all_search = {}, []
    work = tempfile.mkdtemp(prefix="sdn-book-")
    try:
        for k, n in enumerate(present):
            with open(os.path.join(args.executed, n), encoding="utf-8") as f:
                nb = json.load(f)
            removed = strip_outputs(nb)
            info = analyse(nb, pages[n])
            for i, cell in enumerate(nb["cells"]):
                cell.setdefault("metadata", {})["sdn_index"] = i
            viz_ids = [vid for vid, v in vizzes if v.get("notebook") == n[:2]]
            fm = first_minute(info["timings"], times.get(n))
            fig_line = (f'{len(info["claims"])} checked claims · {info["derivations"]} derivations · '
                        f'{info["charts"]} charts · {len(info["boxes"])} interview boxes')
            nb["metadata"]["sdn_book"] = {
                "title": title_of.get(n, n), "file": n,
                "prev": {"href": pages[present[k - 1]], "title": title_of.get(present[k - 1])} if k > 0 else None,
                "next": {"href": pages[present[k + 1]], "title": title_of.get(present[k + 1])}
                if k + 1 < len(present) else None,
                "binder": binder + n, "github": github + "notebooks/" + n, "source": "source/" + n,
                "run_locally": commands, "figures": fig_line,
                "visualizer": f"viz-{viz_ids[0]}.html" if viz_ids else "",
                "executed": datetime.datetime.fromtimestamp(os.path.getmtime(os.path.join(args.executed, n)),
                                                            datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            }
            with open(os.path.join(work, n), "w", encoding="utf-8") as f:
                json.dump(nb, f)
            shutil.copy(os.path.join(ROOT, "notebooks", n), os.path.join(out, "source", n))
            figures[n] = {"title": title_of.get(n, n), "page": pages[n], "claims": info["claims"],
                          "boxes": info["boxes"], "derivations": info["derivations"], "skipped": info["skipped"],
                          "charts": info["charts"], "plotly_bytes_removed": removed, "first_minute": fm,
                          "code_cells": len(info["timings"]), "viz": viz_ids,
                          "questions": [s["title"] for s in info["search"] if s["kind"] == "question"]}
            for s in info["search"]:
                s["notebook"] = title_of.get(n, n)
                all_search.append(s)

        cmd = ["jupyter", "nbconvert", "--to", "html", "--template", "sdn",
               f"--TemplateExporter.extra_template_basedirs={os.path.join(BOOK, 'templates')}",
               "--output-dir", out, "--log-level=WARN"] + [os.path.join(work, n) for n in present]
        subprocess.run(cmd, check=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    for n in present:
        path = os.path.join(out, pages[n])
        with open(path, encoding="utf-8") as f:
            body = f.read()
        if "plotly.js v" in body or "cdnjs.cloudflare.com" in body:
            raise SystemExit(f"build.py: {pages[n]} still carries plotly.js or the kernel probe")
        with open(path, "w", encoding="utf-8") as f:
            f.write(rewrite_links(body, pages, github))

    write_index(out, topics, figures, pages, vizzes)
    write_ledger(out, figures)
    write_interview(out, figures)
    write_search(out, all_search)
    write_visualizers(out, vizzes, figures, title_of)
    with open(os.path.join(out, "book-figures.json"), "w", encoding="utf-8") as f:
        json.dump({n: {k: v for k, v in fig.items() if k not in ("claims", "boxes")} | {"claim_count": len(fig["claims"])}
                   for n, fig in figures.items()}, f, indent=1)
    total = sum(os.path.getsize(os.path.join(d, x)) for d, _, fs in os.walk(out) for x in fs)
    print(f"build.py: site/ has {len(present)} notebook pages, {sum(len(f['claims']) for f in figures.values())} "
          f"claims, {len(vizzes)} visualizers, {total / 1e6:.1f} MB"
          + (f"; {FIXED_AXES[0]} heatmaps given category axes" if FIXED_AXES[0] else ""))


def write_index(out, topics, figures, pages, vizzes):
    rows = []
    for t in topics:
        f = figures.get(t["file"]) if t["file"] else None
        if f:
            fm = f["first_minute"] or {}
            head = next((c for c in f["claims"]), None)
            viz = "".join(f' · <a href="viz-{esc(v)}.html">visualizer</a>' for v in f["viz"][:1])
            rows.append(f"""<li class="topic">
  <a class="topic-title" href="{esc(f['page'])}"><span class="nn">{esc(t['nn'])}</span> {esc(t['title'])}</a>
  <div class="topic-figures"><strong>{len(f['claims'])}</strong> checked claims · {f['derivations']} derivations ·
  {f['charts']} charts · {len(f['questions'])} interview questions{viz}</div>
  {f'<div class="topic-headline">✓ {esc(head["claim"])}: <b>{esc(head["measured"])}</b></div>' if head else ''}
  <div class="topic-systems">Real systems: {inline_md(t['systems'])}</div>
</li>""")
        else:
            rows.append(f"""<li class="topic topic-coming"><span class="topic-title"><span class="nn">{esc(t['nn'])}</span>
  {esc(t['title'])}</span> <span class="coming">coming</span></li>""")
    claims = sum(len(f["claims"]) for f in figures.values())
    body = f"""<h1>System Design Notebooks</h1>
<p class="lede">Interview questions for senior and staff system-design interviews, each answered with an experiment
that ran: every page below is a notebook as real Jupyter executed it, its charts live, its claims checked
(<a href="ledger.html">{claims} ✓ claims</a> in {len(figures)} notebooks). Move the parameters of the
<a href="visualizers.html">kernel-free visualizers</a>, skim the <a href="interview.html">interview cheat sheet</a>,
or <a href="search.html">search</a> the questions, answers and claims.</p>
<form class="book-searchform" action="search.html"><input type="search" name="q" placeholder="Search questions, answers, claims"
 aria-label="Search"><button>Search</button></form>
<h2>The 19 topics</h2>
<ol class="topics">
{chr(10).join(rows)}
</ol>"""
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as f:
        f.write(page_shell("Index", body, active="index"))


def write_ledger(out, figures):
    parts, summary = [], []
    total = 0
    for n, f in figures.items():
        total += len(f["claims"])
        anchor = n[:2]
        summary.append(f'<tr><td><a href="#nb-{anchor}">{esc(f["title"])}</a></td><td class="num">{len(f["claims"])}</td>'
                       f'<td class="num">{f["derivations"]}</td><td class="num">{f["skipped"]}</td></tr>')
        rows = "\n".join(
            f'<tr><td><a href="{esc(f["page"])}#cell-{c["cell"]}">cell {c["cell"]}</a></td><td>{esc(c["claim"])}</td>'
            f'<td>{esc(c["measured"])}</td><td>{esc(c["expected"])}</td></tr>' for c in f["claims"])
        parts.append(f"""<section id="nb-{anchor}"><h2><a href="{esc(f['page'])}">{esc(f['title'])}</a>: {len(f['claims'])} claims</h2>
<table class="ledger"><thead><tr><th>cell</th><th>claim</th><th>measured</th><th>expected</th></tr></thead>
<tbody>
{rows}
</tbody></table></section>""")
    body = f"""<h1>Claims ledger</h1>
<p>Every <code>✓</code> line printed by the run: {total} claims that could have come out otherwise (an experiment
against a formula, a model against a real system), each with what was measured and what was expected. Derivations
(<code>=</code> lines) are counted but not listed: they restate how a value was obtained.</p>
<table class="ledger-summary"><thead><tr><th>notebook</th><th>✓ claims</th><th>= derivations</th><th>○ skipped</th></tr></thead>
<tbody>{''.join(summary)}</tbody></table>
{chr(10).join(parts)}"""
    with open(os.path.join(out, "ledger.html"), "w", encoding="utf-8") as f:
        f.write(page_shell("Claims ledger", body, active="ledger"))


def inline_md(s):
    s = esc(s)
    s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", s)
    s = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", s)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1", s)


def write_interview(out, figures):
    parts = []
    for n, f in figures.items():
        boxes = "\n".join(
            f'<div class="box"><h3><a href="{esc(f["page"])}#cell-{b["cell"]}">{esc(b["question"])}</a></h3><ul>'
            + "".join(f"<li>{inline_md(i)}</li>" for i in b["items"]) + "</ul></div>" for b in f["boxes"])
        parts.append(f'<section id="nb-{n[:2]}"><h2><a href="{esc(f["page"])}">{esc(f["title"])}</a></h2>\n{boxes}</section>')
    toc = " · ".join(f'<a href="#nb-{n[:2]}">{esc(f["title"])}</a>' for n, f in figures.items())
    body = f"""<h1>Interview cheat sheet</h1>
<p>Every "In the interview" box of the notebooks, one section per topic: the points to make, with the numbers the
notebook measured in this run.</p><p class="toc">{toc}</p>
{chr(10).join(parts)}"""
    with open(os.path.join(out, "interview.html"), "w", encoding="utf-8") as f:
        f.write(page_shell("Interview cheat sheet", body, active="interview"))


def write_search(out, entries):
    with open(os.path.join(out, "assets", "search-index.js"), "w", encoding="utf-8") as f:
        f.write("window.SDN_SEARCH = " + json.dumps(entries, ensure_ascii=False) + ";\n")
    body = """<h1>Search</h1>
<p>Questions, answers and checked claims of every notebook. Works offline: the index is a file of this site.</p>
<input id="book-search" type="search" placeholder="e.g. consistent hashing modulo" aria-label="Search" autofocus>
<p id="book-search-count" class="muted"></p>
<ol id="book-search-results"></ol>"""
    with open(os.path.join(out, "search.html"), "w", encoding="utf-8") as f:
        f.write(page_shell("Search", body, scripts=("assets/search-index.js",), active="search"))


def write_visualizers(out, vizzes, figures, title_of):
    items = []
    for vid, v in vizzes:
        js = os.path.join(out, "assets", "viz", vid + ".js")
        with open(js, "w", encoding="utf-8") as f:
            f.write("(window.SDN_VIZ = window.SDN_VIZ || {})[" + json.dumps(vid) + "] = " + json.dumps(v, separators=(",", ":")) + ";\n")
        nb_file = next((n for n in figures if n[:2] == v.get("notebook")), None)
        grid = " × ".join(f'{p["name"]} ({len(p["values"])})' for p in v["parameters"])
        back = (f'<p>From <a href="{esc(figures[nb_file]["page"])}">{esc(figures[nb_file]["title"])}</a>, whose editable '
                f'cell remains the way to try any value.</p>') if nb_file else ""
        body = f"""<h1>{esc(v['title'])}</h1>
<p>{esc(v.get('description', ''))}</p>{back}
<p class="muted">Precomputed grid: {esc(grid)} = {len(v['frames'])} figures, computed by the notebook's own library code
({esc(v.get('source', 'src/Shared/Book'))}). Move the sliders under the chart.</p>
<div class="sdn-viz" id="viz-{esc(vid)}" data-viz="{esc(vid)}"></div>"""
        with open(os.path.join(out, f"viz-{vid}.html"), "w", encoding="utf-8") as f:
            f.write(page_shell(v["title"], body, scripts=("assets/plotly.min.js", f"assets/viz/{vid}.js"), active="viz"))
        items.append(f'<li><a href="viz-{esc(vid)}.html">{esc(v["title"])}</a> <span class="muted">'
                     f'({esc(title_of.get(nb_file, v.get("notebook", "")))}; grid {esc(grid)}, {len(v["frames"])} figures)</span></li>')
    body = f"""<h1>Kernel-free visualizers</h1>
<p>Each notebook's visualizer is a cell you edit and re-run. Here the same library code has been run ahead of time
over a grid of its parameters; the sliders pick a point of the grid, with no kernel.</p>
<ul>{''.join(items) or '<li>none exported</li>'}</ul>"""
    with open(os.path.join(out, "visualizers.html"), "w", encoding="utf-8") as f:
        f.write(page_shell("Visualizers", body, active="visualizers"))


if __name__ == "__main__":
    main()
