# Reference values for tests/longitudinal/test_mmrm*.py (run from this directory:
#   Rscript mmrm_reference.R). R mmrm is not in Debian; nlme::gls fits the same
# marginal REML/ML models (corSymm + varIdent = us, corCompSymm = cs, corAR1 = ar1,
# corARMA(p = m - 1) = toep; with varIdent the heterogeneous variants), emmeans
# gives the LS-means. mmrm_fev_data.csv is openpharma/mmrm's artificial fev_data
# (Apache-2.0, read from its data/fev_data.rda with R and written as CSV).
suppressMessages({library(nlme); library(emmeans); library(jsonlite)})
fev <- read.csv("mmrm_fev_data.csv", stringsAsFactors = TRUE)
fev$AVISIT <- factor(fev$AVISIT, levels = c("VIS1", "VIS2", "VIS3", "VIS4"))
fev$ARMCD <- factor(fev$ARMCD, levels = c("PBO", "TRT"))
fev$SEX <- factor(fev$SEX, levels = c("Male", "Female"))
fev$VIS <- as.integer(fev$AVISIT)
fev <- fev[!is.na(fev$FEV1), ]

# a complete data set: 120 subjects x 5 visits, unstructured covariance
set.seed(20261203)
n <- 120; m <- 5
S <- outer(1:m, 1:m, function(i, j) 4 * 0.6^abs(i - j)) * outer(sqrt(1:m), sqrt(1:m))
U <- chol(S)
e <- matrix(rnorm(n * m), n) %*% U
arm <- rep(c("PBO", "TRT"), length.out = n)
base <- round(rnorm(n, 50, 5), 2)
cmp <- data.frame(
  subj = rep(sprintf("S%03d", 1:n), each = m), visit = rep(sprintf("M%d", 1:m), n),
  arm = rep(arm, each = m), base = rep(base, each = m)
)
vi <- rep(1:m, n)
cmp$y <- round(10 + 0.2 * cmp$base + vi * (cmp$arm == "TRT") * 0.8 + vi + as.vector(t(e)), 4)
cmp$VIS <- vi
write.csv(cmp[, c("subj", "visit", "arm", "base", "y")], "mmrm_complete_data.csv", row.names = FALSE)
cmp$visit <- factor(cmp$visit); cmp$arm <- factor(cmp$arm)

ctl <- glsControl(tolerance = 1e-12, msTol = 1e-14, maxIter = 1000, msMaxIter = 1000,
                  returnObject = TRUE, opt = "nlminb")
corr_of <- function(cov, d, m) switch(cov,
  us = corSymm(form = ~ VIS | id), cs = corCompSymm(form = ~ VIS | id),
  csh = corCompSymm(form = ~ VIS | id), ar1 = corAR1(form = ~ VIS | id),
  ar1h = corAR1(form = ~ VIS | id), toep = corARMA(form = ~ VIS | id, p = m - 1),
  toeph = corARMA(form = ~ VIS | id, p = m - 1))
het <- c(us = TRUE, cs = FALSE, csh = TRUE, ar1 = FALSE, ar1h = TRUE, toep = FALSE, toeph = TRUE)

fit_one <- function(d, fml, cov, method, visitvar, subj, complete_id) {
  d$id <- d[[subj]]
  d$vf <- d[[visitvar]]
  m <- nlevels(d$vf)
  w <- if (het[[cov]]) varIdent(form = ~ 1 | vf) else NULL
  f <- gls(fml, data = d, correlation = corr_of(cov, d, m), weights = w, method = method, control = ctl)
  V0 <- getVarCov(f, individual = complete_id); V <- matrix(as.numeric(V0), nrow = nrow(V0))
  list(cov = cov, method = method, coef = unname(coef(f)), names = names(coef(f)),
       se = unname(sqrt(diag(vcov(f)))), loglik = as.numeric(logLik(f)),
       covariance = unname(V), fit = f, data = d)
}
strip <- function(r) { r$fit <- NULL; r$data <- NULL; r }

out <- list()
fml_fev <- FEV1 ~ ARMCD * AVISIT + SEX + FEV1_BL
for (cov in c("us", "cs", "csh", "ar1", "ar1h", "toep", "toeph")) {
  for (method in c("REML", "ML")) {
    full_id <- names(which(table(droplevels(fev$USUBJID)) == 4))[1]
    r <- fit_one(fev, fml_fev, cov, method, "AVISIT", "USUBJID", full_id)
    if (cov == "us" && method == "REML") {
      em <- emmeans(r$fit, ~ ARMCD | AVISIT, mode = "df.error", data = r$data)
      es <- as.data.frame(summary(em))
      pr <- as.data.frame(summary(pairs(em, reverse = TRUE)))
      emp <- as.data.frame(summary(emmeans(r$fit, ~ ARMCD | AVISIT, mode = "df.error", weights = "proportional", data = r$data)))
      emv <- as.data.frame(summary(emmeans(r$fit, ~ AVISIT, mode = "df.error", data = r$data)))
      r$emmeans <- list(equal = list(estimate = es$emmean, se = es$SE, arm = as.character(es$ARMCD), visit = as.character(es$AVISIT)),
                        proportional = list(estimate = emp$emmean, se = emp$SE),
                        by_visit = list(estimate = emv$emmean, se = emv$SE),
                        diff = list(estimate = pr$estimate, se = pr$SE))
    }
    out[[paste("fev", cov, method, sep = "_")]] <- strip(r)
  }
}
fml_c <- y ~ visit * arm + base
for (cov in c("us", "cs", "ar1", "toep", "csh")) {
  r <- fit_one(cmp, fml_c, cov, "REML", "visit", "subj", "S001")
  out[[paste("complete", cov, "REML", sep = "_")]] <- strip(r)
}
# cs with a positive correlation is the random-intercept model: lmerTest's
# Satterthwaite df (tight optimiser tolerances) for the cs check
suppressMessages(library(lmerTest))
lm1 <- lmer(FEV1 ~ ARMCD * AVISIT + SEX + FEV1_BL + (1 | USUBJID), data = fev, REML = TRUE,
            control = lmerControl(optimizer = "nloptwrap", optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, maxeval = 1e5)))
co <- summary(lm1)$coefficients
an <- anova(lm1, type = "III")
out$lmertest_cs <- list(names = rownames(co), coef = unname(co[, "Estimate"]), se = unname(co[, "Std. Error"]),
                        df = unname(co[, "df"]), loglik = as.numeric(logLik(lm1)))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), "mmrm_reference.json")
