//! The cross-object index: every linted object, from every file, looked up by
//! namespace, kind and name, plus label-selector evaluation.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::manifest::{Object, Typed};
use crate::source::{FileId, SourceFile};

/// One `key=value` pair of a selector's matchLabels (`None`: no matchLabels).
type LabelKey<'a> = Option<(&'a str, &'a str)>;

pub struct Index<'a> {
    objects: &'a [Object],
    /// The directory part of each file's name (by `FileId`), for preferring
    /// the nearest of several candidates.
    dirs: Vec<&'a str>,
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// kind → namespace ("" for none) → objects
    by_namespace: HashMap<&'a str, HashMap<&'a str, Vec<usize>>>,
    by_name: HashMap<&'a str, Vec<usize>>,
    /// Built on first use: word → pod-bearing objects whose containers mention it.
    mentions: OnceLock<BTreeMap<&'a str, Vec<usize>>>,
    /// Built on first use: PodDisruptionBudgets by one `key=value` of their
    /// matchLabels (those with only matchExpressions under `None`).
    pdbs_by_label: OnceLock<HashMap<LabelKey<'a>, Vec<usize>>>,
    /// Built on first use: namespace ("" for none) → label key → label value →
    /// pod-bearing objects whose pod template carries that label.
    pods_by_label: OnceLock<PodLabels<'a>>,
    /// Built on first use: Services by namespace and the first pair of their
    /// selector (every pair must match, so one is a sound pre-filter).
    services_by_label: OnceLock<ServiceLabels<'a>>,
    /// Built on first use: for each object that repeats the kind, namespace
    /// and name of an earlier one, the index of that first definition; and
    /// per (file of the copy, file of the first) the copies, in order.
    duplicates: OnceLock<Duplicates>,
    /// Built on first use: Job or CronJob → the first StatefulSet whose data
    /// its pods reach (see [`crate::backup`]).
    backup_targets: OnceLock<HashMap<usize, usize>>,
    /// Built on first use: StorageClass (by address) → the StatefulSets using it.
    class_users: OnceLock<ClassUsers<'a>>,
}

type ServiceLabels<'a> = HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<usize>>>>;
#[derive(Default)]
struct Duplicates {
    first_of: HashMap<usize, usize>,
    by_files: HashMap<(FileId, FileId), Vec<usize>>,
}

type ClassUsers<'a> = HashMap<usize, Vec<(&'a Object, String)>>;

type PodLabels<'a> = HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<usize>>>>;

