//! `missing-headless-service` — documented in rules/missing-headless-service.md

use crate::catalog::container_store;
use crate::diagnostic::Severity;
use crate::index::{describe_labels, in_ns, map_selector_matches};
use crate::manifest::{Object, PodView, Typed};
use crate::path::join_key;
use crate::rule::{Context, Rule, Sink};

pub struct MissingHeadlessService;

const HELP: &str = "create a Service with `clusterIP: None` whose selector matches the pod template labels, and set `spec.serviceName` to its name";

/// The annotation that published not-ready pods before
/// `publishNotReadyAddresses`; Kubernetes 1.24 stopped reading it.
const TOLERATE_UNREADY: &str = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

impl Rule for MissingHeadlessService {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Some(sts) = obj.statefulset() else { return };
        let Some(pod) = obj.pod() else { return };
        let name = sts.spec.service_name.as_deref().unwrap_or_default();
        // Per-pod DNS names matter to data stores and to pods that find their
        // peers through them; for other StatefulSets a missing Service is a
        // smell, not an outage.
        let store = pod.containers(false).iter().find_map(|c| container_store(c.container));
        let clustered = store.is_some() || (!name.is_empty() && uses_pod_dns(obj, &pod, name));
        let severity = if clustered { Severity::Error } else { Severity::Warning };
        let who = match store {
            Some(s) => format!("StatefulSet `{}` ({})", obj.name, s.name),
            None => format!("StatefulSet `{}`", obj.name),
        };
        if name.is_empty() {
            out.report(
                "spec.serviceName",
                format!("{who} names no governing Service (`spec.serviceName`): its pods get no stable DNS names"),
            )
            .severity(severity)
            .label("no `serviceName` here")
            .help(HELP);
            return;
        }
        let ns = obj.namespace.as_deref();
        let Some(svc) = cx.index.named_near(obj, ns, "Service", name) else {
            let p = out
                .report(
                    "spec.serviceName",
                    format!("{who} names Service `{name}`, but no Service `{name}` is defined {}", in_ns(ns)),
                )
                .severity(severity)
                .on_value()
                .label("no such Service")
                .help(HELP);
            if let Some(other) = cx.index.named_anywhere("Service", name) {
                let where_ = other.namespace.as_deref().map_or("without a namespace".to_string(), |n| format!("in namespace `{n}`"));
                p.related(other, "metadata.name", format!("a Service `{name}` exists, but {where_}"));
            }
            return;
        };
        let Typed::Service(service) = &svc.typed else { return };
        let spec = service.spec.as_ref();
        if spec.and_then(|s| s.cluster_ip.as_deref()) != Some("None") {
            let field = if svc.has("spec.clusterIP") { "spec.clusterIP" } else { "spec" };
            let exposed = spec.and_then(|s| s.type_.as_deref()).filter(|t| matches!(*t, "NodePort" | "LoadBalancer"));
            let (help, at, at_msg) = match exposed {
                Some(t) => (
                    format!("add a separate headless Service (`clusterIP: None`, the same selector and ports) and point `spec.serviceName` at it: `clusterIP: None` is invalid on a {t} Service, which keeps exposing the pods to clients"),
                    "spec.type",
                    format!("a {t} Service cannot be headless"),
                ),
                None => (
                    "set `clusterIP: None` on the Service (a separate ClusterIP Service can still load-balance clients)".to_string(),
                    field,
                    "set `clusterIP: None` here".to_string(),
                ),
            };
            out.report(
                "spec.serviceName",
                format!("Service `{name}` governing {who} is not headless: pods get no per-pod DNS records"),
            )
            .severity(severity)
            .on_value()
            .label("this Service has a cluster IP")
            .help(help)
            .related(svc, at, at_msg);
            return;
        }
        let labels = pod.labels_or_empty();
        let selector = spec.and_then(|s| s.selector.as_ref());
        if !map_selector_matches(selector, labels) {
            let (field, what) = match selector {
                Some(s) if !s.is_empty() => ("spec.selector", format!("selects {}", describe_labels(s))),
                _ => ("spec", "has no selector".to_string()),
            };
            out.report(
                "spec.serviceName",
                format!(
                    "headless Service `{name}` {what}, which does not select the pods of {who} ({})",
                    describe_labels(labels)
                ),
            )
            .severity(severity)
            .on_value()
            .label("this Service does not select the pods")
            .help("make the Service's `spec.selector` a subset of the pod template labels")
            .related(svc, field, "this selector misses the StatefulSet's pods")
            .related(obj, pod.labels_path, "the pod template labels");
            return;
        }
        // A quorum member must resolve its peers before any of them is Ready.
        let publishes = spec.and_then(|s| s.publish_not_ready_addresses) == Some(true);
        let Some(store) = store.filter(|s| s.quorum) else { return };
        if publishes || svc.annotation(TOLERATE_UNREADY).is_none() {
            return;
        }
        out.report_on(
            svc,
            join_key("metadata.annotations", TOLERATE_UNREADY),
            format!(
                "headless Service `{name}` of {} quorum {who} relies on `{TOLERATE_UNREADY}`, which Kubernetes 1.24 removed: not-ready members get no DNS records, so members cannot find each other to form the quorum",
                store.name
            ),
        )
        .label("ignored since Kubernetes 1.24")
        .help("set `spec.publishNotReadyAddresses: true` on the Service (the annotation can go)")
        .related_value(obj, "spec.serviceName", format!("{who} is governed by this Service"));
    }
}

/// Whether the pod's containers address peers by their per-pod DNS names
/// (`$(POD_NAME).<service>`, `db-0.<service>.ns.svc`).
fn uses_pod_dns(obj: &Object, pod: &PodView<'_>, service: &str) -> bool {
    let Some(spec) = obj.at(pod.spec_path) else { return false };
    let needle = format!(".{service}");
    let mut hit = false;
    spec.for_each_string(&mut |s, _| {
        if hit {
            return;
        }
        let mut from = 0;
        while let Some(i) = s[from..].find(&needle) {
            let end = from + i + needle.len();
            if s[end..].chars().next().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
                hit = true;
                return;
            }
            from = end;
        }
    });
    hit
}
