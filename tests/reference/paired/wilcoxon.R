# Reference: R wilcox.test(y, x, paired = TRUE, conf.int = TRUE, exact =, correct =) (default tol.root) and
# coin::wilcoxsign_test(distribution = "exact") for ties and zeros -> wilcoxon.json
source("data.R")
cases <- list()
for (nm in names(datasets)) {
  d <- datasets[[nm]]
  for (alt in c("two.sided", "less", "greater")) for (ex in c(TRUE, FALSE)) for (cor in c(TRUE, FALSE)) {
    r <- suppressWarnings(wilcox.test(d$y, d$x, paired = TRUE, alternative = alt, exact = ex, correct = cor,
                                      conf.int = TRUE, conf.level = 0.95))
    cases[[length(cases) + 1]] <- list(data = nm, alternative = sub(".", "-", alt, fixed = TRUE), exact = ex, correct = cor,
      statistic = unname(r$statistic), pvalue = r$p.value, method = r$method,
      estimate = unname(r$estimate), ci = as.numeric(r$conf.int))
  }
}
# exact permutation distribution with ties and zeros: coin, both zero methods
coin_cases <- list()
for (nm in c("sleep", "mrss", "immer", "ties60")) {
  d <- datasets[[nm]]
  for (zm in c("Pratt", "Wilcoxon")) for (alt in c("two.sided", "less", "greater")) {
    t <- wilcoxsign_test(d$y ~ d$x, distribution = "exact", zero.method = zm, alternative = alt)
    coin_cases[[length(coin_cases) + 1]] <- list(data = nm, zero_method = zm, alternative = sub(".", "-", alt, fixed = TRUE),
      pvalue = as.numeric(pvalue(t)))
  }
}
# a non-zero null value (mu): default exact rule (n < 50, no ties/zeros after shifting)
mu_cases <- list()
for (cs in list(list("immer", -5), list("sleep", 1), list("cont15", 0.5), list("cont60", 1))) {
  d <- datasets[[cs[[1]]]]
  r <- suppressWarnings(wilcox.test(d$y, d$x, paired = TRUE, mu = cs[[2]], conf.int = TRUE))
  mu_cases[[length(mu_cases) + 1]] <- list(data = cs[[1]], mu = cs[[2]], statistic = unname(r$statistic),
    pvalue = r$p.value, method = r$method, estimate = unname(r$estimate), ci = as.numeric(r$conf.int))
}
write_ref(list(datasets = datasets, cases = cases, coin = coin_cases, mu = mu_cases), "wilcoxon.json")
