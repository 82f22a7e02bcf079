//! The YAML reader alone: any text, spans inside it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    stslint_fuzz::oracle::parser(data);
});
