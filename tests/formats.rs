//! The CI formats: SARIF as GitHub code scanning reads it, JUnit XML, the
//! GitLab Code Quality report, and `-o/--output`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};

use crate::support::{json, root, stdout, stslint, stslint_in, stslint_stdin, tempdir};

const BAD: &str = "examples/shop-db-bad/postgres.yaml";

fn sarif_results(j: &Value) -> &Vec<Value> {
    j["runs"][0]["results"].as_array().expect("results")
}

fn result<'a>(j: &'a Value, rule: &str) -> &'a Value {
    sarif_results(j)
        .iter()
        .find(|r| r["ruleId"] == rule)
        .unwrap_or_else(|| panic!("no {rule} result"))
}

// --- SARIF ---------------------------------------------------------------

#[test]
fn sarif_related_locations_are_embedded_links_in_the_message() {
    let j = json(&stslint(&["--format", "sarif", "examples/shop-db-bad"]));
    let r = result(&j, "immediate-volume-binding");
    assert_eq!(
        r["message"]["text"],
        "StorageClass `fast-ssd` uses the default `volumeBindingMode` (Immediate): each volume \
         is created before its pod is scheduled, in a zone or node chosen without the pod's \
         constraints, so StatefulSet `shop-db` pods can end up unschedulable\n\
         help: set `volumeBindingMode: WaitForFirstConsumer` so each volume is created where its \
         pod is scheduled\n\
         related: [StatefulSet `shop-db` uses this class](1)"
    );
    let rel = &r["relatedLocations"][0];
    assert_eq!(rel["id"], 1);
    assert_eq!(
        rel["physicalLocation"]["region"],
        json!({"startLine": 65, "startColumn": 25, "endLine": 65, "endColumn": 33})
    );
    // Every link names a related location of its result, and every related
    // location is linked.
    let j = json(&stslint(&["--format", "sarif", "fixtures"]));
    let mut links = 0;
    for r in sarif_results(&j) {
        let text = r["message"]["text"].as_str().unwrap();
        let ids: Vec<u64> = r["relatedLocations"]
            .as_array()
            .map(|a| a.iter().map(|l| l["id"].as_u64().unwrap()).collect())
            .unwrap_or_default();
        for id in &ids {
            assert!(text.contains(&format!("]({id})")), "{text}");
            links += 1;
        }
        assert_eq!(unescaped_brackets(text), 2 * ids.len(), "{text}");
    }
    assert!(links > 50, "{links} links");
}

/// `[` and `]` not preceded by a backslash (the links' own brackets).
fn unescaped_brackets(text: &str) -> usize {
    let mut n = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' | ']' => n += 1,
            _ => {}
        }
    }
    n
}

#[test]
fn sarif_escapes_brackets_and_backslashes_in_message_text() {
    let yaml = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: \"db[0]\\\\x\"\nspec:\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: \"postgres:16\"}]}\n";
    let o = stslint_stdin(
        &[
            "--format",
            "sarif",
            "--select",
            "missing-headless-service",
            "--stdin-filename",
            "db.yaml",
            "-",
        ],
        yaml,
    );
    let j = json(&o);
    let r = result(&j, "missing-headless-service");
    let text = r["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("StatefulSet `db\\[0\\]\\\\x` (PostgreSQL) names Service `db`"),
        "{text}"
    );
    assert_eq!(unescaped_brackets(text), 0, "{text}");
    // JSON keeps the text as it is.
    let j = json(&stslint_stdin(
        &[
            "--format",
            "json",
            "--select",
            "missing-headless-service",
            "-",
        ],
        yaml,
    ));
    assert!(j["findings"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("StatefulSet `db[0]\\x` (PostgreSQL) names"));
}

#[test]
fn sarif_rules_have_help_uris_whole_sentences_and_pascal_case_names() {
    let j = json(&stslint(&["--format", "sarif", "examples/shop-db-good"]));
    let driver = &j["runs"][0]["tool"]["driver"];
    assert_eq!(
        driver["informationUri"],
        "https://github.com/stslint/stslint"
    );
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 38);
    for r in rules {
        let id = r["id"].as_str().unwrap();
        assert_eq!(
            r["helpUri"],
            format!("https://github.com/stslint/stslint/blob/main/rules/{id}.md")
        );
        assert!(root().join(format!("rules/{id}.md")).is_file());
        let full = r["fullDescription"]["text"].as_str().unwrap();
        assert!(
            full.ends_with('.') || full.ends_with(".)"),
            "{id}: fullDescription is cut: {full}"
        );
        assert!(
            full.starts_with(|c: char| c.is_uppercase()),
            "{id}: fullDescription starts mid-sentence: {full}"
        );
        let name = r["name"].as_str().unwrap();
        assert!(
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{id}: {name}"
        );
        let tags = &r["properties"]["tags"];
        if id == "hardcoded-credential" {
            assert_eq!(tags, &json!(["kubernetes", "security"]));
            assert_eq!(r["properties"]["security-severity"], "8.0");
        } else {
            assert_eq!(tags, &json!(["kubernetes", "reliability"]), "{id}");
            assert!(r["properties"]["security-severity"].is_null(), "{id}");
        }
    }
    let by_id = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(
        by_id("missing-headless-service")["name"],
        "MissingHeadlessService"
    );
    assert_eq!(by_id("yaml-1.1-literal")["name"], "Yaml11Literal");
    // a doc whose first paragraph introduces a list: its `description:`
    assert_eq!(
        by_id("pdb-blocks-eviction")["fullDescription"]["text"],
        "Reports a PodDisruptionBudget that can never allow an eviction: `maxUnavailable: 0` \
         (or `0%`), `minAvailable: 100%`, or a `minAvailable` that requires every pod of the \
         workloads it selects, with percentages rounded up as the disruption controller rounds \
         them."
    );
    // otherwise the first paragraph of "What it does"
    assert_eq!(
        by_id("duplicate-key")["fullDescription"]["text"],
        "Reports a key that appears more than once in the same mapping, at the later \
         occurrence, with a related span on the first."
    );
}

