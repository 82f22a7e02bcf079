//! `hardcoded-credential` — documented in rules/hardcoded-credential.md
//!
//! Reads the YAML tree (not the typed object) so that values of the wrong type
//! are still seen. Never puts a value in a message; every reported value is
//! marked secret so that no output format shows its text.

use crate::manifest::Object;
use crate::path::join_key;
use crate::rule::{Context, Rule, Sink};
use crate::secrets::{has_private_key, has_url_password, is_benign_value, is_secret_flag, is_secret_name, text_has_credential};
use crate::source::ByteSpan;
use crate::yaml::{Node, Value};

pub struct HardcodedCredential;

const HELP_ENV: &str = "move the value into a Secret and reference it with `valueFrom.secretKeyRef` (or mount the Secret as a file)";
const HELP_ARG: &str = "pass the credential through an env var from a Secret (`$(DB_PASSWORD)` in args expands it) or a mounted Secret file";
const HELP_CM: &str = "move this key into a Secret; ConfigMaps are not access-controlled or encrypted like Secrets";

impl Rule for HardcodedCredential {
    fn check<'a>(&self, obj: &'a Object, _cx: &Context<'a>, out: &mut Sink<'a>) {
        // Secrets are where credentials belong.
        if obj.kind == "Secret" && obj.group().is_empty() {
            return;
        }
        let mut seen: Vec<ByteSpan> = Vec::new();
        if let Some(pod) = obj.pod() {
            if let Some(spec) = obj.at(pod.spec_path) {
                for list in ["containers", "initContainers", "ephemeralContainers"] {
                    let Some(cs) = spec.get(list) else { continue };
                    for (i, c) in cs.items().iter().enumerate() {
                        let base = format!("{}.{list}[{i}]", pod.spec_path);
                        let cname = c.get("name").and_then(Node::as_str).unwrap_or("?");
                        check_env(obj, c, &base, cname, out, &mut seen);
                        check_command(c, &base, cname, out, &mut seen);
                    }
                }
            }
        }
        if obj.kind == "ConfigMap" && obj.group().is_empty() {
            for e in obj.node.get("data").map(Node::entries).unwrap_or_default() {
                let Some(v) = e.value.as_str() else { continue };
                let field = join_key("data", &e.key);
                let what = if is_secret_name(&e.key) && !is_benign_value(v) {
                    "holds a literal credential"
                } else if has_private_key(v) {
                    "holds a PEM private key"
                } else if has_url_password(v) {
                    "holds a URL with a literal password"
                } else {
                    continue;
                };
                seen.push(e.value.span);
                out.report(&field, format!("ConfigMap `{}` key `{}` {what} (value masked)", obj.name, e.key))
                    .on_value()
                    .label("literal credential")
                    .help(HELP_CM)
                    .secret(&field);
            }
        }
        // PEM private keys anywhere else (CRDs included).
        walk_strings(&obj.node, String::new(), &mut |path, s, span| {
            if !seen.contains(&span) && has_private_key(s) {
                out.report(&path, format!("{} `{}` holds a PEM private key at `{path}` (value masked)", obj.kind, obj.name))
                    .on_value()
                    .label("private key")
                    .help("keep private keys in a Secret (or an external secret manager) and mount them")
                    .secret(&path);
            }
        });
    }
}

fn check_env<'a>(obj: &Object, c: &Node, base: &str, cname: &str, out: &mut Sink<'a>, seen: &mut Vec<ByteSpan>) {
    for (j, e) in c.get("env").map(Node::items).unwrap_or_default().iter().enumerate() {
        let Some(name) = e.get("name").and_then(Node::as_str) else { continue };
        let Some(v) = e.get("value") else { continue };
        let Some(s) = v.as_str() else { continue };
        let what = if is_secret_name(name) && !is_benign_value(s) {
            "holds a literal credential"
        } else if has_url_password(s) {
            "holds a URL with a literal password"
        } else if has_private_key(s) {
            "holds a PEM private key"
        } else {
            continue;
        };
        seen.push(v.span);
        let field = format!("{base}.env[{j}].value");
        out.report(&field, format!("env var `{name}` of container `{cname}` in {} `{}` {what} (value masked)", obj.kind, obj.name))
            .on_value()
            .label("literal credential")
            .help(HELP_ENV)
            .secret(&field);
    }
}

fn check_command<'a>(c: &Node, base: &str, cname: &str, out: &mut Sink<'a>, seen: &mut Vec<ByteSpan>) {
    for key in ["command", "args"] {
        let items = c.get(key).map(Node::items).unwrap_or_default();
        for (k, item) in items.iter().enumerate() {
            let Some(s) = item.as_str() else { continue };
            // `--password`, `hunter2` as two items: the value is the next one.
            let (idx, node, what) = if is_secret_flag(s) {
                match items.get(k + 1) {
                    Some(next) if next.as_str().is_some_and(|v| !is_benign_value(v) && !v.starts_with('-')) => {
                        (k + 1, next, format!("the value of `{s}`"))
                    }
                    _ => continue,
                }
            } else if text_has_credential(s) {
                (k, item, "a literal credential".to_string())
            } else if has_private_key(s) {
                (k, item, "a PEM private key".to_string())
            } else {
                continue;
            };
            if seen.contains(&node.span) {
                continue;
            }
            seen.push(node.span);
            let field = format!("{base}.{key}[{idx}]");
            out.report(&field, format!("`{key}` of container `{cname}` passes {what} on the command line (value masked)"))
                .on_value()
                .label("literal credential")
                .help(HELP_ARG)
                .secret(&field);
        }
    }
}

fn walk_strings(node: &Node, path: String, f: &mut impl FnMut(String, &str, ByteSpan)) {
    match &node.value {
        Value::Str(s) => f(path, s, node.span),
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                walk_strings(n, format!("{path}[{i}]"), f);
            }
        }
        Value::Map(entries) => {
            for e in entries {
                walk_strings(&e.value, join_key(&path, &e.key), f);
            }
        }
        _ => {}
    }
}
