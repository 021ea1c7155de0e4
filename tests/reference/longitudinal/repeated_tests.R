# Reference values for rs.longitudinal.friedman / cochran_q (tests/longitudinal/test_repeated_tests.py).
# Run: Rscript repeated_tests.R  (writes repeated_tests.json)
# Data: matrices subjects x visits, generated here with a fixed seed; NA = missing visit.
suppressPackageStartupMessages({library(jsonlite); library(coin)})
set.seed(20261203)

long <- function(m) {
  d <- data.frame(subject = factor(rep(seq_len(nrow(m)), ncol(m))),
                  visit = factor(rep(seq_len(ncol(m)), each = nrow(m))),
                  y = as.vector(m))
  d[complete.cases(d), ]
}

friedman_case <- function(m) {
  ft <- friedman.test(m)                      # drops incomplete blocks (complete.cases)
  mc <- m[complete.cases(m), , drop = FALSE]
  ct <- coin::friedman_test(y ~ visit | subject, data = long(mc))
  list(matrix = m, statistic = unname(ft$statistic), df = unname(ft$parameter),
       p_value = ft$p.value, n_complete = nrow(mc),
       coin_statistic = unname(statistic(ct)), coin_p_value = pvalue(ct))
}

cochran_case <- function(m) {
  mc <- m[complete.cases(m), , drop = FALSE]
  d <- long(mc)
  d$y <- factor(d$y, levels = c(0, 1))
  st <- coin::symmetry_test(y ~ visit | subject, data = d, teststat = "quadratic")
  # textbook formula (Cochran 1950) for a cross-check inside this script
  k <- ncol(mc); C <- colSums(mc); R <- rowSums(mc); N <- sum(mc)
  q <- (k - 1) * (k * sum(C^2) - N^2) / (k * N - sum(R^2))
  stopifnot(abs(q - unname(statistic(st))) < 1e-10)
  list(matrix = m, statistic = unname(statistic(st)), df = k - 1,
       p_value = pvalue(st), n_complete = nrow(mc))
}

ties <- matrix(sample(0:4, 12 * 4, replace = TRUE), 12, 4)
cont <- matrix(round(rnorm(15 * 5, rep(c(0, 0.3, 0.5, 0.6, 1), each = 15)), 3), 15, 5)
incomplete <- matrix(sample(0:6, 14 * 3, replace = TRUE), 14, 3)
incomplete[c(2, 9), 2] <- NA
incomplete[5, 3] <- NA
all_tied_block <- ties; all_tied_block[1, ] <- 2
bin <- matrix(rbinom(20 * 3, 1, rep(c(0.3, 0.5, 0.7), each = 20)), 20, 3)
bin4 <- matrix(rbinom(16 * 4, 1, 0.5), 16, 4); bin4[3, 4] <- NA

out <- list(
  friedman = list(ties = friedman_case(ties), continuous = friedman_case(cont),
                  incomplete = friedman_case(incomplete), tied_block = friedman_case(all_tied_block)),
  cochran = list(three = cochran_case(bin), four_incomplete = cochran_case(bin4)),
  versions = list(R = R.version.string, coin = as.character(packageVersion("coin")))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", matrix = "rowmajor", pretty = TRUE),
           "repeated_tests.json")
