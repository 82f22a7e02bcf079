//! The one integration-test binary (one link step on 2-core CI).

mod baseline;
mod cli;
mod config;
mod docs;
mod editor;
mod fixes;
mod fixtures;
mod formats;
mod fuzz_regressions;
mod hostile;
mod large;
mod lsp;
mod object_fixes;
mod precommit;
mod registry;
mod rendered;
mod support;
mod suppress;