impl<'a> Index<'a> {
    pub fn new(objects: &'a [Object], files: &'a [SourceFile]) -> Self {
        let dirs = files
            .iter()
            .map(|f| f.name.rsplit_once('/').map_or("", |(d, _)| d))
            .collect();
        let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_namespace: HashMap<&str, HashMap<&str, Vec<usize>>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.kind.as_str()).or_default().push(i);
            by_namespace
                .entry(o.kind.as_str())
                .or_default()
                .entry(o.namespace.as_deref().unwrap_or(""))
                .or_default()
                .push(i);
            by_name.entry(o.name.as_str()).or_default().push(i);
        }
        Index {
            objects,
            dirs,
            by_kind,
            by_namespace,
            by_name,
            mentions: OnceLock::new(),
            pdbs_by_label: OnceLock::new(),
            pods_by_label: OnceLock::new(),
            class_users: OnceLock::new(),
            services_by_label: OnceLock::new(),
            duplicates: OnceLock::new(),
            backup_targets: OnceLock::new(),
        }
    }

    pub fn objects(&self) -> &'a [Object] {
        self.objects
    }

    /// Every object of `kind`, in input order.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &'a Object> + '_ {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
    }

    /// Objects of `kind` in namespace `ns` (no namespace matches no namespace).
    pub fn in_namespace<'s>(
        &'s self,
        kind: &'s str,
        ns: Option<&'s str>,
    ) -> impl Iterator<Item = &'a Object> + 's {
        self.by_namespace
            .get(kind)
            .and_then(|m| m.get(ns.unwrap_or("")))
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
    }

    /// Pod-bearing objects whose containers (command, args, env values) or
    /// volume claim names contain a word starting with `prefix`. Words are
    /// split at anything but letters, digits, `-` and `_`, so
    /// `pg-0.pg-headless:5432` holds `pg-0` and `pg-headless`. A cheap
    /// pre-filter: callers check candidates precisely.
    pub fn mentioning(&self, prefix: &str) -> Vec<&'a Object> {
        let map = self.mentions.get_or_init(|| {
            let mut m: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
            for (i, o) in self.objects.iter().enumerate() {
                let Some(pod) = o.pod() else { continue };
                let Some(spec) = o.at(pod.spec_path) else {
                    continue;
                };
                spec.for_each_string(&mut |s, _| {
                    for w in s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    {
                        if !w.is_empty() {
                            let v = m.entry(w).or_default();
                            if v.last() != Some(&i) {
                                v.push(i);
                            }
                        }
                    }
                });
            }
            m
        });
        let mut out: Vec<usize> = map
            .range(prefix..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|i| &self.objects[i]).collect()
    }

    /// The objects named `name` of `kind` in `ns`.
    pub fn named<'s>(
        &'s self,
        ns: Option<&'s str>,
        kind: &'s str,
        name: &str,
    ) -> impl Iterator<Item = &'a Object> + 's {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
            .filter(move |o| o.kind == kind && o.namespace.as_deref() == ns)
    }

    /// The HorizontalPodAutoscaler that scales `obj` (same namespace, target
    /// kind and name), if one is linted; the nearest of several.
    pub fn hpa_for(&self, obj: &Object) -> Option<&'a Object> {
        let hpas = self
            .in_namespace("HorizontalPodAutoscaler", obj.namespace.as_deref())
            .filter(|h| match &h.typed {
                Typed::HorizontalPodAutoscaler(hpa) => {
                    let t = &hpa.spec.scale_target_ref;
                    t.kind == obj.kind && t.name == obj.name
                }
                _ => false,
            });
        self.nearest(obj, hpas)
    }

    /// Pod-bearing objects in `ns` whose pod template `sel` selects, in input
    /// order. Candidates come from the label index through one matchLabels
    /// pair; selectors with only expressions look at the namespace's pods.
    pub fn pods_selected_by(&self, ns: Option<&str>, sel: &LabelSelector) -> Vec<&'a Object> {
        let candidates: Vec<&'a Object> =
            match sel.match_labels.as_ref().and_then(|m| m.iter().next()) {
                Some((k, v)) => self.pods_labelled(ns, k, v).collect(),
                None => self
                    .pod_labels()
                    .get(ns.unwrap_or(""))
                    .and_then(|m| m.get(""))
                    .and_then(|m| m.get(""))
                    .into_iter()
                    .flatten()
                    .map(|&i| &self.objects[i])
                    .collect(),
            };
        candidates
            .into_iter()
            .filter(|o| {
                o.pod()
                    .is_some_and(|p| selector_matches(sel, p.labels_or_empty()))
            })
            .collect()
    }

    fn duplicates(&self) -> &Duplicates {
        self.duplicates.get_or_init(|| {
            let mut d = Duplicates::default();
            for (name, ids) in &self.by_name {
                if name.is_empty() || ids.len() < 2 {
                    continue;
                }
                for (n, &i) in ids.iter().enumerate() {
                    let o = &self.objects[i];
                    let first = ids[..n].iter().copied().find(|&j| {
                        let f = &self.objects[j];
                        f.namespace == o.namespace && f.same_resource_type(o)
                    });
                    if let Some(j) = first {
                        d.first_of.insert(i, j);
                        d.by_files
                            .entry((o.file, self.objects[j].file))
                            .or_default()
                            .push(i);
                    }
                }
            }
            // `by_name` is a hash map: put each group in canonical order.
            for g in d.by_files.values_mut() {
                g.sort_unstable();
            }
            d
        })
    }

    fn position(&self, obj: &Object) -> Option<usize> {
        let base = self.objects.as_ptr() as usize;
        let at = std::ptr::from_ref(obj) as usize;
        let i = at.checked_sub(base)? / std::mem::size_of::<Object>();
        (i < self.objects.len() && std::ptr::eq(&self.objects[i], obj)).then_some(i)
    }

    /// When `obj` repeats the kind, namespace and name of an object before it
    /// (in canonical order): that first definition, and the other objects of
    /// `obj`'s file that repeat objects of the first one's file (`obj` first
    /// among them when it leads).
    pub fn duplicate_of(&self, obj: &Object) -> Option<(&'a Object, Vec<&'a Object>)> {
        let d = self.duplicates();
        let i = self.position(obj)?;
        let first = &self.objects[*d.first_of.get(&i)?];
        let group = d
            .by_files
            .get(&(obj.file, first.file))
            .map(|g| g.iter().map(|&j| &self.objects[j]).collect())
            .unwrap_or_default();
        Some((first, group))
    }

    /// The first StatefulSet (in canonical order) whose data the pods of a
    /// Job or CronJob reach: a backup job. Built once for all StatefulSets,
    /// through the word index.
    pub fn backup_target_of(&self, job: &Object) -> Option<&'a Object> {
        let map = self.backup_targets.get_or_init(|| {
            let mut m = HashMap::new();
            for &i in self.by_kind.get("StatefulSet").into_iter().flatten() {
                let Some(t) = crate::backup::Target::of(&self.objects[i]) else {
                    continue;
                };
                for j in crate::backup::jobs(self, &t) {
                    if let Some(p) = self.position(j) {
                        m.entry(p).or_insert(i);
                    }
                }
            }
            m
        });
        map.get(&self.position(job)?).map(|&i| &self.objects[i])
    }

    /// The Services of `ns` whose selector selects pods labelled `labels`, in
    /// input order.
    pub fn services_selecting(
        &self,
        ns: Option<&str>,
        labels: &BTreeMap<String, String>,
    ) -> Vec<&'a Object> {
        let map = self.services_by_label.get_or_init(|| {
            let mut m: ServiceLabels<'a> = HashMap::new();
            for &i in self.by_kind.get("Service").into_iter().flatten() {
                let o = &self.objects[i];
                let Typed::Service(svc) = &o.typed else {
                    continue;
                };
                let first = svc
                    .spec
                    .as_ref()
                    .and_then(|s| s.selector.as_ref())
                    .and_then(|s| s.iter().next());
                if let Some((k, v)) = first {
                    m.entry(o.namespace.as_deref().unwrap_or(""))
                        .or_default()
                        .entry(k.as_str())
                        .or_default()
                        .entry(v.as_str())
                        .or_default()
                        .push(i);
                }
            }
            m
        });
        let Some(by_key) = map.get(ns.unwrap_or("")) else {
            return Vec::new();
        };
        let mut out: Vec<usize> = labels
            .iter()
            .filter_map(|(k, v)| by_key.get(k.as_str()).and_then(|m| m.get(v.as_str())))
            .flatten()
            .copied()
            .filter(|&i| match &self.objects[i].typed {
                Typed::Service(s) => {
                    map_selector_matches(s.spec.as_ref().and_then(|s| s.selector.as_ref()), labels)
                }
                _ => false,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|i| &self.objects[i]).collect()
    }

    /// Of several candidates, the one nearest to `from`: the first in the
    /// same file, else the first in the same directory, else the first. Objects come in canonical file order, so the
    /// choice never depends on the order of the command line.
    pub fn nearest<I>(&self, from: &Object, candidates: I) -> Option<&'a Object>
    where
        I: IntoIterator<Item = &'a Object>,
    {
        let dir = |f: FileId| self.dirs.get(f.0 as usize).copied().unwrap_or("");
        let rank = |o: &Object| {
            if o.file == from.file {
                0
            } else if dir(o.file) == dir(from.file) {
                1
            } else {
                2
            }
        };
        let mut best: Option<(u8, &'a Object)> = None;
        for c in candidates {
            let r = rank(c);
            if best.is_none_or(|(b, _)| r < b) {
                best = Some((r, c));
            }
        }
        best.map(|(_, o)| o)
    }

    /// The object named `name` of `kind` in `ns` nearest to `from` (see
    /// [`Index::nearest`]).
    pub fn named_near(
        &self,
        from: &Object,
        ns: Option<&str>,
        kind: &str,
        name: &str,
    ) -> Option<&'a Object> {
        self.nearest(from, self.named(ns, kind, name))
    }

    /// PodDisruptionBudgets (any namespace) that might select pods with
    /// `labels`: a cheap pre-filter through one of their matchLabels pairs;
    /// callers evaluate the selector. In input order.
    pub fn pdb_candidates(&self, labels: &BTreeMap<String, String>) -> Vec<&'a Object> {
        let map = self.pdbs_by_label.get_or_init(|| {
            let mut m: HashMap<LabelKey<'a>, Vec<usize>> = HashMap::new();
            for &i in self
                .by_kind
                .get("PodDisruptionBudget")
                .into_iter()
                .flatten()
            {
                let Typed::PodDisruptionBudget(p) = &self.objects[i].typed else {
                    continue;
                };
                let first = p
                    .spec
                    .as_ref()
                    .and_then(|s| s.selector.as_ref())
                    .and_then(|s| s.match_labels.as_ref())
                    .and_then(|ml| ml.iter().next())
                    .map(|(k, v)| (k.as_str(), v.as_str()));
                m.entry(first).or_default().push(i);
            }
            m
        });
        let mut out: Vec<usize> = map.get(&None).cloned().unwrap_or_default();
        for (k, v) in labels {
            if let Some(ids) = map.get(&Some((k.as_str(), v.as_str()))) {
                out.extend(ids);
            }
        }
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|i| &self.objects[i]).collect()
    }

    fn pod_labels(&self) -> &PodLabels<'a> {
        self.pods_by_label.get_or_init(|| {
            let mut m: PodLabels<'a> = HashMap::new();
            for (i, o) in self.objects.iter().enumerate() {
                let Some(pod) = o.pod() else { continue };
                let ns = m.entry(o.namespace.as_deref().unwrap_or("")).or_default();
                for (k, v) in pod.labels_or_empty().iter().filter(|(k, _)| !k.is_empty()) {
                    ns.entry(k.as_str())
                        .or_default()
                        .entry(v.as_str())
                        .or_default()
                        .push(i);
                }
                // Under the empty key and value: every pod-bearing object of
                // the namespace (no label key is empty).
                ns.entry("").or_default().entry("").or_default().push(i);
            }
            m
        })
    }

    /// Pod-bearing objects (workloads, Jobs, CronJobs, Pods) in namespace `ns`
    /// whose pod template carries the label `key=value`, in input order.
    pub fn pods_labelled<'s>(
        &'s self,
        ns: Option<&str>,
        key: &str,
        value: &str,
    ) -> impl Iterator<Item = &'a Object> + 's {
        self.pod_labels()
            .get(ns.unwrap_or(""))
            .and_then(|m| m.get(key))
            .and_then(|m| m.get(value))
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
    }

    /// Whether namespace `ns` holds any pod-bearing object among the linted ones.
    pub fn has_pods_in(&self, ns: Option<&str>) -> bool {
        self.pod_labels().contains_key(ns.unwrap_or(""))
    }

    /// The StorageClass `name` nearest to `from` (cluster-scoped: namespaces
    /// are ignored).
    pub fn storage_class(&self, from: &Object, name: &str) -> Option<&'a Object> {
        let classes = self
            .by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
            .filter(|o| matches!(o.typed, Typed::StorageClass(_)));
        self.nearest(from, classes)
    }

    /// The StorageClass annotated as the cluster default nearest to `from`, if
    /// one is linted.
    pub fn default_storage_class(&self, from: &Object) -> Option<&'a Object> {
        const KEYS: [&str; 2] = [
            "storageclass.kubernetes.io/is-default-class",
            "storageclass.beta.kubernetes.io/is-default-class",
        ];
        let defaults = self.of_kind("StorageClass").filter(|o| {
            KEYS.iter().any(|k| {
                o.annotation(k)
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            })
        });
        self.nearest(from, defaults)
    }

    /// The StatefulSets whose claims resolve to `class`, each with the field
    /// to point at, in input order. Built once for all classes.
    pub fn class_users(&self, class: &Object) -> &[(&'a Object, String)] {
        let map = self.class_users.get_or_init(|| {
            let mut m: HashMap<usize, Vec<(&'a Object, String)>> = HashMap::new();
            for sts in self.of_kind("StatefulSet") {
                for cc in crate::storage::claim_classes(sts, self) {
                    m.entry(std::ptr::from_ref(cc.class) as usize)
                        .or_default()
                        .push((sts, cc.field));
                }
            }
            m
        });
        map.get(&(std::ptr::from_ref(class) as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// Pod-bearing objects in namespace `ns` whose pod template carries the
    /// label `key` with any value, in input order.
    pub fn pods_with_label_key(&self, ns: Option<&str>, key: &str) -> Vec<&'a Object> {
        let mut out: Vec<usize> = self
            .pod_labels()
            .get(ns.unwrap_or(""))
            .and_then(|m| m.get(key))
            .into_iter()
            .flat_map(|values| values.values().flatten().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|i| &self.objects[i]).collect()
    }
}

/// Whether a label selector selects `labels` (matchLabels and matchExpressions
/// with In, NotIn, Exists, DoesNotExist). An empty selector selects everything;
/// an unknown operator selects nothing.
pub fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    if let Some(ml) = &sel.match_labels {
        if !ml.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
    }
    for e in sel.match_expressions.iter().flatten() {
        let values = e.values.as_deref().unwrap_or_default();
        let have = labels.get(&e.key);
        let ok = match e.operator.as_str() {
            "In" => have.is_some_and(|v| values.contains(v)),
            "NotIn" => have.is_none_or(|v| !values.contains(v)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Whether a selector has no requirements at all.
pub fn selector_is_empty(sel: &LabelSelector) -> bool {
    sel.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && sel.match_expressions.as_ref().is_none_or(Vec::is_empty)
}

/// Equality-based selector (Service `spec.selector`): every pair must match.
/// An empty or absent selector selects nothing (such a Service has no
/// endpoints managed for it).
pub fn map_selector_matches(
    sel: Option<&BTreeMap<String, String>>,
    labels: &BTreeMap<String, String>,
) -> bool {
    match sel {
        Some(s) if !s.is_empty() => s.iter().all(|(k, v)| labels.get(k) == Some(v)),
        _ => false,
    }
}

/// `a=b, c in (d)` for messages.
pub fn describe_selector(sel: &LabelSelector) -> String {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let vals = e.values.as_deref().unwrap_or_default().join(", ");
        parts.push(match e.operator.as_str() {
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            op => format!("{} {} ({})", e.key, op.to_lowercase(), vals),
        });
    }
    if parts.is_empty() {
        "everything".into()
    } else {
        parts.join(", ")
    }
}

/// `in namespace `prod``, or `in the same namespace` for objects without one.
pub fn in_ns(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("in namespace `{ns}`"),
        None => "in the same namespace".to_string(),
    }
}

pub fn describe_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "no labels".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: Some(values.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn match_labels_and_expressions() {
        let l = labels(&[("app", "db"), ("tier", "data")]);
        let sel = LabelSelector {
            match_labels: Some(labels(&[("app", "db")])),
            match_expressions: Some(vec![
                expr("tier", "In", &["data", "cache"]),
                expr("env", "NotIn", &["dev"]),
                expr("app", "Exists", &[]),
                expr("canary", "DoesNotExist", &[]),
            ]),
        };
        assert!(selector_matches(&sel, &l));
        let miss = LabelSelector {
            match_expressions: Some(vec![expr("tier", "NotIn", &["data"])]),
            ..Default::default()
        };
        assert!(!selector_matches(&miss, &l));
        let bad_op = LabelSelector {
            match_expressions: Some(vec![expr("tier", "Matches", &["data"])]),
            ..Default::default()
        };
        assert!(!selector_matches(&bad_op, &l));
        assert!(selector_matches(&LabelSelector::default(), &l));
    }

    #[test]
    fn service_selectors_need_every_pair() {
        let l = labels(&[("app", "db")]);
        assert!(map_selector_matches(Some(&labels(&[("app", "db")])), &l));
        assert!(!map_selector_matches(
            Some(&labels(&[("app", "db"), ("x", "y")])),
            &l
        ));
        assert!(!map_selector_matches(Some(&BTreeMap::new()), &l));
        assert!(!map_selector_matches(None, &l));
    }
}
