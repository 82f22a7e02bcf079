//! `pdb-blocks-eviction` — documented in rules/pdb-blocks-eviction.md

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::disruption::{self, allowance, replicas, scaled, Allowance};
use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};

pub struct PdbBlocksEviction;

const HELP: &str = "allow at least one disruption: `maxUnavailable: 1` is the usual choice for a replicated database or quorum";

fn show(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

impl Rule for PdbBlocksEviction {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Some(spec) = disruption::spec(obj) else { return };
        // Whatever the replica count: `maxUnavailable: 0` (or 0%) and
        // `minAvailable: 100%` never allow an eviction. (Both fields set is
        // rejected by the API server; each is still read on its own here.)
        let mut never = false;
        if let Some(v) = &spec.max_unavailable {
            if scaled(v, 100).is_some_and(|m| m <= 0) {
                never = true;
                out.report("spec.maxUnavailable", format!("PodDisruptionBudget `{}` allows no disruption (`maxUnavailable: {}`): node drains evicting its pods hang until someone deletes it", obj.name, show(v)))
                    .on_value()
                    .label("no pod may ever be evicted")
                    .help(HELP);
            }
        }
        if let Some(v @ IntOrString::String(_)) = &spec.min_available {
            if scaled(v, 100).is_some_and(|m| m >= 100) {
                never = true;
                out.report("spec.minAvailable", format!("PodDisruptionBudget `{}` requires every pod to stay available (`minAvailable: {}`): node drains evicting its pods hang until someone deletes it", obj.name, show(v)))
                    .on_value()
                    .label("no pod may ever be evicted")
                    .help(HELP);
            }
        }
        if never || spec.min_available.is_some() && spec.max_unavailable.is_some() {
            return;
        }
        let (field, value) = match (&spec.max_unavailable, &spec.min_available) {
            (Some(v), _) => ("spec.maxUnavailable", v),
            (None, Some(v)) => ("spec.minAvailable", v),
            (None, None) => return,
        };
        // Otherwise it depends on the pods it selects: the workloads of its
        // namespace whose pod templates it selects.
        let Some(sel) = spec.selector.as_ref() else { return };
        let ns = obj.namespace.as_deref();
        let selected: Vec<(&Object, disruption::Replicas<'a>)> = cx
            .index
            .pods_selected_by(ns, sel)
            .into_iter()
            .filter(|w| w.pod().is_some_and(|p| disruption::selects(obj, p.labels_or_empty())))
            .filter_map(|w| replicas(w, cx.index).map(|r| (w, r)))
            .collect();
        if selected.is_empty() {
            return;
        }
        let total: i32 = selected.iter().map(|(_, r)| r.count).sum();
        let Allowance::Disruptions { allowed, healthy } = allowance(spec, total) else { return };
        if allowed > 0 {
            return;
        }
        let pods = if total == 1 { "pod".to_string() } else { format!("{total} pods") };
        let rounding = match value {
            IntOrString::String(s) => format!(" ({s} of {total}, rounded up)"),
            IntOrString::Int(_) => String::new(),
        };
        let workloads: Vec<String> = selected.iter().map(|(w, _)| format!("{} `{}`", w.kind, w.name)).collect();
        let p = out
            .report(
                field,
                format!(
                    "PodDisruptionBudget `{}` requires {healthy} pods available{rounding}, and {} run{} {pods} in all: no pod may be evicted, so node drains hang",
                    obj.name,
                    workloads.join(", "),
                    if workloads.len() == 1 { "s" } else { "" },
                ),
            )
            .on_value()
            .label(format!("{healthy} of {total} pods must stay up"))
            .help(if total >= 2 {
                format!("use `maxUnavailable: 1` (or `minAvailable: {}`), so one pod at a time can move", total - 1)
            } else {
                "a single pod cannot be protected without blocking drains: run at least 2 replicas, or remove the budget".to_string()
            });
        for (w, r) in &selected {
            let (o, f) = r.origin(w);
            p.related_value(o, f, format!("{} `{}` runs {}", w.kind, w.name, r.describe()));
        }
    }
}

