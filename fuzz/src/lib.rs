//! The fuzz targets' oracles, shared with the regression test that replays
//! every input they ever failed on (`tests/fuzz_regressions.rs`).

#[path = "oracle.rs"]
pub mod oracle;
