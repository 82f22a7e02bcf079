//! The one integration-test binary (one link step on 2-core CI).

mod cli;
mod config;
mod docs;
mod fixtures;
mod fuzz_regressions;
mod hostile;
mod large;
mod registry;
mod rendered;
mod support;
