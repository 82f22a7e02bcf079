//! Field paths (`spec.template.spec.containers[1].env[3].value`) and their
//! resolution to spans in the YAML tree.
//!
//! Keys that contain dots are written in brackets:
//! `metadata.annotations["storageclass.kubernetes.io/is-default-class"]`.

use crate::source::ByteSpan;
use crate::yaml::{Node, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// One segment of a field path, borrowed from the path's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegRef<'p> {
    Key(&'p str),
    Index(usize),
}

/// The segments of a field path, without allocating. Malformed pieces are
/// kept as keys, so a typo in a rule's path shows up as a "missing" finding,
/// never as a panic.
pub fn segments(path: &str) -> impl Iterator<Item = SegRef<'_>> {
    let mut rest = path;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        if let Some(after) = rest.strip_prefix('.') {
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('[') {
            let (inner, next) = match after.find(']') {
                Some(i) => (&after[..i], &after[i + 1..]),
                None => (after, ""),
            };
            rest = next;
            let quoted = inner.len() >= 2 && inner.starts_with('"') && inner.ends_with('"');
            return Some(if quoted {
                SegRef::Key(&inner[1..inner.len() - 1])
            } else if let Ok(i) = inner.parse::<usize>() {
                SegRef::Index(i)
            } else {
                SegRef::Key(inner)
            });
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let key = &rest[..end];
        rest = &rest[end..];
        return Some(SegRef::Key(key));
    })
}

/// A field path from its segments (the inverse of [`segments`]), for walks
/// that keep the steps on a stack and format a path only when they report.
pub fn to_path(steps: &[SegRef<'_>]) -> String {
    let mut out = String::new();
    for s in steps {
        match s {
            SegRef::Key(k) => push_key(&mut out, k),
            SegRef::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Split a field path into owned segments (see [`segments`]).
pub fn parse(path: &str) -> Vec<Seg> {
    segments(path)
        .map(|s| match s {
            SegRef::Key(k) => Seg::Key(k.to_string()),
            SegRef::Index(i) => Seg::Index(i),
        })
        .collect()
}

/// Append a key to a path, bracket-quoting it when it holds a dot.
/// Append a key to a path in place (see [`join_key`]).
pub fn push_key(path: &mut String, key: &str) {
    if key.contains(['.', '[', ']']) {
        path.push_str("[\"");
        path.push_str(key);
        path.push_str("\"]");
    } else {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    }
}

pub fn join_key(path: &str, key: &str) -> String {
    let needs_quote = key.contains(['.', '[', ']']);
    match (path.is_empty(), needs_quote) {
        (_, true) => format!("{path}[\"{key}\"]"),
        (true, false) => key.to_string(),
        (false, false) => format!("{path}.{key}"),
    }
}

/// The result of following a path through the tree.
#[derive(Debug)]
pub struct Resolved<'a> {
    /// The deepest node reached (the target itself when `found`).
    pub node: &'a Node,
    /// The span of the key that led to `node`, if it was reached through a key.
    pub key_span: Option<ByteSpan>,
    /// Whether the whole path exists.
    pub found: bool,
    /// How many segments were followed.
    pub depth: usize,
}

pub fn resolve<'a>(root: &'a Node, path: &str) -> Resolved<'a> {
    let mut node = root;
    let mut key_span = None;
    let mut depth = 0;
    for seg in segments(path) {
        let next = match seg {
            SegRef::Key(k) => node.entry(k).map(|e| (&e.value, Some(e.key_span))),
            SegRef::Index(i) => node.index(i).map(|n| (n, None)),
        };
        match next {
            Some((n, ks)) => {
                node = n;
                key_span = ks;
                depth += 1;
            }
            None => {
                return Resolved {
                    node,
                    key_span,
                    found: false,
                    depth,
                }
            }
        }
    }
    Resolved {
        node,
        key_span,
        found: true,
        depth,
    }
}

/// Where a finding on `path` should point.
///
/// `on_value`: point at the value (e.g. `Parallel`) rather than the key. A
/// missing field points at its nearest existing parent key; a sequence item at
/// its `name` when it has one (`- name: postgres`), since that is how people
/// find a container in a file.
pub fn locate(root: &Node, path: &str, on_value: bool) -> (ByteSpan, bool) {
    let r = resolve(root, path);
    let span = if r.depth == 0 {
        object_anchor(root)
    } else if r.found && on_value && !r.node.span.is_empty() {
        r.node.span
    } else {
        match r.key_span {
            Some(k) => k,
            None => item_anchor(r.node),
        }
    };
    (span, r.found)
}

/// The span naming a sequence item: its `name` value, else its first key, else itself.
pub fn item_anchor(node: &Node) -> ByteSpan {
    if let Some(name) = node.get("name").filter(|n| !n.span.is_empty()) {
        return name.span;
    }
    match &node.value {
        Value::Map(entries) if !entries.is_empty() => entries[0].key_span,
        _ => node.span,
    }
}

/// The span naming a whole object: `metadata.name`, else `kind`, else its start.
pub fn object_anchor(root: &Node) -> ByteSpan {
    if let Some(n) = root
        .get("metadata")
        .and_then(|m| m.get("name"))
        .filter(|n| !n.span.is_empty())
    {
        return n.span;
    }
    if let Some(k) = root.get("kind").filter(|n| !n.span.is_empty()) {
        return k.span;
    }
    item_anchor(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::parse_documents;

    #[test]
    fn parses_keys_indices_and_quoted_keys() {
        assert_eq!(
            parse("spec.containers[1].env[3].value"),
            vec![
                Seg::Key("spec".into()),
                Seg::Key("containers".into()),
                Seg::Index(1),
                Seg::Key("env".into()),
                Seg::Index(3),
                Seg::Key("value".into()),
            ]
        );
        assert_eq!(
            parse("metadata.annotations[\"a.b/c\"]"),
            vec![
                Seg::Key("metadata".into()),
                Seg::Key("annotations".into()),
                Seg::Key("a.b/c".into()),
            ]
        );
        assert_eq!(
            join_key("metadata.labels", "app.kubernetes.io/name"),
            "metadata.labels[\"app.kubernetes.io/name\"]"
        );
    }

    fn text_at(f: &SourceFile, s: ByteSpan) -> &str {
        f.slice(s)
    }

    #[test]
    fn missing_fields_fall_back_to_the_nearest_parent() {
        let f = SourceFile::new(
            "t",
            "metadata:\n  name: db\nspec:\n  containers:\n  - name: pg\n    image: postgres\n",
        );
        let docs = parse_documents(&f).unwrap();
        let root = &docs[0];
        let (s, found) = locate(root, "spec.containers[0].image", true);
        assert!(found);
        assert_eq!(text_at(&f, s), "postgres");
        let (s, found) = locate(root, "spec.containers[0].image", false);
        assert!(found);
        assert_eq!(text_at(&f, s), "image");
        let (s, found) = locate(root, "spec.containers[0].livenessProbe", false);
        assert!(!found);
        assert_eq!(text_at(&f, s), "pg");
        let (s, found) = locate(root, "spec.serviceName", false);
        assert!(!found);
        assert_eq!(text_at(&f, s), "spec");
        let (s, _) = locate(root, "status.x", false);
        assert_eq!(text_at(&f, s), "db");
    }
}
