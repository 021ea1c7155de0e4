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
