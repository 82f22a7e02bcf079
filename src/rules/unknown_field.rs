//! `unknown-field` — documented in rules/unknown-field.md

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
            out.report(field, msg).label("unknown field").help(help);
        }
    }
}
