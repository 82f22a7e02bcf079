//! `missing-anti-affinity` — documented in rules/missing-anti-affinity.md
//!
//! How the pod template spreads its pods is read with the StatefulSet
//! ([`crate::facts::pods::Spread`]); only the replica count, which an
//! autoscaler may set, waits for the other objects.


use crate::facts::pods::Spread;
use crate::facts::{FactRule, FactSink, Facts};

pub struct MissingAntiAffinity;

impl FactRule for MissingAntiAffinity {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        facts.par_batches(out, |batch, ff, out| {
            for a in &ff.pods.anti_affinity {
                let id = facts.id(batch, a.local as usize);
                let Some(pod) = ff.pods.pod(a.local as usize) else { continue };
                // The same count missing-pdb uses: unset is one pod, an
                // autoscaler's minReplicas when one scales it.
                let replicas = facts.replicas(id, pod).map_or(1, |r| r.count);
                if replicas < 2 {
                    continue;
                }
                let name = facts.name(id);
                match &a.spread {
                    Spread::TermMisses { constraint, field, span, why, labels_key } => {
                        let what = if *constraint { "topology spread constraint" } else { "anti-affinity term" };
                        out.report(id, &**field, *span, format!("the {what} of StatefulSet `{name}` {why}: it never spreads its {replicas} replicas"))
                            .label("does not select the StatefulSet's own pods")
                            .help("make the term's labelSelector match the pod template labels (e.g. the same matchLabels as `spec.selector`)")
                            .related(facts.ident(id).file, *labels_key, "the pod template labels");
                    }
                    Spread::BadKey { field, span, key } => {
                        out.report(
                            id,
                            &**field,
                            *span,
                            format!("StatefulSet `{name}` spreads its {replicas} replicas by `{key}`, which does not separate nodes or zones"),
                        )
                        .label("not a node or zone topology key")
                        .help("use `topologyKey: kubernetes.io/hostname` (or `topology.kubernetes.io/zone`)");
                    }
                    Spread::NoTerms { spec_path, span } => {
                        out.report(
                            id,
                            format!("{spec_path}.affinity.podAntiAffinity"),
                            *span,
                            format!("StatefulSet `{name}` runs {replicas} replicas with no pod anti-affinity or topology spread: they may all land on one node"),
                        )
                        .label("no podAntiAffinity or topologySpreadConstraints")
                        .help("add `affinity.podAntiAffinity` with `topologyKey: kubernetes.io/hostname` and a labelSelector matching the pod labels, or a topologySpreadConstraint on that key");
                    }
                }
            }
        });
    }
}
