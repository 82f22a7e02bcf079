//! `--format json`: a versioned object, documented in README.md.

use serde_json::{json, Value};

use super::{counts, fingerprint, range, span_range, write_pretty, Each};
use rayon::prelude::*;
use serde_json::value::RawValue;

use crate::diagnostic::{Finding, Problem, Severity, Skipped, Suppressed};
use crate::engine::Outcome;

pub const VERSION: u32 = 1;

pub fn write(outcome: &Outcome, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let findings = Findings(outcome);
    let errors = Each(&outcome.problems, |p: &Problem| {
        let r = p.span.map(|s| range(outcome, p.file, s));
        json!({
            "kind": p.kind.code(),
            "severity": p.severity().as_str(),
            "message": p.message,
            "help": p.help,
            "file": outcome.file(p.file).name,
            "line": r.map(|r| r.start.line),
            "column": r.map(|r| r.start.column),
        })
    });
    let skipped = Each(&outcome.skipped, |s: &Skipped| {
        let r = range(outcome, s.file, s.span);
        json!({
            "file": outcome.file(s.file).name,
            "line": r.start.line,
            "column": r.start.column,
            "reason": s.reason,
        })
    });
    let suppressed = Each(&outcome.suppressed, |s: &Suppressed| {
        let mut v = serde_json::to_value(json_finding(outcome, &s.finding)).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.insert(
                "suppression".into(),
                json!({ "kind": s.by.kind.as_str(), "via": s.by.via, "reason": s.by.reason }),
            );
        }
        v
    });
    let c = counts(&outcome.findings);
    let input = |s: Severity| {
        outcome
            .problems
            .iter()
            .filter(|p| p.severity() == s)
            .count()
    };
    let doc = Doc {
        version: VERSION,
        tool: json!({ "name": "stslint", "version": env!("CARGO_PKG_VERSION") }),
        findings,
        errors,
        skipped,
        suppressed,
        summary: json!({
            "files": outcome.files.len(),
            "objects": outcome.objects,
            "findings": outcome.findings.len(),
            "errors": c.errors,
            "warnings": c.warnings,
            "notes": c.notes,
            "input_errors": input(Severity::Error),
            "input_notes": input(Severity::Note),
            "skipped_documents": outcome.skipped.len(),
            "suppressed": outcome.suppressed.len(),
            "baseline_stale": outcome.baseline_stale,
        }),
    };
    write_pretty(w, &doc)
}

/// The findings, serialized in parallel a block at a time (a run can have
/// hundreds of thousands; one thread writing them all was the longest serial
/// step after the rules): each finding is rendered as pretty JSON at its
/// depth in the document, then written as it is.
struct Findings<'a>(&'a Outcome);

/// Findings rendered at once: enough for both threads, little memory.
const BLOCK: usize = 1024;

impl serde::Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let outcome = self.0;
        let mut seq = s.serialize_seq(Some(outcome.findings.len()))?;
        for block in outcome.findings.chunks(BLOCK) {
            let rendered: Vec<Box<RawValue>> = block
                .par_iter()
                .map(|f| render(outcome, f))
                .collect::<Result<_, _>>()
                .map_err(S::Error::custom)?;
            for r in &rendered {
                seq.serialize_element(r)?;
            }
        }
        seq.end()
    }
}

/// One finding as pretty JSON, its inner lines indented for its place in
/// the document (an item of the top-level `findings` array).
fn render(outcome: &Outcome, f: &Finding) -> serde_json::Result<Box<RawValue>> {
    let text = serde_json::to_string_pretty(&json_finding(outcome, f))?;
    RawValue::from_string(text.replace('\n', "\n    "))
}

fn json_finding<'a>(outcome: &'a Outcome, f: &'a Finding) -> JsonFinding<'a> {
    JsonFinding {
        rule: f.rule,
        severity: f.severity.as_str(),
        message: &f.message,
        help: &f.help,
        file: &outcome.file(f.span.file).name,
        at: JsonSpan::of(outcome, f.span.file, f.span.bytes),
        object: JsonObject {
            kind: &f.object.kind,
            namespace: f.object.namespace.as_deref(),
            name: &f.object.name,
        },
        field: &f.field,
        origin: f.origin.as_deref().map(|o| JsonOrigin {
            path: &o.path,
            via: o.via.as_str(),
            remote: o.remote.as_deref(),
        }),
        related: f
            .related
            .iter()
            .map(|x| {
                let rr = span_range(outcome, x.span);
                JsonRelated {
                    file: &outcome.file(x.span.file).name,
                    line: rr.start.line,
                    column: rr.start.column,
                    end_line: rr.end.line,
                    end_column: rr.end.column,
                    message: &x.message,
                }
            })
            .collect(),
        fix: f.fix.as_deref().and_then(|x| json_fix(outcome, f, x)),
        fingerprint: fingerprint(outcome, f),
    }
}

/// A fix with its edits' positions. Left out when an edit touches a
/// credential value (its text would show it).
fn json_fix<'a>(outcome: &Outcome, f: &Finding, fix: &'a crate::fix::Fix) -> Option<JsonFix<'a>> {
    let secrets = outcome.file_secrets(f.span.file);
    if fix
        .edits
        .iter()
        .any(|e| super::touches_secret(e.span, secrets))
    {
        return None;
    }
    Some(JsonFix {
        title: &fix.title,
        applicability: fix.applicability.as_str(),
        edits: fix
            .edits
            .iter()
            .map(|e| JsonEdit {
                at: JsonSpan::of(outcome, f.span.file, e.span),
                content: &e.content,
            })
            .collect(),
    })
}

#[derive(serde::Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(serde::Serialize)]
struct JsonEdit<'a> {
    #[serde(flatten)]
    at: JsonSpan,
    content: &'a str,
}

/// Where a span is: 1-based line and column (end exclusive), and bytes.
#[derive(serde::Serialize)]
struct JsonSpan {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    offset: u32,
    length: usize,
}

impl JsonSpan {
    fn of(
        outcome: &Outcome,
        file: crate::source::FileId,
        bytes: crate::source::ByteSpan,
    ) -> JsonSpan {
        let r = range(outcome, file, bytes);
        JsonSpan {
            line: r.start.line,
            column: r.start.column,
            end_line: r.end.line,
            end_column: r.end.column,
            offset: bytes.start,
            length: bytes.len(),
        }
    }
}

/// A finding, its keys in this order (README, Output).
#[derive(serde::Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    help: &'a str,
    file: &'a str,
    #[serde(flatten)]
    at: JsonSpan,
    object: JsonObject<'a>,
    field: &'a str,
    origin: Option<JsonOrigin<'a>>,
    related: Vec<JsonRelated<'a>>,
    /// Only when the rule has a fix for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
    fingerprint: String,
}

#[derive(serde::Serialize)]
struct JsonObject<'a> {
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

/// The template or base file the object was rendered from.
#[derive(serde::Serialize)]
struct JsonOrigin<'a> {
    path: &'a str,
    via: &'a str,
    remote: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
}

/// The document, its keys in this order.
#[derive(serde::Serialize)]
struct Doc<F, E, S, X> {
    version: u32,
    tool: Value,
    findings: F,
    errors: E,
    skipped: S,
    /// Findings a suppression covers, each with a `suppression`.
    suppressed: X,
    summary: Value,
}
