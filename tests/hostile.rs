//! Hostile and broken input: each case gives a located diagnostic, lets the
//! rest of the run go on, and never panics.

use crate::support::{json, stdout, stslint, tempdir};

/// The file name of a report's `file`, without its directory.
fn base_name(file: &serde_json::Value) -> String {
    file.as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// Whether the report has a finding of `rule`.
fn has_finding(j: &serde_json::Value, rule: &str) -> bool {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == rule)
}

/// The run took less than `cpu_secs` of CPU and 100 MB of memory.
#[cfg(target_os = "linux")]
fn assert_within(cost: &crate::support::Cost, cpu_secs: f64, what: &str) {
    assert!(cost.cpu.as_secs_f64() < cpu_secs, "{what}: {cost:?}");
    assert!(cost.peak_rss_mb < 100.0, "{what}: {cost:?}");
}

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
                base_name(&f["file"]),
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

/// `(rule, line, column)` of every finding, as each format gives them.
fn positions_in_every_format(path: &str) -> Vec<Vec<(String, u64, u64)>> {
    // JSON findings and SARIF results: the rule and where its region starts
    let positions = |items: &serde_json::Value,
                     rule: &str,
                     at: fn(&serde_json::Value) -> &serde_json::Value,
                     line: &str,
                     column: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let n = |k: &str| at(f)[k].as_u64().unwrap();
                (f[rule].as_str().unwrap().to_string(), n(line), n(column))
            })
            .collect::<Vec<_>>()
    };
    let j = json(&stslint(&["--format", "json", path]));
    let from_json = positions(&j["findings"], "rule", |f| f, "line", "column");
    let s = json(&stslint(&["--format", "sarif", path]));
    let from_sarif = positions(
        &s["runs"][0]["results"],
        "ruleId",
        |r| &r["locations"][0]["physicalLocation"]["region"],
        "startLine",
        "startColumn",
    );
    let compact = stdout(&stslint(&["--format", "compact", path]));
    let from_compact = compact
        .lines()
        .map(|l| {
            let mut p = l.rsplit(".yaml:").next().unwrap().split(':');
            let line = p.next().unwrap().parse().unwrap();
            let column = p.next().unwrap().parse().unwrap();
            let rule = l.split('[').nth(1).unwrap().split(']').next().unwrap();
            (rule.to_string(), line, column)
        })
        .collect();
    // human: the `[file:line:column]` header under each rule's name
    let human = stdout(&stslint(&["--color", "never", path]));
    let mut from_human = Vec::new();
    let mut rule = None;
    for l in human.lines() {
        if !l.starts_with(' ') && !l.is_empty() && !l.contains(':') {
            rule = Some(l.to_string());
        } else if let (Some(r), Some(i)) = (&rule, l.find(".yaml:")) {
            let mut p = l[i + 6..].trim_end_matches(']').split(':');
            let line = p.next().unwrap().parse().unwrap();
            let column = p.next().unwrap().parse().unwrap();
            from_human.push((r.clone(), line, column));
            rule = None;
        }
    }
    vec![from_json, from_sarif, from_compact, from_human]
}

#[test]
fn lone_cr_crlf_and_lf_line_endings_give_the_same_positions_in_every_format() {
    let dir = tempdir("line-endings");
    let lf = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers:\n      - name: db\n        image: postgres:16\n        env:\n        - name: PGPASSWORD\n          value: |\n            line1secret\n            line2secret\n";
    let mut all = Vec::new();
    for (name, text) in [
        ("lf.yaml", lf.to_string()),
        ("cr.yaml", lf.replace('\n', "\r")),
        ("crlf.yaml", lf.replace('\n', "\r\n")),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, &text).unwrap();
        let formats = positions_in_every_format(path.to_str().unwrap());
        for f in &formats {
            assert_eq!(f, &formats[0], "{name}");
        }
        all.push(formats[0].clone());
    }
    assert_eq!(all[0], all[1]);
    assert_eq!(all[0], all[2]);
    let at = |rule: &str| {
        all[0]
            .iter()
            .find(|f| f.0 == rule)
            .map(|f| (f.1, f.2))
            .unwrap()
    };
    assert_eq!(at("missing-headless-service"), (6, 16));
    assert_eq!(at("hardcoded-credential"), (17, 13));
    assert_eq!(all[0].len(), 7);
    // the human output carries no carriage return to move the cursor
    let human = stdout(&stslint(&[
        "--color",
        "never",
        dir.join("cr.yaml").to_str().unwrap(),
    ]));
    assert!(!human.contains('\r'));
}

/// What a terminal or a CI log would act on, or what would forge a line.
const RAW: [&str; 9] = [
    "\u{1b}", "\u{7}", "\u{0}", "\u{9b}", "\r", "\u{202e}", "\u{200b}", "##[", "\nfake",
];

