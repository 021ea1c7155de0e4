# Kenward-Roger reference for tests/longitudinal/test_mmrm_kr.py (run from this
# directory: Rscript mmrm_kr_pbkrtest.R). The MMRM with a `cs` visit covariance
# and a positive correlation is the random-intercept LMM, so pbkrtest (which
# lmerTest uses for ddf = "Kenward-Roger") gives its adjusted covariance Phi_A,
# the KR df of single coefficients (ddf_Lb) and KR F tests (KRmodcomp).
# pbkrtest takes W from the EXPECTED information; SAS and R mmrm (and
# rheumstats' default) from the OBSERVED one, which moves the df by ~0.5 % and
# the SEs by ~1e-5.
# Data: openpharma/mmrm's artificial fev_data (mmrm_fev_data.csv, Apache-2.0).
suppressMessages({library(lme4); library(pbkrtest); library(jsonlite)})
fev <- read.csv("mmrm_fev_data.csv", stringsAsFactors = TRUE)
fev$AVISIT <- factor(fev$AVISIT, levels = c("VIS1", "VIS2", "VIS3", "VIS4"))
fev$ARMCD <- factor(fev$ARMCD, levels = c("PBO", "TRT"))
fev$SEX <- factor(fev$SEX, levels = c("Male", "Female"))
fev <- fev[!is.na(fev$FEV1), ]

ctl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 1e-2, rhoend = 1e-12, maxfun = 1e5))
fit <- lmer(FEV1 ~ ARMCD * AVISIT + RACE + SEX + FEV1_BL + (1 | USUBJID), data = fev, REML = TRUE, control = ctl)
b <- fixef(fit)
V0 <- as.matrix(vcov(fit))
VA <- vcovAdj(fit)
p <- length(b)
names_b <- names(b)
df1 <- sapply(seq_len(p), function(j) { L <- rep(0, p); L[j] <- 1; ddf_Lb(VA, L, V0) })
# F tests: the rows of L name the tested coefficients
rows_of <- function(pattern) which(grepl(pattern, names_b))
tests <- list(
  RACE = rows_of("^RACE"),
  AVISIT = rows_of("^AVISIT"),
  ARMCD_AVISIT = rows_of("^ARMCD.*:AVISIT"),
  ARMCD_all = rows_of("^ARMCD")
)
ftab <- lapply(tests, function(j) {
  L <- matrix(0, length(j), p); L[cbind(seq_along(j), j)] <- 1
  k <- KRmodcomp(fit, L)
  list(coefficients = names_b[j], F = k$test["Ftest", "stat"], num_df = k$test["Ftest", "ndf"],
       den_df = k$test["Ftest", "ddf"], F_scaling = k$test["Ftest", "F.scaling"],
       p = k$test["Ftest", "p.value"])
})
vc <- as.data.frame(VarCorr(fit))
out <- list(
  formula = "FEV1 ~ ARMCD * AVISIT + RACE + SEX + FEV1_BL + (1 | USUBJID), REML",
  names = names_b, beta = unname(b), vcov = unname(V0), vcov_adj = unname(as.matrix(VA)),
  se = unname(sqrt(diag(V0))), se_adj = unname(sqrt(diag(as.matrix(VA)))), df = unname(df1),
  reml_loglik = as.numeric(logLik(fit)), tau2 = vc$vcov[1], sigma2 = vc$vcov[2],
  ftests = ftab,
  versions = list(lme4 = as.character(packageVersion("lme4")), pbkrtest = as.character(packageVersion("pbkrtest")))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "mmrm_kr_pbkrtest.json")
