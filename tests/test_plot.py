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


def test_spaghetti_has_one_path_per_subject_and_the_mean():
    from matplotlib.collections import LineCollection

    d = long_data()
    ax = plot.spaghetti(d, "patient", "month", "mrss")
    lc = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_label() == "5 subjects"]
    assert len(lc) == 1
    paths = lc[0].get_segments()
    assert len(paths) == 5 and all(len(p) == 3 for p in paths)
    want = d.sort_values(["patient", "month"])
    np.testing.assert_allclose(np.concatenate(paths), want[["month", "mrss"]].to_numpy())
    mean_line = [ln for ln in ax.get_lines() if ln.get_label() == "mean"]
    assert len(mean_line) == 1
    np.testing.assert_allclose(mean_line[0].get_ydata(), d.groupby("month")["mrss"].mean().to_numpy())
    assert ax.get_xlabel() == "month" and ax.get_ylabel() == "mrss"
    assert ax.get_legend()._loc == 1  # 'upper right': a fixed place, no 'best' search over the points


def test_spaghetti_draws_a_stated_sample_and_the_mean_of_all():
    from matplotlib.collections import LineCollection

    rng = np.random.default_rng(0)
    n = 1000
    d = pd.DataFrame({"id": np.repeat(np.arange(n), 3), "t": np.tile([0, 6, 12], n), "y": rng.normal(20, 5, 3 * n)})
    ax = plot.spaghetti(d, "id", "t", "y", max_subjects=50, seed=1)
    lc = [c for c in ax.collections if isinstance(c, LineCollection) and "random sample" in str(c.get_label())]
    assert len(lc) == 1 and lc[0].get_label() == "50 of 1,000 subjects (random sample)"
    assert len(lc[0].get_segments()) == 50
    # every drawn path is a whole subject of the data
    for seg in lc[0].get_segments():
        assert any(np.allclose(seg[:, 1], d.loc[d["id"] == i, "y"].to_numpy()) for i in range(n) if d.loc[d["id"] == i, "y"].iloc[0] == seg[0, 1])
    mean_line = [ln for ln in ax.get_lines() if ln.get_label() == "mean"][0]
    np.testing.assert_allclose(mean_line.get_ydata(), d.groupby("t")["y"].mean().to_numpy())  # all 1,000, not the sample
    assert "random sample" in " ".join(t.get_text() for t in ax.get_legend().get_texts())
    # same seed, same picture
    ax2 = plot.spaghetti(d, "id", "t", "y", max_subjects=50, seed=1)
    lc2 = [c for c in ax2.collections if isinstance(c, LineCollection) and "random sample" in str(c.get_label())][0]
    np.testing.assert_array_equal(np.concatenate(lc[0].get_segments()), np.concatenate(lc2.get_segments()))
    # the mean only where at least min_n subjects were seen
    late = pd.concat([d, pd.DataFrame({"id": [0, 1], "t": [48, 48], "y": [1.0, 2.0]})])
    ax3 = plot.spaghetti(late, "id", "t", "y", max_subjects=50)
    assert 48 not in [ln for ln in ax3.get_lines() if ln.get_label() == "mean"][0].get_xdata()
    ax4 = plot.spaghetti(late, "id", "t", "y", max_subjects=50, min_n=2)
    assert 48 in [ln for ln in ax4.get_lines() if ln.get_label() == "mean"][0].get_xdata()
    with pytest.raises(ValueError, match="max_subjects"):
        plot.spaghetti(d, "id", "t", "y", max_subjects=0)


def _pair_segments(ax):
    from matplotlib.collections import LineCollection

    return [s for c in ax.collections if isinstance(c, LineCollection) for s in c.get_segments()]


def test_paired_draws_one_segment_per_complete_pair():
    ax = plot.paired([10, 12, np.nan, 8], [7, 12, 5, 9], labels=("M0", "M12"))
    segs = _pair_segments(ax)
    assert sorted((s[0, 1], s[1, 1]) for s in segs) == [(8, 9), (10, 7), (12, 12)]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["M0", "M12"]
    med = [ln for ln in ax.get_lines() if ln.get_label() == "median"][0]
    np.testing.assert_allclose(med.get_ydata(), [10, 9])


def test_paired_samples_beyond_max_pairs_but_medians_use_all():
    rng = np.random.default_rng(2)
    b, a = rng.normal(20, 5, 2000), rng.normal(15, 5, 2000)
    ax = plot.paired(b, a, max_pairs=100)
    assert len(_pair_segments(ax)) == 100
    med = [ln for ln in ax.get_lines() if ln.get_label() == "median"][0]
    np.testing.assert_allclose(med.get_ydata(), [np.median(b), np.median(a)])
    assert "100 of 2,000 pairs (random sample)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_at_risk_counts_sit_under_the_ticks():
    km = rs.survival.kaplan_meier([1, 2, 2, 3, 4, 5, 6, 7], [1, 0, 1, 1, 0, 1, 0, 1], ["a", "a", "a", "a", "b", "b", "b", "b"])
    ax = km.plot()
    rows = plot.at_risk_counts(km, [0, 2, 4, 6], ax)
    risk = km.risk_table([0, 2, 4, 6])
    assert len(rows) == 2
    np.testing.assert_allclose(ax.get_xticks(), [0, 2, 4, 6])
    for a2, g in zip(rows, ["a", "b"]):
        np.testing.assert_allclose(a2.get_xticks(), [0, 2, 4, 6])  # same positions as the main ticks
        assert a2.get_xlim() == ax.get_xlim()
        assert [t.get_text() for t in a2.get_xticklabels()] == [str(v) for v in risk[risk["group"] == g]["n_risk"]]
    names = [t.get_text() for t in ax.texts]
    assert "a" in names and "b" in names and "At risk" in names
    one = rs.survival.kaplan_meier([1, 2, 3], [1, 1, 0])
    ax1 = one.plot()
    (row,) = plot.at_risk_counts(one, [0, 1, 2, 3], ax1, title="at risk")
    assert [t.get_text() for t in row.get_xticklabels()] == ["3", "3", "2", "1"]  # at risk at t: time >= t
    with pytest.raises(ValueError, match="times"):
        plot.at_risk_counts(one, [], ax1)


def test_counts_under_the_axis_are_short_at_registry_size():
    # 5-digit counts under neighbouring ticks ran into each other (seen in the
    # 100,000-patient report in Chromium): 10,000 and above are written in k
    assert [plot._count_label(v) for v in (7, 9999, 10_000, 85_955, 123_456, 2_000_000)] == ["7", "9999", "10.0k", "86.0k", "123k", "2000k"]
    t = pd.DataFrame({"estimate": [-1.0, -2.0], "ci_low": [-1.1, -2.2], "ci_high": [-0.9, -1.8], "n": [85_955, 8_595]}, index=[3, 6])
    ax = plot.lsmeans(t)
    labels = [t.get_text() for a in ax.figure.axes if a is not ax for t in a.get_xticklabels()]
    assert "86.0k" in labels and "8595" in labels


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
