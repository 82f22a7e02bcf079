//! Schema checks: the spanned tree against the Kubernetes schema that
//! k8s-openapi carries (its `schemars` JSON schemas), for the kinds stslint
//! types. Finds keys the schema does not have (with the closest known key) and
//! values outside a field's enumeration. k8s-openapi itself drops unknown keys
//! silently, which is why this walks the tree.

use std::collections::HashMap;
use std::sync::OnceLock;

use k8s_openapi::schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value as J};

use crate::path::{join_key, SegRef};
use crate::source::ByteSpan;
use crate::yaml::{Node, Value};

/// What the schema walk found in one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaIssue {
    /// A key the schema does not define at this place.
    UnknownField {
        /// Path of the unknown key, e.g. `spec.replica`.
        field: String,
        /// Path of the mapping holding it, e.g. `spec` ("" at the top).
        parent: String,
        key: String,
        key_span: ByteSpan,
        /// The closest known key, when one is close.
        suggestion: Option<String>,
    },
    /// A string outside its field's enumeration.
    BadEnum {
        field: String,
        value: String,
        allowed: &'static [&'static str],
    },
}

/// The kinds with a schema, by (API group, kind): their place in [`Schemas::kinds`].
fn kind_index(group: &str, kind: &str) -> Option<usize> {
    Some(match (group, kind) {
        ("apps", "StatefulSet") => 0,
        ("apps" | "extensions", "Deployment") => 1,
        ("apps" | "extensions", "DaemonSet") => 2,
        ("apps" | "extensions", "ReplicaSet") => 3,
        ("batch", "Job") => 4,
        ("batch", "CronJob") => 5,
        ("policy", "PodDisruptionBudget") => 6,
        ("storage.k8s.io", "StorageClass") => 7,
        ("", "Pod") => 8,
        ("", "Service") => 9,
        ("", "ConfigMap") => 10,
        ("", "Secret") => 11,
        ("", "PersistentVolumeClaim") => 12,
        _ => return None,
    })
}

/// The JSON schemas of every kind with one, generated together once per run
/// on first use: the workload kinds share most of their definitions (the pod
/// spec and all below it), and one generator makes each once (a third of a
/// one-file run's time went to making them once per kind).
struct Schemas {
    /// Every definition, by name (`io.k8s.api.apps.v1.StatefulSet`).
    defs: Map<String, J>,
    /// Each kind's schema (a `$ref` into `defs`) and definition name, in
    /// [`kind_index`] order.
    kinds: Vec<(J, String)>,
}

fn schemas() -> &'static Schemas {
    use k8s_openapi::api::{apps, batch, core, policy, storage};
    fn add<T: JsonSchema>(g: &mut SchemaGenerator) -> (J, String) {
        (
            g.subschema_for::<T>().to_value(),
            T::schema_name().into_owned(),
        )
    }
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let mut g = SchemaGenerator::default();
        let kinds = vec![
            add::<apps::v1::StatefulSet>(&mut g),
            add::<apps::v1::Deployment>(&mut g),
            add::<apps::v1::DaemonSet>(&mut g),
            add::<apps::v1::ReplicaSet>(&mut g),
            add::<batch::v1::Job>(&mut g),
            add::<batch::v1::CronJob>(&mut g),
            add::<policy::v1::PodDisruptionBudget>(&mut g),
            add::<storage::v1::StorageClass>(&mut g),
            add::<core::v1::Pod>(&mut g),
            add::<core::v1::Service>(&mut g),
            add::<core::v1::ConfigMap>(&mut g),
            add::<core::v1::Secret>(&mut g),
            add::<core::v1::PersistentVolumeClaim>(&mut g),
        ];
        Schemas {
            defs: g.take_definitions(false),
            kinds,
        }
    })
}

/// A kind's schema prepared for the walk, node by node as the walk first
/// reaches it: `$ref`s followed once, properties sorted for binary search,
/// enumerations attached. The walk then costs a few string comparisons per
/// key instead of several hashed lookups in JSON, and a one-object run
/// prepares only the nodes its object reaches.
#[derive(Default)]
struct SNode {
    /// `x-kubernetes-preserve-unknown-fields`: anything goes below.
    preserve: bool,
    /// `properties`, sorted by key (`None`: the schema lists none).
    props: Option<Vec<Prop>>,
    /// `additionalProperties`, when it is a schema.
    additional: Option<Lazy>,
    items: Option<Lazy>,
}

