//! Pods, replica counts and disruption budgets, as facts: what
//! missing-anti-affinity, missing-pdb, pdb-blocks-eviction and
//! dangling-selector read about other objects than the one they report on.
//!
//! Per file ([`FilePods`], in [`super::BatchFacts`]): the labels of every pod
//! template ([`PodFact`], with the replica count of scalable workloads), the
//! target and `minReplicas` of every HorizontalPodAutoscaler ([`HpaFact`]),
//! the selector and limits of every PodDisruptionBudget ([`PdbFact`]), the
//! selector of every Service that selects pods ([`ServiceFact`]) and the
//! verdict of missing-anti-affinity, which needs nothing from other objects
//! but the replica count ([`AntiAffinity`]). Label maps are pairs of
//! [`Sym`]s in a per-file arena, in key order (as in a `BTreeMap`), which is
//! the order messages show them in.
//!
//! Once every file is read, [`Facts::pods`] builds the lookup tables the
//! rules share ([`PodTables`]): autoscalers by target, pod templates by
//! label, budgets by their rarest matchLabels pair.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{equal_run, trim, Extract, Facts, Near, ObjId, Slice, Sym, TypedTag};
use crate::manifest::{Object, Typed};
use crate::path::locate;
use crate::source::{ByteSpan, FileId};

/// `minAvailable` / `maxUnavailable` as written.
#[derive(Clone, Copy, Debug)]
pub enum IntOrStr {
    Int(i32),
    Str(Sym),
}

/// An object with a pod template (or a Pod): every object for which
/// [`Object::pod`] is `Some`.
#[derive(Clone, Copy, Debug)]
pub struct PodFact {
    /// The object's place in its file.
    pub local: u32,
    /// The pod template labels (`pairs`).
    pub labels: Slice,
    /// The key of the pod labels' field (`spec.template.metadata.labels`…).
    pub labels_key: ByteSpan,
    /// StatefulSet, Deployment, ReplicaSet: `spec.replicas` as written.
    pub replicas: Option<i32>,
    /// The value of `spec.replicas` (where the count is written).
    pub replicas_value: ByteSpan,
}

/// A typed HorizontalPodAutoscaler.
#[derive(Clone, Copy, Debug)]
pub struct HpaFact {
    pub local: u32,
    pub target_kind: Sym,
    pub target_name: Sym,
    pub min_replicas: Option<i32>,
    /// The value of `spec.minReplicas` when the field is written (even with
    /// a value of the wrong type), else of `spec.scaleTargetRef`.
    pub origin_value: ByteSpan,
}

/// One matchExpressions requirement.
#[derive(Clone, Copy, Debug)]
pub struct Expr {
    pub key: Sym,
    pub op: Op,
    /// The operator as written (messages).
    pub operator: Sym,
    /// `syms`; an absent list is empty.
    pub values: Slice,
}

/// A matchExpressions operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    /// Selects nothing.
    Other,
}

impl Op {
    fn of(s: &str) -> Op {
        match s {
            "In" => Op::In,
            "NotIn" => Op::NotIn,
            "Exists" => Op::Exists,
            "DoesNotExist" => Op::DoesNotExist,
            _ => Op::Other,
        }
    }
}

/// A typed PodDisruptionBudget.
#[derive(Clone, Copy, Debug)]
pub struct PdbFact {
    pub local: u32,
    pub has_spec: bool,
    pub has_selector: bool,
    /// matchLabels (`pairs`); absent and empty alike.
    pub match_labels: Slice,
    /// matchExpressions (`exprs`); absent and empty alike.
    pub exprs: Slice,
    pub min_available: Option<IntOrStr>,
    pub max_unavailable: Option<IntOrStr>,
    pub spec_key: ByteSpan,
    pub selector_key: ByteSpan,
    pub api_version_value: ByteSpan,
    pub min_value: ByteSpan,
    pub max_value: ByteSpan,
}

