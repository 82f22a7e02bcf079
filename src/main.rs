use clap::Parser;
use std::process::ExitCode;

/// mimalloc: the run allocates millions of small nodes on every thread; it
/// is markedly faster at that than the system allocator (see README,
/// Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's option setter (the allocator linked above).
    fn mi_option_set(option: i32, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc's `include/mimalloc.h` (v2 and v3;
/// the `libmimalloc-sys` crate names no constant for it).
const MI_OPTION_PURGE_DELAY: i32 = 15;

fn main() -> ExitCode {
    // Give freed pages back at once: files are parsed and dropped one after
    // the other, and the default delay kept about a fifth more memory
    // resident at 10k files for no measurable speed (bench/bench.py).
    // SAFETY: sets a process-wide allocator option, read at each purge; any
    // value is valid.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    stslint::cli::main_with(stslint::cli::Args::parse())
}
