//! Baselines: a repository's findings of today, recorded so that only new
//! ones are reported (`--baseline F`), written with `--write-baseline F`.
//!
//! An entry is a finding's rule, object, file and field, with a fingerprint
//! of them, never a line: editing elsewhere in the file does not make an old
//! finding new. Files are recorded relative to the baseline's directory, so
//! the baseline works from any working directory. Entries that no longer
//! occur are pruned on the next write; entries of rules that did not run, or
//! of files that were not linted, are kept.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Finding, Suppressed};
use crate::engine::Outcome;
use crate::suppress::{Kind, Suppression};

pub const VERSION: u32 = 1;

/// One recorded finding (or several alike: `count`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub file: String,
    pub object: String,
    pub rule: String,
    pub field: String,
    pub fingerprint: String,
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    #[serde(default)]
    generated_by: String,
    findings: Vec<Entry>,
}

/// A loaded baseline.
#[derive(Debug)]
pub struct Baseline {
    /// As given, for messages.
    pub shown: String,
    /// Files are relative to this directory.
    dir: PathBuf,
    entries: Vec<Entry>,
}

/// The key of a finding in a baseline.
type Key = (String, String, String);

impl Baseline {
    /// Read a baseline; every error names the file (and the line and column
    /// of bad JSON).
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {shown}: {e}"))?;
        let doc: Document = serde_json::from_str(&text).map_err(|e| {
            let message = e.to_string();
            // The position goes in front, as every located error has it.
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            format!(
                "{shown}:{}:{}: not a stslint baseline: {message}",
                e.line(),
                e.column()
            )
        })?;
        if doc.version != VERSION {
            return Err(format!(
                "{shown}: baseline version {} is not supported (this stslint writes version {VERSION}); write it again with --write-baseline",
                doc.version
            ));
        }
        Ok(Baseline {
            shown,
            dir: dir_of(path),
            entries: doc.findings,
        })
    }

    /// Move the findings the baseline records from `outcome.findings` to
    /// `outcome.suppressed`; count the entries that match nothing (of rules
    /// that ran, in files that were linted) in `outcome.baseline_stale`.
    pub fn apply(&self, outcome: &mut Outcome, ran: &HashSet<&str>) {
        let mut left: BTreeMap<Key, u32> = BTreeMap::new();
        for e in &self.entries {
            *left
                .entry((e.rule.clone(), e.object.clone(), e.fingerprint.clone()))
                .or_default() += e.count;
        }
        let via = format!("baseline `{}`", self.shown);
        let findings = std::mem::take(&mut outcome.findings);
        let mut moved = false;
        for f in findings {
            let e = entry(outcome, &self.dir, &f);
            match left.get_mut(&(e.rule, e.object, e.fingerprint)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    moved = true;
                    outcome.suppressed.push(Suppressed {
                        finding: f,
                        by: Suppression {
                            kind: Kind::External,
                            via: via.clone(),
                            reason: None,
                        },
                    });
                }
                _ => outcome.findings.push(f),
            }
        }
        if moved {
            let files = &outcome.files;
            let name = |f: &Finding| files[f.span.file.0 as usize].name.as_str();
            outcome.suppressed.sort_by(|a, b| {
                let (a, b) = (&a.finding, &b.finding);
                (name(a), a.span.bytes, a.rule, &a.message).cmp(&(
                    name(b),
                    b.span.bytes,
                    b.rule,
                    &b.message,
                ))
            });
        }
        let linted = linted_files(outcome, &self.dir);
        // A key's remainder, once however many entries share it.
        let mut seen = HashSet::new();
        outcome.baseline_stale = self
            .entries
            .iter()
            .filter(|e| ran.contains(e.rule.as_str()) && linted.contains(&e.file))
            .filter_map(|e| {
                let key = (e.rule.clone(), e.object.clone(), e.fingerprint.clone());
                let n = *left.get(&key)?;
                seen.insert(key).then_some(n as usize)
            })
            .sum();
    }
}

/// Write the baseline at `path`: today's findings (those a baseline
/// suppresses included, those an annotation or comment suppresses not),
/// plus the entries of an existing baseline there that this run could not
/// have seen (rules that did not run, files not linted).
pub fn write(path: &Path, outcome: &Outcome, ran: &HashSet<&str>) -> Result<usize, String> {
    let shown = path.display().to_string();
    let dir = dir_of(path);
    let linted = linted_files(outcome, &dir);
    let mut entries: BTreeMap<(String, String, String, String, String), u32> = BTreeMap::new();
    if let Ok(old) = Baseline::load(path) {
        for e in old.entries {
            if !ran.contains(e.rule.as_str()) || !linted.contains(&e.file) {
                *entries
                    .entry((e.file, e.object, e.rule, e.field, e.fingerprint))
                    .or_default() += e.count;
            }
        }
    }
    let today = outcome.findings.iter().chain(
        outcome
            .suppressed
            .iter()
            .filter(|s| s.by.kind == Kind::External)
            .map(|s| &s.finding),
    );
    for f in today {
        let e = entry(outcome, &dir, f);
        *entries
            .entry((e.file, e.object, e.rule, e.field, e.fingerprint))
            .or_default() += 1;
    }
    let findings: Vec<Entry> = entries
        .into_iter()
        .map(|((file, object, rule, field, fingerprint), count)| Entry {
            file,
            object,
            rule,
            field,
            fingerprint,
            count,
        })
        .collect();
    let n = findings.len();
    let doc = Document {
        version: VERSION,
        generated_by: format!("stslint {}", env!("CARGO_PKG_VERSION")),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    text.push('\n');
    crate::report::write_file(path, |w| w.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write the baseline {shown}: {e}"))?;
    Ok(n)
}

/// A finding as a baseline records it.
fn entry(outcome: &Outcome, dir: &Path, f: &Finding) -> Entry {
    let file = relative_to(dir, &outcome.file(f.span.file).name);
    let object = f.object.to_string();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [f.rule, &file, &object, &f.field] {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    Entry {
        file,
        object,
        rule: f.rule.to_string(),
        field: f.field.to_string(),
        fingerprint: format!("{h:016x}"),
        count: 1,
    }
}

fn linted_files(outcome: &Outcome, dir: &Path) -> HashSet<String> {
    outcome
        .files
        .iter()
        .map(|f| relative_to(dir, &f.name))
        .collect()
}

/// The absolute directory of a file path.
fn dir_of(path: &Path) -> PathBuf {
    let abs = crate::discover::lexical_absolute(path);
    abs.parent().map(Path::to_path_buf).unwrap_or(abs)
}

/// A file name as shown, relative to `dir` with `/` separators when it is
/// below it; standard input's name stays as it is.
fn relative_to(dir: &Path, name: &str) -> String {
    if name.starts_with('<') {
        return name.to_string();
    }
    let abs = crate::discover::lexical_absolute(Path::new(name));
    let shown = match abs.strip_prefix(dir) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => abs,
    };
    shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
        .replace("//", "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_relative_to_the_baseline_directory() {
        let cwd = std::env::current_dir().unwrap_or_default();
        assert_eq!(relative_to(&cwd, "deploy/./db.yaml"), "deploy/db.yaml");
        assert_eq!(
            relative_to(&cwd.join("deploy"), "deploy/x/../db.yaml"),
            "db.yaml"
        );
        assert_eq!(relative_to(&cwd, "<stdin>"), "<stdin>");
    }
}
