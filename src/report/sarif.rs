//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. Validated
//! against the OASIS schema in CI.

use serde_json::{json, Value};

use super::{fingerprint, range, span_range, write_pretty, Each, Range};
use crate::diagnostic::{Finding, Severity};
use crate::engine::Outcome;
use crate::rules;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn write(outcome: &Outcome, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let metas = rules::metas();
    let rules_json: Vec<Value> = metas
        .iter()
        .map(|m| {
            let mut tags = vec!["kubernetes"];
            let mut props = serde_json::Map::new();
            if m.id == "hardcoded-credential" {
                tags.push("security");
                props.insert("security-severity".into(), json!("8.0"));
            } else {
                tags.push("reliability");
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
            let mut rule = json!({
                "id": m.id,
                "name": pascal(m.id),
                "shortDescription": { "text": capitalise(&m.summary) },
                "fullDescription": { "text": first_paragraph(m.body) },
                "help": { "text": help_text, "markdown": help_markdown },
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": props,
            });
            if let Some((_, url)) = m.references.first() {
                rule["helpUri"] = json!(url);
            }
            rule
        })
        .collect();
    let results = Each(&outcome.findings, |f: &Finding| {
        let file = &outcome.file(f.span.file).name;
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut loc = physical(
                    &outcome.file(r.span.file).name,
                    Some(span_range(outcome, r.span)),
                );
                loc["id"] = json!(i + 1);
                loc["message"] = json!({ "text": r.message });
                loc
            })
            .collect();
        let fp = fingerprint(outcome, f);
        let at = span_range(outcome, f.span);
        let mut related = related;
        let mut message = format!("{}\nhelp: {}", f.message, f.help);
        // Rendered standard input is in no repository: the result goes on
        // the template (GitHub needs a `startLine`; the template's own line
        // is not known, so line 1), the rendered position in the message
        // and the properties. A rendered file on disk keeps its exact
        // location, with the template as a related location.
        let mut primary = match super::origin_as_file(outcome, f) {
            Some(o) => {
                message.push_str(&format!(
                    "\nrendered by {} at {}:{}:{} (the line in the template is not known)",
                    o.via.as_str(),
                    file,
                    at.start.line,
                    at.start.column
                ));
                json!({ "physicalLocation": {
                    "artifactLocation": { "uri": uri(&o.path) },
                    "region": { "startLine": 1 },
                }})
            }
            None => {
                if let Some(o) = f.origin.as_deref().filter(|o| o.remote.is_none()) {
                    related.push(json!({
                        "id": related.len() + 1,
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri(&o.path) },
                            "region": { "startLine": 1 },
                        },
                        "message": { "text": format!(
                            "the template this object was rendered from by {} (line {} is in the rendered output)",
                            o.via.as_str(),
                            at.start.line
                        )},
                    }));
                }
                physical(file, Some(at))
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
            "message": { "text": message },
            "locations": [primary],
            "partialFingerprints": {
                "primaryLocationLineHash": fp,
                "stslint/v1": fp,
            },
        });
        if let Some(o) = f.origin.as_deref() {
            r["properties"] = json!({
                "origin": { "path": o.path, "via": o.via.as_str(), "remote": o.remote },
                "rendered": physical(file, Some(at))["physicalLocation"],
            });
        }
        if !related.is_empty() {
            r["relatedLocations"] = json!(related);
        }
        r
    });
    let notifications: Vec<Value> = outcome
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
                "message": { "text": text },
                "descriptor": { "id": p.kind.code() },
                "locations": [physical(&outcome.file(p.file).name, r)],
            })
        })
        .collect();
    let successful = outcome
        .problems
        .iter()
        .all(|p| p.severity() != Severity::Error);
    let doc = Doc {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: json!({ "driver": {
                "name": "stslint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules_json,
            }}),
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
    #[serde(rename = "columnKind")]
    column_kind: &'static str,
    results: R,
    invocations: Value,
}

fn physical(file: &str, r: Option<Range>) -> Value {
    let mut pl = json!({ "artifactLocation": { "uri": uri(file) } });
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

/// A relative URI reference for a path: unreserved characters and `/` kept,
/// everything else percent-encoded (a `:` would otherwise read as a scheme).
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn pascal(id: &str) -> String {
    id.split('-').map(capitalise).collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The first paragraph under "What it does", as plain text.
fn first_paragraph(body: &str) -> String {
    let after = body.split("## What it does").nth(1).unwrap_or(body);
    after
        .trim_start()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
