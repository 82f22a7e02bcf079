//! `selector-mismatch` — documented in rules/selector-mismatch.md

use crate::selectors::{describe_labels, describe_selector, selector_is_empty, selector_matches};
use crate::manifest::{Object, Typed};
use crate::rule::{Rule, Sink};

pub struct SelectorMismatch;

impl Rule for SelectorMismatch {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        if !matches!(obj.typed, Typed::StatefulSet(_) | Typed::Deployment(_) | Typed::DaemonSet(_) | Typed::ReplicaSet(_)) {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        let labels = pod.labels_or_empty();
        let Some(sel) = obj.workload_selector() else { return };
        if !obj.has("spec.selector") {
            // extensions/v1beta1 defaulted the selector from the template labels.
            if obj.api_version == "apps/v1" {
                out.report("spec.selector", format!("{} `{}` has no `spec.selector`: apps/v1 requires one", obj.kind, obj.name))
                    .label("no selector")
                    .help("add `spec.selector.matchLabels` with the pod template's identifying labels");
            }
            return;
        }
        if selector_is_empty(sel) {
            out.report("spec.selector", format!("{} `{}` has an empty `spec.selector`: Kubernetes rejects it (it would select every pod in the namespace)", obj.kind, obj.name))
                .label("empty selector")
                .help("add `matchLabels` with the pod template's identifying labels");
            return;
        }
        if !selector_matches(sel, labels) {
            out.report(
                "spec.selector",
                format!(
                    "the selector of {} `{}` ({}) does not select its own pod template ({}): Kubernetes rejects the object",
                    obj.kind,
                    obj.name,
                    describe_selector(sel),
                    describe_labels(labels)
                ),
            )
            .label("does not select the template's labels")
            .help("make `spec.selector` match `spec.template.metadata.labels` (the selector is immutable after creation: get it right first)")
            .related(obj, pod.labels_path, "the pod template labels");
        }
    }
}
