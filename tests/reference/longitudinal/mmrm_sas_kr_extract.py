"""Extract the published SAS PROC MIXED Kenward-Roger results from
openpharma/mmrm (Apache-2.0), design/ddfm_covtype/, into mmrm_sas_kr.json.

Source: https://github.com/openpharma/mmrm, commit
ec290b2695b25057b31bc98e27c39d3f498cd0d6, files design/ddfm_covtype/
{kr,kr1}_<type>.{csv,txt}, made by design/ddfm_covtype/ddfm_covtype.R:

    PROC MIXED DATA = fev cl method=reml;
      CLASS RACE AVISIT SEX ARMCD(ref = 'PBO') USUBJID;
      MODEL FEV1 = ARMCD / ddfm=<kr | kr(linear)> solution chisq;
      REPEATED AVISIT / subject=USUBJID type=<type> r rcorr;
      LSMEANS ARMCD / pdiff=all cl alpha=0.05 slice=AVISIT;

i.e. FEV1 ~ ARMCD with the visit covariance <type> on fev_data (no visit
fixed effect). Stored per file: from the .csv (full precision) the LS-means
difference TRT - PBO (= the ARMCD coefficient): estimate, KR standard error,
KR DF; from the .txt the final -2 Res Log Like of the iteration history and
the printed LS-means per arm (estimate, SE to 4 decimals, DF rounded).
SAS types map to ours: un -> us, arh1 -> ar1h, ante(1) (file "adh") -> adh.

Usage: python mmrm_sas_kr_extract.py <path of the mmrm repository checkout>
"""

import csv
import json
import re
import sys
from pathlib import Path

src = Path(sys.argv[1]) / "design" / "ddfm_covtype"
names = {"us": "us", "cs": "cs", "csh": "csh", "ar1": "ar1", "arh1": "ar1h", "adh": "adh", "toep": "toep", "toeph": "toeph"}
out = {}
for tag, ddf in (("kr", "kenward-roger"), ("kr1", "kenward-roger-linear")):
    for sas, ours in names.items():
        row = next(csv.DictReader((src / f"{tag}_{sas}.csv").open()))
        text = (src / f"{tag}_{sas}.txt").read_text()
        iters = re.findall(r"^\s+\d+\s+\d+\s+([0-9.]+)(?:\s+[0-9.]+)?\s*$", text, re.M)
        ls = re.findall(r"^\s+ARMCD\s+(TRT|PBO)\s+([-0-9.]+)\s+([0-9.]+)\s+(\d+)\s+", text, re.M)
        out[f"{tag}_{sas}"] = {
            "structure": ours,
            "ddf": ddf,
            "m2ll": float(iters[-1]),
            "estimate": float(row["Estimate"]),
            "se": float(row["StdErr"]),
            "df": float(row["DF"]),
            "lsmeans": {arm: {"estimate": float(e), "se": float(s), "df": int(d)} for arm, e, s, d in ls},
        }
Path(__file__).with_name("mmrm_sas_kr.json").write_text(json.dumps(out, indent=1))
