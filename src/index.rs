//! The cross-object index: every linted object, from every file, looked up by
//! namespace, kind and name, plus label-selector evaluation.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use rayon::prelude::*;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::manifest::{Object, Typed};
use crate::source::{FileId, SourceFile};

/// One `key=value` pair of a selector's matchLabels (`None`: no matchLabels).
type LabelKey<'a> = Option<(&'a str, &'a str)>;

pub struct Index<'a> {
    objects: &'a [Object],
    /// The directory of each file (by `FileId`), as a small number, for
    /// preferring the nearest of several candidates.
    dirs: Vec<u32>,
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// (kind, namespace or "", name) → objects, with their nearest-lookup table.
    by_key: HashMap<(&'a str, &'a str, &'a str), Near>,
    /// (kind, name) → the first object of that kind and name, any namespace.
    first_named: HashMap<(&'a str, &'a str), usize>,
    /// StorageClasses by name (cluster-scoped: namespaces are ignored).
    classes: HashMap<&'a str, Near>,
    /// StorageClasses annotated as the cluster default.
    default_classes: Near,
    /// HorizontalPodAutoscalers by (namespace, target kind, target name).
    hpas: HashMap<(&'a str, &'a str, &'a str), Near>,
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
    /// Built on first use: StatefulSets by namespace, data-store engine of a
    /// container, and one `key=value` pair of their pod labels.
    members: OnceLock<Members<'a>>,
    /// Built on first use: Velero Schedules and Backups by the namespace they
    /// include (`*` for all), then by one `key=value` of their label
    /// selector's matchLabels (`None`: no matchLabels).
    velero: OnceLock<Velero<'a>>,
    /// Built on first use: VolumeSnapshots by namespace and source claim name.
    snapshots: OnceLock<BTreeMap<(&'a str, &'a str), Vec<usize>>>,
    /// Built on first use: Job or CronJob → the first StatefulSet whose data
    /// its pods reach (see [`crate::backup`]).
    backup_targets: OnceLock<HashMap<usize, usize>>,
    /// Built on first use: StorageClass (by address) → the StatefulSets using it.
    class_users: OnceLock<ClassUsers<'a>>,
}

/// Services by namespace, then by the rarest `key=value` pair of their
/// selector (every pair must match, so one is a sound pre-filter, and the
/// rarest keeps the candidate lists short in a crowded namespace).
type ServiceLabels<'a> = HashMap<&'a str, HashMap<(&'a str, &'a str), Vec<usize>>>;

/// Objects sharing a lookup key, in canonical order, and how to find the one
/// nearest to a given file without scanning them all.
#[derive(Default)]
struct Near {
    ids: Vec<usize>,
    /// The first object per directory, for groups too big to scan.
    first_in_dir: HashMap<u32, usize>,
}

impl Near {
    /// Groups up to this size are scanned; bigger ones get a directory table.
    const SCAN: usize = 16;

    fn finish(&mut self, objects: &[Object], dirs: &[u32]) {
        if self.ids.len() > Self::SCAN {
            for &i in &self.ids {
                let d = dirs[objects[i].file.0 as usize];
                self.first_in_dir.entry(d).or_insert(i);
            }
        }
    }
}

#[derive(Default)]
struct Duplicates {
    first_of: HashMap<usize, usize>,
    by_files: HashMap<(FileId, FileId), Vec<usize>>,
}

type Velero<'a> = HashMap<&'a str, HashMap<Option<(String, String)>, Vec<usize>>>;

type Members<'a> = HashMap<(&'a str, &'static str, &'a str, &'a str), Vec<usize>>;

type ClassUsers<'a> = HashMap<usize, Vec<(&'a Object, String)>>;

type PodLabels<'a> = HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<usize>>>>;

