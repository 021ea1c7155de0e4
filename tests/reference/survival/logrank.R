# Log-rank / Peto-Peto references: survdiff(..., rho = 0/1), with and without strata. Writes logrank.json.
source("_common.R")
lr_case <- function(formula, data, rho) {
  f <- survdiff(formula, data = data, rho = rho)
  obs <- if (is.matrix(f$obs)) rowSums(f$obs) else f$obs
  exp <- if (is.matrix(f$exp)) rowSums(f$exp) else f$exp
  list(rho = rho, statistic = f$chisq, df = sum(exp > 0) - 1,
       pvalue = pchisq(f$chisq, sum(exp > 0) - 1, lower.tail = FALSE),
       groups = names(f$n), observed = unname(obs), expected = unname(exp))
}
lung <- read.csv("lung.csv"); vet <- read.csv("veteran.csv"); ties <- read.csv("ties.csv")
res <- list()
for (rho in c(0, 1)) {
  res[[paste0("lung_sex_rho", rho)]] <- lr_case(Surv(time, status) ~ sex, lung, rho)
  res[[paste0("lung_ecog_rho", rho)]] <- lr_case(Surv(time, status) ~ ph_ecog, lung[!is.na(lung$ph_ecog), ], rho)
  res[[paste0("veteran_celltype_rho", rho)]] <- lr_case(Surv(time, status) ~ celltype, vet, rho)
  res[[paste0("veteran_trt_strata_rho", rho)]] <- lr_case(Surv(time, status) ~ trt + strata(celltype), vet, rho)
  res[[paste0("ties_group_rho", rho)]] <- lr_case(Surv(time, status) ~ group, ties, rho)
}
res[["lung_sex_rho0.5"]] <- lr_case(Surv(time, status) ~ sex, lung, 0.5)
save_json(res, "logrank.json")
