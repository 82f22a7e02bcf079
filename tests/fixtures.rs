//! Walks fixtures/<rule-id>/: each file (or sub-directory, linted as one run)
//! is a case. A `# expect: <rule-id>@<column>` comment on a line says a finding
//! of that rule must start at that line and column; nothing else may fire.
//! `<rule-id>@<column>:<severity>` also pins the severity of that finding.
//! `unused-suppression@<column>` expects a suppression that suppresses
//! nothing.
//! The directory's rule runs, plus any rule an annotation names.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use stslint::diagnostic::ProblemKind;
use stslint::report::span_range;

use crate::support::{lint_paths, rel, root};

type Expect = BTreeSet<(String, u32, String, u32)>; // (file, line, rule, column)

/// Severities pinned by `rule@col:severity`: (file, line, rule) → severity.
type Severities = std::collections::BTreeMap<(String, u32, String), String>;

fn annotations(path: &Path, shown: &str) -> Expect {
    annotations_with_severity(path, shown).0
}

fn annotations_with_severity(path: &Path, shown: &str) -> (Expect, Severities) {
    let text = fs::read_to_string(path).unwrap_or_default();
    let mut out = Expect::new();
    let mut severities = Severities::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("# expect:") else {
            continue;
        };
        for item in line[at + 9..].split(',') {
            let item = item.trim();
            let (rule, col) = item.split_once('@').unwrap_or_else(|| {
                panic!(
                    "{shown}:{}: expectation `{item}` needs `rule@column`",
                    i + 1
                )
            });
            let (col, severity) = match col.split_once(':') {
                Some((c, s)) => (c, Some(s.trim().to_string())),
                None => (col, None),
            };
            if let Some(sev) = severity {
                severities.insert(
                    (shown.to_string(), i as u32 + 1, rule.trim().to_string()),
                    sev,
                );
            }
            let col: u32 = col
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("{shown}:{}: bad column in `{item}`", i + 1));
            out.insert((
                shown.to_string(),
                i as u32 + 1,
                rule.trim().to_string(),
                col,
            ));
        }
    }
    (out, severities)
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut dirs: Vec<_> = fs::read_dir(root().join("fixtures"))
        .expect("fixtures/")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let rule = dir.file_name().unwrap().to_string_lossy().to_string();
        for e in sorted_entries(&dir) {
            out.push((rule.clone(), e));
        }
    }
    out
}

/// The entries of a directory, sorted by path.
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    entries
}

/// The files of a case: the file itself, or every file below the directory.
fn files_of(case: &Path) -> Vec<PathBuf> {
    if !case.is_dir() {
        return vec![case.to_path_buf()];
    }
    let mut out = Vec::new();
    for e in sorted_entries(case) {
        out.extend(files_of(&e));
    }
    out
}

#[test]
fn every_fixture_fires_exactly_where_annotated() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (rule, case) in cases() {
        let mut want = Expect::new();
        let mut severities = Severities::new();
        for f in files_of(&case) {
            let (w, s) = annotations_with_severity(&f, &rel(&f));
            want.extend(w);
            severities.extend(s);
        }
        let mut enabled: Vec<String> = vec![rule.clone()];
        enabled.extend(want.iter().map(|w| w.2.clone()));
        let enabled: Vec<&str> = enabled.iter().map(String::as_str).collect();
        let outcome = lint_paths(std::slice::from_ref(&case), &enabled);
        let mut got: Expect = outcome
            .findings
            .iter()
            .map(|f| {
                let r = span_range(&outcome, f.span);
                let name = outcome.file(f.span.file).name.clone();
                (
                    rel(Path::new(&name)),
                    r.start.line,
                    f.rule.to_string(),
                    r.start.column,
                )
            })
            .collect();
        // A suppression that suppresses nothing is expected like a finding.
        let (unused, problems): (Vec<_>, Vec<_>) = outcome
            .problems
            .iter()
            .partition(|p| p.kind == ProblemKind::UnusedSuppression && p.span.is_some());
        for p in unused {
            let r = stslint::report::range(&outcome, p.file, p.span.unwrap_or_default());
            let name = rel(Path::new(&outcome.file(p.file).name));
            got.insert((
                name,
                r.start.line,
                p.kind.code().to_string(),
                r.start.column,
            ));
        }
        for f in &outcome.findings {
            let r = span_range(&outcome, f.span);
            let name = rel(Path::new(&outcome.file(f.span.file).name));
            let key = (name, r.start.line, f.rule.to_string());
            if let Some(want) = severities.get(&key) {
                if f.severity.as_str() != want {
                    failures.push(format!(
                        "{}:{}: {} is {}, expected {want}",
                        key.0, key.1, key.2, f.severity
                    ));
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}: input errors: {problems:?}", rel(&case)));
        }
        for missing in want.difference(&got) {
            failures.push(format!(
                "{}:{}: expected {}@{} did not fire",
                missing.0, missing.1, missing.2, missing.3
            ));
        }
        for extra in got.difference(&want) {
            failures.push(format!(
                "{}:{}: unexpected {}@{}",
                extra.0, extra.1, extra.2, extra.3
            ));
        }
        checked += 1;
    }
    assert!(checked > 0, "no fixtures found");
    assert!(
        failures.is_empty(),
        "{} fixture mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_firing_and_silent_fixtures() {
    for e in stslint::rules::ALL {
        let dir = root().join("fixtures").join(e.id);
        assert!(dir.is_dir(), "rule {} has no fixtures/{}/", e.id, e.id);
        let mut fires = false;
        let mut silent = false;
        for (rule, case) in cases() {
            if rule != e.id {
                continue;
            }
            let n: usize = files_of(&case)
                .iter()
                .map(|f| annotations(f, "").iter().filter(|a| a.2 == e.id).count())
                .sum();
            if n > 0 {
                fires = true;
            } else {
                silent = true;
            }
            // a file with annotations still has silent objects; a file without any is a silent case
        }
        assert!(fires, "fixtures/{}/ has no case where the rule fires", e.id);
        assert!(
            silent,
            "fixtures/{}/ has no case (file) where the rule stays silent",
            e.id
        );
    }
}