struct Prop {
    key: &'static str,
    child: Lazy,
    /// The values allowed when the field is an enumeration ([`ENUMS`]).
    allowed: Option<&'static [&'static str]>,
}

/// A schema node, prepared on first use.
struct Lazy {
    schema: &'static J,
    node: OnceLock<Box<SNode>>,
}

impl Lazy {
    fn new(schema: &'static J) -> Lazy {
        Lazy {
            schema,
            node: OnceLock::new(),
        }
    }

    fn get(&self) -> &SNode {
        self.node
            .get_or_init(|| Box::new(SNode::new(self.schema, None)))
    }
}

impl SNode {
    /// Prepare `schema` (reached under the definition `name`, if any).
    fn new(schema: &'static J, name: Option<&'static str>) -> SNode {
        let (resolved, name) = resolve(schema, &schemas().defs, name);
        if resolved
            .get("x-kubernetes-preserve-unknown-fields")
            .is_some()
        {
            return SNode {
                preserve: true,
                ..SNode::default()
            };
        }
        let props = resolved
            .get("properties")
            .and_then(J::as_object)
            .map(|props| {
                let mut out: Vec<Prop> = props
                    .iter()
                    .map(|(k, v)| Prop {
                        key: k.as_str(),
                        child: Lazy::new(v),
                        allowed: name.and_then(|n| enum_for(n, k)),
                    })
                    .collect();
                out.sort_by(|a, b| a.key.cmp(b.key));
                out
            });
        SNode {
            preserve: false,
            props,
            additional: resolved
                .get("additionalProperties")
                .filter(|a| a.is_object())
                .map(Lazy::new),
            items: resolved.get("items").map(Lazy::new),
        }
    }
}

/// The schema of a kind prepared for the walk, once per run on first use.
fn root_schema(group: &str, kind: &str) -> Option<&'static SNode> {
    static CELLS: [OnceLock<SNode>; 13] = [const { OnceLock::new() }; 13];
    let i = kind_index(group, kind)?;
    Some(CELLS[i].get_or_init(|| {
        let (schema, name) = &schemas().kinds[i];
        SNode::new(schema, Some(name))
    }))
}

