//! `missing-pdb` — documented in rules/missing-pdb.md

use crate::disruption::{self, allowance, replicas, Allowance, ReplicaSource};
use crate::index::in_ns;
use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};

pub struct MissingPdb;

impl Rule for MissingPdb {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        if !matches!(obj.typed, Typed::StatefulSet(_) | Typed::Deployment(_)) {
            return;
        }
        // One pod cannot be protected without blocking every drain.
        let Some(r) = replicas(obj, cx.index).filter(|r| r.count >= 2) else { return };
        let Some(pod) = obj.pod() else { return };
        let labels = pod.labels_or_empty();
        let ns = obj.namespace.as_deref();
        let candidates = cx.index.pdb_candidates(labels);
        let selecting: Vec<&Object> = candidates
            .iter()
            .copied()
            .filter(|p| p.namespace.as_deref() == ns && disruption::selects(p, labels))
            .collect();
        // A budget without minAvailable or maxUnavailable allows every eviction.
        let (protecting, empty): (Vec<&Object>, Vec<&Object>) = selecting.iter().partition(|p| {
            disruption::spec(p).is_some_and(|s| allowance(s, r.count) != Allowance::Unbounded)
        });
        if !protecting.is_empty() {
            return;
        }
        let field = match r.source {
            ReplicaSource::Spec => "spec.replicas",
            _ => "metadata.name",
        };
        let why = match empty.first() {
            Some(p) => format!("PodDisruptionBudget `{}` selects its pods but sets neither `minAvailable` nor `maxUnavailable`, so it allows every eviction", p.name),
            None => format!("no PodDisruptionBudget {} selects its pods", in_ns(ns)),
        };
        let p = out.report(
            field,
            format!(
                "{} `{}` runs {} and {why}: a node drain may evict them all at once",
                obj.kind,
                obj.name,
                r.describe()
            ),
        );
        p.on_value().label("no PodDisruptionBudget protects these pods").help(
            "add a PodDisruptionBudget in the same namespace whose selector matches the pod template labels, with `maxUnavailable: 1`",
        );
        if let Some(e) = empty.first() {
            p.related(e, "spec", "add `maxUnavailable: 1` here");
        } else if let Some(other) = candidates.iter().find(|p| p.namespace.as_deref() != ns && disruption::selects(p, labels)) {
            p.related(other, "spec.selector", "this PodDisruptionBudget selects the pods, but is in another namespace");
        }
        if let ReplicaSource::Autoscaler(h) = r.source {
            let (o, f) = r.origin(obj);
            p.related_value(o, f, format!("HorizontalPodAutoscaler `{}` keeps at least {} replicas", h.name, r.count));
        }
    }
}
