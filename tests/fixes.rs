//! Fixes, rule by rule: the text before and after (exact), the finding gone
//! on a re-lint, a second pass that changes nothing, every comment kept, and
//! the objects unchanged apart from the fixed fields. Then `--fix`, `--diff`
//! and `--unsafe-fixes` as a user runs them.

use std::collections::BTreeSet;

use stslint::fix::{apply, Applicability};
use stslint::source::SourceFile;

use crate::support::{lint_sources, run_in, stdout, tempdir, write_file};

/// Apply the rule's fixes (safe ones, and unsafe ones when asked) until none
/// applies; returns the text and the number of passes that changed it.
fn fix_all(text: &str, rule: &str, unsafe_fixes: bool) -> (String, usize) {
    let mut text = text.to_string();
    for pass in 0..10 {
        let out = lint_sources(vec![SourceFile::new("t.yaml", text.as_str())], &[rule]);
        let fixes: Vec<_> = out
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .filter_map(|f| f.fix.as_deref())
            .filter(|x| unsafe_fixes || x.applicability == Applicability::Safe)
            .collect();
        let (new, n) = apply(&text, &fixes);
        if n == 0 {
            return (text, pass);
        }
        assert_ne!(new, text, "{rule}: an applied fix changes the text");
        text = new;
    }
    panic!("{rule}: fixes still apply after 10 passes");
}

/// The rule's findings on `text`: (line, column, has a fix).
fn findings(text: &str, rule: &str) -> Vec<(u32, u32, bool)> {
    let out = lint_sources(vec![SourceFile::new("t.yaml", text)], &[rule]);
    assert!(out.problems.is_empty(), "{rule}: {:?}", out.problems);
    out.findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            let lc = out.line_col(f.span.file, f.span.bytes.start);
            (lc.line, lc.column, f.fix.is_some())
        })
        .collect()
}

/// The paths (`0.spec.replicas`) where the two streams' objects differ.
fn changed_paths(before: &str, after: &str) -> BTreeSet<String> {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, at: String, out: &mut BTreeSet<String>) {
        use serde_json::Value::{Array, Object};
        match (a, b) {
            (Object(x), Object(y)) => {
                for k in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                    match (x.get(k), y.get(k)) {
                        (Some(p), Some(q)) => walk(p, q, format!("{at}.{k}"), out),
                        _ => {
                            out.insert(format!("{at}.{k}"));
                        }
                    }
                }
            }
            (Array(x), Array(y)) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    walk(p, q, format!("{at}[{i}]"), out);
                }
            }
            _ if a != b => {
                out.insert(at);
            }
            _ => {}
        }
    }
    let docs = |t: &str| -> Vec<serde_json::Value> {
        let docs = stslint::yaml::parse_documents(&SourceFile::new("t.yaml", t)).expect("parses");
        docs.iter().map(|d| d.to_json()).collect()
    };
    let (a, b) = (docs(before), docs(after));
    assert_eq!(a.len(), b.len(), "the same number of documents");
    let mut out = BTreeSet::new();
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        walk(x, y, i.to_string(), &mut out);
    }
    out
}

/// Every comment of `before` is in `after`, in the same order.
fn comments_kept(before: &str, after: &str) {
    let comments = |t: &str| -> Vec<String> {
        t.lines()
            .filter_map(|l| {
                let at = l
                    .find(" #")
                    .or(l.trim_start().starts_with('#').then_some(0))?;
                Some(l[at..].trim().to_string())
            })
            .collect()
    };
    assert_eq!(comments(before), comments(after));
}

/// The whole check for one rule: see the module's doc.
fn check(rule: &str, unsafe_fixes: bool, before: &str, after: &str, paths: &[&str]) {
    let (fixed, passes) = fix_all(before, rule, unsafe_fixes);
    assert_eq!(fixed, after, "{rule}: the fixed text");
    assert!(passes >= 1, "{rule}: something was fixed");
    assert_eq!(
        fix_all(&fixed, rule, unsafe_fixes),
        (fixed.clone(), 0),
        "{rule}: idempotent"
    );
    comments_kept(before, &fixed);
    let expected: BTreeSet<String> = paths.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        changed_paths(before, &fixed),
        expected,
        "{rule}: what changed"
    );
}

