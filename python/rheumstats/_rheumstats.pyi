# Hand-written stub of the native module; checked by `python -m mypy.stubtest rheumstats._rheumstats`.
from typing import Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

__version__: str

_F64 = npt.NDArray[np.float64]
_I8 = npt.NDArray[np.int8]

MRSS_SITES: Tuple[str, ...]
HAQ_ITEMS: Tuple[str, ...]
HAQ_CATEGORIES: Tuple[str, ...]
SHAQ_SCALES: Tuple[str, ...]
CHFS_DOMAINS: Tuple[str, ...]
ACR_CORE: Tuple[str, ...]

class InvalidInputError(ValueError): ...
class ConvergenceError(ValueError): ...

def _debug_panic() -> None: ...
def dist_t_ppf(p: float, df: float) -> float: ...

# scores
def scores_mrss(sites: _F64, *, nan_policy: str) -> _F64: ...
def scores_skin_subset(sites: _F64, *, nan_policy: str) -> _I8: ...
def scores_das28(kind: str, tjc: _F64, sjc: _F64, apr: _F64, patient_global: Optional[_F64], *, nan_policy: str) -> _F64: ...
def scores_das28_category(das: _F64, thresholds: Tuple[float, float, float], *, nan_policy: str) -> _I8: ...
def scores_eular_response(baseline: _F64, followup: _F64, *, nan_policy: str) -> _I8: ...
def scores_cdai(tjc: _F64, sjc: _F64, patient_global: _F64, evaluator_global: _F64, crp: Optional[_F64], *, nan_policy: str) -> _F64: ...
def scores_activity_category(values: _F64, index: str, *, nan_policy: str) -> _I8: ...
def scores_acr_response(baseline: Sequence[_F64], followup: Sequence[_F64], *, apr: str, level: float, nan_policy: str) -> _I8: ...
def scores_haq_di(
    items: _F64,
    aids: Optional[_F64],
    aids_category: Sequence[int],
    help: Optional[_F64],
    help_category: Sequence[int],
    *,
    method: str,
    nan_policy: str,
) -> _F64: ...
def scores_shaq_scale(arg: str, values: _F64, *, unit: str, nan_policy: str) -> _F64: ...
def scores_chfs(items: _F64, *, nan_policy: str) -> _F64: ...

# ssc
from typing import Any, Dict  # noqa: E402  (kept in this section to ease merging)

SSC_CORE: Tuple[str, ...]
ACR_EULAR_2013_ITEMS: Tuple[str, ...]

def ssc_criss(baseline: Sequence[_F64], followup: Sequence[_F64], worsening: Optional[_F64], *, nan_policy: str) -> Dict[str, Any]: ...
def ssc_rcriss(
    baseline: Sequence[_F64],
    followup: Sequence[_F64],
    worsening: Optional[_F64],
    *,
    threshold: float,
    min_items: int,
    fvc_threshold: float,
    nan_policy: str,
) -> _I8: ...
def ssc_eustar_ai(
    delta_skin: _F64, mrss: _F64, digital_ulcers: _F64, tendon_friction_rubs: _F64, crp: _F64, dlco: _F64, *, nan_policy: str
) -> _F64: ...
def ssc_eustar_active(index: _F64, *, nan_policy: str) -> _I8: ...
def ssc_acr_eular_2013(items: Sequence[_F64], *, nan_policy: str) -> _I8: ...
def ssc_lung_decline(
    fvc_base: _F64, fvc_follow: _F64, dlco_base: Optional[_F64], dlco_follow: Optional[_F64], *, definition: str, nan_policy: str
) -> _I8: ...
def ssc_mcid_response(measure: str, baseline: _F64, followup: _F64, *, threshold: Optional[float], nan_policy: str) -> _I8: ...
# paired
from typing import Any, Dict  # noqa: E402  (kept in this section to ease merging)
WILCOXON_AUTO_EXACT_MAX: int
MCNEMAR_AUTO_EXACT_BELOW: int
BOOTSTRAP_TASK: int
BOOTSTRAP_MAX_RESAMPLES: int

