# Issue 19: 2 x 2 Fisher tests with large margins (the exact test enumerates
# the whole support: 2e6 + 1 tables for the first). R 4.x, fisher.test.
# Note: R's conditional CI and MLE come from uniroot (tol ~ 1.2e-4), so they
# hold about 4-5 significant digits.
library(jsonlite)
tabs <- list(big_null = matrix(c(1e6, 1e6, 1e6, 1e6), 2), big_assoc = matrix(c(5000, 4000, 3000, 6000), 2))
out <- lapply(tabs, function(m) {
  r <- fisher.test(m)
  list(table = unname(split(m, row(m))), pvalue = r$p.value, estimate = unname(r$estimate),
       ci_low = r$conf.int[1], ci_high = r$conf.int[2])
})
write_json(out, "fisher_large.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
