//! `invalid-value` — documented in rules/invalid-value.md

use crate::apiserver::rejections;
use crate::fix::{yaml::replace_scalar, Applicability, Fix};
use crate::manifest::Object;
use crate::rule::{Rule, Sink};
use crate::schema::{closest, SchemaIssue};

pub struct InvalidValue;

impl Rule for InvalidValue {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        // Wrong types. Unquoted YAML 1.1 literals are `yaml-1.1-literal`'s.
        for e in obj.type_errors.iter().filter(|e| !e.yaml11) {
            out.report(&e.field, format!("{} in {} `{}`", e.message, obj.kind, obj.name))
                .on_value()
                .label("wrong type")
                .help("Kubernetes rejects this object; write the value with the type the field expects (stslint linted the rest of the object without it)");
        }
        for issue in &obj.schema_issues {
            let SchemaIssue::BadEnum { field, value, allowed } = issue else { continue };
            let suggestion = closest(value, allowed.iter().copied());
            let mut msg = format!("`{field}` is `{value}`, which Kubernetes rejects: it must be one of {}", allowed.join(", "));
            if let Some(s) = &suggestion {
                msg.push_str(&format!(" (did you mean `{s}`?)"));
            }
            let p = out.report(field, msg);
            p.on_value().label("not an allowed value").help(match &suggestion {
                Some(s) => format!("write `{s}`: these values are case-sensitive"),
                None => format!("use one of {}", allowed.join(", ")),
            });
            // Only the case is wrong: what was meant is certain. Another
            // spelling is a guess.
            let edit = suggestion.as_deref().and_then(|s| Some((s, replace_scalar(obj.at(field)?, s)?)));
            if let Some((s, edit)) = edit {
                let applicability = if s.eq_ignore_ascii_case(value) { Applicability::Safe } else { Applicability::Unsafe };
                p.fix(Fix::new(applicability, format!("write `{s}`"), [edit]));
            }
        }
        // What the API server's validation rejects beyond types and enums.
        for r in rejections(obj) {
            let p = out.report(r.field, r.message);
            if r.on_value {
                p.on_value();
            }
            p.label(r.label).help(r.help);
        }
    }
}

