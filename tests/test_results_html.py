"""Every result object renders in Jupyter (_repr_html_) and as text, and to_frame() works."""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

X = [5.1, 4.8, 6.0, 5.5, 4.9, 6.2, 5.8, 5.0]
Y = [4.0, 4.1, 5.2, 5.6, 4.0, 5.1, 4.9, 4.3]


def results():
    yield rs.paired.ttest(X, Y)
    yield rs.paired.wilcoxon(X, Y)
    yield rs.paired.sign_test(X, Y)
    yield rs.paired.permutation_test(X, Y)
    yield rs.paired.bootstrap_ci(X, Y, n_resamples=200, seed=1)
    yield rs.paired.mcnemar([1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 0, 0])
    yield rs.groups.ttest(X, Y)
    yield rs.groups.mannwhitney(X, Y)
    yield rs.groups.kruskal(X + Y, ["a"] * 8 + ["b"] * 8)
    yield rs.groups.anova_oneway(X + Y, ["a"] * 8 + ["b"] * 8)
    yield rs.groups.chisq([[10, 20], [30, 25]])
    yield rs.groups.fisher_exact([[3, 1], [1, 3]])
    yield rs.safety.rate_ratio([3, 5], [10.0, 12.0])
    yield rs.survival.kaplan_meier([1, 2, 3, 4], [1, 0, 1, 1])
    yield rs.survival.logrank([1, 2, 3, 4], [1, 0, 1, 1], ["a", "a", "b", "b"])
    yield rs.survival.cumulative_incidence([1, 2, 3, 4], [1, 2, 0, 1])
    yield rs.survival.coxph(pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0], "x": [0.5, 1.5, 0.2, 2.0, 0.1, 1.1]}), "t", "e", ["x"])


@pytest.mark.parametrize("res", list(results()), ids=lambda r: type(r).__name__)
def test_result_renders(res):
    html = res._repr_html_()
    assert html.lstrip().startswith("<") and "<table" in html and type(res).__name__ in html
    text = repr(res)
    assert type(res).__name__ in text and "\n" in text
    frame = res.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) >= 1
