//! Integration tests: the real `related` binary on fixtures.

mod bad_input;
mod cli;
mod formats;
mod golden;
mod inputs;
mod lsi;
mod properties;
mod site;
mod util;
