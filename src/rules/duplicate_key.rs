//! `duplicate-key` — documented in rules/duplicate-key.md

use crate::manifest::Object;
use crate::path::join_key;
use crate::rule::{Context, Rule, Sink};
use crate::source::ByteSpan;
use crate::yaml::{Node, Value};

pub struct DuplicateKey;

impl Rule for DuplicateKey {
    fn check<'a>(&self, obj: &'a Object, _cx: &Context<'a>, out: &mut Sink<'a>) {
        let mut dups = Vec::new();
        find(&obj.node, String::new(), &mut dups);
        for (field, key, first, count) in dups {
            out.report(
                &field,
                format!("`{key}` is given {count} times in this mapping: kubectl rejects it, and tools that accept it keep only one of the values"),
            )
            .label("duplicate key")
            .help("keep one `".to_string() + &key + "` and merge what the others meant")
            .related_span(obj, first, "first given here");
        }
    }
}

/// (path of the key, the key, span of its first occurrence, occurrences)
fn find(node: &Node, path: String, out: &mut Vec<(String, String, ByteSpan, usize)>) {
    match &node.value {
        Value::Map(entries) => {
            let mut seen: Vec<&str> = Vec::new();
            for (i, e) in entries.iter().enumerate() {
                if seen.contains(&e.key.as_str()) {
                    continue;
                }
                seen.push(&e.key);
                let count = entries[i..].iter().filter(|x| x.key == e.key).count();
                if count > 1 {
                    out.push((join_key(&path, &e.key), e.key.clone(), e.key_span, count));
                }
            }
            for e in entries {
                find(&e.value, join_key(&path, &e.key), out);
            }
        }
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                find(n, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}
