//! The fixes that write a new object beside a workload: the headless
//! Service of `missing-headless-service` and the PodDisruptionBudget of
//! `missing-pdb`. Each fix is applied with `fix::apply`, and the result is
//! linted again: the finding is gone, nothing new is reported, the rest of
//! the text is byte-for-byte what it was, and no fix is left to apply.

use stslint::diagnostic::Finding;
use stslint::engine::Outcome;
use stslint::fix::{apply, Applicability, Fix};
use stslint::manifest::{load_file, LoadOptions};
use stslint::source::{FileId, SourceFile};

use crate::support::lint_sources;

const HEADLESS: &str = "missing-headless-service";
const PDB: &str = "missing-pdb";

fn lint(name: &str, text: &str) -> Outcome {
    lint_sources(vec![SourceFile::new(name, text)], &[])
}

fn of<'o>(o: &'o Outcome, rule: &str) -> Vec<&'o Finding> {
    o.findings.iter().filter(|f| f.rule == rule).collect()
}

/// What a finding says, whatever its line: rule, object and message.
fn said(f: &Finding) -> (String, String, String) {
    (
        f.rule.to_string(),
        f.object.to_string(),
        f.message.to_string(),
    )
}

fn all_said(o: &Outcome) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = o.findings.iter().map(said).collect();
    v.sort();
    v
}

/// Every object of the text as (kind, name, tree as JSON).
fn objects(name: &str, text: &str) -> Vec<(String, String, serde_json::Value)> {
    let file = SourceFile::new(name, text);
    load_file(FileId(0), &file, &LoadOptions::default())
        .objects
        .into_iter()
        .map(|o| (o.kind, o.name, o.node.to_json()))
        .collect()
}

/// The one fix of `rule` in `text`: applied, it gives `expected`, after
/// which the finding is gone, no other finding appears or changes, the
/// objects are those of `text` plus one, and nothing is left to fix.
fn check_fix(name: &str, text: &str, rule: &str, expected: &str) {
    let before = lint(name, text);
    let found = of(&before, rule);
    assert_eq!(found.len(), 1, "{rule} findings: {found:#?}");
    let fix: &Fix = found[0].fix.as_deref().expect("a fix");
    assert_eq!(fix.applicability, Applicability::Unsafe);
    assert_eq!(fix.edits.len(), 1);
    let edit = &fix.edits[0];
    assert!(edit.span.is_empty(), "the fix only inserts");
    let (after, applied) = apply(text, &[fix]);
    assert_eq!(applied, 1);
    assert_eq!(after, expected, "the fixed text:\n{after}");
    // Byte for byte what it was, around the new document.
    let at = edit.span.start as usize;
    assert_eq!(
        format!("{}{}", &after[..at], &after[at + edit.content.len()..]),
        text
    );
    // Linted again: only the fixed finding is gone.
    let again = lint(name, &after);
    let mut want = all_said(&before);
    let gone = said(found[0]);
    want.retain(|s| *s != gone);
    assert_eq!(all_said(&again), want, "findings after the fix");
    assert!(of(&again, rule).is_empty());
    assert!(
        again.problems.is_empty() && again.skipped.is_empty(),
        "{:?} {:?}",
        again.problems,
        again.skipped
    );
    // The objects are the same, plus the new one.
    let old = objects(name, text);
    let new = objects(name, &after);
    assert_eq!(new.len(), old.len() + 1);
    let mut rest = new.clone();
    let added = rest
        .iter()
        .position(|o| !old.contains(o))
        .expect("a new object");
    rest.remove(added);
    assert_eq!(rest, old);
}

/// Apply every fix of `rules` until none is left (a fix that meets another
/// waits for the next pass, as `--fix` does): the final text and how many
/// passes it took.
fn fix_all(name: &str, text: &str, rules: &[&str]) -> (String, usize) {
    let mut text = text.to_string();
    for pass in 0..10 {
        let o = lint(name, &text);
        let fixes: Vec<&Fix> = o
            .findings
            .iter()
            .filter(|f| rules.contains(&f.rule))
            .filter_map(|f| f.fix.as_deref())
            .collect();
        if fixes.is_empty() {
            return (text, pass);
        }
        let (next, n) = apply(&text, &fixes);
        assert!(n > 0);
        text = next;
    }
    panic!("fixes never settle:\n{text}");
}

fn no_fix(name: &str, text: &str, rule: &str) {
    let o = lint(name, text);
    let found = of(&o, rule);
    assert!(!found.is_empty(), "{rule} reports");
    for f in found {
        assert!(f.fix.is_none(), "no fix expected: {:#?}", f.fix);
    }
}

