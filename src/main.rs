use clap::Parser;
use std::process::ExitCode;

/// mimalloc: the run allocates millions of small nodes on every thread; it
/// is markedly faster at that than the system allocator (see README,
/// Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    stslint::cli::main_with(stslint::cli::Args::parse())
}
