//! Hostile and broken input: each case gives a located diagnostic, lets the
//! rest of the run go on, and never panics.

use crate::support::{json, stdout, stslint, tempdir};

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

/// Every way a credential used to reach the output: the neighbour of a syntax
/// error, a duplicated key, a Secret with a finding, a dropped Secret document,
/// a suppressed or unselected detector, names spelled with invisible or
/// fullwidth characters, and a value that a message prints (an object's kind).
#[test]
fn no_output_shows_a_credential_whatever_the_rules_and_the_spelling() {
    let dir = tempdir("echo");
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w(
        "a-syntax.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  db_password: Hunter2Secret1\n  other: [unclosed\n",
    );
    w(
        "b-dup.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {stslint.io/ignore: hardcoded-credential}\nspec:\n  containers:\n  - name: db\n    image: postgres:16\n    env:\n    - name: POSTGRES_PASSWORD\n      value: FirstCopy9x\n      value: SecondCopy9x\n",
    );
    w(
        "c-secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  token: TokenValue77\n  token: TokenValue88\n  extra: {nested: SubValue55}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: t}\ndata:\n  key: QmFzZTY0VmFs\n  bad: !!bool maybe\n",
    );
    w(
        "d-names.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: zw}\ndata:\n  PASS\u{200B}WORD: ZeroWidth42\n  \u{FF30}\u{FF21}\u{FF33}\u{FF33}\u{FF37}\u{FF2F}\u{FF32}\u{FF24}: FullWidth42\n",
    );
    w("e-pem.yaml", "apiVersion: p\nkind: BEGINA PRIVATE KEY\n");
    let secrets = [
        "Hunter2Secret1",
        "FirstCopy9x",
        "SecondCopy9x",
        "TokenValue77",
        "TokenValue88",
        "SubValue55",
        "QmFzZTY0VmFs",
        "ZeroWidth42",
        "FullWidth42",
        "BEGINA",
    ];
    let path = dir.to_str().unwrap();
    for sel in [
        &["--select", "duplicate-key"][..],
        &["--disable", "hardcoded-credential"],
        &[],
    ] {
        for format in ["human", "json", "sarif", "compact"] {
            let mut args = sel.to_vec();
            args.extend(["--format", format, "--color", "never", path]);
            let o = stslint(&args);
            let all = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
            for s in secrets {
                assert!(!all.contains(s), "{format} {sel:?} printed {s}:\n{all}");
            }
            if format == "human" {
                // the snippets are there, masked
                assert!(all.contains("  db_password: ****\n"), "{all}");
                assert!(all.contains("  token: ****\n"), "{all}");
            }
        }
    }
    // The names are read as they look.
    let o = stslint(&["--select", "hardcoded-credential", "--format", "json", path]);
    let j = json(&o);
    let at: Vec<(String, u64, u64)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            ("d-names.yaml".to_string(), 5, 14),
            ("d-names.yaml".to_string(), 6, 13),
            ("e-pem.yaml".to_string(), 2, 7),
        ]
    );
    // the message that printed the kind masks it
    assert_eq!(j["findings"][2]["object"]["kind"], "****");
}
