//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it: related
//! locations linked from the message, paths relative to `%SRCROOT%` (the
//! repository root), at most 25,000 results. Validated against the OASIS
//! schema and with Microsoft's SARIF Multitool in CI.

use serde_json::{json, Value};

use super::{file_uri, fingerprint, range, span_range, uri_path, write_pretty, Each, Place, Range};
use crate::diagnostic::{Finding, Severity};
use crate::engine::Outcome;
use crate::rules;
use crate::source::FileId;
use crate::suppress::Suppression;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// GitHub code scanning accepts at most this many results per run.
pub const MAX_RESULTS: usize = 25_000;

/// Where the rule docs are published: `rules/<id>.md` on the main branch.
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/rules/");

pub fn write(outcome: &Outcome, place: &Place, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let metas = rules::metas();
    let rules_json: Vec<Value> = metas
        .iter()
        .map(|m| {
            let mut tags = vec!["kubernetes"];
            let mut props = serde_json::Map::new();
            match &m.security_severity {
                Some(score) => {
                    tags.push("security");
                    props.insert("security-severity".into(), json!(score));
                }
                None => tags.push("reliability"),
            }
            props.insert("tags".into(), json!(tags));
            props.insert("precision".into(), json!("high"));
            props.insert(
                "problem.severity".into(),
                json!(problem_severity(m.severity)),
            );
            let (help_text, help_markdown) = if m.references.is_empty() {
                (m.body.to_string(), m.body.to_string())
            } else {
                let body = m.body.trim_end();
                (
                    format!("{body}\n\nReferences:\n{}", m.references_text()),
                    format!("{body}\n\n## References\n\n{}", m.references_markdown()),
                )
            };
            json!({
                "id": m.id,
                "name": pascal(m.id),
                "shortDescription": { "text": capitalise(&m.summary) },
                "fullDescription": { "text": m.full_description() },
                "helpUri": format!("{DOCS}{}.md", m.id),
                "help": { "text": help_text, "markdown": help_markdown },
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": props,
            })
        })
        .collect();
    // Each file's artifact location, resolved once.
    let artifacts: Vec<Value> = outcome
        .files
        .iter()
        .map(|f| artifact(place, &f.name))
        .collect();
    let at = |file: FileId| artifacts[file.0 as usize].clone();
    let kept = keep(&outcome.findings, MAX_RESULTS);
    let left_out = outcome.findings.len() - kept.len();
    // Suppressed findings follow, as results with `suppressions` (code
    // scanning shows them as dismissed), in the room the cap leaves.
    let room = MAX_RESULTS - kept.len();
    let kept: Vec<(&Finding, Option<&Suppression>)> = (kept.into_iter().map(|f| (f, None)))
        .chain((outcome.suppressed.iter().take(room)).map(|s| (&s.finding, Some(&s.by))))
        .collect();
    let results = Each(&kept, |&(f, by): &(&Finding, Option<&Suppression>)| {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut loc = physical(at(r.span.file), Some(span_range(outcome, r.span)));
                loc["id"] = json!(i + 1);
                loc["message"] = json!({ "text": escape_text(&r.message) });
                loc
            })
            .collect();
        let fp = fingerprint(outcome, f);
        let range = span_range(outcome, f.span);
        let mut related = related;
        let mut text = message(f);
        // Rendered standard input is in no repository: the result goes on
        // the template (GitHub needs a `startLine`; the template's own line
        // is not known, so line 1), the rendered position in the message
        // and the properties. A rendered file on disk keeps its exact
        // location, with the template as a related location.
        let mut primary = match super::origin_as_file(outcome, f) {
            Some(o) => {
                text.push_str(&escape_text(&format!(
                    "\nrendered by {} at {}:{}:{} (the line in the template is not known)",
                    o.via.as_str(),
                    outcome.file(f.span.file).name,
                    range.start.line,
                    range.start.column
                )));
                json!({ "physicalLocation": {
                    "artifactLocation": artifact(place, &o.path),
                    "region": { "startLine": 1 },
                }})
            }
            None => {
                if let Some(o) = f.origin.as_deref().filter(|o| o.remote.is_none()) {
                    related.push(json!({
                        "id": related.len() + 1,
                        "physicalLocation": {
                            "artifactLocation": artifact(place, &o.path),
                            "region": { "startLine": 1 },
                        },
                        "message": { "text": escape_text(&format!(
                            "the template this object was rendered from by {} (line {} is in the rendered output)",
                            o.via.as_str(),
                            range.start.line
                        ))},
                    }));
                }
                physical(at(f.span.file), Some(range))
            }
        };
        primary["logicalLocations"] = json!([{
            "name": f.object.name,
            "fullyQualifiedName": f.object.to_string(),
            "kind": "resource",
        }]);
        let mut r = json!({
            "ruleId": f.rule,
            "ruleIndex": metas.iter().position(|m| m.id == f.rule).unwrap_or(0),
            "level": level(f.severity),
            "message": { "text": text },
            "locations": [primary],
            "partialFingerprints": {
                "primaryLocationLineHash": fp,
                "stslint/v1": fp,
            },
        });
        if let Some(o) = f.origin.as_deref() {
            r["properties"] = json!({
                "origin": { "path": o.path, "via": o.via.as_str(), "remote": o.remote },
                "rendered": physical(at(f.span.file), Some(range))["physicalLocation"],
            });
        }
        if !related.is_empty() {
            r["relatedLocations"] = json!(related);
        }
        // A fix of rendered output would edit the wrong file; one that
        // touches a credential value would show it.
        let secrets = outcome.file_secrets(f.span.file);
        let fix = f.fix.as_deref().filter(|x| {
            f.origin.is_none()
                && !x
                    .edits
                    .iter()
                    .any(|e| super::touches_secret(e.span, secrets))
        });
        if let Some(fix) = fix {
            let replacements: Vec<Value> = fix
                .edits
                .iter()
                .map(|e| {
                    let region =
                        physical(json!({}), Some(super::range(outcome, f.span.file, e.span)));
                    json!({
                        "deletedRegion": region["physicalLocation"]["region"],
                        "insertedContent": { "text": e.content },
                    })
                })
                .collect();
            r["fixes"] = json!([{
                "description": { "text": escape_text(&format!("{} ({} fix)", fix.title, fix.applicability.as_str())) },
                "artifactChanges": [{
                    "artifactLocation": at(f.span.file),
                    "replacements": replacements,
                }],
            }]);
        }
        if let Some(by) = by {
            let mut s = json!({ "kind": by.kind.as_str(), "status": "accepted" });
            let justification = match &by.reason {
                Some(reason) => format!("{}: {reason}", by.via),
                None => by.via.clone(),
            };
            s["justification"] = json!(justification);
            r["suppressions"] = json!([s]);
        }
        r
    });
    let mut notifications: Vec<Value> = outcome
        .problems
        .iter()
        .map(|p| {
            let r = p.span.map(|s| range(outcome, p.file, s));
            let text = match &p.help {
                Some(h) => format!("{}\nhelp: {h}", p.message),
                None => p.message.clone(),
            };
            json!({
                "level": p.severity().as_str(),
                "message": { "text": escape_text(&text) },
                "descriptor": { "id": p.kind.code() },
                "locations": [physical(at(p.file), r)],
            })
        })
        .collect();
    if left_out > 0 {
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!(
                "{left_out} of {} results left out: GitHub code scanning accepts at most \
                 {MAX_RESULTS} per run; errors were kept first, then warnings, then notes \
                 (run `--format json` for all of them)",
                outcome.findings.len()
            ) },
            "descriptor": { "id": "results-left-out" },
        }));
    }
    let successful = outcome
        .problems
        .iter()
        .all(|p| p.severity() != Severity::Error);
    let mut root = file_uri(&place.root);
    if !root.ends_with('/') {
        root.push('/');
    }
    let doc = Doc {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: json!({ "driver": {
                "name": "stslint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules_json,
            }}),
            original_uri_base_ids: json!({ SRCROOT: { "uri": root } }),
            column_kind: "unicodeCodePoints",
            results,
            invocations: json!([{
                "executionSuccessful": successful,
                "toolExecutionNotifications": notifications,
            }]),
        }],
    };
    write_pretty(w, &doc)
}

