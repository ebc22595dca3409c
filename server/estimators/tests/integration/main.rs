//! The estimators' integration tests: reference values from scipy, statsmodels and numpy
//! (`reference`), coverage over simulated worlds (`coverage`), and bad input (`bad_input`).

mod bad_input;
mod coverage;
mod reference;
mod simulate;
