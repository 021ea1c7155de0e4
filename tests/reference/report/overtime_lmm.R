# Reference values for the report's "Over the whole follow-up" change per year on the
# bundled simulated cohort (rs.datasets.tocilizumab_ssc(), written to CSV by
#   python -c "import rheumstats as rs; v, p = rs.datasets.tocilizumab_ssc(); v.to_csv('tv.csv', index=False); p.to_csv('tp.csv', index=False)"
# ), visits on drug (month <= followup_months + 1), years = month / 12.
# Model: lmerTest::lmer(value ~ years + (1 + years | patient), REML) ; Satterthwaite df.
# Run: Rscript overtime_lmm.R tv.csv tp.csv > overtime_lmm.json
suppressMessages({library(lmerTest); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
v <- read.csv(args[1]); p <- read.csv(args[2])
fu <- setNames(p$followup_months, p$patient)
v <- v[v$month <= fu[v$patient] + 1, ]
v$years <- v$month / 12
ctrl <- lmerControl(optimizer = "nloptwrap", optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-12))
out <- list()
for (e in c("mrss", "das28", "haq_di", "patient_global", "pain")) {
  f <- lmer(as.formula(paste(e, "~ years + (1 + years | patient)")), data = v, REML = TRUE, control = ctrl)
  co <- summary(f)$coefficients["years", ]
  out[[e]] <- list(estimate = unname(co["Estimate"]), se = unname(co["Std. Error"]), df = unname(co["df"]),
                   p = unname(co["Pr(>|t|)"]), singular = isSingular(f), reml_loglik = as.numeric(logLik(f)))
}
out$source <- paste("R", getRversion(), "lme4", packageVersion("lme4"), "lmerTest", packageVersion("lmerTest"))
cat(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE))