/// How a StatefulSet's pod template fails to spread its replicas (the whole
/// of missing-anti-affinity but the replica count, which may come from an
/// autoscaler).
#[derive(Clone, Debug)]
pub enum Spread {
    /// A term that does not select the pods' own labels.
    TermMisses {
        constraint: bool,
        field: Box<str>,
        span: ByteSpan,
        /// `selects …, but the pods are labelled …` or `only looks at other
        /// namespaces`.
        why: Box<str>,
        labels_key: ByteSpan,
    },
    /// The first term, on a topology key that separates neither nodes nor
    /// zones.
    BadKey {
        field: Box<str>,
        span: ByteSpan,
        key: Box<str>,
    },
    /// No term at all: the finding points at `{spec_path}.affinity.podAntiAffinity`.
    NoTerms {
        spec_path: &'static str,
        span: ByteSpan,
    },
}

#[derive(Clone, Debug)]
pub struct AntiAffinity {
    pub local: u32,
    pub spread: Spread,
}

/// What one file tells about pods, autoscalers and budgets. Each list is in
/// file order (by `local`).
#[derive(Default)]
pub struct FilePods {
    pub pods: Vec<PodFact>,
    pub hpas: Vec<HpaFact>,
    pub pdbs: Vec<PdbFact>,
    pub anti_affinity: Vec<AntiAffinity>,
    /// Label maps: (key, value).
    pub pairs: Vec<(Sym, Sym)>,
    pub exprs: Vec<Expr>,
    /// Expression values.
    pub syms: Vec<Sym>,
}

fn find<T>(list: &[T], local: usize, at: impl Fn(&T) -> u32) -> Option<&T> {
    let i = list.binary_search_by_key(&(local as u32), at).ok()?;
    list.get(i)
}

impl FilePods {
    pub fn pod(&self, local: usize) -> Option<&PodFact> {
        find(&self.pods, local, |p| p.local)
    }

    pub fn hpa(&self, local: usize) -> Option<&HpaFact> {
        find(&self.hpas, local, |p| p.local)
    }

    pub fn pdb(&self, local: usize) -> Option<&PdbFact> {
        find(&self.pdbs, local, |p| p.local)
    }

    pub fn labels(&self, s: Slice) -> &[(Sym, Sym)] {
        s.get(&self.pairs)
    }

    pub fn exprs(&self, s: Slice) -> &[Expr] {
        s.get(&self.exprs)
    }

    pub fn values(&self, s: Slice) -> &[Sym] {
        s.get(&self.syms)
    }

    fn push_labels(&mut self, x: &Extract<'_>, map: &BTreeMap<String, String>) -> Slice {
        let start = self.pairs.len();
        self.pairs
            .extend(map.iter().map(|(k, v)| (x.sym(k), x.sym(v))));
        Slice::of(&self.pairs, start)
    }

    fn push_selector(&mut self, x: &Extract<'_>, sel: &LabelSelector) -> (Slice, Slice) {
        let labels = match &sel.match_labels {
            Some(ml) => self.push_labels(x, ml),
            None => Slice::default(),
        };
        let start = self.exprs.len();
        for e in sel.match_expressions.iter().flatten() {
            let vstart = self.syms.len();
            self.syms.extend(
                e.values
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .map(|v| x.sym(v)),
            );
            let values = Slice::of(&self.syms, vstart);
            self.exprs.push(Expr {
                key: x.sym(&e.key),
                op: Op::of(&e.operator),
                operator: x.sym(&e.operator),
                values,
            });
        }
        (labels, Slice::of(&self.exprs, start))
    }
}

fn int_or_str(x: &Extract<'_>, v: &IntOrString) -> IntOrStr {
    match v {
        IntOrString::Int(i) => IntOrStr::Int(*i),
        IntOrString::String(s) => IntOrStr::Str(x.sym(s)),
    }
}

