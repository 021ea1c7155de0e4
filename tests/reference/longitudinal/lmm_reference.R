# Reference values for rs.longitudinal.lmm (tests/longitudinal/test_lmm*.py).
# lme4 + lmerTest (Satterthwaite, Kenward-Roger via pbkrtest), optimiser
# tightened (bobyqa rhoend = 1e-12) so that the values are those of the true
# optimum. Run: Rscript lmm_reference.R  (writes lmm_reference.json and the
# data sets lmm_sleepstudy.csv, lmm_chickweight.csv).
suppressPackageStartupMessages({library(lme4); library(lmerTest); library(jsonlite); library(emmeans)})
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-12, maxfun = 1e6),
                    check.conv.singular = "ignore")
data(sleepstudy, package = "lme4")
cw <- as.data.frame(ChickWeight)
cw$Chick <- factor(as.character(cw$Chick))
cw$Diet <- factor(as.character(cw$Diet))
write.csv(sleepstudy, "lmm_sleepstudy.csv", row.names = FALSE)
write.csv(cw[, c("weight", "Time", "Chick", "Diet")], "lmm_chickweight.csv", row.names = FALSE)
data(Penicillin, package = "lme4"); data(Pastes, package = "lme4")
pen <- as.data.frame(Penicillin); pas <- as.data.frame(Pastes)
write.csv(pen, "lmm_penicillin.csv", row.names = FALSE)
write.csv(pas[, c("strength", "batch", "cask")], "lmm_pastes.csv", row.names = FALSE)

one <- function(name, formula, data, reml) {
  m <- lmer(formula, data = data, REML = reml, control = ctrl)
  s <- summary(m, ddf = "Satterthwaite")$coefficients
  kr <- tryCatch(summary(m, ddf = "Kenward-Roger")$coefficients, error = function(e) NULL)
  vc <- as.data.frame(VarCorr(m))
  a3 <- anova(m, type = 3, ddf = "Satterthwaite")
  a3kr <- tryCatch(anova(m, type = 3, ddf = "Kenward-Roger"), error = function(e) NULL)
  re <- ranef(m, condVar = TRUE)[[1]]
  rd <- as.data.frame(ranef(m, condVar = TRUE))
  first <- 1:3
  em <- if (grepl("Diet", deparse(formula))) as.data.frame(summary(emmeans(m, ~ Diet, lmer.df = "satterthwaite"))) else NULL
  emp <- if (is.null(em)) NULL else as.data.frame(summary(emmeans(m, ~ Diet, lmer.df = "satterthwaite", weights = "proportional")))
  list(
    name = name, formula = deparse(formula, width.cutoff = 500L), reml = reml,
    names = rownames(s), beta = unname(fixef(m)), se = unname(s[, "Std. Error"]),
    df = unname(s[, "df"]), t = unname(s[, "t value"]), p = unname(s[, "Pr(>|t|)"]),
    df_kr = if (is.null(kr)) NULL else unname(kr[, "df"]),
    se_kr = if (is.null(kr)) NULL else unname(kr[, "Std. Error"]),
    theta = unname(getME(m, "theta")), sigma = sigma(m),
    loglik = as.numeric(logLik(m)), aic = AIC(m), bic = BIC(m),
    deviance = if (reml) unname(REMLcrit(m)) else deviance(m),
    vc_grp = vc$grp, vc_var1 = vc$var1, vc_var2 = vc$var2, vc_vcov = vc$vcov, vc_sdcor = vc$sdcor,
    anova_terms = rownames(a3), anova_F = unname(a3[, "F value"]), anova_numdf = unname(a3[, "NumDF"]),
    anova_dendf = unname(a3[, "DenDF"]), anova_p = unname(a3[, "Pr(>F)"]),
    anova_kr_dendf = if (is.null(a3kr)) NULL else unname(a3kr[, "DenDF"]),
    ranef_levels = rownames(re)[first], ranef = unname(as.matrix(re[first, , drop = FALSE])),
    ranef_sd = lapply(colnames(re), function(tm) unname(rd$condsd[rd$term == tm][first])),
    nobs = nobs(m), ngroups = unname(ngrps(m)),
    emm_levels = if (is.null(em)) NULL else as.character(em$Diet), emm = if (is.null(em)) NULL else em$emmean,
    emm_se = if (is.null(em)) NULL else em$SE, emm_df = if (is.null(em)) NULL else em$df
  )
}
out <- list(
  one("sleep_slope_reml", Reaction ~ Days + (Days | Subject), sleepstudy, TRUE),
  one("sleep_slope_ml", Reaction ~ Days + (Days | Subject), sleepstudy, FALSE),
  one("sleep_int_reml", Reaction ~ Days + (1 | Subject), sleepstudy, TRUE),
  one("sleep_int_ml", Reaction ~ Days + (1 | Subject), sleepstudy, FALSE),
  one("sleep_uncorr_reml", Reaction ~ Days + (1 | Subject) + (0 + Days | Subject), sleepstudy, TRUE),
  one("chick_slope_reml", weight ~ Time * Diet + (1 + Time | Chick), cw, TRUE),
  one("chick_slope_ml", weight ~ Time * Diet + (1 + Time | Chick), cw, FALSE),
  one("penicillin_crossed_reml", diameter ~ 1 + (1 | plate) + (1 | sample), pen, TRUE),
  one("pastes_nested_reml", strength ~ 1 + (1 | batch/cask), pas, TRUE),
  one("pastes_nested_ml", strength ~ 1 + (1 | batch/cask), pas, FALSE)
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null"), "lmm_reference.json")
