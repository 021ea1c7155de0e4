# Cox model references: coxph(..., ties = 'efron'/'breslow') with concordance, LR/Wald/score tests.
# Writes cox.json. lung is used complete-case on the model variables (R's na.omit).
source("_common.R")
cox_case <- function(formula, data, ties) {
  f <- coxph(formula, data = data, ties = ties)
  s <- summary(f)
  ci <- s$conf.int
  list(ties = ties, terms = rownames(s$coefficients), coef = unname(coef(f)),
       se = unname(sqrt(diag(vcov(f)))), hr = unname(exp(coef(f))),
       hr_low = unname(ci[, 3]), hr_high = unname(ci[, 4]),
       z = unname(s$coefficients[, "z"]), p = unname(s$coefficients[, "Pr(>|z|)"]),
       loglik = unname(f$loglik), concordance = unname(f$concordance["concordance"]),
       # summary() rounds the Wald statistic to 2 decimals: take it from the fit
       lr = unname(s$logtest), wald = c(unname(f$wald.test), unname(s$waldtest[2:3])), score = unname(s$sctest),
       iter = f$iter, n = f$n, nevent = f$nevent)
}
lung <- read.csv("lung.csv"); vet <- read.csv("veteran.csv"); ties <- read.csv("ties.csv")
vet$celltype <- factor(vet$celltype, levels = c("squamous", "smallcell", "adeno", "large"))
res <- list()
for (tt in c("efron", "breslow")) {
  res[[paste0("lung_", tt)]] <- cox_case(Surv(time, status) ~ age + sex + ph_ecog, lung, tt)
  res[[paste0("veteran_", tt)]] <- cox_case(Surv(time, status) ~ trt + celltype + karno, vet, tt)
  res[[paste0("veteran_strata_", tt)]] <- cox_case(Surv(time, status) ~ karno + age + strata(celltype), vet, tt)
  res[[paste0("ties_", tt)]] <- cox_case(Surv(time, status) ~ x + factor(group), ties, tt)
}
save_json(res, "cox.json")
