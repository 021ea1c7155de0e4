# Reference values for rs.groups.mannwhitney (tests/groups/test_mannwhitney.py).
# Run: Rscript mannwhitney.R  (writes mannwhitney.json)
# * wilcox.test two-sample, exact (no ties) and normal approximation, conf.int = TRUE.
#   R locates the asymptotic CI limits with uniroot(tol = tol.root); we also record
#   them with tol.root = 1e-12 ("refined"), the limit rheumstats computes exactly.
# * coin::wilcox_test(distribution = "exact") p-values with ties (all three alternatives).
library(jsonlite)
library(coin)

sets <- list(
  small_noties = list(x = c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30),
                      y = c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.07, 3.14, 1.291)),
  unequal_noties = list(x = c(12.1, 15.3, 9.8, 22.4, 18.0, 11.7, 14.2),
                        y = c(8.4, 10.1, 7.7, 13.5, 9.2, 6.9, 12.8, 10.9, 5.5, 11.1, 9.9, 14.9)),
  # mRSS-like integer scores: moderate ties
  mrss_ties = list(x = c(14, 22, 9, 31, 18, 22, 15, 27, 9, 18, 20, 25, 14),
                   y = c(10, 12, 9, 18, 7, 14, 11, 9, 16, 12, 8, 10, 13, 6, 12)),
  # ordinal 0-3 item: heavy ties
  heavy_ties = list(x = c(0, 1, 1, 2, 3, 2, 1, 0, 2, 3, 3, 2, 1, 2),
                    y = c(0, 0, 1, 0, 1, 2, 0, 1, 1, 0, 2, 1, 0, 0, 1, 1)),
  # 15 + 15, tied, shifted
  ties_15 = list(x = c(3, 5, 5, 6, 7, 7, 7, 8, 9, 9, 10, 11, 11, 12, 14),
                 y = c(1, 2, 3, 3, 4, 5, 5, 5, 6, 7, 7, 8, 9, 10, 10))
)

res <- list()
for (nm in names(sets)) {
  x <- sets[[nm]]$x; y <- sets[[nm]]$y
  out <- list(x = x, y = y, ties = length(unique(c(x, y))) < length(c(x, y)))
  for (alt in c("two.sided", "less", "greater")) {
    a <- list()
    # normal approximation, with and without continuity correction
    for (cc in c(TRUE, FALSE)) {
      r <- suppressWarnings(wilcox.test(x, y, alternative = alt, exact = FALSE, correct = cc, conf.int = TRUE, conf.level = 0.9))
      rr <- suppressWarnings(wilcox.test(x, y, alternative = alt, exact = FALSE, correct = cc, conf.int = TRUE, conf.level = 0.9, tol.root = 1e-12))
      a[[paste0("approx_correct_", cc)]] <- list(statistic = unname(r$statistic), p_value = r$p.value,
        conf_int = as.numeric(r$conf.int), conf_int_refined = as.numeric(rr$conf.int), conf_level = 0.9)
    }
    if (!out$ties) {
      r <- wilcox.test(x, y, alternative = alt, exact = TRUE, conf.int = TRUE, conf.level = 0.95)
      a$exact <- list(statistic = unname(r$statistic), p_value = r$p.value, conf_int = as.numeric(r$conf.int),
                      estimate = unname(r$estimate), conf_level = 0.95)
    }
    g <- factor(rep(c("x", "y"), c(length(x), length(y))), levels = c("x", "y"))
    ct <- wilcox_test(c(x, y) ~ g, distribution = "exact", alternative = alt)
    a$coin_exact_p <- as.numeric(pvalue(ct))
    out[[alt]] <- a
  }
  out$hodges_lehmann <- median(outer(x, y, "-"))
  res[[nm]] <- out
}
res$versions <- list(R = R.version.string, coin = as.character(packageVersion("coin")),
                     jsonlite = as.character(packageVersion("jsonlite")))
write_json(res, "mannwhitney.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "string")
