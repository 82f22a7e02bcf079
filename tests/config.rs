//! `.stslint.yaml` as a project uses it: found by walking up, each setting
//! applied, errors located with a suggestion, `init`, `--show-config`, and the
//! published JSON Schema in step with the loader.

use std::process::Output;

use crate::support::{root, run_in, stdout, tempdir, write_file as write};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `rule@line:col severity` of each compact line, sorted as printed.
fn findings(o: &Output) -> Vec<String> {
    stdout(o)
        .lines()
        .map(|l| {
            let (loc, rest) = l.split_once(": ").expect("compact line");
            let (sev, rest) = rest.split_once('[').expect("severity");
            let rule = rest.split(']').next().expect("rule");
            let file_line_col: Vec<&str> = loc.rsplitn(3, ':').collect();
            format!(
                "{} {rule}@{}:{} {sev}",
                file_line_col[2], file_line_col[1], file_line_col[0]
            )
        })
        .collect()
}

/// A PostgreSQL StatefulSet with its data in claims, started in parallel.
const POSTGRES: &str = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: pg
spec:
  serviceName: pg
  replicas: 3
  podManagementPolicy: Parallel
  selector:
    matchLabels: {app: pg}
  template:
    metadata:
      labels: {app: pg}
    spec:
      containers:
      - name: pg
        image: IMAGE
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
";

fn postgres(image: &str) -> String {
    POSTGRES.replace("IMAGE", image)
}

const VELERO: &str = "\
apiVersion: velero.io/v1
kind: Schedule
metadata:
  name: nightly
  namespace: velero
spec:
  schedule: \"0 1 * * *\"
  template: {}
";

/// The findings of these rules only.
fn of(o: &Output, rules: &[&str]) -> Vec<String> {
    findings(o)
        .into_iter()
        .filter(|f| rules.iter().any(|r| f.contains(&format!(" {r}@"))))
        .collect()
}

#[test]
fn found_by_walking_up_and_applied() {
    let d = tempdir("config-walk");
    write(
        &d,
        ".stslint.yaml",
        "fail-on: error\nrules:\n  parallel-database-startup: error\n  missing-pdb: off\n",
    );
    write(&d, "deploy/db/pg.yaml", &postgres("postgres:16.4"));
    let rules = ["parallel-database-startup", "missing-pdb"];
    // From the directory above, naming the manifest's directory.
    let o = run_in(&d, &["-q", "--format=compact", "deploy/db"]);
    assert_eq!(
        of(&o, &rules),
        ["deploy/db/pg.yaml parallel-database-startup@8:24 error"]
    );
    assert_eq!(o.status.code(), Some(1), "fail-on error, and an error");
    // From inside, naming the file: the same config.
    let o = run_in(&d.join("deploy"), &["-q", "--format=compact", "db/pg.yaml"]);
    assert_eq!(
        of(&o, &rules),
        ["db/pg.yaml parallel-database-startup@8:24 error"]
    );
    // `--no-config`: the defaults (missing-pdb back, warnings).
    let o = run_in(&d, &["-q", "--format=compact", "--no-config", "deploy"]);
    assert_eq!(
        of(&o, &rules),
        [
            "deploy/db/pg.yaml missing-pdb@7:13 warning",
            "deploy/db/pg.yaml parallel-database-startup@8:24 warning",
        ]
    );
    // The command line wins over the file: `--fail-on`, and `--select`
    // runs a rule the file turns off.
    let o = run_in(&d, &["-q", "--format=compact", "--fail-on=none", "deploy"]);
    assert_eq!(o.status.code(), Some(0));
    let o = run_in(
        &d,
        &["-q", "--format=compact", "--select=missing-pdb", "deploy"],
    );
    assert_eq!(findings(&o), ["deploy/db/pg.yaml missing-pdb@7:13 warning"]);
    // `--config` names another file.
    write(&d, "other.yaml", "rules: {missing-pdb: note}\n");
    let other = d.join("other.yaml");
    let o = run_in(
        &d,
        &[
            "-q",
            "--format=compact",
            "--config",
            &other.to_string_lossy(),
            "deploy",
        ],
    );
    assert_eq!(
        of(&o, &rules),
        [
            "deploy/db/pg.yaml missing-pdb@7:13 note",
            "deploy/db/pg.yaml parallel-database-startup@8:24 warning",
        ]
    );
}

