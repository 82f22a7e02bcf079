use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    stslint::cli::main_with(stslint::cli::Args::parse())
}
