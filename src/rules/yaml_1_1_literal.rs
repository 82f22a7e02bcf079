//! `yaml-1.1-literal` — documented in rules/yaml-1.1-literal.md

use crate::fix::{yaml::quote, Fix};
use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct Yaml11Literal;

impl Rule for Yaml11Literal {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        for e in obj.type_errors.iter().filter(|e| e.yaml11) {
            let what = obj
                .at(&e.field)
                .and_then(|n| n.as_str())
                .map_or("this value", |s| if s.starts_with('0') { "an unquoted number with a leading zero" } else { "an unquoted yes/no/on/off word" });
            let p = out.report(
                &e.field,
                format!(
                    "`{}` is a string field, but {what} is not a string to Kubernetes: its YAML 1.1 parser reads a {} where YAML 1.2 tools (and your editor) see text",
                    e.field,
                    if what.contains("number") { "octal number" } else { "boolean" }
                ),
            )
            .on_value()
            .label("quote this value")
            .help("quote it (`\"…\"`) so every parser reads the same string; kubectl rejects the object as written");
            if let Some((node, edit)) = obj.at(&e.field).and_then(|n| Some((n, quote(n)?))) {
                let value = node.as_str().unwrap_or_default();
                p.fix(Fix::safe(format!("quote `{value}`"), [edit]));
            }
        }
    }
}
