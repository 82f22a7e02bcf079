//! What the pre-commit hook runs: `--context-dirs` lints the named (staged)
//! files with the manifests beside them and reports only on the named ones.
//! `.ci/run` drives the real `pre-commit try-repo` through the same hook.

use std::path::Path;

use crate::support::{run_in, stdout, tempdir, write_file as write};

const STS: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  replicas: 3\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: \"postgres:16\"}]}\n";
const SVC: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  clusterIP: None\n  selector: {app: db}\n  ports: [{port: 5432, name: pg}]\n";
/// A Service whose selector selects nothing: a finding in a context file.
const DANGLING: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: orphan}\nspec:\n  selector: {app: gone}\n  ports: [{port: 80}]\n";

const ARGS: &[&str] = &[
    "--format",
    "compact",
    "-q",
    "--select",
    "missing-headless-service,missing-pdb,dangling-selector",
];

fn run(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = ARGS.to_vec();
    args.extend_from_slice(extra);
    let o = run_in(dir, &args);
    (o.status.code(), stdout(&o))
}

#[test]
fn a_named_file_links_with_its_directory_and_only_it_is_reported() {
    let dir = tempdir("precommit-context");
    write(&dir, "deploy/db.yaml", STS);
    write(&dir, "deploy/svc.yaml", SVC);
    write(&dir, "deploy/orphan.yaml", DANGLING);
    write(&dir, "deploy/sub/other.yaml", DANGLING);
    // Alone, the StatefulSet has no headless Service.
    let (code, out) = run(&dir, &["deploy/db.yaml"]);
    assert_eq!(code, Some(1));
    assert!(
        out.starts_with("deploy/db.yaml:6:16: error[missing-headless-service]"),
        "{out}"
    );
    // With its directory as context, the Service in svc.yaml counts; the
    // dangling Service in orphan.yaml is context, not reported; sub/ is not read.
    let (code, out) = run(&dir, &["--context-dirs", "deploy/db.yaml"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "deploy/db.yaml:7:13: warning[missing-pdb] StatefulSet `db` runs 3 replicas and no PodDisruptionBudget in the same namespace selects its pods: a node drain may evict them all at once\n"
    );
    // Staging only the Service: nothing to report on it.
    let (code, out) = run(&dir, &["--context-dirs", "deploy/svc.yaml"]);
    assert_eq!((code, out.as_str()), (Some(0), ""));
    // A file named from its own directory: `./x` and `x` are one file.
    let (code, out) = run(
        &dir.join("deploy"),
        &["--context-dirs", "orphan.yaml", "db.yaml"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        out.lines()
            .map(|l| l.split(' ').next().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["db.yaml:7:13:", "orphan.yaml:5:3:"]
    );
}

#[test]
fn the_hook_definition_runs_stslint_on_staged_yaml_and_json_in_one_process() {
    let text = std::fs::read_to_string(crate::support::root().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml");
    let hooks: serde_json::Value = serde_json::to_value(
        stslint::yaml::parse_documents(&stslint::source::SourceFile::new("hooks", text))
            .expect("YAML")[0]
            .to_json(),
    )
    .expect("JSON");
    let h = &hooks[0];
    assert_eq!(h["id"], "stslint");
    assert_eq!(h["entry"], "stslint --context-dirs --allow-empty");
    assert_eq!(h["language"], "rust");
    assert_eq!(h["types_or"], serde_json::json!(["yaml", "json"]));
    assert_eq!(h["require_serial"], true);
}

#[test]
fn staged_chart_templates_and_non_kubernetes_yaml_pass_with_a_note() {
    let dir = tempdir("precommit-chart");
    write(
        &dir,
        "charts/db/Chart.yaml",
        "apiVersion: v2\nname: db\nversion: 0.1.0\n",
    );
    write(
        &dir,
        "charts/db/templates/sts.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    write(&dir, "ci/workflow.yml", "on: push\njobs: {}\n");
    let staged = [
        "charts/db/templates/sts.yaml",
        "charts/db/Chart.yaml",
        "ci/workflow.yml",
    ];
    let mut args = vec!["--context-dirs", "--allow-empty"];
    args.extend(staged);
    let (code, out) = run(&dir, &args);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.starts_with("charts/db: note[helm-chart] skipped helm chart charts/db: templates are rendered by helm; lint the output: helm template charts/db | stslint -\n"), "{out}");
    assert!(
        out.lines()
            .nth(1)
            .is_some_and(|l| l
                .contains(": note[no-manifests] no Kubernetes object found in `charts/db/templates/sts.yaml`, `charts/db/Chart.yaml`, `ci/workflow.yml`")),
        "{out}"
    );
}