#[test]
fn yaml_1_1_literal_quotes_the_value() {
    let before = "\
# flags for the cache
apiVersion: v1
kind: ConfigMap
metadata:
  name: flags
  labels:
    enabled: on   # the label
data:
  ENABLE_CACHE: yes
  FILE_MODE: 0644  # octal to Kubernetes
  KEPT: 'no'
";
    let after = "\
# flags for the cache
apiVersion: v1
kind: ConfigMap
metadata:
  name: flags
  labels:
    enabled: \"on\"   # the label
data:
  ENABLE_CACHE: \"yes\"
  FILE_MODE: \"0644\"  # octal to Kubernetes
  KEPT: 'no'
";
    assert_eq!(
        findings(before, "yaml-1.1-literal"),
        [(7, 14, true), (9, 17, true), (10, 14, true)]
    );
    check(
        "yaml-1.1-literal",
        false,
        before,
        after,
        &[
            "0.data.ENABLE_CACHE",
            "0.data.FILE_MODE",
            "0.metadata.labels.enabled",
        ],
    );
    assert_eq!(findings(after, "yaml-1.1-literal"), []);
}

const STS_HEAD: &str = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
";

const STS_TAIL: &str = "  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
      - name: web
        image: nginx:1.27
";

#[test]
fn invalid_value_corrects_the_case_safely_and_a_spelling_unsafely() {
    let before = format!(
        "{STS_HEAD}  podManagementPolicy: parallel  # keep this\n  updateStrategy:\n    type: 'rollingUpdate'\n{STS_TAIL}        imagePullPolicy: \"IfNotPresnt\"\n"
    );
    let safe = format!(
        "{STS_HEAD}  podManagementPolicy: Parallel  # keep this\n  updateStrategy:\n    type: 'RollingUpdate'\n{STS_TAIL}        imagePullPolicy: \"IfNotPresnt\"\n"
    );
    assert_eq!(
        findings(&before, "invalid-value"),
        [(7, 24, true), (9, 11, true), (20, 26, true)]
    );
    check(
        "invalid-value",
        false,
        &before,
        &safe,
        &["0.spec.podManagementPolicy", "0.spec.updateStrategy.type"],
    );
    // The misspelt one is a guess: only with --unsafe-fixes.
    assert_eq!(findings(&safe, "invalid-value"), [(20, 26, true)]);
    let all = safe.replace("\"IfNotPresnt\"", "\"IfNotPresent\"");
    check(
        "invalid-value",
        true,
        &before,
        &all,
        &[
            "0.spec.podManagementPolicy",
            "0.spec.template.spec.containers[0].imagePullPolicy",
            "0.spec.updateStrategy.type",
        ],
    );
    assert_eq!(findings(&all, "invalid-value"), []);
}

#[test]
fn removed_api_version_moves_only_where_the_schema_is_the_same() {
    let before = "\
apiVersion: batch/v1beta1  # old
kind: CronJob
metadata:
  name: backup
spec:
  schedule: \"0 3 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: dump
            image: postgres:16.4
---
apiVersion: apps/v1beta2
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: example/api:1.0
";
    let after = before.replacen("batch/v1beta1", "batch/v1", 1);
    assert_eq!(
        findings(before, "removed-api-version"),
        [(1, 13, true), (16, 13, false)]
    );
    check(
        "removed-api-version",
        false,
        before,
        &after,
        &["0.apiVersion"],
    );
    assert_eq!(findings(&after, "removed-api-version"), [(16, 13, false)]);
}

#[test]
fn unknown_field_renames_the_one_near_key_unless_it_is_there() {
    let before = format!(
        "{STS_HEAD}  replica: 3  # three\n{STS_TAIL}        livenessprobe:\n          tcpSocket: {{port: 80}}\n---\n{STS_HEAD}  replica: 3\n  replicas: 2\n{STS_TAIL}"
    );
    let after = before
        .replacen("replica: 3  #", "replicas: 3  #", 1)
        .replacen("livenessprobe", "livenessProbe", 1);
    assert_eq!(
        findings(&before, "unknown-field"),
        [(7, 3, true), (18, 9, true), (27, 3, false)]
    );
    // A renamed key changes what is applied: not safe.
    assert_eq!(fix_all(&before, "unknown-field", false).1, 0);
    check(
        "unknown-field",
        true,
        &before,
        &after,
        &[
            "0.spec.replica",
            "0.spec.replicas",
            "0.spec.template.spec.containers[0].livenessProbe",
            "0.spec.template.spec.containers[0].livenessprobe",
        ],
    );
    assert_eq!(findings(&after, "unknown-field"), [(27, 3, false)]);
}

