# Reference: sign test = binom.test(n_pos, n_pos + n_neg); McNemar = mcnemar.test and the exact
# binomial form; Stuart-Maxwell = coin::mh_test (asymptotic marginal homogeneity) -> categorical.json
source("data.R")
sign_cases <- list()
for (nm in names(datasets)) {
  d <- datasets[[nm]]$y - datasets[[nm]]$x
  for (alt in c("two.sided", "less", "greater")) {
    r <- binom.test(sum(d > 0), sum(d != 0), 0.5, alternative = alt)
    sign_cases[[length(sign_cases) + 1]] <- list(data = nm, alternative = sub(".", "-", alt, fixed = TRUE),
      n_pos = sum(d > 0), n_neg = sum(d < 0), pvalue = r$p.value, median = median(d))
  }
}
# McNemar: paired booleans (e.g. "active disease" at baseline and follow-up), n = 60
set.seed(11)
mx <- rbinom(60, 1, 0.55); my <- ifelse(runif(60) < 0.7, mx, 1 - mx); my[1:6] <- 0
mc <- list(x = mx, y = my)
tab <- table(factor(mx, 0:1), factor(my, 0:1))
b <- tab["1", "0"]; c <- tab["0", "1"]
r1 <- mcnemar.test(tab, correct = TRUE); r0 <- mcnemar.test(tab, correct = FALSE)
mc$b <- b; mc$c <- c
mc$corrected <- list(statistic = unname(r1$statistic), pvalue = r1$p.value)
mc$uncorrected <- list(statistic = unname(r0$statistic), pvalue = r0$p.value)
mc$exact <- list(pvalue = binom.test(b, b + c, 0.5)$p.value)
# Stuart-Maxwell: skin subset (none / limited / diffuse) at two visits, n = 80
set.seed(5)
lev <- c("none", "limited", "diffuse")
sx <- sample(lev, 80, replace = TRUE, prob = c(0.2, 0.4, 0.4))
move <- runif(80)
sy <- ifelse(move < 0.25, "none", ifelse(move < 0.35, "limited", sx))
tab3 <- table(factor(sx, lev), factor(sy, lev))
mh <- mh_test(tab3)
sm <- list(x = sx, y = sy, levels = lev, table = unclass(tab3), statistic = unname(as.numeric(statistic(mh))),
           pvalue = as.numeric(pvalue(mh)), df = 2)
write_ref(list(datasets = datasets, sign = sign_cases, mcnemar = mc, stuart_maxwell = sm), "categorical.json")