/// Record what the rules on pods and budgets need to know about `obj`, the
/// `local`-th object of its file.
pub fn extract(obj: &Object, x: &Extract<'_>, local: u32, out: &mut FilePods) {
    let span = |field: &str, on_value: bool| locate(&obj.node, field, on_value).0;
    if let Some(pod) = obj.pod() {
        let labels = out.push_labels(x, pod.labels_or_empty());
        out.pods.push(PodFact {
            local,
            labels,
            labels_key: span(pod.labels_path, false),
            replicas: obj.replicas(),
            replicas_value: span("spec.replicas", true),
        });
        if obj.statefulset().is_some() {
            if let Some(spread) = spread(obj, &pod) {
                out.anti_affinity.push(AntiAffinity { local, spread });
            }
        }
    }
    match &obj.typed {
        Typed::HorizontalPodAutoscaler(hpa) => {
            let t = &hpa.spec.scale_target_ref;
            let (min_at, written) = locate(&obj.node, "spec.minReplicas", true);
            out.hpas.push(HpaFact {
                local,
                target_kind: x.sym(&t.kind),
                target_name: x.sym(&t.name),
                min_replicas: hpa.spec.min_replicas,
                origin_value: if written {
                    min_at
                } else {
                    span("spec.scaleTargetRef", true)
                },
            });
        }
        Typed::PodDisruptionBudget(p) => {
            let spec = p.spec.as_ref();
            let sel = spec.and_then(|s| s.selector.as_ref());
            let (match_labels, exprs) = match sel {
                Some(sel) => out.push_selector(x, sel),
                None => (Slice::default(), Slice::default()),
            };
            out.pdbs.push(PdbFact {
                local,
                has_spec: spec.is_some(),
                has_selector: sel.is_some(),
                match_labels,
                exprs,
                min_available: spec
                    .and_then(|s| s.min_available.as_ref())
                    .map(|v| int_or_str(x, v)),
                max_unavailable: spec
                    .and_then(|s| s.max_unavailable.as_ref())
                    .map(|v| int_or_str(x, v)),
                spec_key: span("spec", false),
                selector_key: span("spec.selector", false),
                api_version_value: span("apiVersion", true),
                min_value: span("spec.minAvailable", true),
                max_value: span("spec.maxUnavailable", true),
            });
        }
        _ => {}
    }
}

/// missing-anti-affinity on a StatefulSet's pod template, but for the
/// replica count: `None` when a term spreads the pods by node or zone.
fn spread(obj: &Object, pod: &crate::manifest::PodView<'_>) -> Option<Spread> {
    use crate::selectors::{describe_labels, describe_selector};
    use crate::spread::{key_level, terms};
    let labels = pod.labels_or_empty();
    let terms = terms(pod, obj.namespace.as_deref());
    if terms
        .iter()
        .any(|t| t.selects_own_pods(labels) && key_level(t.topology_key).is_some())
    {
        return None;
    }
    if let Some(t) = terms.iter().find(|t| !t.selects_own_pods(labels)) {
        let selected = t
            .selector
            .map_or("no pods (no labelSelector)".to_string(), describe_selector);
        let field = if t.selector.is_some() {
            t.selector_path()
        } else {
            t.path.clone()
        };
        let why = if t.other_namespaces {
            "only looks at other namespaces".to_string()
        } else {
            format!(
                "selects {selected}, but the pods are labelled {}",
                describe_labels(labels)
            )
        };
        return Some(Spread::TermMisses {
            constraint: t.is_constraint,
            span: locate(&obj.node, &field, false).0,
            field: field.into(),
            why: why.into(),
            labels_key: locate(&obj.node, pod.labels_path, false).0,
        });
    }
    if let Some(t) = terms.first() {
        let field = t.key_path();
        return Some(Spread::BadKey {
            span: locate(&obj.node, &field, true).0,
            field: field.into(),
            key: t.topology_key.into(),
        });
    }
    let field = format!("{}.affinity.podAntiAffinity", pod.spec_path);
    Some(Spread::NoTerms {
        spec_path: pod.spec_path,
        span: locate(&obj.node, &field, false).0,
    })
}

// ------------------------------------------------------------ cross phase

/// Where a workload's replica count comes from.
#[derive(Clone, Copy, Debug)]
pub enum ReplicaSource {
    /// `spec.replicas` as written.
    Spec,
    /// `spec.replicas` unset: Kubernetes runs one pod.
    Default,
    /// A HorizontalPodAutoscaler among the linted objects scales it: its
    /// `minReplicas` (default 1).
    Autoscaler(ObjId),
}

