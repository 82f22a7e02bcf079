//! Large inputs: a file of thousands of documents is linted a document at a
//! time, with the same findings as the documents read whole; one huge line
//! (minified JSON) is linted and reported without a quadratic cost or a
//! panic.

use crate::support::{json, stslint, tempdir};

/// One StatefulSet document, `DOC_LINES` lines after its `---`, named `db-{i}`.
fn statefulset(i: usize) -> String {
    format!(
        "---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db-{i}
  namespace: data
spec:
  serviceName: db-{i}
  replicas: 3
  selector:
    matchLabels: {{app: db-{i}}}
  template:
    metadata:
      labels: {{app: db-{i}}}
    spec:
      containers:
        - name: postgres
          image: postgres:16.2
          resources:
            requests: {{cpu: 500m, memory: 1Gi}}
            limits: {{memory: 1Gi}}
          readinessProbe:
            exec: {{command: [pg_isready]}}
          volumeMounts:
            - {{name: data, mountPath: /var/lib/postgresql/data}}
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {{requests: {{storage: 10Gi}}}}
"
    )
}

/// Lines per document, its `---` included.
const DOC_LINES: u64 = 30;

/// What each document gets: (rule, line within the document counting its
/// `---` as line 1, column).
const PER_DOC: [(&str, u64, u64); 8] = [
    ("missing-headless-service", 8, 16),
    ("missing-pdb", 9, 13),
    ("missing-anti-affinity", 15, 5),
    ("missing-liveness-probe", 17, 17),
    ("missing-security-context", 17, 17),
    ("pgdata-not-subdirectory", 25, 39),
    ("missing-backup", 26, 3),
    ("missing-storage-class", 27, 24),
];

/// Documents enough for a file past the size that is linted as it is read
/// (1 MiB; `STREAM_ABOVE` in src/engine.rs).
const DOCS: usize = 2000;

