//! `pdb-blocks-eviction` — documented in rules/pdb-blocks-eviction.md


use crate::disruption::Allowance;
use crate::facts::pods::{allowance, scaled, IntOrStr, Labelled, Pdb, PodFact, Replicas};
use crate::facts::{FactRule, FactSink, Facts, ObjId};

pub struct PdbBlocksEviction;

const HELP: &str = "allow at least one disruption: `maxUnavailable: 1` is the usual choice for a replicated database or quorum";

fn show(facts: &Facts, v: IntOrStr) -> String {
    match v {
        IntOrStr::Int(i) => i.to_string(),
        IntOrStr::Str(s) => facts.str(s).to_string(),
    }
}

impl FactRule for PdbBlocksEviction {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        facts.par_batches(out, |batch, ff, out| {
            for p in ff.pods.pdbs.iter().filter(|p| p.has_spec) {
                let pdb = Pdb {
                    id: facts.id(batch, p.local as usize),
                    fact: p,
                    file: &ff.pods,
                };
                check(facts, pdb, out);
            }
        });
    }
}

fn check(facts: &Facts, pdb: Pdb<'_>, out: &mut FactSink) {
    let id = pdb.id;
    let name = facts.name(id);
    let spec = pdb.fact;
    // Whatever the replica count: `maxUnavailable: 0` (or 0%) and
    // `minAvailable: 100%` never allow an eviction. (Both fields set is
    // rejected by the API server; each is still read on its own here.)
    let mut never = false;
    if let Some(v) = spec.max_unavailable {
        if scaled(facts, v, 100).is_some_and(|m| m <= 0) {
            never = true;
            out.report(id, "spec.maxUnavailable", spec.max_value, format!("PodDisruptionBudget `{name}` allows no disruption (`maxUnavailable: {}`): node drains evicting its pods hang until someone deletes it", show(facts, v)))
                .label("no pod may ever be evicted")
                .help(HELP);
        }
    }
    if let Some(v @ IntOrStr::Str(_)) = spec.min_available {
        if scaled(facts, v, 100).is_some_and(|m| m >= 100) {
            never = true;
            out.report(id, "spec.minAvailable", spec.min_value, format!("PodDisruptionBudget `{name}` requires every pod to stay available (`minAvailable: {}`): node drains evicting its pods hang until someone deletes it", show(facts, v)))
                .label("no pod may ever be evicted")
                .help(HELP);
        }
    }
    if never || spec.min_available.is_some() && spec.max_unavailable.is_some() {
        return;
    }
    let (field, at, value) = match (spec.max_unavailable, spec.min_available) {
        (Some(v), _) => ("spec.maxUnavailable", spec.max_value, v),
        (None, Some(v)) => ("spec.minAvailable", spec.min_value, v),
        (None, None) => return,
    };
    // Otherwise it depends on the pods it selects: the workloads of its
    // namespace whose pod templates it selects.
    if !spec.has_selector {
        return;
    }
    let selected: Vec<(ObjId, &PodFact, Replicas)> = selected_workloads(facts, pdb);
    if selected.is_empty() {
        return;
    }
    let total: i32 = selected.iter().map(|(_, _, r)| r.count).sum();
    let Allowance::Disruptions { allowed, healthy } = allowance(facts, spec, total) else { return };
    if allowed > 0 {
        return;
    }
    let pods = if total == 1 { "pod".to_string() } else { format!("{total} pods") };
    let rounding = match value {
        IntOrStr::Str(s) => format!(" ({} of {total}, rounded up)", facts.str(s)),
        IntOrStr::Int(_) => String::new(),
    };
    let workloads: Vec<String> = selected
        .iter()
        .map(|(w, _, _)| format!("{} `{}`", facts.kind(*w), facts.name(*w)))
        .collect();
    let p = out
        .report(
            id,
            field,
            at,
            format!(
                "PodDisruptionBudget `{name}` requires {healthy} pods available{rounding}, and {} run{} {pods} in all: no pod may be evicted, so node drains hang",
                workloads.join(", "),
                if workloads.len() == 1 { "s" } else { "" },
            ),
        )
        .label(format!("{healthy} of {total} pods must stay up"))
        .help(if total >= 2 {
            format!("use `maxUnavailable: 1` (or `minAvailable: {}`), so one pod at a time can move", total - 1)
        } else {
            "a single pod cannot be protected without blocking drains: run at least 2 replicas, or remove the budget".to_string()
        });
    for (w, pod, r) in &selected {
        let (f, span) = r.origin(facts, *w, pod);
        p.related(f, span, format!("{} `{}` runs {}", facts.kind(*w), facts.name(*w), r.describe(facts)));
    }
}

/// The scalable workloads of the budget's namespace whose pod templates it
/// selects, in canonical order, with their replica counts. Candidates come
/// from the pods-by-label table through the rarest matchLabels pair;
/// selectors with only expressions look at the namespace's pods.
fn selected_workloads<'f>(facts: &'f Facts, pdb: Pdb<'_>) -> Vec<(ObjId, &'f PodFact, Replicas)> {
    let tables = facts.pod_tables();
    let ns = facts.ident(pdb.id).namespace;
    let ml = pdb.match_labels();
    let ids = if ml.is_empty() {
        Labelled::All(tables.all_in(ns))
    } else {
        ml.iter()
            .map(|&(k, v)| tables.labelled(facts, ns, k, v))
            .min_by_key(|b| b.len())
            .unwrap_or(Labelled::All(&[]))
    };
    ids.ids()
        .filter_map(|w| {
            let (fp, pod) = facts.pod_of(w)?;
            let labels = fp.labels(pod.labels);
            if !pdb.matches(labels, |_| true) || !pdb.selects(facts, labels) {
                return None;
            }
            Some((w, pod, facts.replicas(w, pod)?))
        })
        .collect()
}
