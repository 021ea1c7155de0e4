# Reference values for rs.groups.kruskal and rs.groups.anova_oneway:
# R kruskal.test and oneway.test(var.equal = TRUE). Run: Rscript ksample.R
library(jsonlite)
sets <- list(
  three_groups = list(values = c(2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4, 2.8, 3.4, 3.7, 2.2, 2.0),
                      groups = c("a", "a", "a", "a", "a", "b", "b", "b", "b", "c", "c", "c", "c", "c")),
  # haq-like scores in 0.125 steps, heavy ties, 4 subsets
  haq_ties = list(values = c(0.5, 0.75, 1, 1, 1.25, 0.5, 0.5, 1.5, 1.75, 1.5, 2, 1.5, 0.125, 0.25, 0.5, 0.5, 1, 2.25, 2, 2, 1.75, 2.5),
                  groups = c(rep("limited", 6), rep("diffuse", 6), rep("sine", 4), rep("overlap", 6))),
  two_groups = list(values = c(14, 22, 9, 31, 18, 22, 10, 12, 9, 18, 7, 14),
                    groups = c(rep("early", 6), rep("late", 6)))
)
res <- list()
for (nm in names(sets)) {
  v <- sets[[nm]]$values; g <- factor(sets[[nm]]$groups)
  k <- kruskal.test(v, g)
  a <- oneway.test(v ~ g, var.equal = TRUE)
  res[[nm]] <- list(values = v, groups = sets[[nm]]$groups,
    kruskal = list(statistic = unname(k$statistic), df = unname(k$parameter), p_value = k$p.value),
    anova = list(statistic = unname(a$statistic), df = unname(as.numeric(a$parameter)), p_value = a$p.value))
}
res$versions <- list(R = R.version.string, jsonlite = as.character(packageVersion("jsonlite")))
write_json(res, "ksample.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "string")
