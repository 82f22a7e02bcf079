//! Hostile and broken input: each case gives a located diagnostic, lets the
//! rest of the run go on, and never panics.

use crate::support::{json, stslint, tempdir};

/// `(line, column, message)` of each input error, in order.
fn errors(j: &serde_json::Value) -> Vec<(u64, u64, String)> {
    j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or(0),
                e["column"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_bad_value_drops_only_its_own_document() {
    let dir = tempdir("bad-value");
    let good = |i: usize| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n");
    let mut text: Vec<String> = (0..17).map(good).collect();
    text.insert(
        5,
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: 1e309\n"
            .into(),
    );
    let path = dir.join("stack.yaml");
    std::fs::write(&path, text.join("---\n")).unwrap();
    let o = stslint(&["--format", "json", path.to_str().unwrap()]);
    let j = json(&o);
    assert_eq!(j["summary"]["objects"], 17, "{j}");
    // 5 documents of 3 lines and their separators come before it.
    assert_eq!(
        errors(&j),
        [(
            5 * 4 + 5,
            13,
            "invalid YAML value: non-finite float `1e309` rejected by the configured policy; this document is skipped".to_string()
        )]
    );
    assert_eq!(j["errors"][0]["kind"], "syntax-error");
    assert_eq!(o.status.code(), Some(2));
}