const SHOP_DB: &str = "\
# The shop's database.
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: shop-db
  namespace: shop
spec:
  serviceName: shop-db-hl   # the governing Service
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: postgresql
      enabled: \"true\"
  template:
    metadata:
      labels:
        app.kubernetes.io/name: postgresql
        app.kubernetes.io/version: \"16.4\"
        enabled: \"true\"
    spec:
      containers:
      - name: postgres
        image: postgres:16.4
        ports:
        - name: postgres
          containerPort: 5432
      - name: metrics
        image: prometheuscommunity/postgres-exporter:v0.15.0
        ports:
        - containerPort: 9187
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 10Gi
# end of the database

---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
  namespace: shop
data:
  mode: fast
";

#[test]
fn headless_service_after_the_statefulset() {
    let service = "\
---
apiVersion: v1
kind: Service
metadata:
  name: shop-db-hl
  namespace: shop
spec:
  clusterIP: None
  selector:
    app.kubernetes.io/name: postgresql
    enabled: \"true\"
  ports:
  - name: postgres
    port: 5432
    targetPort: postgres
  - name: tcp-9187
    port: 9187
    targetPort: 9187
";
    let at = SHOP_DB
        .find("---\napiVersion: v1\nkind: ConfigMap")
        .unwrap();
    let expected = format!("{}{service}{}", &SHOP_DB[..at], &SHOP_DB[at..]);
    check_fix("db.yaml", SHOP_DB, HEADLESS, &expected);
}

#[test]
fn budget_after_the_statefulset() {
    let budget = "\
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: shop-db
  namespace: shop
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: postgresql
      enabled: \"true\"
";
    let at = SHOP_DB
        .find("---\napiVersion: v1\nkind: ConfigMap")
        .unwrap();
    let expected = format!("{}{budget}{}", &SHOP_DB[..at], &SHOP_DB[at..]);
    check_fix("db.yaml", SHOP_DB, PDB, &expected);
}

#[test]
fn both_fixes_settle_in_two_passes_and_then_nothing_is_left() {
    let (text, passes) = fix_all("db.yaml", SHOP_DB, &[HEADLESS, PDB]);
    // Both insert at one place: one waits for the second pass.
    assert_eq!(passes, 2);
    let o = lint("db.yaml", &text);
    assert!(of(&o, HEADLESS).is_empty() && of(&o, PDB).is_empty());
    let kinds: Vec<String> = objects("db.yaml", &text)
        .into_iter()
        .map(|(k, n, _)| format!("{k}/{n}"))
        .collect();
    assert_eq!(
        kinds,
        [
            "StatefulSet/shop-db",
            "PodDisruptionBudget/shop-db",
            "Service/shop-db-hl",
            "ConfigMap/shop-config"
        ]
    );
    assert!(text.starts_with(&SHOP_DB[..SHOP_DB.find("\n---").unwrap()]));
    assert!(text.ends_with(
        &SHOP_DB[SHOP_DB
            .find("---\napiVersion: v1\nkind: ConfigMap")
            .unwrap()..]
    ));
}

/// A quorum's members must resolve each other before they are Ready; a file
/// of CRLF lines indented by 4 with indented sequences, no namespace, and no
/// newline at its end.
#[test]
fn quorum_service_in_a_crlf_file_indented_by_four() {
    let text = "\
apiVersion: apps/v1\r
kind: StatefulSet\r
metadata:\r
    name: zk\r
spec:\r
    serviceName: zk-hs\r
    replicas: 3\r
    selector:\r
        matchLabels:\r
            app: zk\r
    template:\r
        metadata:\r
            labels:\r
                app: zk\r
        spec:\r
            containers:\r
                - name: zookeeper\r
                  image: zookeeper:3.9\r
                  ports:\r
                      - name: client\r
                        containerPort: 2181\r
                      - name: server\r
                        containerPort: 2888\r
                      - name: election\r
                        containerPort: 3888\r
                      - name: gossip\r
                        containerPort: 7946\r
                        protocol: UDP\r
# no newline at the end";
    let expected = format!(
        "{text}\r\n{}",
        "\
---\r
apiVersion: v1\r
kind: Service\r
metadata:\r
    name: zk-hs\r
spec:\r
    clusterIP: None\r
    publishNotReadyAddresses: true\r
    selector:\r
        app: zk\r
    ports:\r
        - name: client\r
          port: 2181\r
          targetPort: client\r
        - name: server\r
          port: 2888\r
          targetPort: server\r
        - name: election\r
          port: 3888\r
          targetPort: election\r
        - name: gossip\r
          port: 7946\r
          targetPort: gossip\r
          protocol: UDP\r
"
    );
    check_fix("zk.yaml", text, HEADLESS, &expected);
    let budget = "\
---\r
apiVersion: policy/v1\r
kind: PodDisruptionBudget\r
metadata:\r
    name: zk\r
spec:\r
    maxUnavailable: 1\r
    selector:\r
        matchLabels:\r
            app: zk\r
";
    check_fix("zk.yaml", text, PDB, &format!("{text}\r\n{budget}"));
}