/// Enumerated string fields: (schema definition, property, allowed values).
/// The schemas k8s-openapi carries do not list enumerations, so they are here.
pub const ENUMS: &[(&str, &str, &[&str])] = &[
    (
        "io.k8s.api.apps.v1.StatefulSetSpec",
        "podManagementPolicy",
        &["OrderedReady", "Parallel"],
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetUpdateStrategy",
        "type",
        &["RollingUpdate", "OnDelete"],
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        "whenDeleted",
        &["Retain", "Delete"],
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        "whenScaled",
        &["Retain", "Delete"],
    ),
    (
        "io.k8s.api.apps.v1.DeploymentStrategy",
        "type",
        &["Recreate", "RollingUpdate"],
    ),
    (
        "io.k8s.api.apps.v1.DaemonSetUpdateStrategy",
        "type",
        &["RollingUpdate", "OnDelete"],
    ),
    (
        "io.k8s.api.batch.v1.CronJobSpec",
        "concurrencyPolicy",
        &["Allow", "Forbid", "Replace"],
    ),
    (
        "io.k8s.api.batch.v1.JobSpec",
        "completionMode",
        &["NonIndexed", "Indexed"],
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "restartPolicy",
        &["Always", "OnFailure", "Never"],
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "dnsPolicy",
        &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
    ),
    (
        "io.k8s.api.core.v1.Container",
        "imagePullPolicy",
        &["Always", "Never", "IfNotPresent"],
    ),
    (
        "io.k8s.api.core.v1.Container",
        "terminationMessagePolicy",
        &["File", "FallbackToLogsOnError"],
    ),
    (
        "io.k8s.api.core.v1.ContainerPort",
        "protocol",
        &["TCP", "UDP", "SCTP"],
    ),
    (
        "io.k8s.api.core.v1.ServicePort",
        "protocol",
        &["TCP", "UDP", "SCTP"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "type",
        &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "sessionAffinity",
        &["ClientIP", "None"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "externalTrafficPolicy",
        &["Cluster", "Local"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "internalTrafficPolicy",
        &["Cluster", "Local"],
    ),
    (
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        "whenUnsatisfiable",
        &["DoNotSchedule", "ScheduleAnyway"],
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        "operator",
        &["In", "NotIn", "Exists", "DoesNotExist"],
    ),
    (
        "io.k8s.api.core.v1.NodeSelectorRequirement",
        "operator",
        &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
    ),
    (
        "io.k8s.api.core.v1.Toleration",
        "operator",
        &["Exists", "Equal"],
    ),
    (
        "io.k8s.api.core.v1.Toleration",
        "effect",
        &["NoSchedule", "PreferNoSchedule", "NoExecute"],
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
        "accessModes",
        &[
            "ReadWriteOnce",
            "ReadOnlyMany",
            "ReadWriteMany",
            "ReadWriteOncePod",
        ],
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
        "volumeMode",
        &["Filesystem", "Block"],
    ),
    (
        "io.k8s.api.storage.v1.StorageClass",
        "volumeBindingMode",
        &["Immediate", "WaitForFirstConsumer"],
    ),
    (
        "io.k8s.api.storage.v1.StorageClass",
        "reclaimPolicy",
        &["Delete", "Retain"],
    ),
    (
        "io.k8s.api.policy.v1.PodDisruptionBudgetSpec",
        "unhealthyPodEvictionPolicy",
        &["IfHealthyBudget", "AlwaysAllow"],
    ),
    (
        "io.k8s.api.core.v1.HTTPGetAction",
        "scheme",
        &["HTTP", "HTTPS"],
    ),
];

fn enum_for(def: &str, prop: &str) -> Option<&'static [&'static str]> {
    static MAP: OnceLock<HashMap<(&str, &str), &[&str]>> = OnceLock::new();
    MAP.get_or_init(|| ENUMS.iter().map(|(d, p, v)| ((*d, *p), *v)).collect())
        .get(&(def, prop))
        .copied()
}

/// Check an object's tree against its kind's schema. Kinds without a schema
/// (CRDs, kinds stslint does not type) give nothing.
pub fn check(group: &str, kind: &str, root: &Node) -> Vec<SchemaIssue> {
    let Some(schema) = root_schema(group, kind) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(root, schema, &mut Vec::new(), &mut out);
    out
}

/// Follow `$ref`s; returns the schema and the name of the definition it is.
fn resolve<'s>(
    mut schema: &'s J,
    defs: &'s Map<String, J>,
    mut name: Option<&'s str>,
) -> (&'s J, Option<&'s str>) {
    for _ in 0..16 {
        let Some(r) = schema.get("$ref").and_then(J::as_str) else {
            break;
        };
        let Some(def) = r.strip_prefix("#/$defs/") else {
            break;
        };
        match defs.get(def) {
            Some(d) => {
                schema = d;
                name = Some(def);
            }
            None => break,
        }
    }
    (schema, name)
}

fn walk<'n>(
    node: &'n Node,
    schema: &SNode,
    path: &mut Vec<SegRef<'n>>,
    out: &mut Vec<SchemaIssue>,
) {
    if schema.preserve {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            let props = schema.props.as_deref();
            for e in entries {
                let prop = props.and_then(|p| {
                    p.binary_search_by(|x| x.key.cmp(e.key.as_str()))
                        .ok()
                        .map(|i| &p[i])
                });
                let child = match (prop, &schema.additional) {
                    (Some(p), _) => {
                        if let Some(allowed) = p.allowed {
                            path.push(SegRef::Key(&e.key));
                            check_enum(&e.value, &crate::path::to_path(path), allowed, out);
                            path.pop();
                        }
                        &p.child
                    }
                    (None, Some(ap)) => ap,
                    (None, None) => {
                        if let Some(props) = props {
                            let parent = crate::path::to_path(path);
                            out.push(SchemaIssue::UnknownField {
                                suggestion: closest(&e.key, props.iter().map(|p| p.key)),
                                field: join_key(&parent, &e.key),
                                parent,
                                key: e.key.clone(),
                                key_span: e.key_span,
                            });
                        }
                        continue;
                    }
                };
                if matches!(e.value.value, Value::Map(_) | Value::Seq(_)) {
                    path.push(SegRef::Key(&e.key));
                    walk(&e.value, child.get(), path, out);
                    path.pop();
                }
            }
        }
        Value::Seq(items) => {
            if let Some(item_schema) = &schema.items {
                for (i, item) in items.iter().enumerate() {
                    if matches!(item.value, Value::Map(_) | Value::Seq(_)) {
                        path.push(SegRef::Index(i));
                        walk(item, item_schema.get(), path, out);
                        path.pop();
                    }
                }
            }
        }
        _ => {}
    }
}