#[test]
fn missing_security_context_adds_the_setting_at_the_right_indentation() {
    let before = format!(
        "{STS_HEAD}{STS_TAIL}        ports:\n        - containerPort: 80  # http\n      - name: sidecar\n        image: busybox:1.36\n        securityContext:\n          allowPrivilegeEscalation: true\n"
    );
    let after = format!(
        "{STS_HEAD}{STS_TAIL}        ports:\n        - containerPort: 80  # http\n        securityContext:\n          allowPrivilegeEscalation: false\n      - name: sidecar\n        image: busybox:1.36\n        securityContext:\n          allowPrivilegeEscalation: false\n"
    );
    assert_eq!(
        findings(&before, "missing-security-context"),
        [(15, 15, true), (21, 9, true)]
    );
    assert_eq!(fix_all(&before, "missing-security-context", false).1, 0);
    check(
        "missing-security-context",
        true,
        &before,
        &after,
        &[
            "0.spec.template.spec.containers[0].securityContext",
            "0.spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation",
        ],
    );
    assert_eq!(findings(&after, "missing-security-context"), []);
    // Line endings and a four-space indentation are the file's.
    let crlf = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n    name: p\r\nspec:\r\n    securityContext:\r\n        runAsNonRoot: true\r\n    containers:\r\n    -   name: c\r\n        image: busybox:1.36\r\n";
    let fixed = crlf.to_string()
        + "        securityContext:\r\n            allowPrivilegeEscalation: false\r\n";
    check(
        "missing-security-context",
        true,
        crlf,
        &fixed,
        &["0.spec.containers[0].securityContext"],
    );
}

#[test]
fn a_root_container_keeps_the_part_of_its_finding_no_fix_can_know() {
    let before = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n";
    let (fixed, _) = fix_all(before, "missing-security-context", true);
    assert_eq!(
        fixed,
        format!("{before}    securityContext:\n      allowPrivilegeEscalation: false\n")
    );
    let out = lint_sources(
        vec![SourceFile::new("t.yaml", fixed.as_str())],
        &["missing-security-context"],
    );
    let messages: Vec<&str> = out.findings.iter().map(|f| &*f.message).collect();
    assert_eq!(
        messages,
        ["container `c` of Pod `p` may run as root (no `runAsNonRoot: true` or non-zero `runAsUser`)"]
    );
    assert!(out.findings[0].fix.is_none());
}

#[test]
fn parallel_database_startup_removes_the_line() {
    let before = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: pg
spec:
  serviceName: pg
  # started together on purpose?
  podManagementPolicy: Parallel  # was faster
  replicas: 3
  selector:
    matchLabels: {app: pg}
  template:
    metadata:
      labels: {app: pg}
    spec:
      containers:
      - name: postgres
        image: postgres:16.4
";
    let after = before.replace("  podManagementPolicy: Parallel  # was faster\n", "");
    assert_eq!(
        findings(before, "parallel-database-startup"),
        [(8, 24, true)]
    );
    assert_eq!(fix_all(before, "parallel-database-startup", false).1, 0);
    // The trailing comment goes with its line; the one above stays.
    let (fixed, _) = fix_all(before, "parallel-database-startup", true);
    assert_eq!(fixed, after);
    assert!(fixed.contains("# started together on purpose?"));
    assert_eq!(
        changed_paths(before, &fixed),
        BTreeSet::from(["0.spec.podManagementPolicy".to_string()])
    );
    assert_eq!(findings(&after, "parallel-database-startup"), []);
}

/// A fixable tree: a safe fix (a quoted label) and an unsafe one (an
/// unknown key), with a credential nearby that no output may show.
fn fixable_tree(name: &str) -> std::path::PathBuf {
    let dir = tempdir(name);
    write_file(
        &dir,
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  lables: {a: b}\ndata:\n  ENABLED: on\n  DB_PASSWORD: hunter2-secret\n",
    );
    dir
}

#[test]
fn fix_writes_safe_fixes_and_reports_what_is_left() {
    let dir = fixable_tree("fix-cli");
    let o = run_in(&dir, &["--fix", "--format", "compact", "cm.yaml"]);
    let text = std::fs::read_to_string(dir.join("cm.yaml")).unwrap();
    assert_eq!(
        text,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  lables: {a: b}\ndata:\n  ENABLED: \"on\"\n  DB_PASSWORD: hunter2-secret\n"
    );
    let report = stdout(&o);
    assert!(!report.contains("yaml-1.1-literal"), "{report}");
    assert!(
        report.contains("cm.yaml:5:3: error[unknown-field]"),
        "{report}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("stslint: fixed 1 finding in 1 file (1 more fixable with --unsafe-fixes)"),
        "{err}"
    );
    assert_eq!(o.status.code(), Some(1));
    // Nothing is left to fix safely: the file is not touched again.
    let again = run_in(&dir, &["--fix", "--format", "compact", "cm.yaml"]);
    assert_eq!(std::fs::read_to_string(dir.join("cm.yaml")).unwrap(), text);
    assert!(String::from_utf8_lossy(&again.stderr)
        .contains("stslint: nothing fixed (1 more fixable with --unsafe-fixes)\n"));
}