/// A workload's replica count: `spec.replicas` (unset: 1), or the
/// `minReplicas` (unset: 1) of the autoscaler that scales it.
#[derive(Clone, Copy, Debug)]
pub struct Replicas {
    pub count: i32,
    pub source: ReplicaSource,
}

impl Replicas {
    /// `3 replicas`, `1 replica (replicas unset)`,
    /// `at least 2 replicas (HorizontalPodAutoscaler `web` minReplicas)`.
    pub fn describe(&self, facts: &Facts) -> String {
        let n = self.count;
        let noun = if n == 1 { "replica" } else { "replicas" };
        match self.source {
            ReplicaSource::Spec => format!("{n} {noun}"),
            ReplicaSource::Default => format!("{n} {noun} (`replicas` is unset)"),
            ReplicaSource::Autoscaler(h) => format!(
                "at least {n} {noun} (HorizontalPodAutoscaler `{}` `minReplicas`)",
                facts.name(h)
            ),
        }
    }

    /// Where the count is written, for a related span: the autoscaler's
    /// `spec.minReplicas` (else `spec.scaleTargetRef`) value, the workload's
    /// `spec.replicas` value, or its `metadata.name` value.
    pub fn origin(&self, facts: &Facts, workload: ObjId, pod: &PodFact) -> (FileId, ByteSpan) {
        match self.source {
            ReplicaSource::Autoscaler(h) => {
                let (ff, local) = facts.batch_facts(h);
                let at = ff
                    .pods
                    .hpa(local)
                    .map_or(ByteSpan::default(), |f| f.origin_value);
                (facts.ident(h).file, at)
            }
            ReplicaSource::Spec => (facts.ident(workload).file, pod.replicas_value),
            ReplicaSource::Default => {
                let (ff, local) = facts.batch_facts(workload);
                (facts.ident(workload).file, ff.name_values[local])
            }
        }
    }
}

/// A budget, with the arenas of its file.
#[derive(Clone, Copy)]
pub struct Pdb<'f> {
    pub id: ObjId,
    pub fact: &'f PdbFact,
    pub file: &'f FilePods,
}

impl<'f> Pdb<'f> {
    pub fn match_labels(&self) -> &'f [(Sym, Sym)] {
        self.file.labels(self.fact.match_labels)
    }

    pub fn exprs(&self) -> &'f [Expr] {
        self.file.exprs(self.fact.exprs)
    }

    /// Whether the selector has no requirements at all.
    pub fn selector_is_empty(&self) -> bool {
        self.fact.match_labels.len == 0 && self.fact.exprs.len == 0
    }

    /// What an empty selector (`{}`) selects: every pod of its namespace in
    /// `policy/v1`, none in `policy/v1beta1`.
    pub fn empty_selector_selects_all(&self, facts: &Facts) -> bool {
        facts.str(facts.ident(self.id).api_version) != "policy/v1beta1"
    }

    /// Whether the budget selects pods labelled `labels` (in its namespace).
    /// A missing selector selects nothing; an empty one, see
    /// [`Pdb::empty_selector_selects_all`].
    pub fn selects(&self, facts: &Facts, labels: &[(Sym, Sym)]) -> bool {
        if !self.fact.has_selector {
            return false;
        }
        if self.selector_is_empty() {
            return self.empty_selector_selects_all(facts);
        }
        self.matches(labels, |_| true)
    }

    /// Whether the selector's requirements whose key passes `keep` select
    /// `labels` (see [`crate::selectors::selector_matches`]).
    pub fn matches(&self, labels: &[(Sym, Sym)], keep: impl Fn(Sym) -> bool) -> bool {
        let f = self.file;
        selector_matches(f, self.match_labels(), self.exprs(), labels, keep)
    }

    /// `a=b, c in (d)` (see [`crate::selectors::describe_selector`]).
    pub fn describe(&self, facts: &Facts) -> String {
        let mut parts: Vec<String> = self
            .match_labels()
            .iter()
            .map(|&(k, v)| format!("{}={}", facts.str(k), facts.str(v)))
            .collect();
        for e in self.exprs() {
            let vals: Vec<&str> = self
                .file
                .values(e.values)
                .iter()
                .map(|&v| facts.str(v))
                .collect();
            let key = facts.str(e.key);
            parts.push(match facts.str(e.operator) {
                "Exists" => key.to_string(),
                "DoesNotExist" => format!("!{key}"),
                op => format!("{key} {} ({})", op.to_lowercase(), vals.join(", ")),
            });
        }
        if parts.is_empty() {
            "everything".into()
        } else {
            parts.join(", ")
        }
    }
}