#[test]
fn names_keys_and_file_names_cannot_inject_into_terminals_or_ci_logs() {
    let dir = tempdir("inject");
    // Object names, namespaces, label values, keys and env names that hold
    // ANSI and OSC escapes, BEL, NUL, a C1 CSI, CR, bidi and zero-width
    // characters, a GitHub command and a newline.
    let evil = r#"\e[31m\e]8;;http://x\a\0\x9b\r\u202e\u200b##[error]x%0A::error::forged\nfake.yaml:1:1: error[forged] y"#;
    let sts = format!(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: \"db{evil}\"\n  namespace: \"ns{evil}\"\nspec:\n  serviceName: \"svc{evil}\"\n  selector: {{matchLabels: {{app: \"a{evil}\"}}}}\n  template:\n    metadata: {{labels: {{app: \"b{evil}\"}}}}\n    spec:\n      containers:\n      - name: \"c{evil}\"\n        image: mysql:8.4\n        env:\n        - {{name: \"E{evil}\", value: x}}\n        - {{name: \"E{evil}\", value: y}}\n        \"k{evil}\": 1\n"
    );
    std::fs::write(dir.join("a.yaml"), sts).unwrap();
    // File names: a GitHub workflow command, and ESC, OSC, BEL and a newline.
    let names = [
        "::error file=x.yaml,line=1::pwned.yaml",
        "e\u{1b}]0;title\u{7}\nfake.yaml:1:1: error[forged] z.yaml",
    ];
    for n in names {
        std::fs::write(
            dir.join(n),
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  serviceName: s\n  selector: {matchLabels: {app: s}}\n  template:\n    metadata: {labels: {app: s}}\n    spec: {containers: [{name: c, image: mysql:8.4}]}\n",
        )
        .unwrap();
    }
    // A file that does not parse, with an ESC in the line shown.
    std::fs::write(dir.join("b.yaml"), "a: [\u{1b}[2J\n").unwrap();
    let path = dir.to_str().unwrap();
    for format in ["human", "compact"] {
        let o = stslint(&["--format", format, "--color", "never", path]);
        let out = stdout(&o);
        for raw in RAW {
            assert!(!out.contains(raw), "{format} printed {raw:?} raw:\n{out}");
        }
        // No line starts a workflow command, none is forged.
        for l in out.lines() {
            assert!(!l.trim_start().starts_with("::"), "{format}: {l}");
            assert!(!l.starts_with("fake.yaml"), "{format}: {l}");
        }
        // escaped, not dropped
        assert!(out.contains("\\u{1b}[31m"), "{out}");
        assert!(out.contains("\\u{202e}"), "{out}");
        assert!(out.contains("##\\u{5b}error]"), "{out}");
        if format == "compact" {
            // one finding, one line: each line names its file and position
            let files = std::fs::read_dir(&dir).unwrap().count();
            assert_eq!(files, 4);
            for l in out.lines() {
                assert!(l.starts_with(path) || l.starts_with("./"), "{l}");
            }
        }
    }
    // A file given by a name that starts with `::` is printed as `./::…`.
    for format in ["human", "compact"] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_stslint"))
            .args(["--format", format, "--color", "never", names[0]])
            .current_dir(&dir)
            .output()
            .unwrap();
        let out = stdout(&o);
        assert!(
            out.contains("./::error file=x.yaml,line=1::pwned.yaml:5:16"),
            "{out}"
        );
        for l in out.lines() {
            assert!(!l.trim_start().starts_with("::"), "{format}: {l}");
        }
    }
    // GitHub workflow commands: one per finding or input error, each line
    // one command whose properties hold no `:` or `,` of the input, and
    // whose message holds no `%` escape of the input (`%` is `%25`).
    let j = json(&stslint(&["--format", "json", path]));
    let reports = j["findings"].as_array().unwrap().len() + j["errors"].as_array().unwrap().len();
    let o = stslint(&["--format", "github", path]);
    let out = stdout(&o);
    for raw in RAW {
        assert!(!out.contains(raw), "github printed {raw:?} raw:\n{out}");
    }
    assert_eq!(out.lines().count(), reports, "{out}");
    for l in out.lines() {
        assert!(l.starts_with("::"), "{l}");
        let (command, rest) = l[2..].split_once(' ').expect(l);
        assert!(["error", "warning", "notice"].contains(&command), "{l}");
        let (props, message) = rest.split_once("::").expect(l);
        let keys: Vec<&str> = props
            .split(',')
            .map(|p| p.split_once('=').expect(l).0)
            .collect();
        assert!(
            [
                &["file", "line", "col", "endLine", "endColumn", "title"][..],
                &["file", "title"][..]
            ]
            .contains(&&keys[..]),
            "{l}"
        );
        assert!(!message.contains("%0A::"), "{l}");
    }
    assert!(
        out.contains("%3A%3Aerror file=x.yaml%2Cline=1%3A%3Apwned.yaml,line=5,col=16"),
        "{out}"
    );
    assert!(out.contains("x%250A::error::forged"), "{out}");
    assert!(out.contains("\\u{1b}[31m"), "{out}");
    // JSON and SARIF stay well-formed, with the names as they are.
    let j = json(&stslint(&["--format", "json", path]));
    let names: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["object"]["name"].as_str())
        .collect();
    assert!(names
        .iter()
        .any(|n| n.contains("\u{1b}[31m") && n.contains('\n')));
    json(&stslint(&["--format", "sarif", path]));
}

