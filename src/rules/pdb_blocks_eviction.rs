//! `pdb-blocks-eviction` — documented in rules/pdb-blocks-eviction.md

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::index::selector_matches;
use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};

pub struct PdbBlocksEviction;

fn percent(v: &IntOrString) -> Option<f64> {
    match v {
        IntOrString::String(s) => s.trim().strip_suffix('%').and_then(|p| p.trim().parse().ok()),
        IntOrString::Int(_) => None,
    }
}

impl Rule for PdbBlocksEviction {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Typed::PodDisruptionBudget(pdb) = &obj.typed else { return };
        let Some(spec) = pdb.spec.as_ref() else { return };
        const HELP: &str = "allow at least one disruption: `maxUnavailable: 1` is the usual choice for a replicated database or quorum";
        if let Some(max) = &spec.max_unavailable {
            let zero = match max {
                IntOrString::Int(i) => *i <= 0,
                s => percent(s).is_some_and(|p| p <= 0.0),
            };
            if zero {
                out.report("spec.maxUnavailable", format!("PodDisruptionBudget `{}` allows no disruption (`maxUnavailable: 0`): node drains evicting its pods hang until someone deletes it", obj.name))
                    .on_value()
                    .label("no pod may ever be evicted")
                    .help(HELP);
            }
        }
        let Some(min) = &spec.min_available else { return };
        if percent(min).is_some_and(|p| p >= 100.0) {
            out.report("spec.minAvailable", format!("PodDisruptionBudget `{}` requires every pod to stay available (`minAvailable: 100%`): node drains hang", obj.name))
                .on_value()
                .label("no pod may ever be evicted")
                .help(HELP);
            return;
        }
        let IntOrString::Int(n) = min else { return };
        if spec.max_unavailable.is_some() {
            return; // both set: the API rejects it; nothing to compare here
        }
        let Some(sel) = spec.selector.as_ref() else { return };
        let ns = obj.namespace.as_deref();
        let selected: Vec<&Object> = ["StatefulSet", "Deployment", "ReplicaSet"]
            .iter()
            .flat_map(|k| cx.index.in_namespace(k, ns))
            .filter(|w| w.pod().is_some_and(|p| selector_matches(sel, p.labels_or_empty())))
            .collect();
        if selected.is_empty() || !selected.iter().all(|w| *n >= w.replicas().unwrap_or(1)) {
            return;
        }
        let w = selected[0];
        let replicas = w.replicas().unwrap_or(1);
        let p = out
            .report(
                "spec.minAvailable",
                format!(
                    "PodDisruptionBudget `{}` requires {n} pods available, and {} `{}` runs {replicas}: no pod may be evicted, so node drains hang",
                    obj.name, w.kind, w.name
                ),
            )
            .on_value()
            .label("at least the replica count")
            .help(format!("lower `minAvailable` below the replica count (e.g. {}), or use `maxUnavailable: 1`", (replicas - 1).max(0)));
        for w in selected {
            let field = if w.has("spec.replicas") { "spec.replicas" } else { "metadata.name" };
            p.related_value(w, field, format!("{} `{}` runs {} replica(s)", w.kind, w.name, w.replicas().unwrap_or(1)));
        }
    }
}
