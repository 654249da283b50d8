#!/usr/bin/env python3
"""Notebook tool for contributors: keeps every notebook in the shape CONTRIBUTING.md describes.

  python3 tools/nb.py clean notebooks/*.ipynb      strip outputs and execution counts, set the C# kernel
                                                   metadata, give every cell an id (run before committing)
  python3 tools/nb.py text NB.ipynb > NB.txt       a notebook as plain text ("%% md" / "%% code" blocks)
  python3 tools/nb.py build NB.txt NB.ipynb        that text back into a clean notebook; a block "%% setup"
                                                   becomes the canonical setup cell from the template
  python3 tools/nb.py nav                          rewrite every notebook's navigation line (top and bottom):
                                                   previous and next EXISTING notebook, names from README.md
Only the standard library is used, so it runs wherever python3 does.
"""
import hashlib, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "templates", "NN-topic.ipynb")

KERNELSPEC = {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}
LANGUAGE_INFO = {"file_extension": ".cs", "mimetype": "text/x-csharp", "name": "C#",
                 "pygments_lexer": "csharp", "version": "13.0"}
POLYGLOT = {"kernelInfo": {"defaultKernelName": "csharp",
                           "items": [{"aliases": [], "languageName": "C#", "name": "csharp"}]}}


def lines(text):
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def cell(kind, source, index, stem):
    src = source.strip("\n")
    cid = hashlib.sha1(f"{stem}:{index}:{src[:80]}".encode()).hexdigest()[:8]
    if kind == "markdown":
        return {"cell_type": "markdown", "id": cid, "metadata": {}, "source": lines(src)}
    return {"cell_type": "code", "execution_count": None, "id": cid,
            "metadata": {"polyglot_notebook": {"kernelName": "csharp"}}, "outputs": [], "source": lines(src)}


def clean(nb, stem):
    nb["nbformat"], nb["nbformat_minor"] = 4, 5
    nb["metadata"] = {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO, "polyglot_notebook": POLYGLOT}
    seen = set()
    for i, c in enumerate(nb["cells"]):
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        fresh = cell("markdown" if c["cell_type"] == "markdown" else "code", src, i, stem)
        cid = c.get("id") or fresh["id"]
        if cid in seen:
            cid = fresh["id"]
        seen.add(cid)
        fresh["id"] = cid
        nb["cells"][i] = fresh
    return nb


def write(nb, path):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")


def setup_source():
    with open(TEMPLATE, encoding="utf-8") as f:
        nb = json.load(f)
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    return "".join(first["source"])


def to_text(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    out = []
    for c in nb["cells"]:
        out.append("%% md" if c["cell_type"] == "markdown" else "%% code")
        out.append("".join(c["source"]).rstrip("\n"))
    return "\n".join(out) + "\n"


def from_text(text, stem):
    blocks, kind, buf = [], None, []
    for line in text.split("\n"):
        if line.strip() in ("%% md", "%% code", "%% setup"):
            if kind:
                blocks.append((kind, "\n".join(buf)))
            kind, buf = line.strip()[3:], []
        else:
            buf.append(line)
    if kind:
        blocks.append((kind, "\n".join(buf)))
    cells = []
    for i, (kind, src) in enumerate(blocks):
        if kind == "setup":
            cells.append(cell("code", setup_source(), i, stem))
        else:
            cells.append(cell("markdown" if kind == "md" else "code", src, i, stem))
    return clean({"cells": cells}, stem)


INDEX = "[Index](../README.md#the-19-topics)"


def topic_names():
    """Topic number -> name, from the README's table of the 19 topics."""
    import re
    names = {}
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\| (\d\d) \| \[?([^\]|]+?)\]?(?:\([^)]*\))? \|", line)
            if m:
                names[m.group(1)] = m.group(2).strip()
    return names


def nav_line(number, files, names):
    """Previous and next existing notebooks around topic `number` (files: number -> file name)."""
    lower = [n for n in sorted(files) if n < number]
    higher = [n for n in sorted(files) if n > number]
    parts = []
    if lower:
        parts.append(f"[← {lower[-1]} {names[lower[-1]]}]({files[lower[-1]]})")
    parts.append(INDEX)
    if higher:
        parts.append(f"[{higher[0]} {names[higher[0]]} →]({files[higher[0]]})")
    return " · ".join(parts)


def navigate():
    folder = os.path.join(ROOT, "notebooks")
    files = {f[:2]: f for f in sorted(os.listdir(folder)) if f.endswith(".ipynb") and f[:2].isdigit()
             and f[:2] != "00"}
    names = topic_names()
    for number, name in files.items():
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
        line = nav_line(number, files, names)
        first = "".join(nb["cells"][0]["source"]).split("\n")
        if INDEX not in first[0]:
            raise SystemExit(f"{name}: the first cell does not start with a navigation line")
        nb["cells"][0]["source"] = lines("\n".join([line] + first[1:]))
        if INDEX not in "".join(nb["cells"][-1]["source"]):
            raise SystemExit(f"{name}: the last cell is not the navigation cell")
        nb["cells"][-1]["source"] = lines(line)
        write(nb, path)


def main(argv):
    if argv == ["nav"]:
        navigate()
        return 0
    if len(argv) < 2 or argv[0] not in ("clean", "text", "build"):
        print(__doc__)
        return 2
    if argv[0] == "clean":
        for p in argv[1:]:
            with open(p, encoding="utf-8") as f:
                nb = json.load(f)
            write(clean(nb, os.path.splitext(os.path.basename(p))[0]), p)
    elif argv[0] == "text":
        sys.stdout.write(to_text(argv[1]))
    else:
        with open(argv[1], encoding="utf-8") as f:
            text = f.read()
        write(from_text(text, os.path.splitext(os.path.basename(argv[2]))[0]), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