/// The bombs and deep nesting: each a located error, the good file beside it
/// still linted, within 1 s of CPU and 100 MB, at one and two threads and on
/// standard input (read on the main thread).
#[cfg(target_os = "linux")]
#[test]
fn bombs_and_deep_nesting_are_located_errors_in_bounded_time_and_memory() {
    use crate::support::stslint_cost;
    let dir = tempdir("bombs");
    let good =
        std::fs::read_to_string(crate::support::root().join("fixtures/missing-pdb/fires.yaml"))
            .unwrap();
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for w in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].windows(2) {
        laughs.push_str(&format!(
            "{}: &{} [{}]\n",
            w[1],
            w[1],
            vec![format!("*{}", w[0]); 9].join(",")
        ));
    }
    let mut cases: Vec<(String, String, &str)> =
        vec![("laughs".into(), laughs, "alias expansion limit exceeded")];
    for depth in [10_000, 100_000] {
        let nest = |open: &str, inner: &str, close: &str| {
            format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
        };
        for (style, text) in [
            ("block", nest("- ", "x\n", "")),
            ("flow", format!("x: {}\n", nest("[", "", "]"))),
            ("json", nest("{\"a\":", "1", "}")),
        ] {
            cases.push((format!("{style}-{}k", depth / 1000), text, "Depth"));
        }
    }
    for (name, text, error) in &cases {
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, text).unwrap();
        let good_path = dir.join("good.yaml");
        std::fs::write(&good_path, &good).unwrap();
        let (p, g) = (path.to_str().unwrap(), good_path.to_str().unwrap());
        let runs: [(&[&str], Option<&[u8]>); 3] = [
            (&["--format", "json", "-j", "1", p, g], None),
            (&["--format", "json", "-j", "2", p, g], None),
            (&["--format", "json", "-"], Some(text.as_bytes())),
        ];
        for (args, stdin) in runs {
            let (o, cost) = stslint_cost(args, stdin);
            let j = json(&o);
            let e = &j["errors"][0];
            assert_eq!(e["kind"], "syntax-error", "{name} {args:?}: {j}");
            let m = e["message"].as_str().unwrap();
            // the builder's depth budget, or the parser's own nesting limit
            assert!(
                m.contains(error) || *error == "Depth" && m.contains("recursion limit exceeded"),
                "{name}: {e}"
            );
            assert!(e["line"].as_u64().unwrap() >= 1, "{name}: located: {e}");
            assert_eq!(o.status.code(), Some(2), "{name}");
            if stdin.is_none() {
                assert!(
                    has_finding(&j, "missing-pdb"),
                    "{name}: the good file is linted"
                );
            }
            assert_within(&cost, 1.0, &format!("{name} {args:?}"));
        }
    }
}

/// Many files that each sit just under what aliases may add to one are read;
/// as many that each sit just under the old fixed budget (250,000 nodes)
/// are each a located error at an alias: a run's expansion is bounded by its
/// input, not by the file count times a fixed budget.
#[cfg(target_os = "linux")]
#[test]
fn many_files_under_a_fixed_alias_budget_no_longer_add_up() {
    use crate::support::stslint_cost;
    let dir = tempdir("alias-many");
    let write = |sub: &str, items: usize| {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for n in 0..16 {
            let text = format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{n}}}\ndata:\n  k: v\nx-a: &a [{}]\nx-b: [{}]\n",
                vec!["1"; items].join(","),
                vec!["*a"; 99].join(",")
            );
            std::fs::write(dir.join(sub).join(format!("f{n:02}.yaml")), text).unwrap();
        }
    };
    // 99 aliases of a 1,000-item list: about 99,000 events, under the
    // 100,000 a small file may add; of a 2,400-item list: about 238,000
    // nodes, under the old fixed budget of 250,000
    write("under", 1000);
    write("over", 2400);
    let (o, cost) = stslint_cost(
        &["--format", "json", dir.join("under").to_str().unwrap()],
        None,
    );
    let j = json(&o);
    assert_eq!(j["summary"]["objects"], 16, "{}", j["errors"]);
    assert_within(&cost, 60.0, "16 files under");
    let (o, cost) = stslint_cost(
        &["--format", "json", dir.join("over").to_str().unwrap()],
        None,
    );
    let j = json(&o);
    let errors = j["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 16);
    for e in errors {
        let m = e["message"].as_str().unwrap();
        assert!(m.starts_with("invalid YAML: alias expansion limit exceeded: aliases replay more than 100000 events in this file"), "{m}");
        // at an alias of the second list, on line 7
        assert_eq!(e["line"], 7, "{e}");
    }
    assert_within(&cost, 60.0, "16 files over");
}