fn check_enum(
    node: &Node,
    field: &str,
    allowed: &'static [&'static str],
    out: &mut Vec<SchemaIssue>,
) {
    let mut one = |n: &Node, f: String| {
        if let Value::Str(s) = &n.value {
            if !allowed.contains(&s.as_str()) {
                out.push(SchemaIssue::BadEnum {
                    field: f,
                    value: s.clone(),
                    allowed,
                });
            }
        }
    };
    match &node.value {
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                one(n, format!("{field}[{i}]"));
            }
        }
        _ => one(node, field.to_string()),
    }
}

/// The candidate closest to `word`: same letters in another case, or within a
/// small edit distance.
pub fn closest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| {
            let d = if c.to_ascii_lowercase() == lower {
                0
            } else {
                distance(&lower, &c.to_ascii_lowercase())
            };
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c.to_string())
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::parse_documents;

    fn issues(text: &str) -> Vec<SchemaIssue> {
        let doc = parse_documents(&SourceFile::new("t", text))
            .unwrap()
            .remove(0);
        check("apps", "StatefulSet", &doc)
    }

    #[test]
    fn unknown_keys_with_suggestions() {
        let found = issues("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a, labels: {any: thing}}\nspec:\n  replica: 3\n  volumeClaimTemplate: []\n  template:\n    spec:\n      containers:\n      - name: a\n        imagePullPolicy: always\n        livenessprobe: {}\n");
        let unknown: Vec<(String, Option<String>)> = found
            .iter()
            .filter_map(|i| match i {
                SchemaIssue::UnknownField {
                    field, suggestion, ..
                } => Some((field.clone(), suggestion.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            unknown,
            vec![
                ("spec.replica".to_string(), Some("replicas".to_string())),
                (
                    "spec.volumeClaimTemplate".to_string(),
                    Some("volumeClaimTemplates".to_string())
                ),
                (
                    "spec.template.spec.containers[0].livenessprobe".to_string(),
                    Some("livenessProbe".to_string())
                ),
            ]
        );
        assert!(found.contains(&SchemaIssue::BadEnum {
            field: "spec.template.spec.containers[0].imagePullPolicy".into(),
            value: "always".into(),
            allowed: &["Always", "Never", "IfNotPresent"],
        }));
    }

    #[test]
    fn every_enum_names_a_real_property() {
        let defs = &schemas().defs;
        for (def, prop, _) in ENUMS {
            let found = defs
                .get(*def)
                .and_then(|d| d.get("properties"))
                .is_some_and(|p| p.get(*prop).is_some());
            assert!(found, "{def}.{prop} is not in any schema");
        }
    }

    #[test]
    fn enums_at_the_root_of_a_kind() {
        let doc = parse_documents(&SourceFile::new(
            "t",
            "kind: StorageClass\nprovisioner: x\nvolumeBindingMode: waitForFirstConsumer\n",
        ))
        .unwrap()
        .remove(0);
        assert_eq!(check("storage.k8s.io", "StorageClass", &doc).len(), 1);
    }

    #[test]
    fn closest_key() {
        let keys = ["replicas", "serviceName", "selector"];
        assert_eq!(
            closest("replica", keys.into_iter()),
            Some("replicas".into())
        );
        assert_eq!(
            closest("ServiceName", keys.into_iter()),
            Some("serviceName".into())
        );
        assert_eq!(closest("zzz", keys.into_iter()), None);
    }
}
