//! `missing-anti-affinity` — documented in rules/missing-anti-affinity.md

use crate::index::{describe_labels, describe_selector};
use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};
use crate::spread::{key_level, terms};

pub struct MissingAntiAffinity;

impl Rule for MissingAntiAffinity {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        if obj.statefulset().is_none() {
            return;
        }
        // The same count missing-pdb uses: unset is one pod, an autoscaler's
        // minReplicas when one scales it.
        let replicas = crate::disruption::replicas(obj, cx.index).map_or(1, |r| r.count);
        if replicas < 2 {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        let labels = pod.labels_or_empty();
        let ns = obj.namespace.as_deref();
        let terms = terms(&pod, ns);
        if terms
            .iter()
            .any(|t| t.selects_own_pods(labels) && key_level(t.topology_key).is_some())
        {
            return;
        }
        // A term that exists but misses its own pods is the common real bug.
        if let Some(t) = terms.iter().find(|t| !t.selects_own_pods(labels)) {
            let what = if t.is_constraint { "topology spread constraint" } else { "anti-affinity term" };
            let selected = t.selector.map_or("no pods (no labelSelector)".to_string(), describe_selector);
            let field = if t.selector.is_some() { t.selector_path() } else { t.path.clone() };
            let why = if t.other_namespaces {
                "only looks at other namespaces".to_string()
            } else {
                format!("selects {selected}, but the pods are labelled {}", describe_labels(labels))
            };
            out.report(field, format!("the {what} of StatefulSet `{}` {why}: it never spreads its {replicas} replicas", obj.name))
                .label("does not select the StatefulSet's own pods")
                .help("make the term's labelSelector match the pod template labels (e.g. the same matchLabels as `spec.selector`)")
                .related(obj, pod.labels_path, "the pod template labels");
            return;
        }
        if let Some(t) = terms.first() {
            out.report(
                t.key_path(),
                format!(
                    "StatefulSet `{}` spreads its {replicas} replicas by `{}`, which does not separate nodes or zones",
                    obj.name, t.topology_key
                ),
            )
            .on_value()
            .label("not a node or zone topology key")
            .help("use `topologyKey: kubernetes.io/hostname` (or `topology.kubernetes.io/zone`)");
            return;
        }
        out.report(
            format!("{}.affinity.podAntiAffinity", pod.spec_path),
            format!(
                "StatefulSet `{}` runs {replicas} replicas with no pod anti-affinity or topology spread: they may all land on one node",
                obj.name
            ),
        )
        .label("no podAntiAffinity or topologySpreadConstraints")
        .help("add `affinity.podAntiAffinity` with `topologyKey: kubernetes.io/hostname` and a labelSelector matching the pod labels, or a topologySpreadConstraint on that key");
    }
}
