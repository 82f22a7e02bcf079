//! Reporters: turn an [`Outcome`] into text. They know findings, problems and
//! spans; they know nothing about any rule.

mod compact;
mod human;
mod json;
mod sarif;

use std::sync::Arc;

use crate::diagnostic::{Finding, Severity};
use crate::engine::Outcome;
use crate::source::{ByteSpan, FileId, LineCol, Span};

pub use human::HumanOptions;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Compact,
}

/// Render the outcome in `format`. The result is deterministic: it depends
/// only on the outcome (no times, no thread order).
pub fn render(outcome: &Outcome, format: Format, human: &HumanOptions) -> String {
    match format {
        Format::Human => human::render(outcome, human),
        Format::Json => json::render(outcome),
        Format::Sarif => sarif::render(outcome),
        Format::Compact => compact::render(outcome),
    }
}

/// A resolved position range: 1-based lines, 1-based character columns, end
/// exclusive (the position just after the last character).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: LineCol,
    pub end: LineCol,
}

pub fn range(outcome: &Outcome, file: FileId, bytes: ByteSpan) -> Range {
    let f = outcome.file(file);
    Range {
        start: f.line_col(bytes.start),
        end: f.line_col(bytes.end),
    }
}

pub fn span_range(outcome: &Outcome, span: Span) -> Range {
    range(outcome, span.file, span.bytes)
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

pub fn counts(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        match f.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Note => c.notes += 1,
        }
    }
    c
}

/// The text of a file with every secret span replaced by `*` (byte length
/// kept, so spans stay valid). Used for every snippet shown.
pub fn redacted_text(outcome: &Outcome, file: FileId) -> Arc<str> {
    let f = outcome.file(file);
    let mut secrets: Vec<ByteSpan> = outcome
        .findings
        .iter()
        .flat_map(|x| x.secrets.iter())
        .filter(|s| s.file == file)
        .map(|s| s.bytes)
        .collect();
    if secrets.is_empty() {
        return f.text.clone();
    }
    secrets.sort();
    let text: &str = &f.text;
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    for s in secrets {
        let (start, end) = (s.start as usize, (s.end as usize).min(text.len()));
        if start < pos || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        out.push_str(&text[pos..start]);
        for c in text[start..end].chars() {
            // Keep the line structure (block scalars); mask everything else.
            if c == '\n' || c == '\r' {
                out.push(c);
            } else {
                out.extend(std::iter::repeat_n('*', c.len_utf8()));
            }
        }
        pos = end;
    }
    out.push_str(&text[pos..]);
    Arc::from(out)
}

/// A stable fingerprint of a finding: it does not change when unrelated lines
/// move (no line numbers in it). FNV-1a 64, printed as hex.
pub fn fingerprint(outcome: &Outcome, f: &Finding) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let ns = f.object.namespace.as_deref().unwrap_or("");
    for part in [
        f.rule,
        outcome.file(f.span.file).name.as_str(),
        &f.object.kind,
        ns,
        &f.object.name,
        &f.field,
    ] {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}
