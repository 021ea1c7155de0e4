//! MMRM: marginal GLS likelihood with structured within-subject covariances.
