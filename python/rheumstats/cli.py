"""Command-line interface: ``rheumstats demo`` (and ``python -m rheumstats``).

Errors in user data end in a one-paragraph message and exit code 2, never a
traceback. The CLI never evaluates or unpickles its input.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

import pandas as pd

from . import __version__, scores
from .datasets import sample_visits


def _score_sample() -> pd.DataFrame:
    v = sample_visits()
    sites = v[list(scores.MRSS_SITES)]
    aids = v[["cane", "jar_opener"]]
    return pd.DataFrame(
        {
            "mrss": scores.mrss(sites),
            "subset": scores.skin_subset(sites),
            "das28_esr": scores.das28_esr(v["tjc28"], v["sjc28"], v["esr"], v["patient_global"]),
            "das28_crp": scores.das28_crp(v["tjc28"], v["sjc28"], v["crp"], v["patient_global"]),
            "cdai": scores.cdai(v["tjc28"], v["sjc28"], v["patient_global"] / 10, v["evaluator_global"]),
            "haq_di": scores.haq_di(v[list(scores.HAQ_ITEMS)], aids=aids),
        }
    ).assign(das28_category=lambda d: scores.das28_category(d["das28_esr"]))


def demo(out=sys.stdout) -> int:
    """Score the bundled synthetic sample rows and print them."""
    table = _score_sample()
    print(f"rheumstats {__version__} demo: scores of the bundled sample visits (SIMULATED data, not patients)\n", file=out)
    with pd.option_context("display.width", 120, "display.max_columns", 20, "display.precision", 3):
        print(table.to_string(), file=out)
    print(
        "\nmRSS 0-51 (17 sites); DAS28-ESR/CRP (Prevoo 1995); CDAI (globals in cm); HAQ-DI 0-3 with aids.",
        file=out,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rheumstats", description="Rheumatology outcome scores and statistics.")
    p.add_argument("--version", action="version", version=f"rheumstats {__version__}")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("demo", help="run the reference analysis on the bundled synthetic data and print it")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
