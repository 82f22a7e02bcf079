//! Rendered input attributed to its source (`helm template`'s `# Source:`
//! comment, kustomize's origin annotation), chart directories in a linted
//! tree, and runs that find nothing to lint (issue 8).

use std::process::{Command, Output};

use crate::support::{json, root, stdout, stslint, stslint_stdin, tempdir};

const HELM: &str = "tests/data/rendered/helm/rendered.yaml";
const TEMPLATE: &str = "pgchart/templates/statefulset.yaml";
const SELECT: &str = "parallel-database-startup,mutable-image-tag,missing-pdb";

fn helm_text() -> String {
    std::fs::read_to_string(root().join(HELM)).expect("the committed helm output")
}

/// (rule, file, line, column, origin path, origin via) of each finding.
fn located(j: &serde_json::Value) -> Vec<(String, String, u64, u64, String, String)> {
    j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["origin"]["path"].as_str().unwrap_or("-").to_string(),
                f["origin"]["via"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

fn row(
    rule: &str,
    file: &str,
    line: u64,
    col: u64,
    origin: &str,
    via: &str,
) -> (String, String, u64, u64, String, String) {
    (
        rule.into(),
        file.into(),
        line,
        col,
        origin.into(),
        via.into(),
    )
}

#[test]
fn helm_output_on_stdin_names_the_template_of_each_finding() {
    let o = stslint_stdin(&["--format", "json", "--select", SELECT, "-"], &helm_text());
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    assert_eq!(
        located(&j),
        [
            row("missing-pdb", "<stdin>", 49, 13, TEMPLATE, "helm"),
            row(
                "parallel-database-startup",
                "<stdin>",
                51,
                24,
                TEMPLATE,
                "helm"
            ),
            row("mutable-image-tag", "<stdin>", 65, 18, TEMPLATE, "helm"),
        ]
    );
    assert_eq!(
        j["findings"][0]["origin"]["remote"],
        serde_json::Value::Null
    );
    // --origin-root: the directory that holds the chart.
    let o = stslint_stdin(
        &[
            "--format",
            "json",
            "--select",
            "parallel-database-startup",
            "--origin-root",
            "./deploy/charts/",
            "-",
        ],
        &helm_text(),
    );
    assert_eq!(
        located(&json(&o)),
        [row(
            "parallel-database-startup",
            "<stdin>",
            51,
            24,
            "deploy/charts/pgchart/templates/statefulset.yaml",
            "helm"
        )]
    );
}

#[test]
fn helm_output_as_a_file_keeps_its_positions_and_names_the_template() {
    let o = stslint(&["--format", "json", "--select", SELECT, HELM]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        located(&json(&o)),
        [
            row("missing-pdb", HELM, 49, 13, TEMPLATE, "helm"),
            row("parallel-database-startup", HELM, 51, 24, TEMPLATE, "helm"),
            row("mutable-image-tag", HELM, 65, 18, TEMPLATE, "helm"),
        ]
    );
    // A document without a `# Source:` comment has no origin.
    let plain = json(&stslint(&[
        "--format",
        "json",
        "--select",
        "missing-pdb",
        "fixtures/missing-pdb/fires.yaml",
    ]));
    assert_eq!(plain["findings"][0]["rule"], "missing-pdb");
    assert_eq!(plain["findings"][0]["origin"], serde_json::Value::Null);
}

#[test]
fn text_formats_show_the_origin() {
    let sel = ["--select", "parallel-database-startup"];
    let human = stdout(&stslint(&[&sel[..], &[HELM]].concat()));
    assert!(
        human.contains(&format!(
            "\n  = origin: {TEMPLATE} (rendered by helm; line 51 is in the rendered output)\n"
        )),
        "{human}"
    );
    assert!(human.contains(&format!("╭─[{HELM}:51:24]")), "{human}");
    let compact = stdout(&stslint(
        &[&sel[..], &["--format", "compact", HELM]].concat(),
    ));
    assert!(
        compact.starts_with(&format!("{HELM}:51:24: warning[parallel-database-startup] StatefulSet `shop-pgchart` runs PostgreSQL")),
        "{compact}"
    );
    assert!(
        compact.ends_with(&format!(
            " [origin: {TEMPLATE} (rendered by helm; line 51 is in the rendered output)]\n"
        )),
        "{compact}"
    );
    // On standard input the template is the file (no line of it is known).
    let compact = stdout(&stslint_stdin(
        &[&sel[..], &["--format", "compact", "-"]].concat(),
        &helm_text(),
    ));
    assert!(
        compact.starts_with(&format!("{TEMPLATE}: warning[parallel-database-startup] ")),
        "{compact}"
    );
    assert!(
        compact.ends_with(" (rendered by helm at <stdin>:51:24)\n"),
        "{compact}"
    );
    let github = stdout(&stslint_stdin(
        &[&sel[..], &["--format", "github", "-"]].concat(),
        &helm_text(),
    ));
    assert!(
        github.starts_with(
            "::warning file=pgchart/templates/statefulset.yaml,title=parallel-database-startup::"
        ),
        "{github}"
    );
    assert!(
        github.ends_with("%0Arendered by helm at <stdin>:51:24\n"),
        "{github}"
    );
    let github = stdout(&stslint(
        &[&sel[..], &["--format", "github", HELM]].concat(),
    ));
    assert!(
        github.starts_with(&format!("::warning file={HELM},line=51,col=24,endLine=51,endColumn=32,title=parallel-database-startup::")),
        "{github}"
    );
    assert!(
        github.ends_with(&format!(
            "%0Aorigin: {TEMPLATE} (rendered by helm; line 51 is in the rendered output)\n"
        )),
        "{github}"
    );
}

#[test]
fn sarif_puts_rendered_stdin_on_the_template() {
    let sel = ["--select", "parallel-database-startup", "--format", "sarif"];
    let s = json(&stslint_stdin(&[&sel[..], &["-"]].concat(), &helm_text()));
    let r = &s["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "parallel-database-startup");
    let pl = &r["locations"][0]["physicalLocation"];
    assert_eq!(pl["artifactLocation"]["uri"], TEMPLATE);
    assert_eq!(pl["region"], serde_json::json!({ "startLine": 1 }));
    let rendered = &r["properties"]["rendered"];
    assert_eq!(rendered["artifactLocation"]["uri"], "%3Cstdin%3E");
    assert_eq!(
        rendered["region"],
        serde_json::json!({ "startLine": 51, "startColumn": 24, "endLine": 51, "endColumn": 32 })
    );
    assert_eq!(r["properties"]["origin"]["path"], TEMPLATE);
    assert_eq!(r["properties"]["origin"]["via"], "helm");
    let text = r["message"]["text"].as_str().unwrap_or_default();
    assert!(
        text.ends_with(
            "\nrendered by helm at <stdin>:51:24 (the line in the template is not known)"
        ),
        "{text}"
    );
    // A rendered file in the repository keeps its exact location; the
    // template is a related location.
    let s = json(&stslint(&[&sel[..], &[HELM]].concat()));
    let r = &s["runs"][0]["results"][0];
    let pl = &r["locations"][0]["physicalLocation"];
    assert_eq!(pl["artifactLocation"]["uri"], HELM);
    assert_eq!(pl["region"]["startLine"], 51);
    assert_eq!(pl["region"]["startColumn"], 24);
    let related = r["relatedLocations"].as_array().expect("related");
    let last = &related[related.len() - 1];
    assert_eq!(
        last["physicalLocation"]["artifactLocation"]["uri"],
        TEMPLATE
    );
    assert_eq!(last["id"], related.len());
    assert_eq!(
        last["message"]["text"],
        "the template this object was rendered from by helm (line 51 is in the rendered output)"
    );
}

/// The real kustomize (kubectl's), when this machine has it; CI sets
/// `STSLINT_REQUIRE_KUBECTL=1`, which makes a missing kubectl a failure.
fn kustomize(dir: &str) -> Option<String> {
    let required = std::env::var_os("STSLINT_REQUIRE_KUBECTL").is_some_and(|v| v == "1");
    let out: std::io::Result<Output> = Command::new("kubectl")
        .args(["kustomize", dir])
        .current_dir(root())
        .output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) if required => panic!(
            "kubectl kustomize {dir} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) if required => panic!("STSLINT_REQUIRE_KUBECTL=1 but kubectl cannot run: {e}"),
        Ok(o) => {
            eprintln!(
                "skipped: kubectl kustomize failed here ({}); set STSLINT_REQUIRE_KUBECTL=1 to fail instead",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            None
        }
        Err(e) => {
            eprintln!("skipped: kubectl is not installed ({e}); set STSLINT_REQUIRE_KUBECTL=1 to fail instead");
            None
        }
    }
}

#[test]
fn kustomize_build_output_names_the_base_and_overlay_files() {
    let overlay = "tests/data/rendered/kustomize/overlays/prod";
    let Some(built) = kustomize(overlay) else {
        return;
    };
    let sel = "parallel-database-startup,pdb-blocks-eviction,missing-pdb";
    let o = stslint_stdin(
        &[
            "--format",
            "json",
            "--select",
            sel,
            "--origin-root",
            overlay,
            "-",
        ],
        &built,
    );
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    let base = "tests/data/rendered/kustomize/base/statefulset.yaml";
    let pdb = "tests/data/rendered/kustomize/overlays/prod/pdb.yaml";
    assert_eq!(
        located(&j),
        [
            row(
                "parallel-database-startup",
                "<stdin>",
                25,
                24,
                base,
                "kustomize"
            ),
            row("pdb-blocks-eviction", "<stdin>", 49, 19, pdb, "kustomize"),
        ]
    );
    // The origins are the repository's files.
    for f in [base, pdb] {
        assert!(root().join(f).is_file(), "{f}");
    }
    // Without --origin-root: as kustomize wrote them, relative to the
    // kustomization directory.
    let o = stslint_stdin(&["--format", "json", "--select", sel, "-"], &built);
    assert_eq!(
        located(&json(&o)),
        [
            row(
                "parallel-database-startup",
                "<stdin>",
                25,
                24,
                "../../base/statefulset.yaml",
                "kustomize"
            ),
            row(
                "pdb-blocks-eviction",
                "<stdin>",
                49,
                19,
                "pdb.yaml",
                "kustomize"
            ),
        ]
    );
    // SARIF: the base file is the location code scanning shows.
    let s = json(&stslint_stdin(
        &[
            "--format",
            "sarif",
            "--select",
            sel,
            "--origin-root",
            overlay,
            "-",
        ],
        &built,
    ));
    let uris: Vec<&str> = s["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(uris, [base, pdb]);
}

#[test]
fn a_remote_kustomize_origin_is_named_but_not_used_as_the_file() {
    let text = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: db\n  annotations:\n    config.kubernetes.io/origin: |\n      path: deploy/pdb.yaml\n      repo: https://github.com/example/platform\n      ref: v1.2.0\nspec:\n  maxUnavailable: 0\n  selector: {matchLabels: {app: db}}\n";
    let sel = ["--select", "pdb-blocks-eviction"];
    let j = json(&stslint_stdin(
        &[&sel[..], &["--format", "json", "--origin-root", "x", "-"]].concat(),
        text,
    ));
    assert_eq!(
        located(&j),
        [row(
            "pdb-blocks-eviction",
            "<stdin>",
            11,
            19,
            "deploy/pdb.yaml",
            "kustomize"
        )]
    );
    assert_eq!(
        j["findings"][0]["origin"]["remote"],
        "https://github.com/example/platform?ref=v1.2.0"
    );
    let compact = stdout(&stslint_stdin(
        &[&sel[..], &["--format", "compact", "-"]].concat(),
        text,
    ));
    assert!(
        compact.starts_with("<stdin>:11:19: warning[pdb-blocks-eviction] "),
        "{compact}"
    );
    assert!(
        compact.ends_with(" [origin: deploy/pdb.yaml in https://github.com/example/platform?ref=v1.2.0 (rendered by kustomize; line 11 is in the rendered output)]\n"),
        "{compact}"
    );
}

const TREE: &str = "tests/data/rendered/tree";
const CHART: &str = "tests/data/rendered/tree/charts/pgchart";

#[test]
fn a_chart_directory_in_a_tree_is_skipped_with_one_note() {
    let o = stslint(&["--format", "json", "--select", "mutable-image-tag", TREE]);
    // The note does not change the exit code: the finding does.
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    assert_eq!(
        j["errors"],
        serde_json::json!([{
            "kind": "helm-chart",
            "severity": "note",
            "message": format!("skipped helm chart {CHART}: templates are rendered by helm; lint the output: helm template {CHART} | stslint -"),
            "help": null,
            "file": CHART,
            "line": null,
            "column": null,
        }])
    );
    assert_eq!(
        located(&j),
        [row(
            "mutable-image-tag",
            "tests/data/rendered/tree/app/cache.yaml",
            15,
            16,
            "-",
            "-"
        )]
    );
    let o = stslint(&["--select", "mutable-image-tag", "--fail-on", "none", TREE]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o).matches("skipped helm chart").count(),
        1,
        "{}",
        stdout(&o)
    );
    // The chart named itself: the same note; nothing else is linted, so the
    // run found no object (an error unless --allow-empty).
    let o = stslint(&["--format", "json", CHART]);
    let j = json(&o);
    assert_eq!(j["errors"][0]["kind"], "helm-chart");
    assert_eq!(j["errors"][1]["kind"], "no-manifests");
    assert_eq!(o.status.code(), Some(2));
    let o = stslint(&["--format", "json", "--allow-empty", CHART]);
    assert_eq!(o.status.code(), Some(0));
    // A template named explicitly is read, and is the usual located error.
    let tpl = format!("{CHART}/templates/statefulset.yaml");
    let o = stslint(&["--format", "json", &tpl]);
    assert_eq!(o.status.code(), Some(2));
    let j = json(&o);
    assert_eq!(j["errors"][0]["kind"], "helm-template");
    assert_eq!(j["errors"][0]["file"], tpl.as_str());
    assert_eq!(
        (
            j["errors"][0]["line"].as_u64(),
            j["errors"][0]["column"].as_u64()
        ),
        (Some(4), Some(9))
    );
    assert_eq!(j["errors"].as_array().map(Vec::len), Some(1));
}

#[test]
fn finding_nothing_to_lint_is_an_error_unless_allowed() {
    let empty = tempdir("rendered-empty");
    let dir = empty.display().to_string();
    let o = stslint(&["--no-config", "--format", "json", &dir]);
    assert_eq!(o.status.code(), Some(2));
    let j = json(&o);
    assert_eq!(
        j["errors"],
        serde_json::json!([{
            "kind": "no-manifests",
            "severity": "error",
            "message": format!("no Kubernetes object found in `{dir}` (directories walked for *.yaml, *.yml and *.json, honouring .gitignore)"),
            "help": "check the paths (and the config's exclude); pass --allow-empty if linting nothing is expected",
            "file": dir,
            "line": null,
            "column": null,
        }])
    );
    let o = stslint(&["--no-config", "--allow-empty", &dir]);
    assert_eq!(o.status.code(), Some(0));
    let human = stdout(&o);
    assert!(human.contains("nothing was linted"), "{human}");
    // Empty standard input, and one with only a comment.
    for text in ["", "# nothing here\n---\n"] {
        let o = stslint_stdin(&["--format", "compact", "-"], text);
        assert_eq!(o.status.code(), Some(2), "{text:?}");
        assert_eq!(
            stdout(&o),
            "<stdin>: error[no-manifests] no Kubernetes object found in `<stdin>` (standard input)\n"
        );
        let o = stslint_stdin(&["--format", "compact", "--allow-empty", "-"], text);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(
            stdout(&o),
            "<stdin>: note[no-manifests] no Kubernetes object found in `<stdin>` (standard input); nothing was linted\n"
        );
    }
    // Documents that are not objects are listed, and do not count.
    let o = stslint_stdin(&["--format", "compact", "-"], "a: 1\n---\nb: 2\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains(
            "no Kubernetes object found in `<stdin>` (standard input); 2 documents skipped"
        ),
        "{}",
        stdout(&o)
    );
    // Everything excluded by the config file.
    let d = tempdir("rendered-excluded");
    std::fs::create_dir_all(d.join("db")).expect("mkdir");
    std::fs::copy(
        root().join("fixtures/missing-pdb/fires.yaml"),
        d.join("db/sts.yaml"),
    )
    .expect("copy");
    std::fs::write(d.join(".stslint.yaml"), "exclude: [db]\n").expect("config");
    let dir = d.display().to_string();
    // Without the config the file is linted.
    let o = stslint(&["--no-config", "--select", "missing-pdb", &dir]);
    assert_eq!(o.status.code(), Some(1));
    let o = stslint(&["--format", "json", &dir]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        json(&o)["errors"][0]["message"],
        format!("no Kubernetes object found in `{dir}` (directories walked for *.yaml, *.yml and *.json, honouring .gitignore and the config file's include and exclude)")
    );
}
