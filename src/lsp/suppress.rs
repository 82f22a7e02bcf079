//! The "suppress for this object" edit: `stslint.io/ignore: <rule>` in the
//! object's `metadata.annotations` ([`crate::suppress::IGNORE`]), merged into
//! an existing `stslint.io/ignore` value or annotations map, indented as the
//! file is. Editor-side work on one buffer: its text is parsed again with the
//! crate's manifest reader, whose nodes carry byte spans, and edited with the
//! fixes' YAML builders ([`crate::fix::yaml`]).
//!
//! Only block-style YAML is edited. For a JSON file, a flow mapping (`{…}`),
//! a block scalar or anything else that cannot be edited in place, nothing
//! is offered; and every edit is checked by reading the edited text again:
//! it must hold the same objects, with the rule now ignored on this one.

use crate::fix::yaml::{add_entry, replace_scalar, Text};
use crate::manifest::{self, LoadOptions, Object};
use crate::source::{ByteSpan, FileId, SourceFile};
use crate::suppress::{ids, IGNORE};
use crate::yaml::Node;

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
    let annotations = obj.node.get("metadata").and_then(|m| m.get("annotations"));
    if annotations.is_some_and(|a| is_flow(text, a)) {
        return None;
    }
    let edit = match annotations.and_then(|a| a.entry(IGNORE)) {
        // Merged into the value written, in its own quoting.
        Some(ignore) => {
            let old = ignore.value.as_str()?;
            if ids(old).any(|id| id == rule || id == "all") {
                return None;
            }
            let merged = match old.trim() {
                "" => rule.to_string(),
                old => format!("{old}, {rule}"),
            };
            replace_scalar(&ignore.value, &merged)?
        }
        None => add_entry(
            &Text::new(text),
            &obj.node,
            "metadata.annotations",
            IGNORE,
            rule,
        )?,
    };
    Some((edit.span, edit.content.into()))
}

/// A collection written in flow style (`{…}`, `[…]`).
fn is_flow(text: &str, node: &Node) -> bool {
    let written = text.get(node.span.range()).unwrap_or("{");
    written.trim_start().starts_with(['{', '['])
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
            format!("{text}\n  annotations:\n    stslint.io/ignore: dangling-selector\n")
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
