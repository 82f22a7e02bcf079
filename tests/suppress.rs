//! Suppressions as users write them: annotations on the object or its pod
//! template with a reason, `# stslint-ignore` comments, the peers'
//! annotations, and the notes for suppressions that suppress nothing.

use serde_json::Value;

use crate::support::{json, stslint_stdin};

/// (rule, line, column) of each reported finding.
fn reported(j: &Value) -> Vec<(String, u64, u64)> {
    let list = j["findings"].as_array().expect("findings");
    list.iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// (rule, line, via, reason) of each suppressed finding.
fn suppressed(j: &Value) -> Vec<(String, u64, String, Option<String>)> {
    let list = j["suppressed"].as_array().expect("suppressed");
    list.iter()
        .map(|f| {
            let s = &f["suppression"];
            assert_eq!(s["kind"], "inSource", "{f}");
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                s["via"].as_str().unwrap_or_default().to_string(),
                s["reason"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// (kind, line, column, message) of each input problem.
fn problems(j: &Value) -> Vec<(String, u64, u64, String)> {
    let list = j["errors"].as_array().expect("errors");
    list.iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap_or_default().to_string(),
                p["line"].as_u64().unwrap_or_default(),
                p["column"].as_u64().unwrap_or_default(),
                p["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

const RULES: &str = "missing-pdb,missing-backup,missing-anti-affinity,missing-resources,missing-liveness-probe,missing-readiness-probe,mutable-image-tag";

/// A replicated PostgreSQL StatefulSet that fires every rule in [`RULES`];
/// `{meta}` goes into its metadata, `{pod}` into its pod template's.
fn statefulset(meta: &str, pod: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
{meta}spec:
  serviceName: db
  replicas: 3
  selector:
    matchLabels: {{app: db}}
  template:
    metadata:
      labels: {{app: db}}
{pod}    spec:
      containers:
      - name: db
        image: postgres
  volumeClaimTemplates: [{{metadata: {{name: data}}, spec: {{accessModes: [ReadWriteOnce]}}}}]
"
    )
}

fn run(args: &[&str], yaml: &str) -> (Option<i32>, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    all.push("-");
    let o = stslint_stdin(&all, yaml);
    (o.status.code(), json(&o))
}

#[test]
fn unsuppressed_the_statefulset_fires_every_rule() {
    let (code, j) = run(&["--select", RULES], &statefulset("", ""));
    assert_eq!(code, Some(1));
    let mut rules: Vec<String> = reported(&j).into_iter().map(|f| f.0).collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            "missing-anti-affinity",
            "missing-backup",
            "missing-liveness-probe",
            "missing-pdb",
            "missing-readiness-probe",
            "missing-resources",
            "mutable-image-tag"
        ]
    );
    assert_eq!(j["summary"]["suppressed"], 0);
}

#[test]
fn the_pod_template_annotation_suppresses_with_its_reason() {
    let pod = "      annotations:\n        stslint.io/ignore: missing-pdb, missing-backup\n        stslint.io/ignore-reason: the operator owns PDBs and backups\n";
    let (_, j) = run(&["--select", RULES], &statefulset("", pod));
    let via = "annotation `stslint.io/ignore` on the pod template".to_string();
    let reason = Some("the operator owns PDBs and backups".to_string());
    let mut s = suppressed(&j);
    s.sort();
    assert_eq!(
        s,
        [
            ("missing-backup".into(), 20, via.clone(), reason.clone()),
            ("missing-pdb".into(), 7, via, reason)
        ]
    );
    assert_eq!(j["summary"]["suppressed"], 2);
    assert!(!reported(&j).iter().any(|f| f.0 == "missing-pdb"));
    assert_eq!(problems(&j), []);
}

#[test]
fn comments_suppress_on_their_line_or_the_next_content_line() {
    let yaml = statefulset("", "")
        .replace(
            "      - name: db\n",
            "      # stslint-ignore missing-liveness-probe, missing-readiness-probe: the operator probes\n\n      - name: db  # stslint-ignore missing-resources: sized by the VPA\n",
        )
        .replace(
            "image: postgres\n",
            "image: postgres  # stslint-ignore mutable-image-tag\n",
        );
    let (code, j) = run(&["--select", RULES], &yaml);
    assert_eq!(code, Some(1));
    let via = "comment `# stslint-ignore`".to_string();
    assert_eq!(
        suppressed(&j),
        [
            (
                "missing-liveness-probe".into(),
                17,
                via.clone(),
                Some("the operator probes".into())
            ),
            (
                "missing-readiness-probe".into(),
                17,
                via.clone(),
                Some("the operator probes".into())
            ),
            (
                "missing-resources".into(),
                17,
                via.clone(),
                Some("sized by the VPA".into())
            ),
            ("mutable-image-tag".into(), 18, via, None),
        ]
    );
    let mut left: Vec<String> = reported(&j).into_iter().map(|f| f.0).collect();
    left.sort();
    assert_eq!(
        left,
        ["missing-anti-affinity", "missing-backup", "missing-pdb"]
    );
    assert_eq!(problems(&j), []);
}

#[test]
fn a_suppression_that_suppresses_nothing_is_a_note_naming_what_it_names() {
    // The annotation names a rule that does not fire; the comment covers a
    // line with no finding; the text in the ConfigMap's script is no comment.
    let yaml = statefulset(
        "  annotations:\n    stslint.io/ignore: missing-pdb, even-quorum-replicas\n",
        "",
    )
    .replace(
        "    spec:\n      containers:",
        "    spec:  # stslint-ignore missing-resources\n      containers:",
    ) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: script}\ndata:\n  run.sh: |\n    # stslint-ignore missing-pdb\n    echo hi\n";
    let (code, j) = run(
        &["--select", &format!("{RULES},even-quorum-replicas")],
        &yaml,
    );
    assert_eq!(code, Some(1), "notes do not change the exit code");
    assert_eq!(
        problems(&j),
        [
            (
                "unused-suppression".into(),
                6,
                24,
                "the annotation `stslint.io/ignore` of StatefulSet `db` suppresses `even-quorum-replicas`, which reports nothing on it".into()
            ),
            (
                "unused-suppression".into(),
                15,
                12,
                "this `# stslint-ignore` comment suppresses `missing-resources`, which reports nothing on the line it covers".into()
            ),
        ]
    );
    assert!(j["errors"]
        .as_array()
        .is_some_and(|e| e.iter().all(|p| p["severity"] == "note")));
    // A rule that did not run never makes its suppression look unused.
    let (_, j) = run(&["--select", "missing-pdb"], &yaml);
    assert_eq!(problems(&j), []);
    assert_eq!(j["summary"]["suppressed"], 1);
}

#[test]
fn an_unknown_rule_in_a_comment_is_an_input_error_with_a_suggestion() {
    let yaml = statefulset("", "").replace(
        "image: postgres\n",
        "image: postgres  # stslint-ignore mutable-imag-tag: pinned by digest upstream\n",
    );
    let (code, j) = run(&["--select", RULES], &yaml);
    assert_eq!(code, Some(2));
    let p = &j["errors"][0];
    assert_eq!(p["kind"], "invalid-suppression");
    assert_eq!(
        (p["line"].as_u64(), p["column"].as_u64()),
        (Some(16), Some(26))
    );
    assert_eq!(
        p["message"],
        "the comment `# stslint-ignore` names unknown rule(s): mutable-imag-tag"
    );
    assert_eq!(
        p["help"],
        "did you mean `mutable-imag-tag` → `mutable-image-tag`? (use rule ids from `stslint rules`, or `all`)"
    );
}

#[test]
fn the_peers_annotations_suppress_the_rules_their_checks_map_to() {
    let meta = "  annotations:
    ignore-check.kube-linter.io/no-anti-affinity: spread by the operator
    kube-score/ignore: statefulset-has-poddisruptionbudget
    polaris.fairwinds.com/livenessProbeMissing-exempt: \"true\"
    polaris.fairwinds.com/readinessProbeMissing-exempt: \"false\"
    checkov.io/skip1: CKV_K8S_14=pinned by the registry
    ignore-check.kube-linter.io/no-read-only-root-fs: not a stslint rule
";
    let (_, j) = run(&["--select", RULES], &statefulset(meta, ""));
    let mut s: Vec<(String, String, Option<String>)> = suppressed(&j)
        .into_iter()
        .map(|(rule, _, via, reason)| (rule, via, reason))
        .collect();
    s.sort();
    assert_eq!(
        s,
        [
            (
                "missing-anti-affinity".into(),
                "annotation `ignore-check.kube-linter.io/no-anti-affinity`".into(),
                Some("spread by the operator".into())
            ),
            (
                "missing-liveness-probe".into(),
                "annotation `polaris.fairwinds.com/livenessProbeMissing-exempt`".into(),
                None
            ),
            (
                "missing-pdb".into(),
                "annotation `kube-score/ignore`".into(),
                None
            ),
            (
                "mutable-image-tag".into(),
                "annotation `checkov.io/skip1`".into(),
                Some("pinned by the registry".into())
            ),
        ]
    );
    // `false` exempts nothing; a peer's annotation is never reported as unused.
    assert!(reported(&j)
        .iter()
        .any(|f| f.0 == "missing-readiness-probe"));
    assert_eq!(problems(&j), []);
}

#[test]
fn a_partial_peer_check_suppresses_only_the_findings_that_mention_it() {
    // missing-resources reports the memory limit alone here: Polaris's
    // memoryLimitsMissing covers it, cpuRequestsMissing would not.
    let yaml = statefulset(
        "  annotations:\n    polaris.fairwinds.com/cpuRequestsMissing-exempt: \"true\"\n",
        "",
    )
    .replace(
        "image: postgres\n",
        "image: postgres\n        resources: {requests: {cpu: 1, memory: 1Gi}}\n",
    );
    let (_, j) = run(&["--select", "missing-resources"], &yaml);
    assert_eq!(reported(&j), [("missing-resources".into(), 19, 9)]);
    let yaml = yaml.replace("cpuRequestsMissing", "memoryLimitsMissing");
    let (code, j) = run(&["--select", "missing-resources"], &yaml);
    assert_eq!((code, reported(&j)), (Some(0), vec![]));
}

#[test]
fn sarif_lists_suppressed_findings_as_results_with_suppressions() {
    let pod = "      annotations:\n        stslint.io/ignore: missing-pdb\n        stslint.io/ignore-reason: one PDB per namespace, managed by the platform\n";
    let o = stslint_stdin(
        &[
            "--format",
            "sarif",
            "--select",
            "missing-pdb,missing-backup",
            "-",
        ],
        &statefulset("", pod),
    );
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    let results = j["runs"][0]["results"].as_array().expect("results");
    let shown: Vec<(&str, Option<&Value>)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or_default(),
                r.get("suppressions"),
            )
        })
        .collect();
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[0], ("missing-backup", None));
    assert_eq!(shown[1].0, "missing-pdb");
    assert_eq!(
        shown[1].1,
        Some(&serde_json::json!([{
            "kind": "inSource",
            "status": "accepted",
            "justification": "annotation `stslint.io/ignore` on the pod template: one PDB per namespace, managed by the platform"
        }]))
    );
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
}
