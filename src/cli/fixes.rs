//! `--fix` and `--diff`: lint, apply the fixes of what is reported, lint the
//! fixed text again, until no fix applies (fixes that overlap wait for the
//! next pass); then write the files, or print what would change.
//!
//! Only reported findings are fixed: not a suppressed one, not one the
//! baseline records, not one on a context file, and not one in rendered
//! output (the file to edit is its template).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostic::Finding;
use crate::engine::Outcome;
use crate::fix::{Applicability, Fix};
use crate::source::{ByteSpan, SourceFile};

use super::{lint_read, read_inputs, Config, Error};

/// Passes at most: a fix that keeps making room for another is a bug, and
/// must not loop for ever.
const MAX_PASSES: usize = 10;

/// A file some fix changed.
pub struct Changed {
    /// Where to write it.
    pub path: std::path::PathBuf,
    pub original: Arc<str>,
    /// The credential spans of the original text (never shown in a diff).
    pub original_secrets: Vec<ByteSpan>,
    pub text: String,
    /// How many fixes changed it.
    pub fixes: usize,
}

/// What a fixing run did.
pub struct Fixed {
    /// The outcome of linting the fixed text.
    pub outcome: Outcome,
    /// The changed files by name.
    pub changed: BTreeMap<String, Changed>,
    /// Reported findings whose fix needs `--unsafe-fixes`.
    pub unsafe_left: usize,
    /// Passes that applied something, and whether fixes were still
    /// applicable after the last one.
    pub unfinished: bool,
}

/// Whether `fix` of `f` is applied by this run.
fn wanted(f: &Finding, unsafe_fixes: bool) -> Option<&Fix> {
    let fix = f.fix.as_deref()?;
    let allowed = fix.applicability == Applicability::Safe || unsafe_fixes;
    (allowed && f.origin.is_none()).then_some(fix)
}

/// Lint, fix and lint again as described in the module's doc. Standard
/// input is fixed in memory (for `--diff`); writing is the caller's.
pub fn run(config: &Config, unsafe_fixes: bool) -> Result<Fixed, Error> {
    let read = read_inputs(config);
    let problems = read.problems;
    let mut files = read.files;
    let mut changed: BTreeMap<String, Changed> = BTreeMap::new();
    let mut outcome;
    let mut passes = 0;
    loop {
        outcome = lint_read(config, files, problems.clone(), &read.context);
        if passes == MAX_PASSES {
            break;
        }
        passes += 1;
        // The fixes of each file, in the order findings are reported.
        let mut by_file: BTreeMap<u32, Vec<&Fix>> = BTreeMap::new();
        for f in &outcome.findings {
            if let Some(fix) = wanted(f, unsafe_fixes) {
                by_file.entry(f.span.file.0).or_default().push(fix);
            }
        }
        let mut applied_any = false;
        let mut texts: BTreeMap<u32, String> = BTreeMap::new();
        for (&id, fixes) in &by_file {
            let file_id = crate::source::FileId(id);
            let file = outcome.file(file_id);
            let text = outcome.text(file_id);
            // A file changed since it was linted is not fixed from what was
            // found in it (the run reports that it changed).
            let seen = Some((text.len(), crate::source::text_hash(&text)));
            if file.disk.as_ref().is_some_and(|d| d.seen != seen) {
                continue;
            }
            let (new, n) = crate::fix::apply(&text, fixes);
            if n == 0 || *new == *text {
                continue;
            }
            applied_any = true;
            let entry = changed.entry(file.name.clone()).or_insert_with(|| Changed {
                path: match &file.disk {
                    Some(d) => d.path(&file.name).to_path_buf(),
                    None => std::path::PathBuf::from(&file.name),
                },
                original: text.clone(),
                original_secrets: outcome.file_secrets(file_id).to_vec(),
                text: String::new(),
                fixes: 0,
            });
            entry.fixes += n;
            texts.insert(id, new);
        }
        if !applied_any {
            break;
        }
        // The next pass lints the fixed texts, and the other files as they are.
        files = std::mem::take(&mut outcome.files)
            .into_iter()
            .enumerate()
            .map(|(i, f)| match texts.remove(&(i as u32)) {
                Some(text) => held(f, text),
                None => f,
            })
            .collect();
    }
    for (name, c) in changed.iter_mut() {
        if let Some(f) = outcome.files.iter().find(|f| f.name == *name) {
            c.text = f.text.to_string();
        }
    }
    let unsafe_left = outcome
        .findings
        .iter()
        .filter(|f| f.origin.is_none())
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|x| x.applicability == Applicability::Unsafe)
        })
        .filter(|_| !unsafe_fixes)
        .count();
    let unfinished = passes == MAX_PASSES
        && outcome
            .findings
            .iter()
            .any(|f| wanted(f, unsafe_fixes).is_some());
    Ok(Fixed {
        outcome,
        changed,
        unsafe_left,
        unfinished,
    })
}

/// The file with its fixed text, held in memory for the next pass.
fn held(f: SourceFile, text: String) -> SourceFile {
    let mut new = SourceFile::new(f.name, text);
    new.stdin = f.stdin;
    new
}

/// Write the changed files; a file changed on disk since it was read is
/// left alone (said on standard error).
pub fn write(changed: &BTreeMap<String, Changed>) -> Result<usize, Error> {
    let mut written = 0;
    for (name, c) in changed {
        let now = std::fs::read_to_string(&c.path)
            .map_err(|e| Error::OutputFile(crate::report::escape(name).into_owned(), e))?;
        if *now != *c.original {
            eprintln!(
                "stslint: {} changed while it was linted: not fixed",
                crate::report::escape(name)
            );
            continue;
        }
        std::fs::write(&c.path, &c.text)
            .map_err(|e| Error::OutputFile(crate::report::escape(name).into_owned(), e))?;
        written += 1;
    }
    Ok(written)
}

/// A unified diff of each changed file, credential values masked in both
/// texts (as in every output).
pub fn diff(fixed: &Fixed) -> String {
    let mut out = String::new();
    for (name, c) in &fixed.changed {
        let id = fixed.outcome.files.iter().position(|f| f.name == *name);
        let new_secrets = id
            .map(|i| {
                fixed
                    .outcome
                    .file_secrets(crate::source::FileId(i as u32))
                    .to_vec()
            })
            .unwrap_or_default();
        let old = crate::report::redact(&c.original, c.original_secrets.clone());
        let new = crate::report::redact(&Arc::from(c.text.as_str()), new_secrets);
        let shown = crate::report::escape(name);
        let text = similar::TextDiff::from_lines(&*old.text, &*new.text)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{shown}"), &format!("b/{shown}"))
            .to_string();
        out.push_str(&text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}
