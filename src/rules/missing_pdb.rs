//! `missing-pdb` — documented in rules/missing-pdb.md


use crate::api_versions::removed;
use crate::disruption::Allowance;
use crate::facts::pods::{allowance, Pdb, ReplicaSource};
use crate::facts::{FactRule, FactSink, Facts, TypedTag};
use crate::selectors::in_ns;
use crate::source::{ByteSpan, FileId};

pub struct MissingPdb;

impl FactRule for MissingPdb {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        facts.par_batches(out, |batch, ff, out| {
            for pod in &ff.pods.pods {
                let id = facts.id(batch, pod.local as usize);
                let typed = facts.ident(id).typed;
                if matches!(typed, TypedTag::StatefulSet | TypedTag::Deployment) {
                    check(facts, id, pod, out);
                }
            }
        });
    }
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
    if !unprotective.is_empty() {
        for u in unprotective {
            p.related(u.file, u.at, u.msg);
        }
    } else if let Some(other) = candidates
        .iter()
        .find(|p| facts.ident(p.id).namespace != ns && p.selects(facts, labels))
    {
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
