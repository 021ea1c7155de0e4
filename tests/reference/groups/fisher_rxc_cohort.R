# Reference values for rs.groups.fisher_exact on larger r x c tables shaped like
# cohort tables (5 categories x 5 categories, total ~100-200, uneven margins):
# R fisher.test's exact p (FEXACT, workspace = 2e8) and the seconds it took.
# FEXACT merges past log-probabilities within 3.45e-7, so these values are good
# to ~1e-7 relative. Run: Rscript fisher_rxc_cohort.R  (minutes)
library(jsonlite)
tabs <- list(
  sparse_assoc_n200 = matrix(c(60, 20, 10, 3, 1,
                               25, 30, 6, 2, 1,
                               10, 8, 9, 2, 0,
                               4, 2, 1, 2, 1,
                               1, 1, 1, 0, 0), 5, byrow = TRUE),
  diagonal_n116 = matrix(c(12, 4, 3, 2, 1,
                           4, 10, 4, 3, 2,
                           3, 4, 12, 4, 3,
                           2, 3, 4, 10, 4,
                           1, 2, 3, 4, 12), 5, byrow = TRUE)
)
# each table's result is written as soon as it is known; a table that FEXACT
# cannot finish (workspace) is recorded with its error message instead
res <- list(R_version = R.version.string)
for (nm in names(tabs)) {
  t <- tabs[[nm]]
  s <- system.time(f <- tryCatch(fisher.test(t, workspace = 2e8), error = function(e) e))
  if (inherits(f, "error")) {
    res[[nm]] <- list(table = t, error = conditionMessage(f), fisher_seconds = s[["elapsed"]])
  } else {
    res[[nm]] <- list(table = t, fisher_p = f$p.value, fisher_seconds = s[["elapsed"]])
  }
  cat(nm, if (inherits(f, "error")) conditionMessage(f) else f$p.value, s[["elapsed"]], "\n")
  write_json(res, "fisher_rxc_cohort.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
}