/// A repository in a temporary directory: `<dir>/repo/.git`, a manifest in
/// `repo/deploy/db.yaml`, and one outside it in `<dir>/elsewhere/x.yaml`.
fn repo(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = tempdir(name);
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("deploy")).unwrap();
    std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/missing-pdb/fires.yaml")).unwrap();
    std::fs::write(repo.join("deploy/db.yaml"), &text).unwrap();
    std::fs::write(dir.join("elsewhere/x.yaml"), &text).unwrap();
    (dir, repo)
}

fn artifact(r: &Value) -> &Value {
    &r["locations"][0]["physicalLocation"]["artifactLocation"]
}

#[test]
fn sarif_uris_are_relative_to_the_repository_root() {
    let (dir, repo) = repo("sarif-uris");
    let deploy = repo.join("deploy");
    let abs_db = deploy.join("db.yaml");
    let outside = dir.join("elsewhere/x.yaml");
    // run from a subdirectory, one relative and one absolute path, and one
    // file outside the repository
    let o = stslint_in(
        &deploy,
        &[
            "--format",
            "sarif",
            "--select",
            "missing-pdb",
            "db.yaml",
            abs_db.to_str().unwrap(),
            outside.to_str().unwrap(),
        ],
        None,
    );
    let j = json(&o);
    let run = &j["runs"][0];
    let root_uri = format!("file://{}/", repo.display());
    assert_eq!(
        run["originalUriBaseIds"],
        json!({ "%SRCROOT%": { "uri": root_uri } })
    );
    let uris: BTreeSet<String> = sarif_results(&j)
        .iter()
        .map(|r| artifact(r).to_string())
        .collect();
    let expected: BTreeSet<String> = [
        json!({ "uri": "deploy/db.yaml", "uriBaseId": "%SRCROOT%" }),
        json!({ "uri": format!("file://{}", outside.display()) }),
    ]
    .iter()
    .map(Value::to_string)
    .collect();
    assert_eq!(uris, expected);
    // standard input, under its --stdin-filename, from the subdirectory
    let text = std::fs::read_to_string(&abs_db).unwrap();
    let o = stslint_in(
        &deploy,
        &[
            "--format",
            "sarif",
            "--select",
            "missing-pdb",
            "--stdin-filename",
            "k8s/my db.yaml",
            "-",
        ],
        Some(&text),
    );
    let j = json(&o);
    let r = result(&j, "missing-pdb");
    assert_eq!(
        artifact(r),
        &json!({ "uri": "deploy/k8s/my%20db.yaml", "uriBaseId": "%SRCROOT%" })
    );
    // no repository above: the current directory is the root
    let plain = dir.join("elsewhere");
    let j = json(&stslint_in(
        &plain,
        &["--format", "sarif", "--select", "missing-pdb", "x.yaml"],
        None,
    ));
    let found = plain
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf);
    let (base, uri) = match &found {
        // target/tmp is inside this checkout: its root is the base
        Some(r) => (
            format!("file://{}/", r.display()),
            plain
                .join("x.yaml")
                .strip_prefix(r)
                .unwrap()
                .to_string_lossy()
                .into_owned(),
        ),
        None => (format!("file://{}/", plain.display()), "x.yaml".to_string()),
    };
    assert_eq!(j["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"], base);
    assert_eq!(
        artifact(&sarif_results(&j)[0]),
        &json!({ "uri": uri, "uriBaseId": "%SRCROOT%" })
    );
}

