//! `duplicate-key` — documented in rules/duplicate-key.md

use std::fmt::Write;

use crate::manifest::Object;
use crate::path::{join_key, push_key};
use crate::rule::{Rule, Sink};
use crate::source::ByteSpan;
use crate::yaml::{Node, Value};

pub struct DuplicateKey;

impl Rule for DuplicateKey {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let mut dups = Vec::new();
        find(&obj.node, &mut String::new(), &mut dups);
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

/// (path of the key, the key, span of its first occurrence, occurrences).
/// `path` is one buffer for the whole walk; each mapping is checked in linear
/// time, however many keys it has.
fn find(node: &Node, path: &mut String, out: &mut Vec<(String, String, ByteSpan, usize)>) {
    let len = path.len();
    match &node.value {
        Value::Map(entries) => {
            // Occurrences of each key, in the order keys first appear.
            let mut counts: Vec<(&str, ByteSpan, usize)> = Vec::new();
            let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
            for e in entries {
                let i = if entries.len() <= 16 {
                    counts.iter().position(|(k, _, _)| *k == e.key)
                } else {
                    at.get(e.key.as_str()).copied()
                };
                match i {
                    Some(i) => counts[i].2 += 1,
                    None => {
                        if entries.len() > 16 {
                            at.insert(&e.key, counts.len());
                        }
                        counts.push((&e.key, e.key_span, 1));
                    }
                }
            }
            for (key, first, count) in counts.into_iter().filter(|c| c.2 > 1) {
                out.push((join_key(path, key), key.to_string(), first, count));
            }
            for e in entries {
                push_key(path, &e.key);
                find(&e.value, path, out);
                path.truncate(len);
            }
        }
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                let _ = write!(path, "[{i}]");
                find(n, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}
