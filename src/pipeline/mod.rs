//! The pipeline: the stages called in order, and the term cache between runs.

pub mod cache;
