#!/usr/bin/env python3
"""Summarises a Stryker.NET mutation-report.json for one area of src/Shared (scripts/mutation.sh calls it).

    python3 tools/mutation_summary.py REPORT QUALITY_MD SECONDS AREA [AREA…]

For each AREA (a folder of src/Shared) prints the counts and every surviving / uncovered mutant
(file:line mutator: replacement) of its files, and replaces AREA's row of the table between the markers in
QUALITY_MD (creating the table if absent). Standard library
only. Score = (killed + timeout) / (killed + timeout + survived + no coverage); compile errors and ignored
mutants are not in the score (they are reported in their own column).
"""
import datetime
import json
import os
import sys

BEGIN = "<!-- mutation-table:begin (scripts/mutation.sh rewrites this table) -->"
END = "<!-- mutation-table:end -->"
HEADER = ("| Area | Mutants | Killed | Timeout | Survived | No coverage | Compile errors | Score | Date |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")


def in_area(path, area):
    """Paths are absolute (…/src/Shared/AREA/…) or relative to the project (AREA/…)."""
    path = path.replace("\\", "/")
    rel = path.split("/src/Shared/", 1)[1] if "/src/Shared/" in path else path
    return rel.split("/", 1)[0] == area


def counts(report, area):
    c = {"Killed": 0, "Timeout": 0, "Survived": 0, "NoCoverage": 0, "CompileError": 0, "Ignored": 0,
         "RuntimeError": 0}
    alive = []
    for path, entry in sorted(report.get("files", {}).items()):
        if not in_area(path, area):
            continue
        for m in entry.get("mutants", []):
            status = m.get("status", "")
            c[status] = c.get(status, 0) + 1
            if status in ("Survived", "NoCoverage"):
                line = m.get("location", {}).get("start", {}).get("line", "?")
                alive.append((status, path, line, m.get("mutatorName", ""),
                              " ".join((m.get("replacement") or "").split())[:90]))
    return c, alive


def score(c):
    detected = c["Killed"] + c["Timeout"]
    valid = detected + c["Survived"] + c["NoCoverage"]
    return (100.0 * detected / valid if valid else float("nan")), valid


def update_table(quality, area, row):
    text = open(quality, encoding="utf-8").read() if os.path.exists(quality) else "# Quality\n"
    if BEGIN not in text:
        text = text.rstrip("\n") + "\n\n" + BEGIN + "\n" + HEADER + "\n" + END + "\n"
    head, rest = text.split(BEGIN, 1)
    table, tail = rest.split(END, 1)
    rows = [r for r in table.strip().splitlines()[2:] if r.strip()]
    rows = [r for r in rows if r.split("|")[1].strip() != area] + [row]
    rows.sort(key=lambda r: r.split("|")[1].strip())
    with open(quality, "w", encoding="utf-8") as f:
        f.write(head + BEGIN + "\n" + HEADER + "\n" + "\n".join(rows) + "\n" + END + tail)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    report_path, quality, seconds = sys.argv[1:4]
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    for area in sys.argv[4:]:
        c, alive = counts(report, area)
        s, valid = score(c)
        for status, path, line, mutator, replacement in alive:
            print(f"{status:10} {os.path.relpath(path)}:{line} {mutator}: {replacement}")
        print(f"{area}: {valid} mutants, killed {c['Killed']}, timeout {c['Timeout']}, survived {c['Survived']}, "
              f"no coverage {c['NoCoverage']}, compile errors {c['CompileError']}, score {s:.1f}%")
        shown = f"{s:.1f}%" if valid else "n/a"
        row = (f"| {area} | {valid} | {c['Killed']} | {c['Timeout']} | {c['Survived']} | {c['NoCoverage']} | "
               f"{c['CompileError']} | {shown} | {date} |")
        update_table(quality, area, row)
    print(f"(one Stryker session of {int(seconds) // 60} min {int(seconds) % 60} s)")


if __name__ == "__main__":
    main()
