# Reference: R t.test(y, x, paired = TRUE) on the shared data sets -> ttest.json
source("data.R")
cases <- list()
for (nm in names(datasets)) {
  d <- datasets[[nm]]
  for (alt in c("two.sided", "less", "greater")) for (mu in c(0, 1)) for (cl in c(0.95, 0.9)) {
    r <- t.test(d$y, d$x, paired = TRUE, alternative = alt, mu = mu, conf.level = cl)
    cases[[length(cases) + 1]] <- list(data = nm, alternative = sub(".", "-", alt, fixed = TRUE), mu = mu,
      conf_level = cl, statistic = unname(r$statistic), df = unname(r$parameter), pvalue = r$p.value,
      ci = as.numeric(r$conf.int), estimate = unname(r$estimate), stderr = r$stderr)
  }
}
# one-sample form: t.test(x, mu = 10)
r <- t.test(datasets$immer$x, mu = 100)
one <- list(data = "immer", which = "x", mu = 100, statistic = unname(r$statistic), pvalue = r$p.value, ci = as.numeric(r$conf.int))
write_ref(list(datasets = datasets, cases = cases, one_sample = one), "ttest.json")
