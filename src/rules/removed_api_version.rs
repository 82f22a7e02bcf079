//! `removed-api-version` — documented in rules/removed-api-version.md

use crate::api_versions::{removed, SAME_SCHEMA};
use crate::fix::{yaml::replace_scalar, Fix};
use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct RemovedApiVersion;

impl Rule for RemovedApiVersion {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        // A group that never served the kind is `invalid-value`'s.
        if obj.type_errors.iter().any(|e| e.field == "apiVersion") {
            return;
        }
        let Some(r) = removed(&obj.api_version, &obj.kind) else { return };
        let (message, label) = if r.component == "Kubernetes" {
            (
                format!("`{}` {} was removed in Kubernetes {}: current clusters reject it", obj.api_version, obj.kind, r.removed_in),
                format!("not served since Kubernetes {}", r.removed_in),
            )
        } else {
            (
                format!("`{}` {} was removed in {} {}: clusters with a current snapshot controller reject it", obj.api_version, obj.kind, r.component, r.removed_in),
                format!("not served since {} {}", r.component, r.removed_in),
            )
        };
        let help = match r.replacement {
            Some(new) if r.note == SAME_SCHEMA => format!("use `apiVersion: {new}`: the schema is the same, only the apiVersion changes"),
            Some(new) => format!("use `apiVersion: {new}`; {}", r.note),
            None => format!("delete this object: {}", r.note),
        };
        let p = out.report("apiVersion", message);
        p.on_value().label(label).help(help);
        // Only where nothing but the apiVersion changes.
        if let Some(new) = r.replacement.filter(|_| r.note == SAME_SCHEMA) {
            if let Some(edit) = obj.node.get("apiVersion").and_then(|n| replace_scalar(n, new)) {
                p.fix(Fix::safe(format!("change the apiVersion to `{new}`"), [edit]));
            }
        }
    }
}
