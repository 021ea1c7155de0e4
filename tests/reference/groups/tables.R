# Reference values for rs.groups.chisq and rs.groups.fisher_exact:
# R chisq.test (with and without Yates) and fisher.test (2x2 and r x c).
# fisher.test finds the 2x2 MLE and CI limits with uniroot's default tolerance
# (about 1.2e-4); "refined" repeats the call with uniroot(tol = 1e-13) patched
# into fisher.test's body, the limit rheumstats computes. Run: Rscript tables.R
library(jsonlite)
fisher_fine <- fisher.test
body(fisher_fine) <- parse(text = gsub("uniroot(", "uniroot(tol = 1e-13, ", paste(deparse(body(fisher.test)), collapse = "\n"), fixed = TRUE))[[1]]
tabs2 <- list(
  t1 = matrix(c(3, 1, 1, 3), 2),
  t2 = matrix(c(12, 5, 3, 14), 2),
  t3 = matrix(c(0, 7, 9, 4), 2),
  t4 = matrix(c(25, 40, 18, 61), 2),
  t5 = matrix(c(2, 10, 15, 3), 2)
)
tabsrc <- list(
  r2x3 = matrix(c(3, 2, 1, 6, 4, 1), 2),
  r3x3 = matrix(c(3, 1, 2, 1, 3, 2, 4, 5, 8), 3),
  r3x4 = matrix(c(8, 2, 1, 3, 6, 2, 1, 2, 7, 0, 3, 4), 3),
  r4x4 = matrix(c(5, 2, 1, 0, 1, 6, 2, 1, 2, 1, 5, 3, 0, 2, 3, 6), 4),
  r5x5_n200 = matrix(c(12, 8, 6, 9, 7,
                       7, 10, 9, 5, 8,
                       9, 6, 11, 8, 6,
                       5, 9, 7, 12, 8,
                       8, 7, 6, 9, 3), 5)
)
res <- list(two_by_two = list(), rxc = list())
for (nm in names(tabs2)) {
  t <- tabs2[[nm]]
  o <- list(table = t(t))  # row-major for Python
  for (alt in c("two.sided", "less", "greater")) {
    f <- fisher.test(t, alternative = alt, conf.level = 0.95)
    ff <- fisher_fine(t, alternative = alt, conf.level = 0.95)
    o[[alt]] <- list(p_value = f$p.value, estimate = unname(f$estimate), conf_int = as.numeric(f$conf.int),
                     estimate_refined = unname(ff$estimate), conf_int_refined = as.numeric(ff$conf.int))
  }
  ff90 <- fisher_fine(t, conf.level = 0.9)
  o$conf_int_refined_90 <- as.numeric(ff90$conf.int)
  for (cc in c(TRUE, FALSE)) {
    x <- suppressWarnings(chisq.test(t, correct = cc))
    o[[paste0("chisq_correct_", cc)]] <- list(statistic = unname(x$statistic), df = unname(x$parameter), p_value = x$p.value)
  }
  res$two_by_two[[nm]] <- o
}
for (nm in names(tabsrc)) {
  t <- tabsrc[[nm]]
  tm <- system.time(f <- fisher.test(t, workspace = 2e8))
  x <- suppressWarnings(chisq.test(t))
  res$rxc[[nm]] <- list(table = t(t), fisher_p = f$p.value, fisher_seconds = unname(tm["elapsed"]),
                        chisq = list(statistic = unname(x$statistic), df = unname(x$parameter), p_value = x$p.value,
                                     expected = t(x$expected)))
}
res$versions <- list(R = R.version.string, jsonlite = as.character(packageVersion("jsonlite")))
write_json(res, "tables.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "string")
