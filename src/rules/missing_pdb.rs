//! `missing-pdb` — documented in rules/missing-pdb.md

use crate::api_versions::removed;
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
        // Why each selecting budget does not protect the pods, if it does not:
        // an API version current clusters reject, or no limit at all.
        let mut unprotective: Vec<(&Object, String, String, &str)> = Vec::new();
        for pdb in &selecting {
            if let Some(rm) = removed(&pdb.api_version, &pdb.kind) {
                let fix = rm.replacement.map_or(String::new(), |v| format!(": use `{v}`"));
                unprotective.push((
                    pdb,
                    format!(
                        "PodDisruptionBudget `{}` selects its pods but is `{}`, which {} {} removed, so a current cluster never applies it",
                        pdb.name, pdb.api_version, rm.component, rm.removed_in
                    ),
                    format!("`{}` is not served since {} {}{fix}", pdb.api_version, rm.component, rm.removed_in),
                    "apiVersion",
                ));
                continue;
            }
            let limits = disruption::spec(pdb).is_some_and(|s| allowance(s, r.count) != Allowance::Unbounded);
            if limits {
                return; // protected
            }
            unprotective.push((
                pdb,
                format!("PodDisruptionBudget `{}` selects its pods but sets neither `minAvailable` nor `maxUnavailable`, so it allows every eviction", pdb.name),
                "add `maxUnavailable: 1` here".to_string(),
                "spec",
            ));
        }
        let field = match r.source {
            ReplicaSource::Spec => "spec.replicas",
            _ => "metadata.name",
        };
        let why = match unprotective.first() {
            Some((_, why, _, _)) => why.clone(),
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
            "add a PodDisruptionBudget (`policy/v1`) in the same namespace whose selector matches the pod template labels, with `maxUnavailable: 1`",
        );
        if !unprotective.is_empty() {
            for (pdb, _, msg, at) in &unprotective {
                if *at == "apiVersion" {
                    p.related_value(pdb, *at, msg.clone());
                } else {
                    p.related(pdb, *at, msg.clone());
                }
            }
        } else if let Some(other) = candidates.iter().find(|p| p.namespace.as_deref() != ns && disruption::selects(p, labels)) {
            p.related(other, "spec.selector", "this PodDisruptionBudget selects the pods, but is in another namespace");
        }
        if let ReplicaSource::Autoscaler(h) = r.source {
            let (o, f) = r.origin(obj);
            p.related_value(o, f, format!("HorizontalPodAutoscaler `{}` keeps at least {} replicas", h.name, r.count));
        }
    }
}
