//! `missing-headless-service` — documented in rules/missing-headless-service.md

use crate::index::{describe_labels, map_selector_matches};
use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};

pub struct MissingHeadlessService;

const HELP: &str = "create a Service with `clusterIP: None` whose selector matches the pod template labels, and set `spec.serviceName` to its name";

impl Rule for MissingHeadlessService {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Some(sts) = obj.statefulset() else { return };
        let name = sts.spec.service_name.as_deref().unwrap_or_default();
        if name.is_empty() {
            out.report(
                "spec.serviceName",
                format!("StatefulSet `{}` names no governing Service (`spec.serviceName`): its pods get no stable DNS names", obj.name),
            )
            .label("no `serviceName` here")
            .help(HELP);
            return;
        }
        let ns = obj.namespace.as_deref();
        let Some(svc) = cx.index.named(ns, "Service", name).last() else {
            let p = out
                .report(
                    "spec.serviceName",
                    format!("StatefulSet `{}` names Service `{name}`, but no Service `{name}` is defined {}", obj.name, in_ns(ns)),
                )
                .on_value()
                .label("no such Service")
                .help(HELP);
            if let Some(other) = cx.index.of_kind("Service").find(|s| s.name == name) {
                let where_ = other.namespace.as_deref().map_or("without a namespace".to_string(), |n| format!("in namespace `{n}`"));
                p.related(other, "metadata.name", format!("a Service `{name}` exists, but {where_}"));
            }
            return;
        };
        let Typed::Service(service) = &svc.typed else { return };
        let spec = service.spec.as_ref();
        if spec.and_then(|s| s.cluster_ip.as_deref()) != Some("None") {
            let field = if svc.has("spec.clusterIP") { "spec.clusterIP" } else { "spec" };
            out.report(
                "spec.serviceName",
                format!("Service `{name}` governing StatefulSet `{}` is not headless: pods get no per-pod DNS records", obj.name),
            )
            .on_value()
            .label("this Service has a cluster IP")
            .help("set `clusterIP: None` on the Service (a separate ClusterIP Service can still load-balance clients)")
            .related(svc, field, "set `clusterIP: None` here");
            return;
        }
        let Some(pod) = obj.pod() else { return };
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
                    "headless Service `{name}` {what}, which does not select the pods of StatefulSet `{}` ({})",
                    obj.name,
                    describe_labels(labels)
                ),
            )
            .on_value()
            .label("this Service does not select the pods")
            .help("make the Service's `spec.selector` a subset of the pod template labels")
            .related(svc, field, "this selector misses the StatefulSet's pods")
            .related(obj, pod.labels_path, "the pod template labels");
        }
    }
}

pub(crate) fn in_ns(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("in namespace `{ns}`"),
        None => "in the same namespace".to_string(),
    }
}
