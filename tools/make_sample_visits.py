"""Write python/rheumstats/datasets/sample_visits.csv (synthetic demo rows).

Run from the repository root: ``python tools/make_sample_visits.py``. The
values are random draws with a fixed seed; they are not patient data.
"""

import csv
from pathlib import Path

import numpy as np

SITES = ["face", "anterior_chest", "abdomen", "upper_arm_right", "upper_arm_left", "forearm_right", "forearm_left",
         "hand_right", "hand_left", "fingers_right", "fingers_left", "thigh_right", "thigh_left",
         "lower_leg_right", "lower_leg_left", "foot_right", "foot_left"]
ITEMS = ["dress_self", "shampoo_hair", "stand_from_chair", "in_out_of_bed", "cut_meat", "lift_cup_to_mouth",
         "open_milk_carton", "walk_outdoors", "climb_five_steps", "wash_dry_body", "take_tub_bath", "on_off_toilet",
         "reach_overhead_object", "pick_up_clothing", "open_car_doors", "open_jars", "turn_faucets", "run_errands",
         "in_out_of_car", "do_chores"]
PROXIMAL = ("anterior_chest", "abdomen", "upper_arm_right", "upper_arm_left", "thigh_right", "thigh_left")


def main() -> None:
    rng = np.random.default_rng(20261125)
    rows = []
    for k in range(8):
        patient, month = k // 2 + 1, 0 if k % 2 == 0 else 12
        sev = 1.6 if month == 0 else 0.9
        s = {n: int(min(3, rng.poisson(0.3 if n.startswith("foot") else sev))) for n in SITES}
        if patient == 4:  # a limited-subset patient: proximal sites clear
            s.update({n: 0 for n in PROXIMAL})
        h = {n: int(min(3, rng.poisson(1.2 if month == 0 else 0.7))) for n in ITEMS}
        if k == 5:
            h["walk_outdoors"] = ""  # one unanswered item
        rows.append({
            "visit": f"P{patient:02d}-M{month:02d}", "patient": f"P{patient:02d}", "month": month, **s,
            "tjc28": int(rng.integers(0, 12)), "sjc28": int(rng.integers(0, 8)), "esr": int(rng.integers(5, 60)),
            "crp": round(float(rng.gamma(2, 4)), 1), "patient_global": int(rng.integers(10, 90)),
            "evaluator_global": round(float(rng.uniform(0.5, 8)), 1),
            **h, "cane": int(k in (1, 4)), "jar_opener": int(k == 2),
        })
    out = Path(__file__).resolve().parents[1] / "python" / "rheumstats" / "datasets" / "sample_visits.csv"
    with out.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
