//! `unknown-field` — documented in rules/unknown-field.md

use crate::fix::{yaml::rename_key, Fix};
use crate::manifest::Object;
use crate::rule::{Rule, Sink};
use crate::schema::SchemaIssue;

pub struct UnknownField;

impl Rule for UnknownField {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        for issue in &obj.schema_issues {
            let SchemaIssue::UnknownField { field, parent, key, suggestion, .. } = issue else { continue };
            let at = if parent.is_empty() { "at the top level".to_string() } else { format!("in `{parent}`") };
            let mut msg = format!("`{key}` is not a field {at} of {} `{}`: Kubernetes drops it silently (or rejects it, with strict validation)", obj.kind, obj.name);
            let help = match suggestion {
                Some(s) => {
                    msg.push_str(&format!("; did you mean `{s}`?"));
                    format!("rename `{key}` to `{s}`")
                }
                None => format!("remove `{key}`, or move it where the schema has it (`kubectl explain {}`)", obj.kind.to_lowercase()),
            };
            let p = out.report(field, msg);
            p.label("unknown field").help(help);
            // The one near key, when the mapping does not have it already.
            let taken = |s: &str| obj.at(parent).is_some_and(|m| m.entry(s).is_some());
            if let Some(s) = suggestion.as_deref().filter(|s| !taken(s)) {
                if let Some(edit) = rename_key(&obj.node, field, s) {
                    p.fix(Fix::unsafe_(format!("rename `{key}` to `{s}`"), [edit]));
                }
            }
        }
    }
}