/// Inputs that are not clean UTF-8 YAML, and a crowd of empty files: each a
/// located problem (or nothing to say), the good file beside them linted.
#[cfg(target_os = "linux")]
#[test]
fn binary_nul_utf16_bom_and_empty_inputs() {
    use crate::support::stslint_cost;
    let dir = tempdir("odd-inputs");
    let w = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    let binary: Vec<u8> = (0..3000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    w("binary.yaml", &binary);
    w(
        "nul.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\0b}\n",
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "apiVersion: v1\nkind: ConfigMap\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    w("utf16.yaml", &utf16);
    // a BOM is not part of the text: columns on the first line are as shown
    w(
        "bom.yaml",
        "\u{feff}apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, bogus: 1}\n".as_bytes(),
    );
    w(
        "crlf.yaml",
        b"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: b, bogus: 1}\r\n",
    );
    let (o, _) = stslint_cost(&["--format", "json", dir.to_str().unwrap()], None);
    let j = json(&o);
    let mut errors: Vec<(String, String, u64, u64)> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                base_name(&e["file"]),
                e["kind"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
            )
        })
        .collect();
    errors.sort();
    let e = |f: &str, k: &str, l, c| (f.to_string(), k.to_string(), l, c);
    assert_eq!(
        errors,
        [
            e("binary.yaml", "invalid-encoding", 1, 2),
            e("binary.yaml", "syntax-error", 1, 1),
            e("nul.yaml", "syntax-error", 3, 19),
            e("utf16.yaml", "invalid-encoding", 1, 1),
        ],
        "{}",
        j["errors"]
    );
    assert!(j["errors"].to_string().contains("the file is UTF-16LE"));
    let unknown: Vec<(String, u64, u64)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unknown-field")
        .map(|f| {
            let file = base_name(&f["file"]);
            (
                file,
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        unknown,
        [("bom.yaml".into(), 3, 21), ("crlf.yaml".into(), 3, 21)]
    );
    // 10,000 empty files: read, nothing to say, quickly and in little memory
    let empty = tempdir("ten-thousand-empty");
    for i in 0..10_000 {
        std::fs::write(empty.join(format!("e{i:05}.yaml")), "").unwrap();
    }
    std::fs::copy(
        crate::support::root().join("fixtures/missing-pdb/fires.yaml"),
        empty.join("good.yaml"),
    )
    .unwrap();
    let (o, cost) = stslint_cost(&["--format", "json", empty.to_str().unwrap()], None);
    let j = json(&o);
    assert_eq!(j["summary"]["files"], 10_001);
    assert_eq!(j["errors"].as_array().unwrap().len(), 0);
    assert!(has_finding(&j, "missing-pdb"));
    assert_within(&cost, 1.0, "10,000 empty files");
}

/// A file that cannot be read is a located problem; the rest is linted and
/// every format is still written.
#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_file_is_a_problem_and_the_rest_is_linted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir("unreadable-file");
    let locked = dir.join("locked.yaml");
    std::fs::write(
        &locked,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    )
    .unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root reads anything: then a regular file whose read fails (Linux)
    let unreadable = if std::fs::read(&locked).is_err() {
        locked.to_str().unwrap().to_string()
    } else {
        "/proc/self/mem".to_string()
    };
    let good = crate::support::root().join("fixtures/missing-pdb/fires.yaml");
    let args = |f: &'static str| vec!["--format", f, unreadable.as_str(), good.to_str().unwrap()];
    let o = stslint(&args("json"));
    let j = json(&o);
    assert_eq!(j["errors"][0]["kind"], "io-error", "{j}");
    assert_eq!(j["errors"][0]["file"], unreadable.as_str());
    assert!(j["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("cannot read: "));
    assert!(has_finding(&j, "missing-pdb"));
    assert_eq!(o.status.code(), Some(2));
    let s = json(&stslint(&args("sarif")));
    assert!(s.to_string().contains("cannot read: "));
}
