# Reference values for rs.groups.compare_subgroups on the bundled (SIMULATED)
# tocilizumab SSc cohort: mRSS change baseline -> month 12 by cutaneous subset.
# Within subgroups: mean/SD, t.test(paired) and wilcox.test(paired, exact = NULL, correct = TRUE)
# as rs.paired.compare; between subgroups: Welch t.test and coin::wilcox_test(exact)
# on the changes. Run: Rscript subgroups.R
library(jsonlite)
library(coin)
v <- read.csv("../../../python/rheumstats/datasets/tocilizumab_ssc_visits.csv")
p <- read.csv("../../../python/rheumstats/datasets/tocilizumab_ssc_patients.csv")
b <- v[v$month == 0, c("patient", "mrss")]
f <- v[v$month == 12, c("patient", "mrss")]
m <- merge(merge(b, f, by = "patient", suffixes = c("_0", "_12")), p[, c("patient", "subset")], by = "patient")
m <- m[!is.na(m$mrss_0) & !is.na(m$mrss_12), ]
res <- list()
for (s in sort(unique(m$subset))) {
  d <- m[m$subset == s, ]
  ch <- d$mrss_12 - d$mrss_0
  res[[s]] <- list(n = nrow(d), mean_before = mean(d$mrss_0), mean_after = mean(d$mrss_12),
                   mean_change = mean(ch), sd_change = sd(ch),
                   p_t = t.test(d$mrss_12, d$mrss_0, paired = TRUE)$p.value,
                   p_wilcoxon_r_default = suppressWarnings(wilcox.test(d$mrss_12, d$mrss_0, paired = TRUE)$p.value))
}
ch <- m$mrss_12 - m$mrss_0
g <- factor(m$subset)
res$between <- list(levels = levels(g),
  p_welch = t.test(ch[g == levels(g)[1]], ch[g == levels(g)[2]])$p.value,
  p_coin_exact = as.numeric(pvalue(wilcox_test(ch ~ g, distribution = "exact"))))
res$versions <- list(R = R.version.string, coin = as.character(packageVersion("coin")),
                     jsonlite = as.character(packageVersion("jsonlite")))
write_json(res, "subgroups.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "string")
