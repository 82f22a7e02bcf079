//! Edits of YAML text that keep everything around them as written: a
//! scalar replaced in its own quoting style, an entry added to a block
//! mapping at the indentation of its siblings, an entry's lines removed.
//!
//! Each builder returns `None` where it cannot edit without guessing (a flow
//! mapping or a JSON file, an alias, a block scalar, a key that shares its
//! line with another): a fix is offered only when its result is certain.

use crate::fix::Edit;
use crate::path::{resolve, segments, SegRef};
use crate::source::ByteSpan;
use crate::yaml::{Node, Style, Value};

/// The text of a YAML file and its line ending.
pub struct Text<'a> {
    text: &'a str,
    newline: &'static str,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str) -> Text<'a> {
        let newline = match text.find('\n') {
            Some(i) if text[..i].ends_with('\r') => "\r\n",
            _ => "\n",
        };
        Text { text, newline }
    }

    pub fn newline(&self) -> &'static str {
        self.newline
    }

    fn line_start(&self, at: u32) -> usize {
        let at = (at as usize).min(self.text.len());
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The byte after the end of the line holding `at` (after its newline,
    /// or the end of the text).
    fn line_end(&self, at: u32) -> usize {
        let at = (at as usize).min(self.text.len());
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i + 1)
    }

    /// The column (in bytes) of `at`, when only spaces, or a sequence
    /// item's `- `, come before it on its line.
    fn block_column(&self, at: u32) -> Option<usize> {
        let start = self.line_start(at);
        let before = self.text.get(start..at as usize)?;
        before
            .bytes()
            .all(|b| b == b' ' || b == b'-')
            .then_some(before.len())
    }

    /// Nothing but a comment or spaces after `at` on its line.
    fn rest_of_line_is_blank(&self, at: u32) -> bool {
        let end = self.line_end(at);
        let rest = self.text.get(at as usize..end).unwrap_or("");
        let rest = rest.trim_start_matches([' ', '\t']);
        rest.is_empty() || rest.starts_with('#') || rest.starts_with(['\r', '\n'])
    }
}

/// `s` as a YAML scalar in `style` (double-quoted through JSON escaping,
/// which YAML's double-quoted scalars accept).
fn scalar(s: &str, style: Style) -> Option<String> {
    match style {
        Style::Plain => Some(s.to_string()),
        Style::SingleQuoted => Some(format!("'{}'", s.replace('\'', "''"))),
        Style::DoubleQuoted => serde_json::to_string(s).ok(),
        Style::Block | Style::Alias => None,
    }
}

/// Replace a scalar's value with `new`, written in the style the old one
/// was (a plain scalar stays plain, a quoted one keeps its quotes).
pub fn replace_scalar(node: &Node, new: &str) -> Option<Edit> {
    if node.span.is_empty() || matches!(node.value, Value::Seq(_) | Value::Map(_)) {
        return None;
    }
    Some(Edit::replace(node.span, scalar(new, node.style)?))
}

/// Write a plain scalar double-quoted, so that every YAML parser reads the
/// same string.
pub fn quote(node: &Node) -> Option<Edit> {
    let s = node.as_str().filter(|_| node.style == Style::Plain)?;
    Some(Edit::replace(node.span, serde_json::to_string(s).ok()?))
}

/// Rename the key of the entry at `path` (its value stays as written).
pub fn rename_key(root: &Node, path: &str, new: &str) -> Option<Edit> {
    let (parent, key) = split(path)?;
    let entry = resolve_map(root, parent)?.entry(key)?;
    Some(Edit::replace(entry.key_span, new))
}

/// Remove the entry at `path`, with the lines it takes, when it is a block
/// mapping's entry on lines of its own and not the mapping's only one.
pub fn remove_entry(text: &Text<'_>, root: &Node, path: &str) -> Option<Edit> {
    let (parent, key) = split(path)?;
    let map = resolve_map(root, parent)?;
    if map.entries().len() < 2 || map.entries().iter().filter(|e| e.key == key).count() != 1 {
        return None;
    }
    let i = map.entries().iter().position(|e| e.key == key)?;
    let entry = &map.entries()[i];
    // A key after a sequence's `- ` is the item's first key: removing its
    // line would take the dash.
    let col = text.block_column(entry.key_span.start)?;
    let start = text.line_start(entry.key_span.start);
    if text.text[start..start + col].contains('-') {
        return None;
    }
    let end = match map.entries().get(i + 1) {
        Some(next) => {
            let next_start = text.line_start(next.key_span.start);
            // The next key must start its own line.
            text.block_column(next.key_span.start)?;
            next_start
        }
        None => text.line_end(value_end(&entry.value).max(entry.key_span.end)),
    };
    (end > start).then(|| Edit::delete(ByteSpan::new(start, end)))
}

