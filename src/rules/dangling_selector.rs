//! `dangling-selector` — documented in rules/dangling-selector.md



use crate::facts::pods::{describe_labels, label, Op, Pdb, PdbFact, PodTables};
use crate::facts::{equal_run, FactRule, FactSink, Facts, ObjId, Sym, TypedTag};
use crate::source::ByteSpan;

pub struct DanglingSelector;

/// Labels that controllers add to the pods they create, which no pod template
/// carries: a selector may use them.
fn controller_label(key: &str) -> bool {
    matches!(
        key,
        "statefulset.kubernetes.io/pod-name"
            | "apps.kubernetes.io/pod-index"
            | "pod-template-hash"
            | "controller-revision-hash"
            | "pod-template-generation"
            | "controller-uid"
            | "job-name"
            | "batch.kubernetes.io/controller-uid"
            | "batch.kubernetes.io/job-name"
            | "batch.kubernetes.io/job-completion-index"
    )
}

/// `kafka-0` → (`kafka`, 0): the StatefulSet a pod name belongs to.
fn statefulset_pod(value: &str) -> Option<&str> {
    let (sts, ordinal) = value.rsplit_once('-')?;
    (!ordinal.is_empty() && ordinal.chars().all(|c| c.is_ascii_digit())).then_some(sts)
}

/// The namespaces whose pods a selector in `ns` may select among the linted
/// objects: its own, and the objects that name none (applied with `-n`).
fn namespaces(ns: Option<Sym>) -> Vec<Option<Sym>> {
    match ns {
        Some(_) => vec![ns, None],
        None => vec![None],
    }
}

/// What the selector requires, for lookups: one `key=value` pair, or one
/// key with any value.
enum Lookup<'s> {
    Pair(Sym, Sym),
    Key(Sym),
    StatefulSet(&'s str),
}

fn where_(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("in namespace `{ns}`"),
        None => "among the linted objects".into(),
    }
}

/// What every check reads: the facts, their pod tables, and the
/// StatefulSets with a pod template by namespace and name.
struct Cx<'f> {
    facts: &'f Facts,
    pods: &'f PodTables,
    /// Sorted by namespace and name; equal ones in canonical order.
    statefulsets: Vec<ObjId>,
}

impl<'f> Cx<'f> {
    fn new(facts: &'f Facts) -> Self {
        let mut statefulsets: Vec<ObjId> = Vec::new();
        for (b, ff) in facts.batches() {
            for p in &ff.pods.pods {
                let id = facts.id(b, p.local as usize);
                if facts.ident(id).typed == TypedTag::StatefulSet {
                    statefulsets.push(id);
                }
            }
        }
        // Stable: equal keys stay in canonical order.
        statefulsets.sort_by(|&a, &b| Self::sts_key(facts, a).cmp(&Self::sts_key(facts, b)));
        Cx {
            facts,
            pods: facts.pod_tables(),
            statefulsets,
        }
    }

    fn sts_key(facts: &Facts, id: ObjId) -> (u32, &str) {
        let ident = facts.ident(id);
        (ident.namespace.map_or(u32::MAX, Sym::index), facts.str(ident.name))
    }

    /// The StatefulSets (with a pod template) named `name` in `ns`.
    fn statefulsets(&self, ns: Option<Sym>, name: &str) -> &[ObjId] {
        let key = (ns.map_or(u32::MAX, Sym::index), name);
        equal_run(&self.statefulsets, &key, |&id| Self::sts_key(self.facts, id))
    }

