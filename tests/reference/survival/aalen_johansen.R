# Aalen-Johansen references: multi-state survfit(Surv(time, factor(cause)) ~ [group]) (std.err by the
# infinitesimal jackknife, conf.type 'log' as survfit's default) and Gray's test from cmprsk::cuminc.
# Writes aalen_johansen.json.
source("_common.R")
suppressPackageStartupMessages(library(cmprsk))
aj_case <- function(time, cause, group = NULL, conf.int = 0.95) {
  k <- sort(unique(cause[cause > 0]))
  ev <- factor(cause, c(0, k), labels = c("censor", paste0("c", k)))
  d <- data.frame(time = time, ev = ev)
  if (is.null(group)) f <- survfit(Surv(time, ev) ~ 1, data = d, conf.int = conf.int)
  else { d$g <- group; f <- survfit(Surv(time, ev) ~ g, data = d, conf.int = conf.int) }
  strata <- if (is.null(f$strata)) rep("all", length(f$time)) else rep(names(f$strata), f$strata)
  out <- list(causes = k, conf_level = conf.int, conf_type = f$conf.type,
              table = list(strata = strata, time = f$time, n_risk = f$n.risk[, 1],
                           n_event = rowSums(f$n.event), n_censor = f$n.censor))
  for (j in seq_along(k)) {
    out$table[[paste0("cif_", k[j])]] <- f$pstate[, j + 1]
    out$table[[paste0("std_err_", k[j])]] <- f$std.err[, j + 1]
    out$table[[paste0("ci_low_", k[j])]] <- f$lower[, j + 1]
    out$table[[paste0("ci_high_", k[j])]] <- f$upper[, j + 1]
  }
  if (!is.null(group)) {
    g <- cuminc(time, cause, group = group, cencode = 0)
    out$gray <- list(cause = as.numeric(rownames(g$Tests)), statistic = unname(g$Tests[, "stat"]),
                     pvalue = unname(g$Tests[, "pv"]), df = unname(g$Tests[, "df"]))
  }
  out
}
m <- read.csv("mgus2.csv"); ties <- read.csv("ties.csv")
res <- list(
  mgus = aj_case(m$etime, m$event),
  mgus_sex = aj_case(m$etime, m$event, m$sex),
  mgus_agegrp = aj_case(m$etime, m$event, m$agegrp),
  ties = aj_case(ties$time, ties$cause),
  ties_group = aj_case(ties$time, ties$cause, ties$group),
  ties_90 = aj_case(ties$time, ties$cause, conf.int = 0.9)
)
save_json(res, "aalen_johansen.json")