/// Add `key: value` (a scalar, or a one-entry mapping given as
/// `[(child, value)]`) to the block mapping at `path`, after its last entry
/// and at its entries' indentation; `path`'s missing mappings are created
/// from the nearest existing one. `value` is written as given.
pub fn add_entry(text: &Text<'_>, root: &Node, path: &str, key: &str, value: &str) -> Option<Edit> {
    // The mappings to create between the nearest existing one and `path`.
    let mut existing = path;
    let mut missing: Vec<&str> = Vec::new();
    let map = loop {
        let r = resolve(root, existing);
        if r.found {
            break r.node;
        }
        let (parent, k) = split(existing)?;
        missing.push(k);
        existing = parent;
    };
    if !matches!(map.value, Value::Map(ref e) if !e.is_empty()) {
        return None;
    }
    let first = &map.entries()[0];
    let col = text.block_column(first.key_span.start)?;
    // Every entry of the mapping starts a line at that column: a block
    // mapping as written, not a flow one.
    for e in map.entries() {
        if text.block_column(e.key_span.start)? != col {
            return None;
        }
    }
    let unit = indent_unit(text, root).unwrap_or(2);
    let last = map.entries().last()?;
    let end = value_end(&last.value).max(last.key_span.end);
    if !text.rest_of_line_is_blank(end) {
        return None;
    }
    let at = text.line_end(end);
    let nl = text.newline;
    let mut out = String::new();
    if !text.text[..at].ends_with('\n') {
        out.push_str(nl);
    }
    let mut indent = col;
    for k in missing.iter().rev() {
        out.push_str(&format!("{:indent$}{k}:{nl}", ""));
        indent += unit;
    }
    out.push_str(&format!("{:indent$}{key}: {value}{nl}", ""));
    Some(Edit::insert(at as u32, out))
}

/// Set `key` of the mapping at `path` to the scalar `value`: its value
/// replaced when the key is there (in its quoting style), else the entry
/// added as [`add_entry`] does.
pub fn set_entry(text: &Text<'_>, root: &Node, path: &str, key: &str, value: &str) -> Option<Edit> {
    let r = resolve(root, path);
    match r.found.then(|| r.node.entry(key)).flatten() {
        Some(e) => replace_scalar(&e.value, value),
        None => add_entry(text, root, path, key, value),
    }
}

/// The end of a node's text: the end of its last descendant for a
/// collection (whose own span may stop earlier or later).
fn value_end(node: &Node) -> u32 {
    let own = node.span.end;
    match &node.value {
        Value::Map(entries) => entries
            .last()
            .map_or(own, |e| value_end(&e.value).max(e.key_span.end)),
        Value::Seq(items) => items.last().map_or(own, value_end),
        _ => own,
    }
}

/// How far a nested block mapping is indented from its key in this file
/// (the first one found), if any.
fn indent_unit(text: &Text<'_>, node: &Node) -> Option<usize> {
    for e in node.entries() {
        if let Some(child) = e.value.entries().first() {
            let outer = text.block_column(e.key_span.start);
            let inner = text.block_column(child.key_span.start);
            if let (Some(o), Some(i)) = (outer, inner) {
                if i > o
                    && text.line_start(e.key_span.start) != text.line_start(child.key_span.start)
                {
                    return Some(i - o);
                }
            }
        }
        if let Some(u) = indent_unit(text, &e.value) {
            return Some(u);
        }
    }
    for item in node.items() {
        if let Some(u) = indent_unit(text, item) {
            return Some(u);
        }
    }
    None
}

/// `a.b[0].c` → (`a.b[0]`, `c`); `None` when the path does not end in a key.
fn split(path: &str) -> Option<(&str, &str)> {
    let last = segments(path).last()?;
    let SegRef::Key(key) = last else { return None };
    let parent = path.strip_suffix(key)?.trim_end_matches('.');
    Some((parent, key))
}

fn resolve_map<'n>(root: &'n Node, path: &str) -> Option<&'n Node> {
    let r = resolve(root, path);
    (r.found && matches!(r.node.value, Value::Map(_))).then_some(r.node)
}
