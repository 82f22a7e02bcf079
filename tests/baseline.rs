//! Baselines as a team adopts them: record today's findings, then see only
//! new ones, from any working directory; stale entries counted and pruned.

use crate::support::{json, run_in, tempdir, write_file as write};

/// A replicated StatefulSet named `name` with no PDB and no backup.
fn statefulset(name: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {name}\nspec:\n  serviceName: {name}\n  replicas: 3\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: db, image: \"postgres:16\"}}]}}\n  volumeClaimTemplates: [{{metadata: {{name: data}}, spec: {{accessModes: [ReadWriteOnce]}}}}]\n"
    )
}

/// (rule, file, line) of the reported findings.
fn reported(j: &serde_json::Value) -> Vec<(String, String, u64)> {
    let list = j["findings"].as_array().expect("findings");
    list.iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

const SELECT: &str = "--select=missing-pdb,missing-backup";

#[test]
fn a_baseline_reports_only_new_findings_from_any_directory() {
    let dir = tempdir("baseline-new");
    write(&dir, "deploy/db.yaml", &statefulset("db"));
    let o = run_in(
        &dir,
        &[
            SELECT,
            "--write-baseline",
            "stslint.baseline.json",
            "deploy",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "writing records, it does not fail"
    );
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("stslint: wrote the baseline stslint.baseline.json: 2 entries"));
    let b: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("stslint.baseline.json")).expect("baseline"),
    )
    .expect("JSON");
    assert_eq!(b["version"], 1);
    let e = &b["findings"][0];
    assert_eq!(
        (
            &e["file"],
            &e["object"],
            &e["rule"],
            &e["field"],
            &e["count"]
        ),
        (
            &"deploy/db.yaml".into(),
            &"StatefulSet/db".into(),
            &"missing-backup".into(),
            &"spec.volumeClaimTemplates".into(),
            &1.into()
        )
    );
    assert!(e.get("line").is_none(), "no line numbers: {e}");
    // Nothing new: exit 0, both findings counted as suppressed by the baseline.
    let o = run_in(
        &dir,
        &[
            SELECT,
            "--baseline",
            "stslint.baseline.json",
            "--format",
            "json",
            "deploy",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let j = json(&o);
    assert_eq!(reported(&j), []);
    assert_eq!(j["summary"]["suppressed"], 2);
    assert_eq!(j["suppressed"][0]["suppression"]["kind"], "external");
    assert_eq!(
        j["suppressed"][0]["suppression"]["via"],
        "baseline `stslint.baseline.json`"
    );
    // Lines moved and a second StatefulSet added, run from another directory.
    let moved = format!(
        "# a comment that moves every line\n{}---\n{}",
        statefulset("db"),
        statefulset("cache")
    );
    write(&dir, "deploy/db.yaml", &moved);
    let o = run_in(
        &dir.join("deploy"),
        &[
            SELECT,
            "--baseline",
            "../stslint.baseline.json",
            "--format",
            "json",
            ".",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    assert_eq!(
        reported(&j),
        [
            ("missing-pdb".to_string(), "db.yaml".to_string(), 21),
            ("missing-backup".to_string(), "db.yaml".to_string(), 26)
        ]
    );
    assert_eq!(j["summary"]["baseline_stale"], 0);
}

#[test]
fn stale_entries_are_counted_and_pruned_on_the_next_write_but_unseen_ones_kept() {
    let dir = tempdir("baseline-prune");
    write(&dir, "a/db.yaml", &statefulset("db"));
    write(&dir, "b/queue.yaml", &statefulset("queue"));
    let o = run_in(
        &dir,
        &[
            "--select=missing-pdb,missing-backup",
            "--write-baseline",
            "base.json",
            "a",
            "b",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    // The PDB arrives for db: its entry is stale.
    let pdb = "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: db}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: db}}\n";
    write(&dir, "a/db.yaml", &format!("{}{pdb}", statefulset("db")));
    let o = run_in(
        &dir,
        &[
            SELECT,
            "--baseline",
            "base.json",
            "--format",
            "json",
            "a",
            "b",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json(&o)["summary"]["baseline_stale"], 1);
    let o = run_in(&dir, &[SELECT, "--baseline", "base.json", "a", "b"]);
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("1 baseline entry no longer found: --write-baseline prunes them"));
    // Rewritten from a run of one rule over one directory: db's stale PDB
    // entry goes; missing-backup's entries and b's are kept, unseen.
    let o = run_in(
        &dir,
        &["--select=missing-pdb", "--write-baseline", "base.json", "a"],
    );
    assert_eq!(o.status.code(), Some(0));
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("base.json")).expect("baseline"))
            .expect("JSON");
    let entries: Vec<(String, String)> = b["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap_or_default().into(),
                e["rule"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("a/db.yaml".to_string(), "missing-backup".to_string()),
            ("b/queue.yaml".to_string(), "missing-backup".to_string()),
            ("b/queue.yaml".to_string(), "missing-pdb".to_string()),
        ]
    );
}

#[test]
fn a_bad_or_missing_baseline_is_a_located_error() {
    let dir = tempdir("baseline-bad");
    write(&dir, "db.yaml", &statefulset("db"));
    let o = run_in(&dir, &["--baseline", "none.json", "db.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("stslint: error: cannot read the baseline none.json: "),
        "{err}"
    );
    write(
        &dir,
        "bad.json",
        "{\n  \"version\": 1,\n  \"findings\": [\n    {\"rule\": 3}\n  ]\n}\n",
    );
    let o = run_in(&dir, &["--baseline", "bad.json", "db.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("stslint: error: bad.json:4:14: not a stslint baseline: invalid type: integer `3`, expected a string"),
        "{err}"
    );
}
