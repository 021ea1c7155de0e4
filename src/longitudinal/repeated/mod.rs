//! Long-format helpers (change from baseline, visit windows, LOCF, AUC, slopes) and nonparametric repeated-measures tests.
