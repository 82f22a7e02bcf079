//! `dangling-selector` — documented in rules/dangling-selector.md

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::index::{describe_labels, describe_selector, map_selector_matches, selector_is_empty, selector_matches};
use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};

pub struct DanglingSelector;

/// Labels that controllers add to the pods they create, which no pod template
/// carries: a selector may use them.
fn controller_label(key: &str) -> bool {
    matches!(
        key,
        "statefulset.kubernetes.io/pod-name"
            | "apps.kubernetes.io/pod-index"
            | "pod-template-hash"
            | "controller-revision-hash"
            | "pod-template-generation"
            | "controller-uid"
            | "job-name"
            | "batch.kubernetes.io/controller-uid"
            | "batch.kubernetes.io/job-name"
            | "batch.kubernetes.io/job-completion-index"
    )
}

/// `kafka-0` → (`kafka`, 0): the StatefulSet a pod name belongs to.
fn statefulset_pod(value: &str) -> Option<&str> {
    let (sts, ordinal) = value.rsplit_once('-')?;
    (!ordinal.is_empty() && ordinal.chars().all(|c| c.is_ascii_digit())).then_some(sts)
}

/// Whether `obj` can run pods carrying the controller label `key=value`.
fn controller_label_ok(obj: &Object, key: &str, value: &str) -> bool {
    match key {
        "statefulset.kubernetes.io/pod-name" => {
            matches!(obj.typed, Typed::StatefulSet(_)) && statefulset_pod(value) == Some(obj.name.as_str())
        }
        "apps.kubernetes.io/pod-index" => matches!(obj.typed, Typed::StatefulSet(_)),
        _ => true,
    }
}

/// The namespaces whose pods a selector in `ns` may select among the linted
/// objects: its own, and the objects that name none (applied with `-n`).
fn namespaces(ns: Option<&str>) -> Vec<Option<&str>> {
    match ns {
        Some(_) => vec![ns, None],
        None => vec![None],
    }
}

/// What the selector requires, for lookups: one `key=value` pair, or one
/// key with any value.
enum Lookup<'s> {
    Pair(&'s str, &'s str),
    Key(&'s str),
    StatefulSet(&'s str),
}

fn candidates<'a>(cx: &Context<'a>, ns: Option<&str>, lookups: &[Lookup]) -> Vec<&'a Object> {
    let mut out: Vec<&'a Object> = Vec::new();
    for ns in namespaces(ns) {
        for l in lookups {
            match l {
                Lookup::Pair(k, v) => out.extend(cx.index.pods_labelled(ns, k, v)),
                Lookup::Key(k) => out.extend(cx.index.pods_with_label_key(ns, k)),
                Lookup::StatefulSet(name) => out.extend(cx.index.named(ns, "StatefulSet", name)),
            }
        }
    }
    out
}

/// Of a selector's `key=value` pairs (all of which must match), the one
/// carried by the fewest pod templates: the shortest list to check.
fn rarest<'s>(cx: &Context<'_>, ns: Option<&str>, pairs: impl Iterator<Item = (&'s String, &'s String)>) -> Option<(&'s String, &'s String)> {
    pairs.min_by_key(|(k, v)| namespaces(ns).into_iter().map(|n| cx.index.pods_labelled_count(n, k, v)).sum::<usize>())
}

fn where_(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("in namespace `{ns}`"),
        None => "among the linted objects".into(),
    }
}