/// The base id of paths relative to the repository root.
const SRCROOT: &str = "%SRCROOT%";

/// The findings to report when there are more than `cap`: errors first, then
/// warnings, then notes, each in the run's order; in the run's order.
pub fn keep(findings: &[Finding], cap: usize) -> Vec<&Finding> {
    if findings.len() <= cap {
        return findings.iter().collect();
    }
    let c = super::counts(findings);
    let errors = c.errors.min(cap);
    let warnings = c.warnings.min(cap - errors);
    let notes = c.notes.min(cap - errors - warnings);
    let mut quota = [notes, warnings, errors];
    findings
        .iter()
        .filter(|f| {
            let q = &mut quota[match f.severity {
                Severity::Note => 0,
                Severity::Warning => 1,
                Severity::Error => 2,
            }];
            let take = *q > 0;
            *q = q.saturating_sub(1);
            take
        })
        .collect()
}

/// A result's message: the finding, its help and an embedded link to each
/// related location (`[text](id)`, SARIF 3.11.6), which GitHub shows as a
/// link to the location. Literal `\`, `[` and `]` are escaped.
fn message(f: &Finding) -> String {
    let mut text = format!(
        "{}\nhelp: {}",
        escape_text(&f.message),
        escape_text(&f.help)
    );
    for (i, r) in f.related.iter().enumerate() {
        text.push_str(&format!(
            "\nrelated: [{}]({})",
            escape_text(&r.message),
            i + 1
        ));
    }
    text
}