    fn str(&self, s: Sym) -> &'f str {
        self.facts.str(s)
    }

    /// The pod labels of a pod-bearing object.
    fn labels(&self, o: ObjId) -> Option<&'f [(Sym, Sym)]> {
        let (fp, pod) = self.facts.pod_of(o)?;
        Some(fp.labels(pod.labels))
    }

    fn candidates(&self, ns: Option<Sym>, lookups: &[Lookup<'_>]) -> Vec<ObjId> {
        let mut out: Vec<ObjId> = Vec::new();
        for ns in namespaces(ns) {
            for l in lookups {
                match *l {
                    Lookup::Pair(k, v) => out.extend(self.pods.labelled(self.facts, ns, k, v).ids()),
                    Lookup::Key(k) => out.extend(self.pods.with_key(self.facts, ns, k)),
                    Lookup::StatefulSet(name) => out.extend(self.statefulsets(ns, name)),
                }
            }
        }
        out
    }

    /// Of a selector's `key=value` pairs (all of which must match), the one
    /// carried by the fewest pod templates: the shortest list to check.
    fn rarest(&self, ns: Option<Sym>, pairs: impl Iterator<Item = (Sym, Sym)>) -> Option<(Sym, Sym)> {
        pairs.min_by_key(|&(k, v)| {
            namespaces(ns)
                .into_iter()
                .map(|n| self.pods.labelled(self.facts, n, k, v).len())
                .sum::<usize>()
        })
    }

    /// Whether `o` can run pods carrying the controller label `key=value`.
    fn controller_label_ok(&self, o: ObjId, key: Sym, value: Sym) -> bool {
        let ident = self.facts.ident(o);
        let sts = ident.typed == TypedTag::StatefulSet;
        match self.str(key) {
            "statefulset.kubernetes.io/pod-name" => {
                sts && statefulset_pod(self.str(value)) == Some(self.str(ident.name))
            }
            "apps.kubernetes.io/pod-index" => sts,
            _ => true,
        }
    }

    /// A pod template with every key of the selector, for a "did you mean"
    /// span: the object, the span of its labels' key and the labels shown.
    fn near_miss(&self, ns: Option<Sym>, keys: &[Sym]) -> Option<(ObjId, String)> {
        let first = *keys.first()?;
        self.candidates(ns, &[Lookup::Key(first)])
            .into_iter()
            .find_map(|o| {
                let labels = self.labels(o)?;
                if !keys.iter().all(|k| label(labels, *k).is_some()) {
                    return None;
                }
                let shown: Vec<(Sym, Sym)> = labels
                    .iter()
                    .copied()
                    .filter(|(k, _)| keys.contains(k))
                    .collect();
                Some((o, describe_labels(self.facts, &shown)))
            })
    }

    fn related_near_miss(&self, d: &mut crate::facts::Draft, ns: Option<Sym>, keys: &[Sym]) {
        if let Some((o, labels)) = self.near_miss(ns, keys) {
            if let Some((_, pod)) = self.facts.pod_of(o) {
                d.related(
                    self.facts.ident(o).file,
                    pod.labels_key,
                    format!(
                        "the pod template of {} `{}` has {labels}",
                        self.facts.kind(o),
                        self.facts.name(o)
                    ),
                );
            }
        }
    }

    fn service(&self, id: ObjId, sel: &[(Sym, Sym)], selector_key: ByteSpan, out: &mut FactSink) {
        let facts = self.facts;
        let ns = facts.ident(id).namespace;
        if !self.pods.has_pods_in(ns) {
            return;
        }
        let user: Vec<(Sym, Sym)> = sel
            .iter()
            .copied()
            .filter(|(k, _)| !controller_label(self.str(*k)))
            .collect();
        let lookup = match self.rarest(ns, user.iter().copied()) {
            Some((k, v)) => Lookup::Pair(k, v),
            None => match sel
                .iter()
                .find(|(k, _)| self.str(*k) == "statefulset.kubernetes.io/pod-name")
                .and_then(|(_, v)| statefulset_pod(self.str(*v)))
            {
                Some(sts) => Lookup::StatefulSet(sts),
                None => return,
            },
        };
        let selected = self.candidates(ns, &[lookup]).into_iter().any(|o| {
            let Some(labels) = self.labels(o) else { return false };
            (user.is_empty() || user.iter().all(|&(k, v)| label(labels, k) == Some(v)))
                && sel
                    .iter()
                    .filter(|(k, _)| controller_label(self.str(*k)))
                    .all(|&(k, v)| self.controller_label_ok(o, k, v))
        });
        if selected {
            return;
        }
        let b = out.report(
            id,
            "spec.selector",
            selector_key,
            format!(
                "Service `{}` selects pods with {}, but no pod template {} carries these labels: the Service gets no endpoints and connections to it fail",
                facts.name(id),
                describe_labels(facts, sel),
                where_(facts.namespace(id))
            ),
        );
        b.label("selects no pods")
            .help("make `spec.selector` equal to labels of the workload's pod template (`spec.template.metadata.labels`), or lint the Service together with the files that define its pods");
        let keys: Vec<Sym> = user.iter().map(|&(k, _)| k).collect();
        self.related_near_miss(b, ns, &keys);
    }

    fn pdb(&self, pdb: Pdb<'_>, out: &mut FactSink) {
        let facts = self.facts;
        let id = pdb.id;
        let f: &PdbFact = pdb.fact;
        let ns = facts.ident(id).namespace;
        if !self.pods.has_pods_in(ns) {
            return;
        }
        const HELP: &str = "set `spec.selector.matchLabels` to the labels of the workload's pod template (`spec.template.metadata.labels`), or lint the PodDisruptionBudget together with the files that define its pods";
        if !f.has_selector {
            out.report(id, "spec", f.spec_key, format!("PodDisruptionBudget `{}` has no `spec.selector`: it selects no pods and protects nothing from node drains", facts.name(id)))
                .label("no selector")
                .help(HELP);
            return;
        }
        if pdb.selector_is_empty() {
            // policy/v1: every pod of the namespace; policy/v1beta1: none.
            if !pdb.empty_selector_selects_all(facts) {
                out.report(id, "spec.selector", f.selector_key, format!("PodDisruptionBudget `{}` has an empty `spec.selector`, which in policy/v1beta1 selects no pods: it protects nothing", facts.name(id)))
                    .label("selects no pods in policy/v1beta1")
                    .help("set `spec.selector.matchLabels` to the pod template's labels (in policy/v1 an empty selector would select every pod of the namespace instead)");
            }
            return;
        }
        let user = |k: Sym| !controller_label(self.str(k));
        let ml = pdb.match_labels();
        let user_labels = || ml.iter().copied().filter(|&(k, _)| user(k));
        let mut lookups = Vec::new();
        if let Some((k, v)) = self.rarest(ns, user_labels()) {
            lookups.push(Lookup::Pair(k, v));
        } else if let Some(e) = pdb
            .exprs()
            .iter()
            .filter(|e| user(e.key))
            .find(|e| matches!(e.op, Op::In | Op::Exists))
        {
            match e.op {
                Op::In => lookups.extend(pdb.file.values(e.values).iter().map(|&v| Lookup::Pair(e.key, v))),
                _ => lookups.push(Lookup::Key(e.key)),
            }
        } else if let Some(sts) = ml
            .iter()
            .find(|(k, _)| self.str(*k) == "statefulset.kubernetes.io/pod-name")
            .and_then(|(_, v)| statefulset_pod(self.str(*v)))
        {
            lookups.push(Lookup::StatefulSet(sts));
        } else {
            // Only NotIn / DoesNotExist or controller labels: no index lookup
            // narrows the pods down; stay silent rather than guess.
            return;
        }
        let injected: Vec<(Sym, Sym)> = ml.iter().copied().filter(|&(k, _)| !user(k)).collect();
        let selected = self.candidates(ns, &lookups).into_iter().any(|o| {
            let Some(labels) = self.labels(o) else { return false };
            pdb.matches(labels, user) && injected.iter().all(|&(k, v)| self.controller_label_ok(o, k, v))
        });
        if selected {
            return;
        }
        let b = out.report(
            id,
            "spec.selector",
            f.selector_key,
            format!(
                "PodDisruptionBudget `{}` selects pods with {}, but no pod template {} carries these labels: it protects nothing from node drains",
                facts.name(id),
                pdb.describe(facts),
                where_(facts.namespace(id))
            ),
        );
        b.label("selects no pods").help(HELP);
        let keys: Vec<Sym> = user_labels().map(|(k, _)| k).collect();
        self.related_near_miss(b, ns, &keys);
    }
}

impl FactRule for DanglingSelector {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        // The selected pods may be in the input that could not be read.
        if facts.inputs_incomplete {
            return;
        }
        let cx = Cx::new(facts);
        facts.par_batches(out, |batch, ff, out| {
            for s in &ff.backup.services {
                let Some(svc) = s.typed.as_ref().filter(|t| t.selects_pods) else { continue };
                let Some(sel) = svc.selector else { continue };
                let id = facts.id(batch, s.local as usize);
                cx.service(id, ff.backup.labels(sel), svc.selector_at, out);
            }
            for p in &ff.pods.pdbs {
                let pdb = Pdb {
                    id: facts.id(batch, p.local as usize),
                    fact: p,
                    file: &ff.pods,
                };
                cx.pdb(pdb, out);
            }
        });
    }
}
