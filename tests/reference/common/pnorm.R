# Standard normal tail probabilities from R's pnorm (Cody's algorithm, accurate to
# ~1 ulp), the reference of common::dist::norm_cdf / norm_sf (issue 19: statrs 0.19's
# erfc(1/sqrt(2)) is off by 8.6e-11). Run: Rscript tests/reference/common/pnorm.R
# Output: one line per z: z, pnorm(z), pnorm(z, lower.tail = FALSE), 17 significant digits.
z <- c(-38, -37.5, -30, -20, -10, -8.5, -6, -5, -4, -3.5, -3, -2.5, -2, -1.959963984540054, -1.5, -1,
       -0.75, -0.5, -0.25, -0.1, -1e-5, 0, 1e-5, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 1.959963984540054, 2, 2.5,
       3, 3.5, 4, 5, 6, 8.5, 10, 20, 30, 37.5, 38)
out <- sprintf("%.17g %.17g %.17g", z, pnorm(z), pnorm(z, lower.tail = FALSE))
writeLines(c(paste("#", R.version.string), out), "tests/reference/common/pnorm.txt")
