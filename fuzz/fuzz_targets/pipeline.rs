//! The whole pipeline: one to four files, every rule, every output format.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    stslint_fuzz::oracle::pipeline(data);
});
