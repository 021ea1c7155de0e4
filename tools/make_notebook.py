"""Write examples/<name>.ipynb from the percent-format script examples/<name>.py.

Cells start at lines ``# %%`` (code) and ``# %% [markdown]`` (markdown, whose
lines drop their leading ``# ``). Usage: ``python tools/make_notebook.py tocilizumab_ssc``.
tests/examples/ checks that the notebook and the script stay in sync.
"""

import json
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def cells_of(script: str) -> list:
    cells, kind, lines = [], None, []

    def flush():
        if kind is None:
            return
        while lines and not lines[-1].strip():
            lines.pop()
        if kind == "markdown":
            text = [ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in lines]
        else:
            text = list(lines)
        src = [ln + "\n" for ln in text]
        if src:
            src[-1] = src[-1].rstrip("\n")
        cell = {"cell_type": kind, "id": f"cell-{len(cells)}", "metadata": {}, "source": src}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)

    for line in script.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    flush()
    return cells


def notebook(script: str) -> dict:
    return {
        "cells": cells_of(script),
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def main(name: str) -> None:
    script = (EXAMPLES / f"{name}.py").read_text(encoding="utf-8")
    (EXAMPLES / f"{name}.ipynb").write_text(json.dumps(notebook(script), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tocilizumab_ssc")
