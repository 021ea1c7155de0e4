"""Extract published SAS PROC MIXED results from openpharma/mmrm's
design/SAS/sas_*_{reml,ml}.txt (Apache-2.0) into mmrm_sas.json.

Each file fits FEV1 ~ 1 on fev_data with REPEATED AVISIT / SUBJECT=USUBJID
TYPE=<structure> [GROUP=ARMCD], DDFM=SAT. Stored: the final -2 (Res) Log Like
of the iteration history, the intercept's estimate, standard error and
Satterthwaite DF (SAS prints the DF rounded to an integer).

Usage: python mmrm_sas_extract.py <directory with the .txt files>
"""

import json
import re
import sys
from pathlib import Path

src = Path(sys.argv[1])
out = {}
for f in sorted(src.glob("sas_*.txt")):
    m = re.fullmatch(r"sas_(group_)?([a-z0-9]+)_(reml|ml)\.txt", f.name)
    if not m:
        continue
    text = f.read_text()
    iters = re.findall(r"^\s+\d+\s+\d+\s+([0-9.]+)(?:\s+[0-9.]+)?\s*$", text, re.M)
    icpt = re.search(r"^\s+Intercept\s+([-0-9.]+)\s+([0-9.]+)\s+(\d+)\s+", text, re.M)
    out[f.name] = {
        "structure": {"un": "us"}.get(m.group(2), m.group(2)),
        "group": "ARMCD" if m.group(1) else None,
        "reml": m.group(3) == "reml",
        "m2ll": float(iters[-1]),
        "intercept": float(icpt.group(1)),
        "se": float(icpt.group(2)),
        "df": int(icpt.group(3)),
    }
Path(__file__).with_name("mmrm_sas.json").write_text(json.dumps(out, indent=1))
