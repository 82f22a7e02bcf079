//! The binary as users run it: exit codes, formats, stdin, determinism, and
//! credentials never printed. Insta snapshots pin the human output.

use std::path::Path;
use std::process::Command;

use crate::support::{
    input_problems, json, root, stdout, stslint, stslint_stdin, stslint_within, tempdir,
};

#[test]
fn exit_codes() {
    assert_eq!(stslint(&["examples/shop-db-good"]).status.code(), Some(0));
    assert_eq!(stslint(&["examples/shop-db-bad"]).status.code(), Some(1));
    let pdb = ["--select", "missing-pdb", "fixtures/missing-pdb/fires.yaml"];
    assert_eq!(
        stslint(&[&["--fail-on", "error"][..], &pdb].concat())
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        stslint(&[&["--fail-on", "warning"][..], &pdb].concat())
            .status
            .code(),
        Some(1)
    );
    let note = [
        "--select",
        "missing-startup-probe",
        "fixtures/missing-startup-probe/fires.yaml",
    ];
    assert_eq!(
        stslint(&[&["--fail-on", "note"][..], &note].concat())
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        stslint(&[&["--fail-on", "warning"][..], &note].concat())
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        stslint(&["--select", "nope", "examples"]).status.code(),
        Some(2)
    );
    assert_eq!(
        stslint(&["--fail-on", "none", "examples/shop-db-bad"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(stslint(&["does/not/exist.yaml"]).status.code(), Some(2));
    assert_eq!(
        stslint(&["--disable", "no-such-rule", "examples"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        stslint(&["--format", "xml", "examples"]).status.code(),
        Some(2)
    );
    let bad = stslint_stdin(&["-"], "a: [1, 2\nb: 3\n");
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_missing_path_is_a_located_problem_and_the_rest_is_linted() {
    let o = stslint(&[
        "--format",
        "json",
        "does/not/exist.yaml",
        "fixtures/missing-pdb/fires.yaml",
    ]);
    let j = json(&o);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(j["errors"][0]["file"], "does/not/exist.yaml");
    assert_eq!(j["errors"][0]["kind"], "io-error");
    assert_eq!(
        j["errors"][0]["message"],
        "cannot read: no such file or directory"
    );
    assert!(j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "missing-pdb"));
    // SARIF is written too.
    let s = stslint(&["--format", "sarif", "does/not/exist.yaml"]);
    let sarif: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    assert!(sarif.to_string().contains("no such file or directory"));
    assert_eq!(s.status.code(), Some(2));
}

#[test]
fn stdin_is_linted_under_the_given_name() {
    let text = std::fs::read_to_string(root().join("fixtures/missing-pdb/fires.yaml")).unwrap();
    let o = stslint_stdin(
        &[
            "--format",
            "json",
            "--select",
            "missing-pdb",
            "--stdin-filename",
            "k8s/zk.yaml",
            "-",
        ],
        &text,
    );
    let j = json(&o);
    let f = &j["findings"][0];
    assert_eq!(f["file"], "k8s/zk.yaml");
    assert_eq!(f["rule"], "missing-pdb");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(7), Some(13))
    );
}

#[test]
fn json_has_the_documented_shape() {
    let j = json(&stslint(&[
        "--format",
        "json",
        "fixtures/missing-headless-service/other_namespace.yaml",
        "--disable",
        "missing-pdb",
        "--disable",
        "missing-liveness-probe",
        "--disable",
        "missing-readiness-probe",
        "--disable",
        "ephemeral-data",
    ]));
    assert_eq!(j["version"], 1);
    let f = &j["findings"][0];
    assert_eq!(f["rule"], "missing-headless-service");
    assert_eq!(f["severity"], "error");
    assert_eq!(
        f["file"],
        "fixtures/missing-headless-service/other_namespace.yaml"
    );
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(17), Some(16))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(17), Some(18))
    );
    assert_eq!(
        f["object"],
        serde_json::json!({"kind": "StatefulSet", "namespace": "prod", "name": "db"})
    );
    assert!(f["help"]
        .as_str()
        .is_some_and(|h| h.contains("clusterIP: None")));
    assert_eq!(f["related"][0]["line"], 5);
    assert_eq!(f["related"][0]["column"], 3);
    assert_eq!(j["summary"]["errors"], 1);
    assert_eq!(j["summary"]["objects"], 2);
    assert_eq!(j["errors"], serde_json::json!([]));
}

