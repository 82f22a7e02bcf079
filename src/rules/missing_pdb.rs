//! `missing-pdb` — documented in rules/missing-pdb.md

use crate::index::selector_matches;
use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};

use crate::index::in_ns;

pub struct MissingPdb;

impl Rule for MissingPdb {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        if !matches!(obj.typed, Typed::StatefulSet(_) | Typed::Deployment(_)) {
            return;
        }
        if obj.replicas().is_some_and(|r| r < 2) {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        let labels = pod.labels_or_empty();
        let selects = |pdb: &&Object| match &pdb.typed {
            // policy/v1: an empty selector selects every pod of the namespace,
            // a missing one selects none.
            Typed::PodDisruptionBudget(p) => p
                .spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .is_some_and(|s| selector_matches(s, labels)),
            _ => false,
        };
        let ns = obj.namespace.as_deref();
        let candidates = cx.index.pdb_candidates(labels);
        if candidates.iter().any(|p| p.namespace.as_deref() == ns && selects(p)) {
            return;
        }
        let field = if obj.has("spec.replicas") { "spec.replicas" } else { "metadata.name" };
        let replicas = obj.replicas().map_or("its".to_string(), |r| format!("its {r}"));
        let p = out.report(
                field,
                format!(
                    "{} `{}` has no PodDisruptionBudget {}: a node drain may evict all {replicas} replicas at once",
                    obj.kind, obj.name, in_ns(ns)
                ),
            );
        if field == "metadata.name" {
            p.on_value();
        }
        p.label("no PodDisruptionBudget selects these pods")
            .help("add a PodDisruptionBudget in the same namespace whose selector matches the pod template labels, with `maxUnavailable: 1`");
        if let Some(other) = candidates.iter().find(|p| selects(p)) {
            p.related(other, "spec.selector", "this PodDisruptionBudget selects the pods, but is in another namespace");
        }
    }
}
