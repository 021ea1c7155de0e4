# Reference values for rs.groups.ttest: R t.test, Welch and pooled (var.equal = TRUE).
# Run: Rscript ttest.R  (writes ttest.json)
library(jsonlite)
sets <- list(
  mrss_change = list(x = c(-4.5, -8, -2, -10.5, -6, 1, -7.5, -3, -12, -5),
                     y = c(-1, 2, -3.5, 0, -2, -4, 1.5, -0.5)),
  unequal_var = list(x = c(102.3, 98.1, 110.4, 95.2, 99.9, 121.7, 88.4),
                     y = c(100.2, 101.0, 99.5, 100.8, 100.1, 99.7, 100.4, 100.9, 99.9, 100.3, 100.0)),
  two_obs = list(x = c(1.5, 2.5), y = c(3.1, 4.0, 3.6))
)
res <- list()
for (nm in names(sets)) {
  x <- sets[[nm]]$x; y <- sets[[nm]]$y
  out <- list(x = x, y = y)
  for (ve in c(FALSE, TRUE)) for (alt in c("two.sided", "less", "greater")) for (cl in c(0.95, 0.9)) {
    r <- t.test(x, y, var.equal = ve, alternative = alt, conf.level = cl)
    out[[paste(if (ve) "student" else "welch", alt, cl, sep = "_")]] <- list(
      statistic = unname(r$statistic), df = unname(r$parameter), p_value = r$p.value,
      conf_int = as.numeric(r$conf.int), mean_diff = unname(r$estimate[1] - r$estimate[2]),
      stderr = r$stderr)
  }
  res[[nm]] <- out
}
res$versions <- list(R = R.version.string, jsonlite = as.character(packageVersion("jsonlite")))
write_json(res, "ttest.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "string")
