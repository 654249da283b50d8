#!/usr/bin/env python3
"""Checks notebooks executed by real Jupyter (what .ci/run does after `jupyter nbconvert --execute`).

  python3 tools/check_executed.py [--notebooks notebooks] [--executed artifacts/executed] [--times FILE]

For every notebooks/*.ipynb there must be an executed copy in --executed, and it fails when:
  - any cell has an error output (an exception, a failed claim check, a compile error) or wrote to stderr;
  - a real-system experiment was skipped because its server was not running (CI starts them all);
  - no output is a chart (text/html containing "Plotly.newPlot");
  - the first chart does not carry plotly.js inline (the offline copy from npm) -- later charts reuse it.
Prints one block per notebook (cells, charts, checks passed, time) and a last line "N passed, M failed".
--times is a tab-separated file of "<notebook>\t<seconds>\t<nbconvert exit code>" written by .ci/run.
Only the standard library is used.
"""
import argparse, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHART_MARK = "Plotly.newPlot"
SKIP_MARK = "skipping this experiment"  # what Servers prints when a server is down (src/Shared/RealSystems)


def plotly_version():
    with open(os.path.join(ROOT, "package.json"), encoding="utf-8") as f:
        return json.load(f)["dependencies"]["plotly.js-dist-min"]


def text(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def first_line(cell):
    src = text(cell.get("source")).strip().splitlines()
    return src[0][:70] if src else ""


def inspect(path, version):
    """Figures and problems of one executed notebook."""
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    figures = {"cells": 0, "charts": 0, "checks": 0, "inline": None}
    problems = []
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != ".net-csharp":
        problems.append(f"kernelspec is {kernel!r}, not '.net-csharp'")
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        figures["cells"] += 1
        where = f"cell {index} ({first_line(cell)})"
        if cell.get("execution_count") is None and text(cell.get("source")).strip():
            problems.append(f"{where} did not run")
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                detail = out.get("evalue") or out.get("ename") or "error"
                problems.append(f"{where} failed: {out.get('ename', '')}: {detail.splitlines()[0] if detail else ''}"[:400])
                continue
            if kind == "stream":
                body = text(out.get("text"))
                if out.get("name") == "stderr" and body.strip():
                    problems.append(f"{where} wrote to stderr: {body.strip().splitlines()[0][:200]}")
                figures["checks"] += sum(1 for line in body.splitlines() if line.startswith("✓ "))
            else:
                data = out.get("data", {})
                body = text(data.get("text/plain"))
                figures["checks"] += sum(1 for line in body.splitlines() if line.startswith("✓ "))
                html = text(data.get("text/html"))
                if CHART_MARK in html:
                    figures["charts"] += 1
                    if figures["inline"] is None:
                        figures["inline"] = first_chart_inline(html, version)
                        if not figures["inline"][0]:
                            problems.append(f"{where}: first chart does not embed plotly.js: {figures['inline'][1]}")
            body_all = text(out.get("text")) + text(out.get("data", {}).get("text/plain"))
            if SKIP_MARK in body_all:
                problems.append(f"{where} skipped a real-system experiment: {body_all.strip().splitlines()[0][:200]}")
    if figures["charts"] == 0:
        problems.append(f"no chart output (text/html with {CHART_MARK})")
    return figures, problems


def first_chart_inline(html, version):
    """(ok, what): the first chart must hold the whole plotly.js bundle before its newPlot call."""
    banner = f"plotly.js v{version}"
    at = html.find(banner)
    if at < 0:
        cdn = "cdn.plot.ly" in html
        return False, "no inline bundle" + (" (it would load plotly.js from cdn.plot.ly)" if cdn else "")
    if at > html.find(CHART_MARK):
        return False, "plotly.js comes after the chart"
    if len(html) < 1_000_000:
        return False, f"output is {len(html)} bytes: too small to hold plotly.js"
    return True, f"plotly.js {version} inline, {len(html) / 1e6:.1f} MB"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", default=os.path.join(ROOT, "notebooks"))
    parser.add_argument("--executed", default=os.path.join(ROOT, "artifacts", "executed"))
    parser.add_argument("--times")
    args = parser.parse_args()

    times = {}
    if args.times and os.path.exists(args.times):
        with open(args.times, encoding="utf-8") as f:
            for row in f:
                parts = row.rstrip("\n").split("\t")
                if len(parts) == 3:
                    times[parts[0]] = (float(parts[1]), int(parts[2]))

    version = plotly_version()
    names = sorted(n for n in os.listdir(args.notebooks) if n.endswith(".ipynb"))
    passed = failed = 0
    for name in names:
        seconds, rc = times.get(name, (None, None))
        took = f"{seconds:.1f} s" if seconds is not None else "time not recorded"
        path = os.path.join(args.executed, name)
        if not os.path.exists(path):
            failed += 1
            log = os.path.join(args.executed, name[:-len(".ipynb")] + ".log")
            code = "unknown" if rc is None else rc
            print(f"✗ {name}: no executed copy (nbconvert exit {code}, {took}); its log: {log}")
            continue
        figures, problems = inspect(path, version)
        inline = figures["inline"][1] if figures["inline"] else "no chart"
        charts = f"{figures['charts']} chart" + ("" if figures["charts"] == 1 else "s")
        summary = (f"{figures['cells']} code cells, {charts} ({inline}), "
                   f"{figures['checks']} ✓ lines, {took}")
        if rc not in (None, 0):
            problems.append(f"nbconvert exited with {rc}")
        if problems:
            failed += 1
            print(f"✗ {name}: {summary}")
            for p in problems:
                print(f"    {p}")
        else:
            passed += 1
            print(f"✓ {name}: {summary}")
    if not names:
        print(f"no notebooks in {args.notebooks}")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