/// 9,000 containers, each privileged (an error), with an untagged image and
/// no liveness probe (two warnings): 27,000 findings.
fn many_findings() -> String {
    let mut s = String::from(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n    spec:\n      containers:\n",
    );
    for i in 0..9000 {
        s.push_str(&format!(
            "      - {{name: c{i}, image: app, securityContext: {{privileged: true}}}}\n"
        ));
    }
    s
}

#[test]
fn sarif_keeps_at_most_25000_results_errors_first() {
    let dir = tempdir("sarif-cap");
    let file = dir.join("big.yaml");
    std::fs::write(&file, many_findings()).unwrap();
    let path = file.to_str().unwrap();
    let select = "privileged-container,mutable-image-tag,missing-liveness-probe";
    let all = json(&stslint(&["--format", "json", "--select", select, path]));
    let findings = all["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 27_000);
    let o = stslint(&["--format", "sarif", "--select", select, path]);
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    let results = sarif_results(&j);
    assert_eq!(results.len(), 25_000);
    let level = |l: &str| results.iter().filter(|r| r["level"] == l).count();
    assert_eq!((level("error"), level("warning")), (9_000, 16_000));
    // the warnings kept are the first 16,000 in the run's order, and the
    // results keep that order
    let key = |rule: &Value, line: &Value, col: &Value| format!("{rule}:{line}:{col}");
    let expected: Vec<String> = {
        let mut warnings = 0;
        findings
            .iter()
            .filter(|f| {
                f["severity"] == "error" || {
                    warnings += 1;
                    warnings <= 16_000
                }
            })
            .map(|f| key(&f["rule"], &f["line"], &f["column"]))
            .collect()
    };
    let got: Vec<String> = results
        .iter()
        .map(|r| {
            let reg = &r["locations"][0]["physicalLocation"]["region"];
            key(&r["ruleId"], &reg["startLine"], &reg["startColumn"])
        })
        .collect();
    assert_eq!(got, expected);
    let inv = &j["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    assert_eq!(
        inv["toolExecutionNotifications"],
        json!([{
            "level": "warning",
            "message": { "text": "2000 of 27000 results left out: GitHub code scanning accepts \
                at most 25000 per run; errors were kept first, then warnings, then notes (run \
                `--format json` for all of them)" },
            "descriptor": { "id": "results-left-out" },
        }])
    );
}

// --- JUnit XML -------------------------------------------------------------

/// An XML element, as the small parser below reads it.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, k: &str) -> &str {
        self.attrs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("<{}> has no {k}", self.name))
    }
}

/// Parse a whole XML document (the subset JUnit reports use: a declaration,
/// elements, attributes, text, the five entities and character references),
/// panicking on anything that is not well-formed.
fn parse_xml(s: &str) -> Element {
    let s = s
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut p = XmlParser { s, at: 0 };
    let e = p.element();
    assert!(p.s[p.at..].trim().is_empty(), "content after the root");
    e
}

struct XmlParser<'a> {
    s: &'a str,
    at: usize,
}

