//! `missing-pdb` — documented in rules/missing-pdb.md


use crate::api_versions::removed;
use crate::disruption::Allowance;
use crate::facts::pods::{allowance, Pdb, ReplicaSource};
use crate::facts::{append, equal_run, FactRule, FactSink, Facts, ObjId, Sym, TypedTag};
use crate::fix::Fix;
use crate::validation::is_dns1123_subdomain;
use crate::selectors::in_ns;
use crate::source::{ByteSpan, FileId};

pub struct MissingPdb;

impl FactRule for MissingPdb {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        let cx = Cx::new(facts);
        facts.par_batches(out, |batch, ff, out| {
            for pod in &ff.pods.pods {
                let id = facts.id(batch, pod.local as usize);
                let typed = facts.ident(id).typed;
                if matches!(typed, TypedTag::StatefulSet | TypedTag::Deployment) {
                    check(facts, &cx, id, pod, out);
                }
            }
        });
    }
}

/// What the fixes read besides the workload's own facts.
struct Cx {
    /// The kind `PodDisruptionBudget` (`None`: no object of that kind).
    pdb_kind: Option<Sym>,
    /// (namespace, name) of every workload a fix may write a budget for,
    /// sorted: a budget named after a workload is written only when no
    /// other workload of the namespace has that name.
    names: Vec<[u32; 2]>,
}

fn name_key(facts: &Facts, id: ObjId) -> [u32; 2] {
    let i = facts.ident(id);
    [i.namespace.map_or(u32::MAX, Sym::index), i.name.index()]
}

impl Cx {
    fn new(facts: &Facts) -> Cx {
        let typed_pdb = facts.batches().find_map(|(b, ff)| {
            let p = ff.pods.pdbs.first()?;
            Some(facts.ident(facts.id(b, p.local as usize)).kind)
        });
        let pdb_kind = typed_pdb.or_else(|| {
            facts
                .idents()
                .find(|(_, i)| facts.str(i.kind) == "PodDisruptionBudget")
                .map(|(_, i)| i.kind)
        });
        let mut names: Vec<[u32; 2]> = Vec::new();
        for (b, ff) in facts.batches() {
            for a in &ff.appends.items {
                names.push(name_key(facts, facts.id(b, a.local as usize)));
            }
        }
        names.sort_unstable();
        Cx { pdb_kind, names }
    }
}

/// The fix for a workload no budget of any namespace selects: a budget
/// named after it, after it, when that is certain (see rules/missing-pdb.md,
/// "Fix").
fn new_budget(facts: &Facts, cx: &Cx, id: ObjId) -> Option<Fix> {
    let ident = facts.ident(id);
    let name = facts.str(ident.name);
    if !is_dns1123_subdomain(name) || equal_run(&cx.names, &name_key(facts, id), |k| *k).len() != 1 {
        return None;
    }
    if cx
        .pdb_kind
        .is_some_and(|k| !facts.named(ident.namespace, k, ident.name).is_empty())
    {
        return None;
    }
    let (_, a) = facts.append_of(id)?;
    let selector = facts.selector_labels(id, a)?;
    if facts.selects_others(id, &selector) {
        return None;
    }
    append::pdb_fix(facts, id, name)
}

/// Where a selecting budget falls short: the related span's place and text.
struct Unprotective {
    file: FileId,
    at: ByteSpan,
    why: String,
    msg: String,
}

fn check(
    facts: &Facts,
    cx: &Cx,
    id: crate::facts::ObjId,
    pod: &crate::facts::pods::PodFact,
    out: &mut FactSink,
) {
    // One pod cannot be protected without blocking every drain.
    let Some(r) = facts.replicas(id, pod).filter(|r| r.count >= 2) else { return };
    let (fp, _) = facts.batch_facts(id);
    let labels = fp.pods.labels(pod.labels);
    let ident = facts.ident(id);
    let ns = ident.namespace;
    let candidates: Vec<Pdb<'_>> = facts
        .pod_tables()
        .pdb_candidates(labels)
        .into_iter()
        .filter_map(|p| facts.pdb_of(p))
        .collect();
    // Why each selecting budget does not protect the pods, if it does not:
    // an API version current clusters reject, or no limit at all.
    let mut unprotective: Vec<Unprotective> = Vec::new();
    for pdb in candidates
        .iter()
        .filter(|p| facts.ident(p.id).namespace == ns && p.selects(facts, labels))
    {
        let pi = facts.ident(pdb.id);
        let (api_version, kind, name) = (facts.str(pi.api_version), facts.str(pi.kind), facts.str(pi.name));
        if let Some(rm) = removed(api_version, kind) {
            let fix = rm.replacement.map_or(String::new(), |v| format!(": use `{v}`"));
            unprotective.push(Unprotective {
                file: pi.file,
                at: pdb.fact.api_version_value,
                why: format!(
                    "PodDisruptionBudget `{name}` selects its pods but is `{api_version}`, which {} {} removed, so a current cluster never applies it",
                    rm.component, rm.removed_in
                ),
                msg: format!("`{api_version}` is not served since {} {}{fix}", rm.component, rm.removed_in),
            });
            continue;
        }
        let limits = pdb.fact.has_spec && allowance(facts, pdb.fact, r.count) != Allowance::Unbounded;
        if limits {
            return; // protected
        }
        unprotective.push(Unprotective {
            file: pi.file,
            at: pdb.fact.spec_key,
            why: format!("PodDisruptionBudget `{name}` selects its pods but sets neither `minAvailable` nor `maxUnavailable`, so it allows every eviction"),
            msg: "add `maxUnavailable: 1` here".to_string(),
        });
    }
    let (field, span) = match r.source {
        ReplicaSource::Spec => ("spec.replicas", pod.replicas_value),
        _ => {
            let (ff, local) = facts.batch_facts(id);
            ("metadata.name", ff.name_values[local])
        }
    };
    let why = match unprotective.first() {
        Some(u) => u.why.clone(),
        None => format!("no PodDisruptionBudget {} selects its pods", in_ns(ns.map(|n| facts.str(n)))),
    };
    let p = out.report(
        id,
        field,
        span,
        format!(
            "{} `{}` runs {} and {why}: a node drain may evict them all at once",
            facts.kind(id),
            facts.name(id),
            r.describe(facts)
        ),
    );
    p.label("no PodDisruptionBudget protects these pods").help(
        "add a PodDisruptionBudget (`policy/v1`) in the same namespace whose selector matches the pod template labels, with `maxUnavailable: 1`",
    );
    let elsewhere = candidates
        .iter()
        .find(|p| facts.ident(p.id).namespace != ns && p.selects(facts, labels));
    if unprotective.is_empty() && elsewhere.is_none() {
        if let Some(fix) = new_budget(facts, cx, id) {
            p.fix(fix);
        }
    }
    if !unprotective.is_empty() {
        for u in unprotective {
            p.related(u.file, u.at, u.msg);
        }
    } else if let Some(other) = elsewhere {
        p.related(
            facts.ident(other.id).file,
            other.fact.selector_key,
            "this PodDisruptionBudget selects the pods, but is in another namespace",
        );
    }
    if let ReplicaSource::Autoscaler(h) = r.source {
        let (f, at) = r.origin(facts, id, pod);
        p.related(f, at, format!("HorizontalPodAutoscaler `{}` keeps at least {} replicas", facts.name(h), r.count));
    }
}