impl<'a> Index<'a> {
    pub fn new(objects: &'a [Object], files: &'a [SourceFile]) -> Self {
        let mut dir_ids: HashMap<&str, u32> = HashMap::new();
        let dirs: Vec<u32> = files
            .iter()
            .map(|f| {
                let d = f.name.rsplit_once('/').map_or("", |(d, _)| d);
                let n = dir_ids.len() as u32;
                *dir_ids.entry(d).or_insert(n)
            })
            .collect();
        let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_key: HashMap<(&str, &str, &str), Near> = HashMap::new();
        let mut first_named: HashMap<(&str, &str), usize> = HashMap::new();
        let mut classes: HashMap<&str, Near> = HashMap::new();
        let mut default_classes = Near::default();
        let mut hpas: HashMap<(&str, &str, &str), Near> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            let ns = o.namespace.as_deref().unwrap_or("");
            by_kind.entry(o.kind.as_str()).or_default().push(i);
            by_key
                .entry((o.kind.as_str(), ns, o.name.as_str()))
                .or_default()
                .ids
                .push(i);
            first_named
                .entry((o.kind.as_str(), o.name.as_str()))
                .or_insert(i);
            if o.kind == "StorageClass" && is_default_class(o) {
                default_classes.ids.push(i);
            }
            match &o.typed {
                Typed::StorageClass(_) => {
                    classes.entry(o.name.as_str()).or_default().ids.push(i);
                }
                Typed::HorizontalPodAutoscaler(hpa) => {
                    let t = &hpa.spec.scale_target_ref;
                    hpas.entry((ns, t.kind.as_str(), t.name.as_str()))
                        .or_default()
                        .ids
                        .push(i);
                }
                _ => {}
            }
        }
        for near in by_key
            .values_mut()
            .chain(classes.values_mut())
            .chain(hpas.values_mut())
            .chain(std::iter::once(&mut default_classes))
        {
            near.finish(objects, &dirs);
        }
        Index {
            objects,
            dirs,
            by_kind,
            by_key,
            first_named,
            classes,
            default_classes,
            hpas,
            mentions: OnceLock::new(),
            pdbs_by_label: OnceLock::new(),
            pods_by_label: OnceLock::new(),
            class_users: OnceLock::new(),
            services_by_label: OnceLock::new(),
            duplicates: OnceLock::new(),
            backup_targets: OnceLock::new(),
            velero: OnceLock::new(),
            members: OnceLock::new(),
            snapshots: OnceLock::new(),
        }
    }

    /// Pod-bearing objects whose containers (command, args, env values) or
    /// volume claim names contain a word starting with `prefix`. Words are
    /// split at anything but letters, digits, `-` and `_`, so
    /// `pg-0.pg-headless:5432` holds `pg-0` and `pg-headless`. A cheap
    /// pre-filter: callers check candidates precisely.
    pub fn mentioning(&self, prefix: &str) -> Vec<&'a Object> {
        let map = self.mentions_map();
        let mut out: Vec<usize> = map
            .range(prefix..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|i| &self.objects[i]).collect()
    }

    /// The objects named `name` of `kind` in `ns`, in canonical order.
    pub fn named(&self, ns: Option<&str>, kind: &str, name: &str) -> Vec<&'a Object> {
        self.by_key
            .get(&(kind, ns.unwrap_or(""), name))
            .map_or(&[][..], |n| n.ids.as_slice())
            .iter()
            .map(|&i| &self.objects[i])
            .collect()
    }

    /// The first object (in canonical order) named `name` of `kind` in any
    /// namespace.
    pub fn named_anywhere(&self, kind: &str, name: &str) -> Option<&'a Object> {
        self.first_named
            .get(&(kind, name))
            .map(|&i| &self.objects[i])
    }

    /// The HorizontalPodAutoscaler that scales `obj` (same namespace, target
    /// kind and name), if one is linted; the nearest of several.
    pub fn hpa_for(&self, obj: &Object) -> Option<&'a Object> {
        let ns = obj.namespace.as_deref().unwrap_or("");
        let near = self.hpas.get(&(ns, obj.kind.as_str(), obj.name.as_str()))?;
        self.nearest(obj, near)
    }

    // ------------------------------------------------ built on first use

    /// Build every lookup table now, in parallel, rather than on first use
    /// inside the rules (where the other threads would wait for it).
    pub fn prepare(&self) {
        rayon::scope(|s| {
            s.spawn(|_| {
                self.mentions_map();
            });
            s.spawn(|_| {
                self.duplicates_map();
            });
            s.spawn(|_| {
                self.services_by_label_map();
            });
            s.spawn(|_| {
                self.pdbs_by_label_map();
            });
            s.spawn(|_| {
                self.pods_by_label_map();
            });
            s.spawn(|_| {
                self.members_map();
            });
            s.spawn(|_| {
                self.velero_map();
            });
            s.spawn(|_| {
                self.snapshots_map();
            });
        });
        // These follow links through the tables above.
        rayon::join(|| self.class_users_map(), || self.backup_targets_map());
    }

    fn mentions_map(&self) -> &BTreeMap<&'a str, Vec<usize>> {
        self.mentions.get_or_init(|| self.build_mentions())
    }

    fn build_mentions(&self) -> BTreeMap<&'a str, Vec<usize>> {
        let mut m: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
        for (i, o) in self.objects.iter().enumerate() {
            let Some(pod) = o.pod() else { continue };
            let Some(spec) = o.at(pod.spec_path) else {
                continue;
            };
            spec.for_each_string(&mut |s, _| {
                for w in s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
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
    }

    fn duplicates_map(&self) -> &Duplicates {
        self.duplicates.get_or_init(|| self.build_duplicates())
    }

    fn build_duplicates(&self) -> Duplicates {
        let mut d = Duplicates::default();
        // Two objects are the same resource when kind, namespace and name
        // match and so does the API group, every built-in group counting
        // as one ([`Object::same_resource_type`]).
        let mut first: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
        for (i, o) in self.objects.iter().enumerate() {
            if o.name.is_empty() {
                continue;
            }
            let group = if o.is_builtin_type() { "" } else { o.group() };
            let key = (
                o.kind.as_str(),
                o.namespace.as_deref().unwrap_or(""),
                o.name.as_str(),
                group,
            );
            match first.get(&key) {
                None => {
                    first.insert(key, i);
                }
                Some(&j) => {
                    d.first_of.insert(i, j);
                    d.by_files
                        .entry((o.file, self.objects[j].file))
                        .or_default()
                        .push(i);
                }
            }
        }
        d
    }

    fn backup_targets_map(&self) -> &HashMap<usize, usize> {
        self.backup_targets
            .get_or_init(|| self.build_backup_targets())
    }

    fn build_backup_targets(&self) -> HashMap<usize, usize> {
        let sts = self
            .by_kind
            .get("StatefulSet")
            .map_or(&[][..], Vec::as_slice);
        let jobs: Vec<(usize, Vec<usize>)> = sts
            .par_iter()
            .filter_map(|&i| {
                let t = crate::backup::Target::of(&self.objects[i])?;
                let jobs = crate::backup::jobs(self, &t);
                Some((
                    i,
                    jobs.into_iter().filter_map(|j| self.position(j)).collect(),
                ))
            })
            .collect();
        // The first StatefulSet in canonical order wins.
        let mut m = HashMap::new();
        for (i, js) in jobs {
            for p in js {
                m.entry(p).or_insert(i);
            }
        }
        m
    }

    fn services_by_label_map(&self) -> &ServiceLabels<'a> {
        self.services_by_label
            .get_or_init(|| self.build_services_by_label())
    }

    fn build_services_by_label(&self) -> ServiceLabels<'a> {
        let selectors: Vec<(usize, &'a str, &'a BTreeMap<String, String>)> = self
            .by_kind
            .get("Service")
            .into_iter()
            .flatten()
            .filter_map(|&i| {
                let o = &self.objects[i];
                let Typed::Service(svc) = &o.typed else {
                    return None;
                };
                let sel = svc.spec.as_ref()?.selector.as_ref()?;
                Some((i, o.namespace.as_deref().unwrap_or(""), sel))
            })
            .collect();
        let mut m: ServiceLabels<'a> = HashMap::new();
        for (i, ns, pair) in rarest_pairs(&selectors) {
            m.entry(ns).or_default().entry(pair).or_default().push(i);
        }
        m
    }

    fn pdbs_by_label_map(&self) -> &HashMap<LabelKey<'a>, Vec<usize>> {
        self.pdbs_by_label
            .get_or_init(|| self.build_pdbs_by_label())
    }

    fn build_pdbs_by_label(&self) -> HashMap<LabelKey<'a>, Vec<usize>> {
        let mut m: HashMap<LabelKey<'a>, Vec<usize>> = HashMap::new();
        let mut selectors = Vec::new();
        for &i in self
            .by_kind
            .get("PodDisruptionBudget")
            .into_iter()
            .flatten()
        {
            let Typed::PodDisruptionBudget(p) = &self.objects[i].typed else {
                continue;
            };
            let ml = p
                .spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .and_then(|s| s.match_labels.as_ref())
                .filter(|ml| !ml.is_empty());
            match ml {
                Some(ml) => selectors.push((i, "", ml)),
                None => m.entry(None).or_default().push(i),
            }
        }
        for (i, _, pair) in rarest_pairs(&selectors) {
            m.entry(Some(pair)).or_default().push(i);
        }
        for ids in m.values_mut() {
            ids.sort_unstable();
        }
        m
    }

    fn pods_by_label_map(&self) -> &PodLabels<'a> {
        self.pods_by_label
            .get_or_init(|| self.build_pods_by_label())
    }

    fn build_pods_by_label(&self) -> PodLabels<'a> {
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
    }

    fn class_users_map(&self) -> &ClassUsers<'a> {
        self.class_users.get_or_init(|| self.build_class_users())
    }

    fn build_class_users(&self) -> ClassUsers<'a> {
        let sts = self
            .by_kind
            .get("StatefulSet")
            .map_or(&[][..], Vec::as_slice);
        let classes: Vec<Vec<(usize, &'a Object, String)>> = sts
            .par_iter()
            .map(|&i| {
                let sts = &self.objects[i];
                crate::storage::claim_classes(sts, self)
                    .into_iter()
                    .map(|cc| (std::ptr::from_ref(cc.class) as usize, sts, cc.field))
                    .collect()
            })
            .collect();
        let mut m: HashMap<usize, Vec<(&'a Object, String)>> = HashMap::new();
        for (class, sts, field) in classes.into_iter().flatten() {
            m.entry(class).or_default().push((sts, field));
        }
        m
    }

    fn members_map(&self) -> &Members<'a> {
        self.members.get_or_init(|| self.build_members())
    }

    fn build_members(&self) -> Members<'a> {
        let mut m: Members<'a> = HashMap::new();
        for &i in self.by_kind.get("StatefulSet").into_iter().flatten() {
            let o = &self.objects[i];
            let Some(pod) = o.pod() else { continue };
            let mut engines: Vec<&'static str> = pod
                .containers(false)
                .iter()
                .filter_map(|c| crate::catalog::container_store(c.container))
                .map(|s| s.engine)
                .collect();
            engines.sort_unstable();
            engines.dedup();
            let ns = o.namespace.as_deref().unwrap_or("");
            for e in engines {
                for (k, v) in pod.labels_or_empty() {
                    m.entry((ns, e, k.as_str(), v.as_str()))
                        .or_default()
                        .push(i);
                }
            }
        }
        m
    }

    fn velero_map(&self) -> &Velero<'a> {
        self.velero.get_or_init(|| self.build_velero())
    }

    fn build_velero(&self) -> Velero<'a> {
        let mut m: Velero<'a> = HashMap::new();
        for kind in ["Schedule", "Backup"] {
            for &i in self.by_kind.get(kind).into_iter().flatten() {
                let o = &self.objects[i];
                if o.group() != "velero.io" {
                    continue;
                }
                let spec = crate::backup::velero_spec(o);
                let included: Vec<&'a str> = spec
                    .map(|s| crate::backup::velero_list(s, "includedNamespaces"))
                    .unwrap_or_default();
                // Every pair of matchLabels must match: one is a sound
                // pre-filter.
                let pair = spec
                    .and_then(|s| s.get("labelSelector"))
                    .and_then(|s| s.get("matchLabels"))
                    .map(crate::manifest::string_map)
                    .and_then(|ml| ml.into_iter().next());
                let keys = if included.is_empty() {
                    vec!["*"]
                } else {
                    included
                };
                for n in keys {
                    m.entry(n)
                        .or_default()
                        .entry(pair.clone())
                        .or_default()
                        .push(i);
                }
            }
        }
        m
    }

    fn snapshots_map(&self) -> &BTreeMap<(&'a str, &'a str), Vec<usize>> {
        self.snapshots.get_or_init(|| self.build_snapshots())
    }

    fn build_snapshots(&self) -> BTreeMap<(&'a str, &'a str), Vec<usize>> {
        let mut m: BTreeMap<(&'a str, &'a str), Vec<usize>> = BTreeMap::new();
        for &i in self.by_kind.get("VolumeSnapshot").into_iter().flatten() {
            let o = &self.objects[i];
            let claim = o
                .at("spec.source.persistentVolumeClaimName")
                .and_then(crate::yaml::Node::as_str);
            if let Some(c) = claim {
                m.entry((o.namespace.as_deref().unwrap_or(""), c))
                    .or_default()
                    .push(i);
            }
        }
        m
    }

    /// Pod-bearing objects in `ns` whose pod template `sel` selects, in input
    /// order. Candidates come from the label index through one matchLabels
    /// pair; selectors with only expressions look at the namespace's pods.
    pub fn pods_selected_by(&self, ns: Option<&str>, sel: &LabelSelector) -> Vec<&'a Object> {
        // Every matchLabels pair must match: look up the rarest one.
        let pods = self.pods_by_label_map().get(ns.unwrap_or(""));
        let bucket = |k: &str, v: &str| -> &[usize] {
            pods.and_then(|m| m.get(k))
                .and_then(|m| m.get(v))
                .map_or(&[], Vec::as_slice)
        };
        let ids = match sel.match_labels.as_ref().filter(|m| !m.is_empty()) {
            Some(ml) => ml
                .iter()
                .map(|(k, v)| bucket(k, v))
                .min_by_key(|b| b.len())
                .unwrap_or_default(),
            None => bucket("", ""),
        };
        let candidates = ids.iter().map(|&i| &self.objects[i]);
        candidates
            .into_iter()
            .filter(|o| {
                o.pod()
                    .is_some_and(|p| selector_matches(sel, p.labels_or_empty()))
            })
            .collect()
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
        let d = self.duplicates_map();
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
        let map = self.backup_targets_map();
        map.get(&self.position(job)?).map(|&i| &self.objects[i])
    }

    /// The Services of `ns` whose selector selects pods labelled `labels`, in
    /// input order.
    pub fn services_selecting(
        &self,
        ns: Option<&str>,
        labels: &BTreeMap<String, String>,
    ) -> Vec<&'a Object> {
        let map = self.services_by_label_map();
        let Some(by_key) = map.get(ns.unwrap_or("")) else {
            return Vec::new();
        };
        let mut out: Vec<usize> = labels
            .iter()
            .filter_map(|(k, v)| by_key.get(&(k.as_str(), v.as_str())))
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
    /// same file, else the first in the same directory, else the first.
    /// Objects come in canonical file order, so the choice never depends on
    /// the order of the command line. Logarithmic in the group's size.
    fn nearest(&self, from: &Object, near: &Near) -> Option<&'a Object> {
        let ids = &near.ids;
        let first = *ids.first()?;
        // Same file: candidates are in file order.
        let at = ids.partition_point(|&i| self.objects[i].file < from.file);
        if let Some(&i) = ids.get(at).filter(|&&i| self.objects[i].file == from.file) {
            return Some(&self.objects[i]);
        }
        let dir = |f: FileId| self.dirs.get(f.0 as usize).copied();
        let here = dir(from.file);
        let same_dir = if ids.len() > Near::SCAN {
            here.and_then(|d| near.first_in_dir.get(&d).copied())
        } else {
            ids.iter()
                .copied()
                .find(|&i| dir(self.objects[i].file) == here)
        };
        Some(&self.objects[same_dir.unwrap_or(first)])
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
        self.nearest(from, self.by_key.get(&(kind, ns.unwrap_or(""), name))?)
    }

    /// PodDisruptionBudgets (any namespace) that might select pods with
    /// `labels`: a cheap pre-filter through one of their matchLabels pairs;
    /// callers evaluate the selector. In input order.
    pub fn pdb_candidates(&self, labels: &BTreeMap<String, String>) -> Vec<&'a Object> {
        let map = self.pdbs_by_label_map();
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

    /// Pod-bearing objects (workloads, Jobs, CronJobs, Pods) in namespace `ns`
    /// whose pod template carries the label `key=value`, in input order.
    pub fn pods_labelled<'s>(
        &'s self,
        ns: Option<&str>,
        key: &str,
        value: &str,
    ) -> impl Iterator<Item = &'a Object> + 's {
        self.pods_by_label_map()
            .get(ns.unwrap_or(""))
            .and_then(|m| m.get(key))
            .and_then(|m| m.get(value))
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
    }

    /// How many pod-bearing objects in `ns` carry the label `key=value`: for
    /// picking the rarest pair of a selector to look up.
    pub fn pods_labelled_count(&self, ns: Option<&str>, key: &str, value: &str) -> usize {
        self.pods_by_label_map()
            .get(ns.unwrap_or(""))
            .and_then(|m| m.get(key))
            .and_then(|m| m.get(value))
            .map_or(0, Vec::len)
    }

    /// Whether namespace `ns` holds any pod-bearing object among the linted ones.
    pub fn has_pods_in(&self, ns: Option<&str>) -> bool {
        self.pods_by_label_map().contains_key(ns.unwrap_or(""))
    }

    /// The StorageClass `name` nearest to `from` (cluster-scoped: namespaces
    /// are ignored).
    pub fn storage_class(&self, from: &Object, name: &str) -> Option<&'a Object> {
        self.nearest(from, self.classes.get(name)?)
    }

    /// The StorageClass annotated as the cluster default nearest to `from`, if
    /// one is linted.
    pub fn default_storage_class(&self, from: &Object) -> Option<&'a Object> {
        self.nearest(from, &self.default_classes)
    }

    /// The StatefulSets whose claims resolve to `class`, each with the field
    /// to point at, in input order. Built once for all classes.
    pub fn class_users(&self, class: &Object) -> &[(&'a Object, String)] {
        let map = self.class_users_map();
        map.get(&(std::ptr::from_ref(class) as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// The other StatefulSets of `obj`'s namespace that run the data-store
    /// `engine` in a container and share a pod label with `obj`, in canonical
    /// order: the members of one ensemble split over several StatefulSets.
    pub fn ensemble_members(&self, obj: &Object, engine: &str) -> Vec<&'a Object> {
        let map = self.members_map();
        let Some(pod) = obj.pod() else {
            return Vec::new();
        };
        let ns = obj.namespace.as_deref().unwrap_or("");
        let me = self.position(obj);
        let mut out: Vec<usize> = pod
            .labels_or_empty()
            .iter()
            .filter_map(|(k, v)| map.get(&(ns, engine, k.as_str(), v.as_str())))
            .flatten()
            .copied()
            .filter(|&i| Some(i) != me)
            .collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|i| &self.objects[i]).collect()
    }

    /// Velero Schedules and Backups that may cover namespace `ns` and an
    /// object carrying one of `labels` (those that include the namespace or
    /// every namespace, and whose matchLabels could match), in canonical
    /// order; callers check exclusions and the whole label selector.
    pub fn velero_candidates(
        &self,
        ns: Option<&str>,
        labels: &[BTreeMap<String, String>],
    ) -> Vec<&'a Object> {
        let map = self.velero_map();
        let mut out: Vec<usize> = Vec::new();
        let mut spaces = vec!["*"];
        if let Some(ns) = ns.filter(|n| *n != "*") {
            spaces.push(ns);
        }
        for by_pair in spaces.into_iter().filter_map(|n| map.get(n)) {
            out.extend(by_pair.get(&None).into_iter().flatten());
            for l in labels {
                for (k, v) in l {
                    let key = Some((k.clone(), v.clone()));
                    out.extend(by_pair.get(&key).into_iter().flatten());
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|i| &self.objects[i]).collect()
    }

    /// VolumeSnapshots in namespace `ns` whose source claim name starts with
    /// `prefix`, in canonical order.
    pub fn snapshots_of_claims(&self, ns: Option<&str>, prefix: &str) -> Vec<&'a Object> {
        let map = self.snapshots_map();
        let ns = ns.unwrap_or("");
        let mut out: Vec<usize> = map
            .range((ns, prefix)..)
            .take_while(|((n, c), _)| *n == ns && c.starts_with(prefix))
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        out.sort_unstable();
        out.into_iter().map(|i| &self.objects[i]).collect()
    }

    /// Pod-bearing objects in namespace `ns` whose pod template carries the
    /// label `key` with any value, in input order.
    pub fn pods_with_label_key(&self, ns: Option<&str>, key: &str) -> Vec<&'a Object> {
        let mut out: Vec<usize> = self
            .pods_by_label_map()
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

/// For each selector (object, namespace, `key=value` pairs, none empty), its
/// rarest pair among the selectors of the same namespace: indexing each under
/// that pair keeps every candidate list short, however many selectors share
/// a common label such as `app.kubernetes.io/component=primary`.
fn rarest_pairs<'a>(
    selectors: &[(usize, &'a str, &'a BTreeMap<String, String>)],
) -> Vec<(usize, &'a str, (&'a str, &'a str))> {
    let mut count: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (_, ns, sel) in selectors {
        for (k, v) in sel.iter() {
            *count.entry((ns, k.as_str(), v.as_str())).or_default() += 1;
        }
    }
    selectors
        .iter()
        .filter_map(|&(i, ns, sel)| {
            let (k, v) = sel
                .iter()
                .min_by_key(|(k, v)| count[&(ns, k.as_str(), v.as_str())])?;
            Some((i, ns, (k.as_str(), v.as_str())))
        })
        .collect()
}

/// Whether a StorageClass is annotated as the cluster default.
fn is_default_class(o: &Object) -> bool {
    const KEYS: [&str; 2] = [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ];
    KEYS.iter().any(|k| {
        o.annotation(k)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    })
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
