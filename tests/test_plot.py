"""rs.plot, drawn headless (Agg) and checked for content."""

import numpy as np
import pandas as pd
import pytest

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import rheumstats as rs  # noqa: E402
from rheumstats import plot  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def long_data():
    rows = []
    for p in range(5):
        for m in (0, 6, 12):
            rows.append({"patient": f"p{p}", "month": m, "mrss": 20 - m / 3 + p})
    return pd.DataFrame(rows)


def test_spaghetti_has_one_line_per_subject_and_the_mean():
    d = long_data()
    ax = plot.spaghetti(d, "patient", "month", "mrss")
    subject_lines = [ln for ln in ax.get_lines() if ln.get_label().startswith("_")]
    assert len([ln for ln in subject_lines if len(ln.get_xdata()) == 3]) >= 5
    mean_line = [ln for ln in ax.get_lines() if ln.get_label() == "mean"]
    assert len(mean_line) == 1
    np.testing.assert_allclose(mean_line[0].get_ydata(), d.groupby("month")["mrss"].mean().to_numpy())
    assert ax.get_xlabel() == "month" and ax.get_ylabel() == "mrss"


def test_paired_draws_one_line_per_complete_pair():
    ax = plot.paired([10, 12, np.nan, 8], [7, 12, 5, 9], labels=("M0", "M12"))
    pair_lines = [ln for ln in ax.get_lines() if ln.get_label() != "median"]
    assert len(pair_lines) == 3
    assert [t.get_text() for t in ax.get_xticklabels()] == ["M0", "M12"]
    med = [ln for ln in ax.get_lines() if ln.get_label() == "median"][0]
    np.testing.assert_allclose(med.get_ydata(), [10, 9])


def test_forest_labels_rows_and_draws_their_intervals():
    t = pd.DataFrame({"mean_change": [-6.9, -1.9], "ci_low": [-9.6, -2.3], "ci_high": [-4.1, -1.5]}, index=["mrss", "das28"])
    ax = plot.forest(t)
    assert [x.get_text() for x in ax.get_yticklabels()] == ["mrss", "das28"][::-1] or [x.get_text() for x in ax.get_yticklabels()] == ["mrss", "das28"]
    ci_lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 2 and ln.get_linestyle() == "-"]
    assert sorted(tuple(ln.get_xdata()) for ln in ci_lines) == sorted([(-9.6, -4.1), (-2.3, -1.5)])


def test_plot_input_errors():
    with pytest.raises(ValueError, match="missing column"):
        plot.spaghetti(long_data(), "patient", "visit", "mrss")
    with pytest.raises(ValueError, match="same length"):
        plot.paired([1, 2], [1])
    with pytest.raises(ValueError, match="missing column"):
        plot.forest(pd.DataFrame({"x": [1]}))


def test_t_quantile_helper_matches_r():
    # qt(0.975, 4) = 2.776445105197793 (R 4.2.2)
    assert rs._rheumstats.dist_t_ppf(0.975, 4) == pytest.approx(2.776445105197793, rel=1e-10)


def test_kaplan_meier_plot_content():
    # two groups: one step line + one censor-tick line each, a CI band each, at-risk numbers under the axis
    km = rs.survival.kaplan_meier([1, 2, 2, 3, 4, 5, 6, 7], [1, 0, 1, 1, 0, 1, 0, 1], ["a", "a", "a", "a", "b", "b", "b", "b"])
    ax = km.plot(at_risk=[0, 2, 4, 6])
    steps = [ln for ln in ax.get_lines() if ln.get_drawstyle() == "steps-post"]
    ticks = [ln for ln in ax.get_lines() if ln.get_marker() == "|"]
    assert [ln.get_label() for ln in steps] == ["a", "b"]
    assert len(ticks) == 2 and len(ax.collections) == 2  # censor marks and CI bands per group
    np.testing.assert_allclose(steps[0].get_ydata(), np.r_[1.0, km.table[km.table["group"] == "a"]["survival"].to_numpy()])
    text = " ".join(t.get_text() for t in ax.texts)
    risk = km.risk_table([0, 2, 4, 6])
    assert "At risk" in text and "a: " + "  ".join(str(v) for v in risk[risk["group"] == "a"]["n_risk"]) in text
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_cumulative_incidence_plot_content():
    ci = rs.survival.cumulative_incidence([1, 2, 3, 4, 5, 6], [1, 2, 0, 1, 2, 1])
    ax = ci.plot(labels={1: "inefficacy", 2: "infection"})
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["inefficacy", "infection"]
    t1 = ci.table[ci.table["cause"] == 1]
    np.testing.assert_allclose(lines[0].get_ydata(), np.r_[0.0, t1["cif"].to_numpy()])
    ax2 = ci.plot(stacked=True)
    assert len(ax2.collections) == 2 and ax2.get_ylabel() == "cumulative incidence"
