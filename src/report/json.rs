//! `--format json`: a versioned object, documented in README.md.

use serde_json::{json, Value};

use super::{counts, fingerprint, range, span_range, write_pretty, Each};
use crate::diagnostic::{Finding, Problem, Severity, Skipped};
use crate::engine::Outcome;

pub const VERSION: u32 = 1;

pub fn write(outcome: &Outcome, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let findings = Each(&outcome.findings, |f: &Finding| {
        let r = span_range(outcome, f.span);
        let related: Vec<Value> = f
            .related
            .iter()
            .map(|x| {
                let rr = span_range(outcome, x.span);
                json!({
                    "file": outcome.file(x.span.file).name,
                    "line": rr.start.line,
                    "column": rr.start.column,
                    "end_line": rr.end.line,
                    "end_column": rr.end.column,
                    "message": x.message,
                })
            })
            .collect();
        json!({
            "rule": f.rule,
            "severity": f.severity.as_str(),
            "message": f.message,
            "help": f.help,
            "file": outcome.file(f.span.file).name,
            "line": r.start.line,
            "column": r.start.column,
            "end_line": r.end.line,
            "end_column": r.end.column,
            "offset": f.span.bytes.start,
            "length": f.span.bytes.len(),
            "object": {
                "kind": f.object.kind,
                "namespace": f.object.namespace,
                "name": f.object.name,
            },
            "field": &*f.field,
            "related": related,
            "fingerprint": fingerprint(outcome, f),
        })
    });
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
            "suppressed": outcome.suppressed,
        }),
    };
    write_pretty(w, &doc)
}

/// The document, its keys in this order.
#[derive(serde::Serialize)]
struct Doc<F, E, S> {
    version: u32,
    tool: Value,
    findings: F,
    errors: E,
    skipped: S,
    summary: Value,
}
