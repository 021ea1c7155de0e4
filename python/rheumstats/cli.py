"""Command-line interface: ``rheumstats`` (console script) and ``python -m rheumstats``.

* ``rheumstats demo`` runs the reference analysis on the bundled SIMULATED
  tocilizumab SSc cohort and prints it.
* ``rheumstats report VISITS.csv [--patients PATIENTS.csv] --out report.html``
  does the same for your cohort files and writes one self-contained HTML file.

Problems in the data end in a one-paragraph message naming file, row and
column, and exit code 2 (no traceback). Input files are only parsed as CSV
text: nothing is evaluated or unpickled.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .exceptions import InvalidInputError


def _fail(command: str, message: str) -> int:
    text = textwrap.fill(f"rheumstats {command}: error: {message}", width=100, break_long_words=False, break_on_hyphens=False)
    print(text, file=sys.stderr)
    return 2


def demo(out=None) -> int:
    """The reference analysis of the bundled simulated cohort, printed to ``out``."""
    from .datasets import tocilizumab_ssc
    from .report import analyse, from_frames, to_text
    from .report._analysis import can_encode

    out = out or sys.stdout
    visits, patients = tocilizumab_ssc()
    cohort = from_frames(visits, patients)
    a = analyse(cohort, baseline=0, followup=12, title="Tocilizumab in systemic sclerosis: 21 patients (SIMULATED cohort)")
    # \u00b1, \u2212 and \u2265 when the terminal's encoding can print them, ASCII otherwise
    encoding = getattr(out, "encoding", None)
    print(to_text(a, ascii=encoding is not None and not can_encode(encoding)), file=out)
    print(
        "Data: rs.datasets.tocilizumab_ssc(), simulated to match published summaries; not patient data.\n"
        "Same analysis on your files: rheumstats report VISITS.csv --patients PATIENTS.csv --out report.html",
        file=out,
    )
    return 0


def report(args: argparse.Namespace) -> int:
    from .report import CohortDataError, analyse, load_cohort, parse_mapping, to_html

    try:
        mapping = parse_mapping(args.map or [])
        cohort = load_cohort(args.visits, args.patients, mapping)
        a = analyse(cohort, baseline=args.baseline, followup=args.followup, title=args.title,
                    max_model_patients=args.max_model_patients or None)
        page = to_html(a, figures=not args.no_figures)
    except (CohortDataError, InvalidInputError, ValueError, TypeError) as exc:
        return _fail("report", str(exc))
    try:
        Path(args.out).write_text(page, encoding="utf-8")
    except OSError as exc:
        return _fail("report", f"could not write {args.out}: {exc.strerror or exc}")
    print(f"wrote {args.out} ({len(cohort.visits)} visits, {cohort.visits['patient'].nunique()} patients)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rheumstats", description="Rheumatology outcome scores and cohort statistics.")
    p.add_argument("--version", action="version", version=f"rheumstats {__version__}")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("demo", help="run the reference analysis on the bundled simulated cohort and print it")
    r = sub.add_parser("report", help="analyse cohort CSV files and write a self-contained HTML report")
    r.add_argument("visits", help="visits CSV: patient, month and endpoint columns (mrss, das28, haq_di, ...)")
    r.add_argument("--patients", help="patients CSV: patient, sex, subset, disease_duration_years, followup_months, stopped, stop_reason, ...")
    r.add_argument("--out", default="report.html", help="output HTML file (default: report.html)")
    r.add_argument("--baseline", type=float, default=0, help="baseline visit month (default 0)")
    r.add_argument("--followup", type=float, default=12, help="follow-up visit month (default 12)")
    r.add_argument("--map", action="append", metavar="FILE_COL=SCHEMA_COL", help="rename a column, e.g. --map mRSS=mrss (repeatable)")
    r.add_argument("--title", default="Cohort report", help="report title")
    r.add_argument("--no-figures", action="store_true", help="tables only (no matplotlib needed)")
    r.add_argument("--max-model-patients", type=int, default=0, metavar="N",
                   help="fit the over-time mixed models only up to N patients (default 0 = no limit)")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own usage message
        return int(exc.code or 0)
    if args.command == "demo":
        return demo()
    if args.command == "report":
        return report(args)
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
