# Shared helpers for the survival reference scripts (sourced by each *.R here).
# Run from this folder:  Rscript km.R  (etc.)
suppressPackageStartupMessages({library(survival); library(jsonlite)})
versions <- function() list(R = R.version.string,
                            survival = as.character(packageVersion("survival")),
                            cmprsk = as.character(packageVersion("cmprsk")),
                            jsonlite = as.character(packageVersion("jsonlite")))
save_json <- function(x, file) {
  x$versions <- versions()
  # digits = NA: full double precision; NA/NaN/Inf written as strings "NA", "NaN", "Inf"
  write_json(x, file, digits = NA, auto_unbox = TRUE, na = "string", pretty = FALSE)
}
# The data sets used by every script, written as CSV so the Python tests need no R.
lung_df <- function() {
  d <- survival::lung
  data.frame(time = d$time, status = d$status - 1L, sex = d$sex, age = d$age,
             ph_ecog = d$ph.ecog, inst = d$inst)
}
veteran_df <- function() {
  d <- survival::veteran
  data.frame(time = d$time, status = d$status, trt = d$trt, celltype = as.character(d$celltype),
             karno = d$karno, age = d$age, prior = d$prior)
}
mgus_df <- function() {
  d <- survival::mgus2
  data.frame(etime = ifelse(d$pstat == 0, d$futime, d$ptime),
             event = ifelse(d$pstat == 0, 2L * d$death, 1L),
             sex = as.character(d$sex), agegrp = as.integer(cut(d$age, c(0, 60, 75, 200))))
}
# small hand-made data: tied event times, ties between events and censorings, last time an event
ties_df <- function() {
  data.frame(time  = c(1, 1, 2, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8, 8, 9, 10, 2, 4, 6, 6),
             status = c(1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1),
             cause = c(1, 0, 2, 1, 0, 1, 0, 2, 1, 0, 2, 1, 1, 0, 0, 2, 2, 1, 0, 1),
             group = c(1, 2, 1, 2, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 3, 3, 3, 3),
             x = c(0.5, 1.2, -0.3, 0.8, 1.5, 0.1, -1.0, 0.7, 0.2, -0.5, 1.1, 0.0, 0.9, -0.2, 0.4, -0.8, 0.3, 0.6, -0.4, 1.0))
}
if (!file.exists("lung.csv")) write.csv(lung_df(), "lung.csv", row.names = FALSE, na = "")
if (!file.exists("veteran.csv")) write.csv(veteran_df(), "veteran.csv", row.names = FALSE, na = "")
if (!file.exists("mgus2.csv")) write.csv(mgus_df(), "mgus2.csv", row.names = FALSE, na = "")
if (!file.exists("ties.csv")) write.csv(ties_df(), "ties.csv", row.names = FALSE, na = "")
