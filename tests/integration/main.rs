//! Integration tests: the real `related` binary on fixtures.

mod bad_input;
mod cli;
mod fields;
mod formats;
mod golden;
mod inputs;
mod properties;
mod site;
mod util;
