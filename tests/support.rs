//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use stslint::discover::{self, DiscoverOptions};
use stslint::engine::{self, Outcome, Settings};
use stslint::rules;
use stslint::source::SourceFile;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lint in-memory sources with only `enabled` rules (all rules when empty).
pub fn lint_sources(files: Vec<SourceFile>, enabled: &[&str]) -> Outcome {
    let settings = Settings {
        disabled: disabled_except(enabled),
        ..Settings::default()
    };
    engine::lint(files, Vec::new(), &settings)
}

/// Lint paths (files or directories) relative to the crate root.
pub fn lint_paths(paths: &[PathBuf], enabled: &[&str]) -> Outcome {
    let opts = DiscoverOptions::default();
    let inputs = discover::discover(paths, &opts);
    assert!(
        !inputs
            .iter()
            .any(|i| matches!(i, discover::Input::Unreadable { .. })),
        "fixture paths exist: {inputs:?}"
    );
    let (files, problems) = discover::read_all(inputs, &opts);
    let settings = Settings {
        disabled: disabled_except(enabled),
        ..Settings::default()
    };
    engine::lint(files, problems, &settings)
}

fn disabled_except(enabled: &[&str]) -> Vec<String> {
    if enabled.is_empty() {
        return Vec::new();
    }
    rules::ALL
        .iter()
        .map(|e| e.id)
        .filter(|id| !enabled.contains(id))
        .map(str::to_string)
        .collect()
}

/// The path relative to the crate root, with `/`.
pub fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}
