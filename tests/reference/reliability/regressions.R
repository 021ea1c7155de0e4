# Reference values for tests/reliability/test_regressions.py (issue 19), R 4.x.
# Run: Rscript tests/reference/reliability/regressions.R  (prints the values the tests pin)
library(survival)

# logrank with strata missing for some rows (nan_policy='omit' <-> na.action):
# hostile run seed 2027 call 569968, groups s1..s9 partly emptied
t <- c(10.429903131583018, 2.3533666399000914, 4.7958978500067815, 9.820696381011391, 9.948023117994287,
       8.406325674880541, 1.857857503373387, 8.673514810362656, 10.88764607408644, 0.16830588314142592)
e <- c(0, 1, 1, 1, 0, 1, 1, 1, 0, 1); g <- paste0("s", 0:9); s <- c("a", NA, NA, NA, "a", NA, "a", NA, NA, NA)
r <- survdiff(Surv(t, e) ~ g + strata(s))
cat("logrank 1: chisq", format(r$chisq, digits = 17), "obs", (if (is.matrix(r$obs)) rowSums(r$obs) else r$obs), "exp", format((if (is.matrix(r$exp)) rowSums(r$exp) else r$exp), digits = 17), "\n")
# a middle group ("c") emptied
t2 <- c(1, 2, 3, 4, 5, 6, 7, 8); e2 <- c(1, 1, 0, 1, 1, 0, 1, 1)
g2 <- c("a", "b", "c", "a", "b", "c", "a", "b"); s2 <- c("x", "x", NA, "y", "y", NA, "x", "y")
r2 <- survdiff(Surv(t2, e2) ~ g2 + strata(s2))
cat("logrank 2: chisq", format(r2$chisq, digits = 17), "obs", rowSums(r2$obs), "exp", format(rowSums(r2$exp), digits = 17), "\n")

# Wilcoxon HL interval where W jumps over both quantiles at one point (hostile run
# seed 1 call 156427): y - x = -2 (30), -1 (124), 0 (123), 1 (95), mu = 1. R's
# uniroot returns the limits within its 1e-4 tolerance in the wrong order.
d <- rep(c(-2, -1, 0, 1), c(30, 124, 123, 95))
w <- wilcox.test(d, mu = 1, conf.int = TRUE, exact = FALSE)
cat("wilcoxon jump: p", format(w$p.value, digits = 17), "estimate", format(w$estimate, digits = 17),
    "conf.int", format(w$conf.int, digits = 17), "\n")
