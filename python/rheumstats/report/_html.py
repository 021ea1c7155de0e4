"""Self-contained HTML: every user string escaped, images inline, nothing remote."""

from __future__ import annotations

import base64
import html
import io
from typing import Any, Iterable, Optional, Tuple

import pandas as pd

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:64em;color:#222;line-height:1.4}
h1{font-size:1.6em;border-bottom:2px solid #336;padding-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em;color:#336}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:right}
th{background:#f2f2f7}td:first-child,th:first-child{text-align:left}caption{caption-side:top;text-align:left;font-weight:600;padding:.3em 0}
.note{color:#555;font-size:.9em}.warn{color:#8a4b00}figure{margin:1em 0}figure img{max-width:100%}figcaption{font-size:.9em;color:#555}
"""


def esc(x: Any) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape("" if x is None else str(x), quote=True)


def table(df: pd.DataFrame, caption: Optional[str] = None, index: bool = True, float_format: str = "{:.3g}") -> str:
    """A DataFrame as an HTML table; headers, index labels and cells are escaped."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if v != v else esc(float_format.format(v))
        return esc(v)

    nlev = df.index.nlevels if index else 0
    names = [n or "" for n in df.index.names] if index else []
    head = "".join(f"<th>{esc(c)}</th>" for c in names + list(df.columns))
    rows = []
    previous: tuple = ()
    for label, row in zip(df.index, df.itertuples(index=False)):
        parts = (label if isinstance(label, tuple) else (label,)) if index else ()
        # a MultiIndex shows each level in its own column, repeated values blanked
        shown = [("" if k < len(previous) and previous[: k + 1] == parts[: k + 1] and k < nlev - 1 else p) for k, p in enumerate(parts)]
        previous = parts
        cells = [f"<td>{esc(p)}</td>" for p in shown] + [f"<td>{cell(v)}</td>" for v in row]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def figure(fig: Any, caption: str = "") -> str:
    """A matplotlib figure as an inline PNG (data URI); the figure is closed."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}">{cap}</figure>'


def paragraph(text: str, cls: Optional[str] = None) -> str:
    c = f' class="{esc(cls)}"' if cls else ""
    return f"<p{c}>{esc(text)}</p>"


def page(title: str, sections: Iterable[Tuple[str, str]], footer: str = "") -> str:
    """A complete HTML document. ``sections`` are (heading, already-safe HTML body)."""
    body = "".join(f"<section><h2>{esc(h)}</h2>{b}</section>" for h, b in sections)
    foot = f"<footer class='note'>{esc(footer)}</footer>" if footer else ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{esc(title)}</title>"
        f"<style>{CSS}</style></head><body><h1>{esc(title)}</h1>{body}{foot}</body></html>"
    )
