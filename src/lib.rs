//! `related`: related articles for static sites.
pub mod text;