/// A pod template with every key of the selector, for a "did you mean" span.
fn near_miss<'a>(cx: &Context<'a>, ns: Option<&str>, keys: &[&str]) -> Option<(&'a Object, String)> {
    let first = keys.first()?;
    candidates(cx, ns, &[Lookup::Key(first)]).into_iter().find_map(|o| {
        let labels = o.pod()?.labels_or_empty();
        if !keys.iter().all(|k| labels.contains_key(*k)) {
            return None;
        }
        let shown: BTreeMap<String, String> = labels
            .iter()
            .filter(|(k, _)| keys.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Some((o, describe_labels(&shown)))
    })
}

impl DanglingSelector {
    fn service<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Typed::Service(svc) = &obj.typed else { return };
        let Some(spec) = svc.spec.as_ref() else { return };
        if spec.type_.as_deref() == Some("ExternalName") {
            return;
        }
        // No selector: endpoints are managed by hand (or by an operator).
        let Some(sel) = spec.selector.as_ref().filter(|s| !s.is_empty()) else { return };
        let ns = obj.namespace.as_deref();
        if !cx.index.has_pods_in(ns) {
            return;
        }
        let user: BTreeMap<String, String> = sel.iter().filter(|(k, _)| !controller_label(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let lookup = match rarest(cx, ns, user.iter()) {
            Some((k, v)) => Lookup::Pair(k, v),
            None => match sel.get("statefulset.kubernetes.io/pod-name").and_then(|v| statefulset_pod(v)) {
                Some(sts) => Lookup::StatefulSet(sts),
                None => return,
            },
        };
        let selected = candidates(cx, ns, &[lookup]).into_iter().any(|o| {
            let Some(pod) = o.pod() else { return false };
            (user.is_empty() || map_selector_matches(Some(&user), pod.labels_or_empty()))
                && sel.iter().filter(|(k, _)| controller_label(k)).all(|(k, v)| controller_label_ok(o, k, v))
        });
        if selected {
            return;
        }
        let b = out
            .report(
                "spec.selector",
                format!(
                    "Service `{}` selects pods with {}, but no pod template {} carries these labels: the Service gets no endpoints and connections to it fail",
                    obj.name,
                    describe_labels(sel),
                    where_(ns)
                ),
            );
        b.label("selects no pods")
            .help("make `spec.selector` equal to labels of the workload's pod template (`spec.template.metadata.labels`), or lint the Service together with the files that define its pods");
        let keys: Vec<&str> = user.keys().map(String::as_str).collect();
        if let Some((o, labels)) = near_miss(cx, ns, &keys) {
            if let Some(pod) = o.pod() {
                b.related(o, pod.labels_path, format!("the pod template of {} `{}` has {labels}", o.kind, o.name));
            }
        }
    }

    fn pdb<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Typed::PodDisruptionBudget(pdb) = &obj.typed else { return };
        let ns = obj.namespace.as_deref();
        if !cx.index.has_pods_in(ns) {
            return;
        }
        const HELP: &str = "set `spec.selector.matchLabels` to the labels of the workload's pod template (`spec.template.metadata.labels`), or lint the PodDisruptionBudget together with the files that define its pods";
        let Some(sel) = pdb.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
            out.report("spec", format!("PodDisruptionBudget `{}` has no `spec.selector`: it selects no pods and protects nothing from node drains", obj.name))
                .label("no selector")
                .help(HELP);
            return;
        };
        if selector_is_empty(sel) {
            // policy/v1: every pod of the namespace; policy/v1beta1: none.
            if !crate::disruption::empty_selector_selects_all(obj) {
                out.report("spec.selector", format!("PodDisruptionBudget `{}` has an empty `spec.selector`, which in policy/v1beta1 selects no pods: it protects nothing", obj.name))
                    .label("selects no pods in policy/v1beta1")
                    .help("set `spec.selector.matchLabels` to the pod template's labels (in policy/v1 an empty selector would select every pod of the namespace instead)");
            }
            return;
        }
        let user = LabelSelector {
            match_labels: sel.match_labels.as_ref().map(|ml| ml.iter().filter(|(k, _)| !controller_label(k)).map(|(k, v)| (k.clone(), v.clone())).collect()),
            match_expressions: sel.match_expressions.as_ref().map(|es| es.iter().filter(|e| !controller_label(&e.key)).cloned().collect()),
        };
        let mut lookups = Vec::new();
        if let Some((k, v)) = rarest(cx, ns, user.match_labels.iter().flatten()) {
            lookups.push(Lookup::Pair(k, v));
        } else if let Some(e) = user.match_expressions.iter().flatten().find(|e| matches!(e.operator.as_str(), "In" | "Exists")) {
            match e.operator.as_str() {
                "In" => lookups.extend(e.values.iter().flatten().map(|v| Lookup::Pair(&e.key, v))),
                _ => lookups.push(Lookup::Key(&e.key)),
            }
        } else if let Some(sts) = sel.match_labels.as_ref().and_then(|ml| ml.get("statefulset.kubernetes.io/pod-name")).and_then(|v| statefulset_pod(v)) {
            lookups.push(Lookup::StatefulSet(sts));
        } else {
            // Only NotIn / DoesNotExist or controller labels: no index lookup
            // narrows the pods down; stay silent rather than guess.
            return;
        }
        let injected: Vec<(&String, &String)> = sel.match_labels.iter().flatten().filter(|(k, _)| controller_label(k)).collect();
        let selected = candidates(cx, ns, &lookups).into_iter().any(|o| {
            let Some(pod) = o.pod() else { return false };
            selector_matches(&user, pod.labels_or_empty()) && injected.iter().all(|(k, v)| controller_label_ok(o, k, v))
        });
        if selected {
            return;
        }
        let b = out.report(
            "spec.selector",
            format!(
                "PodDisruptionBudget `{}` selects pods with {}, but no pod template {} carries these labels: it protects nothing from node drains",
                obj.name,
                describe_selector(sel),
                where_(ns)
            ),
        );
        b.label("selects no pods").help(HELP);
        let keys: Vec<&str> = user.match_labels.iter().flatten().map(|(k, _)| k.as_str()).collect();
        if let Some((o, labels)) = near_miss(cx, ns, &keys) {
            if let Some(pod) = o.pod() {
                b.related(o, pod.labels_path, format!("the pod template of {} `{}` has {labels}", o.kind, o.name));
            }
        }
    }
}

impl Rule for DanglingSelector {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        // The selected pods may be in the input that could not be read.
        if cx.inputs_incomplete {
            return;
        }
        self.service(obj, cx, out);
        self.pdb(obj, cx, out);
    }
}
