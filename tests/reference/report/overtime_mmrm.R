# Reference LS-means for the report's MMRM of the change from baseline by visit, on the
# bundled simulated cohort (tv.csv / tp.csv written as in overtime_lmm.R), DAS28,
# visits 3, 6, 12, 18, 24 on drug, baseline value as covariate, unstructured covariance
# (nlme::gls with corSymm + varIdent = SAS TYPE=UN), REML; LS-means by emmeans.
# emmeans' df for gls are "appx-satterthwaite" (not the exact Satterthwaite of mmrm/lmerTest),
# so the df are only a loose check. The same gls for mRSS stops without convergence
# (the report falls back from us to toep there).
# Run: Rscript overtime_mmrm.R tv.csv tp.csv > overtime_mmrm.json
suppressMessages({library(nlme); library(emmeans); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
v <- read.csv(args[1]); p <- read.csv(args[2])
fu <- setNames(p$followup_months, p$patient)
v <- v[v$month <= fu[v$patient] + 1, ]
e <- "das28"
b <- setNames(v[v$month == 0, e], v$patient[v$month == 0])
d <- v[v$month %in% c(3, 6, 12, 18, 24), c("patient", "month", e)]
d$baseline <- b[d$patient]; d$change <- d[[e]] - d$baseline
d$visit <- factor(d$month); d$vi <- as.integer(d$visit)
f <- gls(change ~ visit + baseline, data = d, correlation = corSymm(form = ~ vi | patient),
         weights = varIdent(form = ~ 1 | visit), method = "REML",
         control = glsControl(maxIter = 500, msMaxIter = 500, tolerance = 1e-10, msTol = 1e-10))
s <- as.data.frame(summary(emmeans(f, ~ visit, mode = "satterthwaite")))
cat(toJSON(list(das28 = list(month = as.numeric(as.character(s$visit)), estimate = s$emmean, se = s$SE, df = s$df,
                             reml_loglik = as.numeric(logLik(f))),
                source = paste("R", getRversion(), "nlme", packageVersion("nlme"), "emmeans", packageVersion("emmeans"))),
           digits = NA, auto_unbox = TRUE, pretty = TRUE))
