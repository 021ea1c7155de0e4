"""NIST StRD one-way ANOVA reference sets SmLs01-09, generated from their definition.

Source: NIST Statistical Reference Datasets, Analysis of Variance,
https://www.itl.nist.gov/div898/strd/anova/anova.html (SmLs01.dat ... SmLs09.dat;
"lower"/"average"/"higher" difficulty). Each set has 9 groups; group 1 is
``c + 1.4`` followed by ten (SmLs01/04/07), 100 (02/05/08) or 1000 (03/06/09) pairs
``c + 1.3, c + 1.5``; groups 2, 4, 6, 8 are ``c + 1.3`` then pairs ``c + 1.2, c + 1.4``;
groups 3, 5, 7, 9 are ``c + 1.5`` then pairs ``c + 1.4, c + 1.6``; the offset c is 0
(01-03), 999999 (04-06) and 999999999999 (07-09), i.e. the values read
1000000.4, 1000000000000.4, ... Certified values (exact for the decimal data):
between-group SS 1.68 / 16.08 / 160.08 on 8 df, within-group SS 1.8 / 18 / 180 on
180 / 1800 / 18000 df, F = 21 / 201 / 2001 (R^2 0.482758620689655,
0.471830985915493, 0.470712773465067).

The decimal data are not exactly representable: ``float("1000000000000.3")`` is off
by up to half an ulp (6e-5), so the F statistic *of the doubles* differs from the
certified one by up to ~1e-4 at offset 1e12. This script also records that exact F
(rational arithmetic on the doubles, ``fractions.Fraction``), the value an exact
algorithm must give. Run: ``python tests/reference/groups/nist_smls.py``.
"""

import json
from fractions import Fraction
from pathlib import Path

CERTIFIED = {1: (1.68, 1.8, 21.0), 2: (16.08, 18.0, 201.0), 3: (160.08, 180.0, 2001.0)}


def smls_strings(k: int) -> tuple[list[str], list[int]]:
    """The data of SmLs0k as the decimal strings of the NIST file, and group labels."""
    size = (k - 1) % 3 + 1  # 1, 2, 3 -> 10, 100, 1000 pairs
    pairs = {1: 10, 2: 100, 3: 1000}[size]
    offset = {0: "", 1: "1000000", 2: "1000000000000"}[(k - 1) // 3]
    values, groups = [], []
    for g in range(1, 10):
        if g == 1:
            first, lo, hi = "1.4", "1.3", "1.5"
        elif g % 2 == 0:
            first, lo, hi = "1.3", "1.2", "1.4"
        else:
            first, lo, hi = "1.5", "1.4", "1.6"
        seq = [first] + [lo, hi] * pairs
        for s in seq:
            # SmLs04: "1000000.4", SmLs07: "1000000000000.4" (SmLs01 + 999999...)
            values.append(offset + s[1:] if offset else s)
            groups.append(g)
    return values, groups


def exact_f(values: list[float], groups: list[int]) -> Fraction:
    by: dict[int, list[Fraction]] = {}
    for v, g in zip(values, groups):
        by.setdefault(g, []).append(Fraction(v))
    n = sum(len(v) for v in by.values())
    grand = sum(sum(v) for v in by.values()) / n
    ssb = sum(len(v) * (sum(v) / len(v) - grand) ** 2 for v in by.values())
    ssw = sum(sum((x - sum(v) / len(v)) ** 2 for x in v) for v in by.values())
    k = len(by)
    return (ssb / (k - 1)) / (ssw / (n - k))


def main() -> None:
    out = {"source": "NIST StRD ANOVA SmLs01-09 (https://www.itl.nist.gov/div898/strd/anova/anova.html)", "sets": {}}
    for k in range(1, 10):
        strings, groups = smls_strings(k)
        values = [float(s) for s in strings]
        ssb, ssw, f = CERTIFIED[(k - 1) % 3 + 1]
        out["sets"][f"SmLs0{k}"] = {
            "certified_f": f,
            "certified_ss_between": ssb,
            "certified_ss_within": ssw,
            "df": [8, len(values) - 9],
            "exact_f_of_doubles": float(exact_f(values, groups)),
        }
    path = Path(__file__).with_suffix(".json")
    path.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