def paired_ttest(
    x: _F64,
    y: Optional[_F64],
    *,
    alternative: str,
    conf_level: float,
    popmean: float,
    nan_policy: str,
    strict: bool,
    means: bool = False,
) -> Dict[str, _F64]: ...
def paired_t_interval(mean: _F64, se: _F64, df: _F64, *, alternative: str, conf_level: float) -> Tuple[_F64, _F64]: ...
def paired_wilcoxon(
    x: _F64,
    y: Optional[_F64],
    *,
    alternative: str,
    method: str,
    zero_method: str,
    correction: bool,
    conf_level: float,
    popmean: float,
    conf_int: bool,
    nan_policy: str,
    strict: bool,
) -> Dict[str, _F64]: ...
def paired_sign_test(
    x: _F64, y: Optional[_F64], *, alternative: str, conf_level: float, popmean: float, nan_policy: str, strict: bool
) -> Dict[str, _F64]: ...
def paired_permutation_test(
    x: _F64,
    y: Optional[_F64],
    *,
    statistic: str,
    alternative: str,
    n_resamples: Optional[int],
    seed: int,
    popmean: float,
    nan_policy: str,
    strict: bool,
) -> Dict[str, _F64]: ...
def paired_bootstrap(
    x: _F64,
    y: Optional[_F64],
    *,
    statistic: str,
    method: str,
    n_resamples: int,
    conf_level: float,
    seed: int,
    endpoint_offset: int,
    nan_policy: str,
    strict: bool,
) -> Dict[str, _F64]: ...
def paired_bootstrap_distribution(
    x: _F64, y: Optional[_F64], *, statistic: str, seed: int, lo: int, hi: int, nan_policy: str
) -> _F64: ...
def paired_bootstrap_interval(
    x: _F64, y: Optional[_F64], theta_b: _F64, *, statistic: str, method: str, conf_level: float, nan_policy: str
) -> Dict[str, _F64]: ...
def paired_mcnemar(x: _F64, y: _F64, *, exact: Optional[bool], correction: bool, nan_policy: str) -> Dict[str, Any]: ...
def paired_stuart_maxwell(x: _F64, y: _F64, *, k: int, nan_policy: str) -> Dict[str, Any]: ...

# multitest
def multitest_adjust(pvalues: _F64, *, method: str) -> _F64: ...

# survival (options keyword-only)
def survival_km(
    time: _F64, event: _F64, group: Optional[_F64], *, conf_level: float, conf_type: str, nan_policy: str
) -> Dict[str, _F64]: ...
def survival_logrank(
    time: _F64, event: _F64, group: _F64, strata: Optional[_F64], *, rho: float, nan_policy: str, n_groups: int = ...
) -> Dict[str, Any]: ...
def survival_aalen_johansen(
    time: _F64, cause: _F64, group: Optional[_F64], *, conf_level: float, nan_policy: str
) -> Dict[str, _F64]: ...
def survival_gray(time: _F64, cause: _F64, group: _F64, *, rho: float) -> Dict[str, _F64]: ...
def survival_coxph(
    time: _F64,
    event: _F64,
    covariates: _F64,
    strata: Optional[_F64],
    *,
    ties: str,
    max_iter: int,
    conf_level: float,
) -> Dict[str, Any]: ...

# groups
from typing import Any, Dict  # noqa: E402  (kept in this section to ease merging)

def groups_ttest(
    x: _F64, y: _F64, *, equal_var: bool, alternative: str, conf_level: float, nan_policy: str
) -> Dict[str, Any]: ...
def groups_mannwhitney(
    x: _F64,
    y: _F64,
    *,
    alternative: str,
    method: str,
    correction: bool,
    conf_level: float,
    conf_int: bool,
    nan_policy: str,
) -> Dict[str, Any]: ...
def groups_mannwhitney_rows(
    x: _F64,
    y: _F64,
    *,
    alternative: str,
    method: str,
    correction: bool,
    conf_level: float,
    conf_int: bool,
    nan_policy: str,
    by_column: bool,
) -> Dict[str, Any]: ...
def groups_kruskal(values: _F64, group: _F64, *, nan_policy: str) -> Dict[str, Any]: ...
def groups_anova_oneway(values: _F64, group: _F64, *, nan_policy: str) -> Dict[str, Any]: ...
def groups_chisq(table: _F64, *, correction: bool) -> Dict[str, Any]: ...
def groups_fisher_exact(
    table: _F64, *, alternative: str, conf_level: float, n_resamples: Optional[int] = ..., seed: int = ...
) -> Dict[str, Any]: ...

# safety
def safety_incidence_rate(
    events: _F64, exposure: _F64, codes: _F64, *, n_groups: int, per: float, conf_level: float, nan_policy: str
) -> Dict[str, Any]: ...
def safety_rate_ratio(
    events: Tuple[float, float], exposure: Tuple[float, float], *, alternative: str, conf_level: float
) -> Dict[str, Any]: ...