#[test]
fn compact_is_one_line_per_finding() {
    let o = stslint(&[
        "--format",
        "compact",
        "--select",
        "missing-startup-probe",
        "fixtures/missing-startup-probe/fires.yaml",
    ]);
    assert_eq!(
        stdout(&o),
        "fixtures/missing-startup-probe/fires.yaml:16:9: note[missing-startup-probe] PostgreSQL container `postgres` of StatefulSet `pg` has a liveness probe but no startup probe: a long recovery or initial load gets it killed and restarted\n"
    );
}

#[test]
fn one_bad_file_does_not_stop_the_others() {
    let dir = tempdir("bad-and-good");
    std::fs::write(
        dir.join("a-broken.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: x\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b-helm.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n",
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/missing-pdb/fires.yaml"),
        dir.join("c-good.yaml"),
    )
    .unwrap();
    std::fs::write(dir.join("d-notes.yaml"), "just: a config file\n").unwrap();
    let o = stslint(&[
        "--format",
        "json",
        "--select",
        "missing-pdb",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let j = json(&o);
    let kinds: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["syntax-error", "helm-template"]);
    assert_eq!(j["errors"][0]["line"], 3);
    assert_eq!(j["errors"][1]["line"], 4);
    assert_eq!(j["errors"][1]["column"], 9);
    assert!(j["errors"][1]["help"]
        .as_str()
        .unwrap()
        .contains("helm template"));
    assert_eq!(
        j["findings"].as_array().unwrap().len(),
        3,
        "the good file is still linted"
    );
    assert_eq!(
        j["skipped"][0]["reason"],
        "not a Kubernetes object: no `apiVersion` and `kind`"
    );
    assert_eq!(j["summary"]["skipped_documents"], 1);
}

/// A cross-object "nothing selects it" finding is not made when an input
/// could not be read: the missing pods may be in it.
#[test]
fn absence_findings_wait_for_unreadable_inputs() {
    let dir = tempdir("dangling-with-broken");
    std::fs::write(
        dir.join("a-service.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: zk}\nspec:\n  selector: {app: zk}\n  ports: [{port: 2181}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: client}\nspec:\n  containers: [{name: c, image: busybox:1.36}]\n",
    )
    .unwrap();
    let run = || {
        json(&stslint(&[
            "--format",
            "json",
            "--select",
            "dangling-selector",
            dir.to_str().unwrap(),
        ]))
    };
    assert_eq!(run()["findings"].as_array().unwrap().len(), 1);
    std::fs::write(
        dir.join("b-statefulset.yaml"),
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: zk\n",
    )
    .unwrap();
    let j = run();
    assert_eq!(j["errors"][0]["kind"], "syntax-error");
    assert_eq!(j["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn encoding_size_and_json_inputs() {
    let dir = tempdir("inputs");
    std::fs::write(
        dir.join("a-latin1.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
    )
    .unwrap();
    std::fs::write(dir.join("b-big.yaml"), "# padding\n".repeat(200)).unwrap();
    let sts = r#"{"apiVersion": "apps/v1", "kind": "StatefulSet",
 "metadata": {"name": "db"},
 "spec": {"serviceName": "db", "replicas": 3, "podManagementPolicy": "Parallel",
  "selector": {"matchLabels": {"app": "db"}},
  "template": {"metadata": {"labels": {"app": "db"}},
   "spec": {"containers": [{"name": "db", "image": "mysql:8.4"}]}}}}"#;
    std::fs::write(dir.join("c-sts.json"), sts).unwrap();
    let o = stslint(&[
        "--format",
        "json",
        "--max-file-size",
        "1000",
        "--select",
        "parallel-database-startup",
        dir.to_str().unwrap(),
    ]);
    let j = json(&o);
    assert_eq!(j["errors"][0]["kind"], "invalid-encoding");
    assert_eq!(
        (
            j["errors"][0]["line"].as_u64(),
            j["errors"][0]["column"].as_u64()
        ),
        (Some(3), Some(21))
    );
    assert_eq!(j["errors"][1]["kind"], "file-too-large");
    assert_eq!(j["errors"][1]["line"], serde_json::Value::Null);
    let f = &j["findings"][0];
    assert_eq!(
        f["file"].as_str().map(|s| s.ends_with("c-sts.json")),
        Some(true)
    );
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(3), Some(70))
    );
}

#[test]
fn list_items_are_objects_with_their_own_spans() {
    let yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: StatefulSet\n  metadata: {name: a}\n  spec:\n    serviceName: a\n    selector: {matchLabels: {app: a}}\n    template:\n      metadata: {labels: {app: a}}\n      spec: {containers: [{name: a, image: redis:7}]}\n";
    let o = stslint_stdin(
        &[
            "--format",
            "compact",
            "--select",
            "missing-headless-service",
            "-",
        ],
        yaml,
    );
    assert_eq!(
        stdout(&o),
        "<stdin>:8:18: error[missing-headless-service] StatefulSet `a` (Redis) names Service `a`, but no Service `a` is defined in the same namespace\n"
    );
}

#[test]
fn type_errors_are_located_and_do_not_hide_the_object() {
    let yaml = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: three\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: db, image: postgres:16}]\n";
    let o = stslint_stdin(
        &[
            "--format",
            "json",
            "--select",
            "invalid-value",
            "--select",
            "missing-headless-service",
            "-",
        ],
        yaml,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "a wrong type is a finding, not an input error"
    );
    let j = json(&o);
    assert_eq!(j["errors"], serde_json::json!([]));
    let f = &j["findings"][0];
    assert_eq!(f["rule"], "invalid-value");
    assert_eq!(
        f["message"],
        "`spec.replicas` has the wrong type: expected i32, found a string in StatefulSet `db`"
    );
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(5), Some(13))
    );
    assert_eq!(
        j["findings"][1]["rule"], "missing-headless-service",
        "the rest of the object is still linted"
    );
}

