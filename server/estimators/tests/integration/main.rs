//! The estimators' integration tests: reference values from scipy, statsmodels and numpy
//! (`reference`), coverage over simulated worlds (`coverage`, and `ratio_calibration` for the
//! ratio metrics clustered by user), and bad input (`bad_input`).

mod bad_input;
mod coverage;
mod ratio_calibration;
mod reference;
mod simulate;