const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
      on: \"yes\"
  template:
    metadata:
      labels:
        app: web
        on: \"yes\"
        version: \"0755\"
    spec:
      containers:
      - name: web
        image: nginx:1.27
";

#[test]
fn budget_for_a_deployment_quotes_what_needs_it() {
    let budget = "\
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: web
      \"on\": \"yes\"
";
    check_fix("web.yaml", WEB, PDB, &format!("{WEB}{budget}"));
}

#[test]
fn a_service_without_ports_when_the_containers_declare_none() {
    let text = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cache
spec:
  serviceName: cache
  selector:
    matchLabels: {app: cache}
  template:
    metadata:
      labels: {app: cache, tier: backend}
    spec:
      containers:
      - name: cache
        image: memcached:1.6
";
    let service = "\
---
apiVersion: v1
kind: Service
metadata:
  name: cache
spec:
  clusterIP: None
  selector:
    app: cache
";
    check_fix("cache.yaml", text, HEADLESS, &format!("{text}{service}"));
}

// ------------------------------------------------------------ no fix

#[test]
fn no_fix_in_json_lists_or_flow_documents() {
    let json = r#"{"apiVersion": "apps/v1", "kind": "StatefulSet",
 "metadata": {"name": "db"},
 "spec": {"serviceName": "db", "replicas": 2, "selector": {"matchLabels": {"app": "db"}},
  "template": {"metadata": {"labels": {"app": "db"}},
   "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}}}}
"#;
    no_fix("db.json", json, HEADLESS);
    no_fix("db.json", json, PDB);
    let list = "\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: StatefulSet
  metadata:
    name: db
  spec:
    serviceName: db
    replicas: 2
    selector:
      matchLabels:
        app: db
    template:
      metadata:
        labels:
          app: db
      spec:
        containers:
        - name: db
          image: postgres:16
";
    no_fix("list.yaml", list, HEADLESS);
    no_fix("list.yaml", list, PDB);
    // The same object as a document of its own gets both fixes.
    let item = &list[list.find("- ").unwrap() + 2..];
    let doc: String = item
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l)))
        .collect();
    let o = lint("db.yaml", &doc);
    for rule in [HEADLESS, PDB] {
        let found = of(&o, rule);
        assert!(
            !found.is_empty() && found.iter().all(|f| f.fix.is_some()),
            "{rule}: {doc}"
        );
    }
    // The document ends inside a flow mapping whose `}` is on its own line.
    let flow = "\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec: {serviceName: db, replicas: 2, selector: {matchLabels: {app: db}},
  template: {metadata: {labels: {app: db}},
    spec: {containers: [{name: db, image: 'postgres:16'}]}}
}
";
    no_fix("flow.yaml", flow, HEADLESS);
    no_fix("flow.yaml", flow, PDB);
}

fn with(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

#[test]
fn no_service_fix_when_it_is_not_certain() {
    // No serviceName: `spec.serviceName` cannot be changed on a live
    // StatefulSet, and the name would be a guess.
    no_fix(
        "db.yaml",
        &with(
            SHOP_DB,
            "  serviceName: shop-db-hl   # the governing Service\n",
            "",
        ),
        HEADLESS,
    );
    // A Service of that name exists in another namespace.
    let elsewhere = format!(
        "{SHOP_DB}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: shop-db-hl\n  namespace: other\nspec:\n  clusterIP: None\n  selector:\n    app: x\n"
    );
    no_fix("db.yaml", &elsewhere, HEADLESS);
    // A selector with matchExpressions.
    no_fix(
        "db.yaml",
        &with(
            SHOP_DB,
            "      enabled: \"true\"\n  template:",
            "      enabled: \"true\"\n    matchExpressions:\n    - {key: app.kubernetes.io/version, operator: Exists}\n  template:",
        ),
        HEADLESS,
    );
    // An unnamed port's generated name (`tcp-9187`) is taken by another
    // port.
    no_fix(
        "db.yaml",
        &with(
            SHOP_DB,
            "        - name: postgres\n",
            "        - name: tcp-9187\n",
        ),
        HEADLESS,
    );
    // A protocol Kubernetes does not know.
    no_fix(
        "db.yaml",
        &with(
            SHOP_DB,
            "        - containerPort: 9187\n",
            "        - containerPort: 9187\n          protocol: QUIC\n",
        ),
        HEADLESS,
    );
    // Two StatefulSets name the same missing Service.
    let twin = with(
        &with(SHOP_DB, "name: shop-db\n", "name: shop-db-2\n"),
        "# The shop's database.\n",
        "",
    );
    let two = format!("{SHOP_DB}---\n{twin}");
    let o = lint("db.yaml", &two);
    let found = of(&o, HEADLESS);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|f| f.fix.is_none()));
    // The document is followed by something that is not a document start.
    no_fix(
        "db.yaml",
        &with(
            SHOP_DB,
            "# end of the database\n",
            "...\nnot: yaml-we-know\n",
        ),
        HEADLESS,
    );
}