/// Values from fixtures/hardcoded-credential that must never be printed.
const SECRETS: &[&str] = &[
    "tok_4f9a8b7c6d5e",
    "hunter2",
    "correct horse",
    "s3cr3t",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "abc123",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    "b3BlbnNzaC1rZXktdjEAAAAA",
    "changeme",
    "guest2",
    "WIWWVJZRPQCQNOGZWNBW",
];

#[test]
fn credentials_are_never_printed_in_any_format() {
    // whatever rules run: the masking does not depend on findings
    let runs: [&[&str]; 3] = [
        &[],
        &["--select", "missing-resources"],
        &["--disable", "hardcoded-credential"],
    ];
    for run in runs {
        for format in [
            "human", "json", "sarif", "compact", "github", "junit", "gitlab",
        ] {
            for color in ["never", "always"] {
                let mut args = run.to_vec();
                args.extend([
                    "--format",
                    format,
                    "--color",
                    color,
                    "fixtures/hardcoded-credential",
                ]);
                let o = stslint(&args);
                let all = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
                let expected = if run.is_empty() {
                    "hardcoded-credential"
                } else {
                    "missing-resources"
                };
                assert!(all.contains(expected), "{format} {run:?}: no findings?");
                for s in SECRETS {
                    assert!(
                        !all.contains(s),
                        "{format}/{color} {run:?} printed the credential {s:?}"
                    );
                }
            }
        }
    }
}

