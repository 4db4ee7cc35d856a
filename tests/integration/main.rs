//! Integration tests: the real `related` binary on fixtures.

mod bad_input;
mod bilingual;
mod cli;
mod dev_loop;
mod fields;
mod formats;
mod golden;
mod inputs;
mod lsi;
mod properties;
mod reliability;
mod reread;
mod rough_edges;
mod shards;
mod site;
mod util;
