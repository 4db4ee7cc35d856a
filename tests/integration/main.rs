//! Integration tests: the real `related` binary on fixtures.

mod bad_input;
mod bilingual;
mod cli;
mod formats;
mod golden;
mod inputs;
mod properties;
mod reliability;
mod site;
mod util;
