//! The "suppress for this object" edit: `stslint.io/ignore: <rule>` in the
//! object's `metadata.annotations` ([`crate::suppress::IGNORE`]), merged into
//! an existing `stslint.io/ignore` value or annotations map, indented as the
//! file is. Editor-side work on one buffer: its text is parsed again with the
//! crate's manifest reader, whose nodes carry byte spans.
//!
//! Only block-style YAML is edited. For a JSON file, a flow mapping (`{…}`),
//! a block scalar or anything else this cannot edit in place, nothing is
//! offered; and every edit is checked by reading the edited text again: it
//! must hold the same objects, with the rule now ignored on this one.

use crate::manifest::{self, LoadOptions, Object};
use crate::source::{ByteSpan, FileId, SourceFile};
use crate::suppress::{ids, IGNORE};
use crate::yaml::{Entry, Node, Style, Value};

/// The edit that suppresses `rule` on the object of `text` at `at`: a byte
/// range replaced (empty: an insertion).
pub fn edit(name: &str, text: &str, at: ByteSpan, rule: &str) -> Option<(ByteSpan, String)> {
    let is_json = std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        return None;
    }
    let file = SourceFile::new(name, text);
    let read = manifest::load_file(FileId(0), &file, &LoadOptions::default());
    let obj = object_at(&read.objects, at)?;
    let edit = plan(text, obj, rule)?;
    verified(text, obj, rule, edit)
}

/// The innermost object whose node holds `at` (a `List` item rather than
/// the list).
fn object_at(objects: &[Object], at: ByteSpan) -> Option<&Object> {
    objects
        .iter()
        .filter(|o| o.node.span.start <= at.start && at.start <= o.node.span.end)
        .min_by_key(|o| o.node.span.len())
}

fn plan(text: &str, obj: &Object, rule: &str) -> Option<(ByteSpan, String)> {
    if !is_block_mapping(text, &obj.node) {
        return None;
    }
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let meta_entry = obj.node.entry("metadata")?;
    let meta = &meta_entry.value;
    if !is_block_mapping(text, meta) {
        return None;
    }
    let meta_indent = indent_of(text, meta.entries().first()?)?;
    let Some(ann_entry) = meta.entry("annotations") else {
        // No annotations: a new map after the last key of `metadata`, one
        // step deeper than its keys, as `metadata`'s keys are below it.
        let step = meta_indent.len().checked_sub(column(text, meta_entry))?;
        if step == 0 {
            return None;
        }
        let content = format!(
            "{meta_indent}annotations:{nl}{meta_indent}{}{IGNORE}: {rule}{nl}",
            " ".repeat(step)
        );
        return Some(insert_after(text, meta.entries().last()?, content, nl));
    };
    let ann = &ann_entry.value;
    if !is_block_mapping(text, ann) {
        return None;
    }
    let Some(ignore) = ann.entry(IGNORE) else {
        let indent = indent_of(text, ann.entries().first()?)?;
        let content = format!("{indent}{IGNORE}: {rule}{nl}");
        return Some(insert_after(text, ann.entries().last()?, content, nl));
    };
    // Merged into the value written, in its own quoting.
    let old = ignore.value.as_str()?;
    if ids(old).any(|id| id == rule || id == "all") {
        return None;
    }
    let merged = match old.trim() {
        "" => rule.to_string(),
        old => format!("{old}, {rule}"),
    };
    let written = match ignore.value.style {
        Style::Plain => merged,
        Style::DoubleQuoted => serde_json::to_string(&merged).ok()?,
        Style::SingleQuoted => format!("'{}'", merged.replace('\'', "''")),
        Style::Block | Style::Alias => return None,
    };
    Some((ignore.value.span, written))
}

/// A mapping with at least one key, written in block style.
fn is_block_mapping(text: &str, node: &Node) -> bool {
    matches!(&node.value, Value::Map(e) if !e.is_empty())
        && !(text.get(node.span.range()).unwrap_or("{"))
            .trim_start()
            .starts_with(['{', '['])
}

/// The spaces before a key that starts its line; `None` when something
/// else does (`- key:`, a tab).
fn indent_of<'a>(text: &'a str, entry: &Entry) -> Option<&'a str> {
    let at = entry.key_span.start as usize;
    let prefix = text.get(line_start(text, at)..at)?;
    prefix.bytes().all(|b| b == b' ').then_some(prefix)
}

/// The byte column of a key within its line.
fn column(text: &str, entry: &Entry) -> usize {
    let at = entry.key_span.start as usize;
    at - line_start(text, at)
}

