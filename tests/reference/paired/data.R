# Paired data sets shared by the reference scripts in this folder (sourced, not a case).
# x = before, y = after; every test is on y - x.
suppressPackageStartupMessages({library(jsonlite); library(MASS); library(coin)})
versions <- list(R = R.version.string, coin = as.character(packageVersion("coin")),
                 MASS = as.character(packageVersion("MASS")), jsonlite = as.character(packageVersion("jsonlite")))
datasets <- list()
# R's built-in sleep data (Student 1908): ties and one zero difference.
datasets$sleep <- list(x = sleep$extra[sleep$group == 1], y = sleep$extra[sleep$group == 2])
# MASS::immer (barley yields 1931 vs 1932, n = 30): continuous, ties in |d| possible.
datasets$immer <- list(x = immer$Y1, y = immer$Y2)
# Synthetic mRSS (0-51 integers) before/after treatment, n = 24: many ties and zeros.
set.seed(20261125)
b <- sample(8:40, 24, replace = TRUE)
a <- pmax(0, b + sample(c(-9:4, 0, 0, 0), 24, replace = TRUE))
datasets$mrss <- list(x = as.numeric(b), y = as.numeric(a))
# Continuous, no ties, n = 15 (exact Hodges-Lehmann interval).
set.seed(42)
x15 <- rnorm(15, 20, 5)
datasets$cont15 <- list(x = x15, y = x15 + rnorm(15, 1, 2))
# Continuous n = 60 (asymptotic Wilcoxon) and the same rounded to 1 decimal (ties).
set.seed(7)
x60 <- rnorm(60, 50, 10)
y60 <- x60 + rnorm(60, 0.8, 3)
datasets$cont60 <- list(x = x60, y = y60)
datasets$ties60 <- list(x = round(x60), y = round(y60))
write_ref <- function(obj, file) {
  obj$versions <- versions
  writeLines(toJSON(obj, digits = NA, auto_unbox = TRUE, null = "null", na = "null"), file)
}
