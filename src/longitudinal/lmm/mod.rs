//! Linear mixed models as lme4 fits them (profiled REML/ML deviance over θ).