/// The value of `key` in a label map.
pub fn label(labels: &[(Sym, Sym)], key: Sym) -> Option<Sym> {
    labels.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
}

/// [`crate::selectors::selector_matches`] on facts, counting only the
/// requirements whose key passes `keep`.
fn selector_matches(
    file: &FilePods,
    match_labels: &[(Sym, Sym)],
    exprs: &[Expr],
    labels: &[(Sym, Sym)],
    keep: impl Fn(Sym) -> bool,
) -> bool {
    if !match_labels
        .iter()
        .filter(|(k, _)| keep(*k))
        .all(|&(k, v)| label(labels, k) == Some(v))
    {
        return false;
    }
    exprs.iter().filter(|e| keep(e.key)).all(|e| {
        let values = file.values(e.values);
        let have = label(labels, e.key);
        match e.op {
            Op::In => have.is_some_and(|v| values.contains(&v)),
            Op::NotIn => have.is_none_or(|v| !values.contains(&v)),
            Op::Exists => have.is_some(),
            Op::DoesNotExist => have.is_none(),
            Op::Other => false,
        }
    })
}

/// `a=1, b=2`, or `no labels` (see [`crate::selectors::describe_labels`]).
pub fn describe_labels(facts: &Facts, labels: &[(Sym, Sym)]) -> String {
    if labels.is_empty() {
        return "no labels".into();
    }
    labels
        .iter()
        .map(|&(k, v)| format!("{}={}", facts.str(k), facts.str(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `minAvailable` / `maxUnavailable` scaled to `total` pods (see
/// [`crate::disruption::scaled`]).
pub fn scaled(facts: &Facts, v: IntOrStr, total: i32) -> Option<i32> {
    match v {
        IntOrStr::Int(i) => Some(i),
        IntOrStr::Str(s) => crate::disruption::scaled_percent(facts.str(s), total),
    }
}

/// What a budget allows for `total` pods (see [`crate::disruption::allowance`]).
pub fn allowance(facts: &Facts, pdb: &PdbFact, total: i32) -> crate::disruption::Allowance {
    crate::disruption::allowance_scaled(
        pdb.max_unavailable.map(|v| scaled(facts, v, total)),
        pdb.min_available.map(|v| scaled(facts, v, total)),
        total,
    )
}

/// A label of a pod template, as [`PodTables::labels`] sorts it:
/// (namespace, key, value).
type LabelKey = [u32; 3];

/// The pod-bearing objects [`PodTables::labelled`] finds, in canonical order.
#[derive(Clone, Copy)]
pub enum Labelled<'t> {
    All(&'t [ObjId]),
    Pairs(&'t [(LabelKey, ObjId)]),
}

impl<'t> Labelled<'t> {
    pub fn len(&self) -> usize {
        match self {
            Labelled::All(ids) => ids.len(),
            Labelled::Pairs(pairs) => pairs.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn ids(self) -> impl Iterator<Item = ObjId> + 't {
        let (all, pairs): (&[ObjId], &[(LabelKey, ObjId)]) = match self {
            Labelled::All(ids) => (ids, &[]),
            Labelled::Pairs(pairs) => (&[], pairs),
        };
        all.iter().copied().chain(pairs.iter().map(|&(_, id)| id))
    }
}

fn pair_key((key, value): (Sym, Sym)) -> [u32; 2] {
    [key.index(), value.index()]
}

fn label_key(ns: Option<Sym>, key: Sym, value: Sym) -> LabelKey {
    [ns.map_or(u32::MAX, Sym::index), key.index(), value.index()]
}

/// The lookup tables of pods, autoscalers and budgets, shared by the rules.
pub struct PodTables {
    /// HorizontalPodAutoscalers by (namespace, target kind, target name).
    hpas: HashMap<(Option<Sym>, Sym, Sym), Near>,
    /// Pod-bearing objects by namespace, in canonical order.
    pods: HashMap<Option<Sym>, Vec<ObjId>>,
    /// Every label of every pod template (but those with an empty key),
    /// sorted, with the object that carries it (equal labels in canonical
    /// order of their objects): one array, where maps of lists per
    /// namespace, key and value took several times the room.
    labels: Vec<(LabelKey, ObjId)>,
    /// Budgets without matchLabels.
    pdbs_unlabelled: Vec<ObjId>,
    /// Budgets with matchLabels, by the pair of them that the fewest budgets
    /// (of any namespace) share: every pair must match, so one is a sound
    /// pre-filter, and the rarest keeps the lists short. Sorted by pair,
    /// then in canonical order.
    pdbs_by_label: Vec<([u32; 2], ObjId)>,
}

/// [`PodTables`], built on first use.
#[derive(Default)]
pub struct Tables(OnceLock<PodTables>);

impl PodTables {
    fn build(facts: &Facts) -> PodTables {
        let mut hpas: HashMap<(Option<Sym>, Sym, Sym), Near> = HashMap::new();
        let mut pods: HashMap<Option<Sym>, Vec<ObjId>> = HashMap::new();
        let mut labels: Vec<(LabelKey, ObjId)> = Vec::new();
        let mut pdbs_unlabelled = Vec::new();
        let mut selectors: Vec<(ObjId, &[(Sym, Sym)])> = Vec::new();
        for (b, ff) in facts.batches() {
            let ns = |local: u32| facts.ident(facts.id(b, local as usize)).namespace;
            for h in &ff.pods.hpas {
                hpas.entry((ns(h.local), h.target_kind, h.target_name))
                    .or_default()
                    .ids
                    .push(facts.id(b, h.local as usize));
            }
            for p in &ff.pods.pods {
                let id = facts.id(b, p.local as usize);
                let ns = ns(p.local);
                for &(k, v) in ff.pods.labels(p.labels) {
                    // No label key is empty: the empty key stands for every
                    // pod of the namespace.
                    if !facts.str(k).is_empty() {
                        labels.push((label_key(ns, k, v), id));
                    }
                }
                pods.entry(ns).or_default().push(id);
            }
            for p in &ff.pods.pdbs {
                let id = facts.id(b, p.local as usize);
                let ml = ff.pods.labels(p.match_labels);
                if ml.is_empty() {
                    pdbs_unlabelled.push(id);
                } else {
                    selectors.push((id, ml));
                }
            }
        }
        for near in hpas.values_mut() {
            near.finish(facts);
        }
        // How many budgets select on each pair.
        let mut pairs: Vec<[u32; 2]> = selectors
            .iter()
            .flat_map(|(_, ml)| ml.iter().map(|&p| pair_key(p)))
            .collect();
        pairs.sort_unstable();
        let count = |p: &(Sym, Sym)| equal_run(&pairs, &pair_key(*p), |q| *q).len();
        let mut pdbs_by_label: Vec<([u32; 2], ObjId)> = selectors
            .iter()
            .filter_map(|&(id, ml)| Some((pair_key(*ml.iter().min_by_key(|p| count(p))?), id)))
            .collect();
        drop(pairs);
        pdbs_by_label.sort_unstable();
        for ids in pods.values_mut() {
            trim(ids);
        }
        // A pod template has each key once: the pairs are distinct.
        labels.sort_unstable();
        PodTables {
            hpas,
            pods,
            labels,
            pdbs_unlabelled,
            pdbs_by_label,
        }
    }

    /// Whether namespace `ns` holds any pod-bearing object.
    pub fn has_pods_in(&self, ns: Option<Sym>) -> bool {
        self.pods.contains_key(&ns)
    }

    /// The pod-bearing objects of `ns`, in canonical order.
    pub fn all_in(&self, ns: Option<Sym>) -> &[ObjId] {
        self.pods.get(&ns).map_or(&[][..], Vec::as_slice)
    }

    /// The pod-bearing objects of `ns` whose pod template carries the label
    /// `key=value`, in canonical order (the empty pair: all of them).
    pub fn labelled(&self, facts: &Facts, ns: Option<Sym>, key: Sym, value: Sym) -> Labelled<'_> {
        if facts.str(key).is_empty() {
            return if facts.str(value).is_empty() {
                Labelled::All(self.all_in(ns))
            } else {
                Labelled::All(&[])
            };
        }
        Labelled::Pairs(equal_run(&self.labels, &label_key(ns, key, value), |l| l.0))
    }

    /// The pod-bearing objects of `ns` whose pod template carries the label
    /// `key` with any value, in canonical order.
    pub fn with_key(&self, facts: &Facts, ns: Option<Sym>, key: Sym) -> Vec<ObjId> {
        if facts.str(key).is_empty() {
            return self.all_in(ns).to_vec();
        }
        let [ns, key, _] = label_key(ns, key, key);
        let mut out: Vec<ObjId> = equal_run(&self.labels, &[ns, key], |(l, _)| [l[0], l[1]])
            .iter()
            .map(|&(_, id)| id)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Budgets (any namespace) that might select pods labelled `labels`, in
    /// canonical order; callers evaluate the selector.
    pub fn pdb_candidates(&self, labels: &[(Sym, Sym)]) -> Vec<ObjId> {
        let mut out = self.pdbs_unlabelled.clone();
        for &pair in labels {
            let run = equal_run(&self.pdbs_by_label, &pair_key(pair), |(p, _)| *p);
            out.extend(run.iter().map(|&(_, id)| id));
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Facts {
    /// The tables of pods, autoscalers and budgets.
    pub fn pod_tables(&self) -> &PodTables {
        self.pod_tables.0.get_or_init(|| PodTables::build(self))
    }

    /// The pod facts of `id`, if it has a pod template, with its file's.
    pub fn pod_of(&self, id: ObjId) -> Option<(&FilePods, &PodFact)> {
        let (ff, local) = self.batch_facts(id);
        Some((&ff.pods, ff.pods.pod(local)?))
    }

    /// The budget `id`, if it is a typed PodDisruptionBudget.
    pub fn pdb_of(&self, id: ObjId) -> Option<Pdb<'_>> {
        let (ff, local) = self.batch_facts(id);
        Some(Pdb {
            id,
            fact: ff.pods.pdb(local)?,
            file: &ff.pods,
        })
    }

    /// The HorizontalPodAutoscaler that scales `id` (same namespace, target
    /// kind and name), the nearest of several.
    pub fn hpa_for(&self, id: ObjId) -> Option<ObjId> {
        let ident = self.ident(id);
        let near = self
            .pod_tables()
            .hpas
            .get(&(ident.namespace, ident.kind, ident.name))?;
        self.nearest(ident.file, near)
    }

    /// The replicas of a scalable workload (StatefulSet, Deployment,
    /// ReplicaSet) with pod template `pod`, counting an autoscaler's
    /// `minReplicas` when one targets it.
    pub fn replicas(&self, id: ObjId, pod: &PodFact) -> Option<Replicas> {
        if !matches!(
            self.ident(id).typed,
            TypedTag::StatefulSet | TypedTag::Deployment | TypedTag::ReplicaSet
        ) {
            return None;
        }
        if let Some(h) = self.hpa_for(id) {
            let (ff, local) = self.batch_facts(h);
            let min = ff.pods.hpa(local).and_then(|f| f.min_replicas);
            return Some(Replicas {
                count: min.unwrap_or(1),
                source: ReplicaSource::Autoscaler(h),
            });
        }
        Some(match pod.replicas {
            Some(n) => Replicas {
                count: n,
                source: ReplicaSource::Spec,
            },
            None => Replicas {
                count: 1,
                source: ReplicaSource::Default,
            },
        })
    }
}

impl FilePods {
    /// Give back the spare room of every list once the file is read: a run
    /// keeps the facts of every file.
    pub fn shrink(&mut self) {
        trim(&mut self.pods);
        trim(&mut self.hpas);
        trim(&mut self.pdbs);
        trim(&mut self.anti_affinity);
        trim(&mut self.pairs);
        trim(&mut self.exprs);
        trim(&mut self.syms);
    }
}