#[test]
fn diff_prints_the_change_masks_credentials_and_writes_nothing() {
    let dir = fixable_tree("fix-diff");
    let before = std::fs::read_to_string(dir.join("cm.yaml")).unwrap();
    let o = run_in(&dir, &["--diff", "--unsafe-fixes", "cm.yaml"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("cm.yaml")).unwrap(),
        before
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        format!("--- a/cm.yaml\n+++ b/cm.yaml\n@@ -2,7 +2,7 @@\n kind: ConfigMap\n metadata:\n   name: flags\n-  lables: {{a: b}}\n+  labels: {{a: b}}\n data:\n-  ENABLED: on\n+  ENABLED: \"on\"\n   DB_PASSWORD: {}\n", stslint::report::MASK)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("stslint: 2 fixes to 1 file would be applied")
    );
    // Without --unsafe-fixes, only the safe one.
    let safe = run_in(&dir, &["--diff", "cm.yaml"]);
    assert!(stdout(&safe).contains("+  ENABLED: \"on\"\n"));
    assert!(!stdout(&safe).contains("+  labels"));
    // Nothing to fix: exit 0, no diff.
    let clean = tempdir("fix-diff-clean");
    write_file(
        &clean,
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    );
    let none = run_in(&clean, &["--diff", "cm.yaml"]);
    assert_eq!((none.status.code(), stdout(&none).as_str()), (Some(0), ""));
}

#[test]
fn fixing_flags_are_checked() {
    let dir = fixable_tree("fix-flags");
    let o = run_in(&dir, &["--unsafe-fixes", "cm.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--fix"));
    let o = crate::support::stslint_in(&dir, &["--fix", "-"], Some("kind: ConfigMap\n"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("use --diff"));
    let o = run_in(&dir, &["--fix", "--diff", "cm.yaml"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Every fix of every rule, on every fixture and rule doc example: the
/// rule's doc names the kinds of fix it makes, the fixed text still
/// parses, the fixes come to an end, and a fixed finding does not come
/// back with the same fix.
#[test]
fn every_fix_keeps_files_valid_and_matches_its_rule_doc() {
    let mut seen: std::collections::HashMap<&str, BTreeSet<Applicability>> = Default::default();
    let mut texts: Vec<(String, String)> = Vec::new();
    for dir in std::fs::read_dir(crate::support::root().join("fixtures")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                texts.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    texts.sort();
    let all: Vec<&str> = stslint::rules::ALL.iter().map(|e| e.id).collect();
    for (name, text) in &texts {
        let lint = |t: &str| lint_sources(vec![SourceFile::new(name.as_str(), t)], &all);
        let before = lint(text);
        let parsed = |o: &stslint::engine::Outcome| {
            !o.problems
                .iter()
                .any(|p| p.kind == stslint::diagnostic::ProblemKind::Syntax)
        };
        let mut current = text.clone();
        let mut outcome = before;
        let was_valid = parsed(&outcome);
        for pass in 0.. {
            assert!(pass < 10, "{name}: fixes still apply after 10 passes");
            let fixes: Vec<_> = outcome
                .findings
                .iter()
                .filter_map(|f| f.fix.as_deref())
                .collect();
            for f in &outcome.findings {
                if let Some(x) = &f.fix {
                    seen.entry(f.rule).or_default().insert(x.applicability);
                }
            }
            let (next, n) = apply(&current, &fixes);
            if n == 0 {
                break;
            }
            current = next;
            outcome = lint(&current);
            assert!(
                !was_valid || parsed(&outcome),
                "{name}: a fix broke the YAML:\n{current}"
            );
        }
    }
    for e in stslint::rules::ALL {
        let meta = stslint::rules::meta(e.id).unwrap();
        let documented: BTreeSet<Applicability> = meta.fixes.iter().copied().collect();
        let found = seen.remove(e.id).unwrap_or_default();
        assert_eq!(
            found, documented,
            "rules/{}.md `fix:` against the fixes its fixtures show",
            e.id
        );
    }
}