#[test]
fn errors_are_located_with_did_you_mean() {
    let d = tempdir("config-errors");
    write(
        &d,
        ".stslint.yaml",
        "fail-on: warn\nexlude: [vendor]\nrules:\n  missing-pbd: off\n",
    );
    write(&d, "pg.yaml", &postgres("postgres:16.4"));
    let o = run_in(&d, &["pg.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "stslint: error: .stslint.yaml:1:10: `fail-on` is `warn`, expected one of error, warning, note, none\n  help: did you mean `warning`?\n\
         .stslint.yaml:2:1: unknown key `exlude` in the config\n  help: did you mean `exclude`?\n\
         .stslint.yaml:4:3: unknown rule `missing-pbd`\n  help: did you mean `missing-pdb`?\n"
    );
    // A missing `--config` file is an error too, not the defaults.
    let o = run_in(&d, &["--config", "nope.yaml", "pg.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("stslint: error: nope.yaml: cannot read:"),
        "{}",
        stderr(&o)
    );
    // Two paths under two config files.
    let a = tempdir("config-two-a");
    write(&a, ".stslint.yaml", "fail-on: error\n");
    write(&a, "pg.yaml", &postgres("postgres:16.4"));
    let o = run_in(&d, &["--no-config", "pg.yaml"]);
    assert_eq!(o.status.code(), Some(1), "--no-config ignores the bad file");
    let o = run_in(&root(), &[&a.to_string_lossy(), &d.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the paths are under different config files"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn include_and_exclude() {
    let d = tempdir("config-paths");
    write(
        &d,
        ".stslint.yaml",
        "exclude: [vendor, '/deploy/legacy/*.yaml']\n",
    );
    write(&d, "deploy/pg.yaml", &postgres("postgres:16.4"));
    write(&d, "deploy/legacy/old.yaml", &postgres("postgres:9.6"));
    write(&d, "deploy/legacy/keep/k.yaml", &postgres("postgres:9.6"));
    write(&d, "a/vendor/x/pg.yaml", &postgres("postgres:16.4"));
    let select = "--select=parallel-database-startup";
    let o = run_in(&d, &["-q", "--format=compact", select, "."]);
    assert_eq!(
        findings(&o),
        [
            "deploy/legacy/keep/k.yaml parallel-database-startup@8:24 warning",
            "deploy/pg.yaml parallel-database-startup@8:24 warning",
        ]
    );
    // Named on the command line (as a pre-commit hook names staged files),
    // an excluded file stays out.
    let o = run_in(
        &d,
        &[
            "-q",
            "--format=compact",
            select,
            "deploy/legacy/old.yaml",
            "deploy/pg.yaml",
        ],
    );
    assert_eq!(
        findings(&o),
        ["deploy/pg.yaml parallel-database-startup@8:24 warning"]
    );
    // `include` decides which walked files are manifests.
    write(&d, ".stslint.yaml", "include: ['*.k8s']\n");
    write(&d, "deploy/pg.k8s", &postgres("postgres:16.4"));
    let o = run_in(&d, &["-q", "--format=compact", select, "deploy"]);
    assert_eq!(
        findings(&o),
        ["deploy/pg.k8s parallel-database-startup@8:24 warning"]
    );
}

#[test]
fn linking_contexts_keep_clusters_apart() {
    let d = tempdir("config-contexts");
    write(&d, "clusters/prod/pg.yaml", &postgres("postgres:16.4"));
    write(&d, "clusters/staging/velero.yaml", VELERO);
    let select = "--select=missing-backup";
    // Without contexts, staging's Velero Schedule vouches for prod.
    let o = run_in(&d, &["-q", "--format=compact", select, "clusters"]);
    assert_eq!(findings(&o), Vec::<String>::new());
    write(&d, ".stslint.yaml", "contexts: ['clusters/*']\n");
    let o = run_in(&d, &["-q", "--format=compact", select, "clusters"]);
    assert_eq!(
        findings(&o),
        ["clusters/prod/pg.yaml missing-backup@18:3 warning"]
    );
    // A Schedule in prod's own context counts.
    write(&d, "clusters/prod/velero.yaml", VELERO);
    let o = run_in(&d, &["-q", "--format=compact", select, "clusters"]);
    assert_eq!(findings(&o), Vec::<String>::new());
}

#[test]
fn extra_data_store_images() {
    let d = tempdir("config-images");
    write(
        &d,
        "ledger.yaml",
        &postgres("registry.corp/platform/ledgerdb:4.1"),
    );
    write(
        &d,
        "ring.yaml",
        &postgres("ringstore:2").replace("name: pg", "name: ring"),
    );
    let select = "--select=parallel-database-startup";
    let o = run_in(&d, &["-q", "--format=compact", select, "."]);
    assert_eq!(findings(&o), Vec::<String>::new(), "unknown images");
    write(
        &d,
        ".stslint.yaml",
        "images:\n  data-stores: ['registry.corp/platform/ledger*']\n  peer-to-peer: [ringstore]\n",
    );
    let o = run_in(&d, &["-q", "--format=compact", select, "."]);
    // A peer-to-peer store may start in parallel; the ordered one may not.
    assert_eq!(
        findings(&o),
        ["ledger.yaml parallel-database-startup@8:24 warning"]
    );
    assert!(
        stdout(&o).contains("StatefulSet `pg` runs a data store (from .stslint.yaml) with `podManagementPolicy: Parallel`"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn namespace_from_the_config() {
    let d = tempdir("config-namespace");
    write(&d, ".stslint.yaml", "namespace: shop\n");
    write(&d, "pg.yaml", &postgres("postgres:16.4"));
    let o = run_in(&d, &["--format=json", "--select=missing-pdb", "pg.yaml"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(j["findings"][0]["object"]["namespace"], "shop");
    let o = run_in(
        &d,
        &[
            "--format=json",
            "--select=missing-pdb",
            "--namespace=web",
            "pg.yaml",
        ],
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(j["findings"][0]["object"]["namespace"], "web");
}

#[test]
fn init_then_show_config() {
    let d = tempdir("config-init");
    let o = run_in(&d, &["init"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(d.join(".stslint.yaml")).expect("written");
    assert!(
        written.contains("\n  # missing-backup: warning\n"),
        "{written}"
    );
    let o = run_in(&d, &["init"]);
    assert_eq!(o.status.code(), Some(2), "never over an existing file");
    assert_eq!(
        stderr(&o),
        "stslint: error: .stslint.yaml already exists; edit it, or pass --force to replace it\n"
    );
    std::fs::write(
        d.join(".stslint.yaml"),
        "fail-on: note\nexclude: vendor\nrules: {missing-pdb: off, missing-backup: error}\n",
    )
    .expect("write");
    let o = run_in(&d, &["--show-config", "--disable=dangling-selector"]);
    assert_eq!(o.status.code(), Some(0));
    let shown = stdout(&o);
    let head: Vec<&str> = shown.lines().take(9).collect();
    assert_eq!(
        head,
        [
            "# from .stslint.yaml, with the command line applied",
            "fail-on: note",
            "# namespace: (none: objects without one are in no namespace)",
            "include: []",
            "exclude: [\"vendor\"]",
            "contexts: []",
            "images:",
            "  data-stores: []",
            "  peer-to-peer: []",
        ]
    );
    assert!(shown.contains("\n  dangling-selector: off\n"));
    assert!(shown.contains("\n  missing-backup: error\n"));
    assert!(shown.contains("\n  missing-pdb: off\n"));
    assert!(shown.contains("\n  missing-anti-affinity: warning\n"));
    // What --show-config prints is itself a valid config.
    std::fs::write(d.join(".stslint.yaml"), &shown).expect("write");
    let again = run_in(&d, &["--show-config"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stdout(&again).contains("\n  dangling-selector: off\n"));
}

#[test]
fn select_takes_comma_lists_and_suggests() {
    let o = crate::support::stslint(&[
        "-q",
        "--format=compact",
        "--select",
        "pgdata-not-subdirectory,hardcoded-credential",
        "examples/shop-db-bad",
    ]);
    assert_eq!(
        findings(&o),
        [
            "examples/shop-db-bad/postgres.yaml hardcoded-credential@55:18 error",
            "examples/shop-db-bad/postgres.yaml pgdata-not-subdirectory@60:22 error",
        ]
    );
    let o = crate::support::stslint(&["--select", "missing-pbd", "examples"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "stslint: error: unknown rule `missing-pbd`, did you mean `missing-pdb`? (see `stslint rules`)\n"
    );
}

/// `stslint.schema.json` is what the loader checks against. Set
/// `STSLINT_BLESS=1` to rewrite it after changing the config keys or rules.
#[test]
fn the_published_schema_is_current() {
    let path = root().join("stslint.schema.json");
    let want = format!(
        "{}\n",
        serde_json::to_string_pretty(&stslint::config::json_schema()).expect("json")
    );
    if std::env::var_os("STSLINT_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write the schema");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "stslint.schema.json is out of date: run `STSLINT_BLESS=1 cargo test the_published_schema_is_current`"
    );
    // Every rule and every key is in it.
    let schema: serde_json::Value = serde_json::from_str(&have).expect("schema");
    let rules = schema["properties"]["rules"]["properties"]
        .as_object()
        .expect("rules");
    assert_eq!(rules.len(), stslint::rules::ALL.len());
    for (key, _) in stslint::config::KEYS {
        assert!(schema["properties"].get(key).is_some(), "{key}");
    }
}