/// A duplicated environment variable may hold a credential: neither value is
/// shown, though both entries are pointed at.
#[test]
fn duplicate_env_values_are_never_printed() {
    for format in [
        "human", "json", "sarif", "compact", "github", "junit", "gitlab",
    ] {
        let o = stslint(&[
            "--format",
            format,
            "--select",
            "duplicate-env-var",
            "fixtures/duplicate-env-var/fires.yaml",
        ]);
        let all = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
        assert!(all.contains("POSTGRES_PASSWORD"), "{format}: no findings?");
        assert!(
            !all.contains("s3cr3t-duplicated"),
            "{format} printed the value"
        );
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    for format in ["human", "compact"] {
        let one = stslint(&["--format", format, "-j", "1", "examples", "fixtures"]);
        let many = stslint(&["--format", format, "-j", "4", "examples", "fixtures"]);
        assert_eq!(stdout(&one), stdout(&many), "{format}");
        assert!(!one.stdout.is_empty());
    }
    // JSON and SARIF hold no timing (the run's time is only in the summary
    // line on stderr): five runs at one thread and five at eight, over the
    // fixtures and the real corpus, are byte for byte the same.
    let real = root().join("../shared/conformance/real");
    let mut paths = vec!["examples", "fixtures"];
    if real.is_dir() {
        paths.push("../shared/conformance/real");
    }
    for format in ["json", "sarif"] {
        let mut outputs = Vec::new();
        for j in ["1", "8"] {
            for _ in 0..5 {
                let mut args = vec!["--format", format, "-j", j];
                args.extend(&paths);
                outputs.push(stslint(&args).stdout);
            }
        }
        assert!(outputs[0].len() > 1000);
        for (i, o) in outputs.iter().enumerate() {
            assert!(o == &outputs[0], "{format}: run {i} differs");
        }
    }
}

#[test]
fn sarif_has_rules_regions_and_fingerprints() {
    let j = json(&stslint(&["--format", "sarif", "examples/shop-db-bad"]));
    assert_eq!(j["version"], "2.1.0");
    let run = &j["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "stslint");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), stslint::rules::ALL.len());
    for r in rules {
        for k in ["shortDescription", "fullDescription", "help"] {
            assert!(
                r[k]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{} lacks {k}",
                r["id"]
            );
        }
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 14);
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "parallel-database-startup")
        .unwrap();
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        region,
        &serde_json::json!({"startLine": 30, "startColumn": 24, "endLine": 30, "endColumn": 32})
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/shop-db-bad/postgres.yaml"
    );
    assert_eq!(
        r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        50
    );
    assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn fingerprints_survive_unrelated_line_moves() {
    let text = std::fs::read_to_string(root().join("examples/shop-db-bad/postgres.yaml")).unwrap();
    let moved = format!("# a comment\n# and another\n{text}");
    let fp = |t: &str| -> Vec<String> {
        let j = json(&stslint_stdin(&["--format", "sarif", "-"], t));
        j["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(fp(&text), fp(&moved));
}

#[test]
fn parse_failures_are_sarif_notifications() {
    let o = stslint_stdin(
        &["--format", "sarif", "--stdin-filename", "broken.yaml", "-"],
        "a: [1, 2\nb: 3\n",
    );
    let j = json(&o);
    let n = &j["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(n["descriptor"]["id"], "syntax-error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert_eq!(j["runs"][0]["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn annotations_suppress_rules_and_are_counted() {
    let yaml = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  annotations:\n    stslint.io/ignore: missing-backup, missing-pdb\nspec:\n  serviceName: db\n  replicas: 3\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: \"postgres:16\"}]}\n  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce]}}]\n";
    let args = [
        "--format",
        "json",
        "--select",
        "missing-backup",
        "--select",
        "missing-pdb",
        "--select",
        "missing-headless-service",
        "-",
    ];
    let j = json(&stslint_stdin(&args, yaml));
    let rules: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["missing-headless-service"]);
    assert_eq!(j["summary"]["suppressed"], 2);
    // `all` suppresses everything on the object; an unknown id is an input error.
    let j = json(&stslint_stdin(
        &args,
        &yaml.replace("missing-backup, missing-pdb", "all"),
    ));
    assert_eq!(j["findings"], serde_json::json!([]));
    assert_eq!(j["summary"]["suppressed"], 3);
    let o = stslint_stdin(&args, &yaml.replace("missing-pdb", "missing-pbd"));
    assert_eq!(o.status.code(), Some(2));
    let j = json(&o);
    assert_eq!(j["errors"][0]["kind"], "invalid-suppression");
    assert_eq!(
        (
            j["errors"][0]["line"].as_u64(),
            j["errors"][0]["column"].as_u64()
        ),
        (Some(6), Some(24))
    );
}

#[test]
fn rules_and_explain() {
    let list = stdout(&stslint(&["rules"]));
    for e in stslint::rules::ALL {
        assert!(list.contains(e.id), "{}", e.id);
    }
    let doc = stdout(&stslint(&["explain", "parallel-database-startup"]));
    assert!(doc.contains("## Why it matters") && doc.contains("OrderedReady"));
    // Users get public references, never the internal seed documents.
    assert!(doc.contains(
        "\nReferences:\n- StatefulSets: Pod Management Policies: \
         https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-management-policies\n"
    ));
    for e in stslint::rules::ALL {
        let doc = stdout(&stslint(&["explain", e.id]));
        assert!(doc.contains("\nReferences:\n- "), "{}", e.id);
        assert!(!doc.to_lowercase().contains("seed"), "{}", e.id);
    }
    let o = stslint(&["explain", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn gitignored_and_hidden_files_are_skipped_unless_asked() {
    let dir = tempdir("ignore");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".gitignore"), "generated/\n").unwrap();
    std::fs::create_dir_all(dir.join("generated")).unwrap();
    std::fs::copy(
        root().join("fixtures/missing-pdb/fires.yaml"),
        dir.join("generated/zk.yaml"),
    )
    .unwrap();
    // Nothing left to lint: no silent pass (the problem names the
    // directory, as a missing path's does).
    let o = stslint(&["--format", "json", dir.to_str().unwrap()]);
    let j = json(&o);
    assert_eq!(j["summary"]["objects"], 0);
    assert_eq!(j["errors"][0]["kind"], "no-manifests");
    assert_eq!(j["errors"][0]["file"], dir.to_str().unwrap());
    assert_eq!(o.status.code(), Some(2));
    let o = stslint(&["--format", "json", "--no-ignore", dir.to_str().unwrap()]);
    let j = json(&o);
    assert_eq!(j["summary"]["files"], 1);
    assert_eq!(j["summary"]["objects"], 5);
    assert_eq!(j["summary"]["input_errors"], 0);
}

#[test]
fn human_output_snapshots() {
    for case in [
        "examples/shop-db-bad",
        "fixtures/missing-headless-service/across_files",
        "fixtures/missing-headless-service/across_files_not_headless",
        "fixtures/hardcoded-credential/args.yaml",
        "fixtures/single-zone-storage/fires.yaml",
    ] {
        let o = stslint(&["--color", "never", case]);
        let name = case.replace(['/', '.'], "_");
        insta::assert_snapshot!(name, stdout(&o));
    }
}

/// Every `*.yaml`/`*.yml`/`*.json` file below `dir`, sorted, as given on a
/// command line (relative to the crate root).
fn manifest_files(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            manifest_files(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            let rel = p.strip_prefix(root()).unwrap_or(&p);
            out.push(rel.to_string_lossy().into_owned());
        }
    }
}

#[test]
fn output_does_not_depend_on_the_order_of_the_files() {
    let mut files = Vec::new();
    manifest_files(&root().join("fixtures"), &mut files);
    let real = root().join("../shared/conformance/real");
    if real.is_dir() {
        manifest_files(&real, &mut files);
    } else {
        eprintln!("note: ../shared/conformance/real not found; checking fixtures/ only");
    }
    assert!(files.len() > 100, "too few files: {}", files.len());
    let reversed: Vec<String> = files.iter().rev().cloned().collect();
    // A fixed shuffle (Fisher–Yates with a small LCG): reproducible.
    let mut shuffled = files.clone();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..shuffled.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        shuffled.swap(i, (seed >> 33) as usize % (i + 1));
    }
    assert_ne!(shuffled, files);
    // JSON carries everything a finding has (messages, spans, related
    // spans, fingerprints); the human output renders the same outcome and is
    // checked on the fixtures (it is slow on debug builds).
    let fixture_count = files.iter().filter(|f| f.starts_with("fixtures")).count();
    for (format, n) in [("json", files.len()), ("human", fixture_count)] {
        let subset = |order: &[String]| -> Vec<String> {
            let keep: std::collections::HashSet<&String> = files[..n].iter().collect();
            order.iter().filter(|f| keep.contains(f)).cloned().collect()
        };
        let run = |order: &[String]| {
            let mut args = vec!["--format", format, "-q"];
            args.extend(order.iter().map(String::as_str));
            stdout(&stslint(&args))
        };
        let forward = run(&subset(&files));
        assert!(forward.len() > 1000, "{format}: suspiciously little output");
        assert!(
            forward == run(&subset(&reversed)),
            "{format}: reversed file order changes the output"
        );
        assert!(
            forward == run(&subset(&shuffled)),
            "{format}: shuffled file order changes the output"
        );
    }
}

/// Credentials that no finding reports (the rule is not selected, or
/// disabled) are masked in every snippet line too, with a mask that does not
/// reveal their length.
#[test]
fn credentials_are_masked_whatever_rules_run() {
    let dir = tempdir("masked");
    let short = "h2x";
    let long = "Zq8vN3kLp0sW7yTb2mR5cX9dF4gH1j";
    let yaml = format!(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  selector:\n    matchLabels: {{app: db}}\n  template:\n    metadata:\n      labels: {{app: db}}\n    spec:\n      containers:\n      - image: mysql:8.4\n        args: [\"--requirepass\", \"{short}\"]\n        name: db\n        env:\n        - name: DB_PASSWORD\n          value: {short}\n        - name: ADMIN_PASSWORD\n          value: {long}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {long}y\n"
    );
    std::fs::write(dir.join("db.yaml"), &yaml).unwrap();
    // a file that does not parse: the line-based fallback masks it
    std::fs::write(
        dir.join("broken.yaml"),
        format!("apiVersion: v1\nkind: ConfigMap\ndata:\n  password: {long}z\n  bad: [\n"),
    )
    .unwrap();
    let path = dir.to_str().unwrap();
    for sel in [
        ["--select", "missing-resources"],
        ["--disable", "hardcoded-credential"],
    ] {
        for format in ["human", "json", "sarif", "compact"] {
            let o = stslint(&[sel[0], sel[1], "--format", format, "--color", "never", path]);
            let all = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
            for s in [short, long] {
                assert!(!all.contains(s), "{format} {sel:?} printed a credential");
            }
            if format == "human" {
                assert!(all.contains("missing-resources"), "{all}");
                assert!(all.contains("syntax-error"), "{all}");
                // same mask for a 3- and a 31-character password
                assert!(
                    all.contains("args: [\"--requirepass\", \"****\"]\n"),
                    "{all}"
                );
                assert!(all.contains("  password: ****\n"), "{all}");
            }
        }
    }
    // the mask, not the value's length, in the snippet of a finding on it
    let o = stslint(&["--select", "hardcoded-credential", "--color", "never", path]);
    let out = stdout(&o);
    assert!(out.contains("          value: ****\n"), "{out}");
    assert!(!out.contains(short) && !out.contains(long), "{out}");
}

/// A mask is shorter or longer than what it hides; the human header still
/// gives the column of the original file, as compact and JSON do.
#[test]
fn human_header_positions_ignore_masks_before_them_on_the_line() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: example/app:1.0\n    env: [{name: DB_PASSWORD, value: a-rather-long-literal-password}, {name: MODE, value: a}, {name: MODE, value: b}]\n";
    let args = ["--select", "duplicate-env-var", "--color", "never", "-"];
    let human = stdout(&stslint_stdin(&args, yaml));
    assert!(human.contains("╭─[<stdin>:8:102]"), "{human}");
    assert!(!human.contains("a-rather-long"), "{human}");
    let mut compact_args = vec!["--format", "compact"];
    compact_args.extend(args);
    let compact = stdout(&stslint_stdin(&compact_args, yaml));
    assert!(
        compact.starts_with("<stdin>:8:102: warning[duplicate-env-var]"),
        "{compact}"
    );
}

/// kubectl reads a multi-line quoted scalar whose continuation lines are not
/// indented more than its key (invalid YAML); so does stslint, with a note at
/// the first such line, and the file is linted as usual: the exit code is the
/// findings'.
#[test]
fn under_indented_quoted_scalars_are_read_as_kubectl_reads_them() {
    let yaml = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: zk\n  annotations:\n    pod.alpha.kubernetes.io/init-containers: '[\n        {\"name\": \"install\", \"image\": \"busybox\"}\n    ]'\nspec:\n  serviceName: zk\n  replicas: 3\n  selector:\n    matchLabels: {app: zk}\n  template:\n    metadata:\n      labels: {app: zk}\n    spec:\n      containers:\n      - name: zookeeper\n        image: zookeeper:3.9\n";
    let run = |args: &[&str]| {
        stslint_stdin(
            &[
                args,
                &[
                    "--select",
                    "missing-pdb",
                    "--stdin-filename",
                    "zk.yaml",
                    "-",
                ],
            ]
            .concat(),
            yaml,
        )
    };
    let o = run(&["--format", "compact"]);
    assert_eq!(o.status.code(), Some(1), "the warning, not an input error");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        lines[0],
        "zk.yaml:8:5: note[non-standard-yaml] YAML that is not strictly valid: a continuation line of a quoted scalar is not indented more than its key; kubectl accepts this and stslint read it the same way, other tools may not"
    );
    assert!(
        lines[1].starts_with("zk.yaml:11:13: warning[missing-pdb] "),
        "{out}"
    );
    assert_eq!(run(&["--fail-on", "error"]).status.code(), Some(0));
    let j = json(&run(&["--format", "json"]));
    let e = &j["errors"][0];
    assert_eq!(
        (&e["kind"], &e["severity"], &e["line"], &e["column"]),
        (
            &serde_json::json!("non-standard-yaml"),
            &serde_json::json!("note"),
            &serde_json::json!(8),
            &serde_json::json!(5)
        )
    );
    assert_eq!(j["summary"]["input_errors"], 0);
    assert_eq!(j["summary"]["input_notes"], 1);
    assert_eq!(j["findings"][0]["line"], 11);
    let j = json(&run(&["--format", "sarif"]));
    let inv = &j["runs"][0]["invocations"][0];
    assert_eq!(inv["toolExecutionNotifications"][0]["level"], "note");
    assert_eq!(inv["executionSuccessful"], true);
    let o = run(&["--format", "human", "--color", "never"]);
    let err = String::from_utf8_lossy(&o.stderr);
    // The budget the missing-pdb fix would write.
    assert!(
        err.contains("(1 input note, 1 fixable with --fix --unsafe-fixes)"),
        "{err}"
    );
}

#[test]
fn threads_outside_one_to_256_are_usage_errors() {
    for n in ["0", "257", "many"] {
        let o = stslint(&["-j", n, "examples"]);
        assert_eq!(o.status.code(), Some(2), "-j {n}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("invalid value") && err.contains(n),
            "-j {n}: {err}"
        );
        assert!(o.stdout.is_empty(), "-j {n}");
    }
}

#[test]
#[cfg(unix)]
fn threads_that_cannot_start_are_an_error_not_a_panic() {
    // 200 threads reserve 3.2 GB of stacks: under a 1.5 GB address-space
    // limit the pool cannot start.
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 1500000 && exec '{}' -j 200 --format json examples",
            env!("CARGO_BIN_EXE_stslint")
        ))
        .current_dir(root())
        .output()
        .expect("run sh");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot start the worker threads (200)") && err.contains("smaller `-j`"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
#[cfg(unix)]
fn fifos_and_devices_are_skipped_with_a_note_and_never_read() {
    let dir = tempdir("not-files");
    std::fs::copy(
        root().join("fixtures/missing-pdb/fires.yaml"),
        dir.join("a-good.yaml"),
    )
    .unwrap();
    let fifo = dir.join("b-pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let dir_s = dir.to_str().unwrap();
    // In a directory, given by name, and devices that never end or never
    // give data: each a note, the good file linted, no hang, no read.
    let o = stslint_within(
        &[
            "--format",
            "json",
            dir_s,
            fifo.to_str().unwrap(),
            "/dev/zero",
            "/dev/null",
        ],
        20,
    );
    let j = json(&o);
    let notes = input_problems(&j, "not-a-file", "note");
    let pipe = format!("{dir_s}/b-pipe.yaml");
    // Problems are ordered by path; where the temporary directory sorts
    // against `/dev` depends on the checkout, so the expectation is sorted too.
    let mut expected = vec![
        (
            "/dev/null".to_string(),
            "skipped: the path is a device, not a file; only regular files are read".to_string(),
        ),
        (
            "/dev/zero".to_string(),
            "skipped: the path is a device, not a file; only regular files are read".to_string(),
        ),
        (
            pipe.clone(),
            "skipped: the path is a FIFO (named pipe), not a file; only regular files are read"
                .to_string(),
        ),
    ];
    expected.sort();
    assert_eq!(notes, expected);
    assert!(j["findings"].as_array().unwrap().iter().any(
        |f| f["rule"] == "missing-pdb" && f["file"].as_str().unwrap().ends_with("a-good.yaml")
    ));
    // Notes do not fail the run: the exit code is the findings'.
    assert_eq!(o.status.code(), Some(1));
    // SARIF says the same, as notifications.
    let s = stslint_within(&["--format", "sarif", dir_s, "/dev/zero"], 20);
    let sarif: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    let text = sarif.to_string();
    assert!(text.contains("only regular files are read"), "{text}");
}

#[test]
#[cfg(unix)]
fn symlinks_are_followed_and_loops_and_dangling_links_are_located_problems() {
    use std::os::unix::fs::symlink;
    let dir = tempdir("symlinks");
    std::fs::create_dir_all(dir.join("real")).unwrap();
    std::fs::create_dir_all(dir.join("links")).unwrap();
    std::fs::copy(
        root().join("fixtures/missing-pdb/fires.yaml"),
        dir.join("real/a.yaml"),
    )
    .unwrap();
    symlink("../real/a.yaml", dir.join("links/b.yaml")).unwrap();
    symlink(".", dir.join("links/loop")).unwrap();
    symlink("/nonexistent/stslint.yaml", dir.join("links/dangling.yaml")).unwrap();
    let links = dir.join("links");
    let links = links.to_str().unwrap();
    let o = stslint_within(&["--format", "json", links], 20);
    let j = json(&o);
    let errors = input_problems(&j, "io-error", "error");
    assert_eq!(
        errors,
        vec![
            (
                format!("{links}/dangling.yaml"),
                "cannot read: no such file or directory".to_string()
            ),
            (
                format!("{links}/loop"),
                format!("cannot read: a symbolic link loop (back to {links}): not followed")
            ),
        ]
    );
    // The linked manifest is linted under the link's name.
    let files: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&format!("{links}/b.yaml").as_str()),
        "{files:?}"
    );
    assert_eq!(o.status.code(), Some(2));
}