/// Plain message text with `\`, `[` and `]` escaped by a backslash, so that
/// no text from the input reads as an embedded link (SARIF 3.11.6).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A file's artifact location: relative to `%SRCROOT%` when the file is in
/// the repository, else its absolute `file://` URI.
fn artifact(place: &Place, name: &str) -> Value {
    match place.relative(name) {
        Some(rel) => json!({ "uri": uri_path(&rel), "uriBaseId": SRCROOT }),
        None => json!({ "uri": file_uri(&place.absolute(name)) }),
    }
}

/// The document, its keys in this order.
#[derive(serde::Serialize)]
struct Doc<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

#[derive(serde::Serialize)]
struct Run<R> {
    tool: Value,
    #[serde(rename = "originalUriBaseIds")]
    original_uri_base_ids: Value,
    #[serde(rename = "columnKind")]
    column_kind: &'static str,
    results: R,
    invocations: Value,
}

fn physical(artifact: Value, r: Option<Range>) -> Value {
    let mut pl = json!({ "artifactLocation": artifact });
    if let Some(r) = r {
        pl["region"] = json!({
            "startLine": r.start.line,
            "startColumn": r.start.column,
            "endLine": r.end.line,
            "endColumn": r.end.column,
        });
    }
    json!({ "physicalLocation": pl })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "recommendation",
    }
}

/// `missing-headless-service` → `MissingHeadlessService`, `yaml-1.1-literal`
/// → `Yaml11Literal`: only letters and digits.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| capitalise(&w.replace(|c: char| !c.is_ascii_alphanumeric(), "")))
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_and_names() {
        assert_eq!(escape_text(r"a[b]\c"), r"a\[b\]\\c");
        assert_eq!(pascal("missing-headless-service"), "MissingHeadlessService");
        assert_eq!(pascal("yaml-1.1-literal"), "Yaml11Literal");
    }
}