impl XmlParser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.at..]
    }
    fn skip_ws(&mut self) {
        let n = self.rest().len() - self.rest().trim_start().len();
        self.at += n;
    }
    fn name(&mut self) -> String {
        let n = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .unwrap();
        assert!(n > 0, "a name at {}", self.at);
        let name = self.rest()[..n].to_string();
        self.at += n;
        name
    }
    fn expect(&mut self, t: &str) {
        assert!(
            self.rest().starts_with(t),
            "expected {t:?} at {}: {:?}",
            self.at,
            &self.rest()[..self.rest().len().min(40)]
        );
        self.at += t.len();
    }
    fn element(&mut self) -> Element {
        self.skip_ws();
        self.expect("<");
        let name = self.name();
        let mut attrs = Vec::new();
        loop {
            self.skip_ws();
            if self.rest().starts_with("/>") {
                self.at += 2;
                return Element {
                    name,
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                };
            }
            if self.rest().starts_with('>') {
                self.at += 1;
                break;
            }
            let k = self.name();
            assert!(
                attrs.iter().all(|(a, _)| *a != k),
                "duplicate attribute {k}"
            );
            self.expect("=\"");
            let end = self.rest().find('"').unwrap();
            let v = unescape(&self.rest()[..end]);
            self.at += end + 1;
            attrs.push((k, v));
        }
        let mut children = Vec::new();
        let mut text = String::new();
        loop {
            let end = self.rest().find('<').expect("a closing tag");
            text.push_str(&unescape(&self.rest()[..end]));
            self.at += end;
            if self.rest().starts_with("</") {
                self.at += 2;
                let close = self.name();
                assert_eq!(close, name, "mismatched closing tag");
                self.expect(">");
                return Element {
                    name,
                    attrs,
                    children,
                    text,
                };
            }
            children.push(self.element());
        }
    }
}