fn line_start(text: &str, at: usize) -> usize {
    let before = text.get(..at).unwrap_or_default();
    before.rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// Insert whole lines after the line where `entry`'s value ends (after a
/// comment on it too).
fn insert_after(text: &str, entry: &Entry, content: String, nl: &str) -> (ByteSpan, String) {
    let end = (entry.value.span.end.max(entry.key_span.end)) as usize;
    let at = match text.get(..end) {
        Some(before) if before.ends_with('\n') => end,
        _ => match text.get(end..).and_then(|rest| rest.find('\n')) {
            Some(i) => end + i + 1,
            None => {
                return (
                    ByteSpan::new(text.len(), text.len()),
                    format!("{nl}{}", content.trim_end_matches(['\n', '\r'])),
                )
            }
        },
    };
    (ByteSpan::new(at, at), content)
}

/// The edit, when the edited text reads back to the same objects with
/// `rule` ignored on `obj`.
fn verified(
    text: &str,
    obj: &Object,
    rule: &str,
    (span, content): (ByteSpan, String),
) -> Option<(ByteSpan, String)> {
    let mut edited = text.to_string();
    edited.replace_range(span.range(), &content);
    let before = manifest::load_file(
        FileId(0),
        &SourceFile::new("", text),
        &LoadOptions::default(),
    );
    let after = manifest::load_file(
        FileId(0),
        &SourceFile::new("", edited),
        &LoadOptions::default(),
    );
    let same = |a: &Object, b: &Object| a.kind == b.kind && a.name == b.name;
    let objects_kept = before.objects.len() == after.objects.len()
        && (before.objects.iter().zip(&after.objects)).all(|(a, b)| same(a, b));
    let ignored = after
        .objects
        .iter()
        .filter(|o| same(o, obj) && o.namespace == obj.namespace)
        .any(|o| {
            o.annotation(IGNORE)
                .is_some_and(|v| ids(v).any(|id| id == rule))
        });
    let problems = |r: &manifest::FileResult| r.problems.len();
    (objects_kept && ignored && problems(&after) <= problems(&before)).then_some((span, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text with the edit for `rule` at the first `at` applied.
    fn suppressed(text: &str, at: &str, rule: &str) -> Option<String> {
        suppressed_in("x.yaml", text, at, rule)
    }

    fn suppressed_in(name: &str, text: &str, at: &str, rule: &str) -> Option<String> {
        let o = text.find(at).unwrap();
        let (span, content) = edit(name, text, ByteSpan::new(o, o + at.len()), rule)?;
        let mut t = text.to_string();
        t.replace_range(span.range(), &content);
        Some(t)
    }

    const STS: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  labels:\n    app: db  # why\nspec:\n  serviceName: db\n  template: {spec: {containers: []}}\n";

    #[test]
    fn a_new_annotations_map_goes_after_the_last_metadata_key() {
        assert_eq!(
            suppressed(STS, "serviceName", "missing-pdb").unwrap(),
            STS.replace(
                "# why\n",
                "# why\n  annotations:\n    stslint.io/ignore: missing-pdb\n"
            )
        );
        // Four spaces a level, and CRLF line ends, as the file has them.
        let wide = STS.replace("  ", "    ").replace('\n', "\r\n");
        assert_eq!(
            suppressed(&wide, "serviceName", "missing-pdb").unwrap(),
            wide.replace(
                "# why\r\n",
                "# why\r\n    annotations:\r\n        stslint.io/ignore: missing-pdb\r\n"
            )
        );
    }

    #[test]
    fn an_existing_annotations_map_or_value_is_merged_into() {
        let with = "kind: Service\napiVersion: v1\nmetadata:\n  annotations:\n    a: b\n  name: db\nspec: {}";
        assert_eq!(
            suppressed(with, "spec", "dangling-selector").unwrap(),
            with.replace("a: b\n", "a: b\n    stslint.io/ignore: dangling-selector\n")
        );
        for (written, merged) in [
            ("x: 1, missing-pdb", "x: 1, missing-pdb, dangling-selector"),
            (
                "x: \"missing-pdb\"",
                "x: \"missing-pdb, dangling-selector\"",
            ),
            ("x: 'missing-pdb'", "x: 'missing-pdb, dangling-selector'"),
        ] {
            let text = with.replace("a: b", &written.replace("x", IGNORE));
            assert_eq!(
                suppressed(&text, "spec", "dangling-selector").unwrap(),
                with.replace("a: b", &merged.replace("x", IGNORE)),
                "{written}"
            );
        }
        // Already there, or `all`: nothing to add.
        for v in ["dangling-selector", "all"] {
            let text = with.replace("a: b", &format!("{IGNORE}: {v}"));
            assert_eq!(suppressed(&text, "spec", "dangling-selector"), None);
        }
    }

    #[test]
    fn the_object_of_the_finding_is_edited_in_a_stream_or_list() {
        let two = format!("{STS}---\n{}", STS.replace("name: db", "name: other"));
        let second = two.rfind("serviceName").unwrap();
        let o = ByteSpan::new(second, second + 5);
        let (span, _) = edit("x.yml", &two, o, "missing-pdb").unwrap();
        assert!(span.start as usize > two.find("---").unwrap());
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: a\n  spec: {}\n";
        assert_eq!(
            suppressed(list, "spec", "dangling-selector").unwrap(),
            list.replace(
                "name: a\n",
                "name: a\n    annotations:\n      stslint.io/ignore: dangling-selector\n"
            )
        );
    }

    #[test]
    fn at_the_end_of_a_file_without_a_final_line_break() {
        let text = "kind: Service\napiVersion: v1\nspec: {}\nmetadata:\n  name: db";
        assert_eq!(
            suppressed(text, "spec", "dangling-selector").unwrap(),
            format!("{text}\n  annotations:\n    stslint.io/ignore: dangling-selector")
        );
    }

    #[test]
    fn json_flow_mappings_and_block_scalars_get_nothing() {
        let json =
            r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"}, "spec": {}}"#;
        assert_eq!(
            suppressed_in("x.json", json, "spec", "dangling-selector"),
            None
        );
        assert_eq!(
            suppressed_in("x.yaml", json, "spec", "dangling-selector"),
            None
        );
        let flow = "kind: Service\napiVersion: v1\nmetadata: {name: db}\nspec: {}\n";
        assert_eq!(suppressed(flow, "spec", "dangling-selector"), None);
        let flow = "kind: Service\napiVersion: v1\nmetadata:\n  name: db\n  annotations: {a: b}\nspec: {}\n";
        assert_eq!(suppressed(flow, "spec", "dangling-selector"), None);
        let block = format!("kind: Service\napiVersion: v1\nmetadata:\n  name: db\n  annotations:\n    {IGNORE}: |\n      missing-pdb\nspec: {{}}\n");
        assert_eq!(suppressed(&block, "spec", "dangling-selector"), None);
        // No object there.
        assert_eq!(suppressed("a: b\n", "a", "dangling-selector"), None);
    }
}