# ---- longitudinal.lmm (issue 14) ----
from typing import Any, Dict, List  # noqa: E402  (kept in this section to ease merging)

_I64 = npt.NDArray[np.int64]

def lmm_blocks(x: _F64, z: _F64, y: _F64, group: _I64, p: int, q: int, m: int) -> Dict[str, Any]: ...
def lmm_fit_blocks(
    ztz: _F64, ztx: _F64, zty: _F64, xtx: _F64, xty: _F64, yty: float, n: int, m: int, p: int, q: int,
    sizes: List[int], *, reml: bool, max_iter: int, satterthwaite: bool, extra: List[int] = ...,
) -> Dict[str, Any]: ...
def lmm_fit(
    x: _F64, z: _F64, y: _F64, group: _I64, p: int, q: int, m: int, sizes: List[int], *, reml: bool, max_iter: int,
    satterthwaite: bool, extra: List[int] = ...,
) -> Dict[str, Any]: ...
def satterthwaite_contrast(l: _F64, r: int, beta: _F64, vcov: _F64, jac: _F64, a: _F64, joint: bool) -> Dict[str, Any]: ...
# longitudinal: mmrm

def mmrm_fit(
    x: _F64, y: _F64, p: int, subject: _I64, visit: _I64, group: _I64, m: int, n_groups: int, *, covariance: str, reml: bool,
    kr: Optional[str] = ..., kr_expected: bool = ...,
) -> Dict[str, Any]: ...
def kr_contrast(
    l: _F64, r: int, beta: _F64, vcov: _F64, vcov_adj: _F64, jac: _F64, w: _F64, joint: bool
) -> Dict[str, Any]: ...
# rs.dask: per-partition partials and estimators on merged partials
def dask_survival_table(time: _F64, event: Optional[_F64], code: Optional[_F64], n_codes: int) -> Tuple[_F64, Any]: ...
def dask_survival_merge(pieces: List[Tuple[_F64, Any, Any]], width: int) -> Tuple[_F64, Any]: ...
def dask_survival_km(times: _F64, counts: Any, n_groups: int, *, conf_level: float, conf_type: str) -> Dict[str, _F64]: ...
def dask_survival_logrank(times: _F64, counts: Any, n_strata: int, *, k: int, rho: float) -> Dict[str, Any]: ...
def dask_survival_aj(times: _F64, counts: Any, n_groups: int, causes: List[int], *, conf_level: float) -> Dict[str, _F64]: ...
def dask_paired_moments(x: Any, y: Optional[Any]) -> Any: ...
from typing import final  # noqa: E402  (kept in this section to ease merging)

def dask_cox_sums(time: _F64, event: _F64, covariates: Any, strata: Optional[_F64], means: _F64, beta: _F64) -> Any: ...
def dask_cox_merge(tables: List[Any], p: int) -> Any: ...

@final
class DaskCoxNewton:
    def __new__(cls, p: int, *, ties: str, max_iter: int, conf_level: float) -> "DaskCoxNewton": ...
    def point(self) -> Optional[_F64]: ...
    def observe(self, table: Any) -> None: ...
    def result(self, n_event: int) -> Dict[str, Any]: ...

def dask_paired_merge(parts: List[Any]) -> Any: ...
def dask_paired_ttest(moments: Any, *, alternative: str, conf_level: float, popmean: float, propagate: bool, strict: bool) -> Dict[str, _F64]: ...
# longitudinal.repeated (subject codes int64: code = subject - base, negative = missing)

def repeated_change_from_baseline(
    subject: _I64, base: int, n_codes: int, time: _F64, values: _F64, *, baseline: Optional[float], nan_policy: str
) -> Dict[str, Any]: ...
def repeated_visit_window(
    subject: _I64,
    base: int,
    n_codes: int,
    time: _F64,
    targets: _F64,
    *,
    width: float,
    nan_policy: str,
    floats: Sequence[_F64],
    ints: Sequence[_I64],
) -> Dict[str, Any]: ...
def repeated_locf(
    subject: _I64, base: int, n_codes: int, time: _F64, values: _F64, targets: Optional[_F64], *, nan_policy: str
) -> Dict[str, Any]: ...
def repeated_per_subject(
    subject: _I64, base: int, n_codes: int, time: _F64, values: _F64, *, what: str, normalise: bool, nan_policy: str
) -> Dict[str, Any]: ...
def repeated_test(
    subject: _I64, base: int, n_codes: int, time: _F64, values: _F64, *, test: str, alternative: str, nan_policy: str
) -> Dict[str, Any]: ...
