//! The `.stslint.yaml` loader: any text, a config or located errors.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    stslint_fuzz::oracle::config(data);
});
