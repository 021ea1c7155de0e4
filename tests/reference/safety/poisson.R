# Reference values for rs.safety: R poisson.test, one rate (exact Garwood CI)
# and the two-rate ratio (exact conditional test and CI). Run: Rscript poisson.R
library(jsonlite)
one <- list(c(0, 12.5), c(1, 40.2), c(3, 57.25), c(7, 123.4), c(25, 310.9), c(120, 1500))
res <- list(one = list(), two = list())
for (p in one) for (cl in c(0.95, 0.9)) {
  r <- poisson.test(p[1], p[2], conf.level = cl)
  res$one[[length(res$one) + 1]] <- list(events = p[1], exposure = p[2], conf_level = cl,
    rate = unname(r$estimate), conf_int = as.numeric(r$conf.int))
}
two <- list(list(c(3, 9), c(10, 12)), list(c(12, 4), c(85.5, 96.1)), list(c(0, 5), c(40, 38)),
            list(c(6, 0), c(20.2, 31.7)), list(c(30, 45), c(310, 280)), list(c(2, 2), c(10, 10)))
for (p in two) for (alt in c("two.sided", "less", "greater")) {
  r <- poisson.test(p[[1]], p[[2]], alternative = alt)
  res$two[[length(res$two) + 1]] <- list(events = p[[1]], exposure = p[[2]], alternative = alt,
    estimate = unname(r$estimate), p_value = r$p.value, conf_int = as.numeric(r$conf.int))
}
res$versions <- list(R = R.version.string, jsonlite = as.character(packageVersion("jsonlite")))
write_json(res, "poisson.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "string")
