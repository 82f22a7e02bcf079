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

#[cfg(target_os = "linux")]
extern "C" {
    /// The C library's `prctl(2)`.
    fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
}

/// `PR_SET_THP_DISABLE` in `linux/prctl.h`.
#[cfg(target_os = "linux")]
const PR_SET_THP_DISABLE: std::ffi::c_int = 41;

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
    // No transparent huge pages: mimalloc asks for them on its arenas, and a
    // run that frees most of what it allocates (each file's tree) then keeps
    // whole 2 MiB pages resident for a few small blocks still in use. Without
    // them, peak RSS at 10k files drops by a quarter, at no measurable cost in
    // speed (bench/bench.py). Setting mimalloc's own option here would be too
    // late: its first arena is mapped before `main`.
    // SAFETY: a flag on this process's memory map; failure is harmless.
    #[cfg(target_os = "linux")]
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
        )
    };
    stslint::cli::main_with(stslint::cli::Args::parse())
}
