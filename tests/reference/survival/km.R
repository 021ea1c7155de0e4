# Kaplan-Meier references: survfit(Surv(time, status) ~ [group], conf.type = ...) on lung, veteran and ties.
# Writes km.json. R survival's std.err is the Greenwood SE of the cumulative hazard (-log S).
source("_common.R")
km_case <- function(formula, data, conf.type, conf.int = 0.95, times = NULL) {
  f <- survfit(formula, data = data, conf.type = conf.type, conf.int = conf.int)
  strata <- if (is.null(f$strata)) rep("all", length(f$time)) else rep(names(f$strata), f$strata)
  q <- quantile(f, 0.5)
  out <- list(conf_type = conf.type, conf_level = conf.int,
    table = list(strata = strata, time = f$time, n_risk = f$n.risk, n_event = f$n.event,
                 n_censor = f$n.censor, survival = f$surv, std_err = f$std.err,
                 ci_low = f$lower, ci_high = f$upper),
    median = list(median = unname(as.vector(q$quantile)), low = unname(as.vector(q$lower)),
                  high = unname(as.vector(q$upper))))
  if (!is.null(times)) {
    s <- summary(f, times = times, extend = TRUE)
    st <- if (is.null(s$strata)) rep("all", length(s$time)) else as.character(s$strata)
    out$at <- list(strata = st, time = s$time, n_risk = s$n.risk, n_event = s$n.event,
                   n_censor = s$n.censor, survival = s$surv)
  }
  out
}
lung <- read.csv("lung.csv"); vet <- read.csv("veteran.csv"); ties <- read.csv("ties.csv")
res <- list()
for (ct in c("log-log", "log", "plain")) {
  res[[paste0("lung_", ct)]] <- km_case(Surv(time, status) ~ 1, lung, ct, times = c(0, 100, 365, 500, 1000))
  res[[paste0("lung_sex_", ct)]] <- km_case(Surv(time, status) ~ sex, lung, ct, times = c(100, 365, 500))
  res[[paste0("veteran_", ct)]] <- km_case(Surv(time, status) ~ trt, vet, ct, times = c(10, 100, 200))
  res[[paste0("ties_", ct)]] <- km_case(Surv(time, status) ~ 1, ties, ct, times = c(0.5, 2, 6, 9.5, 12))
  res[[paste0("ties_group_", ct)]] <- km_case(Surv(time, status) ~ group, ties, ct)
}
res[["lung_loglog_90"]] <- km_case(Surv(time, status) ~ 1, lung, "log-log", conf.int = 0.9)
save_json(res, "km.json")