/// (rule, line, column, object) of every finding, in output order.
fn findings(j: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["object"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every document's findings, at its own lines, in order.
fn expected(docs: usize) -> Vec<(String, u64, u64, String)> {
    (0..docs)
        .flat_map(|i| {
            PER_DOC.iter().map(move |&(rule, line, column)| {
                (
                    rule.to_string(),
                    i as u64 * DOC_LINES + line,
                    column,
                    format!("db-{i}"),
                )
            })
        })
        .collect()
}

#[test]
fn a_file_of_thousands_of_documents_gets_every_finding_once_at_its_line() {
    let dir = tempdir("large-docs");
    let text: String = (0..DOCS).map(statefulset).collect();
    assert!(text.len() > 1 << 20, "{} bytes", text.len());
    let path = dir.join("stack.yaml");
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();
    let one = stslint(&["--format", "json", "-j", "1", p]);
    let j = json(&one);
    assert_eq!(j["summary"]["objects"], DOCS, "{}", j["summary"]);
    assert_eq!(findings(&j), expected(DOCS));
    assert_eq!(one.status.code(), Some(1));
    let two = stslint(&["--format", "json", "-j", "2", p]);
    assert_eq!(one.stdout, two.stdout, "-j1 and -j2 differ");
}

#[test]
fn a_large_file_that_fails_to_parse_at_its_end_lints_none_of_its_documents() {
    let dir = tempdir("large-broken");
    let mut text: String = (0..DOCS).map(statefulset).collect();
    let broken_line = DOCS as u64 * DOC_LINES + 2;
    text.push_str("---\nkey: [unclosed\n");
    let path = dir.join("stack.yaml");
    std::fs::write(&path, &text).unwrap();
    let good = dir.join("good.yaml");
    std::fs::write(&good, statefulset(7)).unwrap();
    let o = stslint(&[
        "--format",
        "json",
        path.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    let j = json(&o);
    // The documents read before the error are forgotten: the file is one
    // syntax error, as a small broken file is, and the other file is linted.
    assert_eq!(j["summary"]["objects"], 1, "{}", j["summary"]);
    let errors = j["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["kind"], "syntax-error");
    assert!(errors[0]["file"].as_str().unwrap().ends_with("stack.yaml"));
    assert_eq!(errors[0]["message"], "invalid YAML: unclosed bracket '['");
    assert_eq!(
        (&errors[0]["line"], &errors[0]["column"]),
        (&broken_line.into(), &6.into())
    );
    let names: Vec<String> = findings(&j).into_iter().map(|f| f.3).collect();
    assert_eq!(names, vec!["db-7"; PER_DOC.len()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_large_file_read_the_way_kubectl_reads_it_is_linted_once() {
    // The last document has a quoted scalar whose continuation line is not
    // indented: the strict parse fails there, after every other document was
    // linted, and the file is read again as kubectl reads it.
    let dir = tempdir("large-lenient");
    let mut text: String = (0..DOCS).map(statefulset).collect();
    let line = DOCS as u64 * DOC_LINES + 7;
    text.push_str(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: \"one\ntwo\"\n",
    );
    let path = dir.join("stack.yaml");
    std::fs::write(&path, &text).unwrap();
    let o = stslint(&["--format", "json", path.to_str().unwrap()]);
    let j = json(&o);
    assert_eq!(j["summary"]["objects"], DOCS + 1, "{}", j["summary"]);
    assert_eq!(findings(&j), expected(DOCS));
    let errors = j["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["kind"], "non-standard-yaml");
    assert_eq!(
        (&errors[0]["line"], &errors[0]["column"]),
        (&line.into(), &1.into())
    );
}

#[test]
fn a_bad_value_in_a_large_file_drops_only_its_document() {
    let dir = tempdir("large-bad-value");
    let mut docs: Vec<String> = (0..DOCS).map(statefulset).collect();
    docs[3] = docs[3].replace("replicas: 3", "replicas: 1e309");
    let path = dir.join("stack.yaml");
    std::fs::write(&path, docs.concat()).unwrap();
    let o = stslint(&["--format", "json", path.to_str().unwrap()]);
    let j = json(&o);
    assert_eq!(j["summary"]["objects"], DOCS - 1, "{}", j["summary"]);
    let mut want = expected(DOCS);
    want.retain(|f| f.3 != "db-3");
    assert_eq!(findings(&j), want);
    let errors = j["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (&errors[0]["line"], &errors[0]["column"]),
        (&(3 * DOC_LINES + 9).into(), &13.into())
    );
}

/// Peak memory stays a small multiple of a large file: documents are linted
/// and dropped as they are read (it was 1.36 GB for this shape at 11.5 MB,
/// 120 times the input; 4,000 documents took about 340 MB).
#[cfg(target_os = "linux")]
#[test]
fn a_large_file_is_held_one_document_at_a_time() {
    let dir = tempdir("large-memory");
    let text: String = (0..4000).map(statefulset).collect();
    let path = dir.join("stack.yaml");
    std::fs::write(&path, &text).unwrap();
    let (o, cost) =
        crate::support::stslint_cost(&["--format", "json", path.to_str().unwrap()], None);
    assert_eq!(json(&o)["summary"]["objects"], 4000);
    let mb = text.len() as f64 / 1e6;
    assert!(
        cost.peak_rss_mb < 40.0 + 12.0 * mb,
        "{mb:.1} MB in: {cost:?}"
    );
}

/// A `kind: List` on one line of 200 kB (as `kubectl get -o json | jq -c`
/// writes it): positions are right, found in one pass, and the human output
/// names the position instead of drawing a snippet of the whole line (miette
/// cannot draw past column 65,535: this panicked).
#[test]
fn one_long_line_gets_exact_positions_and_no_snippet() {
    let dir = tempdir("long-line");
    let item = |i: usize| {
        format!(
            r#"{{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{{"name":"db-{i:03}","namespace":"data"}},"spec":{{"serviceName":"db-{i:03}","replicas":3,"selector":{{"matchLabels":{{"app":"db"}}}},"template":{{"metadata":{{"labels":{{"app":"db"}}}},"spec":{{"containers":[{{"name":"postgres","image":"postgres:16.2","volumeMounts":[{{"name":"data","mountPath":"/var/lib/postgresql/data/pgdata"}}]}}]}}}}}}}}"#
        )
    };
    let items: Vec<String> = (0..800).map(item).collect();
    let head = r#"{"apiVersion":"v1","kind":"List","items":["#;
    let text = format!("{head}{}]}}\n", items.join(","));
    assert!(text.len() > 200_000);
    let path = dir.join("list.json");
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();
    // The last item's `serviceName` value, in characters (all ASCII here).
    let last = head.len() + items[..799].iter().map(|s| s.len() + 1).sum::<usize>();
    let column = last + items[799].find(r#""db-799","replicas""#).unwrap() + 1;
    let j = json(&stslint(&[
        "--format",
        "json",
        "--select",
        "missing-headless-service",
        p,
    ]));
    let f = findings(&j);
    assert_eq!(f.len(), 800);
    assert_eq!(
        f[799],
        (
            "missing-headless-service".into(),
            1,
            column as u64,
            "db-799".into()
        )
    );
    let o = stslint(&["--select", "missing-headless-service", p]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // miette wraps messages at 100 columns: read them unwrapped.
    let human = String::from_utf8(o.stdout).unwrap().replace("\n  │ ", " ");
    let name = path.display();
    assert!(
        human.contains(&format!("{name}:1:{column}: StatefulSet `db-799`")),
        "{}",
        &human[human.len().saturating_sub(2000)..]
    );
    let flat = human.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&format!(
        "no snippet: the line is {} bytes long",
        text.len() - 1
    )));
    assert!(human.len() < 800 * 1000, "{} bytes", human.len());
}