#[test]
fn no_budget_fix_when_it_is_not_certain() {
    // A budget of that name exists (it selects other pods).
    let named = format!(
        "{WEB}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: other\n"
    );
    no_fix("web.yaml", &named, PDB);
    // A budget selects the pods but allows every eviction: fix that one.
    let unlimited = format!(
        "{WEB}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web-budget\nspec:\n  selector:\n    matchLabels:\n      app: web\n"
    );
    no_fix("web.yaml", &unlimited, PDB);
    // The selector would also select another workload's pods.
    let canary = with(
        &with(
            &with(WEB, "name: web\n", "name: web-canary\n"),
            "        version: \"0755\"\n",
            "        track: canary\n",
        ),
        "      on: \"yes\"\n  template:",
        "      on: \"yes\"\n      track: canary\n  template:",
    );
    let o = lint("web.yaml", &format!("{WEB}---\n{canary}"));
    let found = of(&o, PDB);
    assert_eq!(found.len(), 2);
    assert_eq!(
        found.iter().filter(|f| f.fix.is_some()).count(),
        1,
        "the canary's own selector selects only its pods"
    );
    assert!(found
        .iter()
        .find(|f| f.object.name == "web")
        .is_some_and(|f| f.fix.is_none()));
    // A budget in another namespace selects the pods: which one is meant is
    // not known.
    let ns_web = with(WEB, "  name: web\n", "  name: web\n  namespace: shop\n");
    let other_ns = format!(
        "{ns_web}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: other\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: web\n"
    );
    no_fix("web.yaml", &other_ns, PDB);
    // A StatefulSet and a Deployment share the name: two budgets `web`.
    let sts = with(
        &with(WEB, "kind: Deployment", "kind: StatefulSet"),
        "      app: web\n      on: \"yes\"\n  template:",
        "      app: web-db\n  template:",
    );
    let sts = with(
        &sts,
        "        app: web\n        on:",
        "        app: web-db\n        on:",
    );
    let o = lint("web.yaml", &format!("{WEB}---\n{sts}"));
    let found = of(&o, PDB);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|f| f.fix.is_none()));
}

/// The first YAML block under `heading` in a rule's doc.
fn doc_block(rule: &str, heading: &str) -> String {
    let doc = stslint::rules::ALL
        .iter()
        .find(|e| e.id == rule)
        .expect("registered")
        .doc;
    let section = doc.split(heading).nth(1).expect("section");
    let start = section.find("```yaml\n").expect("a yaml block") + 8;
    let end = section[start..].find("```").expect("closed") + start;
    section[start..end].to_string()
}

/// The insertion of the one fix of `rule` in `text`.
fn inserted(text: &str, rule: &str) -> String {
    let o = lint("doc.yaml", text);
    let found = of(&o, rule);
    assert_eq!(found.len(), 1);
    let fix = found[0].fix.as_deref().expect("a fix");
    fix.edits[0].content.to_string()
}

#[test]
fn the_docs_show_what_the_fixes_write() {
    // missing-pdb: its Example, fixed.
    let example = doc_block(PDB, "## Example");
    assert_eq!(inserted(&example, PDB), doc_block(PDB, "## Fix"));
    // missing-headless-service: the StatefulSet of its Example, with a
    // port and no Service.
    let example = doc_block(HEADLESS, "## Example");
    let sts = &example[example.find("apiVersion: apps/v1").unwrap()..];
    let sts = with(
        sts,
        "        image: postgres:16\n",
        "        image: postgres:16\n        ports:\n        - name: postgres\n          containerPort: 5432\n",
    );
    assert_eq!(inserted(&sts, HEADLESS), doc_block(HEADLESS, "## Fix"));
}