fn unescape(s: &str) -> String {
    assert!(!s.contains('<'), "raw < in {s:?}");
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').expect("an unterminated entity") + i;
        let ent = &rest[i + 1..end];
        out.push(match ent {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let n = ent.strip_prefix('#').expect("a known entity");
                char::from_u32(n.parse().expect("a decimal reference")).unwrap()
            }
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    for c in out.chars() {
        assert!(
            matches!(c, '\t' | '\n' | '\r') || !c.is_control(),
            "a control character {c:?} in XML"
        );
    }
    out
}

#[test]
fn junit_has_a_suite_per_file_and_a_failing_case_per_finding() {
    let o = stslint(&["--format", "junit", "examples"]);
    assert_eq!(o.status.code(), Some(1));
    let doc = parse_xml(&stdout(&o));
    assert_eq!(doc.name, "testsuites");
    assert_eq!(
        (doc.attr("tests"), doc.attr("failures"), doc.attr("errors")),
        ("17", "14", "0")
    );
    let suites: Vec<(&str, &str, &str)> = doc
        .children
        .iter()
        .map(|s| (s.attr("name"), s.attr("tests"), s.attr("failures")))
        .collect();
    assert_eq!(
        suites,
        [
            (BAD, "14", "14"),
            ("examples/shop-db-good/backup.yaml", "1", "0"),
            ("examples/shop-db-good/postgres.yaml", "1", "0"),
            ("examples/shop-db-good/storage.yaml", "1", "0"),
        ]
    );
    // a clean file: one passing case
    let good = &doc.children[1];
    assert_eq!(good.children.len(), 1);
    assert_eq!(good.children[0].name, "testcase");
    assert!(good.children[0].children.is_empty());
    let bad = &doc.children[0];
    let names: Vec<&str> = bad.children.iter().map(|c| c.attr("name")).collect();
    assert_eq!(names[0], "immediate-volume-binding StorageClass/fast-ssd");
    assert_eq!(
        names[4],
        "parallel-database-startup StatefulSet/legacy/shop-db"
    );
    let case = &bad.children[4];
    assert_eq!((case.attr("file"), case.attr("line")), (BAD, "30"));
    let failure = &case.children[0];
    assert_eq!(failure.name, "failure");
    assert_eq!(failure.attr("type"), "warning");
    assert_eq!(
        failure.attr("message"),
        "StatefulSet `shop-db` runs PostgreSQL with `podManagementPolicy: Parallel`: all pods \
         start (and scale) at once, racing the bootstrap of pod 0"
    );
    assert_eq!(
        failure.text.lines().next().unwrap(),
        format!(
            "{BAD}:30:24: warning[parallel-database-startup] StatefulSet `shop-db` runs \
             PostgreSQL with `podManagementPolicy: Parallel`: all pods start (and scale) at \
             once, racing the bootstrap of pod 0"
        )
    );
    assert!(
        failure.text.ends_with(&format!(
            "\nrelated: {BAD}:50:16: PostgreSQL bootstraps from ordinal 0"
        )),
        "{}",
        failure.text
    );
}

#[test]
fn junit_reports_input_errors_as_errors_and_escapes_markup() {
    let o = stslint_stdin(
        &[
            "--format",
            "junit",
            "--stdin-filename",
            "a<b>&\"c\".yaml",
            "-",
        ],
        "a: [1, 2\nb: 3\n",
    );
    assert_eq!(o.status.code(), Some(2));
    let doc = parse_xml(&stdout(&o));
    assert_eq!((doc.attr("tests"), doc.attr("errors")), ("1", "1"));
    let suite = &doc.children[0];
    assert_eq!(suite.attr("name"), "a<b>&\"c\".yaml");
    let case = &suite.children[0];
    assert_eq!(case.attr("name"), "syntax-error");
    let error = &case.children[0];
    assert_eq!(
        (error.name.as_str(), error.attr("type")),
        ("error", "syntax-error")
    );
    assert!(
        error
            .text
            .starts_with("a<b>&\"c\".yaml:2:2: error[syntax-error] "),
        "{}",
        error.text
    );
    // control characters in input text never reach the XML raw
    let yaml = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: \"db\\u001b[31m\\u0001\"\nspec:\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: \"postgres:16\"}]}\n";
    let o = stslint_stdin(
        &[
            "--format",
            "junit",
            "--select",
            "missing-headless-service",
            "-",
        ],
        yaml,
    );
    let out = stdout(&o);
    let doc = parse_xml(&out);
    let case = &doc.children[0].children[0];
    assert_eq!(
        case.attr("name"),
        "missing-headless-service StatefulSet/db\\u{1b}[31m\\u{1}"
    );
}

// --- GitLab Code Quality ---------------------------------------------------

#[test]
fn gitlab_issues_have_the_fields_gitlab_reads() {
    let o = stslint(&["--format", "gitlab", "examples"]);
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    let issues = j.as_array().unwrap();
    assert_eq!(issues.len(), 14);
    let first = &issues[0];
    assert_eq!(first["check_name"], "immediate-volume-binding");
    assert_eq!(first["severity"], "major");
    assert_eq!(
        first["location"],
        json!({ "path": BAD, "lines": { "begin": 5, "end": 5 } })
    );
    assert_eq!(
        first["description"],
        "StorageClass `fast-ssd` uses the default `volumeBindingMode` (Immediate): each volume \
         is created before its pod is scheduled, in a zone or node chosen without the pod's \
         constraints, so StatefulSet `shop-db` pods can end up unschedulable \
         [StorageClass/fast-ssd]"
    );
    let severities: BTreeSet<(&str, &str)> = issues
        .iter()
        .map(|i| {
            (
                i["check_name"].as_str().unwrap(),
                i["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(severities.contains(&("missing-headless-service", "critical")));
    assert!(severities.contains(&("missing-startup-probe", "minor")));
    for i in issues {
        let fp = i["fingerprint"].as_str().unwrap();
        assert!(
            fp.len() == 32 && fp.chars().all(|c| c.is_ascii_hexdigit()),
            "{fp}"
        );
    }
}

fn fingerprints(o: &std::process::Output) -> Vec<String> {
    json(o)
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn gitlab_fingerprints_are_unique_and_ignore_line_moves() {
    let fps = fingerprints(&stslint(&["--format", "gitlab", "fixtures", "examples"]));
    assert!(fps.len() > 200, "{}", fps.len());
    let unique: BTreeSet<&String> = fps.iter().collect();
    assert_eq!(unique.len(), fps.len(), "duplicate fingerprints");
    let text = std::fs::read_to_string(root().join(BAD)).unwrap();
    let moved = format!("# a comment\n# and another\n{text}");
    let args = ["--format", "gitlab", "--stdin-filename", BAD, "-"];
    let a = fingerprints(&stslint_stdin(&args, &text));
    let b = fingerprints(&stslint_stdin(&args, &moved));
    assert_eq!(a.len(), 14);
    assert_eq!(a, b);
    // the same object twice in one file: each finding its own fingerprint
    let dup = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: d, image: app}]}\n";
    let thrice = format!("{dup}---\n{dup}---\n{dup}");
    let fps = fingerprints(&stslint_stdin(
        &["--format", "gitlab", "--select", "mutable-image-tag", "-"],
        &thrice,
    ));
    assert_eq!(fps.len(), 3, "{fps:?}");
    assert_eq!(fps.iter().collect::<BTreeSet<_>>().len(), 3);
}

#[test]
fn gitlab_input_errors_are_blockers() {
    let o = stslint_stdin(
        &[
            "--format",
            "gitlab",
            "--stdin-filename",
            "k8s/broken.yaml",
            "-",
        ],
        "a: [1, 2\nb: 3\n",
    );
    assert_eq!(o.status.code(), Some(2));
    let j = json(&o);
    let i = &j[0];
    assert_eq!(
        (&i["check_name"], &i["severity"], &i["location"]),
        (
            &json!("syntax-error"),
            &json!("blocker"),
            &json!({ "path": "k8s/broken.yaml", "lines": { "begin": 2 } })
        )
    );
}

// --- every CI format -------------------------------------------------------

#[test]
fn ci_formats_are_identical_whatever_the_thread_count() {
    for format in ["sarif", "junit", "gitlab"] {
        let one = stslint(&["--format", format, "-j", "1", "examples", "fixtures"]);
        let two = stslint(&["--format", format, "-j", "2", "examples", "fixtures"]);
        assert!(one.stdout.len() > 10_000, "{format}");
        assert!(one.stdout == two.stdout, "{format}: -j1 and -j2 differ");
    }
}

// --- -o/--output -----------------------------------------------------------

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn output_goes_to_a_file_replaced_atomically() {
    let dir = tempdir("output-file");
    let report = dir.join("report.sarif");
    std::fs::write(&report, "old").unwrap();
    let path = report.to_str().unwrap();
    let o = stslint(&["--format", "sarif", "-o", path, "examples/shop-db-bad"]);
    assert_eq!(o.status.code(), Some(1), "the findings still decide");
    assert!(o.stdout.is_empty());
    // the report is in the file, so the summary goes to stderr
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with(
            "stslint: 1 file, 3 objects: 3 errors, 10 warnings, 1 note \
             (3 fixable with --fix --unsafe-fixes) in "
        ),
        "{err}"
    );
    let to_stdout = stslint(&["--format", "sarif", "examples/shop-db-bad"]);
    assert_eq!(std::fs::read(&report).unwrap(), to_stdout.stdout);
    assert_eq!(leftovers(&dir), ["report.sarif"]);
    // `--output` and a clean run: exit 0
    let o = stslint(&[
        "--format",
        "junit",
        "--output",
        path,
        "examples/shop-db-good",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(std::fs::read_to_string(&report)
        .unwrap()
        .starts_with("<?xml"));
    // `-o -` is standard output
    let o = stslint(&["--format", "gitlab", "-o", "-", "examples/shop-db-bad"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o).as_array().unwrap().len(), 14);
}

#[test]
fn an_unwritable_output_is_exit_2_with_a_clear_message() {
    let dir = tempdir("output-unwritable");
    let missing = dir.join("no/such/dir/report.json");
    let o = stslint(&["--format", "json", "-o", missing.to_str().unwrap(), BAD]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with(&format!(
            "stslint: error: cannot write the report to {}: ",
            missing.display()
        )),
        "{err}"
    );
    // a directory in the way: the temporary file is removed
    std::fs::create_dir(dir.join("taken")).unwrap();
    let taken = dir.join("taken");
    let o = stslint(&["--format", "json", "-o", taken.to_str().unwrap(), BAD]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write the report to"));
    let mut left = leftovers(&dir);
    left.sort();
    assert_eq!(left, ["taken"]);
    assert!(leftovers(&taken).is_empty());
}

/// `-o` at a FIFO writes into it (a rename would replace it with a regular
/// file, as it once replaced `/dev/null`), and at a symbolic link writes the
/// file the link names, leaving the link.
#[test]
fn output_into_a_fifo_or_through_a_symlink_keeps_it_what_it_is() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempdir("output-special");
    let fifo = dir.join("report.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the FIFO"))
    };
    let db = root().join("examples/shop-db-bad/postgres.yaml");
    let db = db.to_str().expect("UTF-8 path");
    let o = stslint_in(
        &dir,
        &["--format", "compact", "-q", "-o", "report.pipe", db],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Checked first: had the FIFO been replaced, the reader would wait forever.
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(kind.is_fifo(), "{kind:?}");
    let text = reader.join().expect("reader");
    assert_eq!(text.lines().count(), 14, "{text}");
    // A symbolic link: the link stays, its target gets the report.
    std::fs::write(dir.join("real.txt"), "old").expect("write");
    std::os::unix::fs::symlink("real.txt", dir.join("link.txt")).expect("symlink");
    let o = stslint_in(
        &dir,
        &["--format", "compact", "-q", "-o", "link.txt", db],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let link = std::fs::symlink_metadata(dir.join("link.txt")).expect("link");
    assert!(link.file_type().is_symlink());
    let text = std::fs::read_to_string(dir.join("real.txt")).expect("target");
    assert_eq!(text.lines().count(), 14, "{text}");
}
